/* quiz.h - a quiz session over one or more lessons: what to ask, grading, feedback, score.
 *
 * The session is UI-free: the terminal quiz (cmd_quiz.c) and the window's quiz panel drive the
 * same object. Loop:
 *
 *     quiz *qz = quiz_new(lessons, n, progress, &opts, err, sizeof err);
 *     while ((q = quiz_current(qz))) {
 *         show q (for order/match questions, in the order quiz_display() gives);
 *         quiz_parse(qz, typed_text, &ans, ...) or fill a quiz_answer from clicks;
 *         quiz_submit(qz, &ans, now, &fb);   -- fb.shown is false in exam mode
 *         show fb; quiz_next(qz);
 *     }
 *     quiz_finish(qz, now); score, results, report by topic.
 *
 * Modes: practice (due questions by the Leitner schedule in progress.h, then new ones; a miss is
 * asked again once at the end), review (questions whose last answer was wrong), exam (N drawn
 * with the seeded generator, optional time limit checked against the time passed to submit, no
 * going back, no feedback until quiz_finish). The clock and the seed come from the caller.
 *
 * Choices are shown shuffled (the seed decides; a choice pinned in the lesson keeps its place),
 * so the place of the right answer in the file tells a student nothing. An answer holds the
 * choices' identities (their place in the file): quiz_parse and the window turn displayed
 * numbers into identities through quiz_display, and grading never sees a displayed number.
 *
 * Scores count every question of the session: an unanswered question (quit, time up) is wrong.
 */
#ifndef QUIZ_H
#define QUIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/teach/lesson.h"
#include "core/teach/progress.h"

#define QUIZ_MAX_TEXT 256  /* a typed answer */
#define QUIZ_MAX_TOPICS 64 /* topics in one report */

typedef enum { QUIZ_PRACTICE, QUIZ_REVIEW, QUIZ_EXAM } quiz_mode;

typedef struct {
    quiz_mode mode;
    size_t count;       /* exam: questions to draw; practice/review: at most this many, 0 = all */
    int64_t now;        /* Unix seconds at the start (the caller's clock) */
    int64_t time_limit; /* exam: seconds from `now`, 0 = none */
    uint64_t seed;      /* exam draw, display shuffles */
    bool repeat_missed; /* practice: ask a missed question once more at the end */
} quiz_options;

/* quiz_options_init - defaults: all questions, no time limit, repeat_missed in practice. */
void quiz_options_init(quiz_options *o, quiz_mode mode, int64_t now, uint64_t seed);

/* A student's answer; only the fields of the question's kind are read. */
typedef struct {
    int choice;                     /* single, predict with choices: 1-based identity, the
                                       choice's place in the file (0 none, -1 a code no
                                       choice has) */
    unsigned mask;                  /* multi: bit (i-1) for choice i (identity) */
    bool tf;                        /* truefalse */
    char text[QUIZ_MAX_TEXT];       /* short; predict typed ("550") */
    size_t order[LESSON_MAX_ITEMS]; /* order: displayed positions (0-based), first item first */
    size_t n_order;
    size_t match[LESSON_MAX_ITEMS]; /* match: for left i, the displayed position of its right */
    size_t n_match;
} quiz_answer;

typedef struct {
    bool correct;
    bool shown;              /* false in exam mode until the end: show nothing but "recorded" */
    const char *explanation; /* the question's */
    const char *why_not;     /* why the wrong choice taken is wrong, or NULL */
    char right[1024];        /* the right answer spelled out, as displayed ("3. 587") */
    char given[1024];        /* the student's answer spelled out the same way, or "" */
    char detail[1024];       /* partial information ("2 of 5 in the right place", the wrong
                                pairs of a match), or "" */
} quiz_feedback;

typedef enum {
    QUIZ_OK = 0,
    QUIZ_BAD_ANSWER, /* the answer does not fit the question (choice 7 of 4...) */
    QUIZ_ALREADY,    /* this question was answered: call quiz_next */
    QUIZ_TIME_UP,    /* exam: past the time limit; not counted, the session is over */
    QUIZ_FINISHED,   /* no current question */
} quiz_status;

typedef struct quiz quiz;

/* quiz_new - choose the questions. progress may be NULL (nothing scheduled, nothing recorded).
 * NULL with a message in err when there is nothing to ask ("nothing to review"). The lessons
 * and progress must outlive the session. */
quiz *quiz_new(const lesson *const *lessons, size_t n_lessons, progress *p, const quiz_options *o,
               char *err, size_t errlen);
