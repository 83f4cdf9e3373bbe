/* ui_app.c - the window's state, its clock and main loop (see ui_app.h).
 *
 * The view is (step, phase): phase runs from 0 (the token leaves) to 1 (it has arrived).
 * Moving forward animates; moving back, clicking the timeline or the transcript lands on a
 * step with its token arrived. Nothing else is remembered between frames that affects what is
 * drawn, which is what makes stepping back exact. Input, what-if and drawing live in their own
 * files (ui_app_internal.h lists them).
 */
#include "ui/ui_app_internal.h"

#include <SDL_ttf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ui/ui_png.h"

const float ui_app_speeds[UI_APP_SPEED_COUNT] = {0.25f, 0.5f, 1.0f, 2.0f, 4.0f, 8.0f};

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
    a->speed = UI_APP_SPEED_NORMAL;
    a->zoom = 1.0f;
    a->hover = -1;
    a->relayout = true;
    a->panels.expanded = -1;
    return a;
}


static void drop_world(ui_app *a)
{
    ui_app_whatif_drop(a);
    ui_quiz_free(a->quiz);
    ui_stats_free(a->stats);
    a->stats = NULL;
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
    a->panels = (ui_panels_state){-1, 0, 0};
    return 0;
}

void ui_app_set_progress(ui_app *a, const char *path)
{
    snprintf(a->progress, sizeof a->progress, "%s", path ? path : "");
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
    ui_quiz_set_predict(a->quiz, !a->no_predict);
    if (a->quiz_seed)
        ui_quiz_set_seed(a->quiz, a->quiz_seed);
    if (a->quiz && a->progress[0]) {
        char perr[600];
        if (ui_quiz_use_progress(a->quiz, a->progress, perr, sizeof perr) != 0)
            fprintf(stderr, "smtpsim: %s\n", perr);
    }
    if (a->win) {
        char t[200];
        snprintf(t, sizeof t, "smtpsim - %s", a->title);
        SDL_SetWindowTitle(a->win, t);
    }
    return 0;
}

