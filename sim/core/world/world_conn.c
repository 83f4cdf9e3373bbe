/* world_conn.c - the world's connections and pumps: a client opens TCP to a server node, the
 * two SMTP engines talk through it, and every event of theirs becomes a step of the timeline.
 *
 * One pump drains either engine after each feed or tick (an op table per side, as the retrieval
 * engines have): its events become steps, its output bytes become an arrival event one link
 * latency later (TCP order kept per direction).
 * The server is fed one command line at a time so each reply follows the checks its own
 * command caused, and a what-if reply fault knows which command it answers. Closes, timers,
 * TLS handshakes and shutdowns end or change a connection here too.
 */
#include "core/world/world_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- connections -------------------------------------------------------------------------- */

/* arrival - when bytes sent at t reach the other end: one latency later, never before what
 * was sent earlier in the same direction (TCP delivers in order). */
static uint64_t peek_arrival(const conn *c, int side, uint64_t t)
{
    uint64_t a = t + c->lat;
    return a < c->last_arrive[side] ? c->last_arrive[side] : a;
}

static uint64_t arrival(conn *c, int side, uint64_t t)
{
    uint64_t a = t + c->lat;
    if (a < c->last_arrive[side])
        a = c->last_arrive[side];
    c->last_arrive[side] = a;
    return a;
}

static void arm_timer(world *w, conn *c)
{
    if (c->finished)
        return;
    uint64_t d = UINT64_MAX;
    if (c->cl)
        d = smtp_client_deadline(c->cl);
    if (c->srv) {
        uint64_t s = smtp_server_deadline(c->srv);
        if (s < d)
            d = s;
    }
    if (d == UINT64_MAX)
        return;
    if (d < w->now)
        d = w->now;
    if (c->timer_at && c->timer_at > w->now && c->timer_at <= d)
        return;
    c->timer_at = d;
    w_schedule(w, d, EV_TIMER, c);
}

void w_conn_free_engines(conn *c)
{
    smtp_client_free(c->cl);
    smtp_server_free(c->srv);
    c->cl = NULL;
    c->srv = NULL;
}

/* conn_close - one side closes: a CLOSE step, and the other side learns one latency later. */
void w_conn_close(world *w, conn *c, int closer_is_server, uint64_t t, const char *why)
{
    if (c->closed)
        return;
    c->closed = true;
    int from = closer_is_server ? c->snode : c->cnode, to = closer_is_server ? c->cnode : c->snode;
    int side = closer_is_server ? 1 : 0;
    w_add_stepf(w, WORLD_STEP_CLOSE, from, to, c, t, peek_arrival(c, side, t), "conn.close",
                "RFC 5321 3.8",
                "%s", why ? why : "connection closed");
    /* the session is over: neither end is under TLS any more */
    w_set_state_text(w, c->cnode, w->nodes[c->cnode].st.state, 0);
    w_set_state_text(w, c->snode, w->nodes[c->snode].st.state, 0);
    w_schedule_full(w, arrival(c, side, t), EV_CLOSE_ARRIVE, c, side, NULL, 0, 0);
}

void w_server_node_idle(world *w, conn *c)
{
    w_set_state_text(w, c->snode, w->nodes[c->snode].listen_state, 0);
}

