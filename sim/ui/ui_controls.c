/* ui_controls.c - buttons and timeline (see ui_controls.h). */
#include "ui/ui_controls.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PLAY "\xE2\x96\xB6"  /* U+25B6 */
#define BACK "\xE2\x97\x80"  /* U+25C0 */
#define PAUSE "\xE2\x9D\x9A" /* U+275A */
#define DOWN "\xE2\x96\xBC"  /* U+25BC */

/* label - level 0: words and the key; 1: words; 2: symbols only (narrow windows). */
static const char *label(const ui_controls_state *s, ui_button b, int level, char *buf,
                         size_t cap)
{
    bool compact = level >= 2, keys = level == 0;
    switch (b) {
    case UI_BTN_HOME: return compact ? BACK BACK : BACK BACK " Start";
    case UI_BTN_BACK: return compact ? BACK : BACK " Back";
    case UI_BTN_PLAY:
        if (s->playing)
            return compact ? "Pause" : PAUSE PAUSE " Pause";
        return compact ? "Play" : PLAY " Play";
    case UI_BTN_NEXT: return compact ? PLAY : "Next " PLAY;
    case UI_BTN_END: return compact ? PLAY PLAY : "End " PLAY PLAY;
    case UI_BTN_SLOWER: return "\xE2\x88\x92"; /* minus sign */
    case UI_BTN_SPEED:
        if (s->speed < 1)
            snprintf(buf, cap, "%.2gx", (double)s->speed);
        else
            snprintf(buf, cap, "%gx", (double)s->speed);
        return buf;
    case UI_BTN_FASTER: return "+";
    case UI_BTN_BYTES: return keys ? "Bytes (B)" : "Bytes";
    case UI_BTN_EAVES: return keys ? "Eavesdrop (E)" : compact ? "Eaves" : "Eavesdrop";
    case UI_BTN_THEME: return keys ? "Theme (T)" : "Theme";
    case UI_BTN_SCENARIO: return compact ? "Scenario" : "Scenario " DOWN;
    case UI_BTN_QUIZ: return keys ? "Quiz (Q)" : "Quiz";
    case UI_BTN_HELP: return compact ? "?" : keys ? "Help (?)" : "Help";
    case UI_BTN_WHATIF:
        if (s->whatif)
            return keys ? "Original (W)" : compact ? "Orig." : "Original";
        return keys ? "What if? (W)" : compact ? "If?" : "What if?";
    default: return "";
    }
}

static bool shown(const ui_controls_state *s, int b)
{
    return (b != UI_BTN_QUIZ || s->quiz_available) &&
           (b != UI_BTN_WHATIF || s->whatif_available);
}

/* row_widths - each button's width at a label level, and the whole row's (gaps included). */
static int row_widths(ui_ctx *c, const ui_controls_state *s, int level, int *widths)
{
    int gap = c->pad / 2, group = c->pad * 2, total = 2 * group;
    char buf[16];
    for (int b = 0; b < UI_BTN_COUNT; b++) {
        int w = 0, h = 0;
        if (shown(s, b))
            ui_text_measure(c->text, UI_FONT_SANS_BOLD, c->fs_body,
                         label(s, (ui_button)b, level, buf, sizeof buf), &w, &h);
        if (b == UI_BTN_SPEED)
            ui_text_measure(c->text, UI_FONT_SANS_BOLD, c->fs_body, "0.25x", &w, &h);
        widths[b] = shown(s, b) ? w + 2 * c->pad : 0;
        total += widths[b] + (shown(s, b) ? gap : 0);
    }
    return total;
}

int ui_controls_min_width(ui_ctx *c)
{
    int widths[UI_BTN_COUNT], most = 0;
    for (int k = 0; k < 4; k++) { /* playing or not, in a fork or not */
        ui_controls_state s = {.playing = k & 1, .whatif = k & 2, .quiz_available = true,
                               .whatif_available = true, .speed = 1, .hover = -1};
        int t = row_widths(c, &s, 2, widths);
        if (t > most)
            most = t;
    }
    return most;
}

