/* net_server.c - listeners, sessions, Maildir group commit and relaying (see net_server.h).
 *
 * Costs: accepting is O(sessions) for the per-address count (a scan of the session list; the
 * list is capped by max_sessions). Everything else per event is O(1) or O(bytes).
 */
#define _GNU_SOURCE /* accept4 */
#include "net/net_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net/net_client.h"
#include "net/net_conn.h"
#include "net/net_maildir.h"
#include "net/net_tls.h"

#define NET_SERVER_ACCEPT_BURST 64 /* accepts per readiness event, so others get a turn */
#define NET_SERVER_BACKLOG 511
#define NET_SERVER_RELAY_DELAY_MS 2000          /* first retry; doubles each time */
#define NET_SERVER_SPOOL_MAX (64 * 1024 * 1024) /* largest spool file read back at start */

enum { PEND_DELIVERY = 0, PEND_SPOOL = 1 }; /* net_maildir_pending.tag */

typedef struct session session;
typedef struct relay_job relay_job;

typedef struct {
    net_server *srv;
    int fd;
    int port;
    bool implicit_tls;
} listener;

struct session {
    net_server *srv;
    net_conn *conn;
    smtp_server *eng;
    smtp_peer peer;
    net_timer timer;
    unsigned id;
    int peer_port, server_port;
    bool tls;
    net_maildir_pending **pend; /* messages written, waiting for the group commit */
    size_t n_pend, cap_pend;
    size_t in_flight;  /* of them, in the batch the sync thread is committing */
    char *queued_note; /* live view: "queued as relay N", told after the events */
    bool sync_failed, released;
    session *prev, *next;
};

struct relay_job {
    net_server *srv;
    unsigned id;
    char *from;
    char **rcpts;
    size_t n_rcpts;
    char *data;
    size_t len;
    const char *hostport;
    int tries;
    char *spool_path; /* the durable copy in the spool, removed when the job is over */
    char *hop_owned;  /* hostport read back from a spool file */
    net_timer retry;
    net_client *client;
    relay_job *prev, *next;
};

typedef struct {
    session **owner; /* NULL once the session is gone */
    net_maildir_pending **p;
    bool *ok;
    size_t n, cap;
} commit_batch;

struct net_server {
    net_loop *loop;
    const net_server_config *cfg;
    listener lis[2 * NET_SERVER_MAX_LISTEN];
    size_t n_lis;
    net_tls_ctx *tls;        /* server side */
    net_tls_ctx *tls_client; /* relaying, opportunistic, not verified (like most MTAs) */
    session *sessions;
    size_t n_sessions;
    relay_job *jobs;
    size_t n_jobs;
    session **commit; /* sessions with messages waiting for the group commit */
    size_t n_commit, cap_commit;
    bool commit_scheduled, shutting_down;
    commit_batch batch; /* being committed by the sync thread */
    bool sync_busy, sync_work, sync_quit, sync_thread_ok, uses_commit;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int efd; /* the thread -> loop "batch done" signal */
    unsigned next_id, next_job;
    unsigned long msg_counter;
    net_server_counters stats;
};

/* ---- logging --------------------------------------------------------------------------- */

