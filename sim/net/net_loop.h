/* net_loop.h - one non-blocking event loop (epoll) for every socket smtpsim opens.
 *
 * One thread, no thread per connection: file descriptors register a callback for readiness,
 * timers are kept in a binary heap (O(log n) to set, cancel or fire), and work that must not
 * run inside a callback (freeing the object whose callback is running) is deferred to the end
 * of the iteration. net_loop_run_once(loop, 0) never blocks, so a UI main loop can poll it.
 *
 * Time: net_loop_now() is a monotonic clock in milliseconds, read once per iteration. Tests may
 * replace it with a virtual clock (net_loop_set_clock) so timers fire without sleeping.
 */
#ifndef NET_LOOP_H
#define NET_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct net_loop net_loop;

/* Readiness bits given to and passed back by the loop (translated to/from epoll). */
enum {
    NET_EV_READ = 1,
    NET_EV_WRITE = 2,
    NET_EV_ERROR = 4, /* error or hang-up: read to find out what happened */
};

typedef void (*net_io_fn)(void *ctx, int fd, unsigned events);
typedef void (*net_timer_fn)(void *ctx);
typedef uint64_t (*net_clock_fn)(void *ctx);

/* A timer lives inside its owner's struct; the loop only keeps a pointer while it is armed. */
typedef struct net_timer {
    uint64_t when;     /* ms on the loop's clock */
    size_t heap_index; /* position in the heap, SIZE_MAX when not armed */
    net_timer_fn fn;
    void *ctx;
} net_timer;

net_loop *net_loop_new(void);
/* net_loop_free - NULL is a no-op; runs pending deferred calls. Does not close registered fds. */
void net_loop_free(net_loop *loop);

/* net_loop_add - watch fd for `events`; fn(ctx, fd, got) is called when ready. 0 or -1. */
int net_loop_add(net_loop *loop, int fd, unsigned events, net_io_fn fn, void *ctx);
/* net_loop_mod - change what fd is watched for. 0 or -1. */
int net_loop_mod(net_loop *loop, int fd, unsigned events);
/* net_loop_del - stop watching fd (call before close). */
void net_loop_del(net_loop *loop, int fd);

/* net_timer_init - an unarmed timer calling fn(ctx). */
void net_timer_init(net_timer *t, net_timer_fn fn, void *ctx);
/* net_loop_timer_set - (re)arm at absolute time `when` (UINT64_MAX disarms). 0 or -1 (no memory).
 */
int net_loop_timer_set(net_loop *loop, net_timer *t, uint64_t when);
void net_loop_timer_cancel(net_loop *loop, net_timer *t);
/* net_loop_next_deadline - earliest armed timer, UINT64_MAX for none. */
uint64_t net_loop_next_deadline(const net_loop *loop);

/* net_loop_defer - run fn(ctx) once at the end of this iteration (after all callbacks). */
int net_loop_defer(net_loop *loop, net_timer_fn fn, void *ctx);
/* net_loop_set_idle - fn(ctx) runs once per iteration after the I/O callbacks and before the
 * deferred calls (used for group commit of Maildir fsyncs). NULL removes it. */
void net_loop_set_idle(net_loop *loop, net_timer_fn fn, void *ctx);

/* net_loop_set_clock - replace the monotonic clock (tests). NULL restores it. */
void net_loop_set_clock(net_loop *loop, net_clock_fn fn, void *ctx);
uint64_t net_loop_now(net_loop *loop);

/* net_loop_run_once - wait at most timeout_ms (0: poll, -1: until something happens) for I/O
 * or the next timer, then dispatch. Returns the number of callbacks run, or -1 on error. */
int net_loop_run_once(net_loop *loop, int timeout_ms);
/* net_loop_run - run until net_loop_stop() is called. 0, or -1 on error. */
int net_loop_run(net_loop *loop);
void net_loop_stop(net_loop *loop);
bool net_loop_stopped(const net_loop *loop);

/* net_monotonic_ms - the real monotonic clock in ms. */
uint64_t net_monotonic_ms(void);

/* net_signal_fd - block SIGINT and SIGTERM and return a non-blocking descriptor that becomes
 * readable when one arrives (read a struct signalfd_siginfo), so a server handles signals in
 * its loop with no async handler; SIGPIPE is ignored (a peer closing is an ordinary error).
 * -1 on failure. */
int net_signal_fd(void);

/* net_signal_fd_close - close that descriptor (-1: nothing) and unblock the signals again. */
void net_signal_fd_close(int fd);

#endif
