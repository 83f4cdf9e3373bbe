/* world_queue.c - the world's mail queue: queued messages, delivery attempts with their retry
 * schedule (RFC 5321 4.5.4.1), bounces (RFC 3464, built by dsn.h), and the relay job of an
 * attempt: MX lookup, A lookup, one SMTP session per recipient domain (or one to a smarthost),
 * then each recipient settled as delivered, failed or deferred.
 */
#include "core/world/world_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/smtp/dsn.h"

static void job_next_domain(world *w, job *j);

/* ---- queue and relay ---------------------------------------------------------------------- */

qmsg *w_queue_add(world *w, int owner, const char *from, const char *const *rcpts,
                  size_t n_rcpts, const char *data, size_t len, bool smtputf8)
{
    if (w->n_queue >= WORLD_MAX_QUEUE || n_rcpts == 0 || n_rcpts > SCENARIO_MAX_RCPTS)
        return NULL;
    qmsg *m = w_arena_alloc(&w->ar, sizeof *m);
    if (!m)
        return NULL;
    memset(m, 0, sizeof *m);
    m->owner = owner;
    m->from = w_arena_str(&w->ar, from);
    m->rcpts = w_arena_alloc(&w->ar, n_rcpts * sizeof *m->rcpts);
    m->rstate = w_arena_alloc(&w->ar, n_rcpts * sizeof *m->rstate);
    m->rwhy = w_arena_alloc(&w->ar, n_rcpts * sizeof *m->rwhy);
    m->rmta = w_arena_alloc(&w->ar, n_rcpts * sizeof *m->rmta);
    m->rexpired = w_arena_alloc(&w->ar, n_rcpts * sizeof *m->rexpired);
    m->data = w_arena_mem(&w->ar, data, len);
    if (!m->from || !m->rcpts || !m->rstate || !m->rwhy || !m->rmta || !m->rexpired || !m->data)
        return NULL;
    for (size_t i = 0; i < n_rcpts; i++) {
        m->rcpts[i] = w_arena_str(&w->ar, rcpts[i]);
        m->rstate[i] = 0;
        m->rwhy[i] = "";
        m->rmta[i] = NULL;
        m->rexpired[i] = false;
        if (str_non_ascii(rcpts[i]))
            smtputf8 = true;
    }
    m->n_rcpts = n_rcpts;
    m->len = len;
    m->queued_at = w->now;
    m->wait_s = w->sp->retry_first_s;
    m->smtputf8 = smtputf8 || str_non_ascii(from);
    w->queue = realloc(w->queue, (w->n_queue + 1) * sizeof *w->queue);
    if (!w->queue)
        return NULL;
    w->queue[w->n_queue++] = m;
    return m;
}

void w_queue_count(world *w, int node, int delta)
{
    w->nodes[node].queue_len += delta;
    w_set_counts(w, node);
}

