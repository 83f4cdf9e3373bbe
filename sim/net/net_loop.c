/* net_loop.c - the epoll event loop, timer heap and deferred calls (see net_loop.h).
 *
 * File descriptors index a growable table of {callback, context, generation}. The epoll
 * cookie carries fd and generation, so an event that was already fetched for a descriptor that
 * got closed and reused within the same iteration is recognised as stale and dropped.
 */
#include "net/net_loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/util/membuf.h"

#define NET_LOOP_MAX_EVENTS 256 /* events fetched per epoll_wait */

typedef struct {
    net_io_fn fn;
    void *ctx;
    uint32_t gen;
    bool used;
} loop_slot;

typedef struct {
    net_timer_fn fn;
    void *ctx;
} loop_call;

struct net_loop {
    int epfd;
    loop_slot *slots;
    size_t n_slots;
    uint32_t next_gen;
    net_timer **heap;
    size_t n_heap, cap_heap;
    loop_call *deferred;
    size_t n_deferred, cap_deferred;
    net_timer_fn idle_fn;
    void *idle_ctx;
    net_clock_fn clock_fn;
    void *clock_ctx;
    uint64_t now;
    bool stop;
};

uint64_t net_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t loop_clock(net_loop *loop)
{
    return loop->clock_fn ? loop->clock_fn(loop->clock_ctx) : net_monotonic_ms();
}

net_loop *net_loop_new(void)
{
    net_loop *loop = calloc(1, sizeof *loop);
    if (!loop)
        return NULL;
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (loop->epfd < 0) {
        free(loop);
        return NULL;
    }
    loop->next_gen = 1;
    loop->now = loop_clock(loop);
    return loop;
}

static void run_deferred(net_loop *loop)
{
    /* A deferred call may defer again: the array grows and this same pass runs those too. */
    for (size_t i = 0; i < loop->n_deferred; i++)
        loop->deferred[i].fn(loop->deferred[i].ctx);
    loop->n_deferred = 0;
}

void net_loop_free(net_loop *loop)
{
    if (!loop)
        return;
    run_deferred(loop);
    for (size_t i = 0; i < loop->n_heap; i++)
        loop->heap[i]->heap_index = SIZE_MAX;
    close(loop->epfd);
    free(loop->slots);
    free(loop->heap);
    free(loop->deferred);
    free(loop);
}

static uint32_t to_epoll(unsigned events)
{
    uint32_t e = 0;
    if (events & NET_EV_READ)
        e |= EPOLLIN | EPOLLRDHUP;
    if (events & NET_EV_WRITE)
        e |= EPOLLOUT;
    return e;
}

int net_loop_add(net_loop *loop, int fd, unsigned events, net_io_fn fn, void *ctx)
{
    if (fd < 0 || !fn)
        return -1;
    if ((size_t)fd >= loop->n_slots) {
        size_t n = loop->n_slots ? loop->n_slots : 64;
        while (n <= (size_t)fd)
            n *= 2;
        loop_slot *s = realloc(loop->slots, n * sizeof *s);
        if (!s)
            return -1;
        memset(s + loop->n_slots, 0, (n - loop->n_slots) * sizeof *s);
        loop->slots = s;
        loop->n_slots = n;
    }
    loop_slot *slot = &loop->slots[fd];
    uint32_t gen = loop->next_gen++;
    struct epoll_event ev = {.events = to_epoll(events),
                             .data.u64 = ((uint64_t)gen << 32) | (uint32_t)fd};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return -1;
    *slot = (loop_slot){.fn = fn, .ctx = ctx, .gen = gen, .used = true};
    return 0;
}

int net_loop_mod(net_loop *loop, int fd, unsigned events)
{
    if (fd < 0 || (size_t)fd >= loop->n_slots || !loop->slots[fd].used)
        return -1;
    struct epoll_event ev = {.events = to_epoll(events),
                             .data.u64 = ((uint64_t)loop->slots[fd].gen << 32) | (uint32_t)fd};
    return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void net_loop_del(net_loop *loop, int fd)
{
    if (fd < 0 || (size_t)fd >= loop->n_slots || !loop->slots[fd].used)
        return;
    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
    loop->slots[fd].used = false;
    loop->slots[fd].gen = 0;
}

/* ---- timer heap: a binary min-heap on `when` --------------------------------------------- */

void net_timer_init(net_timer *t, net_timer_fn fn, void *ctx)
{
    t->when = UINT64_MAX;
    t->heap_index = SIZE_MAX;
    t->fn = fn;
    t->ctx = ctx;
}

static void heap_place(net_loop *loop, size_t i, net_timer *t)
{
    loop->heap[i] = t;
    t->heap_index = i;
}

static void heap_up(net_loop *loop, size_t i)
{
    net_timer *t = loop->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (loop->heap[p]->when <= t->when)
            break;
        heap_place(loop, i, loop->heap[p]);
        i = p;
    }
    heap_place(loop, i, t);
}

static void heap_down(net_loop *loop, size_t i)
{
    net_timer *t = loop->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= loop->n_heap)
            break;
        if (c + 1 < loop->n_heap && loop->heap[c + 1]->when < loop->heap[c]->when)
            c++;
        if (loop->heap[c]->when >= t->when)
            break;
        heap_place(loop, i, loop->heap[c]);
        i = c;
    }
    heap_place(loop, i, t);
}

