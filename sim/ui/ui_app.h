/* ui_app.h - the step-through window: the state of what is shown (world, step, animation
 * phase, toggles), input handling, and the main loop: initialise, then update and draw each
 * frame, then de-initialise.
 *
 * The app draws into any SDL_Renderer, so the same code serves a real window, SDL's dummy
 * driver in tests, and an offscreen software renderer for `smtpsim shot`. What is drawn is a
 * pure function of (world, step, phase, toggles, size): stepping back restores a step exactly,
 * and animation follows elapsed time (the dt given to ui_app_update), never the frame count.
 *
 * Implemented in four files by job (ui_app.c, ui_app_input.c, ui_app_whatif.c, ui_app_draw.c)
 * that share ui_app_internal.h; keys come from the table in ui_keys.h.
 */
#ifndef UI_APP_H
#define UI_APP_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/world/world.h"
#include "ui/ui_gfx.h"
#include "ui/ui_layout.h"
#include "ui/ui_panels.h"

/* Named limits and timings. */
#define UI_APP_MIN_STEP_MS 500   /* shortest animation of one step at 1x */
#define UI_APP_MAX_STEP_MS 2200  /* longest */
#define UI_APP_MS_PER_VIRTUAL 20 /* real ms per virtual ms of link latency at 1x */
#define UI_APP_HOLD_MS 700       /* pause on an arrived token before the next, at 1x */
#define UI_APP_ZOOM_MIN 0.5f
#define UI_APP_ZOOM_MAX 2.5f
#define UI_APP_MAX_REPLY 120     /* characters in the what-if reply field */
#define UI_APP_MAX_DAMAGE 3      /* rectangles a partial frame changes: token, timeline, notice */

typedef struct {
    const char *data_dir; /* holds assets/fonts and lessons/scenarios */
    const char *theme;    /* NULL: "default" */
} ui_app_config;

typedef struct ui_app ui_app;

/* ui_app_new - fonts, theme and layout for drawing into r. win may be NULL (offscreen): then
 * fullscreen does nothing and mouse coordinates are taken as output pixels. */
ui_app *ui_app_new(SDL_Renderer *r, SDL_Window *win, const ui_app_config *cfg, char *err,
                   size_t errlen);
void ui_app_free(ui_app *a);

/* ui_app_set_progress - the quiz's progress file (progress.h) for the scenarios loaded from now
 * on; NULL or "": none kept. */
void ui_app_set_progress(ui_app *a, const char *path);

/* ui_app_load - load a scenario file, build its world and show step 0. 0, or -1 and err. */
int ui_app_load(ui_app *a, const char *path, char *err, size_t errlen);

/* ui_app_set_world - show a world the caller owns (live mode, tests); title may be NULL. */
void ui_app_set_world(ui_app *a, const world *w, const char *title);

/* ui_app_set_hint - what the explanation panel says while the world has no steps yet (live
 * mode: how to send the first message); NULL or "" for nothing. */
void ui_app_set_hint(ui_app *a, const char *hint);
const world *ui_app_world(const ui_app *a);
/* ui_app_scenario_id - the id of the scenario shown ("basic"), "live" or "" (no world). */
const char *ui_app_scenario_id(const ui_app *a);

/* Where the view is. set_step clamps the step and the phase (0..1) and stops playback. */
void ui_app_set_step(ui_app *a, size_t step, float phase);
size_t ui_app_step(const ui_app *a);
float ui_app_phase(const ui_app *a);

/* Toggles. */
int ui_app_set_theme(ui_app *a, const char *name); /* 0, or -1 for an unknown theme */
void ui_app_set_eaves(ui_app *a, bool on);
void ui_app_set_bytes(ui_app *a, bool on);
void ui_app_set_playing(ui_app *a, bool on);
bool ui_app_playing(const ui_app *a);
void ui_app_set_zoom(ui_app *a, float zoom);
/* ui_app_open_quiz - open the quiz panel on the lessons of the scenario; -1 when it has none.
 * With predict = true, the panel asks the predict question that stops before the current step
 * + 1 (-1 when there is none). */
int ui_app_open_quiz(ui_app *a, bool predict);
/* ui_app_set_predict - predict stops on (default) or off: a presenter steps through without
 * questions (X toggles it; window and shot --no-predict start with it off). */
void ui_app_set_predict(ui_app *a, bool on);
/* ui_app_set_quiz_seed - the seed of the quiz's choice shuffles for scenarios loaded from now
 * on (0, the default: from the clock; shot pins it so its pictures are reproducible). */
void ui_app_set_quiz_seed(ui_app *a, uint64_t seed);
/* ui_app_toggle_stats - open (computed now) or close the statistics panel (I, Esc). */
void ui_app_toggle_stats(ui_app *a);

