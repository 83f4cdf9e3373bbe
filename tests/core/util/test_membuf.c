/* test_membuf.c - membuf.c: appending, printf, prepend, inline storage moving to the heap, the sticky
 * failure at the limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/util/membuf.h"

static void test_grow_and_text(void **state)
{
    (void)state;
    membuf b = {0};
    assert_int_equal(membuf_puts(&b, "world"), 0);
    assert_int_equal(membuf_prepend(&b, "hello ", 6), 0);
    assert_int_equal(membuf_printf(&b, " %d", 42), 0);
    assert_string_equal(b.data, "hello world 42");
    assert_int_equal(b.len, 14);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(membuf_append(&b, "0123456789", 10), 0);
    assert_int_equal(b.len, 10014);
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(membuf_set(&b, "x", 1), 0);
    assert_string_equal(b.data, "x");
    membuf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    membuf_free(&b);
    assert_null(b.data);
    membuf_free(NULL);
}

static void test_inline_then_heap(void **state)
{
    (void)state;
    char store[8];
    membuf b;
    membuf_init_inline(&b, store, sizeof store);
    assert_int_equal(membuf_puts(&b, "1234567"), 0); /* fits with its NUL */
    assert_ptr_equal(b.data, store);
    assert_false(b.heap);
    assert_int_equal(membuf_puts(&b, "89"), 0);
    assert_ptr_not_equal(b.data, store);
    assert_true(b.heap);
    assert_string_equal(b.data, "123456789");
    membuf_free(&b);
}

static void test_limit_sticks(void **state)
{
    (void)state;
    membuf b = {.max = 8};
    assert_int_equal(membuf_puts(&b, "12345678"), 0);
    assert_int_equal(membuf_puts(&b, "9"), -1);
    assert_true(b.failed);
    assert_int_equal(membuf_puts(&b, ""), -1); /* sticky */
    assert_string_equal(b.data, "12345678");
    membuf_free(&b);
    assert_false(b.failed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_and_text),
        cmocka_unit_test(test_inline_then_heap),
        cmocka_unit_test(test_limit_sticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
