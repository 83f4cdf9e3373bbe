/* world_readers.c - the scenario's retrieval hop: once the SMTP run is over, the mailbox server
 * of the MX host (RFC 5598's MS) opens the mailboxes the MX delivered into, and each of Bob's
 * readers runs one POP3 or IMAP session against it, in the order the scenario lists them.
 *
 * The MS and the readers join the world as nodes of their own (WORLD_NODE_MS, WORLD_NODE_READER)
 * after the SMTP nodes, so node ids and steps of the SMTP part are unchanged. The accounts'
 * mailboxes live for the whole hop: what one reader deletes or marks \Seen, the next one sees.
 * A session starts at its "start_ms" or when the one before it (or the SMTP run) is over,
 * whichever is later, so the timeline stays in time order. When a reader IDLEs (RFC 2177), the
 * SMTP part runs while it waits: Alice's client starts at that moment, and the server pushes
 * the new message once the MX has delivered it; readers listed before it read the mailbox as it
 * was before the delivery.
 */
#include "core/world/world_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/str_util.h"
#include "core/world/world_retrieval.h"

#define READERS_GAP_MS 1000 /* between the end of one session (or of the SMTP run) and the next */
/* sessions are numbered from here while the hop runs (the SMTP part may still open connections
 * during an IDLE), then renumbered after the SMTP ones: connection numbers stay small, unique
 * and in the order the connections were made known */
#define READERS_CONN_TMP (1 << 20)

/* add_node - a node of the hop, into the (otherwise finished) timeline */
static int add_node(world *w, world_node_kind kind, const char *role, const char *name,
                    const char *host, const char *addr, uint16_t port)
{
    world_node n = {.kind = kind, .port = port};
    str_copy(n.role, sizeof n.role, role, STR_ALL);
    str_copy(n.name, sizeof n.name, name, STR_ALL);
    str_copy(n.host, sizeof n.host, host, STR_ALL);
    str_copy(n.addr, sizeof n.addr, addr, STR_ALL);
    return world_live_add_node(w, &n);
}

/* hop - the readers' shared state: the accounts' mailboxes, and how many of each mailbox node's
 * messages they hold so far (an IDLE can bring more) */
typedef struct {
    world *w;
    mailbox_mem *boxes[SCENARIO_MAX_ACCOUNTS];
    size_t loaded[SCENARIO_MAX_ACCOUNTS];
} hop;

/* fill_box - add what the MX stored in account i's mailbox node since the last fill, dated at
 * the virtual time `at`. 1 when something new came, 0 when not, -1 on no memory. */
static int fill_box(hop *h, size_t i, uint64_t at)
{
    const wnode *m = &h->w->nodes[h->w->sp->retrieval.accounts[i].mailbox];
    int news = 0;
    int64_t date = h->w->sp->start_epoch_s + (int64_t)(at / 1000);
    for (; h->loaded[i] < m->n_mail; h->loaded[i]++, news = 1)
        if (mailbox_mem_add(h->boxes[i], m->mail[h->loaded[i]], m->mail_len[h->loaded[i]], date,
                            0) < 0)
            return -1;
    return news;
}

/* last_time - when the timeline's last step arrives */
static uint64_t last_time(const world *w)
{
    uint64_t t = 0;
    for (size_t i = 0; i < w->n_steps; i++)
        if (w->steps[i].t_arrive_ms > t)
            t = w->steps[i].t_arrive_ms;
    return t;
}

/* idle_delivery - the IMAP server idles: Alice's mail starts its way now, and the mailboxes
 * take what the MX delivers; the server pushes it from the time the SMTP part ends */
static bool idle_delivery(void *ctx, world *w, uint64_t *now)
{
    hop *h = ctx;
    if (w->smtp_ran)
        return false;
    w_run_smtp(w, *now);
    w->now = 0; /* the hop's states go with their steps again (see w_run_readers) */
    bool news = false;
    for (size_t i = 0; i < w->sp->retrieval.n_accounts; i++) {
        bool shared = false;
        for (size_t k = 0; k < i; k++)
            shared |= h->boxes[k] == h->boxes[i];
        if (!shared)
            news |= fill_box(h, i, *now) > 0;
    }
    uint64_t t = last_time(w);
    if (t > *now)
        *now = t;
    return news;
}

/* reader_config - the engines' client settings from the scenario's reader */
static void reader_config(const scenario_reader *r, pop3_client_config *pc, imap_client_config *ic)
{
    pop3_client_config_default(pc);
    imap_client_config_default(ic);
    static const pop3_client_tls ptls[] = {POP3_CLI_TLS_NONE, POP3_CLI_TLS_OPPORTUNISTIC,
                                           POP3_CLI_TLS_REQUIRED, POP3_CLI_TLS_IMPLICIT};
    static const imap_client_tls itls[] = {IMAP_CLI_TLS_NONE, IMAP_CLI_TLS_OPPORTUNISTIC,
                                           IMAP_CLI_TLS_REQUIRED, IMAP_CLI_TLS_IMPLICIT};
    pc->user = ic->user = r->user;
    pc->password = ic->password = r->password;
    pc->tls = ptls[r->tls];
    ic->tls = itls[r->tls];
    pc->tls_available = ic->tls_available = r->tls != 0;
    pc->show_secrets = ic->show_secrets = r->show_secrets;
    pc->delete_after = r->action == SCENARIO_READ_DOWNLOAD_DELETE;
    ic->unseen_only = r->action != SCENARIO_READ_LEAVE;
    ic->mark_seen = r->action != SCENARIO_READ_LEAVE;
    ic->idle_ms = r->action == SCENARIO_READ_IDLE ? r->idle_ms : 0;
}

