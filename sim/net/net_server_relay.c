/* net_server_relay.c - relaying for a net_server in the MSA and MTA roles
 * (see net_server_internal.h).
 *
 * Each accepted message becomes one job per next hop (the fixed --relay host or the static
 * domain -> HOST:PORT map; never an MX lookup on the internet), sent with the client engine
 * (net_client) and retried with a doubling delay on temporary failures. With a spool, the job
 * is first written to SPOOL/queue through the group commit, so its 250 means "on disk", and
 * the files an earlier run left there are queued again at start. A recipient that fails for
 * good gets its sender a DSN (RFC 3464 in RFC 6522, built by core/smtp/dsn.c), relayed like any
 * message with MAIL FROM:<>: a 250 is never followed by silence (RFC 5321 6.1). A DSN that
 * cannot be delivered is dropped, never bounced again (RFC 5321 4.5.5).
 */
#define _GNU_SOURCE /* strndup */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/smtp/dsn.h"
#include "core/util/file_util.h"
#include "net/net_server_internal.h"

const char *net_server_relay_route(const net_server *s, const char *rcpt)
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

void net_server_relay_free(relay_job *j)
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
    net_server_relay_start(ctx);
}

/* job_link - an empty job with the next id and its retry timer, at the head of the server's
 * list (so net_server_relay_free can always unlink it). NULL on no memory. */
static relay_job *job_link(net_server *s)
{
    relay_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->srv = s;
    j->id = ++s->next_job;
    net_timer_init(&j->retry, relay_retry, j);
    j->next = s->jobs;
    if (s->jobs)
        s->jobs->prev = j;
    s->jobs = j;
    s->n_jobs++;
    return j;
}

/* job_new - a relay job for one message and next hop, linked into the server's list; the
 * caller adds recipients. NULL on no memory. */
static relay_job *job_new(net_server *s, const char *from, const char *hop, size_t max_rcpts,
                          const char *data, size_t len)
{
    relay_job *j = job_link(s);
    if (!j)
        return NULL;
    j->hostport = hop;
    j->from = strdup(from);
    j->rcpts = calloc(max_rcpts ? max_rcpts : 1, sizeof *j->rcpts);
    j->data = malloc(len + 1);
    if (!j->from || !j->rcpts || !j->data) {
        net_server_relay_free(j);
        return NULL;
    }
    if (data)
        memcpy(j->data, data, len);
    j->len = len;
    return j;
}

/* bounce - the recipients of j that failed for good (a 5xx, or still 4xx when we gave up) go
 * to the sender in one DSN, queued as a new relay job from <> to the sender. */
static void bounce(relay_job *j, const smtp_client_result *r)
{
    net_server *s = j->srv;
    dsn_recipient rc[DSN_MAX_RECIPIENTS];
    char status[DSN_MAX_RECIPIENTS][16], diag[DSN_MAX_RECIPIENTS][200];
    size_t n = 0;
    for (size_t i = 0; i < j->n_rcpts && n < DSN_MAX_RECIPIENTS; i++) {
        const smtp_rcpt_result *rr = i < r->n_rcpts && r->rcpt ? &r->rcpt[i] : NULL;
        bool delivered = r->status == SMTP_RESULT_OK && rr && rr->code >= 200 && rr->code < 300;
        if (delivered)
            continue;
        int code = rr && rr->code ? rr->code : r->code;
        const char *esc = rr && rr->code ? rr->esc : r->esc;
        const char *text = rr && rr->code ? rr->text : r->text;
        /* RFC 3463: a 4xx we gave up on is reported as a permanent failure of delivery */
        snprintf(status[n], sizeof status[n], "%s",
                 esc[0] == '5' ? esc : code >= 500 ? "5.0.0" : "4.4.7");
        if (code)
            snprintf(diag[n], sizeof diag[n], "%d %s%s%.150s", code, esc, esc[0] ? " " : "", text);
        rc[n] = (dsn_recipient){.address = j->rcpts[i],
                                .action = "failed",
                                .status = status[n],
                                .diagnostic = code ? diag[n] : NULL,
                                .remote_mta = NULL,
                                .reason = code ? NULL : text};
        n++;
    }
    if (n == 0)
        return;
    if (!j->from[0]) {
        net_server_log(s, NET_LOG_QUIET, "relay %u: a DSN that failed is dropped, never bounced "
                                         "(RFC 5321 4.5.5)", j->id);
        return;
    }
    const char *hop = net_server_relay_route(s, j->from);
    char date[MAIL_DATE_MAX];
    mail_date_from((int64_t)time(NULL), 0, date);
    dsn_input in = {.reporting_mta = s->cfg->hostname,
                    .sender = j->from,
                    .arrival_date = date,
                    .date = date,
                    .original = j->data,
                    .original_len = j->len,
                    .rcpts = rc,
                    .n_rcpts = n};
    membuf m;
    membuf_init(&m);
    relay_job *d = NULL;
    if (hop && dsn_build(&in, &m) == 0)
        d = job_new(s, DSN_REVERSE_PATH, hop, 1, m.data, m.len);
    membuf_free(&m);
    if (d)
        d->rcpts[d->n_rcpts] = strdup(j->from);
    if (!d || !d->rcpts[d->n_rcpts]) {
        net_server_log(s, NET_LOG_QUIET, "relay %u: no DSN could be sent to <%s> (%s)", j->id,
                       j->from, hop ? "out of memory" : "no route to the sender's domain");
        if (d)
            net_server_relay_free(d);
        return;
    }
    d->n_rcpts = 1;
    char text[300];
    snprintf(text, sizeof text, "DSN for relay %u queued as relay %u to <%s>, next hop %s", j->id,
             d->id, j->from, hop);
    net_server_log(s, NET_LOG_SESSION, "%s", text);
    net_obs o = {.kind = NET_OBS_QUEUED, .session = j->id, .text = text};
    net_server_observe(s, &o);
    net_server_relay_start(d);
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
        net_server_log(s, NET_LOG_SESSION, "relay %u: sent: %s", j->id, text);
        net_server_observe(s, &o);
        if (r->n_accepted < j->n_rcpts)
            bounce(j, r); /* some recipients refused with 5xx: their sender hears of it */
        net_server_relay_free(j);
        return;
    }
    if (r->status == SMTP_RESULT_TEMPFAIL && s->shutting_down && j->spool_path) {
        net_server_log(s, NET_LOG_SESSION, "relay %u: kept in the spool for the next start: %s",
                       j->id, j->spool_path);
        net_server_relay_free(j);
        return;
    }
    if (r->status == SMTP_RESULT_TEMPFAIL && j->tries < NET_SERVER_RELAY_TRIES &&
        !s->shutting_down) {
        uint64_t delay = (uint64_t)NET_SERVER_RELAY_DELAY_MS << (j->tries - 1);
        net_server_log(s, NET_LOG_SESSION, "relay %u: deferred (%s; %s), retry in %llu s", j->id,
                       text, why, (unsigned long long)(delay / 1000));
        net_loop_timer_set(s->loop, &j->retry, net_loop_now(s->loop) + delay);
        return;
    }
    s->stats.relay_failed++;
    net_server_log(s, NET_LOG_QUIET, "relay %u: failed for good: %s (%s)", j->id, text, why);
    if (j->spool_path)
        unlink(j->spool_path);
    net_server_observe(s, &o);
    bounce(j, r);
    net_server_relay_free(j);
}

