/* test_quiz.c - quiz.c: grading of every kind, parsing typed answers, practice scheduling
 * across sessions (virtual clock), review, exam (seeded draw, time limit, no going back,
 * hidden feedback, report by topic, score over every question, pass mark), shuffled choices
 * (seeded, pinned choices, grading by identity). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/teach/lesson_run.h"
#include "core/teach/quiz.h"

#define T0 1700000000LL
#define HOUR 3600LL
#define DAY PROGRESS_DAY

static const char *data(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("SMTPSIM_DATA");
    snprintf(buf, sizeof buf, "%s/tests/data/lessons/%s", root && *root ? root : ".", rel);
    return buf;
}

static lesson *load(const char *rel)
{
    char err[4096];
    lesson *l = lesson_load(data(rel), err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    return l;
}

static lesson *load_q(const char *qjson)
{
    char buf[8192], err[4096];
    snprintf(buf, sizeof buf,
             "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, \"topics\": [\"top\"],"
             " \"intro\": \"I\", \"questions\": [%s]}",
             qjson);
    lesson *l = lesson_load_buffer("t.json", buf, strlen(buf), err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    return l;
}

/* --- grading ----------------------------------------------------------------------------- */

static void test_grade_choice_kinds(void **state)
{
    (void)state;
    lesson *l = load("sample-basics.json");
    quiz_answer a = {0};
    quiz_feedback fb;
    const lesson_question *single = &l->questions[0];
    a.choice = 3;
    assert_true(quiz_grade(single, NULL, &a, &fb));
    assert_true(fb.correct && fb.shown);
    assert_string_equal(fb.right, "3. SMTP");
    assert_ptr_equal(fb.explanation, single->explanation);
    a.choice = 1;
    assert_false(quiz_grade(single, NULL, &a, &fb));
    assert_ptr_equal(fb.why_not, single->why_not[0]); /* why POP3 is wrong */

    const lesson_question *multi = &l->questions[1];
    memset(&a, 0, sizeof a);
    a.mask = 0x3;
    assert_true(quiz_grade(multi, NULL, &a, &fb));
    assert_string_equal(fb.right, "1. MAIL FROM; 2. RCPT TO");
    a.mask = 0x1; /* one missing: all or nothing */
    assert_false(quiz_grade(multi, NULL, &a, &fb));
    assert_string_equal(fb.detail, "0 wrong choices taken, 1 right choice missed");
    a.mask = 0x7; /* one too many */
    assert_false(quiz_grade(multi, NULL, &a, &fb));
    assert_ptr_equal(fb.why_not, multi->why_not[2]);

    const lesson_question *tf = &l->questions[2];
    memset(&a, 0, sizeof a);
    a.tf = true;
    assert_true(quiz_grade(tf, NULL, &a, &fb));
    a.tf = false;
    assert_false(quiz_grade(tf, NULL, &a, &fb));
    assert_ptr_equal(fb.why_not, tf->why_not[1]);
    assert_string_equal(fb.right, "true");
    lesson_free(l);
}

static void test_grade_text_kinds(void **state)
{
    (void)state;
    lesson *l = load("sample-basics.json");
    quiz_answer a = {0};
    quiz_feedback fb;
    const lesson_question *sh = &l->questions[3];
    strcpy(a.text, "  quit ");
    assert_true(quiz_grade(sh, NULL, &a, &fb));
    strcpy(a.text, "QUIT now");
    assert_false(quiz_grade(sh, NULL, &a, &fb));
    strcpy(a.text, "");
    assert_false(quiz_grade(sh, NULL, &a, &fb));
    assert_string_equal(fb.right, "QUIT");

    /* order: items shown in display order perm; the student lists display positions */
    const lesson_question *ord = &l->questions[4];
    size_t perm[5] = {2, 0, 4, 1, 3}; /* shown: RCPT, EHLO, QUIT, MAIL, DATA */
    memset(&a, 0, sizeof a);
    size_t right_order[5] = {1, 3, 0, 4, 2}; /* EHLO MAIL RCPT DATA QUIT */
    memcpy(a.order, right_order, sizeof right_order);
    a.n_order = 5;
    assert_true(quiz_grade(ord, perm, &a, &fb));
    size_t swapped[5] = {1, 0, 3, 4, 2}; /* EHLO RCPT MAIL DATA QUIT */
    memcpy(a.order, swapped, sizeof swapped);
    assert_false(quiz_grade(ord, perm, &a, &fb));
    assert_string_equal(fb.detail, "3 of 5 in the right place");
    assert_string_equal(fb.right, "EHLO, MAIL FROM, RCPT TO, DATA, QUIT");
    a.n_order = 4;
    memcpy(a.order, right_order, sizeof right_order);
    assert_false(quiz_grade(ord, perm, &a, &fb));

    /* match: rights shown in order perm; the student gives each left a displayed right */
    const lesson_question *m = &l->questions[5];
    size_t mperm[3] = {1, 2, 0}; /* shown: a) 354 text, b) 221 text, c) 250 text */
    memset(&a, 0, sizeof a);
    a.n_match = 3;
    a.match[0] = 2; /* 250 -> c */
    a.match[1] = 0; /* 354 -> a */
    a.match[2] = 1; /* 221 -> b */
    assert_true(quiz_grade(m, mperm, &a, &fb));
    a.match[0] = 0;
    a.match[1] = 2;
    assert_false(quiz_grade(m, mperm, &a, &fb));
    /* which pairs were wrong, as the student gave them */
    assert_string_equal(fb.detail, "1 of 3 pairs right; wrong: 250 - Start mail input; "
                                   "354 - Requested action okay, completed");
    assert_string_equal(fb.given, "250 - Start mail input; 354 - Requested action okay, "
                                  "completed; 221 - Service closing transmission channel");
    lesson_free(l);
}