int w_run_readers(world *w)
{
    const scenario_retrieval *rt = &w->sp->retrieval;
    const scenario_node *mx = &w->sp->nodes[rt->of];
    hop h = {.w = w};
    mailbox_mem_account acct[SCENARIO_MAX_ACCOUNTS];
    int rc = -1;
    bool was_live = w->live;
    uint64_t was_now = w->now;
    w->live = true; /* the hop joins through the live API, as `live` does */
    w->now = 0;     /* and like `live`, a node's state goes with the step it reports it on
                       (the SMTP run's clock would hold them back as reactions, note_state) */
    for (size_t i = 0; i < rt->n_accounts; i++) {
        const scenario_account *a = &rt->accounts[i];
        /* one mailbox per mailbox node, shared by the accounts that name it */
        bool shared = false;
        for (size_t k = 0; k < i && !shared; k++)
            if (rt->accounts[k].mailbox == a->mailbox)
                h.boxes[i] = h.boxes[k], shared = true;
        if (!shared) {
            h.boxes[i] = mailbox_mem_new((uint32_t)w->sp->start_epoch_s);
            if (!h.boxes[i] || fill_box(&h, i, 0) < 0)
                goto fail;
        }
        acct[i] = (mailbox_mem_account){a->name, a->password, h.boxes[i]};
    }
    mailbox_mem_directory dir = {acct, rt->n_accounts};
    int ms = add_node(w, WORLD_NODE_MS, "MS", mx->host, mx->host, mx->addr, 0);
    if (ms < 0)
        goto fail;
    /* after the SMTP run's last step; from 0 when the SMTP run waits for an IDLE */
    uint64_t t = w->smtp_ran ? last_time(w) + READERS_GAP_MS : 0;
    for (size_t i = 0; i < rt->n_readers; i++) {
        const scenario_reader *r = &rt->readers[i];
        int rn = add_node(w, WORLD_NODE_READER, "MUA", r->name, r->host, r->addr, 0);
        if (rn < 0)
            goto fail;
        pop3_client_config pc;
        imap_client_config ic;
        reader_config(r, &pc, &ic);
        bool pop = r->proto == SCENARIO_RETR_POP3;
        bool idle = r->action == SCENARIO_READ_IDLE;
        world_retr_session s = {
            .proto = pop ? WORLD_RETR_POP3 : WORLD_RETR_IMAP, .client = rn, .server = ms,
            .conn = READERS_CONN_TMP + (int)i, .port = r->port, .implicit_tls = r->tls == 3,
            .latency_ms = w->sp->internet_ms, .start_ms = r->start_ms > t ? r->start_ms : t,
            .server_host = mx->host, .provider = mailbox_mem_provider(&dir),
            .tls_available = rt->tls, .allow_plaintext = rt->allow_plaintext,
            .pop3 = pop ? &pc : NULL, .imap = pop ? NULL : &ic,
            .on_idle = idle ? idle_delivery : NULL, .ctx = &h};
        /* the store the session will see: the MX host hands it to its mailbox server, so the
         * window draws the MS beside Bob's mailbox, on the MX's side */
        for (size_t k = 0; k < rt->n_accounts; k++) {
            if (strcmp(rt->accounts[k].name, r->user) != 0)
                continue;
            int mb = rt->accounts[k].mailbox;
            mailbox view = mailbox_mem_get(h.boxes[k]);
            size_t n = view.ops->count(view.ctx);
            char text[160];
            snprintf(text, sizeof text, "%s serves the mailbox of %s to %s: %zu message%s",
                     mx->host, w->sp->nodes[mb].address, r->name, n, n == 1 ? "" : "s");
            world_step st = {.kind = WORLD_STEP_CHECK, .from = rt->of, .to = ms, .conn = -1,
                             .t_send_ms = s.start_ms, .t_arrive_ms = s.start_ms, .text = text,
                             .rfc = "RFC 5598 4.2.2", .key = "retr.store"};
            if (world_live_append_step(w, &st, NULL, NULL) < 0)
                goto fail;
            break;
        }
        world_retr_result res;
        if (world_retrieval_run(w, &s, &res) < 0)
            goto fail;
        if (idle && !w->smtp_ran) { /* no IDLE came (a refused login): the mail goes after */
            uint64_t at = last_time(w) + READERS_GAP_MS;
            idle_delivery(&h, w, &at);
        }
        t = last_time(w) + READERS_GAP_MS;
    }
    rc = 0;
fail:
    for (size_t i = 0; i < w->n_steps; i++)
        if (w->steps[i].conn >= READERS_CONN_TMP)
            w->steps[i].conn = (int)w->n_conns + (w->steps[i].conn - READERS_CONN_TMP);
    w->live = was_live;
    if (was_now > w->now)
        w->now = was_now;
    for (size_t i = 0; i < rt->n_accounts; i++) {
        bool shared = false;
        for (size_t k = 0; k < i; k++)
            shared |= h.boxes[k] == h.boxes[i];
        if (!shared)
            mailbox_mem_free(h.boxes[i]);
    }
    return rc;
}
