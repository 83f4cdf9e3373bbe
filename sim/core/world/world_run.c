/* world_run.c - building a world from a scenario and running it: the node table, the DNS zone,
 * the MUA's message and session, then the loop that pops events in (time, order) and dispatches
 * them until nothing is left or a limit is reached. What-if forks run the scenario again with
 * one server reply replaced.
 */
#include "core/world/world_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/world/dkim.h"

/* ---- the run loop's dispatch -------------------------------------------------------------- */

static void dispatch(world *w, const sim_ev *e)
{
    switch (e->type) {
    case EV_MUA_START: {
        conn *c = e->p;
        w_connect_start(w, c);
        break;
    }
    case EV_CONNECT_ARRIVE:
        w_on_connect_arrive(w, e->p);
        break;
    case EV_REFUSED_ARRIVE: {
        conn *c = e->p;
        c->finished = true;
        c->client_reported = true;
        w_client_finished(w, c, "connection refused");
        break;
    }
    case EV_BYTES:
        w_on_bytes(w, e->p, e->side, e->bytes, e->len);
        break;
    case EV_TLS_DONE: {
        conn *c = e->p;
        if (c->finished || c->closed)
            break;
        c->tls = true; /* from here on the link is protected */
        if (c->srv) {
            smtp_server_tls_started(c->srv, w->now);
            w_pump_server(w, c);
        }
        if (c->cl) {
            smtp_client_tls_started(c->cl, w->now);
            w_pump_client(w, c);
        }
        w_set_state_text(w, c->cnode, w->nodes[c->cnode].st.state, 1);
        w_set_state_text(w, c->snode, w->nodes[c->snode].st.state, 1);
        break;
    }
    case EV_CLOSE_ARRIVE:
        w_on_close_arrive(w, e->p, e->side);
        break;
    case EV_TIMER:
        w_on_timer(w, e->p);
        break;
    case EV_SERVER_RESUME:
        w_on_server_resume(w, e->p);
        break;
    case EV_TLS_LAYER_TIMEOUT: {
        conn *c = e->p;
        if (c->finished || c->closed)
            break;
        w_add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now, "tls.layer_timeout",
                    "RFC 8314 3.3", "the server's TLS layer gives up: no ClientHello in %u ms",
                    (unsigned)w->sp->tls_handshake_timeout_ms);
        w_conn_close(w, c, 1, w->now, "connection closed by the server (no TLS handshake)");
        w_server_node_idle(w, c);
        break;
    }
    case EV_HANDOFF: {
        qmsg *m = e->p;
        w_queue_count(w, m->owner, 1);
        w_queue_run(w, m);
        break;
    }
    case EV_QUEUE_RUN:
        w_queue_run(w, e->p);
        break;
    case EV_JOB_MX_ANSWER:
        w_on_job_mx_answer(w, e->p);
        break;
    case EV_JOB_A_QUERY:
        w_on_job_a_query(w, e->p);
        break;
    case EV_JOB_A_ANSWER:
        w_on_job_a_answer(w, e->p);
        break;
    case EV_JOB_CONNECT:
        w_on_job_connect(w, e->p);
        break;
    case EV_SHUTDOWN:
        w_on_shutdown(w, e->n);
        break;
    }
}

/* ---- building a world --------------------------------------------------------------------- */

static const char *kind_role[] = {"MUA", "MSA", "MTA", "DNS", "MX", "Mailbox"};

