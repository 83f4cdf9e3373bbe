/* world_retrieval.c - the retrieval hop: a POP3 or IMAP session recorded as world steps (see
 * world_retrieval.h).
 *
 * Both protocols run through one pump over a small table of engine operations, so POP3 and IMAP
 * are recorded alike. The exchange is lock-step, which both protocols are apart from IMAP's
 * pushed news: the server's output crosses the link, then the client's, each taking the link's
 * latency; a TLS handshake takes two round trips. Recording choices, made to read like the SMTP
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

#define RETR_MAX_ROUNDS 100000 /* a guard: a session never needs this many exchanges */
#define RETR_TEXT_MAX 200      /* one-line text of a local step */

/* ---- the session --------------------------------------------------------------------------- */

typedef struct {
    world *w;
    const world_retr_session *s;
    void *srv, *cl;
    const retr_engine_ops *so, *co;
    bool tls;           /* the link is under TLS now */
    bool tls_srv, tls_cl; /* each engine asked for the handshake */
    int failed;
    char st_cl[48], st_srv[48]; /* node states waiting for the node's next step, "" if none */
    bool any_line;      /* a command or response has crossed the link */
} pump;

/* add - append one step; a failure is sticky */
static void add(pump *p, world_step_kind kind, bool from_client, uint64_t t0, uint64_t t1,
                const char *text, const char *bytes, size_t len, const retr_event *ev)
{
    /* steps that are no engine event: the world's own keys (explain_retr.c) */
    static const struct {
        world_step_kind kind;
        const char *key, *rfc;
    } own[] = {
        {WORLD_STEP_CONNECT, "retr.connect", "RFC 8314 3"},
        {WORLD_STEP_TLS, "retr.tls.starttls", "RFC 9051 6.2.1"},
        {WORLD_STEP_CLOSE, "retr.close", "RFC 1939 6"},
    };
    world_step st;
    memset(&st, 0, sizeof st);
    st.kind = kind;
    st.from = from_client ? p->s->client : p->s->server;
    st.to = from_client ? p->s->server : p->s->client;
    if (kind == WORLD_STEP_CHECK)
        st.to = st.from;
    st.conn = p->s->conn;
    st.port = p->s->port;
    st.tls = p->tls;
    st.t_send_ms = t0;
    st.t_arrive_ms = t1;
    st.text = text;
    st.bytes = bytes;
    st.len = len;
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (own[i].kind == kind)
            st.key = own[i].key, st.rfc = own[i].rfc;
    if (kind == WORLD_STEP_TLS && p->s->proto == WORLD_RETR_POP3)
        st.key = "retr.tls.stls", st.rfc = "RFC 2595 4";
    if (kind == WORLD_STEP_TLS && p->s->implicit_tls && !p->any_line)
        st.key = "retr.tls.implicit", st.rfc = "RFC 8314 3";
    if (ev) {
        snprintf(st.verb, sizeof st.verb, "%s", ev->verb);
        /* the status word stands where SMTP has its code: "+OK", "-ERR", "OK", "NO", ... */
        snprintf(st.esc, sizeof st.esc, "%s", ev->status);
        st.rfc = ev->rfc;
        st.key = ev->key;
    }
    /* a state an engine reported rides on the next step that involves its node */
    char *sf = from_client ? p->st_cl : p->st_srv, *sto = from_client ? p->st_srv : p->st_cl;
    if (kind == WORLD_STEP_CHECK)
        sto = NULL;
    p->any_line |= kind == WORLD_STEP_COMMAND || kind == WORLD_STEP_REPLY;
    if (world_live_append_step(p->w, &st, sf[0] ? sf : NULL, sto && sto[0] ? sto : NULL) < 0)
        p->failed = -1;
    sf[0] = '\0';
    if (sto)
        sto[0] = '\0';
}

/* state_text - what a node shows for an engine state */
static const char *state_text(const pump *p, bool server, int st)
{
    if (p->s->proto == WORLD_RETR_POP3)
        return server ? pop3_server_state_name((pop3_server_state)st)
                      : pop3_client_state_name((pop3_client_state)st);
    return server ? imap_server_state_name((imap_server_state)st)
                  : imap_client_state_name((imap_client_state)st);
}

/* set_state - remember a node's new state for its next step */
static void set_state(pump *p, bool server, const char *text)
{
    char *d = server ? p->st_srv : p->st_cl;
    snprintf(d, sizeof p->st_cl, "%s", text);
}

/* drain - record the events of one engine; `sender` events become steps from t to t + lat */
static void drain(pump *p, bool server, uint64_t t)
{
    void *e = server ? p->srv : p->cl;
    const retr_engine_ops *o = server ? p->so : p->co;
    uint64_t lat = p->s->latency_ms;
    retr_event ev;
    const char *text;
    char local[RETR_TEXT_MAX];
    /* a line is recorded once the events after it are seen: a state change the engine
     * reports right after its own line (a greeting, then AUTHORIZATION) rides on that line */
    retr_event line;
    bool have_line = false;
    for (;;) {
        bool end = !o->next_event(e, &ev);
        if (end && !have_line)
            break;
        if (have_line && (end || ev.kind != RETR_EV_STATE)) {
            text = w_record_text(p->w, line.bytes, line.len);
            add(p, server ? WORLD_STEP_REPLY : WORLD_STEP_COMMAND, !server, t, t + lat, text,
                line.bytes, line.len, &line);
            have_line = false;
        }
        if (end)
            break;
        switch (ev.kind) {
        case RETR_EV_COMMAND:
        case RETR_EV_RESPONSE:
        case RETR_EV_UNTAGGED:
        case RETR_EV_CONTINUE:
            if (ev.bytes && (server ? ev.kind != RETR_EV_COMMAND : ev.kind == RETR_EV_COMMAND))
                line = ev, have_line = true;
            break;
        case RETR_EV_STARTTLS:
            if (server)
                p->tls_srv = true;
            else
                p->tls_cl = true;
            break;
        case RETR_EV_ERROR:
            snprintf(local, sizeof local, "%s: %s", server ? "server" : "client", ev.key);
            add(p, WORLD_STEP_CHECK, !server, t, t, local, NULL, 0, &ev);
            break;
        case RETR_EV_STATE:
            set_state(p, server, state_text(p, server, ev.state_to));
            break;
        default: /* AUTH, MESSAGE, DONE, CLOSE: the result and the steps around say it */
            break;
        }
    }
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
    p->tls = true;
    add(p, WORLD_STEP_TLS, true, *now, *now + 2 * rtt, text, NULL, 0, NULL);
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
    add(&p, WORLD_STEP_CONNECT, true, now, now + s->latency_ms, text, NULL, 0, NULL);
    now += s->latency_ms;
    if (s->implicit_tls) {
        p.tls_srv = p.tls_cl = true;
        handshake(&p, &now);
    }
    bool pushed = false;
    for (int round = 0; round < RETR_MAX_ROUNDS && !p.failed; round++) {
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
    add(&p, WORLD_STEP_CLOSE, true, now, now + s->latency_ms, "connection closed", NULL, 0,
        NULL);
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
    rc = p.failed;
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