static void bounce(world *w, qmsg *m, const size_t *which, size_t n_which)
{
    int node = m->owner;
    const scenario_node *sn = w_snode(w, node);
    if (!m->from[0]) {
        /* RFC 5321 4.5.5 / 6.1: a bounce that cannot be delivered is not bounced again */
        w_add_stepf(w, WORLD_STEP_BOUNCE, node, node, NULL, w->now, w->now, "bounce.double",
                    "RFC 5321 6.1",
                    "the undeliverable message is itself a bounce (MAIL FROM:<>): dropped, never "
                    "bounced again");
        return;
    }
    dsn_recipient rs[DSN_MAX_RECIPIENTS];
    size_t n = 0;
    char status[DSN_MAX_RECIPIENTS][16];
    char first_reason[320] = "";
    for (size_t i = 0; i < n_which && n < DSN_MAX_RECIPIENTS; i++) {
        size_t r = which[i];
        const char *why = m->rwhy[r];
        /* the enhanced code of the reply, when there is one: "550 5.1.1 ..." */
        const char *sp1 = strchr(why, ' ');
        status[n][0] = '\0';
        if (m->rexpired[r]) {
            /* RFC 3463 3.5: delivery time expired */
            str_copy(status[n], sizeof status[n], "4.4.7", STR_ALL);
        } else if (sp1 && isdigit((unsigned char)sp1[1]) && sp1[2] == '.') {
            size_t k = strcspn(sp1 + 1, " ");
            snprintf(status[n], sizeof status[n], "%.*s", (int)(k < 15 ? k : 15), sp1 + 1);
        }
        if (!status[n][0])
            str_copy(status[n], sizeof status[n], why[0] == '4' ? "4.4.7" : "5.0.0", STR_ALL);
        /* RFC 3464 2.3.5-2.3.6: Remote-MTA and "Diagnostic-Code: smtp;" report what a remote
         * SMTP server answered; a failure the MTA decided itself (null MX, no route, refused
         * connection) has neither: its Status code says it. */
        rs[n] = (dsn_recipient){.address = m->rcpts[r], .action = "failed", .status = status[n],
                                .diagnostic = m->rmta[r] && why[0] ? why : NULL,
                                .remote_mta = m->rmta[r],
                                .reason = m->rmta[r] ? NULL : why};
        if (n == 0)
            snprintf(first_reason, sizeof first_reason, "%s%s%s",
                     m->rexpired[r] ? "4.4.7 delivery time expired" : "",
                     m->rexpired[r] && why[0] ? "; last error: " : "", why[0] ? why : status[n]);
        n++;
    }
    char arrival[MAIL_DATE_MAX], date[MAIL_DATE_MAX];
    w_virtual_date(w, m->queued_at, arrival);
    w_virtual_date(w, w->now, date);
    dsn_input in = {.reporting_mta = sn->host, .sender = m->from, .arrival_date = arrival,
                    .date = date, .original = m->data, .original_len = m->len, .rcpts = rs,
                    .n_rcpts = n};
    membuf mb;
    membuf_init(&mb);
    if (dsn_build(&in, &mb) < 0 || mb.failed) {
        membuf_free(&mb);
        return;
    }
    const char *to[1] = {m->from};
    qmsg *b = w_queue_add(w, node, "", to, 1, mb.data, mb.len, false);
    world_step *s = w_add_stepf(w, WORLD_STEP_BOUNCE, node, node, NULL, w->now, w->now,
                                "bounce.dsn", "RFC 3464 2",
                                "delivery status notification to %s: %zu recipient%s failed (%s)",
                                m->from, n, n == 1 ? "" : "s", first_reason);
    if (s && b)
        s->detail = b->data;
    membuf_free(&mb);
    if (b) {
        snprintf(b->qid, sizeof b->qid, "%010llX",
                 (unsigned long long)(w_rng_next(w) & 0xFFFFFFFFFFULL));
        w_queue_count(w, node, 1);
        w_schedule(w, w->now, EV_QUEUE_RUN, b);
    }
}

/* queue_settle - after an attempt: done, bounce failures, defer the rest. */
static void queue_settle(world *w, qmsg *m, const char *defer_reason)
{
    size_t failed[SCENARIO_MAX_RCPTS], n_failed = 0, n_pending = 0;
    uint64_t age = w->now - m->queued_at;
    bool expired = age + (uint64_t)m->wait_s * 1000 > (uint64_t)w->sp->retry_give_up_s * 1000;
    for (size_t i = 0; i < m->n_rcpts; i++) {
        if (m->rstate[i] == 0 && expired) {
            /* RFC 3463 3.5: X.4.7 delivery time expired; the last error stays for the DSN */
            m->rstate[i] = 2;
            m->rexpired[i] = true;
        }
        if (m->rstate[i] == 2) {
            failed[n_failed++] = i;
            m->rstate[i] = 3; /* reported */
        }
        if (m->rstate[i] == 0)
            n_pending++;
    }
    m->active = false;
    if (n_failed)
        bounce(w, m, failed, n_failed);
    if (n_pending) {
        uint32_t wait = m->wait_s;
        w_add_stepf(w, WORLD_STEP_QUEUE, m->owner, m->owner, NULL, w->now, w->now, "queue.deferred",
                    "RFC 5321 4.5.4.1", "%s deferred (%zu recipient%s): %s; next try in %u s",
                  m->qid, n_pending, n_pending == 1 ? "" : "s",
                  defer_reason && defer_reason[0] ? defer_reason : "temporary failure",
                  (unsigned)wait);
        w_set_state_text(w, m->owner, "waiting to retry", -1);
        uint64_t next = (uint64_t)wait * 1000;
        uint64_t nw = (uint64_t)m->wait_s * w->sp->retry_factor;
        m->wait_s = (uint32_t)(nw > w->sp->retry_max_s ? w->sp->retry_max_s : nw);
        w_schedule(w, w->now + next, EV_QUEUE_RUN, m);
        return;
    }
    w_queue_count(w, m->owner, -1);
    w_add_stepf(w, WORLD_STEP_QUEUE, m->owner, m->owner, NULL, w->now, w->now, "queue.done",
                "RFC 5321 4.1.1.4", "%s left the queue", m->qid);
    w_set_state_text(w, m->owner, w->nodes[m->owner].queue_len ? "delivering" : "idle", -1);
}

