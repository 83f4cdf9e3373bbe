/* world_retrieval.c - the retrieval hop: a POP3 or IMAP session recorded as world steps (see
 * world_retrieval.h).
 *
 * Both protocols run through one pump over a small table of engine operations, so POP3 and IMAP
 * are recorded alike. The exchange is lock-step, which both protocols are apart from IMAP's
 * pushed news: the server's output crosses the link, then the client's, each taking the link's
 * latency; a TLS handshake takes two round trips. The events are recorded by world_recorder.h,
 * which `smtpsim live` shares for real sessions. Recording choices, made to read like the SMTP
 * hops: a command is the client engine's COMMAND event (its key names the client's intent,
 * pop3c.cmd.retr), a response or untagged line the server engine's event (pop3.retr.ok), so each
 * line crosses the link once in the timeline; engine STATE events become the node states.
 */
#include "core/world/world_retrieval.h"

#include <stdio.h>
#include <string.h>

#include "core/imap/imap_server.h"
#include "core/pop3/pop3_server.h"
#include "core/retrieval/retr_engine.h"
#include "core/world/world_internal.h"
#include "core/world/world_recorder.h"

#define RETR_MAX_ROUNDS 100000 /* a guard: a session never needs this many exchanges */
#define RETR_TEXT_MAX 200      /* one-line text of a connect or TLS step */

/* ---- the session --------------------------------------------------------------------------- */

typedef struct {
    world *w;
    const world_retr_session *s;
    void *srv, *cl;
    const retr_engine_ops *so, *co;
    world_retr_link link; /* the recorder's view of the session (world_recorder.h) */
    bool tls_srv, tls_cl; /* each engine asked for the handshake */
} pump;

/* drain - record the events of one engine; `sender` events become steps from t to t + lat */
static void drain(pump *p, bool server, uint64_t t)
{
    void *e = server ? p->srv : p->cl;
    const retr_engine_ops *o = server ? p->so : p->co;
    retr_event ev;
    while (o->next_event(e, &ev)) {
        if (ev.kind == RETR_EV_STARTTLS) {
            if (server)
                p->tls_srv = true;
            else
                p->tls_cl = true;
        }
        world_retr_record_event(p->w, &p->link, &ev, server, t, t + p->s->latency_ms);
    }
    world_retr_record_flush(p->w, &p->link);
}

/* move - one side's pending output crosses the link; returns whether anything moved */
static bool move(pump *p, bool from_server, uint64_t *now)
{
    void *src = from_server ? p->srv : p->cl, *dst = from_server ? p->cl : p->srv;
    const retr_engine_ops *so = from_server ? p->so : p->co, *dop = from_server ? p->co : p->so;
    const char *b;
    size_t n;
    bool moved = false;
    drain(p, from_server, *now);
    while ((n = so->output(src, &b)) > 0) {
        dop->feed(dst, b, n, *now + p->s->latency_ms);
        so->consumed(src, n);
        moved = true;
    }
    if (moved)
        *now += p->s->latency_ms;
    return moved;
}

/* handshake - both ends asked for TLS: two round trips, then both engines are told */
static void handshake(pump *p, uint64_t *now)
{
    uint64_t rtt = 2ull * p->s->latency_ms;
    char text[RETR_TEXT_MAX];
    snprintf(text, sizeof text, "TLS handshake (port %u)", (unsigned)p->s->port);
    world_retr_record_step(p->w, &p->link, WORLD_STEP_TLS, true, *now, *now + 2 * rtt, text);
    *now += 2 * rtt;
    p->so->tls_started(p->srv, *now);
    p->co->tls_started(p->cl, *now);
    p->tls_srv = p->tls_cl = false;
}

