/* net_server.c - listeners and sessions of a real SMTP server (see net_server.h).
 *
 * This file accepts connections, runs one smtp_server engine per session through net_conn,
 * answers the engine's policy hooks and sets the server up and down. The group commit of
 * Maildir deliveries lives in net_server_commit.c, relaying and its spool in
 * net_server_relay.c; net_server_internal.h holds what the three share.
 *
 * Costs: accepting is O(sessions) for the per-address count (a scan of the session list; the
 * list is capped by max_sessions). Everything else per event is O(1) or O(bytes).
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/smtp/mail_message.h"
#include "net/net_server_internal.h"

#define NET_SERVER_ACCEPT_BURST 64 /* accepts per readiness event, so others get a turn */
#define NET_SERVER_BACKLOG 511

/* ---- logging --------------------------------------------------------------------------- */

void net_server_log(net_server *s, net_log_level level, const char *fmt, ...)
{
    if (level > s->cfg->log_level)
        return;
    FILE *f = s->cfg->log ? s->cfg->log : stderr;
    char line[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(f, "smtpsim %s: %s\n", s->cfg->name ? s->cfg->name : "serve", line);
}

/* one_line - wire bytes as one printable line: CRLF between reply lines becomes " / ". */
static const char *one_line(const char *b, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        unsigned char c = (unsigned char)b[i];
        if (c == '\r')
            continue;
        if (c == '\n') {
            if (i + 1 < n) {
                memcpy(out + o, " / ", 3);
                o += 3;
            }
            continue;
        }
        out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    out[o] = '\0';
    return out;
}

void net_server_observe(net_server *s, net_obs *o)
{
    if (s->cfg->observe)
        s->cfg->observe(s->cfg->observe_ctx, o);
}

void net_server_config_default(net_server_config *cfg, smtp_role role)
{
    static const char *const loopback[] = {"127.0.0.1", "::1"};
    memset(cfg, 0, sizeof *cfg);
    cfg->role = role;
    cfg->name = role == SMTP_ROLE_MX ? "mx" : role == SMTP_ROLE_MSA ? "msa" : "mta";
    cfg->hostname = "localhost";
    smtp_limits_default(&cfg->limits);
    cfg->max_sessions = NET_SERVER_MAX_SESSIONS;
    cfg->max_per_ip = NET_SERVER_MAX_PER_IP;
    cfg->log_level = NET_LOG_SESSION;
    if (role == SMTP_ROLE_MTA) {
        cfg->trusted = loopback;
        cfg->n_trusted = 2;
    }
}

/* ---- the engine's hooks ---------------------------------------------------------------- */

/* net_server_received - Return-Path: and Received: (RFC 5321 4.4), built by the core helper
 * that the simulated world uses too, so both carry the same "with" keywords (RFC 3848, and
 * RFC 6531 3.7.3 UTF8SMTP* for an SMTPUTF8 transaction) and the same cleaning of client text. */
size_t net_server_received(session *ss, const smtp_envelope *env, const char *rcpt,
                           bool return_path, char *out, size_t cap)
{
    net_server *s = ss->srv;
    char date[MAIL_DATE_MAX], id[32];
    mail_date_from((int64_t)time(NULL), 0, date);
    snprintf(id, sizeof id, "%u.%lu", ss->id, ++s->msg_counter);
    mail_received r = {
        .helo = env->helo,
        .peer_name = ss->peer.name,
        .peer_addr = ss->peer.addr,
        .by = s->cfg->hostname,
        .with =
            mail_with_protocol_utf8(env->esmtp, env->tls, env->auth_user != NULL, env->smtputf8),
        .id = id,
        .rcpt = rcpt,
        .date = date,
    };
    membuf b;
    membuf_init(&b);
    size_t n = 0;
    if (mail_prepend_received(&b, &r) == 0 &&
        (!return_path || mail_prepend_return_path(&b, env->mail_from) == 0) && b.len < cap) {
        memcpy(out, b.data, b.len + 1);
        n = b.len;
    }
    membuf_free(&b);
    return n;
}

static void hook_rcpt(void *ctx, const smtp_envelope *env, const char *rcpt, smtp_verdict *v)
{
    session *ss = ctx;
    (void)env;
    net_server *s = ss->srv;
    if (s->cfg->maildir || s->cfg->sink || s->cfg->role == SMTP_ROLE_MX)
        return;
    if (!net_server_relay_route(s, rcpt)) {
        /* RFC 3463 X.1.2: bad destination system; we relay only where we were told to. */
        smtp_verdict_set(v, 550, "5.1.2",
                         "No route to that domain (smtpsim relays only to --relay or --mx hosts)");
    }
}

static void hook_accept(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    session *ss = ctx;
    net_server *s = ss->srv;
    s->stats.messages++;
    net_server_log(s, NET_LOG_SESSION, "#%u message from <%s> to %zu recipient(s), %zu bytes",
                   ss->id, env->mail_from, env->n_rcpts, env->data_len);
    if (s->cfg->sink)
        return;
    if (s->cfg->maildir) {
        net_server_commit_deliver(ss, env, v);
        return;
    }
    if (net_server_relay_queue(ss, env) != 0)
        smtp_verdict_set(v, 451, "4.3.0", "Cannot queue the message now, try again later");
    else if (ss->n_pend > 0)
        smtp_verdict_pending(v); /* spooled: answered when the queue file is durable */
}

/* ---- sessions -------------------------------------------------------------------------- */

static size_t out_peek(void *ctx, const char **buf)
{
    session *ss = ctx;
    return smtp_server_output(ss->eng, buf);
}

static void out_consumed(void *ctx, size_t n)
{
    session *ss = ctx;
    smtp_server_output_consumed(ss->eng, n);
}

void net_server_session_process(session *ss)
{
    net_server *s = ss->srv;
    smtp_event ev;
    bool close_after = false;
    char line[600];
    while (smtp_server_next_event(ss->eng, &ev)) {
        net_obs o = {.kind = NET_OBS_EVENT, .session = ss->id, .ev = &ev, .tls = ss->tls};
        net_server_observe(s, &o);
        switch (ev.kind) {
        case SMTP_EV_COMMAND:
            net_server_log(s, NET_LOG_PROTOCOL, "#%u %s %s", ss->id, ss->tls ? "~>" : "->",
                           one_line(ev.bytes, ev.len, line, sizeof line));
            break;
        case SMTP_EV_REPLY:
            net_server_log(s, NET_LOG_PROTOCOL, "#%u %s %s", ss->id, ss->tls ? "<~" : "<-",
                           one_line(ev.bytes, ev.len, line, sizeof line));
            break;
        case SMTP_EV_DATA:
            net_server_log(s, NET_LOG_PROTOCOL, "#%u %s (%zu bytes of message)", ss->id,
                           ss->tls ? "~>" : "->", ev.len);
            break;
        case SMTP_EV_STARTTLS:
            if (net_conn_start_tls(ss->conn, s->tls, true, NULL) != 0)
                close_after = true;
            break;
        case SMTP_EV_AUTH: {
            const smtp_envelope *env = smtp_server_envelope(ss->eng);
            net_server_log(s, NET_LOG_SESSION, "#%u auth %s: %d", ss->id,
                           env && env->auth_user ? env->auth_user : "(none)", ev.code);
            break;
        }
        case SMTP_EV_ERROR:
            net_server_log(s, NET_LOG_SESSION, "#%u protocol error: %s", ss->id, ev.key);
            break;
        case SMTP_EV_CLOSE:
            close_after = true;
            break;
        default:
            break;
        }
    }
    if (ss->queued_note) {
        net_obs o = {
            .kind = NET_OBS_QUEUED, .session = ss->id, .tls = ss->tls, .text = ss->queued_note};
        net_server_observe(s, &o);
        free(ss->queued_note);
        ss->queued_note = NULL;
    }
    net_conn_flush(ss->conn);
    if (close_after || smtp_server_state_get(ss->eng) == SMTP_SRV_CLOSED)
        net_conn_close(ss->conn, true, "session over");
    net_loop_timer_set(s->loop, &ss->timer, smtp_server_deadline(ss->eng));
}

static void on_timer(void *ctx)
{
    session *ss = ctx;
    smtp_server_tick(ss->eng, net_loop_now(ss->srv->loop));
    net_server_session_process(ss);
}

static void on_data(void *ctx, const char *buf, size_t n)
{
    session *ss = ctx;
    smtp_server_feed(ss->eng, buf, n, net_loop_now(ss->srv->loop));
    net_server_session_process(ss);
}

static void on_tls(void *ctx, bool ok, const char *info)
{
    session *ss = ctx;
    net_server *s = ss->srv;
    net_server_log(s, NET_LOG_SESSION, "#%u tls %s", ss->id, info);
    if (!ok)
        return;
    ss->tls = true;
    net_obs o = {.kind = NET_OBS_TLS, .session = ss->id, .tls = true, .text = info};
    net_server_observe(s, &o);
    smtp_server_tls_started(ss->eng, net_loop_now(s->loop));
    net_server_session_process(ss);
}

static void on_close(void *ctx, const char *why)
{
    session *ss = ctx;
    net_server *s = ss->srv;
    net_server_log(s, NET_LOG_SESSION, "#%u close: %s", ss->id, why);
    net_obs o = {.kind = NET_OBS_CLOSE, .session = ss->id, .tls = ss->tls, .text = why};
    net_server_observe(s, &o);
    /* Written but not committed (the client left before its 250): not delivered. */
    net_server_commit_abort(ss);
    net_server_commit_remove(s, ss);
    net_loop_timer_cancel(s->loop, &ss->timer);
    if (ss->prev)
        ss->prev->next = ss->next;
    else
        s->sessions = ss->next;
    if (ss->next)
        ss->next->prev = ss->prev;
    s->n_sessions--;
    smtp_server_free(ss->eng);
    free(ss->queued_note);
    free(ss->pend);
    free(ss);
}

static bool is_trusted(const net_server *s, const char *addr)
{
    for (size_t i = 0; i < s->cfg->n_trusted; i++)
        if (!strcmp(s->cfg->trusted[i], addr))
            return true;
    return false;
}

/* refuse - a connection over the limits: one 421 line, written without waiting, and close
 * (RFC 5321 3.1: a server may refuse with 421 in place of the greeting). */
static void refuse(net_server *s, int fd, const char *text)
{
    char line[200];
    int n = snprintf(line, sizeof line, "421 4.7.0 %s %s\r\n", s->cfg->hostname, text);
    if (send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
        /* nothing more to do: the connection is closed anyway */
    }
    close(fd);
    s->stats.refused++;
}

static void session_start(net_server *s, int fd, bool implicit_tls, int server_port)
{
    session *ss = calloc(1, sizeof *ss);
    if (!ss) {
        close(fd);
        return;
    }
    ss->srv = s;
    ss->id = ++s->next_id;
    ss->server_port = server_port;
    net_timer_init(&ss->timer, on_timer, ss);
    static const net_conn_cb cb = {NULL, on_data, on_tls, on_close, out_peek, out_consumed};
    ss->conn = net_conn_new(s->loop, fd, false, &cb, ss);
    if (!ss->conn) {
        close(fd);
        free(ss);
        return;
    }
    snprintf(ss->peer.addr, sizeof ss->peer.addr, "%s", net_conn_peer(ss->conn, &ss->peer_port));
    ss->peer.trusted = is_trusted(s, ss->peer.addr);
    ss->peer.implicit_tls = implicit_tls;
    smtp_server_config ecfg; /* the engine keeps a copy */
    smtp_server_config_default(&ecfg, s->cfg->role);
    ecfg.hostname = s->cfg->hostname;
    ecfg.local_domains = s->cfg->domains;
    ecfg.n_local_domains = s->cfg->n_domains;
    ecfg.users = s->cfg->users;
    ecfg.n_users = s->cfg->n_users;
    ecfg.limits = s->cfg->limits;
    ecfg.tls_available = s->tls != NULL;
    if (s->cfg->allow_plain_auth)
        ecfg.allow_plain_auth = true;
    ecfg.policy.ctx = ss;
    ecfg.policy.on_rcpt = hook_rcpt;
    ecfg.policy.on_accept = hook_accept;
    ss->eng = smtp_server_new(&ecfg, &ss->peer, net_loop_now(s->loop));
    ss->next = s->sessions;
    if (s->sessions)
        s->sessions->prev = ss;
    s->sessions = ss;
    s->n_sessions++;
    s->stats.sessions++;
    if (!ss->eng) {
        net_conn_close(ss->conn, false, "out of memory");
        return;
    }
    net_server_log(s, NET_LOG_SESSION, "#%u connect from %s:%d%s", ss->id, ss->peer.addr,
                   ss->peer_port, implicit_tls ? " (implicit TLS)" : "");
    net_obs o = {.kind = NET_OBS_CONNECT,
                 .session = ss->id,
                 .text = ss->peer.addr,
                 .port = ss->peer_port,
                 .server_port = ss->server_port};
    net_server_observe(s, &o);
    if (implicit_tls)
        net_conn_start_tls(ss->conn, s->tls, true, NULL); /* greeting after the handshake */
    net_server_session_process(ss);
}

static void on_accept(void *ctx, int lfd, unsigned events)
{
    listener *l = ctx;
    net_server *s = l->srv;
    (void)events;
    for (int i = 0; i < NET_SERVER_ACCEPT_BURST; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                net_server_log(s, NET_LOG_QUIET, "accept: %s", strerror(errno));
            return;
        }
        if (s->shutting_down) {
            close(fd);
            continue;
        }
        if (s->n_sessions >= s->cfg->max_sessions) {
            net_server_log(s, NET_LOG_SESSION, "refused a connection: %zu sessions open",
                           s->n_sessions);
            refuse(s, fd, "Too many sessions, try again later");
            continue;
        }
        if (s->cfg->max_per_ip < s->cfg->max_sessions) {
            /* Sessions from this address: a scan, bounded by max_sessions. */
            char addr[64] = "";
            struct sockaddr_storage ss;
            socklen_t sl = sizeof ss;
            if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
                inet_ntop(ss.ss_family,
                          ss.ss_family == AF_INET6
                              ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
                              : (void *)&((struct sockaddr_in *)&ss)->sin_addr,
                          addr, sizeof addr);
            size_t same = 0;
            for (session *o = s->sessions; o; o = o->next)
                same += !strcmp(o->peer.addr, addr);
            if (same >= s->cfg->max_per_ip) {
                net_server_log(s, NET_LOG_SESSION, "refused a connection: %zu sessions from %s",
                               same, addr);
                refuse(s, fd, "Too many sessions from your address, try again later");
                continue;
            }
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        session_start(s, fd, l->implicit_tls, l->port);
    }
}

/* ---- setup ------------------------------------------------------------------------------ */

static int listen_on(net_server *s, const char *spec, bool implicit_tls, char *err, size_t errlen)
{
    char host[256];
    int port;
    int fd = net_listen_tcp(spec, NET_SERVER_BACKLOG, host, sizeof host, &port, err, errlen);
    if (fd < 0)
        return -1;
    listener *l = &s->lis[s->n_lis];
    l->srv = s;
    l->fd = fd;
    l->implicit_tls = implicit_tls;
    l->port = port;
    if (net_loop_add(s->loop, fd, NET_EV_READ, on_accept, l) != 0) {
        snprintf(err, errlen, "event loop: %s", strerror(errno));
        close(fd);
        return -1;
    }
    s->n_lis++;
    /* The real port (a test may ask for port 0), always logged: scripts wait for this line. */
    net_server_log(s, NET_LOG_QUIET, "listening on %s%s%s:%d%s", strchr(host, ':') ? "[" : "", host,
                   strchr(host, ':') ? "]" : "", l->port, implicit_tls ? " (implicit TLS)" : "");
    return 0;
}

net_server *net_server_new(net_loop *loop, const net_server_config *cfg, char *err, size_t errlen)
{
    net_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->loop = loop;
    s->cfg = cfg;
    s->efd = -1;
    if (cfg->maildir && !cfg->sink &&
        ((mkdir(cfg->maildir, 0700) != 0 && errno != EEXIST) || access(cfg->maildir, W_OK) != 0)) {
        /* Found now rather than as a dropped session per message later. */
        snprintf(err, errlen, "Maildir %s: %s", cfg->maildir, strerror(errno));
        free(s);
        return NULL;
    }
    s->uses_commit = !cfg->sink && (cfg->maildir || cfg->spool);
    if (s->uses_commit) {
        net_server_commit_init(s);
    }
    if (!cfg->no_tls) {
        s->tls = net_tls_ctx_server_pick(cfg->cert, cfg->key, cfg->tls_dir, cfg->hostname, err,
                                         errlen);
        if (!s->tls && err[0])
            goto fail;
        if (cfg->n_tls_listen && !s->tls) {
            snprintf(err, errlen, "--tls-listen needs a certificate");
            goto fail;
        }
        s->tls_client = net_tls_ctx_client(false, err, errlen);
    }
    for (size_t i = 0; i < cfg->n_listen; i++)
        if (listen_on(s, cfg->listen[i], false, err, errlen) != 0)
            goto fail;
    for (size_t i = 0; i < cfg->n_tls_listen; i++)
        if (listen_on(s, cfg->tls_listen[i], true, err, errlen) != 0)
            goto fail;
    if (cfg->spool && !cfg->maildir && !cfg->sink) {
        if (net_maildir_ensure(cfg->spool, "queue") != 0) {
            snprintf(err, errlen, "spool %s: %s", cfg->spool, strerror(errno));
            goto fail;
        }
        net_server_relay_spool_load(s);
    }
    return s;
fail:
    net_server_free(s);
    return NULL;
}

int net_server_port(const net_server *s, size_t i)
{
    return i < s->n_lis ? s->lis[i].port : -1;
}

static void close_listeners(net_server *s)
{
    for (size_t i = 0; i < s->n_lis; i++) {
        net_loop_del(s->loop, s->lis[i].fd);
        close(s->lis[i].fd);
    }
    s->n_lis = 0;
}

void net_server_shutdown(net_server *s)
{
    if (s->shutting_down)
        return;
    s->shutting_down = true;
    close_listeners(s);
    net_server_log(s, NET_LOG_SESSION, "shutting down: %zu session(s) open, %zu relay(s) in flight",
                   s->n_sessions, s->n_jobs);
    for (session *ss = s->sessions; ss; ss = ss->next) {
        smtp_server_shutdown(ss->eng, net_loop_now(s->loop));
        net_server_session_process(ss);
    }
    for (relay_job *j = s->jobs; j; j = j->next)
        if (!j->client)
            net_loop_timer_cancel(s->loop, &j->retry); /* queued retries are given up */
}

size_t net_server_busy(const net_server *s)
{
    size_t inflight = 0;
    for (relay_job *j = s->jobs; j; j = j->next)
        inflight += j->client != NULL;
    return s->n_sessions + inflight + (net_server_commit_busy(s) ? 1 : 0);
}

void net_server_stats(const net_server *s, net_server_counters *out)
{
    *out = s->stats;
}

void net_server_free(net_server *s)
{
    if (!s)
        return;
    close_listeners(s);
    /* Sessions and clients close through the loop; cut them off and let it finish them. */
    for (session *ss = s->sessions; ss; ss = ss->next)
        if (ss->conn)
            net_conn_close(ss->conn, false, "server stopped");
    for (relay_job *j = s->jobs; j; j = j->next)
        if (j->client)
            net_client_abort(j->client);
    for (int i = 0; i < 8 && (s->sessions || s->jobs); i++)
        net_loop_run_once(s->loop, 0);
    while (s->jobs)
        net_server_relay_free(s->jobs);
    net_server_commit_stop(s);
    net_tls_ctx_free(s->tls);
    net_tls_ctx_free(s->tls_client);
    free(s);
}