void w_queue_run(world *w, qmsg *m)
{
    if (m->active)
        return;
    m->active = true;
    m->attempts++;
    if (m->attempts > 1)
        w_add_stepf(w, WORLD_STEP_QUEUE, m->owner, m->owner, NULL, w->now, w->now, "queue.retry",
                    "RFC 5321 4.5.4.1", "%s: delivery attempt %d", m->qid, m->attempts);
    w_set_state_text(w, m->owner, "delivering", -1);
    job *j = w_arena_alloc(&w->ar, sizeof *j);
    if (!j) {
        m->active = false;
        return;
    }
    memset(j, 0, sizeof *j);
    j->m = m;
    j->node = m->owner;
    job_next_domain(w, j);
}

/* job_next_domain - the next recipient domain of this attempt with pending recipients (a
 * smarthost takes them all in one session); when none is left, settle the attempt. */
static void job_next_domain(world *w, job *j)
{
    qmsg *m = j->m;
    const scenario_node *sn = w_snode(w, j->node);
    const char *dom = NULL;
    for (size_t i = 0; i < m->n_rcpts && !dom; i++)
        if (m->rstate[i] == 0 && !j->tried[i])
            dom = str_domain_of(m->rcpts[i]);
    if (!dom) {
        queue_settle(w, m, j->last_error);
        return;
    }
    j->n_rc = 0;
    j->mx_i = 0;
    for (size_t i = 0; i < m->n_rcpts; i++)
        if (m->rstate[i] == 0 && !j->tried[i] &&
            (sn->relay_to >= 0 || !strcasecmp(str_domain_of(m->rcpts[i]), dom))) {
            j->rc[j->n_rc++] = i;
            j->tried[i] = true;
        }
    if (sn->relay_to >= 0) {
        str_copy(j->domain, sizeof j->domain, dom, STR_ALL);
        j->target = sn->relay_to;
        w_schedule(w, w->now, EV_JOB_CONNECT, j);
        return;
    }
    str_copy(j->domain, sizeof j->domain, dom, STR_ALL);
    /* RFC 5321 5.1: ask DNS for the domain's MX records */
    uint32_t lat = w_latency(w, j->node, w->dns_node);
    char line[DNS_LINE_MAX];
    dns_format_question(line, sizeof line, dom, DNS_TYPE_MX);
    w_add_stepf(w, WORLD_STEP_DNS_QUERY, j->node, w->dns_node, NULL, w->now, w->now + lat,
                "dns.mx_query", "RFC 5321 5.1", "%s", line);
    w_set_state_text(w, j->node, "looking up MX", -1);
    w_schedule(w, w->now + lat, EV_JOB_MX_ANSWER, j);
}

static void job_fail_rcpts(world *w, job *j, int state, const char *why)
{
    for (size_t i = 0; i < j->n_rc; i++) {
        size_t r = j->rc[i];
        if (j->m->rstate[r] == 0) {
            j->m->rstate[r] = state;
            j->m->rwhy[r] = w_arena_str(&w->ar, why);
            j->m->rmta[r] = NULL; /* the MTA's own decision */
        }
    }
}