void quiz_free(quiz *qz);

quiz_mode quiz_get_mode(const quiz *qz);
size_t quiz_total(const quiz *qz);        /* questions in the session (practice may add repeats) */
size_t quiz_position(const quiz *qz);     /* 0-based index of the current question */
bool quiz_practising_all(const quiz *qz); /* practice found nothing due and took everything */
int64_t quiz_next_due(const quiz *qz);    /* practice: earliest due time seen, 0 if none */

/* quiz_current - the question to ask, NULL when the session is over. */
const lesson_question *quiz_current(const quiz *qz);
bool quiz_is_repeat(const quiz *qz); /* the current question is a second try (practice) */

/* quiz_display - order: the item index shown at position `pos`; match: the pair index whose
 * right-hand side is shown at `pos`; single, multi, predict: the choice index (0-based
 * identity) shown at `pos`; other kinds: pos. */
size_t quiz_display(const quiz *qz, size_t pos);

/* quiz_parse - turn typed text into an answer for the current question:
 *   single / predict with choices: "3" (or "c"); predict also takes a typed code "550";
 *   multi: "1,3" or "1 3" or "13"; truefalse: t/true/y/yes/1, f/false/n/no/2;
 *   short / predict: the text; order: displayed numbers in order "3 1 2" or "312";
 *   match: letters for lefts 1..n in order "bac", or "1b 2a 3c".
 * 0, or -1 with a hint for the student in err ("type a number 1-4"). */
int quiz_parse(const quiz *qz, const char *text, quiz_answer *out, char *err, size_t errlen);

/* quiz_submit - grade the current question, record it (first answer of a session only) in the
 * progress, and fill fb. */
quiz_status quiz_submit(quiz *qz, const quiz_answer *a, int64_t now, quiz_feedback *fb);

/* quiz_next - move to the next question (after submit; skipping is not allowed in an exam). */
void quiz_next(quiz *qz);

/* quiz_time_left - exam seconds left at `now` (may be negative), or INT64_MAX without a limit. */
int64_t quiz_time_left(const quiz *qz, int64_t now);

/* quiz_finish - end the session (all answered, quit, or time up): unanswered questions stay
 * unanswered. After this, results and feedback of an exam are shown. */
void quiz_finish(quiz *qz, int64_t now);
bool quiz_finished(const quiz *qz);

/* quiz_score - right answers, answered questions, questions in the session (first tries only).
 * The score is right/total: unanswered questions count as wrong. */
void quiz_score(const quiz *qz, size_t *right, size_t *answered, size_t *total);

/* quiz_percent - right * 100 / total, rounded down (0 for an empty session). */
unsigned quiz_percent(const quiz *qz);

/* quiz_passed - right * 100 >= pass_percent * total. */
bool quiz_passed(const quiz *qz, unsigned pass_percent);

/* quiz_time_ran_out - the exam's time limit was reached before the session ended. */
bool quiz_time_ran_out(const quiz *qz);

/* Results, one per distinct question (first tries), in the order asked. */
typedef struct {
    const lesson_question *q;
    bool answered;
    bool correct;
    quiz_answer answer;
} quiz_result;
size_t quiz_result_count(const quiz *qz);
const quiz_result *quiz_result_at(const quiz *qz, size_t i);

/* quiz_result_feedback - feedback for result i (exam: only once finished; fb.shown says). */
void quiz_result_feedback(const quiz *qz, size_t i, quiz_feedback *fb);

typedef struct {
    const char *topic;
    size_t right, total;
} quiz_topic_score;

/* quiz_report - score by topic (first tag of each question); returns the number of topics. */
size_t quiz_report(const quiz *qz, quiz_topic_score *out, size_t cap);

/* quiz_grade - grade one answer against a question, with display permutation `perm` (as
 * quiz_display gives; NULL means unshuffled). Fills fb (shown = true). True when right. */
bool quiz_grade(const lesson_question *q, const size_t *perm, const quiz_answer *a,
                quiz_feedback *fb);

/* quiz_shuffle_choices - perm[pos] = the choice index shown at pos: a Fisher-Yates shuffle of
 * the choices not pinned (lesson_question.pin_mask), pinned ones at their written place. Fills
 * LESSON_MAX_ITEMS entries (identity past n_choices). */
void quiz_shuffle_choices(const lesson_question *q, uint64_t *rng, size_t *perm);

/* quiz_rng - the seeded generator (splitmix64): next value, state advanced. */
uint64_t quiz_rng(uint64_t *state);

#endif