conn *w_conn_new(world *w, conn_kind kind, int cnode, int snode_i, uint16_t port)
{
    if (w->n_conns >= WORLD_MAX_CONNS)
        return NULL;
    conn *c = w_arena_alloc(&w->ar, sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->w = w;
    c->id = (int)w->n_conns;
    c->kind = kind;
    c->cnode = cnode;
    c->snode = snode_i;
    c->port = port;
    c->lat = w_latency(w, cnode, snode_i);
    c->srv_state = SMTP_SRV_GREETING;
    conn **cs = realloc(w->conns, (w->n_conns + 1) * sizeof *cs);
    if (!cs)
        return NULL;
    w->conns = cs;
    w->conns[w->n_conns++] = c;
    return c;
}

/* connect_start - the client opens a TCP connection (the SYN travels one latency). */
void w_connect_start(world *w, conn *c)
{
    const wnode *s = &w->nodes[c->snode];
    w_add_stepf(w, WORLD_STEP_CONNECT, c->cnode, c->snode, c, w->now, w->now + c->lat,
                "conn.connect", "RFC 5321 3.1", "connect to %s [%s] port %u", s->pub.host,
                s->pub.addr, (unsigned)c->port);
    w_set_state_text(w, c->cnode, "connecting", 0);
    w_schedule(w, w->now + c->lat, EV_CONNECT_ARRIVE, c);
}

void w_on_connect_arrive(world *w, conn *c)
{
    const scenario_node *sn = w_snode(w, c->snode);
    bool listens = c->port == sn->port || (sn->tls_port && c->port == sn->tls_port);
    if (!listens || w_fault_active(w, c->snode, w->now)) {
        w_add_stepf(w, WORLD_STEP_REFUSED, c->snode, c->cnode, c, w->now, w->now + c->lat,
                    "conn.refused", "RFC 5321 4.5.4.1", "connection refused: %s",
                    listens ? "the server is down" : "nothing listens on this port");
        c->closed = true;
        w_schedule(w, w->now + c->lat, EV_REFUSED_ARRIVE, c);
        return;
    }
    c->implicit_port = sn->tls_port && c->port == sn->tls_port;
    w_server_config(w, c, c->snode);
    bool client_implicit = c->ccfg.tls == SMTP_TLS_IMPLICIT;
    c->cl = smtp_client_new(&c->ccfg, w->now);
    if (!c->cl) {
        w->ar.failed = true;
        return;
    }
    if (c->implicit_port && client_implicit) {
        /* RFC 8314 3.3: TLS from the first byte; SMTP starts once the handshake is done. */
        c->peer.implicit_tls = true;
        c->srv = smtp_server_new(&c->scfg, &c->peer, w->now);
        w_add_stepf(w, WORLD_STEP_TLS, c->cnode, c->snode, c, w->now, w->now + 2 * c->lat,
                    "tls.implicit", "RFC 8314 3.3",
                    "TLS 1.3 handshake (simulated), implicit TLS on port %u", (unsigned)c->port);
        w_schedule(w, w->now + 2 * c->lat, EV_TLS_DONE, c);
        w_pump_server(w, c);
        return;
    }
    if (c->implicit_port) {
        /* A plain-text client on an implicit-TLS port: the server's TLS layer waits for a
         * ClientHello, the client waits for a 220 greeting. Neither speaks. */
        c->tls_layer_wait = true;
        w_add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now, "tls.layer_wait",
                    "RFC 8314 3.3",
                    "port %u expects TLS first: the server's TLS layer waits for a ClientHello, "
                    "the client waits for a 220 greeting",
                    (unsigned)c->port);
        w_set_state_text(w, c->snode, "TLS layer: waiting for ClientHello", 0);
        w_schedule(w, w->now + w->sp->tls_handshake_timeout_ms, EV_TLS_LAYER_TIMEOUT, c);
        w_pump_client(w, c);
        return;
    }
    if (client_implicit) {
        /* An implicit-TLS client on a plain port: its ClientHello meets a 220 in clear text. */
        c->client_tls_broken = true;
    }
    c->srv = smtp_server_new(&c->scfg, &c->peer, w->now);
    if (!c->srv) {
        w->ar.failed = true;
        return;
    }
    /* TCP is up: the client now waits for the 220 (its engine starts in that state and says
     * nothing until the greeting comes) */
    w_set_state_text(w, c->cnode, smtp_client_state_name(smtp_client_state_get(c->cl)), -1);
    w_pump_server(w, c);
    if (!c->client_tls_broken)
        w_pump_client(w, c);
}

/* ---- one pump for both engines ------------------------------------------------------------ */

/* conn_link - the connection as the recorder sees it */
static world_link conn_link(const conn *c)
{
    return (world_link){.client = c->cnode, .server = c->snode, .conn = c->id, .port = c->port,
                        .tls = c->tls, .srv_state = c->srv_state};
}

/* in_flight - where an event's bytes sit in `seg`, the arena copy of the engine's output `out`
 * (steps share it rather than copy the bytes again), or NULL. */
static const char *in_flight(const char *seg, const char *out, size_t out_len,
                             const smtp_event *ev)
{
    if (seg && ev->bytes >= out && ev->bytes + ev->len <= out + out_len)
        return seg + (ev->bytes - out);
    return NULL;
}