void w_on_job_mx_answer(world *w, job *j)
{
    bool null_mx = false;
    dns_rcode rc = dns_zone_mail_hosts(w->zone, j->domain, &j->mx, &null_mx);
    uint32_t lat = w_latency(w, j->node, w->dns_node);
    /* the step shows what DNS really answered; the MTA's conclusions (implicit MX) come after */
    dns_answer raw;
    dns_zone_query(w->zone, j->domain, DNS_TYPE_MX, &raw);
    char line[DNS_LINE_MAX];
    dns_format_answer(line, sizeof line, j->domain, DNS_TYPE_MX, &raw);
    w_add_stepf(w, WORLD_STEP_DNS_ANSWER, w->dns_node, j->node, NULL, w->now, w->now + lat,
                "dns.mx_answer", "RFC 5321 5.1", "%s", line);
    j->mx_i = 0;
    j->implicit_pending = rc == DNS_NOERROR && j->mx.n > 0 && j->mx.rr[0].implicit;
    if (rc == DNS_SERVFAIL) {
        /* a DNS failure is temporary: the recipients stay queued */
        for (size_t i = 0; i < j->n_rc; i++) {
            j->m->rwhy[j->rc[i]] = "451 4.4.3 DNS lookup of the MX failed (SERVFAIL)";
            j->m->rmta[j->rc[i]] = NULL;
        }
        j->last_error = "DNS lookup of the MX failed (SERVFAIL)";
        j->mx.n = 0;
    } else if (j->mx.n == 0) {
        job_fail_rcpts(w, j, 2,
                       null_mx ? "556 5.1.10 the domain accepts no mail (null MX, RFC 7505)"
                               : "550 5.1.2 no mail server for this domain (no MX or A record)");
    }
    w_schedule(w, w->now + lat, EV_JOB_A_QUERY, j);
}

void w_on_job_a_query(world *w, job *j)
{
    if (j->mx_i >= j->mx.n) {
        /* no (more) hosts to try: the domain is done for this attempt */
        job_next_domain(w, j);
        return;
    }
    if (j->implicit_pending) {
        /* the empty MX answer has arrived: RFC 5321 5.1 implicit MX */
        j->implicit_pending = false;
        w_add_stepf(w, WORLD_STEP_CHECK, j->node, j->node, NULL, w->now, w->now, "mx.implicit",
                    "RFC 5321 5.1",
                    "no MX records for %s: the MTA falls back to the domain's own address record "
                    "(implicit MX, as if \"MX 0 %s\")",
                    j->domain, j->domain);
    }
    uint32_t lat = w_latency(w, j->node, w->dns_node);
    char line[DNS_LINE_MAX];
    dns_format_question(line, sizeof line, j->mx.rr[j->mx_i].value, DNS_TYPE_A);
    w_add_stepf(w, WORLD_STEP_DNS_QUERY, j->node, w->dns_node, NULL, w->now, w->now + lat,
                "dns.a_query", "RFC 5321 5.1", "%s", line);
    w_schedule(w, w->now + lat, EV_JOB_A_ANSWER, j);
}

void w_on_job_a_answer(world *w, job *j)
{
    dns_answer a;
    const char *host = j->mx.rr[j->mx_i].value;
    dns_rcode rc = dns_zone_query(w->zone, host, DNS_TYPE_A, &a);
    uint32_t lat = w_latency(w, j->node, w->dns_node);
    char line[DNS_LINE_MAX];
    dns_format_answer(line, sizeof line, host, DNS_TYPE_A, &a);
    w_add_stepf(w, WORLD_STEP_DNS_ANSWER, w->dns_node, j->node, NULL, w->now, w->now + lat,
                "dns.a_answer", "RFC 5321 5.1", "%s", line);
    j->target = -1;
    if (rc == DNS_NOERROR && a.n > 0) {
        for (size_t i = 0; i < w->n_nodes && j->target < 0; i++) {
            const scenario_node *sn = w->nodes[i].sn;
            if (sn && (sn->kind == SCENARIO_NODE_MX || sn->kind == SCENARIO_NODE_MTA ||
                       sn->kind == SCENARIO_NODE_MSA) &&
                !strcmp(sn->addr, a.rr[0].value))
                j->target = (int)i;
        }
    }
    if (j->target < 0) {
        j->last_error = "no address for the mail host";
        for (size_t i = 0; i < j->n_rc; i++) {
            j->m->rwhy[j->rc[i]] = "451 4.4.4 no route to the mail host";
            j->m->rmta[j->rc[i]] = NULL;
        }
        j->mx_i++;
        w_schedule(w, w->now + lat, EV_JOB_A_QUERY, j);
        return;
    }
    w_schedule(w, w->now + lat, EV_JOB_CONNECT, j);
}

