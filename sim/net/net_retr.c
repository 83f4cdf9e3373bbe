/* net_retr.c - POP3 and IMAP sessions on real sockets (net_retr.h).
 *
 * One small table of engine operations hides the difference between pop3_server and
 * imap_server, so listeners, TLS, timers, backpressure and logging are written once.
 */
#define _GNU_SOURCE /* accept4 */
#include "net/net_retr.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/imap/imap_server.h"
#include "core/pop3/pop3_server.h"
#include "core/retrieval/retr_engine.h"
#include "net/net_client.h"
#include "net/net_conn.h"
#include "net/net_tls.h"

#define RETR_BACKLOG 128
#define RETR_ACCEPT_BURST 32
#define RETR_INBUF_MAX (256 * 1024) /* input held back while output drains */


/* the engine of each protocol (core/retrieval/retr_engine.h) */
static const retr_engine_ops *const engine_ops[] = {
    [NET_RETR_POP3] = &retr_engine_pop3_server,
    [NET_RETR_IMAP] = &retr_engine_imap_server,
};

typedef struct retr_session {
    net_retr *srv; /* NULL once the server is freed before the close callback ran */
    const retr_engine_ops *ops;
    unsigned id;
    net_conn *conn;
    void *eng;
    net_timer timer;  /* the engine's deadline */
    net_timer resume; /* feed held input once output drained */
    char *in;         /* input not yet fed (backpressure) */
    size_t in_len, in_cap;
    unsigned long gen; /* mailbox generation the session was last told about */
    bool closing;
    bool tls;          /* the handshake is done (for the observer) */
    struct retr_session *prev, *next;
} retr_session;

typedef struct {
    net_retr *srv;
    int fd, port;
    bool implicit_tls;
} retr_listener;

struct net_retr {
    net_loop *loop;
    const net_retr_config *cfg;
    const retr_engine_ops *ops;
    net_tls_ctx *tls;
    retr_listener lis[2 * NET_SERVER_MAX_LISTEN];
    size_t n_lis;
    retr_session *sessions;
    size_t n_sessions;
    unsigned next_id;
    net_timer poll;
};

/* retr_log - one line on the log stream when level is enabled. */
static void retr_log(net_retr *r, net_log_level level, const char *fmt, ...)
{
    if (level > r->cfg->log_level)
        return;
    FILE *f = r->cfg->log ? r->cfg->log : stderr;
    va_list ap;
    va_start(ap, fmt);
    fprintf(f, "smtpsim %s: ", r->cfg->name);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    va_end(ap);
    fflush(f);
}

/* ---- one session ----------------------------------------------------------------------- */

static void session_process(retr_session *ss);

static void log_event(retr_session *ss, const retr_event *ev)
{
    net_retr *r = ss->srv;
    if (ev->kind == RETR_EV_AUTH) {
        retr_log(r, NET_LOG_SESSION, "#%u login %s", ss->id, ev->status);
        return;
    }
    if (r->cfg->log_level < NET_LOG_PROTOCOL || !ev->bytes)
        return;
    size_t n = ev->len;
    while (n && (ev->bytes[n - 1] == '\n' || ev->bytes[n - 1] == '\r'))
        n--;
    size_t eol = strcspn(ev->bytes, "\r\n");
    bool more = eol < n;
    if (eol > 200)
        eol = 200;
    retr_log(r, NET_LOG_PROTOCOL, "#%u %s %.*s%s", ss->id, ev->dir == RETR_DIR_C2S ? "<" : ">",
             (int)(eol < n ? eol : n), ev->bytes, more ? " ..." : "");
}

/* observe - tell the live view, if any */
static void observe(retr_session *ss, net_obs o)
{
    const net_retr_config *cfg = ss->srv->cfg;
    if (!cfg->observe)
        return;
    o.session = ss->id;
    o.tls = ss->tls;
    cfg->observe(cfg->observe_ctx, &o);
}

/* drain_events - an engine's events: logged, observed, STARTTLS and CLOSE acted on; returns
 * whether STARTTLS came (the input pipelined after it is dropped). */