/* smtp_pump - one pass over an engine: its events drained, its output sent. */
typedef struct {
    world_link l;
    uint64_t t;                /* when this output leaves the engine */
    const char *out;           /* the engine's output, out_len bytes */
    size_t out_len;
    char *seg;                 /* the arena copy that travels (a reply fault may swap part) */
    size_t seg_len;
    size_t last_step;          /* the engine's own last step of this pump, or SIZE_MAX */
    bool want_tls, want_close; /* the engine asked for STARTTLS / to close */
} smtp_pump;

/* smtp_pump_ops - what differs between the server's pump and the client's, as one table per
 * side (the retrieval engines' retr_engine_ops does the same for POP3 and IMAP): access to the
 * side's engine in the connection, the events only that side has, and what its STARTTLS,
 * CLOSE and end of session mean once the output is on its way. */
typedef struct {
    int side; /* 1: the server's bytes, towards the client; 0: the client's */
    bool (*present)(const conn *c);
    uint64_t (*send_time)(world *w, conn *c); /* NULL: now */
    size_t (*output)(const conn *c, const char **buf);
    void (*consumed)(conn *c, size_t n);
    int (*next_event)(conn *c, smtp_event *ev);
    void (*event)(world *w, conn *c, smtp_pump *p, const smtp_event *ev);
    void (*finish)(world *w, conn *c, const smtp_pump *p);
} smtp_pump_ops;

/* PUMP_ACCESS - the op table's access to one side's engine in the connection. The engines'
 * functions take their own types, so each side needs its small functions over the conn; a
 * macro writes them once for both (as retr_engine.c does for the retrieval engines). */
#define PUMP_ACCESS(side, field)                                                                   \
    static bool side##_present(const conn *c)                                                      \
    {                                                                                              \
        return c->field != NULL;                                                                   \
    }                                                                                              \
    static size_t side##_output(const conn *c, const char **buf)                                   \
    {                                                                                              \
        return smtp_##side##_output(c->field, buf);                                                \
    }                                                                                              \
    static void side##_consumed(conn *c, size_t n)                                                 \
    {                                                                                              \
        smtp_##side##_output_consumed(c->field, n);                                                \
    }                                                                                              \
    static int side##_next_event(conn *c, smtp_event *ev)                                          \
    {                                                                                              \
        return smtp_##side##_next_event(c->field, ev);                                             \
    }

PUMP_ACCESS(server, srv)
PUMP_ACCESS(client, cl)

/* pump - drain one engine after a feed or tick: its events become steps, its output bytes
 * become an arrival event one link latency later (TCP order kept per direction). */
static void pump(world *w, conn *c, const smtp_pump_ops *o)
{
    if (!o->present(c))
        return;
    smtp_pump p = {.last_step = SIZE_MAX};
    p.out_len = o->output(c, &p.out);
    p.t = o->send_time ? o->send_time(w, c) : w->now;
    p.seg = p.out_len ? w_arena_mem(&w->ar, p.out, p.out_len) : NULL;
    p.seg_len = p.out_len;
    p.l = conn_link(c);
    smtp_event ev;
    while (o->next_event(c, &ev)) {
        switch (ev.kind) {
        case SMTP_EV_STARTTLS:
            p.want_tls = true;
            break;
        case SMTP_EV_CLOSE:
            p.want_close = true;
            break;
        default:
            o->event(w, c, &p, &ev);
            break;
        }
    }
    w_settle_states(w, p.last_step);
    if (p.out_len)
        o->consumed(c, p.out_len);
    if (p.seg_len && !c->closed)
        w_schedule_full(w, arrival(c, o->side, p.t), EV_BYTES, c, o->side, p.seg, p.seg_len, 0);
    o->finish(w, c, &p);
    arm_timer(w, c);
}

/* ---- server side -------------------------------------------------------------------------- */

