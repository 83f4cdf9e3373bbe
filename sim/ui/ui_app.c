/* ui_app.c - the window's state, input and main loop (see ui_app.h).
 *
 * The view is (step, phase): phase runs from 0 (the token leaves) to 1 (it has arrived).
 * Moving forward animates; moving back, clicking the timeline or the transcript lands on a
 * step with its token arrived. Nothing else is remembered between frames that affects what is
 * drawn, which is what makes stepping back exact.
 */
#include "ui/ui_app.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/scenario.h"
#include "ui/ui_controls.h"
#include "ui/ui_flow.h"
#include "ui/ui_help.h"
#include "ui/ui_panels.h"
#include "ui/ui_picker.h"
#include "ui/ui_shot.h"

static const float speeds[] = {0.25f, 0.5f, 1.0f, 2.0f, 4.0f, 8.0f};
#define SPEED_COUNT (int)(sizeof speeds / sizeof speeds[0])
#define SPEED_NORMAL 2

struct ui_app {
    ui_ctx ctx;
    ui_layout lay;
    SDL_Window *win;
    char data_dir[512];

    /* the world: owned when loaded from a file */
    scenario *sc;
    world *owned;
    const world *w;
    char title[160];
    char id[64];
    world_node_state *states;
    size_t states_cap;

    /* the view */
    size_t step;
    float phase;
    bool animating; /* phase runs towards 1 */
    bool playing;
    uint32_t hold_ms;
    int speed;
    float zoom;
    bool eaves, bytes, help, picking, fullscreen;
    ui_picker picker;

    /* input */
    bool dragging;
    bool ate_question; /* the key that typed '?' was handled as a key already */
    int hover;
    bool quit;
    bool shot_pending;
    SDL_Rect token, close;
    int laid_w, laid_h;
    bool relayout;
};

/* ---- creation ----------------------------------------------------------------------------- */

ui_app *ui_app_new(SDL_Renderer *r, SDL_Window *win, const ui_app_config *cfg, char *err,
                   size_t errlen)
{
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errlen, "SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    ui_app *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->win = win;
    a->ctx.r = r;
    snprintf(a->data_dir, sizeof a->data_dir, "%s", cfg && cfg->data_dir ? cfg->data_dir : ".");
    char fonts[600];
    snprintf(fonts, sizeof fonts, "%s/assets/fonts", a->data_dir);
    a->ctx.text = ui_text_new(r, fonts, err, errlen);
    if (!a->ctx.text) {
        free(a);
        return NULL;
    }
    a->ctx.theme = ui_theme_get(cfg && cfg->theme ? cfg->theme : "default");
    if (!a->ctx.theme) {
        snprintf(err, errlen, "unknown theme '%s' (themes: %s)", cfg->theme, ui_theme_names());
        ui_text_free(a->ctx.text);
        free(a);
        return NULL;
    }
    a->speed = SPEED_NORMAL;
    a->zoom = 1.0f;
    a->hover = -1;
    a->relayout = true;
    return a;
}

static void drop_world(ui_app *a)
{
    world_free(a->owned);
    scenario_free(a->sc);
    a->owned = NULL;
    a->sc = NULL;
    a->w = NULL;
}

void ui_app_free(ui_app *a)
{
    if (!a)
        return;
    drop_world(a);
    free(a->states);
    ui_text_free(a->ctx.text);
    free(a);
}

static int attach(ui_app *a, const world *w)
{
    size_t n = world_node_count(w);
    if (n > a->states_cap) {
        world_node_state *s = realloc(a->states, n * sizeof *s);
        if (!s)
            return -1;
        a->states = s;
        a->states_cap = n;
    }
    a->w = w;
    a->step = 0;
    a->phase = 0;
    a->animating = false;
    a->playing = false;
    a->hold_ms = 0;
    a->relayout = true;
    return 0;
}