static void test_grade_predict(void **state)
{
    (void)state;
    quiz_answer a = {0};
    quiz_feedback fb;
    lesson *l =
        load_q("{\"id\": \"p-1\", \"kind\": \"predict\", \"prompt\": \"P\", \"explanation\": \"E\","
               " \"refs\": [\"R\"], \"at\": {\"scenario\": \"basic\", \"step\": 5},"
               " \"accept\": [\"550\"]}");
    lesson_question *q = &l->questions[0];
    strcpy(a.text, "550");
    assert_true(quiz_grade(q, NULL, &a, &fb));
    strcpy(a.text, "550 5.1.1 User unknown");
    assert_true(quiz_grade(q, NULL, &a, &fb));
    strcpy(a.text, "250");
    assert_false(quiz_grade(q, NULL, &a, &fb));
    assert_string_equal(fb.right, "550");
    /* the world's reply is the truth, whatever the file said */
    q->predict_code = 250;
    assert_true(quiz_grade(q, NULL, &a, &fb));
    lesson_free(l);

    l = load_q("{\"id\": \"p-2\", \"kind\": \"predict\", \"prompt\": \"P\", \"explanation\": \"E\","
               " \"refs\": [\"R\"], \"at\": {\"scenario\": \"basic\", \"reply_to\": \"DATA\"},"
               " \"choices\": [\"250 OK\", \"354 Start mail input\", \"503 Bad sequence\"],"
               " \"answer\": 2, \"why_not\": [\"not yet\", null, \"the order is right\"]}");
    q = &l->questions[0];
    assert_int_equal(q->predict_code, 354);
    memset(&a, 0, sizeof a);
    a.choice = 2;
    assert_true(quiz_grade(q, NULL, &a, &fb));
    a.choice = 3;
    assert_false(quiz_grade(q, NULL, &a, &fb));
    assert_string_equal(fb.why_not, "the order is right");
    assert_string_equal(fb.right, "2. 354 Start mail input");
    lesson_free(l);
}

/* A POP3/IMAP reply has no code: the prediction is a status word, checked against the step's
 * line. */
static void test_grade_predict_status(void **state)
{
    (void)state;
    quiz_answer a = {0};
    quiz_feedback fb;
    char err[256];
    lesson *l =
        load_q("{\"id\": \"p-1\", \"kind\": \"predict\", \"prompt\": \"P\", \"explanation\": \"E\","
               " \"refs\": [\"R\"], \"at\": {\"scenario\": \"s\", \"step\": 1},"
               " \"accept\": [\"-ERR\"]}");
    lesson_question *q = &l->questions[0];
    assert_int_equal(q->predict_code, 0);
    assert_string_equal(q->predict_status, "-ERR");
    strcpy(a.text, "-err");
    assert_true(quiz_grade(q, NULL, &a, &fb));
    strcpy(a.text, "+OK");
    assert_false(quiz_grade(q, NULL, &a, &fb));
    /* the world says which -ERR: a bare -ERR stays right, a wrong response code does not */
    lesson_step_view v[2] = {{false, "", 0, "AUTH PLAIN"},
                             {true, "AUTH", 0, "-ERR [AUTH] Invalid user name or password"}};
    assert_int_equal(lesson_predict_resolve(q, v, 2, err, sizeof err), 0);
    assert_string_equal(q->predict_status, "-ERR [AUTH]");
    strcpy(a.text, "-ERR");
    assert_true(quiz_grade(q, NULL, &a, &fb));
    strcpy(a.text, "-ERR [IN-USE]");
    assert_false(quiz_grade(q, NULL, &a, &fb));
    assert_string_equal(fb.right, "-ERR [AUTH]");
    lesson_free(l);

    /* IMAP choices: tagged, untagged and untagged data are told apart */
    l = load_q("{\"id\": \"p-2\", \"kind\": \"predict\", \"prompt\": \"P\", \"explanation\": \"E\","
               " \"refs\": [\"R\"], \"at\": {\"scenario\": \"s\", \"step\": 1},"
               " \"choices\": [\"a6 OK IDLE completed\", \"* 1 EXISTS\", \"* OK news\","
               " \"+OK 1 message\"], \"answer\": 2}");
    q = &l->questions[0];
    lesson_step_view w[2] = {{false, "", 0, "a6 IDLE"}, {true, "IDLE", 0, "* 1 EXISTS"}};
    assert_int_equal(lesson_predict_resolve(q, w, 2, err, sizeof err), 0);
    memset(&a, 0, sizeof a);
    a.choice = 2;
    assert_true(quiz_grade(q, NULL, &a, &fb));
    for (int c = 1; c <= 4; c += 2) {
        a.choice = c;
        assert_false(quiz_grade(q, NULL, &a, &fb));
    }
    /* lint: the world answering something else is reported, with the step */
    w[1].text = "a6 OK IDLE terminated";
    assert_int_equal(lesson_predict_resolve(q, w, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "replies OK at step 1"));
    lesson_free(l);
    /* two right choices would mark a right student wrong */
    l = load_q("{\"id\": \"p-3\", \"kind\": \"predict\", \"prompt\": \"P\", \"explanation\": \"E\","
               " \"refs\": [\"R\"], \"at\": {\"scenario\": \"s\", \"step\": 1},"
               " \"choices\": [\"NO\", \"NO [AUTHENTICATIONFAILED] bad\", \"OK\"], \"answer\": 2}");
    q = &l->questions[0];
    w[1].text = "a3 NO [AUTHENTICATIONFAILED] Invalid credentials";
    assert_int_equal(lesson_predict_resolve(q, w, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "is right too"));
    lesson_free(l);
}