/* build_message - the MUA's message: header fields, empty line, body, CRLF line ends. */
static char *build_message(world *w, const scenario_spec *sp, const scenario_node *mua,
                           size_t *len)
{
    membuf mb;
    membuf_init(&mb);
    char date[MAIL_DATE_MAX];
    w_virtual_date(w, mua->start_ms, date);
    membuf_printf(&mb, "From: <%s>\r\nTo: ", sp->message.from);
    for (size_t i = 0; i < sp->message.n_to; i++)
        membuf_printf(&mb, "%s<%s>", i ? ",\r\n " : "", sp->message.to[i]);
    membuf_printf(&mb, "\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%016llx@%s>\r\n",
                    sp->message.subject, date, (unsigned long long)w_rng_next(w), mua->host);
    for (size_t i = 0; i < sp->message.n_headers; i++)
        membuf_printf(&mb, "%s\r\n", sp->message.headers[i]);
    if (str_non_ascii(sp->message.body) || str_non_ascii(sp->message.subject))
        membuf_puts(&mb, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                           "Content-Transfer-Encoding: 8bit\r\n");
    membuf_puts(&mb, "\r\n");
    for (const char *p = sp->message.body; *p; p++) {
        if (*p == '\n' && (p == sp->message.body || p[-1] != '\r'))
            membuf_append(&mb, "\r\n", 2);
        else
            membuf_append(&mb, p, 1);
    }
    if (mb.len && mb.data[mb.len - 1] != '\n')
        membuf_puts(&mb, "\r\n");
    /* message.size: filler lines up to the size a SIZE lesson needs */
    static const char filler[] =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n";
    while (!mb.failed && mb.len + sizeof filler - 1 <= sp->message.size)
        membuf_puts(&mb, filler);
    while (!mb.failed && mb.len + 2 < sp->message.size)
        membuf_puts(&mb, mb.len + 3 < sp->message.size ? "." : "\r\n");
    if (!mb.failed && mb.len < sp->message.size)
        membuf_puts(&mb, "\r\n");
    char *out = mb.failed ? NULL : w_arena_mem(&w->ar, mb.data, mb.len);
    *len = mb.len;
    membuf_free(&mb);
    return out;
}

static void world_init_nodes(world *w)
{
    for (size_t i = 0; i < w->n_nodes; i++) {
        world_node_state st = {0};
        const scenario_node *sn = w->nodes[i].sn;
        switch (sn->kind) {
        case SCENARIO_NODE_MUA:
            strcpy(st.state, "idle");
            break;
        case SCENARIO_NODE_DNS:
            strcpy(st.state, "ready");
            break;
        case SCENARIO_NODE_MAILBOX:
            strcpy(st.state, "empty");
            break;
        default:
            snprintf(w->nodes[i].listen_state, sizeof w->nodes[i].listen_state,
                     "listening on %u", (unsigned)sn->port);
            str_copy(st.state, sizeof st.state, w->nodes[i].listen_state, STR_ALL);
        }
        w->nodes[i].st = st;
        w->init[i] = st;
    }
}

static void fill_zone(world *w)
{
    const scenario_spec *sp = w->sp;
    for (size_t i = 0; i < sp->n_dns; i++) {
        const scenario_dns_record *d = &sp->dns[i];
        if (!strcmp(d->type, "MX"))
            dns_zone_add_mx(w->zone, d->name, d->pref, d->value);
        else if (!strcmp(d->type, "A"))
            dns_zone_add_a(w->zone, d->name, d->value);
        else if (!strcmp(d->type, "TXT"))
            dns_zone_add_txt(w->zone, d->name, d->value);
        else
            dns_zone_add_servfail(w->zone, d->name);
    }
    for (size_t i = 0; i < sp->n_nodes; i++) {
        const scenario_node *n = &sp->nodes[i];
        if (n->kind == SCENARIO_NODE_MAILBOX || n->kind == SCENARIO_NODE_DNS)
            continue;
        bool have = false;
        for (size_t k = 0; k < sp->n_dns; k++)
            if (!strcmp(sp->dns[k].type, "A") && !strcasecmp(sp->dns[k].name, n->host))
                have = true;
        if (!have)
            dns_zone_add_a(w->zone, n->host, n->addr);
        if (n->dkim_domain) {
            /* publish the (simulated) key at SELECTOR._domainkey.DOMAIN (RFC 6376 3.6.2) */
            char name[DNS_NAME_MAX + 1], rec[512];
            snprintf(name, sizeof name, "%s._domainkey.%s", n->dkim_selector, n->dkim_domain);
            bool have_key = false;
            for (size_t k = 0; k < sp->n_dns; k++)
                if (!strcasecmp(sp->dns[k].name, name))
                    have_key = true;
            unsigned char secret[SHA256_DIGEST_LEN];
            w_dkim_secret(w, n->dkim_domain, n->dkim_selector, secret);
            if (!have_key && dkim_key_record(secret, sizeof secret, rec, sizeof rec) > 0)
                dns_zone_add_txt(w->zone, name, rec);
        }
    }
}


/* w_run_smtp - the SMTP part: Alice's client starts at `base` plus its start_ms (the scenario's
 * times are relative to it), then events are dispatched in (time, order) until none is left or
 * a limit is reached; the engines still open are freed. Runs once per world. */
