/* test_lesson_status.c - lesson_status.c: the status keys of POP3 and IMAP reply lines and of
 * answers written about them, and which predictions a key makes right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/teach/lesson_status.h"

/* key - the key of s, or "-" when it has none */
static const char *key(const char *s)
{
    static char k[LESSON_STATUS_MAX];
    if (lesson_status_parse(s, k, sizeof k) != 0)
        strcpy(k, "-");
    return k;
}

static void test_parse(void **state)
{
    (void)state;
    assert_string_equal(key("+OK mx.example.org POP3 server ready"), "+OK");
    assert_string_equal(key("-ERR [AUTH] Invalid user name or password"), "-ERR [AUTH]");
    assert_string_equal(key("-err, because"), "-ERR");
    assert_string_equal(key("a3 NO [AUTHENTICATIONFAILED] Invalid credentials"),
                        "NO [AUTHENTICATIONFAILED]");
    assert_string_equal(key("* OK [CAPABILITY IMAP4rev2 STARTTLS] ready"), "* OK [CAPABILITY]");
    assert_string_equal(key("* BYE Logging out"), "* BYE");
    assert_string_equal(key("* 1 EXISTS"), "* 1 EXISTS");
    assert_string_equal(key("* 1 FETCH (FLAGS (\\Seen))"), "* 1 FETCH");
    assert_string_equal(key("+ idling"), "+");
    assert_string_equal(key("a10 OK LOGOUT completed"), "OK");
    /* prose and SMTP are not statuses */
    assert_string_equal(key("Only * BYE: no tagged answer"), "-");
    assert_string_equal(key("Nothing: the client speaks first"), "-");
    assert_string_equal(key("250 OK"), "-");
    assert_string_equal(key("* SEARCH 1"), "-");
    assert_string_equal(key(""), "-");
}

static void test_matches(void **state)
{
    (void)state;
    assert_true(lesson_status_matches("-ERR", "-ERR [AUTH]"));
    assert_true(lesson_status_matches("-ERR [AUTH]", "-ERR [AUTH]"));
    assert_false(lesson_status_matches("-ERR [IN-USE]", "-ERR [AUTH]"));
    assert_false(lesson_status_matches("+OK", "OK"));
    assert_false(lesson_status_matches("OK", "* OK [CAPABILITY]"));
    assert_true(lesson_status_matches("* OK", "* OK [CAPABILITY]"));
    assert_false(lesson_status_matches("* 3 EXISTS", "* 1 EXISTS"));
    assert_true(lesson_status_matches("* 1 EXISTS", "* 1 EXISTS"));
    assert_false(lesson_status_matches("NO", "NOOP"));
    assert_false(lesson_status_matches("", "OK"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