/* --- parsing ------------------------------------------------------------------------------ */

static quiz *one_question_quiz(const lesson *l)
{
    quiz_options o;
    quiz_options_init(&o, QUIZ_PRACTICE, T0, 7);
    char err[256];
    const lesson *ls[] = {l};
    quiz *qz = quiz_new(ls, 1, NULL, &o, err, sizeof err);
    if (!qz)
        fail_msg("%s", err);
    return qz;
}

static void test_parse(void **state)
{
    (void)state;
    lesson *l = load("sample-basics.json");
    quiz_options o;
    quiz_options_init(&o, QUIZ_PRACTICE, T0, 7);
    char err[256];
    const lesson *ls[] = {l};
    quiz *qz = quiz_new(ls, 1, NULL, &o, err, sizeof err);
    assert_non_null(qz);
    quiz_answer a;
    quiz_feedback fb;

    /* single */
    assert_int_equal(quiz_current(qz)->kind, LESSON_Q_SINGLE);
    assert_int_equal(quiz_parse(qz, "5", &a, err, sizeof err), -1);
    assert_string_equal(err, "type a number 1-4");
    assert_int_equal(quiz_parse(qz, "smtp", &a, err, sizeof err), -1);
    assert_int_equal(quiz_parse(qz, " c ", &a, err, sizeof err), 0);
    assert_int_equal(a.choice, 3);
    assert_int_equal(quiz_parse(qz, "3", &a, err, sizeof err), 0);
    assert_int_equal(quiz_submit(qz, &a, T0, &fb), QUIZ_OK);
    assert_true(fb.correct && fb.shown);
    assert_int_equal(quiz_submit(qz, &a, T0, &fb), QUIZ_ALREADY);
    quiz_next(qz);

    /* multi */
    assert_int_equal(quiz_parse(qz, "1, 2", &a, err, sizeof err), 0);
    assert_int_equal(a.mask, 0x3);
    assert_int_equal(quiz_parse(qz, "12", &a, err, sizeof err), 0);
    assert_int_equal(a.mask, 0x3);
    assert_int_equal(quiz_parse(qz, "1 9", &a, err, sizeof err), -1);
    assert_int_equal(quiz_parse(qz, "", &a, err, sizeof err), -1);
    assert_int_equal(quiz_parse(qz, "2;4", &a, err, sizeof err), 0);
    assert_int_equal(quiz_submit(qz, &a, T0, &fb), QUIZ_OK);
    assert_false(fb.correct);
    quiz_next(qz);

    /* truefalse */
    assert_int_equal(quiz_parse(qz, "maybe", &a, err, sizeof err), -1);
    assert_int_equal(quiz_parse(qz, "F", &a, err, sizeof err), 0);
    assert_false(a.tf);
    assert_int_equal(quiz_parse(qz, "True", &a, err, sizeof err), 0);
    assert_true(a.tf);
    quiz_submit(qz, &a, T0, &fb);
    quiz_next(qz);

    /* short */
    assert_int_equal(quiz_parse(qz, "   ", &a, err, sizeof err), -1);
    assert_int_equal(quiz_parse(qz, "quit", &a, err, sizeof err), 0);
    quiz_submit(qz, &a, T0, &fb);
    assert_true(fb.correct);
    quiz_next(qz);

    /* order: shown shuffled, never in the right order; answer by displayed numbers */
    const lesson_question *q = quiz_current(qz);
    assert_int_equal(q->kind, LESSON_Q_ORDER);
    bool identity = true;
    char text[32] = "";
    for (size_t k = 0; k < q->n_items; k++) {
        identity = identity && quiz_display(qz, k) == k;
        /* where is item k shown? */
        for (size_t pos = 0; pos < q->n_items; pos++)
            if (quiz_display(qz, pos) == k)
                snprintf(text + strlen(text), sizeof text - strlen(text), "%zu ", pos + 1);
    }
    assert_false(identity);
    assert_int_equal(quiz_parse(qz, "1 2 3", &a, err, sizeof err), -1);
    assert_int_equal(quiz_parse(qz, "1 1 2 3 4", &a, err, sizeof err), -1);
    assert_int_equal(quiz_parse(qz, text, &a, err, sizeof err), 0);
    assert_int_equal(quiz_submit(qz, &a, T0, &fb), QUIZ_OK);
    assert_true(fb.correct);
    quiz_next(qz);

    /* match: "1b 2a 3c" or "bac" */
    q = quiz_current(qz);
    assert_int_equal(q->kind, LESSON_Q_MATCH);
    char letters[8] = "";
    for (size_t left = 0; left < q->n_pairs; left++)
        for (size_t pos = 0; pos < q->n_pairs; pos++)
            if (quiz_display(qz, pos) == left)
                letters[left] = (char)('a' + pos);
    char numbered[32];
    snprintf(numbered, sizeof numbered, "3%c 1%c 2%c", letters[2], letters[0], letters[1]);
    assert_int_equal(quiz_parse(qz, numbered, &a, err, sizeof err), 0);
    assert_int_equal(a.n_match, 3);
    assert_int_equal(quiz_parse(qz, "aab", &a, err, sizeof err), -1);
    assert_int_equal(quiz_parse(qz, "ab", &a, err, sizeof err), -1);
    assert_int_equal(quiz_parse(qz, "1a 4b", &a, err, sizeof err), -1);
    assert_int_equal(quiz_parse(qz, letters, &a, err, sizeof err), 0);
    assert_int_equal(quiz_submit(qz, &a, T0, &fb), QUIZ_OK);
    assert_true(fb.correct);
    quiz_next(qz);

    /* the missed multi comes back once, at the end */
    q = quiz_current(qz);
    assert_non_null(q);
    assert_string_equal(q->id, "sample-basics-002");
    assert_true(quiz_is_repeat(qz));
    assert_int_equal(quiz_total(qz), 7);
    assert_int_equal(quiz_parse(qz, "2 1", &a, err, sizeof err), 0);
    quiz_submit(qz, &a, T0, &fb);
    assert_true(fb.correct);
    quiz_next(qz);
    assert_null(quiz_current(qz));
    assert_true(quiz_finished(qz));
    assert_int_equal(quiz_parse(qz, "1", &a, err, sizeof err), -1);
    assert_int_equal(quiz_submit(qz, &a, T0, &fb), QUIZ_FINISHED);

    /* the score counts first tries only */
    size_t right, answered, total;
    quiz_score(qz, &right, &answered, &total);
    assert_int_equal(right, 5);
    assert_int_equal(answered, 6);
    assert_int_equal(total, 6);
    quiz_free(qz);
    lesson_free(l);
}

