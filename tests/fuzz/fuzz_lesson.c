/* fuzz_lesson.c - libFuzzer target for the lesson loader.
 *
 * The input is a lesson file. A refused one must come with a message. An accepted one is read
 * the way its users read it: every question is found by its id and has a topic and a kind name,
 * predict questions are resolved against a small fixed run, the lesson is exported as GIFT, and
 * a practice quiz over it answers "1" to every question. Seeds: the lesson files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/gift.h"
#include "core/teach/lesson.h"
#include "core/teach/lesson_run.h"
#include "core/teach/quiz.h"
#include "fuzz_common.h"

/* the replies of a plain session, as lesson_predict_resolve sees a run */
static const lesson_step_view steps[] = {
    {true, "CONNECT", 220, NULL}, {false, "EHLO", 0, NULL}, {true, "EHLO", 250, NULL},
    {false, "MAIL", 0, NULL},
    {true, "MAIL", 250, NULL}, {false, "RCPT", 0, NULL}, {true, "RCPT", 250, NULL},
    {true, "RCPT", 550, NULL},
    {true, "DATA", 354, NULL},    {true, ".", 250, NULL},   {true, "QUIT", 221, NULL},
    /* POP3 and IMAP replies: no code, a status in the line */
    {true, "AUTH", 0, "-ERR [AUTH] Invalid"}, {true, "IDLE", 0, "* 1 EXISTS"},
};

/* quiz_through - a practice session over the lesson, answering "1" to everything. */
static void quiz_through(const lesson *l)
{
    quiz_options o;
    quiz_options_init(&o, QUIZ_PRACTICE, 1764000000, 7);
    char err[256];
    const lesson *const ls[] = {l};
    quiz *qz = quiz_new(ls, 1, NULL, &o, err, sizeof err);
    if (!qz)
        return;
    for (int n = 0; quiz_current(qz) && n < 2 * LESSON_MAX_QUESTIONS + 2; n++) {
        quiz_answer a;
        quiz_feedback fb;
        if (quiz_parse(qz, "1", &a, err, sizeof err) == 0)
            (void)quiz_submit(qz, &a, 1764000000 + n, &fb);
        quiz_next(qz);
    }
    quiz_finish(qz, 1764009999);
    quiz_topic_score rep[QUIZ_MAX_TOPICS];
    (void)quiz_report(qz, rep, QUIZ_MAX_TOPICS);
    quiz_free(qz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[4096];
    err[0] = '\0';
    lesson *l = lesson_load_buffer("fuzz.json", (const char *)data, size, err, sizeof err);
    if (!l) {
        if (!err[0] || !memchr(err, '\0', sizeof err))
            fuzz_die("lesson refused without a message");
        return 0;
    }
    for (size_t i = 0; i < l->n_questions; i++) {
        lesson_question *q = &l->questions[i];
        if (lesson_find_question(l, q->id) == NULL || !lesson_question_topic(q) ||
            !lesson_kind_name(q->kind))
            fuzz_die("question without id, topic or kind");
        if (q->kind == LESSON_Q_PREDICT && q->has_at)
            (void)lesson_predict_resolve(q, steps, sizeof steps / sizeof steps[0], err, sizeof err);
    }
    size_t len = 0;
    char *gift = gift_export(l, &len);
    if (gift && strlen(gift) != len)
        fuzz_die("GIFT length disagrees");
    free(gift);
    quiz_through(l);
    lesson_free(l);
    return 0;
}
