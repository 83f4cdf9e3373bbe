/* test_utf8.c - the strict UTF-8 validator: every class of malformed sequence, and where. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/util/utf8.h"

static void test_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0, NULL));
    assert_true(utf8_valid("plain", 5, NULL));
    assert_true(utf8_valid("jos\xc3\xa9", 5, NULL));          /* 2 bytes */
    assert_true(utf8_valid("\xe2\x82\xac", 3, NULL));         /* 3 bytes */
    assert_true(utf8_valid("\xf0\x9f\x93\xa7", 4, NULL));     /* 4 bytes */
    assert_true(utf8_valid("\xf4\x8f\xbf\xbf", 4, NULL));     /* U+10FFFF, the last */
    assert_true(utf8_valid("\xed\x9f\xbf", 3, NULL));         /* U+D7FF, before surrogates */
}

static void test_invalid_and_position(void **state)
{
    (void)state;
    size_t at = 99;
    assert_false(utf8_valid("ab\x80", 3, &at)); /* lone continuation */
    assert_int_equal(at, 2);
    assert_false(utf8_valid("\xc0\xaf", 2, &at)); /* overlong '/' */
    assert_int_equal(at, 0);
    assert_false(utf8_valid("x\xe0\x80\xaf", 4, &at)); /* overlong, 3 bytes */
    assert_int_equal(at, 1);
    assert_false(utf8_valid("\xed\xa0\x80", 3, NULL));     /* surrogate */
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4, NULL)); /* above U+10FFFF */
    assert_false(utf8_valid("\xf5\x80\x80\x80", 4, NULL)); /* F5 never starts a sequence */
    assert_false(utf8_valid("ok\xe2\x82", 4, &at));         /* truncated at the end */
    assert_int_equal(at, 2);
    assert_false(utf8_valid("\xe2\x28\xa1", 3, NULL));     /* bad continuation */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid_and_position),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