/* server_reply - a reply step; a what-if reply fault for it swaps its bytes in the segment. */
static void server_reply(world *w, conn *c, smtp_pump *p, const smtp_event *ev)
{
    const char *verb = world_reply_verb(&p->l, ev);
    wnode *sn = &w->nodes[c->snode];
    int slot = w_verb_slot(verb);
    unsigned nth = ++sn->replies[slot];
    const scenario_fault *f = slot < 15 ? w_find_reply_fault(w, c->snode, verb, (int)nth) : NULL;
    smtp_event shown = *ev; /* what the client gets: the engine's reply or the fault's */
    const char *owned = in_flight(p->seg, p->out, p->out_len, ev);
    const char *orig = NULL;
    bool swapped = false;
    if (f && !(c->armed_used && ev->code == f->code)) {
        char rb[600];
        int n = f->esc[0] ? snprintf(rb, sizeof rb, "%d %s %s\r\n", f->code, f->esc, f->text)
                          : snprintf(rb, sizeof rb, "%d %s\r\n", f->code, f->text);
        char *nb = w_arena_mem(&w->ar, rb, (size_t)n);
        /* replace the original bytes inside the segment */
        char *hit = NULL;
        for (size_t i = 0; p->seg && i + ev->len <= p->seg_len; i++)
            if (!memcmp(p->seg + i, ev->bytes, ev->len)) {
                hit = p->seg + i;
                break;
            }
        if (hit && nb) {
            orig = w_record_text(w, ev->bytes, ev->len);
            size_t off = (size_t)(hit - p->seg);
            size_t nl = p->seg_len - ev->len + (size_t)n;
            char *ns = w_arena_alloc(&w->ar, nl + 1);
            if (ns) {
                memcpy(ns, p->seg, off);
                memcpy(ns + off, nb, (size_t)n);
                memcpy(ns + off + n, p->seg + off + ev->len, p->seg_len - off - ev->len);
                p->seg = ns;
                p->seg_len = nl;
            }
            shown.bytes = owned = nb;
            shown.len = (size_t)n;
            shown.code = f->code;
            str_copy(shown.esc, sizeof shown.esc, f->esc, STR_ALL);
            shown.key = "whatif.reply";
            swapped = true;
        }
    }
    world_step *s = w_record(w, &p->l, &shown, true, p->t, peek_arrival(c, 1, p->t), verb, owned);
    if (s)
        p->last_step = s->index;
    if (f && (swapped || c->armed_used))
        w_add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, p->t, p->t, "whatif.note", "",
                    swapped ? "what if: this reply was replaced (the server's own reply was: %s)"
                            : "what if: the server's policy was told to answer this (%s)",
                    swapped && orig ? orig : s ? s->text : "");
    c->armed = NULL;
    c->armed_used = false;
}

/* server_event - the server's own events: its states and its replies */
static void server_event(world *w, conn *c, smtp_pump *p, const smtp_event *ev)
{
    if (ev->kind == SMTP_EV_STATE) {
        w_record(w, &p->l, ev, true, p->t, p->t, NULL, NULL);
        c->srv_state = p->l.srv_state;
    } else if (ev->kind == SMTP_EV_REPLY) {
        server_reply(w, c, p, ev);
    }
}

/* server_send_time - a server that was busy (a paused hook) sends nothing before it is ready */
static uint64_t server_send_time(world *w, conn *c)
{
    if (w->now > c->srv_ready_at)
        c->srv_ready_at = w->now;
    return c->srv_ready_at;
}

/* server_finish - steps a hook deferred happen now that its reply is on its way (on resume if
 * it is pending). The server's STARTTLS needs nothing here (the client starts the handshake
 * when it reads the 220); its CLOSE, or its end, closes the connection. */
static void server_finish(world *w, conn *c, const smtp_pump *p)
{
    if (!smtp_server_paused(c->srv))
        w_flush_deferred(w, c, p->t);
    if ((p->want_close || smtp_server_done(c->srv)) && !c->closed) {
        w_conn_close(w, c, 1, p->t, "connection closed by the server");
        w_server_node_idle(w, c);
    }
}

static const smtp_pump_ops server_pump = {
    .side = 1, .present = server_present, .send_time = server_send_time,
    .output = server_output, .consumed = server_consumed, .next_event = server_next_event,
    .event = server_event, .finish = server_finish,
};

void w_pump_server(world *w, conn *c)
{
    pump(w, c, &server_pump);
}

/* arm_fault - a reply fault for the next reply to `verb` on this server, if there is one: the
 * server's policy hooks answer with it (see take_armed), or server_reply swaps the bytes. */