int ui_app_load(ui_app *a, const char *path, char *err, size_t errlen)
{
    scenario *sc = scenario_load(path, err, errlen);
    if (!sc)
        return -1;
    world *w = world_new(sc, err, errlen);
    if (!w) {
        scenario_free(sc);
        return -1;
    }
    drop_world(a);
    a->sc = sc;
    a->owned = w;
    snprintf(a->title, sizeof a->title, "%s", scenario_title(sc));
    snprintf(a->id, sizeof a->id, "%s", scenario_id(sc));
    if (attach(a, w) != 0) {
        snprintf(err, errlen, "out of memory");
        drop_world(a);
        return -1;
    }
    if (a->win) {
        char t[200];
        snprintf(t, sizeof t, "smtpsim - %s", a->title);
        SDL_SetWindowTitle(a->win, t);
    }
    return 0;
}

void ui_app_set_world(ui_app *a, const world *w, const char *title)
{
    drop_world(a);
    snprintf(a->title, sizeof a->title, "%s", title ? title : "");
    snprintf(a->id, sizeof a->id, "live");
    if (w && attach(a, w) != 0)
        a->w = NULL;
}

const world *ui_app_world(const ui_app *a)
{
    return a->w;
}

/* ---- the view ----------------------------------------------------------------------------- */

static size_t step_count(const ui_app *a)
{
    return a->w ? world_step_count(a->w) : 0;
}

void ui_app_set_step(ui_app *a, size_t step, float phase)
{
    size_t n = step_count(a);
    a->step = n == 0 ? 0 : step >= n ? n - 1 : step;
    a->phase = phase < 0 ? 0 : phase > 1 ? 1 : phase;
    a->animating = false;
    a->playing = false;
    a->hold_ms = 0;
}

size_t ui_app_step(const ui_app *a)
{
    return a->step;
}

float ui_app_phase(const ui_app *a)
{
    return a->phase;
}

int ui_app_set_theme(ui_app *a, const char *name)
{
    const ui_theme *t = ui_theme_get(name);
    if (!t)
        return -1;
    a->ctx.theme = t;
    a->relayout = true;
    return 0;
}

void ui_app_set_eaves(ui_app *a, bool on)
{
    a->eaves = on;
}

void ui_app_set_bytes(ui_app *a, bool on)
{
    a->bytes = on;
}

void ui_app_set_playing(ui_app *a, bool on)
{
    size_t n = step_count(a);
    if (on && n && a->step == n - 1 && a->phase >= 1) { /* at the end: play from the start */
        a->step = 0;
        a->phase = 0;
    }
    a->playing = on && n > 0;
    a->animating = a->playing && a->phase < 1;
    a->hold_ms = 0;
}

bool ui_app_playing(const ui_app *a)
{
    return a->playing;
}

void ui_app_set_zoom(ui_app *a, float zoom)
{
    a->zoom = zoom < UI_APP_ZOOM_MIN ? UI_APP_ZOOM_MIN : zoom > UI_APP_ZOOM_MAX ? UI_APP_ZOOM_MAX
                                                                                : zoom;
    a->relayout = true;
}

/* forward - finish the current token, or start the next step's. */
static void forward(ui_app *a)
{
    size_t n = step_count(a);
    if (!n)
        return;
    a->hold_ms = 0;
    if (a->phase < 1) {
        a->phase = 1;
        a->animating = false;
    } else if (a->step + 1 < n) {
        a->step++;
        a->phase = 0;
        a->animating = true;
    }
}

static void back(ui_app *a)
{
    a->playing = false;
    a->animating = false;
    a->hold_ms = 0;
    if (a->step > 0) {
        a->step--;
        a->phase = 1;
    } else {
        a->phase = 0;
    }
}

/* step_duration - real ms for a token's trip at the current speed: the link latency scaled,
 * within bounds, so a slow link looks slow but nothing takes too long. */
