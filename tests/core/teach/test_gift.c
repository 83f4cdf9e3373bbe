/* test_gift.c - gift.c: escaping, and every question kind mapped to its GIFT form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/teach/gift.h"

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

static void expect_in(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("missing in GIFT output: %s\n---\n%s", want, text);
}

/* unescaped - count of character c not preceded by an escaping backslash */
static size_t unescaped(const char *s, char c)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        n += *p == c;
    }
    return n;
}

static void test_escape(void **state)
{
    (void)state;
    char out[128];
    assert_int_equal(gift_escape("a~b=c#d{e}f:g\\h", out, sizeof out), 22);
    assert_string_equal(out, "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h");
    gift_escape("line 1\r\nline 2", out, sizeof out);
    assert_string_equal(out, "line 1\\nline 2");
    gift_escape("MAIL FROM:<a@b>", out, sizeof out);
    assert_string_equal(out, "MAIL FROM\\:<a@b>");
    gift_escape("plain", out, sizeof out);
    assert_string_equal(out, "plain");
    /* truncation is safe and the full length is reported */
    assert_int_equal(gift_escape("{{{{", out, 4), 8);
    assert_string_equal(out, "\\{\\");
}

static void test_every_kind(void **state)
{
    (void)state;
    lesson *l = load("sample-basics.json");
    size_t len = 0;
    char *g = gift_export(l, &len);
    assert_non_null(g);
    assert_int_equal(strlen(g), len);
    expect_in(g, "$CATEGORY: $course$/smtpsim/sample-basics\n");
    /* single */
    expect_in(g, "::sample-basics-001::[plain]Which protocol sends mail between servers? {");
    expect_in(g, "\n    ~POP3 #POP3 retrieves mail from a mailbox; it never sends.");
    expect_in(g, "\n    =SMTP\n");
    /* multi: weights that add to 100, wrong ones negative */
    expect_in(g, "\n    ~%50%MAIL FROM\n");
    expect_in(g, "\n    ~%50%RCPT TO\n");
    expect_in(g, "\n    ~%-100%QUIT #QUIT ends the session.");
    /* truefalse: wrong-answer feedback first, then right-answer feedback */
    expect_in(
        g, "{TRUE#It does\\: RCPT TO gives one forward-path, one recipient per command.#Each RCPT");
    /* short */
    expect_in(g, "::sample-basics-004::[plain]Which command ends an SMTP session? {\n    =QUIT\n");
    /* order as matching */
    expect_in(
        g,
        "(Give each position its item.) {\n    =Position 1 -> EHLO\n    =Position 2 -> MAIL FROM");
    /* match */
    expect_in(g, "\n    =250 -> Requested action okay, completed\n    =354 -> Start mail input\n");
    /* general feedback with the references */
    expect_in(g,
              "####SMTP (Simple Mail Transfer Protocol) moves mail from client to server and from "
              "server to server.\\nReferences\\: RFC 5321 1\n}");
    /* one brace pair per question, nothing else unescaped */
    assert_int_equal(unescaped(g, '{'), l->n_questions);
    assert_int_equal(unescaped(g, '}'), l->n_questions);
    free(g);
    lesson_free(l);
}

static void test_special_characters(void **state)
{
    (void)state;
    lesson *l = load("sample-ports.json");
    char *g = gift_export(l, NULL);
    assert_non_null(g);
    expect_in(g, "MX servers listen on port 25\\: a \\= b \\# c \\{d\\} e\\:f \\~g \\\\h.");
    assert_int_equal(unescaped(g, '{'), l->n_questions);
    assert_int_equal(unescaped(g, '}'), l->n_questions);
    /* the only unescaped '=' and '~' start answers, after the indentation */
    for (const char *p = g; *p; p++) {
        if ((*p == '=' || *p == '~') && (p == g || p[-1] != '\\'))
            assert_true(p - g >= 4 && !strncmp(p - 4, "    ", 4));
    }
    free(g);
    lesson_free(l);
}

static void test_predict_and_weights(void **state)
{
    (void)state;
    const char *j =
        "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, \"topics\": [\"x\"], \"intro\": \"I\","
        " \"questions\": ["
        "{\"id\": \"p-1\", \"kind\": \"predict\", \"prompt\": \"After RCPT?\", \"explanation\": "
        "\"E\","
        " \"refs\": [\"R\"], \"at\": {\"scenario\": \"basic\", \"step\": 5}},"
        "{\"id\": \"p-2\", \"kind\": \"predict\", \"prompt\": \"After DATA?\", \"explanation\": "
        "\"E\","
        " \"refs\": [\"R\"], \"at\": {\"scenario\": \"basic\", \"reply_to\": \"DATA\"},"
        " \"choices\": [\"250 OK\", \"354 Go ahead\"], \"answer\": 2},"
        "{\"id\": \"m-3\", \"kind\": \"multi\", \"prompt\": \"Send?\", \"explanation\": \"E\","
        " \"refs\": [\"R\"], \"choices\": [\"25\", \"465\", \"587\", \"993\"], \"answer\": [1, 2, "
        "3]}"
        "]}";
    char err[1024];
    lesson *l = lesson_load_buffer("t.json", j, strlen(j), err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    l->questions[0].predict_code = 550; /* as the world would set it */
    char *g = gift_export(l, NULL);
    assert_non_null(g);
    expect_in(g, "::p-1::[plain]After RCPT? {\n    =550\n    ####E");
    expect_in(g, "::p-2::[plain]After DATA? {\n    ~250 OK\n    =354 Go ahead\n");
    expect_in(g, "~%33.33333%25\n    ~%33.33333%465\n    ~%33.33333%587\n    ~%-100%993\n");
    free(g);
    lesson_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_every_kind),
        cmocka_unit_test(test_special_characters),
        cmocka_unit_test(test_predict_and_weights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
