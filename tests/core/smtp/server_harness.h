/* server_harness.h - a tiny driver for the server engine in tests: feed text, get the replies
 * and the events back as plain data. Shared by test_smtp_server.c and test_golden_server.c. */
#ifndef SERVER_HARNESS_H
#define SERVER_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/smtp/smtp_server.h"

#define H_OUT_MAX 65536
#define H_EV_MAX 4096

typedef struct {
    smtp_event_kind kind;
    char key[48];
    char verb[16];
    char esc[16];
    int code;
    int from, to;
    char bytes[600];
    size_t len;
} h_event;

typedef struct {
    smtp_server *srv;
    uint64_t now;
    char out[H_OUT_MAX]; /* output produced by the last call */
    size_t out_len;
    h_event ev[H_EV_MAX]; /* events of the last call */
    size_t n_ev;
} harness;

/* h_drain - take the output and the events of the last call. */
static inline void h_drain(harness *h)
{
    const char *buf;
    size_t n;
    h->out_len = 0;
    while ((n = smtp_server_output(h->srv, &buf)) > 0) {
        size_t room = H_OUT_MAX - 1 - h->out_len;
        size_t c = n < room ? n : room;
        memcpy(h->out + h->out_len, buf, c);
        h->out_len += c;
        smtp_server_output_consumed(h->srv, n);
    }
    h->out[h->out_len] = '\0';
    h->n_ev = 0;
    smtp_event e;
    while (smtp_server_next_event(h->srv, &e)) {
        if (h->n_ev == H_EV_MAX)
            continue;
        h_event *x = &h->ev[h->n_ev++];
        memset(x, 0, sizeof *x);
        x->kind = e.kind;
        snprintf(x->key, sizeof x->key, "%s", e.key);
        snprintf(x->verb, sizeof x->verb, "%s", e.verb);
        snprintf(x->esc, sizeof x->esc, "%s", e.esc);
        x->code = e.code;
        x->from = e.state_from;
        x->to = e.state_to;
        x->len = e.len;
        if (e.bytes) {
            size_t c = e.len < sizeof x->bytes - 1 ? e.len : sizeof x->bytes - 1;
            memcpy(x->bytes, e.bytes, c);
        }
    }
}

static inline void h_start(harness *h, const smtp_server_config *cfg, const smtp_peer *peer)
{
    memset(h, 0, sizeof *h);
    h->now = 1000;
    h->srv = smtp_server_new(cfg, peer, h->now);
    h_drain(h);
}

/* h_feedn - feed raw bytes; returns the output they produced. */
static inline const char *h_feedn(harness *h, const char *bytes, size_t n)
{
    smtp_server_feed(h->srv, bytes, n, h->now);
    h_drain(h);
    return h->out;
}

static inline const char *h_feed(harness *h, const char *text)
{
    return h_feedn(h, text, strlen(text));
}

/* h_find - the first event of a kind (and key, when not NULL), or NULL. */
static inline const h_event *h_find(const harness *h, smtp_event_kind kind, const char *key)
{
    for (size_t i = 0; i < h->n_ev; i++)
        if (h->ev[i].kind == kind && (!key || strcmp(h->ev[i].key, key) == 0))
            return &h->ev[i];
    return NULL;
}

static inline void h_end(harness *h)
{
    smtp_server_free(h->srv);
    h->srv = NULL;
}

#endif