static float step_duration(const ui_app *a)
{
    const world_step *st = world_step_at(a->w, a->step);
    uint64_t lat = st->t_arrive_ms > st->t_send_ms ? st->t_arrive_ms - st->t_send_ms : 0;
    float ms = (float)lat * UI_APP_MS_PER_VIRTUAL;
    if (ms < UI_APP_MIN_STEP_MS)
        ms = UI_APP_MIN_STEP_MS;
    if (ms > UI_APP_MAX_STEP_MS)
        ms = UI_APP_MAX_STEP_MS;
    return ms / speeds[a->speed];
}

void ui_app_update(ui_app *a, uint32_t dt_ms)
{
    size_t n = step_count(a);
    if (!n || a->help || a->picking)
        return;
    float dt = (float)dt_ms;
    while (dt > 0) {
        if (a->animating && a->phase < 1) {
            float dur = step_duration(a);
            float need = (1 - a->phase) * dur;
            if (dt < need) {
                a->phase += dt / dur;
                return;
            }
            dt -= need;
            a->phase = 1;
            a->animating = false;
            a->hold_ms = 0;
        } else if (a->playing) {
            if (a->step + 1 >= n) {
                a->playing = false;
                return;
            }
            float hold = UI_APP_HOLD_MS / speeds[a->speed];
            if ((float)a->hold_ms + dt < hold) {
                a->hold_ms += (uint32_t)dt;
                return;
            }
            dt -= hold - (float)a->hold_ms;
            a->hold_ms = 0;
            a->step++;
            a->phase = 0;
            a->animating = true;
        } else {
            return;
        }
    }
}

/* ---- drawing ------------------------------------------------------------------------------ */

static void view_of(ui_app *a, ui_view *v)
{
    v->w = a->w;
    v->step = a->step;
    v->phase = a->phase;
    v->eaves = a->eaves;
    v->states = NULL;
    if (a->w && a->states) {
        long done = ui_view_done(v);
        world_state_at(a->w, done < 0 ? SIZE_MAX : (size_t)done, a->states);
        v->states = a->states;
    }
}

static void controls_state(const ui_app *a, ui_controls_state *s)
{
    memset(s, 0, sizeof *s);
    s->playing = a->playing;
    s->bytes = a->bytes;
    s->eaves = a->eaves;
    s->help = a->help;
    s->speed = speeds[a->speed];
    s->hover = a->hover;
}

static void layout_now(ui_app *a)
{
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(a->ctx.r, &w, &h);
    if (!a->relayout && w == a->laid_w && h == a->laid_h)
        return;
    ui_gfx_scale(&a->ctx, ui_layout_scale(w, h, a->zoom));
    ui_layout_compute(&a->lay, &a->ctx, w, h, a->w);
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
    char buf[200];
    size_t n = step_count(a);
    if (n)
        snprintf(buf, sizeof buf, "Step %zu of %zu", a->step, n - 1);
    else
        snprintf(buf, sizeof buf, "No steps");
    int sw = ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_title, th->title, buf,
                          hd.x + hd.w - c->pad, cy, UI_ALIGN_RIGHT | UI_ALIGN_MIDDLE);
    int lx = hd.x + hd.w - c->pad - sw - 2 * c->pad;
    snprintf(buf, sizeof buf, "%s", a->title[0] ? a->title : "smtpsim: no scenario");
    ui_text_draw_fit(c->text, UI_FONT_SANS_BOLD, c->fs_title, th->title, buf, hd.x + c->pad, cy,
                     UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, lx - hd.x - 2 * c->pad);
}

