/* world_readers.c - the scenario's retrieval hop: once the SMTP run is over, the mailbox server
 * of the MX host (RFC 5598's MS) opens the mailboxes the MX delivered into, and each of Bob's
 * readers runs one POP3 or IMAP session against it, in the order the scenario lists them.
 *
 * The MS and the readers join the world as nodes of their own (WORLD_NODE_MS, WORLD_NODE_READER)
 * after the SMTP nodes, so node ids and steps of the SMTP part are unchanged. The accounts'
 * mailboxes live for the whole hop: what one reader deletes or marks \Seen, the next one sees.
 * A session starts at its "start_ms" or when the one before it (or the SMTP run) is over,
 * whichever is later, so the timeline stays in time order.
 */
#include "core/world/world_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/str_util.h"
#include "core/world/world_retrieval.h"

#define READERS_GAP_MS 1000 /* between the end of one session (or of the SMTP run) and the next */

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

/* fill_box - the messages the MX stored in mailbox node `node`, dated at the run's start */
static int fill_box(world *w, mailbox_mem *box, int node)
{
    const wnode *m = &w->nodes[node];
    for (size_t i = 0; i < m->n_mail; i++)
        if (mailbox_mem_add(box, m->mail[i], m->mail_len[i], w->sp->start_epoch_s, 0) < 0)
            return -1;
    return 0;
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
    mailbox_mem *boxes[SCENARIO_MAX_ACCOUNTS] = {0};
    mailbox_mem_account acct[SCENARIO_MAX_ACCOUNTS];
    int rc = -1;
    bool was_live = w->live;
    w->live = true; /* the hop joins through the live API, as `live` does */
    for (size_t i = 0; i < rt->n_accounts; i++) {
        const scenario_account *a = &rt->accounts[i];
        /* one mailbox per mailbox node, shared by the accounts that name it */
        for (size_t k = 0; k < i && !boxes[i]; k++)
            if (rt->accounts[k].mailbox == a->mailbox)
                boxes[i] = boxes[k];
        if (!boxes[i]) {
            boxes[i] = mailbox_mem_new((uint32_t)w->sp->start_epoch_s);
            if (!boxes[i] || fill_box(w, boxes[i], a->mailbox) < 0)
                goto fail;
        }
        acct[i] = (mailbox_mem_account){a->name, a->password, boxes[i]};
    }
    mailbox_mem_directory dir = {acct, rt->n_accounts};
    char name[64];
    snprintf(name, sizeof name, "%s", mx->host);
    int ms = add_node(w, WORLD_NODE_MS, "MS", name, mx->host, mx->addr, 0);
    if (ms < 0)
        goto fail;
    /* after the last step, not w->now: the run may end on a timer that changed nothing */
    uint64_t t = 0;
    for (size_t i = 0; i < w->n_steps; i++)
        if (w->steps[i].t_arrive_ms > t)
            t = w->steps[i].t_arrive_ms;
    t += READERS_GAP_MS;
    for (size_t i = 0; i < rt->n_readers; i++) {
        const scenario_reader *r = &rt->readers[i];
        int rn = add_node(w, WORLD_NODE_READER, "MUA", r->name, r->host, r->addr, 0);
        if (rn < 0)
            goto fail;
        pop3_client_config pc;
        imap_client_config ic;
        reader_config(r, &pc, &ic);
        bool pop = r->proto == SCENARIO_RETR_POP3;
        world_retr_session s = {
            .proto = pop ? WORLD_RETR_POP3 : WORLD_RETR_IMAP, .client = rn, .server = ms,
            .conn = (int)(w->n_conns + i), .port = r->port, .implicit_tls = r->tls == 3,
            .latency_ms = w->sp->internet_ms, .start_ms = r->start_ms > t ? r->start_ms : t,
            .server_host = mx->host, .provider = mailbox_mem_provider(&dir),
            .tls_available = rt->tls, .allow_plaintext = rt->allow_plaintext,
            .pop3 = pop ? &pc : NULL, .imap = pop ? NULL : &ic};
        world_retr_result res;
        if (world_retrieval_run(w, &s, &res) < 0)
            goto fail;
        t = res.end_ms + READERS_GAP_MS;
    }
    rc = 0;
fail:
    w->live = was_live;
    for (size_t i = 0; i < rt->n_accounts; i++) {
        bool shared = false;
        for (size_t k = 0; k < i; k++)
            shared |= boxes[k] == boxes[i];
        if (!shared)
            mailbox_mem_free(boxes[i]);
    }
    return rc;
}