/* layout - rectangles of every button: the transport and speed groups on the left, the
 * toggles on the right. Shorter labels when the full ones do not fit (the layout keeps the
 * scale where the shortest do, ui_controls_min_width). */
static void layout(ui_ctx *c, const ui_layout *lay, const ui_controls_state *s, SDL_Rect *out,
                   int *level_out)
{
    SDL_Rect bar = lay->controls;
    int gap = c->pad / 2, group = c->pad * 2;
    for (int level = 0; level < 3; level++) {
        int widths[UI_BTN_COUNT];
        int total = row_widths(c, s, level, widths);
        if (total > bar.w && level < 2)
            continue;
        *level_out = level;
        int x = bar.x;
        for (int b = 0; b <= UI_BTN_FASTER; b++) {
            if (b == UI_BTN_SLOWER)
                x += group;
            out[b] = (SDL_Rect){x, bar.y, widths[b], bar.h};
            x += widths[b] + gap;
        }
        x = bar.x + bar.w;
        for (int b = UI_BTN_COUNT - 1; b > UI_BTN_FASTER; b--) {
            if (!shown(s, b)) {
                out[b] = (SDL_Rect){0, 0, 0, 0};
                continue;
            }
            x -= widths[b];
            out[b] = (SDL_Rect){x, bar.y, widths[b], bar.h};
            x -= gap;
        }
        return;
    }
}

SDL_Rect ui_controls_button_rect(ui_ctx *c, const ui_layout *lay, const ui_controls_state *s,
                                 ui_button b)
{
    SDL_Rect rects[UI_BTN_COUNT];
    int level;
    layout(c, lay, s, rects, &level);
    return rects[b];
}

int ui_controls_hit(ui_ctx *c, const ui_layout *lay, const ui_controls_state *s, int x, int y)
{
    SDL_Rect rects[UI_BTN_COUNT];
    int level;
    layout(c, lay, s, rects, &level);
    for (int b = 0; b < UI_BTN_COUNT; b++)
        if (rects[b].w && ui_gfx_inside(rects[b], x, y))
            return b;
    return -1;
}

static bool toggled(const ui_controls_state *s, int b)
{
    return (b == UI_BTN_PLAY && s->playing) || (b == UI_BTN_BYTES && s->bytes) ||
           (b == UI_BTN_EAVES && s->eaves) || (b == UI_BTN_HELP && s->help) ||
           (b == UI_BTN_QUIZ && s->quiz) || (b == UI_BTN_WHATIF && s->whatif);
}

void ui_controls_draw(ui_ctx *c, const ui_layout *lay, const ui_controls_state *s)
{
    const ui_theme *th = c->theme;
    SDL_Rect rects[UI_BTN_COUNT];
    int level;
    layout(c, lay, s, rects, &level);
    char buf[16];
    ui_gfx_widget_open(c, "controls", lay->controls);
    for (int b = 0; b < UI_BTN_COUNT; b++) {
        if (!rects[b].w)
            continue;
        const char *text = label(s, (ui_button)b, level, buf, sizeof buf);
        char name[32];
        snprintf(name, sizeof name, "button %s", text);
        ui_gfx_widget_open(c, name, rects[b]);
        bool on = toggled(s, b);
        SDL_Color fill = on ? th->button_on : th->button;
        SDL_Color tc = on ? th->button_on_text : th->button_text;
        SDL_Color border = b == s->hover ? th->node_active : th->panel_border;
        if (b == UI_BTN_SPEED) {
            fill = th->bg;
            border = b == s->hover ? th->node_active : th->bg;
        }
        ui_gfx_box(c->r, rects[b], c->radius, fill, border, b == s->hover ? c->line : 1);
        ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_body, tc, text,
                     rects[b].x + rects[b].w / 2, rects[b].y + rects[b].h / 2,
                     UI_ALIGN_CENTER | UI_ALIGN_MIDDLE);
        ui_gfx_widget_close(c);
    }
    ui_gfx_widget_close(c);
}

/* ---- timeline --------------------------------------------------------------------------- */

