/* test_suggest.c - suggest.c: edit distance with swaps, one clear suggestion or none (the
 * catalog's use of it is in test_catalog.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/teach/suggest.h"

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("basic", "basic"), 0);
    assert_int_equal(suggest_distance("basci", "basic"), 1); /* a swap is one edit */
    assert_int_equal(suggest_distance("bsic", "basic"), 1);
    assert_int_equal(suggest_distance("", "abc"), 3);
    assert_int_equal(suggest_distance("kitten", "sitting"), 3);
    char long_name[100];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_true(suggest_distance(long_name, "a") == SIZE_MAX);
}

static void test_pick(void **state)
{
    (void)state;
    const char *names[] = {"basic", "bounce", "greylisting", "ports", "tls"};
    assert_string_equal(suggest_pick("basci", names, 5), "basic");
    assert_string_equal(suggest_pick("greylsting", names, 5), "greylisting");
    assert_string_equal(suggest_pick("tsl", names, 5), "tls");
    assert_null(suggest_pick("zzzz", names, 5));
    assert_null(suggest_pick("basic", names, 5)); /* the name exists: nothing to suggest */
    const char *twins[] = {"cat", "car"};
    assert_null(suggest_pick("caX", twins, 2)); /* two equally close: no guess */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_pick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
