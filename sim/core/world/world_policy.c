/* world_policy.c - what the world's servers decide inside the SMTP engine (its policy hooks):
 * SPF at MAIL FROM, unknown mailboxes and greylisting at RCPT TO, and at the end of DATA the
 * Received: field, DKIM verification or signing, final delivery into mailboxes or the hand-off
 * to the queue. DNS questions asked on the way are recorded as steps; the server config of each
 * connection (which hooks, which extensions) is built here as well.
 */
#include "core/world/world_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/world/dkim.h"
#include "core/world/spf.h"

/* ---- DNS as the world's nodes see it ------------------------------------------------------ */

typedef struct {
    world *w;
    int asker;
    const conn *c;
    uint64_t t;             /* advances by a round trip per question */
} dns_ctx;

/* recorded_lookup - a dns_lookup_fn that also records the question and the answer as steps. */
static dns_rcode recorded_lookup(void *ctx, const char *name, dns_type type, dns_answer *out)
{
    dns_ctx *d = ctx;
    world *w = d->w;
    dns_rcode rc = dns_zone_query(w->zone, name, type, out);
    if (w->dns_node < 0)
        return rc;
    uint32_t lat = w_latency(w, d->asker, w->dns_node);
    char line[DNS_LINE_MAX];
    dns_format_question(line, sizeof line, name, type);
    world_step *s = w_add_stepf(w, WORLD_STEP_DNS_QUERY, d->asker, w->dns_node, NULL, d->t,
                                d->t + lat, type == DNS_TYPE_TXT ? "dns.txt_query" : "dns.query",
                                "RFC 1035 4.1", "%s", line);
    (void)s;
    dns_format_answer(line, sizeof line, name, type, out);
    w_add_stepf(w, WORLD_STEP_DNS_ANSWER, w->dns_node, d->asker, NULL, d->t + lat, d->t + 2 * lat,
                type == DNS_TYPE_TXT ? "dns.txt_answer" : "dns.answer", "RFC 1035 4.1", "%s", line);
    d->t += 2 * lat;
    return rc;
}

/* ---- policy hooks (run inside the server engine) ----------------------------------------- */

static bool take_armed(conn *c, const char *verb, smtp_verdict *v)
{
    if (!c->armed || strcmp(c->armed->verb, verb))
        return false;
    smtp_verdict_set(v, c->armed->code, c->armed->esc, "%.159s", c->armed->text);
    c->armed_used = true;
    return true;
}

static world *conn_world(conn *c) { return c->w; }

/* hook_end - every hook ends here. A hook that spent time on DNS round trips cannot answer at
 * once in a real server: it answers pending, and the world resumes the session with the
 * verdict when that time has passed (w_on_server_resume), as llhttp's callbacks pause the
 * parser. A hook that did not wait answers synchronously. */
static void hook_end(conn *c, smtp_verdict *v)
{
    if (c->hook_wait == 0)
        return;
    c->pend_verdict = *v;
    c->resume_after = c->hook_wait;
    c->hook_wait = 0;
    smtp_verdict_pending(v);
}

static void mail_policy(conn *c, const smtp_envelope *env, smtp_verdict *v);

/* The hooks run the world's own policy first (so its checks and DNS steps appear exactly as in
 * the original run), then a what-if reply armed for this command overrides the verdict. */
static void hook_mail_real(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    conn *c = ctx;
    mail_policy(c, env, v);
    take_armed(c, "MAIL", v);
    hook_end(c, v);
}

