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
#include "ui/ui_quiz.h"
#include "ui/ui_shot.h"

static const float speeds[] = {0.25f, 0.5f, 1.0f, 2.0f, 4.0f, 8.0f};
#define SPEED_COUNT (int)(sizeof speeds / sizeof speeds[0])
#define SPEED_NORMAL 2

/* What the still layer (everything but the token and the timeline) was drawn for. */
typedef struct {
    const world *w;
    size_t steps, step, nodes;
    long done;
    int out_w, out_h;
    const ui_theme *theme;
    float zoom;
    bool eaves, bytes, playing;
    int speed, hover;
    unsigned quiz_rev;
    int quiz_mode;
} still_layer_key;

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
    ui_quiz *quiz; /* the lessons of this scenario, NULL when none */

    /* input */
    bool dragging;
    bool ate_question; /* the key that typed '?' was handled as a key already */
    int hover;
    bool quit;
    bool shot_pending;
    SDL_Rect token, close;
    int laid_w, laid_h;
    bool relayout;

    /* the still layer */
    SDL_Texture *layer;
    int layer_w, layer_h;
    bool layer_valid;
    still_layer_key layer_key;
    still_layer_key prev_key; /* of the previous frame */
    bool prev_key_set;
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
    ui_quiz_free(a->quiz);
    a->quiz = NULL;
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
    SDL_DestroyTexture(a->layer);
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
    a->layer_valid = false;
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
    a->quiz = ui_quiz_new(a->data_dir, a->id, w);
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

int ui_app_open_quiz(ui_app *a, bool predict)
{
    if (!a->quiz)
        return -1;
    if (predict)
        return ui_quiz_predict_before(a->quiz, a->step + 1) ? 0 : -1;
    ui_quiz_open_session(a->quiz);
    return 0;
}

/* forward - finish the current token, or start the next step's. */
static void forward(ui_app *a)
{
    size_t n = step_count(a);
    if (!n || ui_quiz_get_mode(a->quiz) == UI_QUIZ_PREDICT)
        return; /* answer first (or Esc to skip) */
    a->hold_ms = 0;
    if (a->phase < 1) {
        a->phase = 1;
        a->animating = false;
    } else if (a->step + 1 < n && ui_quiz_predict_before(a->quiz, a->step + 1)) {
        a->playing = false; /* stop before the server answers */
    } else if (a->step + 1 < n) {
        a->step++;
        a->phase = 0;
        a->animating = true;
    }
}

static void back(ui_app *a)
{
    if (ui_quiz_get_mode(a->quiz) == UI_QUIZ_PREDICT)
        ui_quiz_close(a->quiz); /* asked again when stepping forward */
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
            if (ui_quiz_predict_before(a->quiz, a->step + 1)) {
                a->playing = false;
                return;
            }
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
    s->quiz_available = a->quiz != NULL;
    s->quiz = ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF;
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
    ui_panels_transcript(c, &a->lay, v);
    if (ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF)
        ui_quiz_draw(a->quiz, c, a->lay.explain);
    else if (a->bytes)
        ui_panels_bytes(c, &a->lay, v, &a->close);
    else
        ui_panels_explain(c, &a->lay, v);
    ui_controls_state cs;
    controls_state(a, &cs);
    ui_controls_draw(c, &a->lay, &cs);
}

/* draw_moving - the token and the timeline's position. */
static void draw_moving(ui_app *a, const ui_view *v)
{
    ui_flow_draw_token(&a->ctx, &a->lay, v, &a->token);
    ui_controls_timeline(&a->ctx, &a->lay, v);
}

/* still_key - everything the still layer depends on; the layer is redrawn when it changes. */
static void still_key(const ui_app *a, const ui_view *v, still_layer_key *k)
{
    memset(k, 0, sizeof *k);
    k->w = a->w;
    k->steps = step_count(a);
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

void ui_app_draw(ui_app *a)
{
    ui_ctx *c = &a->ctx;
    layout_now(a);
    ui_view v;
    view_of(a, &v);
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
            SDL_SetTextureBlendMode(a->layer, SDL_BLENDMODE_NONE);
            SDL_RenderCopy(c->r, a->layer, NULL, NULL);
            draw_moving(a, &v);
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
    case UI_BTN_QUIZ:
        if (!a->quiz)
            break;
        if (ui_quiz_get_mode(a->quiz) == UI_QUIZ_OFF) {
            ui_quiz_open_session(a->quiz);
            a->playing = false;
        } else if (ui_quiz_get_mode(a->quiz) == UI_QUIZ_SESSION) {
            ui_quiz_close(a->quiz);
        }
        break;
    default: break;
    }
}

/* quiz_action - what the window does after the quiz panel took a key or click. */
static void quiz_action(ui_app *a, ui_quiz_action act)
{
    size_t n = step_count(a);
    if (act == UI_QUIZ_SHOW_ME) {
        long s = ui_quiz_show_step(a->quiz);
        if (s >= 0 && (size_t)s < n) {
            bool predict = ui_quiz_get_mode(a->quiz) == UI_QUIZ_PREDICT;
            if (predict) { /* the answer is known now: let the reply arrive */
                ui_quiz_close(a->quiz);
                a->step = (size_t)s;
                a->phase = 0;
                a->animating = true;
            } else {
                ui_app_set_step(a, (size_t)s, 1);
            }
        }
    } else if (act == UI_QUIZ_CONTINUE && a->step + 1 < n) {
        a->step++; /* the reply the student predicted now travels */
        a->phase = 0;
        a->animating = true;
        a->hold_ms = 0;
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
    if (!ctrl && ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF) {
        ui_quiz_action act = ui_quiz_key(a->quiz, sym);
        if (act != UI_QUIZ_IGNORED) {
            quiz_action(a, act);
            return;
        }
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
    case SDLK_q: press(a, UI_BTN_QUIZ); break;
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
    if (ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF && ui_gfx_inside(a->lay.explain, x, y)) {
        quiz_action(a, ui_quiz_click(a->quiz, c, a->lay.explain, x, y));
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
        if (!a->help && !a->picking && !a->ate_question &&
            ui_quiz_text(a->quiz, e->text.text) != UI_QUIZ_IGNORED)
            break;
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
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET: a->layer_valid = false; break;
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
