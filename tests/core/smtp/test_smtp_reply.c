/* test_smtp_reply.c - the reply formatter: codes, enhanced codes, multi-line, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "core/smtp/smtp_reply.h"

static void test_single_line(void **state)
{
    (void)state;
    char out[128];
    const char *t = "Ok";
    long n = smtp_reply_format(out, sizeof out, 250, "2.1.0", &t, 1);
    assert_int_equal(n, 14);
    assert_memory_equal(out, "250 2.1.0 Ok\r\n", 14);
    n = smtp_reply_format(out, sizeof out, 354, "", &t, 1);
    assert_memory_equal(out, "354 Ok\r\n", (size_t)n);
    const char *empty = "";
    n = smtp_reply_format(out, sizeof out, 334, NULL, &empty, 1);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "334 \r\n", 6); /* RFC 4954: "334 " then the challenge */
    n = smtp_reply_format(out, sizeof out, 250, "2.0.0", &empty, 1);
    assert_memory_equal(out, "250 2.0.0\r\n", (size_t)n);
}

static void test_multi_line(void **state)
{
    (void)state;
    char out[256];
    const char *lines[] = {"mx.example.org", "PIPELINING", "SIZE 1000"};
    long n = smtp_reply_format(out, sizeof out, 250, "", lines, 3);
    const char *want = "250-mx.example.org\r\n250-PIPELINING\r\n250 SIZE 1000\r\n";
    assert_int_equal(n, (long)strlen(want));
    assert_memory_equal(out, want, strlen(want));
    assert_int_equal(smtp_reply_formatted_len("", lines, 3), strlen(want));
    /* RFC 2034 4: the same enhanced code on every line */
    const char *help[] = {"one", "two"};
    n = smtp_reply_format(out, sizeof out, 214, "2.0.0", help, 2);
    assert_memory_equal(out, "214-2.0.0 one\r\n214 2.0.0 two\r\n", (size_t)n);
    assert_int_equal(smtp_reply_formatted_len("2.0.0", help, 2), (size_t)n);
}

static void test_refusals(void **state)
{
    (void)state;
    char out[1024];
    const char *t = "Ok";
    assert_int_equal(smtp_reply_format(out, sizeof out, 199, "", &t, 1), -1);
    assert_int_equal(smtp_reply_format(out, sizeof out, 600, "", &t, 1), -1);
    assert_int_equal(smtp_reply_format(out, sizeof out, 260, "", &t, 1), -1);
    assert_int_equal(smtp_reply_format(out, sizeof out, 250, "5.1.1", &t, 1), -1);
    assert_int_equal(smtp_reply_format(out, sizeof out, 550, "4.1.1", &t, 1), -1);
    assert_int_equal(smtp_reply_format(out, sizeof out, 354, "2.0.0", &t, 1), -1);
    assert_int_equal(smtp_reply_format(out, sizeof out, 250, "2.0", &t, 1), -1);
    assert_int_equal(smtp_reply_format(out, sizeof out, 250, "2.1234.0", &t, 1), -1);
    const char *bad = "two\r\nlines";
    assert_int_equal(smtp_reply_format(out, sizeof out, 250, "", &bad, 1), -1);
    const char *utf = "gr\xc3\xbc\xc3\x9f";
    assert_int_equal(smtp_reply_format(out, sizeof out, 250, "", &utf, 1), -1);
    char longtext[600];
    memset(longtext, 'a', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    const char *lt = longtext;
    assert_int_equal(smtp_reply_format(out, sizeof out, 250, "", &lt, 1), -1);
    longtext[506] = '\0'; /* 4 + 506 + 2 = 512: the reply line limit */
    assert_int_equal(smtp_reply_format(out, sizeof out, 250, "", &lt, 1), 512);
    assert_int_equal(smtp_reply_format(out, 7, 250, "", &t, 1) == -1, 1);
    assert_int_equal(smtp_reply_format(out, 8, 250, "", &t, 1), 8);
    assert_int_equal(smtp_reply_format(out, sizeof out, 250, "", &t, 0), -1);
}

static void test_validators(void **state)
{
    (void)state;
    assert_true(smtp_reply_code_valid(220));
    assert_true(smtp_reply_code_valid(555));
    assert_true(smtp_reply_code_valid(256)); /* second digit 0..5 (RFC 5321 4.2.1) */
    assert_false(smtp_reply_code_valid(260));
    assert_false(smtp_reply_code_valid(199));
    assert_true(smtp_reply_esc_valid(550, "5.7.11"));
    assert_true(smtp_reply_esc_valid(550, ""));
    assert_true(smtp_reply_esc_valid(451, "4.123.456"));
    assert_false(smtp_reply_esc_valid(451, "4.1.1x"));
    assert_false(smtp_reply_esc_valid(451, "4..1"));
    assert_false(smtp_reply_esc_valid(334, "3.0.0"));
    assert_true(smtp_reply_text_valid("Hello world!", 12));
    assert_false(smtp_reply_text_valid("tab\there", 8));
}

static void test_parse_line(void **state)
{
    (void)state;
    int code;
    bool more;
    const char *text;
    size_t tl;
    assert_int_equal(smtp_reply_parse_line("250-PIPELINING", 14, &code, &more, &text, &tl), 0);
    assert_int_equal(code, 250);
    assert_true(more);
    assert_int_equal(tl, 10);
    assert_int_equal(smtp_reply_parse_line("354", 3, &code, &more, &text, &tl), 0);
    assert_false(more);
    assert_int_equal(tl, 0);
    assert_int_equal(smtp_reply_parse_line("25x ok", 6, &code, &more, &text, &tl), -1);
    assert_int_equal(smtp_reply_parse_line("250_ok", 6, &code, &more, &text, &tl), -1);
    assert_int_equal(smtp_reply_parse_line("700 no", 6, &code, &more, &text, &tl), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_line), cmocka_unit_test(test_multi_line),
        cmocka_unit_test(test_refusals),    cmocka_unit_test(test_validators),
        cmocka_unit_test(test_parse_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