void w_on_job_connect(world *w, job *j)
{
    qmsg *m = j->m;
    int target = j->target;
    const scenario_node *tn = w_snode(w, target);
    conn *c = w_conn_new(w, CONN_RELAY, j->node, target, tn->port);
    if (!c) {
        w->ar.failed = true;
        return;
    }
    c->job = j;
    smtp_client_config *cc = &c->ccfg;
    smtp_client_config_default(cc);
    cc->helo_name = w_snode(w, j->node)->host;
    cc->mail_from = m->from;
    const char **rc = w_arena_alloc(&w->ar, (j->n_rc ? j->n_rc : 1) * sizeof *rc);
    if (!rc)
        return;
    for (size_t i = 0; i < j->n_rc; i++)
        rc[i] = m->rcpts[j->rc[i]];
    cc->rcpts = rc;
    cc->n_rcpts = j->n_rc;
    cc->data = m->data;
    cc->data_len = m->len;
    cc->tls = SMTP_TLS_OPPORTUNISTIC; /* RFC 3207: MTA to MTA encrypts when offered */
    cc->tls_available = true;
    cc->use_pipelining = true;
    cc->smtputf8 = m->smtputf8;
    w_connect_start(w, c);
}

/* job_session_done - an SMTP session of a delivery attempt ended (or never started). */
void w_job_session_done(world *w, job *j, conn *c, const char *why_refused)
{
    qmsg *m = j->m;
    if (why_refused || !c->cl) {
        char why[200];
        snprintf(why, sizeof why, "451 4.4.1 %s: %s", w->nodes[c->snode].pub.host,
                 why_refused ? why_refused : "no connection");
        for (size_t i = 0; i < j->n_rc; i++) {
            m->rwhy[j->rc[i]] = w_arena_str(&w->ar, why);
            m->rmta[j->rc[i]] = NULL;
        }
        j->last_error = w_arena_str(&w->ar, why);
        if (w_snode(w, j->node)->relay_to < 0) {
            j->mx_i++; /* RFC 5321 5.1: try the next MX host */
            w_schedule(w, w->now, EV_JOB_A_QUERY, j);
        } else {
            job_next_domain(w, j);
        }
        return;
    }
    const smtp_client_result *r = smtp_client_result_get(c->cl);
    char overall[256];
    if (r->code)
        snprintf(overall, sizeof overall, "%d%s%s %s", r->code, r->esc[0] ? " " : "", r->esc,
                 r->text);
    else if (c->tls_aborted)
        snprintf(overall, sizeof overall, "451 4.4.2 %s during the TLS handshake", r->text);
    else
        snprintf(overall, sizeof overall, "451 4.4.2 %s%s%s%s", r->text, r->stage ? " (at " : "",
                 r->stage ? r->stage : "", r->stage ? ")" : "");
    /* a reply of the server (not the client's own decision, not a lost connection): the DSN
     * names the server as Remote-MTA (RFC 3464 2.3.5) */
    const char *remote = r->local ? NULL : w->nodes[c->snode].pub.host;
    for (size_t i = 0; i < j->n_rc && i < r->n_rcpts; i++) {
        size_t k = j->rc[i];
        const smtp_rcpt_result *rr = &r->rcpt[i];
        int code = rr->code;
        char why[256];
        if (code >= 200 && code < 300 && r->status == SMTP_RESULT_OK) {
            m->rstate[k] = 1;
            continue;
        }
        if (code >= 400 && code < 600)
            snprintf(why, sizeof why, "%d%s%s %s", code, rr->esc[0] ? " " : "", rr->esc, rr->text);
        else
            str_copy(why, sizeof why, overall, STR_ALL);
        m->rwhy[k] = w_arena_str(&w->ar, why);
        m->rmta[k] = (code >= 400 && code < 600) || r->code ? remote : NULL;
        if (code >= 500)
            m->rstate[k] = 2;
        else if (code >= 200 && code < 300 && r->status == SMTP_RESULT_PERMFAIL)
            m->rstate[k] = 2; /* accepted, then the data was refused */
        else if (code == 0 && r->status == SMTP_RESULT_PERMFAIL)
            m->rstate[k] = 2;
        else
            m->rstate[k] = 0;
        j->last_error = m->rwhy[k];
    }
    job_next_domain(w, j);
}