/* ---- what if? (issue 7) ----
 * W (or the "What if?" button) on a server reply step opens a field holding that reply; Enter
 * replaces it and the window switches to world_new_fork's world at the same step, so the rest
 * comes from the engines. W again goes back to the original world at the same step; Ctrl+S
 * saves the fork as a new scenario file in the current directory. */

/* ui_app_fork - show the fork where reply step `step` answers `reply`. 0, or -1 and err (not
 * a reply step, a malformed reply, no scenario). */
int ui_app_fork(ui_app *a, size_t step, const char *reply, char *err, size_t errlen);
/* ui_app_unfork - back to the original world, same step (clamped). */
void ui_app_unfork(ui_app *a);
bool ui_app_forked(const ui_app *a);
/* ui_app_whatif_open - open the reply field on the current step (false when it is not a server
 * reply, with the reason shown). ui_app_whatif_editing: the field is open. */
bool ui_app_whatif_open(ui_app *a);
bool ui_app_whatif_editing(const ui_app *a);
/* ui_app_whatif_text - what the field holds now. */
const char *ui_app_whatif_text(const ui_app *a);
/* ui_app_whatif_message - the field's current message (hint or refusal), "" if none. */
const char *ui_app_whatif_message(const ui_app *a);
/* ui_app_save_fork - write the fork as a scenario file in the current directory under a free
 * name ("ID-whatif-stepN.json"), returned in name. 0, or -1 and err. */
int ui_app_save_fork(ui_app *a, char *name, size_t cap, char *err, size_t errlen);

/* ui_app_event - keys, mouse and window events. */
void ui_app_event(ui_app *a, const SDL_Event *e);

/* ui_app_update - advance the animation by dt_ms of real time. */
void ui_app_update(ui_app *a, uint32_t dt_ms);

/* ui_app_draw - draw the whole frame (no present). Re-lays out if the output size changed. */
void ui_app_draw(ui_app *a);

/* ui_app_set_partial - whether the target keeps its pixels from one frame to the next (a
 * browser canvas, a software surface; not a GL window, whose back buffer is undefined after a
 * present). When it does, a frame in which only the token, the timeline or the notice moved
 * redraws just their areas: a few thousand pixels instead of the whole output. Off by default. */
void ui_app_set_partial(ui_app *a, bool on);

/* ui_app_redraw_whole - the target no longer shows the last frame (a browser canvas given
 * back after a loss, a test comparing with a whole frame): the next ui_app_draw draws it all. */
void ui_app_redraw_whole(ui_app *a);

/* ui_app_damage - after ui_app_draw: the rectangles of the output that frame changed (at most
 * cap, UI_APP_MAX_DAMAGE is enough), so a driver can present only those. A full frame gives one
 * rectangle, the whole output. Returns how many. */
int ui_app_damage(const ui_app *a, SDL_Rect *out, int cap);

/* ui_app_frame - one turn of the main loop without the present: update by dt_ms, draw, and
 * take a screenshot if F12 asked for one (its notice shows from the next frame). */
void ui_app_frame(ui_app *a, uint32_t dt_ms);

/* ui_app_notice - the notice shown over the window now ("saved screenshot: ...", "press Esc
 * again to quit"), "" when none. */
const char *ui_app_notice(const ui_app *a);

/* ui_app_quit_requested - Esc twice with nothing open, Ctrl+Q, or the window closed. */
bool ui_app_quit_requested(const ui_app *a);

/* ui_app_busy - something moves (play, animation, a drag), so frames should keep coming; a
 * loop the app does not own (the browser's requestAnimationFrame) calls ui_app_frame then. */
bool ui_app_busy(const ui_app *a);

/* ui_app_run - the main loop for a real window until quit. 0 or -1. */
int ui_app_run(ui_app *a);

/* For tests: the context and layout of the last draw. */
ui_ctx *ui_app_ctx(ui_app *a);
const ui_layout *ui_app_layout(const ui_app *a);
/* ui_app_panels - what the student expanded and scrolled in the panels. */
const ui_panels_state *ui_app_panels(const ui_app *a);
/* ui_app_step_label - the header's counter, as every view says it (world_step_position):
 * "Step 12 of 50 (0-49)". */
void ui_app_step_label(const ui_app *a, char *out, size_t cap);
/* ui_app_token_rect - the current token's label in the last frame (w = 0 if none). */
SDL_Rect ui_app_token_rect(const ui_app *a);

/* ui_app_screenshot_name - a free file name "smtpsim-ID-stepN.png" in the current directory. */
void ui_app_screenshot_name(const ui_app *a, char *out, size_t cap);

#endif