static void mail_policy(conn *c, const smtp_envelope *env, smtp_verdict *v)
{
    world *w = conn_world(c);
    const scenario_node *sn = w_snode(w, c->snode);
    if (sn->kind != SCENARIO_NODE_MX || sn->spf == SCENARIO_SPF_OFF)
        return;
    /* RFC 7208 2.4: check the MAIL FROM identity (HELO when the path is null). */
    dns_ctx d = {.w = w, .asker = c->snode, .c = c, .t = w->now};
    spf_outcome o;
    spf_check(recorded_lookup, &d, c->peer.addr, env->mail_from ? env->mail_from : "",
              env->helo ? env->helo : "", &o);
    c->hook_wait += d.t - w->now;
    w_add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, d.t, d.t,
                o.result == SPF_PASS ? "spf.pass" : o.result == SPF_FAIL ? "spf.fail" : "spf.other",
                "RFC 7208 2.6", "SPF %s for %s from %s: %s", spf_result_name(o.result), o.domain,
                c->peer.addr, o.reason);
    char hdr[SPF_HEADER_MAX];
    long n = spf_received_header(hdr, sizeof hdr, &o, sn->host, c->peer.addr,
                                 env->mail_from ? env->mail_from : "", env->helo ? env->helo : "");
    if (n > 0)
        c->spf_header = w_arena_mem(&w->ar, hdr, (size_t)n);
    if (sn->spf == SCENARIO_SPF_ENFORCE) {
        if (o.result == SPF_FAIL) {
            /* RFC 7372 3.2: 5.7.23 SPF validation failed */
            smtp_verdict_set(v, 550, "5.7.23", "SPF validation failed for %.100s", o.domain);
        } else if (o.result == SPF_TEMPERROR) {
            smtp_verdict_set(v, 451, "4.4.3", "SPF temporary error, try again later");
        } else if (o.result == SPF_PERMERROR) {
            smtp_verdict_set(v, 550, "5.7.24", "SPF record of %.100s is broken", o.domain);
        }
    }
}

static void rcpt_policy(conn *c, const smtp_envelope *env, const char *rcpt, smtp_verdict *v);

static void hook_rcpt(void *ctx, const smtp_envelope *env, const char *rcpt, smtp_verdict *v)
{
    conn *c = ctx;
    rcpt_policy(c, env, rcpt, v);
    take_armed(c, "RCPT", v);
    hook_end(c, v);
}

static void rcpt_policy(conn *c, const smtp_envelope *env, const char *rcpt, smtp_verdict *v)
{
    world *w = conn_world(c);
    wnode *n = &w->nodes[c->snode];
    const scenario_node *sn = n->sn;
    if (sn->kind != SCENARIO_NODE_MX)
        return;
    /* unknown mailbox (the engine's list only knows local parts, not their domains) */
    bool found = false;
    for (size_t i = 0; i < w->n_nodes && !found; i++) {
        const scenario_node *m = w->nodes[i].sn;
        if (m && m->kind == SCENARIO_NODE_MAILBOX && m->mailbox_server == c->snode &&
            !strcasecmp(m->address, rcpt))
            found = true;
    }
    if (!found) {
        smtp_verdict_set(v, 550, "5.1.1", "<%.100s>: Recipient address rejected: User unknown",
                         rcpt);
        return;
    }
    if (sn->greylist_s) {
        /* Greylisting: refuse a new (client address, sender, recipient) for a while. */
        char key[320];
        snprintf(key, sizeof key, "%s|%s|%s", c->peer.addr, env->mail_from ? env->mail_from : "",
                 rcpt);
        size_t i;
        for (i = 0; i < n->n_grey; i++)
            if (!strcmp(n->grey[i].key, key))
                break;
        if (i == n->n_grey && n->n_grey < WORLD_MAX_GREYLIST) {
            if (!n->grey)
                n->grey = w_arena_alloc(&w->ar, WORLD_MAX_GREYLIST * sizeof *n->grey);
            if (n->grey) {
                str_copy(n->grey[i].key, sizeof n->grey[i].key, key, STR_ALL);
                n->grey[i].first = w->now;
                n->n_grey++;
            }
        }
        uint64_t first = i < n->n_grey && n->grey ? n->grey[i].first : w->now;
        if (w->now - first < (uint64_t)sn->greylist_s * 1000) {
            smtp_verdict_set(
                v, 451, "4.7.1", "<%.100s>: Greylisted, try again in %u seconds", rcpt,
                (unsigned)(((uint64_t)sn->greylist_s * 1000 - (w->now - first) + 999) / 1000));
            w_add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now,
                        "greylist.defer", "RFC 6647 2.1",
                        "greylisting: first seen %llu s ago, accepting after %u s",
                        (unsigned long long)((w->now - first) / 1000), (unsigned)sn->greylist_s);
        } else {
            w_add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now,
                        "greylist.pass", "RFC 6647 2.1",
                        "greylisting: triple first seen %llu s ago: accepted",
                        (unsigned long long)((w->now - first) / 1000));
        }
    }
}

