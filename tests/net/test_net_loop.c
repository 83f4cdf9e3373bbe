/* test_net_loop.c - the event loop: timers on a virtual clock, fd readiness, deferred calls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <unistd.h>

#include "net/net_loop.h"

static uint64_t vclock;
static uint64_t clock_fn(void *ctx)
{
    (void)ctx;
    return vclock;
}

static int fired[8];
static int order[8], n_order;
static void on_timer(void *ctx)
{
    int i = (int)(intptr_t)ctx;
    fired[i]++;
    if (n_order < 8)
        order[n_order++] = i;
}

static void timers_fire_in_order_on_virtual_clock(void **state)
{
    (void)state;
    net_loop *loop = net_loop_new();
    assert_non_null(loop);
    vclock = 1000;
    net_loop_set_clock(loop, clock_fn, NULL);
    net_timer t[5];
    uint64_t when[5] = {1500, 1100, 3000, 1200, 2000};
    for (int i = 0; i < 5; i++) {
        net_timer_init(&t[i], on_timer, (void *)(intptr_t)i);
        assert_int_equal(net_loop_timer_set(loop, &t[i], when[i]), 0);
    }
    net_loop_timer_cancel(loop, &t[4]); /* cancelled: never fires */
    assert_int_equal(net_loop_next_deadline(loop), 1100);
    net_loop_run_once(loop, 0);
    assert_int_equal(n_order, 0);
    vclock = 1600;
    net_loop_run_once(loop, 0);
    assert_int_equal(n_order, 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 3);
    assert_int_equal(order[2], 0);
    /* re-arming moves a timer earlier */
    net_loop_timer_set(loop, &t[2], 1700);
    vclock = 1700;
    net_loop_run_once(loop, 0);
    assert_int_equal(fired[2], 1);
    assert_int_equal(fired[4], 0);
    assert_int_equal(net_loop_next_deadline(loop), UINT64_MAX);
    net_loop_free(loop);
}

static void many_timers_heap_stays_ordered(void **state)
{
    (void)state;
    net_loop *loop = net_loop_new();
    vclock = 0;
    net_loop_set_clock(loop, clock_fn, NULL);
    enum { N = 200 };
    static net_timer t[N];
    for (int i = 0; i < N; i++) {
        net_timer_init(&t[i], on_timer, (void *)(intptr_t)7);
        net_loop_timer_set(loop, &t[i], (uint64_t)((i * 7919) % 1000) + 1);
    }
    for (int i = 0; i < N; i += 3)
        net_loop_timer_cancel(loop, &t[i]);
    uint64_t last = 0;
    int count = 0;
    while (net_loop_next_deadline(loop) != UINT64_MAX && count < 1000) {
        uint64_t d = net_loop_next_deadline(loop);
        assert_true(d >= last);
        last = d;
        vclock = d;
        net_loop_run_once(loop, 0);
        count++;
    }
    assert_int_equal(fired[7], N - (N + 2) / 3);
    net_loop_free(loop);
}

static int reads;
static void on_read(void *ctx, int fd, unsigned ev)
{
    (void)ctx;
    char buf[16];
    if (ev & NET_EV_READ && read(fd, buf, sizeof buf) > 0)
        reads++;
}

static int deferred;
static void on_defer(void *ctx)
{
    (void)ctx;
    deferred++;
}

static void fd_readiness_and_defer(void **state)
{
    (void)state;
    net_loop *loop = net_loop_new();
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(net_loop_add(loop, p[0], NET_EV_READ, on_read, NULL), 0);
    assert_int_equal(net_loop_run_once(loop, 0), 0); /* nothing yet: returns at once */
    assert_int_equal(write(p[1], "x", 1), 1);
    net_loop_run_once(loop, 100);
    assert_int_equal(reads, 1);
    net_loop_defer(loop, on_defer, NULL);
    assert_int_equal(deferred, 0);
    net_loop_run_once(loop, 0);
    assert_int_equal(deferred, 1);
    net_loop_del(loop, p[0]);
    assert_int_equal(write(p[1], "y", 1), 1);
    net_loop_run_once(loop, 0);
    assert_int_equal(reads, 1); /* no longer watched */
    close(p[0]);
    close(p[1]);
    net_loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timers_fire_in_order_on_virtual_clock),
        cmocka_unit_test(many_timers_heap_stays_ordered),
        cmocka_unit_test(fd_readiness_and_defer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