static bool drain_events(retr_session *ss)
{
    net_retr *r = ss->srv;
    retr_event ev;
    bool tls = false;
    while (r->ops->next_event(ss->eng, &ev)) {
        log_event(ss, &ev);
        observe(ss, (net_obs){.kind = NET_OBS_EVENT, .retr_ev = &ev});
        if (ev.kind == RETR_EV_STARTTLS) {
            tls = true;
            net_conn_start_tls(ss->conn, r->tls, true, NULL);
        } else if (ev.kind == RETR_EV_CLOSE) {
            ss->closing = true;
        }
    }
    observe(ss, (net_obs){.kind = NET_OBS_IDLE});
    return tls;
}

/* feed_held - feed held input one line at a time while the engine's output is small. */
static void feed_held(retr_session *ss)
{
    net_retr *r = ss->srv;
    size_t off = 0;
    const char *p;
    while (off < ss->in_len && r->ops->output(ss->eng, &p) < NET_RETR_OUT_LOW && !ss->closing) {
        const char *lf = memchr(ss->in + off, '\n', ss->in_len - off);
        size_t n = lf ? (size_t)(lf - (ss->in + off)) + 1 : ss->in_len - off;
        r->ops->feed(ss->eng, ss->in + off, n, net_loop_now(r->loop));
        off += n;
        if (drain_events(ss))
            off = ss->in_len; /* bytes pipelined after STARTTLS are dropped (RFC 2595 4,
                                 CVE-2011-0411) */
    }
    if (off) {
        memmove(ss->in, ss->in + off, ss->in_len - off);
        ss->in_len -= off;
    }
}

/* session_process - run held input, drain events, flush, arm the timer, close when over. */
static void session_process(retr_session *ss)
{
    net_retr *r = ss->srv;
    feed_held(ss);
    drain_events(ss);
    net_conn_pause_read(ss->conn, ss->in_len > 0 || ss->closing);
    net_conn_flush(ss->conn);
    uint64_t d = r->ops->deadline(ss->eng);
    net_loop_timer_set(r->loop, &ss->timer, d);
    if (ss->closing || r->ops->done(ss->eng))
        net_conn_close(ss->conn, true, "session over");
}

static void on_timer(void *ctx)
{
    retr_session *ss = ctx;
    ss->srv->ops->tick(ss->eng, net_loop_now(ss->srv->loop));
    session_process(ss);
}

static void on_resume(void *ctx)
{
    session_process(ctx);
}

static void on_data(void *ctx, const char *buf, size_t n)
{
    retr_session *ss = ctx;
    if (ss->closing)
        return;
    if (ss->in_len + n > RETR_INBUF_MAX) {
        net_conn_close(ss->conn, false, "client sent too much without reading");
        return;
    }
    if (ss->in_len + n > ss->in_cap) {
        size_t cap = ss->in_cap ? ss->in_cap : 4096;
        while (cap < ss->in_len + n)
            cap *= 2;
        char *g = realloc(ss->in, cap);
        if (!g) {
            net_conn_close(ss->conn, false, "out of memory");
            return;
        }
        ss->in = g;
        ss->in_cap = cap;
    }
    memcpy(ss->in + ss->in_len, buf, n);
    ss->in_len += n;
    session_process(ss);
}

static void on_tls(void *ctx, bool ok, const char *info)
{
    retr_session *ss = ctx;
    retr_log(ss->srv, NET_LOG_SESSION, "#%u tls %s", ss->id, info);
    if (!ok)
        return;
    ss->tls = true;
    observe(ss, (net_obs){.kind = NET_OBS_TLS, .text = info});
    ss->srv->ops->tls_started(ss->eng, net_loop_now(ss->srv->loop));
    session_process(ss);
}

static size_t out_peek(void *ctx, const char **buf)
{
    retr_session *ss = ctx;
    return ss->srv->ops->output(ss->eng, buf);
}

static void out_consumed(void *ctx, size_t n)
{
    retr_session *ss = ctx;
    net_retr *r = ss->srv;
    r->ops->consumed(ss->eng, n);
    const char *p;
    /* held input can go on once the output drained; not from inside the flush */
    if (ss->in_len && !ss->closing && r->ops->output(ss->eng, &p) < NET_RETR_OUT_LOW &&
        ss->resume.heap_index == SIZE_MAX)
        net_loop_timer_set(r->loop, &ss->resume, net_loop_now(r->loop));
}