static void test_parse_predict(void **state)
{
    (void)state;
    char err[256];
    quiz_answer a;
    lesson *l =
        load_q("{\"id\": \"p-2\", \"kind\": \"predict\", \"prompt\": \"P\", \"explanation\": \"E\","
               " \"refs\": [\"R\"], \"at\": {\"scenario\": \"basic\", \"reply_to\": \"DATA\"},"
               " \"choices\": [\"250 OK\", \"354 Start mail input\"], \"answer\": 2}");
    quiz *qz = one_question_quiz(l);
    assert_int_equal(quiz_parse(qz, "2", &a, err, sizeof err), 0);
    assert_int_equal(a.choice, 2);
    assert_int_equal(quiz_parse(qz, "354", &a, err, sizeof err), 0); /* a typed code */
    assert_int_equal(a.choice, 2);
    assert_int_equal(quiz_parse(qz, "550", &a, err, sizeof err), 0); /* no such choice: wrong */
    quiz_feedback fb;
    assert_int_equal(quiz_submit(qz, &a, T0, &fb), QUIZ_OK);
    assert_false(fb.correct);
    quiz_free(qz);
    lesson_free(l);

    l = load_q("{\"id\": \"p-1\", \"kind\": \"predict\", \"prompt\": \"P\", \"explanation\": \"E\","
               " \"refs\": [\"R\"], \"at\": {\"scenario\": \"basic\", \"step\": 5}, \"accept\": "
               "[\"550\"]}");
    qz = one_question_quiz(l);
    assert_int_equal(quiz_parse(qz, "five fifty", &a, err, sizeof err), -1);
    assert_string_equal(err, "type a three-digit reply code, like 250");
    assert_int_equal(quiz_parse(qz, "550", &a, err, sizeof err), 0);
    assert_int_equal(quiz_submit(qz, &a, T0, &fb), QUIZ_OK);
    assert_true(fb.correct);
    quiz_free(qz);
    lesson_free(l);

    /* a predict question with no truth at all (no world, no accept) is left out */
    l = load_q("{\"id\": \"p-3\", \"kind\": \"predict\", \"prompt\": \"P\", \"explanation\": \"E\","
               " \"refs\": [\"R\"], \"at\": {\"scenario\": \"basic\", \"step\": 5}}");
    quiz_options o;
    quiz_options_init(&o, QUIZ_PRACTICE, T0, 1);
    const lesson *ls[] = {l};
    assert_null(quiz_new(ls, 1, NULL, &o, err, sizeof err));
    assert_string_equal(err, "no questions that can be graded");
    l->questions[0].predict_code = 250; /* as if the world had been built */
    qz = quiz_new(ls, 1, NULL, &o, err, sizeof err);
    assert_non_null(qz);
    quiz_free(qz);
    lesson_free(l);
}

