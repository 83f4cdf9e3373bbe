/* ui_app_internal.h - what the window's files share and nobody else sees: the ui_app struct and
 * the functions one part of the window calls in another.
 *
 * The window is one object split by job: ui_app.c (creation, the view, the clock, the main
 * loop), ui_app_input.c (keys, mouse, buttons), ui_app_whatif.c (forks and the reply field)
 * and ui_app_draw.c (the frame and its still layer). Only those four include this header.
 */
#ifndef UI_APP_INTERNAL_H
#define UI_APP_INTERNAL_H

#include "core/world/scenario.h"
#include "ui/ui_app.h"
#include "ui/ui_controls.h"
#include "ui/ui_flow.h"
#include "ui/ui_panels.h"
#include "ui/ui_picker.h"
#include "ui/ui_quiz.h"
#include "ui/ui_stats.h"

/* Notices over the window last this long (elapsed time, not frames). */
#define UI_APP_NOTICE_MS 4000
/* A second Esc within this time quits; the first only says so (a class demo survives a
 * clicker's double Esc). */
#define UI_APP_ESC_QUIT_MS 3000
#define UI_APP_WHEEL_ROWS 3 /* rows a panel scrolls per wheel notch */
#define UI_APP_PAGE_ROWS 10 /* rows Shift+PageDown scrolls */

/* Playback speeds, slowest first; the speed button shows them. */
#define UI_APP_SPEED_COUNT 6
#define UI_APP_SPEED_NORMAL 2 /* 1x */
extern const float ui_app_speeds[UI_APP_SPEED_COUNT];

/* The parts drawn over the still layer every frame; a partial frame redraws their areas. */
enum { UI_APP_MOVING_TOKEN, UI_APP_MOVING_TIMELINE, UI_APP_MOVING_NOTICE, UI_APP_MOVING_PARTS };

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
    const void *stats; /* the statistics panel shown, NULL none */
    unsigned fork_gen, wi_rev; /* what-if fork shown, reply field */
    bool wi_edit;
    ui_panels_state panels;
    bool no_predict, predict_told;
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
    char hint[1024]; /* ui_app_set_hint */
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
    ui_stats *stats;  /* the statistics panel, NULL when closed */
    bool no_predict;  /* predict stops turned off (X, window/shot --no-predict) */
    bool predict_told; /* X pressed or started off: the header says whether stops are on */
    uint64_t quiz_seed; /* 0: the quiz seeds from the clock */
    char progress[512]; /* the quiz's progress file, "" for none */

    /* what if? the fork is shown instead of `owned` while it exists */
    world *fork;
    size_t fork_at;
    char fork_reply[UI_APP_MAX_REPLY + 1];
    unsigned fork_gen;   /* changes with every fork and return (redraw decisions) */
    bool wi_edit;        /* the reply field is open */
    bool wi_eat;         /* drop the text event of the W that opened it */
    bool wi_bad;         /* wi_msg is a refusal */
    char wi_text[UI_APP_MAX_REPLY + 1];
    char wi_msg[200];
    unsigned wi_rev;

    /* the panels: expanded reply, scrolls (reset when the step changes) */
    ui_panels_state panels;
    size_t panels_step;

    /* a notice over the window: a file saved, an error, "press Esc again to quit" */
    char notice[400];
    bool notice_bad;
    uint32_t notice_ms; /* left to show */
    uint32_t esc_ms;    /* left for a second Esc to quit */

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

    /* partial redraw (ui_app_set_partial): the target holds the layer drawn for shown_key
     * with the moving parts at shown_moving, when shown_valid */
    bool partial;
    bool shown_valid;
    still_layer_key shown_key;
    SDL_Rect shown_moving[UI_APP_MOVING_PARTS];
    SDL_Rect damage[UI_APP_MAX_DAMAGE]; /* what the last frame changed */
    int damage_n;
};

/* ui_app_step_count - steps in the world shown, 0 when none. */
static inline size_t ui_app_step_count(const ui_app *a)
{
    return a->w ? world_step_count(a->w) : 0;
}

/* ui_app.c: moving through the steps as the keys and buttons do. */
void ui_app_forward(ui_app *a);
void ui_app_back(ui_app *a);

/* ui_app_whatif.c */
void ui_app_whatif_drop(ui_app *a); /* free the fork, close the field */
void ui_app_whatif_key(ui_app *a, SDL_Keycode sym, bool ctrl);
void ui_app_whatif_text_input(ui_app *a, const char *utf8);
void ui_app_whatif_draw(ui_app *a); /* the reply field, in the explanation panel's place */

/* ui_app.c: a notice for UI_APP_NOTICE_MS. A hint is only drawn; what was saved also goes
 * to stdout and an error to stderr (where a script or the presenter's terminal sees it). */
typedef enum { UI_APP_HINT, UI_APP_DONE, UI_APP_ERROR } ui_app_notice_kind;
void ui_app_notify(ui_app *a, ui_app_notice_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ui_app_draw.c: what input needs to know about the last frame. */
void ui_app_view_of(ui_app *a, ui_view *v);
void ui_app_controls_state(const ui_app *a, ui_controls_state *s);

#endif