void ui_app_draw(ui_app *a)
{
    ui_ctx *c = &a->ctx;
    layout_now(a);
    const ui_theme *th = c->theme;
    SDL_SetRenderDrawBlendMode(c->r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(c->r, th->bg.r, th->bg.g, th->bg.b, 255);
    SDL_RenderClear(c->r);
    ui_view v;
    view_of(a, &v);
    draw_header(a);
    ui_flow_draw(c, &a->lay, &v, &a->token);
    if (!a->w)
        ui_text_draw(c->text, UI_FONT_SANS, c->fs_title, th->text,
                     "No scenario loaded: press S to choose one.",
                     a->lay.flow.x + a->lay.flow.w / 2, a->lay.flow.y + a->lay.flow.h / 2,
                     UI_ALIGN_CENTER | UI_ALIGN_MIDDLE);
    ui_panels_transcript(c, &a->lay, &v);
    if (a->bytes)
        ui_panels_bytes(c, &a->lay, &v, &a->close);
    else
        ui_panels_explain(c, &a->lay, &v);
    ui_controls_timeline(c, &a->lay, &v);
    ui_controls_state cs;
    controls_state(a, &cs);
    ui_controls_draw(c, &a->lay, &cs);
    if (a->picking)
        ui_picker_draw(c, &a->lay, &a->picker);
    if (a->help)
        ui_help_draw(c, &a->lay);
    ui_text_frame_end(c->text);
}

/* ---- input -------------------------------------------------------------------------------- */

void ui_app_screenshot_name(const ui_app *a, char *out, size_t cap)
{
    struct stat st;
    for (int i = 1; i < 1000; i++) {
        if (i == 1)
            snprintf(out, cap, "smtpsim-%s-step%zu.png", a->id[0] ? a->id : "window", a->step);
        else
            snprintf(out, cap, "smtpsim-%s-step%zu-%d.png", a->id[0] ? a->id : "window", a->step,
                     i);
        if (stat(out, &st) != 0)
            return;
    }
}

static void toggle_fullscreen(ui_app *a)
{
    if (!a->win)
        return;
    a->fullscreen = !a->fullscreen;
    SDL_SetWindowFullscreen(a->win, a->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    a->relayout = true;
}

static void open_picker(ui_app *a)
{
    ui_picker_scan(&a->picker, a->data_dir);
    for (int i = 0; i < a->picker.count; i++)
        if (!strcmp(a->picker.name[i], a->id))
            a->picker.selected = i;
    a->picking = true;
    a->playing = false;
}

static void pick(ui_app *a, int i)
{
    if (i < 0 || i >= a->picker.count)
        return;
    char err[512];
    if (ui_app_load(a, a->picker.path[i], err, sizeof err) != 0)
        fprintf(stderr, "smtpsim: %s\n", err);
    a->picking = false;
}

static void press(ui_app *a, int button)
{
    size_t n = step_count(a);
    switch (button) {
    case UI_BTN_HOME: ui_app_set_step(a, 0, 0); break;
    case UI_BTN_BACK: back(a); break;
    case UI_BTN_PLAY: ui_app_set_playing(a, !a->playing); break;
    case UI_BTN_NEXT: forward(a); break;
    case UI_BTN_END: ui_app_set_step(a, n ? n - 1 : 0, 1); break;
    case UI_BTN_SLOWER: if (a->speed > 0) a->speed--; break;
    case UI_BTN_SPEED: a->speed = SPEED_NORMAL; break;
    case UI_BTN_FASTER: if (a->speed + 1 < SPEED_COUNT) a->speed++; break;
    case UI_BTN_BYTES: a->bytes = !a->bytes; break;
    case UI_BTN_EAVES: a->eaves = !a->eaves; break;
    case UI_BTN_THEME:
        a->ctx.theme = ui_theme_next(a->ctx.theme);
        a->relayout = true;
        break;
    case UI_BTN_SCENARIO: open_picker(a); break;
    case UI_BTN_HELP: a->help = !a->help; break;
    default: break;
    }
}

static void key(ui_app *a, const SDL_KeyboardEvent *k)
{
    SDL_Keycode sym = k->keysym.sym;
    bool ctrl = (k->keysym.mod & KMOD_CTRL) != 0;
    bool shift = (k->keysym.mod & KMOD_SHIFT) != 0;
    if (a->help) { /* any key closes the help */
        a->help = false;
        a->ate_question = true;
        return;
    }
    if (a->picking) {
        if (sym == SDLK_ESCAPE || sym == SDLK_s)
            a->picking = false;
        else if (sym == SDLK_UP && a->picker.selected > 0)
            a->picker.selected--;
        else if (sym == SDLK_DOWN && a->picker.selected + 1 < a->picker.count)
            a->picker.selected++;
        else if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER)
            pick(a, a->picker.selected);
        else if (sym >= SDLK_1 && sym <= SDLK_9)
            pick(a, (int)(sym - SDLK_1));
        return;
    }
    if (ctrl) {
        if (sym == SDLK_PLUS || sym == SDLK_EQUALS || sym == SDLK_KP_PLUS)
            ui_app_set_zoom(a, a->zoom * 1.1f);
        else if (sym == SDLK_MINUS || sym == SDLK_KP_MINUS)
            ui_app_set_zoom(a, a->zoom / 1.1f);
        else if (sym == SDLK_0 || sym == SDLK_KP_0)
            ui_app_set_zoom(a, 1.0f);
        else if (sym == SDLK_q || sym == SDLK_w)
            a->quit = true;
        return;
    }
    switch (sym) {
    case SDLK_SPACE: press(a, UI_BTN_PLAY); break;
    case SDLK_RIGHT:
    case SDLK_PAGEDOWN:
    case SDLK_n:
    case SDLK_DOWN: press(a, UI_BTN_NEXT); break;
    case SDLK_LEFT:
    case SDLK_PAGEUP:
    case SDLK_p:
    case SDLK_UP: press(a, UI_BTN_BACK); break;
    case SDLK_HOME: press(a, UI_BTN_HOME); break;
    case SDLK_END: press(a, UI_BTN_END); break;
    case SDLK_PLUS:
    case SDLK_KP_PLUS:
    case SDLK_EQUALS: press(a, UI_BTN_FASTER); break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS: press(a, UI_BTN_SLOWER); break;
    case SDLK_0: press(a, UI_BTN_SPEED); break;
    case SDLK_b:
    case SDLK_RETURN: press(a, UI_BTN_BYTES); break;
    case SDLK_e: press(a, UI_BTN_EAVES); break;
    case SDLK_t: press(a, UI_BTN_THEME); break;
    case SDLK_s: press(a, UI_BTN_SCENARIO); break;
    case SDLK_f:
    case SDLK_F11: toggle_fullscreen(a); break;
    case SDLK_F12: a->shot_pending = true; break;
    case SDLK_F1: press(a, UI_BTN_HELP); break;
    case SDLK_QUESTION:
        press(a, UI_BTN_HELP);
        a->ate_question = true;
        break;
    case SDLK_SLASH:
        if (shift) {
            press(a, UI_BTN_HELP);
            a->ate_question = true;
        }
        break;
    case SDLK_ESCAPE:
        if (a->bytes)
            a->bytes = false;
        else
            a->quit = true;
        break;
    default: break;
    }
}

/* to_output - window coordinates to output pixels (HiDPI). */
static void to_output(const ui_app *a, int *x, int *y)
{
    if (!a->win)
        return;
    int ww, wh, ow, oh;
    SDL_GetWindowSize(a->win, &ww, &wh);
    SDL_GetRendererOutputSize(a->ctx.r, &ow, &oh);
    if (ww > 0 && wh > 0) {
        *x = *x * ow / ww;
        *y = *y * oh / wh;
    }
}

static void click(ui_app *a, int x, int y)
{
    ui_ctx *c = &a->ctx;
    if (a->help) {
        a->help = false;
        return;
    }
    if (a->picking) {
        int i = ui_picker_hit(c, &a->lay, &a->picker, x, y);
        if (i >= 0)
            pick(a, i);
        else
            a->picking = false;
        return;
    }
    ui_controls_state cs;
    controls_state(a, &cs);
    int b = ui_controls_hit(c, &a->lay, &cs, x, y);
    if (b >= 0) {
        press(a, b);
        return;
    }
    size_t n = step_count(a);
    if (n && ui_gfx_inside(a->lay.timeline, x, y)) {
        a->dragging = true;
        ui_app_set_step(a, ui_controls_timeline_step(&a->lay, n, x), 1);
        return;
    }
    if (a->bytes && ui_gfx_inside(a->close, x, y)) {
        a->bytes = false;
        return;
    }
    if (a->token.w && ui_gfx_inside(a->token, x, y)) {
        a->bytes = true;
        return;
    }
    ui_view v;
    view_of(a, &v);
    long s = ui_panels_transcript_hit(c, &a->lay, &v, x, y);
    if (s >= 0) {
        ui_app_set_step(a, (size_t)s, 1);
        a->bytes = true;
    }
}

void ui_app_event(ui_app *a, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT: a->quit = true; break;
    case SDL_KEYDOWN: key(a, &e->key); break;
    case SDL_TEXTINPUT:
        /* '?' on keyboards where it is not Shift+/ */
        if (!strcmp(e->text.text, "?") && !a->ate_question && !a->picking)
            a->help = !a->help;
        a->ate_question = false;
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) {
            int x = e->button.x, y = e->button.y;
            to_output(a, &x, &y);
            click(a, x, y);
        }
        break;
    case SDL_MOUSEBUTTONUP: a->dragging = false; break;
    case SDL_MOUSEMOTION: {
        int x = e->motion.x, y = e->motion.y;
        to_output(a, &x, &y);
        size_t n = step_count(a);
        if (a->dragging && n) {
            ui_app_set_step(a, ui_controls_timeline_step(&a->lay, n, x), 1);
        } else {
            ui_controls_state cs;
            controls_state(a, &cs);
            a->hover = a->help || a->picking ? -1 : ui_controls_hit(&a->ctx, &a->lay, &cs, x, y);
        }
        break;
    }
    case SDL_MOUSEWHEEL:
        if (a->picking || a->help)
            break;
        if (e->wheel.y > 0)
            back(a);
        else if (e->wheel.y < 0) {
            forward(a);
            if (a->phase < 1) { /* the wheel moves whole steps */
                a->phase = 1;
                a->animating = false;
            }
        }
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            e->window.event == SDL_WINDOWEVENT_RESIZED)
            a->relayout = true;
        break;
    default: break;
    }
}