/* --- practice across sessions --------------------------------------------------------------- */

/* answer every question of a session: right unless its id is in `miss` */
static void run_session(quiz *qz, const char *miss, int64_t now)
{
    const lesson_question *q;
    while ((q = quiz_current(qz))) {
        bool wrong = miss && strstr(miss, q->id) && !quiz_is_repeat(qz);
        quiz_answer a = {0};
        switch (q->kind) {
        case LESSON_Q_SINGLE:
            a.choice = wrong ? (q->answer % (int)q->n_choices) + 1 : q->answer;
            break;
        case LESSON_Q_MULTI:
            a.mask = wrong ? ~q->answer_mask & ((1u << q->n_choices) - 1) : q->answer_mask;
            break;
        case LESSON_Q_TRUEFALSE:
            a.tf = wrong ? !q->answer_tf : q->answer_tf;
            break;
        case LESSON_Q_SHORT:
            strcpy(a.text, wrong ? "nonsense" : q->accept[0]);
            break;
        case LESSON_Q_ORDER:
            a.n_order = q->n_items;
            for (size_t k = 0; k < q->n_items; k++)
                for (size_t pos = 0; pos < q->n_items; pos++)
                    if (quiz_display(qz, pos) == k)
                        a.order[k] = pos;
            if (wrong) {
                size_t t = a.order[0];
                a.order[0] = a.order[1];
                a.order[1] = t;
            }
            break;
        case LESSON_Q_MATCH:
            a.n_match = q->n_pairs;
            for (size_t left = 0; left < q->n_pairs; left++)
                for (size_t pos = 0; pos < q->n_pairs; pos++)
                    if (quiz_display(qz, pos) == left)
                        a.match[left] = pos;
            if (wrong) {
                size_t t = a.match[0];
                a.match[0] = a.match[1];
                a.match[1] = t;
            }
            break;
        case LESSON_Q_PREDICT:
            snprintf(a.text, sizeof a.text, "%d", wrong ? 999 : q->predict_code);
            break;
        }
        quiz_feedback fb;
        assert_int_equal(quiz_submit(qz, &a, now, &fb), QUIZ_OK);
        if (fb.shown)
            assert_int_equal(fb.correct, !wrong);
        quiz_next(qz);
    }
}

static void test_practice_schedule(void **state)
{
    (void)state;
    lesson *l = load("sample-basics.json");
    const lesson *ls[] = {l};
    progress *p = progress_new();
    char err[256];
    quiz_options o;

    /* session 1: everything is new, in lesson order; miss two */
    quiz_options_init(&o, QUIZ_PRACTICE, T0, 1);
    quiz *qz = quiz_new(ls, 1, p, &o, err, sizeof err);
    assert_non_null(qz);
    assert_int_equal(quiz_total(qz), 6);
    assert_string_equal(quiz_current(qz)->id, "sample-basics-001");
    run_session(qz, "sample-basics-003 sample-basics-005", T0);
    assert_int_equal(quiz_total(qz), 8); /* two repeats */
    size_t right;
    quiz_score(qz, &right, NULL, NULL);
    assert_int_equal(right, 4);
    quiz_free(qz);
    assert_int_equal(progress_get(p, "sample-basics-003")->box, 1); /* the repeat did not count */
    assert_int_equal(progress_get(p, "sample-basics-001")->box, 2);

    /* session 2, an hour later: only the two misses are due, shakiest first */
    quiz_options_init(&o, QUIZ_PRACTICE, T0 + HOUR, 2);
    qz = quiz_new(ls, 1, p, &o, err, sizeof err);
    assert_non_null(qz);
    assert_int_equal(quiz_total(qz), 2);
    assert_false(quiz_practising_all(qz));
    assert_string_equal(quiz_current(qz)->id, "sample-basics-003");
    run_session(qz, NULL, T0 + HOUR);
    quiz_free(qz);

    /* session 3, two hours later: nothing due; practise everything, next due reported */
    quiz_options_init(&o, QUIZ_PRACTICE, T0 + 2 * HOUR, 3);
    qz = quiz_new(ls, 1, p, &o, err, sizeof err);
    assert_non_null(qz);
    assert_true(quiz_practising_all(qz));
    assert_int_equal(quiz_next_due(qz), T0 + DAY);
    assert_int_equal(quiz_total(qz), 6);
    quiz_free(qz);

    /* a day later the four answered right in session 1 are due; --count limits */
    quiz_options_init(&o, QUIZ_PRACTICE, T0 + DAY, 4);
    o.count = 3;
    qz = quiz_new(ls, 1, p, &o, err, sizeof err);
    assert_non_null(qz);
    assert_int_equal(quiz_total(qz), 3);
    quiz_free(qz);
    progress_free(p);
    lesson_free(l);
}

