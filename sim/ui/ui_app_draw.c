/* ui_app_draw.c - one frame of the window: the header, the flow, the panels and the controls.
 *
 * The still part (all but the travelling token and the timeline) is drawn into a texture once
 * and copied each frame while nothing it depends on changes (still_layer_key); see
 * ui_app_draw. On a target that keeps its pixels (ui_app_set_partial), a frame in which only
 * the moving parts moved restores and redraws just their areas (draw_partial), and
 * ui_app_damage tells the driver which rectangles to present.
 */
#include "ui/ui_app_internal.h"

#include <stdlib.h>
#include <string.h>

#include "ui/ui_help.h"
#include "ui/ui_panels.h"

/* ui_app_view_of - what the flow and panels draw: the world, the step and the node states. */
void ui_app_view_of(ui_app *a, ui_view *v)
{
    v->w = a->w;
    v->step = a->step;
    v->phase = a->phase;
    v->eaves = a->eaves;
    v->states = NULL;
    /* a live world may have grown nodes since it was attached */
    size_t nodes = a->w ? world_node_count(a->w) : 0;
    if (nodes > a->states_cap) {
        world_node_state *grown = realloc(a->states, nodes * sizeof *grown);
        if (grown) {
            a->states = grown;
            a->states_cap = nodes;
        }
    }
    if (a->w && a->states && nodes <= a->states_cap) {
        /* the step on screen is under way: its sender already did it (world_state_at) */
        size_t n_steps = world_step_count(a->w);
        world_state_at(a->w, n_steps ? (v->step < n_steps ? v->step : n_steps - 1) : SIZE_MAX,
                       a->states);
        v->states = a->states;
    }
}

/* ui_app_controls_state - the toggles the buttons show. */
void ui_app_controls_state(const ui_app *a, ui_controls_state *s)
{
    memset(s, 0, sizeof *s);
    s->playing = a->playing;
    s->bytes = a->bytes;
    s->eaves = a->eaves;
    s->help = a->help;
    s->speed = ui_app_speeds[a->speed];
    s->hover = a->hover;
    s->quiz_available = a->quiz != NULL;
    s->quiz = ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF;
    s->whatif = a->fork != NULL;
    s->whatif_available = a->sc != NULL;
}

/* banner_text - the what-if banner: this is not the scenario as written, and how to get back
 * ("" when not in a fork). */
static void banner_text(const ui_app *a, char *out, size_t cap)
{
    if (!a->fork) {
        out[0] = 0;
        return;
    }
    snprintf(out, cap,
             "What if: #%zu answered \xC2\xAB%s\xC2\xBB \xE2\x80\x94 the rest comes from the "
             "engines.   W: back to the original   Ctrl+S: save",
             a->fork_at, a->fork_reply);
}

static void layout_now(ui_app *a)
{
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(a->ctx.r, &w, &h);
    size_t nodes = a->w ? world_node_count(a->w) : 0;
    if (nodes > UI_MAX_NODES)
        nodes = UI_MAX_NODES;
    if (!a->relayout && w == a->laid_w && h == a->laid_h && nodes == a->lay.node_count)
        return;
    char banner[400];
    banner_text(a, banner, sizeof banner);
    ui_gfx_scale(&a->ctx, ui_layout_scale(w, h, a->zoom));
    ui_layout_compute(&a->lay, &a->ctx, w, h, a->w, banner);
    a->laid_w = w;
    a->laid_h = h;
    a->relayout = false;
}