void w_run_smtp(world *w, uint64_t base)
{
    const scenario_spec *sp = w->sp;
    conn *c = w->mua_conn;
    int mua = c->cnode;
    w->smtp_ran = true;
    w_schedule(w, base + sp->nodes[mua].start_ms, EV_MUA_START, c);
    for (size_t i = 0; i < sp->n_faults; i++)
        if (sp->faults[i].kind == SCENARIO_FAULT_SHUTDOWN) {
            w_schedule_full(w, base + sp->faults[i].at_ms, EV_SHUTDOWN, NULL, 0, NULL, 0,
                            sp->faults[i].node);
        }

    sim_ev e;
    while (!w->stopped && !w->ar.failed && w_pop(w, &e)) {
        if (e.t > base + WORLD_MAX_TIME_MS || ++w->n_events > WORLD_MAX_EVENTS) {
            w_add_stepf(w, WORLD_STEP_CHECK, mua, mua, NULL, w->now, w->now, "world.limit", "",
                        "simulation stopped: %s limit reached",
                        e.t > base + WORLD_MAX_TIME_MS ? "virtual time" : "event");
            break;
        }
        w->now = e.t;
        dispatch(w, &e);
    }
    /* free what is still open */
    for (size_t i = 0; i < w->n_conns; i++)
        w_conn_free_engines(w->conns[i]);
}