static void test_review(void **state)
{
    (void)state;
    lesson *l = load("sample-basics.json");
    const lesson *ls[] = {l};
    progress *p = progress_new();
    char err[256];
    quiz_options o;
    quiz_options_init(&o, QUIZ_REVIEW, T0, 1);
    assert_null(quiz_new(ls, 1, p, &o, err, sizeof err));
    assert_non_null(strstr(err, "nothing to review"));

    progress_record(p, "sample-basics-002", false, T0);
    progress_record(p, "sample-basics-004", true, T0);
    progress_record(p, "sample-basics-006", false, T0);
    quiz *qz = quiz_new(ls, 1, p, &o, err, sizeof err);
    assert_non_null(qz);
    assert_int_equal(quiz_total(qz), 2);
    assert_string_equal(quiz_current(qz)->id, "sample-basics-002");
    run_session(qz, NULL, T0 + 1);
    assert_int_equal(quiz_total(qz), 2); /* no repeats in review */
    quiz_free(qz);
    /* answered right now: nothing left to review */
    assert_null(quiz_new(ls, 1, p, &o, err, sizeof err));
    progress_free(p);
    lesson_free(l);
}

/* --- exam ---------------------------------------------------------------------------------- */

static void test_exam(void **state)
{
    (void)state;
    lesson *a = load("sample-basics.json"), *b = load("sample-ports.json");
    const lesson *ls[] = {a, b};
    progress *p = progress_new();
    char err[256];
    quiz_options o;
    quiz_options_init(&o, QUIZ_EXAM, T0, 42);
    o.count = 5;
    quiz *qz = quiz_new(ls, 2, p, &o, err, sizeof err);
    assert_non_null(qz);
    assert_int_equal(quiz_get_mode(qz), QUIZ_EXAM);
    assert_int_equal(quiz_total(qz), 5);
    /* the same seed draws the same questions */
    quiz *again = quiz_new(ls, 2, p, &o, err, sizeof err);
    for (size_t i = 0; i < 5; i++)
        assert_ptr_equal(quiz_result_at(qz, i)->q, quiz_result_at(again, i)->q);
    quiz_free(again);
    /* distinct questions */
    for (size_t i = 0; i < 5; i++)
        for (size_t j = i + 1; j < 5; j++)
            assert_ptr_not_equal(quiz_result_at(qz, i)->q, quiz_result_at(qz, j)->q);
    /* different seeds give different exams (at least one of several differs) */
    bool differs = false;
    for (uint64_t s = 1; s < 6 && !differs; s++) {
        quiz_options o2 = o;
        o2.seed = s;
        quiz *other = quiz_new(ls, 2, p, &o2, err, sizeof err);
        for (size_t i = 0; i < 5; i++)
            differs = differs || quiz_result_at(other, i)->q != quiz_result_at(qz, i)->q;
        quiz_free(other);
    }
    assert_true(differs);

    /* no going back, no skipping, no feedback */
    const lesson_question *first = quiz_current(qz);
    quiz_next(qz);
    assert_ptr_equal(quiz_current(qz), first);
    quiz_answer ans = {0};
    ans.choice = 1;
    ans.mask = 1;
    ans.tf = true;
    ans.n_order = first->n_items;
    ans.n_match = first->n_pairs;
    for (size_t i = 0; i < LESSON_MAX_ITEMS; i++)
        ans.order[i] = ans.match[i] = i;
    strcpy(ans.text, "x");
    quiz_feedback fb;
    assert_int_equal(quiz_submit(qz, &ans, T0 + 10, &fb), QUIZ_OK);
    assert_false(fb.shown);
    assert_null(fb.explanation);
    quiz_result_feedback(qz, 0, &fb);
    assert_false(fb.shown); /* not before the end */
    quiz_next(qz);
    assert_int_equal(quiz_position(qz), 1);
    assert_int_equal(quiz_time_left(qz, T0), INT64_MAX);
    /* answer the rest right */
    run_session(qz, NULL, T0 + 20);
    quiz_finish(qz, T0 + 30);
    size_t right, answered, total;
    quiz_score(qz, &right, &answered, &total);
    assert_int_equal(answered, 5);
    assert_int_equal(total, 5);
    assert_true(right >= 4);
    quiz_result_feedback(qz, 1, &fb);
    assert_true(fb.shown && fb.correct);
    assert_non_null(fb.explanation);

    /* report by topic adds up */
    quiz_topic_score ts[QUIZ_MAX_TOPICS];
    size_t nt = quiz_report(qz, ts, QUIZ_MAX_TOPICS);
    size_t sum = 0, sum_right = 0;
    for (size_t i = 0; i < nt; i++) {
        sum += ts[i].total;
        sum_right += ts[i].right;
        assert_true(ts[i].right <= ts[i].total);
    }
    assert_int_equal(sum, 5);
    assert_int_equal(sum_right, right);
    /* exam answers are kept in the progress */
    assert_non_null(progress_get(p, first->id));
    quiz_free(qz);

    /* more questions asked for than exist: all of them */
    o.count = 100;
    qz = quiz_new(ls, 2, p, &o, err, sizeof err);
    assert_int_equal(quiz_total(qz), 9);
    quiz_free(qz);
    progress_free(p);
    lesson_free(a);
    lesson_free(b);
}