void net_loop_timer_cancel(net_loop *loop, net_timer *t)
{
    size_t i = t->heap_index;
    if (i == SIZE_MAX)
        return;
    t->heap_index = SIZE_MAX;
    t->when = UINT64_MAX;
    net_timer *last = loop->heap[--loop->n_heap];
    if (i == loop->n_heap)
        return;
    heap_place(loop, i, last);
    heap_up(loop, i);
    heap_down(loop, last->heap_index);
}

int net_loop_timer_set(net_loop *loop, net_timer *t, uint64_t when)
{
    if (when == UINT64_MAX) {
        net_loop_timer_cancel(loop, t);
        return 0;
    }
    if (t->heap_index != SIZE_MAX) {
        uint64_t old = t->when;
        t->when = when;
        if (when < old)
            heap_up(loop, t->heap_index);
        else
            heap_down(loop, t->heap_index);
        return 0;
    }
    net_timer **h = membuf_grow_array(loop->heap, &loop->cap_heap, loop->n_heap + 1, sizeof *h);
    if (!h)
        return -1;
    loop->heap = h;
    t->when = when;
    heap_place(loop, loop->n_heap++, t);
    heap_up(loop, t->heap_index);
    return 0;
}

uint64_t net_loop_next_deadline(const net_loop *loop)
{
    return loop->n_heap ? loop->heap[0]->when : UINT64_MAX;
}

static int fire_timers(net_loop *loop)
{
    int n = 0;
    /* Bounded: a timer re-armed for a time already past waits for the next iteration. */
    size_t budget = loop->n_heap;
    while (budget-- > 0 && loop->n_heap && loop->heap[0]->when <= loop->now) {
        net_timer *t = loop->heap[0];
        net_loop_timer_cancel(loop, t);
        t->fn(t->ctx);
        n++;
    }
    return n;
}

/* ---- deferred calls, idle hook, clock ------------------------------------------------- */

int net_loop_defer(net_loop *loop, net_timer_fn fn, void *ctx)
{
    loop_call *d = membuf_grow_array(loop->deferred, &loop->cap_deferred, loop->n_deferred + 1,
                                     sizeof *d);
    if (!d)
        return -1;
    loop->deferred = d;
    loop->deferred[loop->n_deferred++] = (loop_call){fn, ctx};
    return 0;
}

void net_loop_set_idle(net_loop *loop, net_timer_fn fn, void *ctx)
{
    loop->idle_fn = fn;
    loop->idle_ctx = ctx;
}

void net_loop_set_clock(net_loop *loop, net_clock_fn fn, void *ctx)
{
    loop->clock_fn = fn;
    loop->clock_ctx = ctx;
    loop->now = loop_clock(loop);
}

uint64_t net_loop_now(net_loop *loop)
{
    return loop->now;
}

/* ---- running ---------------------------------------------------------------------------- */

int net_loop_run_once(net_loop *loop, int timeout_ms)
{
    loop->now = loop_clock(loop);
    int wait = timeout_ms;
    uint64_t next = net_loop_next_deadline(loop);
    if (loop->n_deferred)
        wait = 0;
    if (next != UINT64_MAX) {
        uint64_t until = next > loop->now ? next - loop->now : 0;
        if (wait < 0 || until < (uint64_t)wait)
            wait = until > 60000 ? 60000 : (int)until;
    }
    struct epoll_event evs[NET_LOOP_MAX_EVENTS];
    int got = epoll_wait(loop->epfd, evs, NET_LOOP_MAX_EVENTS, wait);
    if (got < 0) {
        if (errno != EINTR)
            return -1;
        got = 0;
    }
    loop->now = loop_clock(loop);
    int ran = 0;
    for (int i = 0; i < got; i++) {
        int fd = (int)(uint32_t)evs[i].data.u64;
        uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);
        if ((size_t)fd >= loop->n_slots || !loop->slots[fd].used || loop->slots[fd].gen != gen)
            continue; /* closed (and maybe reused) since the event was fetched */
        unsigned e = 0;
        if (evs[i].events & (EPOLLIN | EPOLLRDHUP))
            e |= NET_EV_READ;
        if (evs[i].events & EPOLLOUT)
            e |= NET_EV_WRITE;
        if (evs[i].events & (EPOLLERR | EPOLLHUP))
            e |= NET_EV_ERROR | NET_EV_READ;
        loop->slots[fd].fn(loop->slots[fd].ctx, fd, e);
        ran++;
    }
    ran += fire_timers(loop);
    if (loop->idle_fn)
        loop->idle_fn(loop->idle_ctx);
    run_deferred(loop);
    return ran;
}

int net_loop_run(net_loop *loop)
{
    loop->stop = false;
    while (!loop->stop)
        if (net_loop_run_once(loop, -1) < 0)
            return -1;
    return 0;
}

void net_loop_stop(net_loop *loop)
{
    loop->stop = true;
}

bool net_loop_stopped(const net_loop *loop)
{
    return loop->stop;
}

int net_signal_fd(void)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0)
        return -1;
    signal(SIGPIPE, SIG_IGN);
    return signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

void net_signal_fd_close(int fd)
{
    if (fd >= 0)
        close(fd);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
}