static void arm_fault(world *w, conn *c, const char *verb)
{
    c->armed = NULL;
    c->armed_used = false;
    if (!verb[0] || !c->split_lines)
        return;
    int slot = w_verb_slot(verb);
    if (slot < 15) {
        const scenario_fault *f =
            w_find_reply_fault(w, c->snode, verb, (int)w->nodes[c->snode].replies[slot] + 1);
        if (f && f->code >= 400)
            c->armed = f;
    }
}

static void hold_input(world *w, conn *c, const char *b, size_t len);

/* feed_server - bytes arrive at the server. Commands are fed one line at a time (a pipelined
 * group too), so each reply follows the checks its own command caused, and a reply fault knows
 * which command it answers; message content goes in one piece up to its final ".". */
static void feed_server(world *w, conn *c, const char *b, size_t len)
{
    size_t i = 0;
    while (i < len && c->srv && !c->closed) {
        char verb[16] = "";
        size_t n;
        if (c->srv_state == SMTP_SRV_DATA) {
            /* RFC 5321 4.1.1.4: the content ends with a line holding only "." */
            size_t j = i;
            while (j < len) {
                const char *lf = memchr(b + j, '\n', len - j);
                size_t ln = lf ? (size_t)(lf - (b + j)) + 1 : len - j;
                bool dot = b[j] == '.' && ((ln == 2 && b[j + 1] == '\n') ||
                                           (ln == 3 && b[j + 1] == '\r' && b[j + 2] == '\n'));
                j += ln;
                if (dot) {
                    strcpy(verb, ".");
                    break;
                }
            }
            n = j - i;
        } else {
            const char *lf = memchr(b + i, '\n', len - i);
            n = lf ? (size_t)(lf - (b + i)) + 1 : len - i;
            size_t k = 0;
            while (k < n && k < sizeof verb - 1 && b[i + k] != ' ' && b[i + k] != '\r' &&
                   b[i + k] != '\n') {
                verb[k] = (char)toupper((unsigned char)b[i + k]);
                k++;
            }
            verb[k] = '\0';
        }
        arm_fault(w, c, verb);
        smtp_server_feed(c->srv, b + i, n, w->now);
        w_pump_server(w, c);
        i += n;
        if (c->srv && smtp_server_paused(c->srv)) {
            /* a hook waits (DNS): the rest is fed after the resume, line by line as ever, so
             * each command still meets its own reply fault. The resume comes when the reply
             * would have gone out: after the server's earlier replies, plus the wait. */
            hold_input(w, c, b + i, len - i);
            w_schedule(w, c->srv_ready_at + c->resume_after, EV_SERVER_RESUME, c);
            return;
        }
    }
}

/* hold_input - client bytes that arrive while the engine is paused wait in the connection. */
static void hold_input(world *w, conn *c, const char *b, size_t len)
{
    if (len == 0)
        return;
    char *p = w_arena_alloc(&w->ar, c->held_len + len);
    if (!p)
        return;
    if (c->held_len)
        memcpy(p, c->held_in, c->held_len);
    memcpy(p + c->held_len, b, len);
    c->held_in = p;
    c->held_len += len;
}

void w_on_server_resume(world *w, conn *c)
{
    if (c->finished || !c->srv)
        return;
    const char *held = c->held_in;
    size_t held_len = c->held_len;
    c->held_in = NULL;
    c->held_len = 0;
    /* -1 when the session was closed meanwhile (a shutdown): the held bytes go nowhere */
    if (smtp_server_resume(c->srv, &c->pend_verdict, w->now) != 0)
        return;
    w_pump_server(w, c);
    if (held_len && !c->closed)
        feed_server(w, c, held, held_len);
}

/* ---- client side -------------------------------------------------------------------------- */

/* client_event - the client's own events: its states, commands and content, and the
 * decisions it takes alone */