static void add_received(world *w, conn *c, const smtp_envelope *env, membuf *mb,
                         const char *qid)
{
    char date[MAIL_DATE_MAX];
    w_virtual_date(w, w->now, date);
    mail_received r = {
        .helo = env->helo,
        .peer_name = c->peer.name,
        .peer_addr = c->peer.addr,
        .by = w_snode(w, c->snode)->host,
        /* RFC 6531 3.7.3: UTF8SMTP, UTF8SMTPS, UTF8SMTPA, UTF8SMTPSA for SMTPUTF8 mail */
        .with = mail_with_protocol_utf8(env->esmtp, env->tls, env->auth_user != NULL,
                                        env->smtputf8),
        .id = qid,
        .rcpt = env->n_rcpts == 1 ? env->rcpts[0] : NULL,
        .date = date,
    };
    mail_prepend_received(mb, &r);
}

/* add_handoff_received - the MSA hands the message to its MTA, another host: that host adds
 * its own Received: line when the message reaches it (RFC 5321 4.4: every host that relays it
 * adds one), so the chain reads hop by hop from the bottom up. The hand-off stands for an SMTP
 * relay inside the site: clear text, no AUTH (the MTA trusts its MSA by address). */
static void add_handoff_received(world *w, conn *c, const smtp_envelope *env, membuf *mb,
                                 int mta, const char *qid)
{
    char date[MAIL_DATE_MAX];
    w_virtual_date(w, w->now + w_latency(w, c->snode, mta), date);
    const world_node *msa = &w->nodes[c->snode].pub;
    mail_received r = {
        .helo = msa->host,
        .peer_name = msa->host,
        .peer_addr = msa->addr,
        .by = w_snode(w, mta)->host,
        .with = mail_with_protocol_utf8(true, false, false, env->smtputf8),
        .id = qid,
        .rcpt = env->n_rcpts == 1 ? env->rcpts[0] : NULL,
        .date = date,
    };
    mail_prepend_received(mb, &r);
}

void w_dkim_secret(const world *w, const char *domain, const char *selector,
                   unsigned char out[SHA256_DIGEST_LEN])
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "smtpsim-dkim|%s|%s|%u", domain, selector,
                     (unsigned)w->sp->seed);
    sha256(buf, (size_t)n, out);
}

static void accept_policy(conn *c, const smtp_envelope *env, smtp_verdict *v);

static void hook_accept(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    conn *c = ctx;
    accept_policy(c, env, v);
    hook_end(c, v);
}