int world_retrieval_run(world *w, const world_retr_session *s, world_retr_result *out)
{
    memset(out, 0, sizeof *out);
    if (!w || !s || s->client < 0 || s->server < 0 ||
        (size_t)s->client >= world_node_count(w) || (size_t)s->server >= world_node_count(w) ||
        (s->proto == WORLD_RETR_POP3 ? !s->pop3 : !s->imap))
        return -1;
    pump p = {.w = w, .s = s};
    world_retr_link_init(&p.link, s->proto == WORLD_RETR_POP3, s->client, s->server, s->conn,
                         s->port, s->implicit_tls);
    uint64_t now = s->start_ms;
    bool imap = s->proto != WORLD_RETR_POP3;
    p.srv = retr_engine_server_new(imap, s->server_host, s->provider,
                                   s->tls_available || s->implicit_tls, s->allow_plaintext,
                                   s->implicit_tls, now + s->latency_ms);
    if (imap) {
        p.cl = imap_client_new(s->imap, now);
        p.so = &retr_engine_imap_server, p.co = &retr_engine_imap_client;
    } else {
        p.cl = pop3_client_new(s->pop3, now);
        p.so = &retr_engine_pop3_server, p.co = &retr_engine_pop3_client;
    }
    int rc = -1;
    if (!p.srv || !p.cl)
        goto done;
    char text[RETR_TEXT_MAX];
    snprintf(text, sizeof text, "connect to port %u (%s)", (unsigned)s->port,
             s->proto == WORLD_RETR_POP3 ? "POP3" : "IMAP");
    world_retr_record_step(w, &p.link, WORLD_STEP_CONNECT, true, now, now + s->latency_ms, text);
    now += s->latency_ms;
    if (s->implicit_tls) {
        p.tls_srv = p.tls_cl = true;
        handshake(&p, &now);
    }
    bool pushed = false;
    for (int round = 0; round < RETR_MAX_ROUNDS && !p.link.failed; round++) {
        bool done = s->proto == WORLD_RETR_POP3 ? pop3_client_done(p.cl) : imap_client_done(p.cl);
        bool m1 = move(&p, true, &now);
        bool m2 = move(&p, false, &now);
        if (p.tls_srv && p.tls_cl) {
            handshake(&p, &now);
            continue;
        }
        if (m1 || m2)
            continue;
        if (done)
            break;
        if (s->proto == WORLD_RETR_IMAP && imap_server_state_get(p.srv) == IMAP_SRV_IDLE) {
            if (!pushed && s->on_idle) {
                pushed = true; /* asked once per session */
                uint64_t t = now;
                bool news = s->on_idle(s->ctx, w, &t);
                if (t > now) /* the callback's own steps took that long */
                    now = t;
                if (news) {
                    imap_server_mailbox_changed(p.srv, now);
                    continue;
                }
            }
            uint64_t dl = imap_client_deadline(p.cl);
            now = dl > now ? dl : now;
            imap_client_tick(p.cl, now);
            continue;
        }
        /* nothing moves and the client is not done: its timer decides */
        if (s->proto == WORLD_RETR_POP3) {
            now = pop3_client_deadline(p.cl);
            pop3_client_tick(p.cl, now);
            if (!pop3_client_done(p.cl))
                break;
        } else {
            now = imap_client_deadline(p.cl);
            imap_client_tick(p.cl, now);
            if (!imap_client_done(p.cl))
                break;
        }
    }
    drain(&p, true, now);
    drain(&p, false, now);
    world_retr_record_step(w, &p.link, WORLD_STEP_CLOSE, true, now, now + s->latency_ms,
                           "connection closed");
    now += s->latency_ms;
    out->end_ms = now;
    if (s->proto == WORLD_RETR_POP3) {
        const pop3_client_result *r = pop3_client_result_get(p.cl);
        out->ok = r->status == POP3_RESULT_OK;
        snprintf(out->stage, sizeof out->stage, "%s", r->stage ? r->stage : "");
        snprintf(out->text, sizeof out->text, "%s", r->text);
        out->downloaded = r->downloaded;
        out->tls_used = r->tls_used;
    } else {
        const imap_client_result *r = imap_client_result_get(p.cl);
        out->ok = r->status == IMAP_RESULT_OK;
        snprintf(out->stage, sizeof out->stage, "%s", r->stage ? r->stage : "");
        snprintf(out->text, sizeof out->text, "%s", r->text);
        out->downloaded = r->downloaded;
        out->tls_used = r->tls_used;
        out->idle_news = r->idle_news;
    }
    rc = p.link.failed;
done:
    if (s->proto == WORLD_RETR_POP3) {
        pop3_server_free(p.srv);
        pop3_client_free(p.cl);
    } else {
        imap_server_free(p.srv);
        imap_client_free(p.cl);
    }
    return rc;
}