static void client_event(world *w, conn *c, smtp_pump *p, const smtp_event *ev)
{
    switch (ev->kind) {
    case SMTP_EV_STATE:
        w_record(w, &p->l, ev, false, p->t, p->t, NULL, NULL);
        break;
    case SMTP_EV_COMMAND:
    case SMTP_EV_DATA: {
        const world_step *s = w_record(w, &p->l, ev, false, p->t, peek_arrival(c, 0, p->t), NULL,
                                       in_flight(p->seg, p->out, p->out_len, ev));
        if (s)
            p->last_step = s->index;
        break;
    }
    case SMTP_EV_ERROR: {
        if (!ev->code)
            break; /* a lost connection: reported with the result */
        /* the client decided something on its own (RFC 1870 6: too large for SIZE, ...) */
        const smtp_client_result *r = smtp_client_result_get(c->cl);
        world_step *s = w_add_stepf(w, WORLD_STEP_CHECK, c->cnode, c->cnode, c, p->t, p->t,
                                    ev->key, ev->rfc, "client decision: %d%s%s %s", ev->code,
                                    ev->esc[0] ? " " : "", ev->esc,
                                    r && r->text[0] ? r->text : ev->key);
        if (s) {
            s->code = ev->code;
            str_copy(s->esc, sizeof s->esc, ev->esc, STR_ALL);
        }
        break;
    }
    default:
        break;
    }
}

/* client_finish - the client's STARTTLS starts the handshake; at its end it reports, and
 * closes if the server has not. */
static void client_finish(world *w, conn *c, const smtp_pump *p)
{
    if (p->want_tls && !c->closed) {
        /* The handshake: ClientHello, ServerHello..Finished, client Finished (RFC 8446 2). */
        w_add_stepf(w, WORLD_STEP_TLS, c->cnode, c->snode, c, p->t, p->t + 2 * c->lat,
                    "tls.handshake", "RFC 3207 4", "TLS 1.3 handshake (simulated)");
        w_schedule(w, p->t + 2 * c->lat, EV_TLS_DONE, c);
    }
    if (smtp_client_done(c->cl)) {
        if (!c->client_reported) {
            c->client_reported = true;
            w_client_finished(w, c, NULL);
        }
        /* the client has nothing more to say; if the server has not closed, the client does */
        if (!c->closed && (p->want_close || c->srv == NULL || smtp_server_done(c->srv)))
            w_conn_close(w, c, 0, p->t, "connection closed by the client");
    }
}

static const smtp_pump_ops client_pump = {
    .side = 0, .present = client_present, .send_time = NULL,
    .output = client_output, .consumed = client_consumed, .next_event = client_next_event,
    .event = client_event, .finish = client_finish,
};

void w_pump_client(world *w, conn *c)
{
    pump(w, c, &client_pump);
}

/* ---- what the world does with a finished client ------------------------------------------ */

static void mua_report(world *w, conn *c, const char *why)
{
    int node = c->cnode;
    const wnode *n = &w->nodes[node];
    if (!c->cl || why) {
        w_add_stepf(w, WORLD_STEP_CHECK, node, node, c, w->now, w->now, "mua.failed",
                    "RFC 6409 4", "%s could not send the message: %s", n->pub.name,
                    why ? why : "no connection");
        w_set_state_text(w, node, "gave up", 0);
        return;
    }
    const smtp_client_result *r = smtp_client_result_get(c->cl);
    if (r->status == SMTP_RESULT_OK) {
        if (r->n_accepted < r->n_rcpts)
            w_add_stepf(w, WORLD_STEP_CHECK, node, node, c, w->now, w->now, "mua.partial",
                        "RFC 5321 3.3", "%s: message sent to %zu of %zu recipients", n->pub.name,
                        r->n_accepted, r->n_rcpts);
        else
            w_add_stepf(w, WORLD_STEP_CHECK, node, node, c, w->now, w->now, "mua.sent",
                        "RFC 5321 6.1", "%s: message submitted", n->pub.name);
        w_set_state_text(w, node, "sent", 0);
    } else {
        char what[256];
        if (r->code)
            snprintf(what, sizeof what, "%d%s%s %s (at %s)", r->code, r->esc[0] ? " " : "", r->esc,
                     r->text, r->stage ? r->stage : "?");
        else
            snprintf(what, sizeof what, "%s (at %s)", r->text, r->stage ? r->stage : "?");
        w_add_stepf(w, WORLD_STEP_CHECK, node, node, c, w->now, w->now, "mua.failed",
                    "RFC 6409 4", "%s could not send the message: %s", n->pub.name, what);
        w_set_state_text(w, node, "gave up", 0);
    }
}