static void accept_policy(conn *c, const smtp_envelope *env, smtp_verdict *v)
{
    world *w = conn_world(c);
    const scenario_node *sn = w_snode(w, c->snode);
    if (mail_header_count(env->data, env->data_len, "Received") >= WORLD_MAX_HOPS) {
        /* RFC 5321 6.3: a message that has crossed this many hops is looping */
        smtp_verdict_set(v, 554, "5.4.6", "Too many hops (%d Received: fields): mail loop",
                         WORLD_MAX_HOPS);
        take_armed(c, ".", v);
        return;
    }
    membuf mb;
    membuf_init(&mb);
    membuf_set(&mb, env->data, env->data_len);
    char qid[16];
    snprintf(qid, sizeof qid, "%010llX", (unsigned long long)(w_rng_next(w) & 0xFFFFFFFFFFULL));
    add_received(w, c, env, &mb, qid);
    if (sn->kind == SCENARIO_NODE_MX) {
        if (sn->dkim_verify) {
            dns_ctx d = {.w = w, .asker = c->snode, .c = c, .t = w->now};
            dkim_outcome o;
            dkim_verify(mb.data, mb.len, recorded_lookup, &d, &o);
            c->hook_wait += d.t - w->now;
            w_add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, d.t, d.t,
                        o.result == DKIM_PASS ? "dkim.pass" : "dkim.other", "RFC 6376 6",
                        "DKIM %s: %s", dkim_result_name(o.result),
                        o.reason[0] ? o.reason : DKIM_SIMULATED_NOTE);
            char ar[512];
            snprintf(ar, sizeof ar, "%s; dkim=%s (%s)%s%s", sn->host, dkim_result_name(o.result),
                     DKIM_SIMULATED_NOTE, o.domain[0] ? " header.d=" : "", o.domain);
            c->auth_res = w_arena_str(&w->ar, ar);
        }
        if (take_armed(c, ".", v)) {
            membuf_free(&mb); /* what if: refused, so never stored */
            return;
        }
        if (c->spf_header)
            membuf_prepend(&mb, c->spf_header, strlen(c->spf_header));
        if (c->auth_res)
            mail_prepend_header(&mb, "Authentication-Results", c->auth_res);
        /* Final delivery: Return-Path (RFC 5321 4.4), then into each mailbox. */
        mail_prepend_return_path(&mb, env->mail_from ? env->mail_from : "");
        if (mb.failed) {
            membuf_free(&mb);
            smtp_verdict_set(v, 451, "4.3.0", "Local error in processing");
            return;
        }
        for (size_t i = 0; i < env->n_rcpts; i++) {
            for (size_t k = 0; k < w->n_nodes; k++) {
                wnode *m = &w->nodes[k];
                if (!m->sn || m->sn->kind != SCENARIO_NODE_MAILBOX ||
                    m->sn->mailbox_server != c->snode || strcasecmp(m->sn->address, env->rcpts[i]))
                    continue;
                if (m->n_mail == m->cap_mail) {
                    size_t cap = m->cap_mail ? m->cap_mail * 2 : 4;
                    const char **nm = w_arena_alloc(&w->ar, cap * sizeof *nm);
                    size_t *nl = w_arena_alloc(&w->ar, cap * sizeof *nl);
                    if (!nm || !nl)
                        break;
                    if (m->n_mail) {
                        memcpy(nm, m->mail, m->n_mail * sizeof *nm);
                        memcpy(nl, m->mail_len, m->n_mail * sizeof *nl);
                    }
                    m->mail = nm;
                    m->mail_len = nl;
                    m->cap_mail = cap;
                }
                const char *stored = w_arena_mem(&w->ar, mb.data, mb.len);
                m->mail[m->n_mail] = stored;
                m->mail_len[m->n_mail] = mb.len;
                m->n_mail++;
                uint32_t lat = w_latency(w, c->snode, (int)k);
                char text[WORLD_TEXT_MAX];
                snprintf(text, sizeof text, "delivered to the mailbox of %s (%zu bytes)",
                         env->rcpts[i], mb.len);
                w_defer_step(w, c, WORLD_STEP_DELIVER, c->snode, (int)k, w->now, w->now + lat,
                             "deliver.mailbox", "RFC 5321 4.4", text, stored, (int)k);
                break;
            }
        }
        membuf_free(&mb);
        return;
    }
    /* MSA or MTA: DKIM signing on the way out, then into the queue. */
    if (sn->dkim_domain) {
        unsigned char secret[SHA256_DIGEST_LEN];
        w_dkim_secret(w, sn->dkim_domain, sn->dkim_selector, secret);
        char sig[DKIM_SIGNATURE_MAX];
        long n = dkim_sign(mb.data, mb.len, sn->dkim_domain, sn->dkim_selector, secret,
                           sizeof secret, NULL, 0, sig, sizeof sig);
        if (n > 0) {
            membuf_prepend(&mb, sig, (size_t)n);
            w_add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now, "dkim.sign",
                        "RFC 6376 5", "DKIM-Signature added: d=%s s=%s (%s)", sn->dkim_domain,
                        sn->dkim_selector, DKIM_SIMULATED_NOTE);
        }
    }
    if (take_armed(c, ".", v)) {
        membuf_free(&mb); /* what if: refused, so never queued */
        return;
    }
    int owner = sn->kind == SCENARIO_NODE_MSA && sn->relay_to >= 0 ? sn->relay_to : c->snode;
    if (owner != c->snode)
        add_handoff_received(w, c, env, &mb, owner, qid);
    if (mb.failed) {
        membuf_free(&mb);
        smtp_verdict_set(v, 451, "4.3.0", "Local error in processing");
        return;
    }
    qmsg *m = w_queue_add(w, owner, env->mail_from ? env->mail_from : "", env->rcpts, env->n_rcpts,
                          mb.data, mb.len, env->smtputf8);
    membuf_free(&mb);
    if (!m) {
        smtp_verdict_set(v, 452, "4.3.1", "Insufficient system storage");
        return;
    }
    str_copy(m->qid, sizeof m->qid, qid, STR_ALL);
    /* v->code stays 0: the engine answers with its usual 250 */
    uint32_t lat = w_latency(w, c->snode, owner);
    char text[WORLD_TEXT_MAX];
    if (owner != c->snode) {
        snprintf(text, sizeof text, "queued as %s, handed to %s %s (%zu recipient%s)", qid,
                 w_role_label(w, owner), w->nodes[owner].pub.name, m->n_rcpts,
                 m->n_rcpts == 1 ? "" : "s");
        w_defer_step(w, c, WORLD_STEP_QUEUE, c->snode, owner, w->now, w->now + lat,
                     "queue.handoff", "RFC 6409 1", text, NULL, -1);
    } else {
        snprintf(text, sizeof text, "queued as %s (%zu recipient%s)", qid, m->n_rcpts,
                 m->n_rcpts == 1 ? "" : "s");
        w_defer_step(w, c, WORLD_STEP_QUEUE, c->snode, owner, w->now, w->now, "queue.queued",
                     "RFC 5321 4.1.1.4", text, NULL, -1);
    }
    w_schedule(w, w->now + lat, EV_HANDOFF, m);
}