static void test_exam_time_limit(void **state)
{
    (void)state;
    lesson *l = load("sample-ports.json");
    const lesson *ls[] = {l};
    char err[256];
    quiz_options o;
    quiz_options_init(&o, QUIZ_EXAM, T0, 9);
    o.count = 3;
    o.time_limit = 60;
    quiz *qz = quiz_new(ls, 1, NULL, &o, err, sizeof err);
    assert_non_null(qz);
    assert_int_equal(quiz_time_left(qz, T0 + 15), 45);
    quiz_answer a;
    const lesson_question *q = quiz_current(qz);
    const char *answer = q->kind == LESSON_Q_SINGLE ? "3" : q->kind == LESSON_Q_SHORT ? "25" : "t";
    assert_int_equal(quiz_parse(qz, answer, &a, err, sizeof err), 0);
    quiz_feedback fb;
    assert_int_equal(quiz_submit(qz, &a, T0 + 60, &fb), QUIZ_OK); /* on the last second */
    quiz_next(qz);
    q = quiz_current(qz);
    answer = q->kind == LESSON_Q_SINGLE ? "3" : q->kind == LESSON_Q_SHORT ? "25" : "t";
    assert_int_equal(quiz_parse(qz, answer, &a, err, sizeof err), 0);
    assert_int_equal(quiz_submit(qz, &a, T0 + 61, &fb), QUIZ_TIME_UP); /* too late */
    assert_true(quiz_finished(qz));
    assert_null(quiz_current(qz));
    size_t right, answered, total;
    quiz_score(qz, &right, &answered, &total);
    assert_int_equal(right, 1);
    assert_int_equal(answered, 1);
    assert_int_equal(total, 3);
    assert_false(quiz_result_at(qz, 1)->answered);
    quiz_free(qz);
    lesson_free(l);
}

#define FIVE_CHOICES                                                                               \
    "{\"id\": \"s-1\", \"kind\": \"single\", \"prompt\": \"P\", \"choices\": [\"alpha\", "    \
    "\"bravo\", \"charlie\", \"delta\", \"all of the above\"], \"answer\": 2, \"pin\": [5], "    \
    "\"explanation\": \"E\", \"refs\": [\"RFC 5321 1\"]}"

static void test_shuffle_choices(void **state)
{
    (void)state;
    lesson *l = load_q(FIVE_CHOICES);
    const lesson_question *q = &l->questions[0];
    assert_int_equal(q->pin_mask, 0x10);
    unsigned positions = 0; /* where the right answer was shown, over the seeds */
    bool moved = false;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        size_t perm[LESSON_MAX_ITEMS], again[LESSON_MAX_ITEMS];
        uint64_t r1 = seed, r2 = seed;
        quiz_shuffle_choices(q, &r1, perm);
        quiz_shuffle_choices(q, &r2, again);
        assert_memory_equal(perm, again, sizeof perm); /* deterministic per seed */
        assert_int_equal(perm[4], 4);                  /* pinned: stays last */
        unsigned seen = 0;
        for (size_t i = 0; i < 5; i++)
            seen |= 1u << perm[i];
        assert_int_equal(seen, 0x1f); /* a permutation */
        for (size_t i = 0; i < 5; i++)
            if (perm[i] == 1)
                positions |= 1u << i;
        moved = moved || perm[0] != 0 || perm[1] != 1;
    }
    assert_true(moved);
    assert_int_equal(positions, 0x0f); /* the answer sits anywhere but the pinned place */

    /* a session: the displayed number is turned into the choice's identity */
    const lesson *ls[] = {l};
    char err[256];
    for (uint64_t seed = 1; seed <= 8; seed++) {
        quiz_options o;
        quiz_options_init(&o, QUIZ_EXAM, T0, seed);
        quiz *qz = quiz_new(ls, 1, NULL, &o, err, sizeof err);
        assert_non_null(qz);
        size_t shown_at = 0;
        for (size_t pos = 0; pos < 5; pos++)
            if (quiz_display(qz, pos) == 1)
                shown_at = pos + 1;
        assert_int_not_equal(shown_at, 0);
        char typed[8];
        snprintf(typed, sizeof typed, "%zu", shown_at);
        quiz_answer a;
        assert_int_equal(quiz_parse(qz, typed, &a, err, sizeof err), 0);
        assert_int_equal(a.choice, 2); /* identity, whatever the position */
        quiz_feedback fb;
        assert_int_equal(quiz_submit(qz, &a, T0, &fb), QUIZ_OK);
        quiz_next(qz);
        quiz_result_feedback(qz, 0, &fb);
        assert_true(fb.correct);
        char want[64];
        snprintf(want, sizeof want, "%zu. bravo", shown_at);
        assert_string_equal(fb.right, want); /* spelled as it was shown */
        assert_string_equal(fb.given, want);
        quiz_free(qz);
    }
    lesson_free(l);

    /* a pin must name existing choices, and only on kinds with choices */
    char buf[2048], e[2048];
    snprintf(buf, sizeof buf,
             "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, \"topics\": [\"x\"], \"intro\": "
             "\"I\", \"questions\": [{\"id\": \"t-1\", \"kind\": \"truefalse\", \"prompt\": \"P\","
             " \"answer\": true, \"pin\": [1], \"explanation\": \"E\", \"refs\": [\"R\"]}]}");
    assert_null(lesson_load_buffer("t.json", buf, strlen(buf), e, sizeof e));
    assert_non_null(strstr(e, "pin"));
    snprintf(buf, sizeof buf,
             "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, \"topics\": [\"x\"], \"intro\": "
             "\"I\", \"questions\": [{\"id\": \"t-1\", \"kind\": \"single\", \"prompt\": \"P\","
             " \"choices\": [\"a\", \"b\"], \"answer\": 1, \"pin\": [3], \"explanation\": \"E\","
             " \"refs\": [\"R\"]}]}");
    assert_null(lesson_load_buffer("t.json", buf, strlen(buf), e, sizeof e));
    assert_non_null(strstr(e, "questions[0].pin[0]: choice 3 does not exist"));
}

