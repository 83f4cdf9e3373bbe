/* test_lesson.c - lesson.c: loading every kind, schema errors by path, hostile files,
 * normalising typed answers, resolving predict questions against a run's steps, and which
 * narration step illustrates a question. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/teach/lesson.h"
#include "core/teach/lesson_run.h"

static const char *data(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("SMTPSIM_DATA");
    snprintf(buf, sizeof buf, "%s/tests/data/lessons/%s", root && *root ? root : ".", rel);
    return buf;
}

/* A valid lesson with one question whose JSON is given. */
static lesson *load_q(const char *question_json, char *err, size_t errlen)
{
    char buf[8192];
    snprintf(buf, sizeof buf,
             "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, \"topics\": [\"top\"],"
             " \"intro\": \"I\", \"questions\": [%s]}",
             question_json);
    return lesson_load_buffer("t.json", buf, strlen(buf), err, errlen);
}

#define Q_HEAD                                                                                     \
    "\"id\": \"t-1\", \"prompt\": \"P\", \"explanation\": \"E\", \"refs\": [\"RFC 5321\"], "

static void expect_error(const char *question_json, const char *want)
{
    char err[4096];
    lesson *l = load_q(question_json, err, sizeof err);
    if (l || !strstr(err, want))
        fail_msg("for %s\n  wanted: %s\n  got: %s", question_json, want, l ? "(loaded)" : err);
    lesson_free(l);
}