static void draw_header(ui_app *a)
{
    ui_ctx *c = &a->ctx;
    const ui_theme *th = c->theme;
    SDL_Rect hd = a->lay.header;
    int cy = hd.y + hd.h / 2;
    char buf[400];
    ui_app_step_label(a, buf, sizeof buf);
    int sw = 0, sh = 0;
    ui_text_size(c->text, UI_FONT_SANS_BOLD, c->fs_title, buf, &sw, &sh);
    SDL_Rect step = {hd.x + hd.w - c->pad - sw, cy - sh / 2, sw, sh};
    ui_gfx_widget_open(c, "step counter", step);
    ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_title, th->title, buf, step.x, step.y,
                 UI_ALIGN_LEFT);
    ui_gfx_widget_close(c);
    SDL_Rect title = {hd.x + c->pad, cy - sh / 2, step.x - 2 * c->pad - hd.x - c->pad, sh};
    if (a->predict_told && !a->fork) {
        /* X says what it did on the screen, not only on stdout: a presenter sees the state */
        const char *tag = a->no_predict ? "Predict stops: off (X)" : "Predict stops: on (X)";
        int tw = 0, tag_h = 0;
        ui_text_size(c->text, UI_FONT_SANS_BOLD, c->fs_body, tag, &tw, &tag_h);
        SDL_Rect band = {step.x - 2 * c->pad - tw - c->pad, cy - (tag_h + c->pad / 2) / 2,
                         tw + c->pad, tag_h + c->pad / 2};
        if (band.x - c->pad - title.x >= hd.w / 3) { /* the title keeps a third at least */
            ui_gfx_widget_open(c, "predict stops", band);
            ui_gfx_box(c->r, band, c->radius, a->no_predict ? th->highlight : th->panel,
                       th->node_active, c->line);
            ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_body,
                         a->no_predict ? th->highlight_text : th->text, tag, band.x + c->pad / 2,
                         cy, UI_ALIGN_LEFT | UI_ALIGN_MIDDLE);
            ui_gfx_widget_close(c);
            title.w = band.x - c->pad - title.x;
        }
    }
    snprintf(buf, sizeof buf, "%s", a->title[0] ? a->title : "smtpsim: no scenario");
    ui_gfx_widget_open(c, "title", title);
    ui_text_draw_fit(c->text, UI_FONT_SANS_BOLD, c->fs_title, th->title, buf, title.x, cy,
                     UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, title.w);
    ui_gfx_widget_close(c);
    SDL_Rect band = a->lay.banner;
    if (a->fork && band.h) {
        /* the banner: this is not the scenario as written, and how to get back */
        ui_gfx_widget_open(c, "what-if banner", band);
        ui_gfx_box(c->r, band, c->radius, th->highlight, th->node_active, c->line);
        banner_text(a, buf, sizeof buf);
        ui_text_draw_wrap(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->highlight_text, buf,
                          band.x + c->pad, band.y + c->pad / 2, band.w - 2 * c->pad,
                          band.h - c->pad / 2);
        ui_gfx_widget_close(c);
    }
}

