/* test_membuf.c - membuf.c: appending, printf, prepend, inline storage moving to the heap, the sticky
 * failure at the limit, growing typed arrays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
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

static void test_grow_array(void **state)
{
    (void)state;
    int *v = NULL;
    size_t cap = 0;
    for (size_t n = 0; n < 100; n++) {
        int *nv = membuf_grow_array(v, &cap, n + 1, sizeof *nv);
        assert_non_null(nv);
        v = nv;
        v[n] = (int)n;
        assert_true(cap >= n + 1);
    }
    assert_int_equal(cap, 128); /* 32, doubled */
    assert_int_equal(v[99], 99);
    assert_ptr_equal(membuf_grow_array(v, &cap, 50, sizeof *v), v); /* room already */
    assert_null(membuf_grow_array(v, &cap, (size_t)-1 / 2, sizeof *v)); /* too much */
    assert_int_equal(cap, 128);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_and_text),
        cmocka_unit_test(test_inline_then_heap),
        cmocka_unit_test(test_limit_sticks),
        cmocka_unit_test(test_grow_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