bool ui_app_quit_requested(const ui_app *a)
{
    return a->quit;
}

int ui_app_run(ui_app *a)
{
    /* Initialisation was ui_app_new; here: update, draw, present until quit. */
    SDL_StartTextInput();
    Uint64 last = SDL_GetTicks64();
    while (!a->quit) {
        SDL_Event e;
        bool busy = a->playing || a->animating || a->dragging;
        /* idle: wait for input instead of spinning */
        if (!busy && SDL_WaitEventTimeout(&e, 250))
            ui_app_event(a, &e);
        while (SDL_PollEvent(&e))
            ui_app_event(a, &e);
        Uint64 now = SDL_GetTicks64();
        uint64_t dt = now - last;
        last = now;
        ui_app_update(a, (uint32_t)(dt > 1000 ? 1000 : dt));
        ui_app_draw(a);
        if (a->shot_pending) {
            char name[128], err[256];
            ui_app_screenshot_name(a, name, sizeof name);
            if (ui_shot_save(a->ctx.r, name, err, sizeof err) == 0)
                printf("saved screenshot: %s\n", name);
            else
                fprintf(stderr, "smtpsim: screenshot: %s\n", err);
            fflush(stdout);
            a->shot_pending = false;
        }
        SDL_RenderPresent(a->ctx.r);
    }
    SDL_StopTextInput();
    return 0;
}

ui_ctx *ui_app_ctx(ui_app *a)
{
    return &a->ctx;
}

const ui_layout *ui_app_layout(const ui_app *a)
{
    return &a->lay;
}

SDL_Rect ui_app_token_rect(const ui_app *a)
{
    return a->token;
}
