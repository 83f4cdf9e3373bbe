/* lesson_run.h - a lesson against a run of the world: which step a question points at, whether
 * a predict question's answer is what the run really replies, and which narration step shows a
 * question bound to no step.
 *
 * The run comes in as lesson_step_view rows the caller fills from world.h, so the teaching
 * code does not depend on the world being linked (lint, the quiz, the window and the fuzzer
 * each build them). Loading and validating a lesson file is lesson.h's job. */
#ifndef SMTPSIM_LESSON_RUN_H
#define SMTPSIM_LESSON_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/teach/lesson.h"

/* The part of a world step that predict resolution needs (filled by the caller from world.h,
 * so this module does not depend on the world being linked). */
typedef struct {
    bool is_reply; /* WORLD_STEP_REPLY */
    const char *verb;
    int code;
    const char *text; /* the reply line ("a3 NO [...] ..."): the status of POP3/IMAP replies */
} lesson_step_view;

/* lesson_at_find - the step index `at` designates in steps[0..n), or -1 with a reason in err
 * ("no 2nd reply to RCPT in scenario 'basic' (1 found)"). */
long lesson_at_find(const lesson_at *at, const lesson_step_view *steps, size_t n, char *err,
                    size_t errlen);

/* lesson_predict_resolve - set q->predict_code from the run and check the question agrees:
 * 0 when it does; -1 with "path: what" in err when `at` finds nothing or the answer disagrees. */
int lesson_predict_resolve(lesson_question *q, const lesson_step_view *steps, size_t n, char *err,
                           size_t errlen);

/* lesson_narration_step - which narration step illustrates q, for "Show me" on a question bound
 * to no step: the narration of q's lesson that shares the most words with q (prompt, choices,
 * accepted answers, explanation; technical words such as MX or 587 count twice), among
 * narration steps < steps; -1 when none shares enough to be worth showing. */
long lesson_narration_step(const lesson_question *q, size_t steps);

#endif
