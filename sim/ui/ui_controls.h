/* ui_controls.h - the buttons along the bottom and the timeline above them.
 *
 * Every key has a button, so the window can be driven with a mouse or a touch screen alone.
 * The timeline has one tick per step, coloured like its token (replies by class), and can be
 * clicked or dragged to jump to a step.
 */
#ifndef UI_CONTROLS_H
#define UI_CONTROLS_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/ui_flow.h"
#include "ui/ui_gfx.h"
#include "ui/ui_layout.h"

typedef enum {
    UI_BTN_HOME,
    UI_BTN_BACK,
    UI_BTN_PLAY,
    UI_BTN_NEXT,
    UI_BTN_END,
    UI_BTN_SLOWER,
    UI_BTN_SPEED, /* shows the speed; clicking resets it to 1x */
    UI_BTN_FASTER,
    UI_BTN_BYTES,
    UI_BTN_EAVES,
    UI_BTN_THEME,
    UI_BTN_SCENARIO,
    UI_BTN_QUIZ,
    UI_BTN_HELP,
    UI_BTN_WHATIF, /* "What if?": change the current reply; in a fork, back to the original */
    UI_BTN_COUNT
} ui_button;

/* The toggles the buttons show. */
typedef struct {
    bool playing;
    bool bytes;
    bool eaves;
    bool help;
    bool quiz;
    bool quiz_available;
    bool whatif;           /* showing a what-if fork */
    bool whatif_available; /* the world came from a scenario, so it can be forked */
    float speed;
    int hover; /* button under the mouse, -1 none */
} ui_controls_state;

void ui_controls_draw(ui_ctx *c, const ui_layout *lay, const ui_controls_state *s);

/* ui_controls_min_width - the width the row of buttons needs at its most compact, with every
 * button shown and the longest labels (the layout lowers the scale until this fits). */
int ui_controls_min_width(ui_ctx *c);

/* ui_controls_hit - the button at (x, y), or -1. */
int ui_controls_hit(ui_ctx *c, const ui_layout *lay, const ui_controls_state *s, int x, int y);

/* ui_controls_button_rect - where a button is (w = 0 if not shown). */
SDL_Rect ui_controls_button_rect(ui_ctx *c, const ui_layout *lay, const ui_controls_state *s,
                                 ui_button b);

void ui_controls_timeline(ui_ctx *c, const ui_layout *lay, const ui_view *v);

/* ui_controls_timeline_area - what a partial redraw restores and redraws of the timeline: the
 * few columns at the end of its fill, since the rest changes only with the step (which redraws
 * the whole frame); the whole bar and its position marker when there are no steps. */
SDL_Rect ui_controls_timeline_area(const ui_ctx *c, const ui_layout *lay, const ui_view *v);

/* ui_controls_timeline_step - the step under x on the timeline (clamped), for click and drag. */
size_t ui_controls_timeline_step(const ui_layout *lay, size_t count, int x);

#endif