static world *world_run(const scenario_spec *sp, scenario_spec *own, char *err, size_t errlen)
{
    world *w = w_alloc();
    if (!w) {
        free(own);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->sp = sp;
    w->own_spec = own;
    w->rng = 0x5EED0000ULL ^ sp->seed;
    w->n_nodes = sp->n_nodes;
    w->nodes = calloc(sp->n_nodes, sizeof *w->nodes);
    w->init = calloc(sp->n_nodes, sizeof *w->init);
    w->zone = dns_zone_new();
    if (!w->nodes || !w->init || !w->zone) {
        world_free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int mua = -1;
    for (size_t i = 0; i < sp->n_nodes; i++) {
        const scenario_node *sn = &sp->nodes[i];
        wnode *n = &w->nodes[i];
        n->sn = sn;
        n->pub.id = (int)i;
        n->pub.kind = (world_node_kind)sn->kind;
        str_copy(n->pub.role, sizeof n->pub.role, kind_role[sn->kind], STR_ALL);
        str_copy(n->pub.name, sizeof n->pub.name, sn->name, STR_ALL);
        str_copy(n->pub.host, sizeof n->pub.host, sn->host, STR_ALL);
        str_copy(n->pub.addr, sizeof n->pub.addr, sn->addr, STR_ALL);
        n->pub.port = (sn->kind == SCENARIO_NODE_MSA || sn->kind == SCENARIO_NODE_MTA ||
                       sn->kind == SCENARIO_NODE_MX)
                          ? sn->port
                      : sn->kind == SCENARIO_NODE_DNS ? 53
                                                      : 0;
        for (size_t k = 0; k < sn->n_users; k++)
            n->users[k] = (smtp_user){.name = sn->users[k].name, .password = sn->users[k].password};
        if (sn->kind == SCENARIO_NODE_DNS)
            w->dns_node = (int)i;
        if (sn->kind == SCENARIO_NODE_MUA)
            mua = (int)i;
    }
    world_init_nodes(w);
    fill_zone(w);

    /* the MUA's session */
    const scenario_node *mn = &sp->nodes[mua];
    conn *c = w_conn_new(w, CONN_SUBMIT, mua, mn->server, mn->port);
    size_t mlen = 0;
    char *msg = build_message(w, sp, mn, &mlen);
    if (!c || !msg) {
        world_free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    smtp_client_config *cc = &c->ccfg;
    smtp_client_config_default(cc);
    cc->helo_name = mn->helo;
    cc->mail_from = sp->message.from;
    cc->rcpts = sp->message.to;
    cc->n_rcpts = sp->message.n_to;
    cc->data = msg;
    cc->data_len = mlen;
    cc->auth_user = mn->user;
    cc->auth_password = mn->password;
    cc->auth_mech = mn->auth_mech;
    cc->tls = mn->tls == SCENARIO_TLS_NONE            ? SMTP_TLS_NONE
              : mn->tls == SCENARIO_TLS_OPPORTUNISTIC ? SMTP_TLS_OPPORTUNISTIC
              : mn->tls == SCENARIO_TLS_REQUIRED      ? SMTP_TLS_REQUIRED
                                                      : SMTP_TLS_IMPLICIT;
    cc->tls_available = mn->tls != SCENARIO_TLS_NONE;
    cc->use_pipelining = mn->pipelining;
    cc->smtputf8 = mn->smtputf8;
    cc->show_secrets = mn->show_secrets;
    cc->ignore_advertised_size = mn->ignore_size;
    w->mua_conn = c;

    /* Bob's readers read what the MX delivered (world_readers.c): after the SMTP run, or, when
     * one of them IDLEs, the SMTP run happens while it waits, started from its IDLE */
    bool idle = false;
    for (size_t i = 0; i < sp->retrieval.n_readers; i++)
        idle |= sp->retrieval.readers[i].action == SCENARIO_READ_IDLE;
    int rc = 0;
    if (!idle)
        w_run_smtp(w, 0);
    if (!w->ar.failed && sp->retrieval.present)
        rc = w_run_readers(w);
    if (!w->smtp_ran && !w->ar.failed)
        w_run_smtp(w, w->now); /* the readers' hop failed before its IDLE */
    if (rc < 0 && !w->ar.failed) {
        world_free(w);
        snprintf(err, errlen, "retrieval hop failed");
        return NULL;
    }
    if (w->ar.failed) {
        world_free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return w;
}

world *world_new(const scenario *sc, char *err, size_t errlen)
{
    if (!sc) {
        snprintf(err, errlen, "no scenario");
        return NULL;
    }
    return world_run(scenario_spec_get(sc), NULL, err, errlen);
}

/* ---- what if? ----------------------------------------------------------------------------- */

int world_reply_fault_for_step(const world *w, size_t at_step, const char **node_id,
                               char verb[16], int *nth)
{
    if (!w || w->live || at_step >= w->n_steps)
        return -1;
    const world_step *s = &w->steps[at_step];
    if (s->kind != WORLD_STEP_REPLY || s->from < 0 || !w->nodes[s->from].sn)
        return -1; /* not an SMTP reply (a retrieval hop's server has no scenario node) */
    int count = 0;
    for (size_t i = 0; i <= at_step; i++) {
        const world_step *t = &w->steps[i];
        if (t->kind == WORLD_STEP_REPLY && t->from == s->from && !strcmp(t->verb, s->verb))
            count++;
    }
    if (node_id)
        *node_id = w->nodes[s->from].sn->id;
    str_copy(verb, 16, s->verb, STR_ALL);
    *nth = count;
    return 0;
}

world *world_new_fork(const scenario *sc, size_t at_step, const char *reply, char *err,
                      size_t errlen)
{
    if (!sc) {
        snprintf(err, errlen, "no scenario");
        return NULL;
    }
    const scenario_spec *sp = scenario_spec_get(sc);
    scenario_fault f = {.kind = SCENARIO_FAULT_REPLY};
    if (scenario_parse_reply(reply, &f.code, f.esc, f.text) < 0) {
        snprintf(err, errlen, "'%s' is not a valid SMTP reply (e.g. \"550 5.1.1 No such user\")",
                 reply ? reply : "");
        return NULL;
    }
    world *orig = world_run(sp, NULL, err, errlen);
    if (!orig)
        return NULL;
    const char *node_id = NULL;
    int nth = 0;
    if (world_reply_fault_for_step(orig, at_step, &node_id, f.verb, &nth) < 0) {
        snprintf(err, errlen, "step %zu is not a server reply (the run has %zu steps)", at_step,
                 orig->n_steps);
        world_free(orig);
        return NULL;
    }
    f.node = orig->steps[at_step].from;
    f.nth = nth;
    world_free(orig);
    scenario_spec *copy = malloc(sizeof *copy);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *copy = *sp;
    size_t k;
    for (k = 0; k < copy->n_faults; k++)
        if (copy->faults[k].kind == SCENARIO_FAULT_REPLY && copy->faults[k].node == f.node &&
            copy->faults[k].nth == f.nth && !strcmp(copy->faults[k].verb, f.verb))
            break;
    if (k == copy->n_faults) {
        if (copy->n_faults >= SCENARIO_MAX_FAULTS) {
            free(copy);
            snprintf(err, errlen, "too many faults");
            return NULL;
        }
        copy->n_faults++;
    }
    copy->faults[k] = f;
    world *w = world_run(copy, copy, err, errlen);
    if (w) {
        w->is_fork = true;
        w->fork_step = at_step;
    }
    return w;
}