static void test_load_samples(void **state)
{
    (void)state;
    char err[4096];
    lesson *l = lesson_load(data("sample-basics.json"), err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    assert_string_equal(l->id, "sample-basics");
    assert_int_equal(l->version, 1);
    assert_int_equal(l->n_topics, 2);
    assert_null(l->scenario);
    assert_int_equal(l->n_questions, 6);
    const lesson_question *q = &l->questions[0];
    assert_int_equal(q->kind, LESSON_Q_SINGLE);
    assert_int_equal(q->answer, 3);
    assert_int_equal(q->n_choices, 4);
    assert_null(q->why_not[2]);
    assert_non_null(q->why_not[0]);
    assert_int_equal(q->difficulty, 1);
    assert_int_equal(l->questions[1].kind, LESSON_Q_MULTI);
    assert_int_equal(l->questions[1].answer_mask, 0x3);
    assert_int_equal(l->questions[2].kind, LESSON_Q_TRUEFALSE);
    assert_true(l->questions[2].answer_tf);
    assert_int_equal(l->questions[2].difficulty, 2); /* default */
    assert_int_equal(l->questions[3].kind, LESSON_Q_SHORT);
    assert_string_equal(l->questions[3].accept[0], "QUIT");
    assert_int_equal(l->questions[4].kind, LESSON_Q_ORDER);
    assert_int_equal(l->questions[4].n_items, 5);
    assert_string_equal(l->questions[4].items[0], "EHLO");
    assert_int_equal(l->questions[5].kind, LESSON_Q_MATCH);
    assert_int_equal(l->questions[5].n_pairs, 3);
    assert_string_equal(l->questions[5].right[1], "Start mail input");
    assert_string_equal(lesson_question_topic(&l->questions[5]), "replies");
    assert_ptr_equal(lesson_find_question(l, "sample-basics-004"), &l->questions[3]);
    assert_null(lesson_find_question(l, "nope"));
    assert_ptr_equal(l->questions[3].lesson, l);
    lesson_free(l);

    l = lesson_load(data("sample-ports.json"), err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    assert_int_equal(l->version, 2);
    /* no tags: the lesson's topics */
    assert_int_equal(l->questions[1].n_tags, 1);
    lesson_free(l);
    lesson_free(NULL);
}

static void test_broken_files(void **state)
{
    (void)state;
    static const struct {
        const char *file, *want;
    } cases[] = {
        {"broken/syntax.json", "broken/syntax.json:4:3: JSON syntax error"},
        {"broken/wrong-types.json", "broken/wrong-types.json: version: expected an integer"},
        {"broken/wrong-types.json", "questions[0].answer: expected true or false"},
        {"broken/bad-answer.json",
         "broken/bad-answer.json: questions[3].answer: choice 5 does not exist (4 choices)"},
        {"broken/invalid-utf8.json", "broken/invalid-utf8.json:3:21: invalid UTF-8"},
        {"broken/deep.json", "nested deeper than 64 levels"},
        {"broken/no-such-file.json", "No such file or directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[4096];
        lesson *l = lesson_load(data(cases[i].file), err, sizeof err);
        if (l || !strstr(err, cases[i].want))
            fail_msg("%s: wanted '%s', got '%s'", cases[i].file, cases[i].want, l ? "ok" : err);
    }
}

static void test_huge_file(void **state)
{
    (void)state;
    /* generated on the fly: a valid-looking lesson padded past the limit */
    char path[] = "/tmp/test_lesson_huge_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    fputs("{\"id\": \"huge\", \"intro\": \"", f);
    for (size_t i = 0; i < LESSON_MAX_FILE_BYTES / 64 + 10; i++)
        fputs("0123456789012345678901234567890123456789012345678901234567890123", f);
    fputs("\"}", f);
    fclose(f);
    char err[512];
    assert_null(lesson_load(path, err, sizeof err));
    assert_non_null(strstr(err, "larger than"));
    unlink(path);
}

static void test_schema_errors(void **state)
{
    (void)state;
    expect_error("{" Q_HEAD "\"kind\": \"single\", \"choices\": [\"a\", \"b\"], \"answer\": 0}",
                 "t.json: questions[0].answer: choice 0 does not exist (2 choices)");
    expect_error("{" Q_HEAD "\"kind\": \"single\", \"choices\": [\"a\", \"b\"], \"answer\": 1.5}",
                 "questions[0].answer: expected a choice number (1-2)");
    expect_error("{" Q_HEAD "\"kind\": \"single\", \"choices\": [\"a\"], \"answer\": 1}",
                 "questions[0].choices: needs at least 2 items");
    expect_error("{" Q_HEAD "\"kind\": \"single\", \"choices\": [\"a\", \"A\"], \"answer\": 1}",
                 "questions[0].choices[1]: same as item 1");
    expect_error("{" Q_HEAD "\"kind\": \"single\", \"choices\": [\"a\",\"b\",\"c\",\"d\",\"e\","
                 "\"f\",\"g\",\"h\",\"i\",\"j\"], \"answer\": 1}",
                 "questions[0].choices: more than 9 items");
    expect_error("{" Q_HEAD "\"kind\": \"choice\"}", "questions[0].kind: unknown kind \"choice\"");
    expect_error("{" Q_HEAD "\"kind\": \"single\", \"choices\": [\"a\", \"b\"], \"answer\": 1,"
                 " \"explantion\": \"typo\"}",
                 "questions[0].explantion: unknown field");
    expect_error("{\"id\": \"t-1\", \"kind\": \"truefalse\", \"prompt\": \"P\", \"answer\": true,"
                 " \"explanation\": \"E\"}",
                 "questions[0].refs: missing (required)");
    expect_error("{" Q_HEAD
                 "\"kind\": \"truefalse\", \"answer\": true, \"choices\": [\"a\", \"b\"]}",
                 "questions[0].choices: not used by 'truefalse' questions");
    expect_error("{" Q_HEAD "\"kind\": \"short\", \"accept\": []}",
                 "questions[0].accept: needs at least 1 item");
    expect_error("{" Q_HEAD "\"kind\": \"short\", \"accept\": [\"x\"], \"answer\": 1}",
                 "questions[0].answer: not used by 'short' questions");
    expect_error("{" Q_HEAD "\"kind\": \"multi\", \"choices\": [\"a\", \"b\"], \"answer\": [1, 1]}",
                 "questions[0].answer[1]: choice 1 listed twice");
    expect_error("{" Q_HEAD "\"kind\": \"multi\", \"choices\": [\"a\", \"b\"], \"answer\": 1}",
                 "questions[0].answer: expected an array of choice numbers");
    expect_error("{" Q_HEAD
                 "\"kind\": \"multi\", \"choices\": [\"a\", \"b\", \"c\"], \"answer\": [2, 4]}",
                 "questions[0].answer[1]: choice 4 does not exist (3 choices)");
    expect_error("{" Q_HEAD "\"kind\": \"single\", \"choices\": [\"a\", \"b\"], \"answer\": 1,"
                 " \"why_not\": [null]}",
                 "questions[0].why_not: has 1 entries, expected 2");
    expect_error("{" Q_HEAD "\"kind\": \"single\", \"choices\": [\"a\", \"b\"], \"answer\": 1,"
                 " \"why_not\": [\"x\", null]}",
                 "questions[0].why_not[0]: choice 1 is a right answer: use null");
    expect_error("{" Q_HEAD "\"kind\": \"short\", \"accept\": [\"x\"], \"why_not\": [\"a\"]}",
                 "questions[0].why_not: only for questions with choices");
    expect_error("{" Q_HEAD "\"kind\": \"order\", \"items\": [\"a\", \"b\", \"a\"]}",
                 "questions[0].items[2]: same as item 1");
    expect_error("{" Q_HEAD "\"kind\": \"match\", \"pairs\": [[\"a\", \"b\"], [\"c\"]]}",
                 "questions[0].pairs[1]: expected [\"left\", \"right\"]");
    expect_error("{" Q_HEAD "\"kind\": \"match\", \"pairs\": [[\"a\", \"b\"]]}",
                 "questions[0].pairs: needs at least 2 pairs");
    expect_error("{" Q_HEAD "\"kind\": \"predict\", \"accept\": [\"250\"]}",
                 "questions[0].at: missing (required)");
    expect_error("{" Q_HEAD "\"kind\": \"predict\", \"at\": {\"reply_to\": \"RCPT\"}}",
                 "questions[0].at.scenario: missing (required)"); /* lesson has no scenario */
    expect_error("{" Q_HEAD "\"kind\": \"predict\", \"at\": {\"scenario\": \"b\", \"reply_to\":"
                 " \"RCPT\", \"step\": 3}}",
                 "questions[0].at: needs either \"reply_to\"");
    expect_error("{" Q_HEAD "\"kind\": \"predict\", \"at\": {\"scenario\": \"b\", \"step\": 3},"
                 " \"accept\": [\"fine\"]}",
                 "questions[0].accept: \"fine\" is not a reply code or status");
    expect_error("{" Q_HEAD "\"kind\": \"predict\", \"at\": {\"scenario\": \"b\", \"step\": 3},"
                 " \"choices\": [\"Fine\", \"550 no\"], \"answer\": 1}",
                 "questions[0].choices: choice 1 (the answer) must start with a reply code or a "
                 "status");
    /* a status and a code cannot both be the truth */
    expect_error("{" Q_HEAD "\"kind\": \"predict\", \"at\": {\"scenario\": \"b\", \"step\": 3},"
                 " \"accept\": [\"-ERR\", \"550\"]}",
                 "questions[0].accept: accepted codes disagree");
    expect_error(
        "{\"id\": \"Bad Id\", \"kind\": \"truefalse\", \"prompt\": \"P\", \"answer\": true,"
        " \"explanation\": \"E\", \"refs\": [\"R\"]}",
        "questions[0].id: expected [a-z0-9-]+");
    expect_error("{" Q_HEAD "\"kind\": \"truefalse\", \"answer\": true, \"difficulty\": 4}",
                 "questions[0].difficulty: expected an integer 1-3");
    expect_error("42", "questions[0]: expected an object");
}

static void test_lesson_level_errors(void **state)
{
    (void)state;
    char err[4096];
    const char *tf =
        "{\"id\": \"x-1\", \"kind\": \"truefalse\", \"prompt\": \"P\", \"answer\": true,"
        " \"explanation\": \"E\", \"refs\": [\"R\"]}";
    char buf[4096];
    /* several errors in one load, one line each */
    snprintf(
        buf, sizeof buf,
        "{\"id\": \"t\", \"title\": \"T\", \"version\": 0, \"topics\": [\"a\"], \"intro\": \"I\","
        " \"questions\": [%s, {\"id\": \"x-2\", \"kind\": \"single\", \"prompt\": \"P\","
        " \"choices\": [\"a\", \"b\"], \"answer\": 3, \"explanation\": \"E\", \"refs\": [\"R\"]},"
        " %s]}",
        tf, tf);
    assert_null(lesson_load_buffer("m.json", buf, strlen(buf), err, sizeof err));
    assert_non_null(strstr(err, "m.json: version: expected an integer 1-1000000\n"));
    assert_non_null(
        strstr(err, "m.json: questions[1].answer: choice 3 does not exist (2 choices)\n"));
    assert_non_null(
        strstr(err, "m.json: questions[2].id: duplicate id \"x-1\" (also questions[0])\n"));
    /* narration needs a scenario */
    snprintf(
        buf, sizeof buf,
        "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, \"topics\": [\"a\"], \"intro\": \"I\","
        " \"narration\": [{\"step\": 1, \"text\": \"x\"}], \"questions\": [%s]}",
        tf);
    assert_null(lesson_load_buffer("n.json", buf, strlen(buf), err, sizeof err));
    assert_non_null(strstr(err, "n.json: narration: needs \"scenario\""));
    /* with a scenario, narration and predict's default scenario */
    snprintf(
        buf, sizeof buf,
        "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, \"topics\": [\"a\"], \"intro\": \"I\","
        " \"scenario\": \"basic\", \"narration\": [{\"step\": 4, \"text\": \"x\"}],"
        " \"questions\": [{\"id\": \"p-1\", \"kind\": \"predict\", \"prompt\": \"P\","
        " \"at\": {\"reply_to\": \"rcpt\", \"nth\": 2}, \"explanation\": \"E\", \"refs\": "
        "[\"R\"]}]}");
    lesson *l = lesson_load_buffer("s.json", buf, strlen(buf), err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    assert_int_equal(l->n_narration, 1);
    assert_int_equal(l->narration[0].step, 4);
    assert_string_equal(l->questions[0].at.scenario, "basic");
    assert_string_equal(l->questions[0].at.reply_to, "RCPT");
    assert_int_equal(l->questions[0].at.nth, 2);
    assert_int_equal(l->questions[0].predict_code, 0);
    lesson_free(l);
    /* not an object, empty questions, missing fields */
    assert_null(lesson_load_buffer("a.json", "[]", 2, err, sizeof err));
    assert_non_null(strstr(err, "a.json: expected a lesson object"));
    const char *empty = "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, \"topics\": [\"a\"],"
                        " \"intro\": \"I\", \"questions\": []}";
    assert_null(lesson_load_buffer("e.json", empty, strlen(empty), err, sizeof err));
    assert_non_null(strstr(err, "e.json: questions: needs at least 1 question"));
    /* the error list is bounded */
    char *big = malloc(200000);
    assert_non_null(big);
    size_t n = (size_t)sprintf(big, "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, "
                                    "\"topics\": [\"a\"], \"intro\": \"I\", \"questions\": [");
    for (int i = 0; i < 100; i++)
        n += (size_t)sprintf(big + n, "%s{\"id\": \"q%d\"}", i ? "," : "", i);
    n += (size_t)sprintf(big + n, "]}");
    assert_null(lesson_load_buffer("b.json", big, n, err, sizeof err));
    int lines = 0;
    for (const char *p = err; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, LESSON_MAX_ERRORS);
    free(big);
}

/* Every prefix of a valid file either loads or fails cleanly (no crash, no leak). */
static void test_truncations(void **state)
{
    (void)state;
    FILE *f = fopen(data("sample-basics.json"), "rb");
    assert_non_null(f);
    static char buf[65536];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(len > 1000);
    size_t loaded = 0;
    for (size_t cut = 0; cut <= len; cut += 3) {
        char err[4096];
        lesson *l = lesson_load_buffer("cut.json", buf, cut, err, sizeof err);
        if (l)
            loaded++;
        else
            assert_true(err[0] != '\0');
        lesson_free(l);
    }
    assert_true(loaded <= 2); /* only (nearly) the whole file is a lesson */
}

/* Random byte changes (seeded, so a failure replays) never crash the loader or leak. */
static void test_mutations(void **state)
{
    (void)state;
    FILE *f = fopen(data("sample-predict.json"), "rb");
    assert_non_null(f);
    static char orig[65536], buf[65536];
    size_t len = fread(orig, 1, sizeof orig, f);
    fclose(f);
    uint64_t x = 0x2545F4914F6CDD1Dull;
    static const char bytes[] = "{}[]\",:0123456789-truefalsn \\\x80\xff";
    size_t loaded = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, orig, len);
        int edits = 1 + round % 4;
        for (int e = 0; e < edits; e++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[(x >> 8) % len] = bytes[(x >> 40) % (sizeof bytes - 1)];
        }
        char err[4096];
        lesson *l = lesson_load_buffer("mut.json", buf, len, err, sizeof err);
        if (l)
            loaded++;
        else
            assert_true(strncmp(err, "mut.json", 8) == 0); /* every message names the file */
        lesson_free(l);
    }
    assert_true(loaded < 3000);
}

static void test_normalise_and_codes(void **state)
{
    (void)state;
    char out[64];
    lesson_normalise("  MAIL \t  From:  ", out, sizeof out);
    assert_string_equal(out, "mail from:");
    lesson_normalise("", out, sizeof out);
    assert_string_equal(out, "");
    lesson_normalise("Caf\xc3\xa9", out, sizeof out); /* non-ASCII kept as is */
    assert_string_equal(out, "caf\xc3\xa9");
    lesson_normalise("abcdef", out, 4);
    assert_string_equal(out, "abc");
    assert_int_equal(lesson_reply_code("550"), 550);
    assert_int_equal(lesson_reply_code(" 550 5.1.1 User unknown"), 550);
    assert_int_equal(lesson_reply_code("250-PIPELINING"), 250);
    assert_int_equal(lesson_reply_code("5500"), 0);
    assert_int_equal(lesson_reply_code("250, with the list of extensions"), 250);
    assert_int_equal(lesson_reply_code("650"), 0);
    assert_int_equal(lesson_reply_code("OK"), 0);
    assert_int_equal(lesson_reply_code(NULL), 0);
    assert_string_equal(lesson_kind_name(LESSON_Q_PREDICT), "predict");
    assert_int_equal(lesson_kind_parse("match"), LESSON_Q_MATCH);
    assert_int_equal(lesson_kind_parse("bogus"), -1);
}

/* A run: 220, EHLO 250, MAIL 250, RCPT 250, RCPT 550, DATA 354, end 250, QUIT 221 */
static const lesson_step_view run[] = {
    {true, "", 220, NULL}, {false, "EHLO", 0, NULL}, {true, "EHLO", 250, NULL},
    {false, "MAIL", 0, NULL},
    {true, "MAIL", 250, NULL}, {false, "RCPT", 0, NULL}, {true, "RCPT", 250, NULL},
    {false, "RCPT", 0, NULL},
    {true, "RCPT", 550, NULL}, {false, "DATA", 0, NULL}, {true, "DATA", 354, NULL},
    {false, "", 0, NULL},
    {true, "DATA", 250, NULL}, {false, "QUIT", 0, NULL}, {true, "QUIT", 221, NULL},
};
#define N_RUN (sizeof run / sizeof run[0])

static void test_at_find(void **state)
{
    (void)state;
    char err[256];
    lesson_at at = {"basic", "RCPT", 2, -1};
    assert_int_equal(lesson_at_find(&at, run, N_RUN, err, sizeof err), 8);
    at.nth = 3;
    assert_int_equal(lesson_at_find(&at, run, N_RUN, err, sizeof err), -1);
    assert_string_equal(err, "no 3rd reply to RCPT in scenario 'basic' (2 found)");
    lesson_at dot = {"basic", ".", 1, -1}; /* end of data: the DATA reply that is not 354 */
    assert_int_equal(lesson_at_find(&dot, run, N_RUN, err, sizeof err), 12);
    lesson_at st = {"basic", NULL, 1, 14};
    assert_int_equal(lesson_at_find(&st, run, N_RUN, err, sizeof err), 14);
    st.step = 13;
    assert_int_equal(lesson_at_find(&st, run, N_RUN, err, sizeof err), -1);
    assert_string_equal(err, "step 13 of scenario 'basic' is not a reply");
    st.step = 99;
    assert_int_equal(lesson_at_find(&st, run, N_RUN, err, sizeof err), -1);
    assert_string_equal(err, "step 99 does not exist (scenario 'basic' has 15 steps)");
}

static void test_predict_resolve(void **state)
{
    (void)state;
    char err[4096];
    lesson *l = load_q("{" Q_HEAD "\"kind\": \"predict\", \"at\": {\"scenario\": \"basic\","
                       " \"reply_to\": \"RCPT\", \"nth\": 2}, \"accept\": [\"550\"]}",
                       err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    lesson_question *q = &l->questions[0];
    assert_int_equal(q->predict_code, 550); /* from accept, before any world */
    assert_int_equal(lesson_predict_resolve(q, run, N_RUN, err, sizeof err), 0);
    assert_int_equal(q->predict_code, 550);
    /* the world disagrees with accept: an error, and the world wins */
    q->at.nth = 1;
    assert_int_equal(lesson_predict_resolve(q, run, N_RUN, err, sizeof err), -1);
    assert_string_equal(err,
                        "questions[0].accept: says 550 but the scenario replies 250 at step 6");
    assert_int_equal(q->predict_code, 250);
    lesson_free(l);

    l = load_q("{" Q_HEAD "\"kind\": \"predict\", \"at\": {\"scenario\": \"basic\", \"step\": 10},"
               " \"choices\": [\"250 OK\", \"354 Start mail input\"], \"answer\": 1}",
               err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    q = &l->questions[0];
    assert_int_equal(lesson_predict_resolve(q, run, N_RUN, err, sizeof err), -1);
    assert_string_equal(err, "questions[0].answer: choice 1 says 250 but the scenario replies 354 "
                             "at step 10");
    q->answer = 2;
    assert_int_equal(lesson_predict_resolve(q, run, N_RUN, err, sizeof err), 0);
    q->at.step = 11;
    assert_int_equal(lesson_predict_resolve(q, run, N_RUN, err, sizeof err), -1);
    assert_string_equal(err, "questions[0].at: step 11 of scenario 'basic' is not a reply");
    lesson_free(l);
}

/* Narration matching: a question bound to no step is shown at the narration step that talks
 * about the same thing; technical words (MX, 587) count twice; steps past the run never. */
static void test_narration_step(void **state)
{
    (void)state;
    static const char json[] =
        "{\"id\": \"n\", \"title\": \"N\", \"version\": 1, \"topics\": [\"top\"],"
        " \"intro\": \"I\", \"scenario\": \"basic\", \"narration\": ["
        "  {\"step\": 0, \"text\": \"The client connects to the submission server on port 587.\"},"
        "  {\"step\": 7, \"text\": \"The MTA asks the DNS for the MX record of example.org.\"},"
        "  {\"step\": 12, \"text\": \"The message is stored in the mailbox.\"}],"
        " \"questions\": ["
        "  {\"id\": \"n-1\", \"kind\": \"single\", \"prompt\": \"How does the MTA find the"
        " receiving server?\", \"choices\": [\"DNS MX record\", \"Port 25 scan\"],"
        " \"answer\": 1, \"explanation\": \"It asks the DNS for the MX record.\","
        " \"refs\": [\"RFC 5321 5\"]},"
        "  {\"id\": \"n-2\", \"kind\": \"truefalse\", \"prompt\": \"Bananas are yellow.\","
        " \"answer\": true, \"explanation\": \"Fruit.\", \"refs\": [\"none\"]}]}";
    char err[2048];
    lesson *l = lesson_load_buffer("n.json", json, strlen(json), err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    assert_int_equal(lesson_narration_step(&l->questions[0], 100), 7);
    assert_int_equal(lesson_narration_step(&l->questions[1], 100), -1); /* shares nothing */
    assert_int_equal(lesson_narration_step(&l->questions[0], 7), -1);  /* step 7 not in the run */
    assert_int_equal(lesson_narration_step(NULL, 100), -1);
    lesson_free(l);

    /* the shipped lesson: every answer is one of its narration steps; the MX question finds
     * the DNS MX narration, not the first one */
    char path[4096];
    const char *root = getenv("SMTPSIM_DATA");
    snprintf(path, sizeof path, "%s/lessons/roles.json", root && *root ? root : ".");
    l = lesson_load(path, err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    size_t found = 0;
    for (size_t i = 0; i < l->n_questions; i++) {
        long s = lesson_narration_step(&l->questions[i], 1000);
        if (s < 0)
            continue;
        bool is_narration = false;
        for (size_t k = 0; k < l->n_narration; k++)
            is_narration |= l->narration[k].step == s;
        assert_true(is_narration);
        found++;
    }
    assert_true(found > 0);
    const lesson_question *q = lesson_find_question(l, "roles-006");
    assert_non_null(q);
    long s6 = lesson_narration_step(q, 1000);
    bool mx = false;
    for (size_t k = 0; k < l->n_narration; k++)
        if (l->narration[k].step == s6)
            mx = strstr(l->narration[k].text, "MX") != NULL;
    assert_true(mx);
    lesson_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_samples),        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_huge_file),           cmocka_unit_test(test_schema_errors),
        cmocka_unit_test(test_lesson_level_errors), cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_normalise_and_codes), cmocka_unit_test(test_at_find),
        cmocka_unit_test(test_predict_resolve),     cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_narration_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
