/* retr_harness.h - what the POP3 and IMAP engine tests share: taking an engine's output and
 * events as plain data (the server tests), and joining a client and a server engine in memory
 * until the client is done (the client tests). Both go through retr_engine_ops, so the four
 * engines are driven by the same few lines. Header-only: each test is one translation unit.
 */
#ifndef RETR_HARNESS_H
#define RETR_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/retrieval/retr_engine.h"

#define RETR_H_OUT_MAX 65536
#define RETR_H_EV_MAX 512

/* ev_copy - one event, its strings copied (bytes cut at 511 octets) */
typedef struct {
    retr_event_kind kind;
    char key[48], verb[16], tag[24], status[8], code[24];
    int from, to;
    uint32_t msg;
    char bytes[512];
} ev_copy;

/* retr_h_log - what the last call produced: its output as a string, its events */
typedef struct {
    char out[RETR_H_OUT_MAX];
    ev_copy ev[RETR_H_EV_MAX];
    size_t n_ev;
} retr_h_log;

/* retr_h_drain - take all of e's output and events into l (replacing what it held); every
 * event must have a key and an RFC string. Returns l->out. */
static inline const char *retr_h_drain(retr_h_log *l, const retr_engine_ops *ops, void *e)
{
    const char *b;
    size_t n, len = 0;
    while ((n = ops->output(e, &b)) > 0) {
        size_t c = n < RETR_H_OUT_MAX - 1 - len ? n : RETR_H_OUT_MAX - 1 - len;
        memcpy(l->out + len, b, c);
        len += c;
        ops->consumed(e, n);
    }
    l->out[len] = '\0';
    l->n_ev = 0;
    retr_event ev;
    while (ops->next_event(e, &ev)) {
        assert_non_null(ev.key);
        assert_non_null(ev.rfc);
        if (l->n_ev == RETR_H_EV_MAX)
            continue;
        ev_copy *x = &l->ev[l->n_ev++];
        memset(x, 0, sizeof *x);
        x->kind = ev.kind;
        snprintf(x->key, sizeof x->key, "%s", ev.key);
        snprintf(x->verb, sizeof x->verb, "%s", ev.verb);
        snprintf(x->tag, sizeof x->tag, "%s", ev.tag);
        snprintf(x->status, sizeof x->status, "%s", ev.status);
        snprintf(x->code, sizeof x->code, "%s", ev.code);
        x->from = ev.state_from;
        x->to = ev.state_to;
        x->msg = ev.msg;
        if (ev.bytes)
            snprintf(x->bytes, sizeof x->bytes, "%.*s", (int)ev.len, ev.bytes);
    }
    return l->out;
}

/* retr_h_find - the first event of this kind (and key, unless NULL) in l, or NULL */
static inline const ev_copy *retr_h_find(const retr_h_log *l, retr_event_kind kind,
                                         const char *key)
{
    for (size_t i = 0; i < l->n_ev; i++)
        if (l->ev[i].kind == kind && (!key || strcmp(l->ev[i].key, key) == 0))
            return &l->ev[i];
    return NULL;
}

/* retr_h_pair - a client and a server engine joined in memory, and the test's hooks */
typedef struct retr_h_pair retr_h_pair;
struct retr_h_pair {
    const retr_engine_ops *cops, *sops;
    void *cl, *srv;
    uint64_t now;
    /* client_event - sees each client event (NULL: none needed) */
    void (*client_event)(retr_h_pair *p, const retr_event *ev);
    /* stalled - nothing moved this round: the test may act (deliver mail, let time pass) and
     * return true to go on; NULL, or false: the pump stops unless a handshake is due */
    bool (*stalled)(retr_h_pair *p);
};

/* retr_h_client_events - drain the client's events (each with a key and an RFC string) through
 * the hook; true when one was STARTTLS */
static inline bool retr_h_client_events(retr_h_pair *p)
{
    bool tls = false;
    retr_event ev;
    while (p->cops->next_event(p->cl, &ev)) {
        assert_non_null(ev.key);
        assert_non_null(ev.rfc);
        if (p->client_event)
            p->client_event(p, &ev);
        tls |= ev.kind == RETR_EV_STARTTLS;
    }
    return tls;
}

/* retr_h_pump - pass bytes both ways until the client is done or nothing moves (1000 rounds at
 * most, 10 ms apart). The "handshake" of these tests tells both sides at once, at the end of
 * the round whose events asked for it. */
static inline void retr_h_pump(retr_h_pair *p)
{
    for (int round = 0; round < 1000 && !p->cops->done(p->cl); round++) {
        const char *b;
        size_t n;
        bool moved = false, tls_srv = false, tls_cl;
        while ((n = p->sops->output(p->srv, &b)) > 0) {
            p->cops->feed(p->cl, b, n, p->now);
            p->sops->consumed(p->srv, n);
            moved = true;
        }
        tls_cl = retr_h_client_events(p);
        while ((n = p->cops->output(p->cl, &b)) > 0) {
            p->sops->feed(p->srv, b, n, p->now);
            p->cops->consumed(p->cl, n);
            moved = true;
        }
        tls_cl |= retr_h_client_events(p);
        retr_event ev;
        while (p->sops->next_event(p->srv, &ev))
            tls_srv |= ev.kind == RETR_EV_STARTTLS;
        if (tls_srv)
            p->sops->tls_started(p->srv, p->now);
        if (tls_cl)
            p->cops->tls_started(p->cl, p->now);
        if (!moved && p->stalled && p->stalled(p))
            continue;
        if (!moved && !tls_srv && !tls_cl)
            break;
        p->now += 10;
    }
    retr_h_client_events(p);
}

#endif