size_t ui_controls_timeline_step(const ui_layout *lay, size_t count, int x)
{
    if (count == 0)
        return 0;
    long rel = x - lay->timeline.x;
    if (rel < 0)
        return 0;
    size_t i = (size_t)((double)rel * (double)count / (double)lay->timeline.w);
    return i >= count ? count - 1 : i;
}

static SDL_Color tick_colour(const ui_theme *th, const world_step *st)
{
    ui_reply_class k = ui_theme_step_class(st);
    switch (st->kind) {
    case WORLD_STEP_REPLY: return k != UI_REPLY_NONE ? th->reply[k] : th->text_dim;
    case WORLD_STEP_COMMAND:
    case WORLD_STEP_DATA: return th->command;
    case WORLD_STEP_DNS_QUERY:
    case WORLD_STEP_DNS_ANSWER: return th->dns;
    case WORLD_STEP_TLS: return th->link_tls;
    default: return th->text_dim;
    }
}

/* played_px - how far the timeline's fill reaches into the bar: the steps done plus the
 * current token's phase. */
static int played_px(SDL_Rect rc, size_t n, const ui_view *v)
{
    float step_w = (float)rc.w / (float)n;
    return (int)((float)v->step * step_w + step_w * (v->phase < 0 ? 0 : v->phase));
}

SDL_Rect ui_controls_timeline_area(const ui_ctx *c, const ui_layout *lay, const ui_view *v)
{
    /* the bar, and the position marker that stands above it (6 units) and beside it by as
     * much, with a line width and a pixel to spare */
    SDL_Rect rc = lay->timeline;
    int m = (int)ceilf(6 * c->s) + 2 * c->line + 2;
    SDL_Rect area = {rc.x - m, rc.y - m, rc.w + 2 * m, rc.h + m + 2};
    size_t n = v->w ? world_step_count(v->w) : 0;
    if (n) { /* the columns at the fill's end: all that moves while the step stays */
        area.x = rc.x + 1 + played_px(rc, n, v) - 2;
        area.w = 4;
    }
    return area;
}

void ui_controls_timeline(ui_ctx *c, const ui_layout *lay, const ui_view *v)
{
    const ui_theme *th = c->theme;
    SDL_Rect rc = lay->timeline;
    ui_gfx_widget(c, "timeline", rc);
    ui_gfx_box(c->r, rc, rc.h / 4, th->panel, th->panel_border, 1);
    size_t n = v->w ? world_step_count(v->w) : 0;
    if (!n)
        return;
    float step_w = (float)rc.w / (float)n;
    long done = ui_view_done(v);
    /* the part already played */
    int played = played_px(rc, n, v);
    SDL_Rect fill = {rc.x + 1, rc.y + 1, played, rc.h - 2};
    SDL_Color pc = th->highlight;
    ui_gfx_fill(c->r, fill, pc);
    for (size_t i = 0; i < n; i++) {
        const world_step *st = world_step_at(v->w, i);
        int x0 = rc.x + (int)((float)i * step_w);
        int x1 = rc.x + (int)((float)(i + 1) * step_w);
        int tw = x1 - x0 > 3 ? x1 - x0 - 2 : (x1 - x0 > 1 ? x1 - x0 - 1 : 1);
        bool big = st->kind == WORLD_STEP_REPLY || st->kind == WORLD_STEP_COMMAND;
        int th_ = big ? rc.h / 2 : rc.h / 3;
        SDL_Color col = tick_colour(th, st);
        if ((long)i > done && i != v->step)
            col.a = 110;
        SDL_Rect tick = {x0 + 1, rc.y + rc.h - th_ - rc.h / 6, tw, th_};
        ui_gfx_fill(c->r, tick, col);
    }
    /* the current position */
    int cx = rc.x + (int)(((float)v->step + 0.5f) * step_w);
    float m = 6 * c->s;
    ui_gfx_line(c->r, (float)cx, (float)rc.y - m / 2, (float)cx, (float)(rc.y + rc.h),
                (float)c->line * 1.5f, th->node_active);
    ui_gfx_triangle(c->r, cx - m, rc.y - m, cx + m, rc.y - m, (float)cx, rc.y + m / 2,
                    th->node_active);
}
