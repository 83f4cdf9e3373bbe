/* ui_quiz.h - the quiz panel of the window (issue 5): the questions of the lessons that animate
 * the current scenario, answered with the mouse or the keys 1-9, A-D and Enter, and "predict the
 * reply" questions that stop the animation just before the server answers.
 *
 * Grading and feedback come from the quiz engine (sim/core/teach/quiz.h); this module only shows
 * questions and collects answers. With ui_quiz_use_progress, every answer is recorded in the
 * same progress file as `smtpsim quiz` (progress.h) and saved at once, atomically.
 */
#ifndef UI_QUIZ_H
#define UI_QUIZ_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/teach/lesson.h"
#include "core/world/world.h"
#include "ui/ui_gfx.h"
#include "ui/ui_layout.h"

/* Named limits. */
#define UI_QUIZ_MAX_LESSONS 16
#define UI_QUIZ_MAX_PREDICT 128
#define UI_QUIZ_MAX_TYPED 64

typedef enum {
    UI_QUIZ_OFF,
    UI_QUIZ_SESSION, /* the lesson's questions, one after another */
    UI_QUIZ_PREDICT, /* stopped before a reply: what will the server answer? */
} ui_quiz_mode;

/* What the window should do after a key or click in the panel. */
typedef enum {
    UI_QUIZ_NONE,     /* handled, nothing else to do */
    UI_QUIZ_IGNORED,  /* not for the quiz: the window handles it */
    UI_QUIZ_CLOSE,    /* the panel closed */
    UI_QUIZ_SHOW_ME,  /* jump to ui_quiz_show_step() */
    UI_QUIZ_CONTINUE, /* a predict question is done: go on into its step */
} ui_quiz_action;

typedef struct ui_quiz ui_quiz;

/* ui_quiz_new - the lessons that animate scenario_id (catalog.h: in listing order) and the steps
 * of their predict questions in w. NULL when no lesson animates this scenario. */
ui_quiz *ui_quiz_new(const char *data_dir, const char *scenario_id, const world *w);
void ui_quiz_free(ui_quiz *q);

ui_quiz_mode ui_quiz_get_mode(const ui_quiz *q);

/* ui_quiz_revision - changes whenever what the panel shows changes (for redraw decisions). */
unsigned ui_quiz_revision(const ui_quiz *q);

/* ui_quiz_open_session - show the lessons' questions (practice order). */
void ui_quiz_open_session(ui_quiz *q);
void ui_quiz_close(ui_quiz *q);

/* ui_quiz_predict_before - whether an unanswered predict question stops the animation before
 * step `step`; if so the panel switches to it and true is returned. */
bool ui_quiz_predict_before(ui_quiz *q, size_t step);

/* ui_quiz_set_seed - the seed of the choice shuffles (sessions and predict stops); the window
 * passes the clock, `shot` a fixed value so its pictures are reproducible. */
void ui_quiz_set_seed(ui_quiz *q, uint64_t seed);

/* ui_quiz_set_predict - predict stops on (the default) or off (a presenter who wants to step
 * through without questions); turning them off closes an open stop. */
void ui_quiz_set_predict(ui_quiz *q, bool on);
bool ui_quiz_predict_on(const ui_quiz *q);

/* ui_quiz_predict_steps - how many predict questions were placed on steps of this world. */
size_t ui_quiz_predict_count(const ui_quiz *q);

/* ui_quiz_use_progress - keep progress in `path` (progress.h): loaded now, recorded and saved
 * atomically after every answer. 0; 1 when the file was damaged (moved aside; err says where,
 * for a warning); -1 when it cannot be read (err says why; no progress is kept, the file is
 * left alone). */
int ui_quiz_use_progress(ui_quiz *q, const char *path, char *err, size_t errlen);
/* ui_quiz_progress_path - the file progress is kept in, or NULL. */
const char *ui_quiz_progress_path(const ui_quiz *q);

/* ui_quiz_show_step - the step that illustrates the current question, or -1: a predict
 * question's own step, else the narration step that talks about the same thing
 * (lesson_narration_step), when one does. */
long ui_quiz_show_step(const ui_quiz *q);

/* ui_quiz_narration - what the lessons of this scenario say at `step` (the narration of the
 * first lesson that has one there) into out; its length, 0 when none (q may be NULL). */
size_t ui_quiz_narration(const ui_quiz *q, size_t step, char *out, size_t cap);

/* ui_quiz_current - the question on the panel, or NULL. */
const lesson_question *ui_quiz_current(const ui_quiz *q);

ui_quiz_action ui_quiz_key(ui_quiz *q, SDL_Keycode key);
ui_quiz_action ui_quiz_text(ui_quiz *q, const char *utf8);
ui_quiz_action ui_quiz_click(ui_quiz *q, ui_ctx *c, SDL_Rect area, int x, int y);

/* ui_quiz_draw - the panel inside `area`. */
void ui_quiz_draw(ui_quiz *q, ui_ctx *c, SDL_Rect area);

#endif