void ui_app_set_hint(ui_app *a, const char *hint)
{
    snprintf(a->hint, sizeof a->hint, "%s", hint ? hint : "");
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

const char *ui_app_scenario_id(const ui_app *a)
{
    return a->id;
}

/* ---- the view ----------------------------------------------------------------------------- */

void ui_app_set_step(ui_app *a, size_t step, float phase)
{
    size_t n = ui_app_step_count(a);
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
    size_t n = ui_app_step_count(a);
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

/* predict_quiz - the quiz whose predict questions may stop the animation: none in a fork, whose
 * steps after the fork are not the ones the lesson was written for. */
static ui_quiz *predict_quiz(ui_app *a)
{
    return a->fork ? NULL : a->quiz;
}

void ui_app_set_predict(ui_app *a, bool on)
{
    a->no_predict = !on;
    a->predict_told = a->predict_told || !on; /* the default (on) needs no word */
    ui_quiz_set_predict(a->quiz, on);
}

void ui_app_set_quiz_seed(ui_app *a, uint64_t seed)
{
    a->quiz_seed = seed;
}

void ui_app_toggle_stats(ui_app *a)
{
    if (a->stats) {
        ui_stats_free(a->stats);
        a->stats = NULL;
        return;
    }
    a->stats = ui_stats_open(a->data_dir, a->progress, (int64_t)time(NULL));
}

int ui_app_open_quiz(ui_app *a, bool predict)
{
    if (!a->quiz)
        return -1;
    if (predict)
        return ui_quiz_predict_before(predict_quiz(a), a->step + 1) ? 0 : -1;
    ui_quiz_open_session(a->quiz);
    return 0;
}

/* ui_app_forward - finish the current token, or start the next step's. */
void ui_app_forward(ui_app *a)
{
    size_t n = ui_app_step_count(a);
    if (!n || ui_quiz_get_mode(a->quiz) == UI_QUIZ_PREDICT)
        return; /* answer first (or Esc to skip) */
    a->hold_ms = 0;
    if (a->phase < 1) {
        a->phase = 1;
        a->animating = false;
    } else if (a->step + 1 < n && ui_quiz_predict_before(predict_quiz(a), a->step + 1)) {
        a->playing = false; /* stop before the server answers */
    } else if (a->step + 1 < n) {
        a->step++;
        a->phase = 0;
        a->animating = true;
    }
}

/* ui_app_back - the step before, its token arrived (a predict question is asked again later). */
void ui_app_back(ui_app *a)
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
    return ms / ui_app_speeds[a->speed];
}

void ui_app_update(ui_app *a, uint32_t dt_ms)
{
    /* notices and the second-Esc window run on elapsed time, whatever else is going on */
    a->notice_ms = a->notice_ms > dt_ms ? a->notice_ms - dt_ms : 0;
    a->esc_ms = a->esc_ms > dt_ms ? a->esc_ms - dt_ms : 0;
    if (!a->notice_ms)
        a->notice[0] = 0;
    size_t n = ui_app_step_count(a);
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
            float hold = UI_APP_HOLD_MS / ui_app_speeds[a->speed];
            if ((float)a->hold_ms + dt < hold) {
                a->hold_ms += (uint32_t)dt;
                return;
            }
            dt -= hold - (float)a->hold_ms;
            a->hold_ms = 0;
            if (ui_quiz_predict_before(predict_quiz(a), a->step + 1)) {
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

/* ---- the loop ----------------------------------------------------------------------------- */

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

bool ui_app_quit_requested(const ui_app *a)
{
    return a->quit;
}

void ui_app_notify(ui_app *a, ui_app_notice_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->notice, sizeof a->notice, fmt, ap);
    va_end(ap);
    a->notice_bad = kind == UI_APP_ERROR;
    a->notice_ms = UI_APP_NOTICE_MS;
    if (kind == UI_APP_HINT)
        return;
    FILE *out = kind == UI_APP_ERROR ? stderr : stdout;
    fprintf(out, "%s%s\n", kind == UI_APP_ERROR ? "smtpsim: " : "", a->notice);
    fflush(out);
}

const char *ui_app_notice(const ui_app *a)
{
    return a->notice_ms ? a->notice : "";
}

/* screenshot - save the frame just drawn under a free name, and say where (or why not). */
static void screenshot(ui_app *a)
{
    char name[128], err[256];
    ui_app_screenshot_name(a, name, sizeof name);
    if (ui_png_save_renderer(a->ctx.r, name, err, sizeof err) == 0)
        ui_app_notify(a, UI_APP_DONE, "saved screenshot: %s", name);
    else
        ui_app_notify(a, UI_APP_ERROR, "screenshot %s not saved: %s", name, err);
    a->shot_pending = false;
}

void ui_app_frame(ui_app *a, uint32_t dt_ms)
{
    ui_app_update(a, dt_ms);
    ui_app_draw(a);
    if (a->shot_pending)
        screenshot(a);
}

bool ui_app_busy(const ui_app *a)
{
    return a->playing || a->animating || a->dragging;
}

int ui_app_run(ui_app *a)
{
    /* Initialisation was ui_app_new; here: update, draw, present until quit. */
    SDL_StartTextInput();
    Uint64 last = SDL_GetTicks64();
    while (!a->quit) {
        SDL_Event e;
        /* idle: wait for input instead of spinning (a notice still expires within 250 ms) */
        if (!ui_app_busy(a) && SDL_WaitEventTimeout(&e, 250))
            ui_app_event(a, &e);
        while (SDL_PollEvent(&e))
            ui_app_event(a, &e);
        Uint64 now = SDL_GetTicks64();
        uint64_t dt = now - last;
        last = now;
        ui_app_frame(a, (uint32_t)(dt > 1000 ? 1000 : dt));
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

const ui_panels_state *ui_app_panels(const ui_app *a)
{
    return &a->panels;
}

void ui_app_step_label(const ui_app *a, char *out, size_t cap)
{
    world_step_position(a->step, ui_app_step_count(a), out, cap); /* as every view says it */
}

SDL_Rect ui_app_token_rect(const ui_app *a)
{
    return a->token;
}