/* draw_still - everything that does not move while a token travels. */
static void draw_still(ui_app *a, const ui_view *v)
{
    ui_ctx *c = &a->ctx;
    const ui_theme *th = c->theme;
    SDL_SetRenderDrawBlendMode(c->r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(c->r, th->bg.r, th->bg.g, th->bg.b, 255);
    SDL_RenderClear(c->r);
    draw_header(a);
    ui_flow_draw(c, &a->lay, v);
    if (!a->w)
        ui_text_draw(c->text, UI_FONT_SANS, c->fs_title, th->text,
                     "No scenario loaded: press S to choose one.",
                     a->lay.flow.x + a->lay.flow.w / 2, a->lay.flow.y + a->lay.flow.h / 2,
                     UI_ALIGN_CENTER | UI_ALIGN_MIDDLE);
    ui_gfx_widget_open(c, "transcript panel", a->lay.transcript);
    ui_panels_transcript(c, &a->lay, v, &a->panels);
    ui_gfx_widget_close(c);
    ui_gfx_widget_open(c, "explanation panel", a->lay.explain);
    if (a->wi_edit) {
        ui_app_whatif_draw(a);
    } else if (a->stats) {
        ui_stats_draw(a->stats, c, a->lay.explain);
    } else if (ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF) {
        ui_quiz_draw(a->quiz, c, a->lay.explain);
    } else if (a->bytes) {
        ui_panels_bytes(c, &a->lay, v, &a->panels, &a->close);
        ui_gfx_widget(c, "close button", a->close);
    } else {
        /* the lesson's narration at this step: the lessons were written for the original run,
         * so a what-if fork shows none */
        char narration[1200];
        narration[0] = 0;
        if (!a->fork)
            ui_quiz_narration(a->quiz, a->step, narration, sizeof narration);
        /* step 0 also says what the scenario is about (a saved what-if says what changed) */
        const char *about = a->step == 0 && a->sc && !a->fork ? scenario_description(a->sc)
                            : ui_app_step_count(a) == 0 && a->hint[0] ? a->hint
                                                                       : NULL;
        ui_panels_explain(c, &a->lay, v, about, narration);
    }
    ui_gfx_widget_close(c);
    ui_controls_state cs;
    ui_app_controls_state(a, &cs);
    ui_controls_draw(c, &a->lay, &cs);
}

/* draw_notice - the notice in the header, in place of the title (or the what-if banner) while
 * it lasts: the header is the one place where it covers nothing the student is looking at. */
static void draw_notice(ui_app *a)
{
    const char *msg = ui_app_notice(a);
    if (!msg[0])
        return;
    ui_ctx *c = &a->ctx;
    const ui_theme *th = c->theme;
    SDL_Rect hd = a->lay.header;
    char counter[64];
    int cw = 0, ch = 0;
    ui_app_step_label(a, counter, sizeof counter);
    ui_text_size(c->text, UI_FONT_SANS_BOLD, c->fs_title, counter, &cw, &ch);
    SDL_Rect box = {hd.x + c->pad / 2, hd.y + c->pad / 4, hd.w - cw - 3 * c->pad,
                    hd.h - c->pad / 2};
    if (box.w <= 2 * c->pad)
        return;
    SDL_Color border = a->notice_bad ? th->reply[UI_REPLY_5XX] : th->node_active;
    ui_gfx_box(c->r, box, c->radius, th->panel, border, c->line > 1 ? c->line : 2);
    ui_text_draw_fit(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->text, msg, box.x + c->pad / 2,
                     box.y + box.h / 2, UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, box.w - c->pad);
}

/* draw_moving - the token, the timeline's position and the notice (it expires by time). */
static void draw_moving(ui_app *a, const ui_view *v)
{
    ui_flow_draw_token(&a->ctx, &a->lay, v, &a->token);
    ui_controls_timeline(&a->ctx, &a->lay, v);
    draw_notice(a);
}

/* still_key - everything the still layer depends on; the layer is redrawn when it changes. */
static void still_key(const ui_app *a, const ui_view *v, still_layer_key *k)
{
    memset(k, 0, sizeof *k);
    k->w = a->w;
    k->steps = ui_app_step_count(a);
    k->nodes = a->w ? world_node_count(a->w) : 0;
    k->step = a->step;
    k->done = ui_view_done(v);
    k->out_w = a->laid_w;
    k->out_h = a->laid_h;
    k->theme = a->ctx.theme;
    k->zoom = a->zoom;
    k->eaves = a->eaves;
    k->bytes = a->bytes;
    k->playing = a->playing;
    k->speed = a->speed;
    k->hover = a->hover;
    k->quiz_rev = ui_quiz_revision(a->quiz);
    k->quiz_mode = (int)ui_quiz_get_mode(a->quiz);
    k->stats = a->stats;
    k->fork_gen = a->fork_gen;
    k->wi_rev = a->wi_rev;
    k->wi_edit = a->wi_edit;
    k->panels = a->panels;
    k->no_predict = a->no_predict;
    k->predict_told = a->predict_told;
}

/* layer_ready - a target texture of the output size, or false (then draw directly). */
static bool layer_ready(ui_app *a)
{
    if (a->layer && a->layer_w == a->laid_w && a->layer_h == a->laid_h)
        return true;
    SDL_DestroyTexture(a->layer);
    a->layer = SDL_CreateTexture(a->ctx.r, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_TARGET,
                                 a->laid_w, a->laid_h);
    a->layer_valid = false;
    a->layer_w = a->laid_w;
    a->layer_h = a->laid_h;
    return a->layer != NULL;
}

/* moving_areas - where this frame's moving parts may draw (empty rectangles for parts not
 * drawn). */
static void moving_areas(ui_app *a, const ui_view *v, SDL_Rect *out)
{
    SDL_Rect none = {0, 0, 0, 0};
    out[UI_APP_MOVING_TOKEN] = ui_flow_token_area(&a->ctx, &a->lay, v);
    out[UI_APP_MOVING_TIMELINE] = ui_controls_timeline_area(&a->ctx, &a->lay, v);
    out[UI_APP_MOVING_NOTICE] = ui_app_notice(a)[0] ? a->lay.header : none;
}

/* damage_all - the whole output changed. */
static void damage_all(ui_app *a)
{
    SDL_Rect all = {0, 0, a->laid_w, a->laid_h};
    a->damage[0] = all;
    a->damage_n = 1;
}

/* draw_partial - the target shows the same layer with the moving parts where they were
 * (shown_moving): for each part, restore the layer over where it was and where it is now, and
 * draw the moving parts clipped to that. Every pixel outside those areas is already what a
 * whole frame would draw; inside them it is drawn exactly as a whole frame draws it. */
static void draw_partial(ui_app *a, const ui_view *v, const SDL_Rect *moving)
{
    SDL_Renderer *r = a->ctx.r;
    SDL_Rect out = {0, 0, a->laid_w, a->laid_h};
    a->damage_n = 0;
    for (int i = 0; i < UI_APP_MOVING_PARTS && a->damage_n < UI_APP_MAX_DAMAGE; i++) {
        SDL_Rect d = a->shown_moving[i];
        if (SDL_RectEmpty(&d))
            d = moving[i];
        else if (!SDL_RectEmpty(&moving[i]))
            SDL_UnionRect(&d, &moving[i], &d);
        if (SDL_IntersectRect(&d, &out, &d))
            a->damage[a->damage_n++] = d;
    }
    for (int i = 0; i < a->damage_n; i++) {
        SDL_RenderSetClipRect(r, &a->damage[i]);
        SDL_RenderCopy(r, a->layer, &a->damage[i], &a->damage[i]);
        draw_moving(a, v);
    }
    SDL_RenderSetClipRect(r, NULL);
}

void ui_app_draw(ui_app *a)
{
    ui_ctx *c = &a->ctx;
    layout_now(a);
    if (a->panels_step != a->step) { /* a new step: its bytes from the top, newest lines shown */
        a->panels.bytes_top = 0;
        a->panels.transcript_back = 0;
        a->panels_step = a->step;
    }
    ui_view v;
    ui_app_view_of(a, &v);
    bool overlay = a->help || a->picking;
    /* The still part is drawn once into a texture and copied each frame; only the token and
     * the timeline are drawn per frame. On the software renderer this turns a frame into
     * one copy plus a few small shapes. */
    still_layer_key k;
    still_key(a, &v, &k);
    /* only a still part drawn twice in a row is worth a layer (a single shot is not) */
    bool again = a->prev_key_set && !memcmp(&k, &a->prev_key, sizeof k);
    a->prev_key = k;
    a->prev_key_set = true;
    if (!overlay && again && layer_ready(a)) {
        if (!a->layer_valid || memcmp(&k, &a->layer_key, sizeof k) != 0) {
            SDL_Texture *prev = SDL_GetRenderTarget(c->r);
            if (SDL_SetRenderTarget(c->r, a->layer) == 0) {
                draw_still(a, &v);
                SDL_SetRenderTarget(c->r, prev);
                a->layer_key = k;
                a->layer_valid = true;
            }
        }
        if (a->layer_valid) {
            SDL_Rect moving[UI_APP_MOVING_PARTS];
            moving_areas(a, &v, moving);
            SDL_SetTextureBlendMode(a->layer, SDL_BLENDMODE_NONE);
            if (a->partial && a->shown_valid && !memcmp(&a->layer_key, &a->shown_key, sizeof k)) {
                draw_partial(a, &v, moving);
            } else {
                SDL_RenderCopy(c->r, a->layer, NULL, NULL);
                draw_moving(a, &v);
                damage_all(a);
            }
            memcpy(a->shown_moving, moving, sizeof moving);
            a->shown_key = a->layer_key;
            a->shown_valid = true;
            ui_text_frame_end(c->text);
            return;
        }
    }
    draw_still(a, &v);
    draw_moving(a, &v);
    if (a->picking)
        ui_picker_draw(c, &a->lay, &a->picker);
    if (a->help)
        ui_help_draw(c, &a->lay);
    damage_all(a);
    a->shown_valid = false; /* drawn without the layer: the next frame is whole again */
    ui_text_frame_end(c->text);
}

void ui_app_set_partial(ui_app *a, bool on)
{
    a->partial = on;
    ui_app_redraw_whole(a);
}

void ui_app_redraw_whole(ui_app *a)
{
    a->shown_valid = false;
}

int ui_app_damage(const ui_app *a, SDL_Rect *out, int cap)
{
    int n = a->damage_n < cap ? a->damage_n : cap;
    memcpy(out, a->damage, (size_t)n * sizeof *out);
    return n;
}