/* ---- server config per connection --------------------------------------------------------- */

void w_server_config(world *w, conn *c, int s)
{
    wnode *n = &w->nodes[s];
    const scenario_node *sn = n->sn;
    smtp_role role = sn->kind == SCENARIO_NODE_MSA   ? SMTP_ROLE_MSA
                     : sn->kind == SCENARIO_NODE_MTA ? SMTP_ROLE_MTA
                                                     : SMTP_ROLE_MX;
    smtp_server_config *cfg = &c->scfg;
    smtp_server_config_default(cfg, role);
    cfg->hostname = sn->host;
    cfg->local_domains = sn->domains;
    cfg->n_local_domains = sn->n_domains;
    cfg->mailboxes = NULL; /* hook_rcpt knows the mailboxes by whole address */
    cfg->n_mailboxes = 0;
    cfg->users = n->users;
    cfg->n_users = sn->n_users;
    cfg->limits = sn->limits;
    cfg->tls_available = sn->starttls;
    cfg->require_tls = sn->require_tls;
    cfg->require_auth = sn->require_auth;
    cfg->allow_plain_auth = sn->allow_plain_auth;
    cfg->pipelining = sn->ext_pipelining;
    cfg->smtputf8 = sn->ext_smtputf8;
    cfg->eightbitmime = sn->ext_8bitmime;
    cfg->dsn = sn->ext_dsn;
    cfg->policy.ctx = c;
    cfg->policy.on_mail = hook_mail_real;
    cfg->policy.on_rcpt = hook_rcpt;
    cfg->policy.on_accept = hook_accept;
    memset(&c->peer, 0, sizeof c->peer);
    const wnode *cn = &w->nodes[c->cnode];
    str_copy(c->peer.addr, sizeof c->peer.addr, cn->pub.addr, STR_ALL);
    str_copy(c->peer.name, sizeof c->peer.name, cn->pub.host, STR_ALL);
    for (size_t i = 0; i < sn->n_trusted; i++)
        if (sn->trusted[i] == c->cnode)
            c->peer.trusted = true;
    c->split_lines = w_has_reply_faults(w, s);
}
