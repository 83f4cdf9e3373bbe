/* test_str_util.c - str_util.c: ids, bounded copies, domains, non-ASCII. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/util/str_util.h"

static void test_id_ok(void **state)
{
    (void)state;
    assert_true(str_id_ok("basic", strlen("basic"), 48));
    assert_true(str_id_ok("too-large-2", strlen("too-large-2"), 48));
    assert_false(str_id_ok("", strlen(""), 48));
    assert_false(str_id_ok("Basic", strlen("Basic"), 48));
    assert_false(str_id_ok("a_b", strlen("a_b"), 48));
    assert_false(str_id_ok("../x", strlen("../x"), 48));
    assert_false(str_id_ok("abcd", strlen("abcd"), 3));
    assert_true(str_id_ok("abc", strlen("abc"), 3));
    assert_false(str_id_ok(NULL, 0, 3));
}

static void test_copy(void **state)
{
    (void)state;
    char d[6];
    str_copy(d, sizeof d, "hello world", STR_ALL);
    assert_string_equal(d, "hello");
    str_copy(d, sizeof d, "hi", STR_ALL);
    assert_string_equal(d, "hi");
    const char wire[4] = {'M', 'A', 'I', 'L'}; /* no NUL: only n bytes are read */
    str_copy(d, sizeof d, wire, 4);
    assert_string_equal(d, "MAIL");
    str_copy(d, sizeof d, wire, 2);
    assert_string_equal(d, "MA");
    str_copy(d, 1, "x", STR_ALL);
    assert_string_equal(d, "");
}

static void test_domain_and_ascii(void **state)
{
    (void)state;
    assert_string_equal(str_domain_of("bob@example.org"), "example.org");
    assert_string_equal(str_domain_of("\"a@b\"@example.org"), "example.org");
    assert_string_equal(str_domain_of("postmaster"), "");
    assert_false(str_non_ascii("bob@example.org"));
    assert_true(str_non_ascii("j\xc3\xb6rg@example.org"));
    assert_false(str_non_ascii(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_ok),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_domain_and_ascii),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