static void on_close(void *ctx, const char *why)
{
    retr_session *ss = ctx;
    net_retr *r = ss->srv;
    if (!r) { /* orphaned by net_retr_free: only the memory is left to release */
        ss->ops->free(ss->eng);
        free(ss->in);
        free(ss);
        return;
    }
    retr_log(r, NET_LOG_SESSION, "#%u close: %s", ss->id, why);
    ss->tls = false; /* the session is over: no padlock stays */
    observe(ss, (net_obs){.kind = NET_OBS_CLOSE, .text = why});
    net_loop_timer_cancel(r->loop, &ss->timer);
    net_loop_timer_cancel(r->loop, &ss->resume);
    r->ops->free(ss->eng); /* POP3: a session not ended by QUIT deletes nothing */
    if (ss->prev)
        ss->prev->next = ss->next;
    else
        r->sessions = ss->next;
    if (ss->next)
        ss->next->prev = ss->prev;
    r->n_sessions--;
    free(ss->in);
    free(ss);
}

/* on_poll - look for mail the MX delivered and changes from other sessions; tell IMAP. */
static void on_poll(void *ctx)
{
    net_retr *r = ctx;
    net_mailstore_poll(r->cfg->store);
    unsigned long gen = net_mailstore_generation(r->cfg->store);
    for (retr_session *ss = r->sessions; ss; ss = ss->next) {
        if (ss->gen == gen || ss->closing)
            continue;
        ss->gen = gen;
        if (r->cfg->proto == NET_RETR_IMAP) {
            imap_server_mailbox_changed(ss->eng, net_loop_now(r->loop));
            session_process(ss);
        }
    }
    net_loop_timer_set(r->loop, &r->poll, net_loop_now(r->loop) + NET_RETR_POLL_MS);
}

static void session_start(net_retr *r, int fd, int server_port, bool implicit_tls)
{
    retr_session *ss = calloc(1, sizeof *ss);
    if (!ss) {
        close(fd);
        return;
    }
    ss->srv = r;
    ss->ops = r->ops;
    ss->id = ++r->next_id;
    ss->gen = net_mailstore_generation(r->cfg->store);
    net_timer_init(&ss->timer, on_timer, ss);
    net_timer_init(&ss->resume, on_resume, ss);
    uint64_t now = net_loop_now(r->loop);
    ss->eng = retr_engine_server_new(r->cfg->proto == NET_RETR_IMAP, r->cfg->hostname,
                                     net_mailstore_provider(r->cfg->store), r->tls != NULL,
                                     r->cfg->allow_plaintext, implicit_tls, now);
    static const net_conn_cb cb = {NULL, on_data, on_tls, on_close, out_peek, out_consumed};
    ss->conn = ss->eng ? net_conn_new(r->loop, fd, false, &cb, ss) : NULL;
    if (!ss->conn) {
        if (ss->eng)
            r->ops->free(ss->eng);
        close(fd);
        free(ss);
        return;
    }
    ss->next = r->sessions;
    if (r->sessions)
        r->sessions->prev = ss;
    r->sessions = ss;
    r->n_sessions++;
    int port;
    const char *peer = net_conn_peer(ss->conn, &port);
    retr_log(r, NET_LOG_SESSION, "#%u connect from %s:%d%s", ss->id, peer, port,
             implicit_tls ? " (implicit TLS)" : "");
    observe(ss, (net_obs){.kind = NET_OBS_CONNECT, .text = peer, .port = port,
                               .server_port = server_port, .implicit_tls = implicit_tls});
    if (implicit_tls)
        net_conn_start_tls(ss->conn, r->tls, true, NULL); /* greeting after the handshake */
    session_process(ss);
}

static void on_accept(void *ctx, int lfd, unsigned events)
{
    retr_listener *l = ctx;
    net_retr *r = l->srv;
    (void)events;
    for (int i = 0; i < RETR_ACCEPT_BURST; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                retr_log(r, NET_LOG_QUIET, "accept: %s", strerror(errno));
            return;
        }
        if (r->n_sessions >= r->cfg->max_sessions) {
            retr_log(r, NET_LOG_SESSION, "refused a connection: %zu sessions open", r->n_sessions);
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        session_start(r, fd, l->port, l->implicit_tls);
    }
}