void net_server_relay_start(relay_job *j)
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
        net_server_observe(s, &o);
    } else {
        smtp_client_result r = {.status = SMTP_RESULT_TEMPFAIL, .stage = "connect"};
        snprintf(r.text, sizeof r.text, "%.190s", err);
        relay_done(j, &r, err);
    }
}

/* spool_job - write the job into the spool queue; the session waits for the reply (the accept
 * hook answers pending) and the relay starts once the file is durable (batch_finish). Envelope
 * first, as header lines, then the message. */
static int spool_job(session *ss, relay_job *j)
{
    net_server *s = ss->srv;
    size_t cap = 200 + strlen(j->hostport) + strlen(j->from);
    for (size_t i = 0; i < j->n_rcpts; i++)
        cap += strlen(j->rcpts[i]) + 24;
    char *hdr = malloc(cap);
    net_maildir_pending *p = malloc(sizeof *p);
    if (!hdr || !p || net_server_commit_reserve(ss) != 0) {
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
    if (rc != 0 || net_server_commit_add(s, ss) != 0) {
        if (rc == 0)
            net_maildir_abort(p);
        free(p);
        return -1;
    }
    p->tag = PEND_SPOOL;
    p->user = j;
    ss->pend[ss->n_pend++] = p;
    return 0;
}

/* spool_load - at start: every queue file left by an earlier run becomes a job again. */
void net_server_relay_spool_load(net_server *s)
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
        char *buf;
        size_t len;
        if (file_read_all(path, NET_SERVER_SPOOL_MAX - 1, &buf, &len) != 0) {
            if (errno == ENOMEM)
                break;
            continue; /* unreadable or too large: left in the spool, not guessed at */
        }
        relay_job *j = job_link(s);
        if (!j) {
            free(buf);
            break;
        }
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
            net_server_log(s, NET_LOG_QUIET, "spool: %s is not a queue file, left alone", path);
            free(j->spool_path);
            j->spool_path = NULL; /* not ours to delete */
            net_server_relay_free(j);
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
            net_server_relay_free(j);
            continue;
        }
        n++;
        net_server_relay_start(j);
    }
    closedir(d);
    if (n)
        net_server_log(s, NET_LOG_QUIET, "spool: %zu message(s) from an earlier run queued again",
                       n);
}

/* queue_relay - one job per next hop; the message gets our Received: line on top. */
int net_server_relay_queue(session *ss, const smtp_envelope *env)
{
    net_server *s = ss->srv;
    char hdr[NET_SERVER_TRACE_MAX];
    size_t hl = net_server_received(ss, env, env->n_rcpts == 1 ? env->rcpts[0] : NULL, false, hdr,
                                    sizeof hdr);
    bool *done = calloc(env->n_rcpts ? env->n_rcpts : 1, 1);
    if (!done)
        return -1;
    for (size_t i = 0; i < env->n_rcpts; i++) {
        if (done[i])
            continue;
        const char *hop = net_server_relay_route(s, env->rcpts[i]);
        relay_job *j = hop ? job_new(s, env->mail_from, hop, env->n_rcpts, NULL,
                                     hl + env->data_len)
                           : NULL;
        if (!j) {
            free(done);
            return -1;
        }
        memcpy(j->data, hdr, hl);
        memcpy(j->data + hl, env->data, env->data_len);
        for (size_t k = i; k < env->n_rcpts; k++) {
            const char *h = net_server_relay_route(s, env->rcpts[k]);
            if (!done[k] && h && !strcmp(h, hop)) {
                done[k] = true;
                j->rcpts[j->n_rcpts++] = strdup(env->rcpts[k]);
            }
        }
        net_server_log(s, NET_LOG_SESSION, "#%u queued as relay %u for %zu recipient(s) via %s",
                       ss->id, j->id, j->n_rcpts, hop);
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
                net_server_relay_free(j);
                free(done);
                return -1;
            }
        } else {
            net_server_relay_start(j);
        }
    }
    free(done);
    return 0;
}