static void slog(net_server *s, net_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void slog(net_server *s, net_log_level level, const char *fmt, ...)
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

static void observe(net_server *s, net_obs *o)
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

/* ---- the group commit of Maildir deliveries --------------------------------------------
 *
 * Making a file durable costs a disk cache flush (milliseconds). Done in the loop, it would
 * stall every other session's round trips for that long. So one helper thread (one for the
 * whole server, not one per connection) runs net_maildir_commit_batch on a batch of written
 * files while the loop goes on serving; the messages finished meanwhile form the next batch.
 * The thread touches only the batch's files and result flags; sessions stay on the loop's side.
 * When the batch is done the thread writes to an eventfd watched by the loop, which releases
 * the held 250 replies.
 */

static void session_process(session *ss);
static void batch_start(net_server *s);
static void relay_start(relay_job *j);
static void relay_free(relay_job *j);

static void commit_remove(net_server *s, session *ss)
{
    for (size_t i = 0; i < s->n_commit; i++)
        if (s->commit[i] == ss)
            s->commit[i] = NULL;
    for (size_t i = 0; i < s->batch.n; i++)
        if (s->batch.owner[i] == ss)
            s->batch.owner[i] = NULL; /* the thread still commits the file; nobody waits */
}

static void session_abort_pending(session *ss)
{
    for (size_t i = 0; i < ss->n_pend; i++) {
        if (ss->pend[i]->tag == PEND_SPOOL)
            relay_free(ss->pend[i]->user); /* never started: the message is not accepted */
        net_maildir_abort(ss->pend[i]);
        free(ss->pend[i]);
    }
    ss->n_pend = 0;
}

static void *sync_thread(void *arg)
{
    net_server *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->sync_work && !s->sync_quit)
            pthread_cond_wait(&s->cv, &s->mu);
        if (!s->sync_work)
            break;
        pthread_mutex_unlock(&s->mu);
        net_maildir_commit_batch(s->batch.p, s->batch.n, s->batch.ok);
        pthread_mutex_lock(&s->mu);
        s->sync_work = false;
        uint64_t one = 1;
        if (write(s->efd, &one, sizeof one) < 0) {
            /* cannot happen with an eventfd below its maximum */
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* batch_finish - the batch is durable (or failed): release or cut off its sessions. */
static void batch_finish(net_server *s)
{
    commit_batch *b = &s->batch;
    for (size_t i = 0; i < b->n; i++) {
        session *ss = b->owner[i];
        if (b->p[i]->tag == PEND_SPOOL) {
            /* the queue file is durable: now the relay may go (and delete it when done) */
            relay_job *j = b->p[i]->user;
            if (b->ok[i]) {
                j->spool_path = strdup(b->p[i]->new_path);
                relay_start(j);
            } else {
                relay_free(j);
            }
        }
        if (b->ok[i] && b->p[i]->tag == PEND_SPOOL) {
            /* counted as relayed later */
        } else if (b->ok[i]) {
            s->stats.delivered_files++;
            if (ss) {
                slog(s, NET_LOG_SESSION, "#%u delivered %s", ss->id, b->p[i]->new_path);
                net_obs o = {.kind = NET_OBS_DELIVERED,
                             .session = ss->id,
                             .tls = ss->tls,
                             .text = b->p[i]->new_path};
                observe(s, &o);
            }
        } else if (ss) {
            ss->sync_failed = true;
        }
        free(b->p[i]);
        b->p[i] = NULL;
        if (ss)
            ss->in_flight--;
    }
    for (size_t i = 0; i < b->n; i++) {
        session *ss = b->owner[i];
        if (!ss || ss->in_flight != 0 || ss->released)
            continue;
        ss->released = true; /* once per session per batch */
        if (ss->sync_failed) {
            /* No 250 for a message that is not safely stored: the client sees the connection
             * drop and will try again (RFC 5321 4.5.4.1). */
            slog(s, NET_LOG_QUIET, "#%u cannot make the message durable: dropping the session",
                 ss->id);
            net_conn_close(ss->conn, false, "delivery failed");
        } else if (ss->n_pend == 0) {
            net_conn_hold(ss->conn, false);
            session_process(ss);
        }
    }
    for (size_t i = 0; i < b->n; i++)
        if (b->owner[i])
            b->owner[i]->released = false;
    b->n = 0;
    s->sync_busy = false;
    if (s->n_commit)
        batch_start(s);
}

static void on_sync_done(void *ctx, int fd, unsigned events)
{
    net_server *s = ctx;
    (void)events;
    uint64_t v;
    if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
        return;
    batch_finish(s);
}

/* batch_start - move every pending message into the batch and hand it to the thread. */
static void batch_start(net_server *s)
{
    size_t total = 0;
    for (size_t i = 0; i < s->n_commit; i++)
        if (s->commit[i])
            total += s->commit[i]->n_pend;
    commit_batch *b = &s->batch;
    if (total > b->cap) {
        size_t cap = total * 2;
        session **o = realloc(b->owner, cap * sizeof *o);
        if (o)
            b->owner = o;
        net_maildir_pending **p = realloc(b->p, cap * sizeof *p);
        if (p)
            b->p = p;
        bool *ok = realloc(b->ok, cap * sizeof *ok);
        if (ok)
            b->ok = ok;
        if (!o || !p || !ok) {
            for (size_t i = 0; i < s->n_commit; i++)
                if (s->commit[i]) {
                    session_abort_pending(s->commit[i]);
                    net_conn_close(s->commit[i]->conn, false, "out of memory");
                }
            s->n_commit = 0;
            return;
        }
        b->cap = cap;
    }
    b->n = 0;
    for (size_t i = 0; i < s->n_commit; i++) {
        session *ss = s->commit[i];
        if (!ss)
            continue;
        for (size_t j = 0; j < ss->n_pend; j++) {
            b->owner[b->n] = ss;
            b->p[b->n++] = ss->pend[j];
            ss->in_flight++;
        }
        ss->n_pend = 0;
    }
    s->n_commit = 0;
    if (b->n == 0)
        return;
    s->sync_busy = true;
    if (!s->sync_thread_ok) {
        net_maildir_commit_batch(b->p, b->n, b->ok); /* no thread: in the loop, slower */
        batch_finish(s);
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->sync_work = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* commit_run - end of the loop iteration: the messages written in it start their commit now,
 * or join the next batch when one is still running. */
static void commit_run(void *ctx)
{
    net_server *s = ctx;
    s->commit_scheduled = false;
    if (!s->sync_busy)
        batch_start(s);
}

static int commit_add(net_server *s, session *ss)
{
    if (s->n_commit == s->cap_commit) {
        size_t n = s->cap_commit ? s->cap_commit * 2 : 64;
        session **c = realloc(s->commit, n * sizeof *c);
        if (!c)
            return -1;
        s->commit = c;
        s->cap_commit = n;
    }
    for (size_t i = 0; i < s->n_commit; i++)
        if (s->commit[i] == ss)
            return 0;
    s->commit[s->n_commit++] = ss;
    if (!s->commit_scheduled && net_loop_defer(s->loop, commit_run, s) == 0)
        s->commit_scheduled = true;
    return s->commit_scheduled ? 0 : -1;
}

/* ---- the engine's hooks ---------------------------------------------------------------- */

/* received_header - Return-Path: and Received: (RFC 5321 4.4, "with" keywords RFC 3848). */
static size_t received_header(session *ss, const smtp_envelope *env, const char *rcpt,
                              bool return_path, char *out, size_t cap)
{
    net_server *s = ss->srv;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    const char *with = env->esmtp ? (env->tls ? (env->auth_user ? "ESMTPSA" : "ESMTPS")
                                              : (env->auth_user ? "ESMTPA" : "ESMTP"))
                                  : "SMTP";
    int n = 0;
    if (return_path)
        n = snprintf(out, cap, "Return-Path: <%s>\r\n", env->mail_from);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    int m = snprintf(out + n, cap - (size_t)n,
                     "Received: from %s (%s [%s])\r\n\tby %s (smtpsim) with %s id %u.%lu%s%s%s;\r\n"
                     "\t%s\r\n",
                     env->helo && *env->helo ? env->helo : "unknown",
                     ss->peer.name[0] ? ss->peer.name : "unknown", ss->peer.addr, s->cfg->hostname,
                     with, ss->id, ++s->msg_counter, rcpt ? "\r\n\tfor <" : "", rcpt ? rcpt : "",
                     rcpt ? ">" : "", date);
    if (m < 0 || (size_t)m >= cap - (size_t)n)
        return 0;
    return (size_t)(n + m);
}

static void deliver_maildir(session *ss, const smtp_envelope *env, smtp_verdict *v)
{
    net_server *s = ss->srv;
    for (size_t i = 0; i < env->n_rcpts; i++) {
        const char *rcpt = env->rcpts[i];
        const char *at = strrchr(rcpt, '@');
        char local[128], box[128];
        size_t ll = at ? (size_t)(at - rcpt) : strlen(rcpt);
        if (ll >= sizeof local)
            ll = sizeof local - 1;
        memcpy(local, rcpt, ll);
        local[ll] = '\0';
        if (!strcasecmp(local, "postmaster") || net_maildir_mailbox_name(local, box, sizeof box))
            snprintf(box, sizeof box, "postmaster");
        char hdr[1200];
        size_t hl =
            received_header(ss, env, env->n_rcpts == 1 ? rcpt : NULL, true, hdr, sizeof hdr);
        net_maildir_pending *p = malloc(sizeof *p);
        if (ss->n_pend == ss->cap_pend) {
            size_t n = ss->cap_pend ? ss->cap_pend * 2 : 4;
            net_maildir_pending **np = realloc(ss->pend, n * sizeof *np);
            if (np) {
                ss->pend = np;
                ss->cap_pend = n;
            }
        }
        if (!p || ss->n_pend == ss->cap_pend ||
            net_maildir_prepare(s->cfg->maildir, box, hdr, hl, env->data, env->data_len, p) != 0) {
            free(p);
            slog(s, NET_LOG_QUIET, "#%u cannot write to the Maildir %s: %s", ss->id,
                 s->cfg->maildir, strerror(errno));
            session_abort_pending(ss);
            v->code = 451;
            snprintf(v->esc, sizeof v->esc, "4.3.0");
            snprintf(v->text, sizeof v->text, "Cannot store the message now, try again later");
            return;
        }
        ss->pend[ss->n_pend++] = p;
    }
    if (commit_add(s, ss) != 0) {
        session_abort_pending(ss);
        v->code = 451;
        snprintf(v->esc, sizeof v->esc, "4.3.0");
        snprintf(v->text, sizeof v->text, "Out of memory, try again later");
        return;
    }
    /* The 250 the engine is about to queue waits until commit_run has synced the files. */
    net_conn_hold(ss->conn, true);
}

static const char *route_for(const net_server *s, const char *rcpt)
{
    if (s->cfg->relay)
        return s->cfg->relay;
    const char *at = strrchr(rcpt, '@');
    if (!at)
        return NULL;
    for (size_t i = 0; i < s->cfg->n_routes; i++)
        if (!strcasecmp(s->cfg->routes[i].domain, at + 1))
            return s->cfg->routes[i].hostport;
    return NULL;
}

static void relay_start(relay_job *j);

static void relay_free(relay_job *j)
{
    net_server *s = j->srv;
    if (j->prev)
        j->prev->next = j->next;
    else
        s->jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
    s->n_jobs--;
    net_loop_timer_cancel(s->loop, &j->retry);
    for (size_t i = 0; i < j->n_rcpts; i++)
        free(j->rcpts[i]);
    free(j->rcpts);
    free(j->from);
    free(j->data);
    free(j->spool_path);
    free(j->hop_owned);
    free(j);
}

static void relay_retry(void *ctx)
{
    relay_start(ctx);
}

static void relay_done(void *ctx, const smtp_client_result *r, const char *why)
{
    relay_job *j = ctx;
    net_server *s = j->srv;
    j->client = NULL;
    char text[400];
    snprintf(text, sizeof text, "%d %s%s%s (%s, to %s, %zu of %zu recipients)", r->code, r->esc,
             r->esc[0] ? " " : "", r->text, r->stage ? r->stage : "", j->hostport, r->n_accepted,
             j->n_rcpts);
    net_obs o = {
        .kind = NET_OBS_RELAYED, .session = j->id, .text = text, .ok = r->status == SMTP_RESULT_OK};
    if (r->status == SMTP_RESULT_OK) {
        if (j->spool_path)
            unlink(j->spool_path);
        s->stats.relayed++;
        slog(s, NET_LOG_SESSION, "relay %u: sent: %s", j->id, text);
        observe(s, &o);
        relay_free(j);
        return;
    }
    if (r->status == SMTP_RESULT_TEMPFAIL && s->shutting_down && j->spool_path) {
        slog(s, NET_LOG_SESSION, "relay %u: kept in the spool for the next start: %s", j->id,
             j->spool_path);
        relay_free(j);
        return;
    }
    if (r->status == SMTP_RESULT_TEMPFAIL && j->tries < NET_SERVER_RELAY_TRIES &&
        !s->shutting_down) {
        uint64_t delay = (uint64_t)NET_SERVER_RELAY_DELAY_MS << (j->tries - 1);
        slog(s, NET_LOG_SESSION, "relay %u: deferred (%s; %s), retry in %llu s", j->id, text, why,
             (unsigned long long)(delay / 1000));
        net_loop_timer_set(s->loop, &j->retry, net_loop_now(s->loop) + delay);
        return;
    }
    s->stats.relay_failed++;
    slog(s, NET_LOG_QUIET, "relay %u: failed for good: %s (%s); no bounce is generated", j->id,
         text, why);
    if (j->spool_path)
        unlink(j->spool_path);
    observe(s, &o);
    relay_free(j);
}

static void relay_start(relay_job *j)
{
    net_server *s = j->srv;
    j->tries++;
    net_client_config cc = {0};
    cc.server = j->hostport;
    smtp_client_config_default(&cc.engine);
    cc.engine.helo_name = s->cfg->hostname;
    cc.engine.mail_from = j->from;
    cc.engine.rcpts = (const char *const *)j->rcpts;
    cc.engine.n_rcpts = j->n_rcpts;
    cc.engine.data = j->data;
    cc.engine.data_len = j->len;
    cc.engine.tls = s->tls_client ? SMTP_TLS_OPPORTUNISTIC : SMTP_TLS_NONE;
    cc.tls = s->tls_client;
    cc.ctx = j;
    cc.on_done = relay_done;
    char err[256];
    j->client = net_client_start(s->loop, &cc, err, sizeof err);
    if (j->client) {
        net_obs o = {.kind = NET_OBS_RELAY_CONNECT,
                     .session = j->id,
                     .text = j->hostport,
                     .port = net_client_local_port(j->client)};
        observe(s, &o);
    } else {
        smtp_client_result r = {.status = SMTP_RESULT_TEMPFAIL, .stage = "connect"};
        snprintf(r.text, sizeof r.text, "%.190s", err);
        relay_done(j, &r, err);
    }
}

/* spool_job - write the job into the spool queue; the reply is held and the relay starts once
 * the file is durable (batch_finish). Envelope first, as header lines, then the message. */
static int spool_job(session *ss, relay_job *j)
{
    net_server *s = ss->srv;
    size_t cap = 200 + strlen(j->hostport) + strlen(j->from);
    for (size_t i = 0; i < j->n_rcpts; i++)
        cap += strlen(j->rcpts[i]) + 24;
    char *hdr = malloc(cap);
    net_maildir_pending *p = malloc(sizeof *p);
    if (ss->n_pend == ss->cap_pend) {
        size_t n = ss->cap_pend ? ss->cap_pend * 2 : 4;
        net_maildir_pending **np = realloc(ss->pend, n * sizeof *np);
        if (np) {
            ss->pend = np;
            ss->cap_pend = n;
        }
    }
    if (!hdr || !p || ss->n_pend == ss->cap_pend) {
        free(hdr);
        free(p);
        return -1;
    }
    size_t o = (size_t)snprintf(hdr, cap, "X-Smtpsim-Next-Hop: %s\nX-Smtpsim-Mail-From: <%s>\n",
                                j->hostport, j->from);
    for (size_t i = 0; i < j->n_rcpts; i++)
        o += (size_t)snprintf(hdr + o, cap - o, "X-Smtpsim-Rcpt-To: <%s>\n", j->rcpts[i]);
    o += (size_t)snprintf(hdr + o, cap - o, "\n");
    int rc = net_maildir_prepare(s->cfg->spool, "queue", hdr, o, j->data, j->len, p);
    free(hdr);
    if (rc != 0 || commit_add(s, ss) != 0) {
        if (rc == 0)
            net_maildir_abort(p);
        free(p);
        return -1;
    }
    p->tag = PEND_SPOOL;
    p->user = j;
    ss->pend[ss->n_pend++] = p;
    net_conn_hold(ss->conn, true);
    return 0;
}

/* spool_load - at start: every queue file left by an earlier run becomes a job again. */
static void spool_load(net_server *s)
{
    char dir[1100];
    if (net_maildir_ensure(s->cfg->spool, "queue") != 0)
        return;
    snprintf(dir, sizeof dir, "%s/queue/new", s->cfg->spool);
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        relay_job *j = calloc(1, sizeof *j);
        char *buf = malloc(NET_SERVER_SPOOL_MAX);
        size_t len = buf ? fread(buf, 1, NET_SERVER_SPOOL_MAX - 1, f) : 0;
        fclose(f);
        if (!j || !buf) {
            free(j);
            free(buf);
            break;
        }
        buf[len] = '\0';
        j->srv = s;
        j->id = ++s->next_job;
        net_timer_init(&j->retry, relay_retry, j);
        j->next = s->jobs;
        if (s->jobs)
            s->jobs->prev = j;
        s->jobs = j;
        s->n_jobs++;
        j->spool_path = strdup(path);
        size_t max_rcpts = 1;
        for (size_t i = 0; i < len; i++)
            max_rcpts += buf[i] == '\n';
        j->rcpts = calloc(max_rcpts, sizeof *j->rcpts);
        char *line = buf, *body = NULL;
        while (line && *line && j->rcpts) {
            char *nl = strchr(line, '\n');
            if (!nl)
                break;
            *nl = '\0';
            if (line[0] == '\0') {
                body = nl + 1;
                break;
            }
            char *lt = strchr(line, '<'), *gt = strrchr(line, '>');
            if (!strncmp(line, "X-Smtpsim-Next-Hop: ", 20))
                j->hop_owned = strdup(line + 20);
            else if (lt && gt && gt > lt && !strncmp(line, "X-Smtpsim-Mail-From: ", 21))
                j->from = strndup(lt + 1, (size_t)(gt - lt - 1));
            else if (lt && gt && gt > lt && !strncmp(line, "X-Smtpsim-Rcpt-To: ", 19))
                j->rcpts[j->n_rcpts++] = strndup(lt + 1, (size_t)(gt - lt - 1));
            line = nl + 1;
        }
        if (!body || !j->hop_owned || !j->from || j->n_rcpts == 0 || !j->spool_path) {
            slog(s, NET_LOG_QUIET, "spool: %s is not a queue file, left alone", path);
            free(j->spool_path);
            j->spool_path = NULL; /* not ours to delete */
            relay_free(j);
            free(buf);
            continue;
        }
        j->hostport = j->hop_owned;
        j->len = len - (size_t)(body - buf);
        j->data = malloc(j->len + 1);
        if (j->data)
            memcpy(j->data, body, j->len);
        free(buf);
        if (!j->data) {
            relay_free(j);
            continue;
        }
        n++;
        relay_start(j);
    }
    closedir(d);
    if (n)
        slog(s, NET_LOG_QUIET, "spool: %zu message(s) from an earlier run queued again", n);
}

/* queue_relay - one job per next hop; the message gets our Received: line on top. */
static int queue_relay(session *ss, const smtp_envelope *env)
{
    net_server *s = ss->srv;
    char hdr[1200];
    size_t hl =
        received_header(ss, env, env->n_rcpts == 1 ? env->rcpts[0] : NULL, false, hdr, sizeof hdr);
    bool *done = calloc(env->n_rcpts ? env->n_rcpts : 1, 1);
    if (!done)
        return -1;
    for (size_t i = 0; i < env->n_rcpts; i++) {
        if (done[i])
            continue;
        const char *hop = route_for(s, env->rcpts[i]);
        relay_job *j = calloc(1, sizeof *j);
        if (!j) {
            free(done);
            return -1;
        }
        j->srv = s;
        j->id = ++s->next_job;
        j->hostport = hop;
        j->from = strdup(env->mail_from);
        j->rcpts = calloc(env->n_rcpts, sizeof *j->rcpts);
        j->data = malloc(hl + env->data_len + 1);
        net_timer_init(&j->retry, relay_retry, j);
        j->next = s->jobs;
        if (s->jobs)
            s->jobs->prev = j;
        s->jobs = j;
        s->n_jobs++;
        if (!j->from || !j->rcpts || !j->data || !hop) {
            relay_free(j);
            free(done);
            return -1;
        }
        memcpy(j->data, hdr, hl);
        memcpy(j->data + hl, env->data, env->data_len);
        j->len = hl + env->data_len;
        for (size_t k = i; k < env->n_rcpts; k++) {
            const char *h = route_for(s, env->rcpts[k]);
            if (!done[k] && h && !strcmp(h, hop)) {
                done[k] = true;
                j->rcpts[j->n_rcpts++] = strdup(env->rcpts[k]);
            }
        }
        slog(s, NET_LOG_SESSION, "#%u queued as relay %u for %zu recipient(s) via %s", ss->id,
             j->id, j->n_rcpts, hop);
        if (s->cfg->observe) {
            /* told after the session's events are drained, so it follows the message */
            free(ss->queued_note);
            ss->queued_note = malloc(300);
            if (ss->queued_note)
                snprintf(ss->queued_note, 300,
                         "queued as relay %u for %zu recipient(s), next hop %s", j->id, j->n_rcpts,
                         hop);
        }
        if (s->cfg->spool) {
            if (spool_job(ss, j) != 0) {
                relay_free(j);
                free(done);
                return -1;
            }
        } else {
            relay_start(j);
        }
    }
    free(done);
    return 0;
}

static void hook_rcpt(void *ctx, const smtp_envelope *env, const char *rcpt, smtp_verdict *v)
{
    session *ss = ctx;
    (void)env;
    net_server *s = ss->srv;
    if (s->cfg->maildir || s->cfg->sink || s->cfg->role == SMTP_ROLE_MX)
        return;
    if (!route_for(s, rcpt)) {
        /* RFC 3463 X.1.2: bad destination system; we relay only where we were told to. */
        v->code = 550;
        snprintf(v->esc, sizeof v->esc, "5.1.2");
        snprintf(v->text, sizeof v->text,
                 "No route to that domain (smtpsim relays only to "
                 "--relay or --mx hosts)");
    }
}

static void hook_accept(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    session *ss = ctx;
    net_server *s = ss->srv;
    s->stats.messages++;
    slog(s, NET_LOG_SESSION, "#%u message from <%s> to %zu recipient(s), %zu bytes", ss->id,
         env->mail_from, env->n_rcpts, env->data_len);
    if (s->cfg->sink)
        return;
    if (s->cfg->maildir) {
        deliver_maildir(ss, env, v);
        return;
    }
    if (queue_relay(ss, env) != 0) {
        v->code = 451;
        snprintf(v->esc, sizeof v->esc, "4.3.0");
        snprintf(v->text, sizeof v->text, "Cannot queue the message now, try again later");
    }
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

static void session_process(session *ss)
{
    net_server *s = ss->srv;
    smtp_event ev;
    bool close_after = false;
    char line[600];
    while (smtp_server_next_event(ss->eng, &ev)) {
        net_obs o = {.kind = NET_OBS_EVENT, .session = ss->id, .ev = &ev, .tls = ss->tls};
        observe(s, &o);
        switch (ev.kind) {
        case SMTP_EV_COMMAND:
            slog(s, NET_LOG_PROTOCOL, "#%u %s %s", ss->id, ss->tls ? "~>" : "->",
                 one_line(ev.bytes, ev.len, line, sizeof line));
            break;
        case SMTP_EV_REPLY:
            slog(s, NET_LOG_PROTOCOL, "#%u %s %s", ss->id, ss->tls ? "<~" : "<-",
                 one_line(ev.bytes, ev.len, line, sizeof line));
            break;
        case SMTP_EV_DATA:
            slog(s, NET_LOG_PROTOCOL, "#%u %s (%zu bytes of message)", ss->id,
                 ss->tls ? "~>" : "->", ev.len);
            break;
        case SMTP_EV_STARTTLS:
            if (net_conn_start_tls(ss->conn, s->tls, true, NULL) != 0)
                close_after = true;
            break;
        case SMTP_EV_AUTH: {
            const smtp_envelope *env = smtp_server_envelope(ss->eng);
            slog(s, NET_LOG_SESSION, "#%u auth %s: %d", ss->id,
                 env && env->auth_user ? env->auth_user : "(none)", ev.code);
            break;
        }
        case SMTP_EV_ERROR:
            slog(s, NET_LOG_SESSION, "#%u protocol error: %s", ss->id, ev.key);
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
        observe(s, &o);
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
    session_process(ss);
}

static void on_data(void *ctx, const char *buf, size_t n)
{
    session *ss = ctx;
    smtp_server_feed(ss->eng, buf, n, net_loop_now(ss->srv->loop));
    session_process(ss);
}

static void on_tls(void *ctx, bool ok, const char *info)
{
    session *ss = ctx;
    net_server *s = ss->srv;
    slog(s, NET_LOG_SESSION, "#%u tls %s", ss->id, info);
    if (!ok)
        return;
    ss->tls = true;
    net_obs o = {.kind = NET_OBS_TLS, .session = ss->id, .tls = true, .text = info};
    observe(s, &o);
    smtp_server_tls_started(ss->eng, net_loop_now(s->loop));
    session_process(ss);
}

static void on_close(void *ctx, const char *why)
{
    session *ss = ctx;
    net_server *s = ss->srv;
    slog(s, NET_LOG_SESSION, "#%u close: %s", ss->id, why);
    net_obs o = {.kind = NET_OBS_CLOSE, .session = ss->id, .tls = ss->tls, .text = why};
    observe(s, &o);
    /* Written but not committed (the client left before its 250): not delivered. */
    session_abort_pending(ss);
    commit_remove(s, ss);
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
    slog(s, NET_LOG_SESSION, "#%u connect from %s:%d%s", ss->id, ss->peer.addr, ss->peer_port,
         implicit_tls ? " (implicit TLS)" : "");
    net_obs o = {.kind = NET_OBS_CONNECT,
                 .session = ss->id,
                 .text = ss->peer.addr,
                 .port = ss->peer_port,
                 .server_port = ss->server_port};
    observe(s, &o);
    if (implicit_tls)
        net_conn_start_tls(ss->conn, s->tls, true, NULL); /* greeting after the handshake */
    session_process(ss);
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
                slog(s, NET_LOG_QUIET, "accept: %s", strerror(errno));
            return;
        }
        if (s->shutting_down) {
            close(fd);
            continue;
        }
        if (s->n_sessions >= s->cfg->max_sessions) {
            slog(s, NET_LOG_SESSION, "refused a connection: %zu sessions open", s->n_sessions);
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
                slog(s, NET_LOG_SESSION, "refused a connection: %zu sessions from %s", same, addr);
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
    char host[256], portstr[8];
    int port;
    if (net_parse_hostport(spec, host, sizeof host, &port) != 0) {
        snprintf(err, errlen, "bad listen address '%s' (want ADDR:PORT)", spec);
        return -1;
    }
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE | AI_NUMERICHOST};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "listen address '%s': %s (use a numeric address)", spec,
                 gai_strerror(gai));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, NET_SERVER_BACKLOG) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    listener *l = &s->lis[s->n_lis];
    l->srv = s;
    l->fd = fd;
    l->implicit_tls = implicit_tls;
    l->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                       : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (net_loop_add(s->loop, fd, NET_EV_READ, on_accept, l) != 0) {
        snprintf(err, errlen, "event loop: %s", strerror(errno));
        close(fd);
        return -1;
    }
    s->n_lis++;
    /* The real port (a test may ask for port 0), always logged: scripts wait for this line. */
    slog(s, NET_LOG_QUIET, "listening on %s%s%s:%d%s", strchr(host, ':') ? "[" : "", host,
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
        s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        pthread_mutex_init(&s->mu, NULL);
        pthread_cond_init(&s->cv, NULL);
        if (s->efd >= 0 && net_loop_add(loop, s->efd, NET_EV_READ, on_sync_done, s) == 0 &&
            pthread_create(&s->thread, NULL, sync_thread, s) == 0)
            s->sync_thread_ok = true;
    }
    if (!cfg->no_tls) {
        char cert[1100], key[1100];
        const char *c = cfg->cert, *k = cfg->key;
        if (!c && cfg->tls_dir) {
            if (net_tls_ensure_selfsigned(cfg->tls_dir, cfg->hostname, cert, sizeof cert, key,
                                          sizeof key, err, errlen) != 0)
                goto fail;
            c = cert;
            k = key;
        }
        if (c) {
            s->tls = net_tls_ctx_server(c, k ? k : c, err, errlen);
            if (!s->tls)
                goto fail;
        }
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
        spool_load(s);
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
    slog(s, NET_LOG_SESSION, "shutting down: %zu session(s) open, %zu relay(s) in flight",
         s->n_sessions, s->n_jobs);
    for (session *ss = s->sessions; ss; ss = ss->next) {
        smtp_server_shutdown(ss->eng, net_loop_now(s->loop));
        session_process(ss);
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
    return s->n_sessions + inflight + (s->sync_busy ? 1 : 0);
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
        relay_free(s->jobs);
    if (s->sync_thread_ok) {
        /* A batch in flight is finished first: its files are written and may be renamed. */
        pthread_mutex_lock(&s->mu);
        s->sync_quit = true;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
        for (size_t i = 0; i < s->batch.n; i++)
            free(s->batch.p[i]);
    }
    if (s->uses_commit) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
    }
    if (s->efd >= 0) {
        net_loop_del(s->loop, s->efd);
        close(s->efd);
    }
    free(s->batch.owner);
    free(s->batch.p);
    free(s->batch.ok);
    net_tls_ctx_free(s->tls);
    net_tls_ctx_free(s->tls_client);
    free(s->commit);
    free(s);
}
