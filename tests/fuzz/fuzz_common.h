/* fuzz_common.h - what every libFuzzer target under tests/fuzz shares: the invariant check that
 * aborts (so libFuzzer saves the input), the event checks, reading data files at start-up, and
 * the programs the engine targets run (fuzz_retr_run drives any of the four retrieval engines
 * through their retr_engine_ops; the two SMTP targets share its pieces).
 *
 * A target is one fuzz_NAME.c with LLVMFuzzerTestOneInput; its seeds live in seeds/NAME/. Data
 * files (scenarios, lessons) are read relative to $SMTPSIM_DATA, else the current directory
 * (make fuzz runs from the repository root). Header-only: each target is one translation unit.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/retrieval/retr_engine.h"
#include "core/smtp/smtp_event.h"
#include "core/teach/explain.h"

/* fuzz_die - an invariant is broken: say which, and abort so the input is kept. */
static inline void fuzz_die(const char *why)
{
    fprintf(stderr, "fuzz invariant broken: %s\n", why);
    abort();
}

/* fuzz_check_event - the event contract of smtp_event.h: an explained key, an RFC string, and
 * bytes that can be read to their stated length. */
static inline void fuzz_check_event(const smtp_event *ev)
{
    if (!ev->key || !explain_find(ev->key))
        fuzz_die("event key without explanation");
    if (!ev->rfc)
        fuzz_die("event without rfc");
    if (ev->bytes == NULL && ev->len != 0)
        fuzz_die("length without bytes");
    if (ev->bytes && ev->len)
        (void)((volatile const char *)ev->bytes)[ev->len - 1];
    if (!memchr(ev->verb, '\0', sizeof ev->verb) || !memchr(ev->esc, '\0', sizeof ev->esc))
        fuzz_die("verb or esc not terminated");
}

/* fuzz_chain - a STATE event must start where the last one ended. */
static inline void fuzz_chain(int *last_state, int from, int to)
{
    if (from != *last_state)
        fuzz_die("state events do not chain");
    *last_state = to;
}

/* fuzz_take - how many of the n output bytes a drain takes: partial when it is nonzero and
 * fewer, else all (a driver may send part of the output and come back for the rest). */
static inline size_t fuzz_take(size_t n, size_t partial)
{
    return partial && partial < n ? partial : n;
}

/* fuzz_contains - whether the n bytes at b hold w (event bytes are not NUL-terminated, and
 * memmem needs _GNU_SOURCE). */
static inline bool fuzz_contains(const char *b, size_t n, const char *w)
{
    size_t wl = strlen(w);
    for (size_t i = 0; i + wl <= n; i++)
        if (memcmp(b + i, w, wl) == 0)
            return true;
    return false;
}

/* fuzz_smtp_feed_len - the SMTP targets' feed op (op >> 5 from 0 to 4): (op & 63) + 1 bytes,
 * sixteen times that when op >> 5 is 4, at most the left that remain. */
static inline size_t fuzz_smtp_feed_len(uint8_t op, size_t left)
{
    size_t n = (size_t)(op & 63) + 1;
    if (op >> 5 == 4)
        n *= 16;
    return n < left ? n : left;
}

/* fuzz_check_retr_event - the event contract of retr_event.h (a key, an RFC string, bytes that
 * can be read to their stated length) and the chaining of STATE events. */
static inline void fuzz_check_retr_event(const retr_event *ev, int *last_state)
{
    if (!ev->key || !ev->key[0] || !ev->rfc)
        fuzz_die("event without key or rfc");
    if (!ev->bytes && ev->len)
        fuzz_die("length without bytes");
    if (ev->bytes && ev->len)
        (void)((volatile const char *)ev->bytes)[ev->len - 1];
    if (ev->kind == RETR_EV_STATE)
        fuzz_chain(last_state, ev->state_from, ev->state_to);
}

