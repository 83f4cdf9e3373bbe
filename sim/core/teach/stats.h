/* stats.h - what a learner's progress file says about a set of lessons: questions due today,
 * answer accuracy by topic, and how many questions sit in each Leitner box.
 *
 * Computed once from the lessons and the progress (progress.h) at a time the caller gives, and
 * turned into text lines here, so `smtpsim stats` and the window's statistics panel print the
 * very same lines. UI-free and clock-free.
 */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/teach/lesson.h"
#include "core/teach/progress.h"

#define STATS_MAX_TOPICS 64
#define STATS_LINE 160 /* bytes in one line of stats_lines */

typedef struct {
    const char *topic; /* lesson_question_topic: the question's first tag */
    size_t questions;  /* questions under this topic */
    size_t seen;       /* of them, answered at least once */
    size_t answers;    /* answers given to them */
    size_t right;      /* right answers among those */
} stats_topic;

typedef struct {
    int64_t now;
    size_t questions;                  /* in the lessons */
    size_t seen;                       /* answered at least once */
    size_t due_now;                    /* answered before and due at `now` */
    size_t due_today;                  /* answered before and due by the end of the UTC day */
    size_t boxes[PROGRESS_BOXES + 1];  /* [0]: never answered; [b]: in box b */
    size_t answers, right;             /* over every question */
    stats_topic topics[STATS_MAX_TOPICS];
    size_t n_topics;                   /* topics past STATS_MAX_TOPICS are counted in none */
} stats;

/* stats_compute - fill s from the questions of lessons[0..n) and the progress p (NULL: nothing
 * answered yet) at time now (Unix seconds). Topics come in the order the lessons first use
 * them. */
void stats_compute(const lesson *const *lessons, size_t n, const progress *p, int64_t now,
                   stats *s);

/* stats_lines - the report as lines (no newline), at most cap of them; returns how many. */
size_t stats_lines(const stats *s, char (*lines)[STATS_LINE], size_t cap);

#endif