/* ---- setup ----------------------------------------------------------------------------- */

void net_retr_config_default(net_retr_config *cfg, net_retr_proto proto)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->proto = proto;
    cfg->name = proto == NET_RETR_POP3 ? "pop3" : "imap";
    cfg->hostname = "localhost";
    cfg->max_sessions = NET_SERVER_MAX_SESSIONS;
    cfg->log_level = NET_LOG_SESSION;
}

static int listen_on(net_retr *r, const char *spec, bool implicit_tls, char *err, size_t errlen)
{
    char host[256];
    int port;
    int fd = net_listen_tcp(spec, RETR_BACKLOG, host, sizeof host, &port, err, errlen);
    if (fd < 0)
        return -1;
    retr_listener *l = &r->lis[r->n_lis];
    *l = (retr_listener){r, fd, port, implicit_tls};
    if (net_loop_add(r->loop, fd, NET_EV_READ, on_accept, l) != 0) {
        snprintf(err, errlen, "event loop: %s", strerror(errno));
        close(fd);
        return -1;
    }
    r->n_lis++;
    /* always logged: scripts wait for this line */
    retr_log(r, NET_LOG_QUIET, "listening on %s%s%s:%d%s", strchr(host, ':') ? "[" : "", host,
             strchr(host, ':') ? "]" : "", port, implicit_tls ? " (implicit TLS)" : "");
    return 0;
}

net_retr *net_retr_new(net_loop *loop, const net_retr_config *cfg, char *err, size_t errlen)
{
    net_retr *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->loop = loop;
    r->cfg = cfg;
    r->ops = engine_ops[cfg->proto];
    net_timer_init(&r->poll, on_poll, r);
    if (!cfg->no_tls) {
        r->tls =
            net_tls_ctx_server_pick(cfg->cert, cfg->key, cfg->tls_dir, cfg->hostname, err, errlen);
        if (!r->tls && err[0])
            goto fail;
    }
    if (cfg->n_tls_listen && !r->tls) {
        snprintf(err, errlen, "--tls-listen needs a certificate");
        goto fail;
    }
    for (size_t i = 0; i < cfg->n_listen; i++)
        if (listen_on(r, cfg->listen[i], false, err, errlen) != 0)
            goto fail;
    for (size_t i = 0; i < cfg->n_tls_listen; i++)
        if (listen_on(r, cfg->tls_listen[i], true, err, errlen) != 0)
            goto fail;
    net_loop_timer_set(loop, &r->poll, net_loop_now(loop) + NET_RETR_POLL_MS);
    return r;
fail:
    net_retr_free(r);
    return NULL;
}

int net_retr_port(const net_retr *r, size_t i)
{
    return i < r->n_lis ? r->lis[i].port : -1;
}

static void close_listeners(net_retr *r)
{
    for (size_t i = 0; i < r->n_lis; i++) {
        net_loop_del(r->loop, r->lis[i].fd);
        close(r->lis[i].fd);
    }
    r->n_lis = 0;
}

void net_retr_shutdown(net_retr *r)
{
    close_listeners(r);
    for (retr_session *ss = r->sessions; ss; ss = ss->next)
        net_conn_close(ss->conn, true, "server shutting down");
}

size_t net_retr_busy(const net_retr *r)
{
    return r->n_sessions;
}

void net_retr_free(net_retr *r)
{
    if (!r)
        return;
    close_listeners(r);
    net_loop_timer_cancel(r->loop, &r->poll);
    while (r->sessions) {
        retr_session *ss = r->sessions;
        /* on_close runs at the end of the loop iteration (or in net_loop_free): orphan it */
        r->sessions = ss->next;
        net_loop_timer_cancel(r->loop, &ss->timer);
        net_loop_timer_cancel(r->loop, &ss->resume);
        ss->srv = NULL;
        net_conn_close(ss->conn, false, "server stopped");
    }
    net_tls_ctx_free(r->tls);
    free(r);
}