void w_client_finished(world *w, conn *c, const char *why_refused)
{
    if (c->kind == CONN_SUBMIT)
        mua_report(w, c, why_refused);
    else if (c->job)
        w_job_session_done(w, c->job, c, why_refused);
}

/* ---- event dispatch ----------------------------------------------------------------------- */

void w_on_bytes(world *w, conn *c, int to_client, const char *b, size_t len)
{
    if (c->finished)
        return;
    if (!to_client) {
        if (c->srv && smtp_server_paused(c->srv))
            hold_input(w, c, b, len);
        else
            feed_server(w, c, b, len);
        return;
    }
    if (!c->cl)
        return;
    if (c->client_tls_broken) {
        /* RFC 8314 3.3: an implicit-TLS client reads the plain 220 as a broken TLS record */
        w_add_stepf(w, WORLD_STEP_CHECK, c->cnode, c->cnode, c, w->now, w->now, "tls.not_tls",
                    "RFC 8314 3.3",
                    "the client expected a TLS ServerHello but got plain text: handshake failed");
        w_conn_close(w, c, 0, w->now, "connection closed by the client (TLS handshake failed)");
        if (!c->client_reported) {
            c->client_reported = true;
            w_client_finished(w, c, "TLS handshake failed: the server speaks plain SMTP here");
        }
        return;
    }
    smtp_client_feed(c->cl, b, len, w->now);
    w_pump_client(w, c);
}

void w_on_close_arrive(world *w, conn *c, int to_client)
{
    if (to_client) {
        if (c->cl && !smtp_client_done(c->cl)) {
            smtp_client_connection_lost(c->cl, w->now);
            w_pump_client(w, c);
        }
    }
    if (c->kind == CONN_SUBMIT || c->kind == CONN_RELAY) {
        if (c->srv)
            w_server_node_idle(w, c);
        if (c->cl && !c->client_reported) {
            c->client_reported = true;
            w_client_finished(w, c, NULL);
        }
    }
    c->finished = true;
    c->tls = false;
    w_set_state_text(w, c->cnode, w->nodes[c->cnode].st.state, 0);
    w_set_state_text(w, c->snode, w->nodes[c->snode].st.state, 0);
    w_conn_free_engines(c);
}

void w_on_timer(world *w, conn *c)
{
    if (c->finished || c->timer_at != w->now)
        return;
    c->timer_at = 0;
    if (c->srv) {
        smtp_server_tick(c->srv, w->now);
        w_pump_server(w, c);
    }
    if (c->cl && !c->finished) {
        smtp_client_tick(c->cl, w->now);
        w_pump_client(w, c);
        if (smtp_client_done(c->cl) && !c->closed)
            w_conn_close(w, c, 0, w->now, "connection closed by the client (timeout)");
    }
    arm_timer(w, c);
}

/* in_tls_handshake - the link carries TLS handshake records now, not SMTP lines: after the 220
 * to STARTTLS (RFC 3207 4) or on an implicit-TLS port (RFC 8314 3.3) until the handshake ends. */
static bool in_tls_handshake(const conn *c)
{
    if (c->tls)
        return false;
    return (c->srv && smtp_server_state_get(c->srv) == SMTP_SRV_TLS) || c->implicit_port ||
           c->tls_layer_wait;
}

void w_on_shutdown(world *w, int node)
{
    for (size_t i = 0; i < w->n_conns; i++) {
        conn *c = w->conns[i];
        if (c->snode != node || !c->srv || c->closed || c->finished)
            continue;
        if (in_tls_handshake(c)) {
            /* No SMTP reply can be sent in the middle of a TLS handshake (the client reads TLS
             * records, and plain text there is what RFC 3207 6 tells it to distrust): the
             * server just drops the connection, and the client sees it lost. */
            w_add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now,
                        "conn.shutdown_tls", "RFC 5321 3.8",
                        "shutting down during the TLS handshake: no 421 is possible here, the "
                        "server closes the connection");
            c->tls_aborted = true;
            w_conn_close(w, c, 1, w->now, "connection closed by the server (shutdown)");
            smtp_server_free(c->srv);
            c->srv = NULL;
            continue;
        }
        smtp_server_shutdown(c->srv, w->now); /* 421 4.3.2 (RFC 5321 3.8) */
        w_pump_server(w, c);
    }
    w_set_state_text(w, node, "down", 0);
}