/* ---- the retrieval targets' program ------------------------------------------------------
 * After the target's switch byte, each op byte is one call: op >> 6 of 0 or 1 feeds the next
 * op & 0x7f bytes (0, or more than are left: the rest); 2 lets (op & 0x3f) steps of time pass
 * and ticks; 3 is the target's own (a handshake, a lost connection, new mail). After every op
 * the output and the events are drained and checked; the target's hooks add its own checks. */
typedef struct fuzz_retr fuzz_retr;
struct fuzz_retr {
    const retr_engine_ops *ops;
    void *e;                /* the engine, as its *_new returned it */
    uint64_t now, step_ms;  /* the clock, and one step of a "time passes" op */
    int last_state;         /* the state the engine starts in */
    bool client;            /* once done, a client must refuse input (feed says -1) */
    char prev;              /* the last output byte, for the default output check */
    /* out - checks the output bytes a drain takes (NULL: line ends are CRLF only) */
    void (*out)(fuzz_retr *f, const char *b, size_t n);
    /* event - the target's checks on an event, after the contract (may be NULL) */
    void (*event)(fuzz_retr *f, const retr_event *ev);
    /* op - an op whose two top bits are set; returns how much output to take next (0: all) */
    size_t (*op)(fuzz_retr *f, uint8_t op);
    /* after - the target's checks after each op's drain (may be NULL) */
    void (*after)(fuzz_retr *f);
    void *ctx;              /* the target's own checker state */
};

/* fuzz_crlf - the default output check: every LF follows a CR (*prev spans the drains) */
static inline void fuzz_crlf(char *prev, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\n' && *prev != '\r')
            fuzz_die("bare LF in output");
        *prev = b[i];
    }
}

/* fuzz_retr_drain - take (part of) the output and every event, checking both, as a driver does
 * after each call */
static inline void fuzz_retr_drain(fuzz_retr *f, size_t partial)
{
    const char *b;
    size_t n = fuzz_take(f->ops->output(f->e, &b), partial);
    if (f->out)
        f->out(f, b, n);
    else
        fuzz_crlf(&f->prev, b, n);
    f->ops->consumed(f->e, n);
    retr_event ev;
    while (f->ops->next_event(f->e, &ev)) {
        fuzz_check_retr_event(&ev, &f->last_state);
        if (f->event)
            f->event(f, &ev);
    }
}

/* fuzz_retr_run - run the program of size bytes at prog on f's engine, drained before the
 * first op and after the last */
static inline void fuzz_retr_run(fuzz_retr *f, const uint8_t *prog, size_t size)
{
    fuzz_retr_drain(f, 0);
    size_t i = 0;
    while (i < size) {
        uint8_t op = prog[i++];
        size_t partial = 0;
        switch (op >> 6) {
        case 0: case 1: {
            size_t len = op & 0x7f;
            if (len == 0 || len > size - i)
                len = size - i;
            int r = f->ops->feed(f->e, prog + i, len, f->now);
            if (f->client && r == 0 && f->ops->done(f->e) &&
                f->ops->feed(f->e, "x", 1, f->now) != -1)
                fuzz_die("input accepted after done");
            i += len;
            break;
        }
        case 2:
            f->now += (uint64_t)(op & 0x3f) * f->step_ms;
            f->ops->tick(f->e, f->now);
            break;
        default:
            partial = f->op(f, op);
            break;
        }
        fuzz_retr_drain(f, partial);
        if (f->after)
            f->after(f);
    }
    fuzz_retr_drain(f, 0);
}

/* fuzz_data_path - DIR/rel where DIR is $SMTPSIM_DATA or ".". */
static inline void fuzz_data_path(const char *rel, char *out, size_t cap)
{
    const char *dir = getenv("SMTPSIM_DATA");
    snprintf(out, cap, "%s/%s", dir && *dir ? dir : ".", rel);
}

/* fuzz_copy - the input as a NUL-terminated string (malloc'd; the caller frees). Inputs may hold
 * NUL bytes: the string then ends at the first one, as it would coming from a C API. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        fuzz_die("out of memory");
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