#define SINGLE_Q(n)                                                                                \
    "{\"id\": \"e-" #n "\", \"kind\": \"single\", \"prompt\": \"P" #n "\", \"choices\": "        \
    "[\"x\", \"y\"], \"answer\": 1, \"pin\": [1, 2], \"explanation\": \"E\", \"refs\": [\"R\"]}"

static void test_exam_score_counts_unanswered(void **state)
{
    (void)state;
    lesson *l = load_q(SINGLE_Q(1) "," SINGLE_Q(2) "," SINGLE_Q(3) "," SINGLE_Q(4) ","
                       SINGLE_Q(5));
    const lesson *ls[] = {l};
    char err[256];
    quiz_options o;
    quiz_options_init(&o, QUIZ_EXAM, T0, 3);
    o.count = 5;
    quiz *qz = quiz_new(ls, 1, NULL, &o, err, sizeof err);
    assert_non_null(qz);
    quiz_answer a = {0};
    a.choice = 1;
    quiz_feedback fb;
    assert_int_equal(quiz_submit(qz, &a, T0 + 1, &fb), QUIZ_OK);
    quiz_next(qz);
    quiz_finish(qz, T0 + 2); /* the student quits: four left unanswered */
    size_t right, answered, total;
    quiz_score(qz, &right, &answered, &total);
    assert_int_equal(right, 1);
    assert_int_equal(answered, 1);
    assert_int_equal(total, 5);
    assert_int_equal(quiz_percent(qz), 20); /* 1/5, never 1/1 */
    assert_true(quiz_passed(qz, 20));
    assert_false(quiz_passed(qz, 21));
    assert_false(quiz_passed(qz, 80));
    assert_false(quiz_time_ran_out(qz));
    quiz_result_feedback(qz, 3, &fb);
    assert_false(fb.correct);
    assert_string_equal(fb.given, ""); /* nothing given, nothing claimed */
    quiz_free(qz);

    /* time runs out: the rest count as wrong, and the session says why */
    o.time_limit = 60;
    qz = quiz_new(ls, 1, NULL, &o, err, sizeof err);
    assert_int_equal(quiz_submit(qz, &a, T0 + 30, &fb), QUIZ_OK);
    quiz_next(qz);
    quiz_finish(qz, T0 + 61);
    assert_true(quiz_time_ran_out(qz));
    assert_int_equal(quiz_percent(qz), 20);
    quiz_free(qz);
    lesson_free(l);
}

static void test_rng(void **state)
{
    (void)state;
    uint64_t s1 = 5, s2 = 5, s3 = 6;
    uint64_t a = quiz_rng(&s1), b = quiz_rng(&s2), c = quiz_rng(&s3);
    assert_true(a == b);
    assert_true(a != c);
    assert_true(quiz_rng(&s1) != a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grade_choice_kinds),
        cmocka_unit_test(test_grade_text_kinds),
        cmocka_unit_test(test_grade_predict),
        cmocka_unit_test(test_grade_predict_status),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_predict),
        cmocka_unit_test(test_practice_schedule),
        cmocka_unit_test(test_review),
        cmocka_unit_test(test_exam),
        cmocka_unit_test(test_exam_time_limit),
        cmocka_unit_test(test_shuffle_choices),
        cmocka_unit_test(test_exam_score_counts_unanswered),
        cmocka_unit_test(test_rng),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
