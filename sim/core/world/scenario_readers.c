/* scenario_readers.c - loading the mailbox server and Bob's reading clients of a scenario.
 *
 * Everything is checked here so the world can trust it: the port agrees with the protocol and
 * the TLS mode (110/143 in clear or upgraded, 995/993 implicit, RFC 8314), the action suits the
 * protocol (DELE is POP3's, \Seen and IDLE are IMAP's), and "of" names an MX node.
 */
#include "core/world/scenario_readers.h"

#include <stdio.h>
#include <string.h>

#include "core/world/scenario_syntax.h"

static const char *const ms_fields[] = {"of", "tls", "allow_plaintext", "accounts", NULL};
static const char *const account_fields[] = {"name", "password", "mailbox", NULL};

/* the scenario_node_kind values this file needs (scenario.h includes this header) */
enum { KIND_MX = 4, KIND_MAILBOX = 5 };
static const char *const reader_fields[] = {"id",     "name",     "host",     "addr",
                                            "protocol", "port",   "tls",      "user",
                                            "password", "action", "start_ms", "idle_ms",
                                            "show_secrets", NULL};
static const char *const tls_names[] = {"none", "opportunistic", "required", "implicit", NULL};
static const char *const action_names[] = {"download-and-delete", "leave-on-server", "mark-seen",
                                           "idle", NULL};

/* pick - index of s in a NULL-terminated list, or -1 */
static int pick(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

/* node_index - the node with this id, or -1 (node ids are unique: scenario.c checks first) */
static int node_index(const char *const *node_ids, size_t n_nodes, const char *id)
{
    for (size_t i = 0; i < n_nodes; i++)
        if (!strcmp(node_ids[i], id))
            return (int)i;
    return -1;
}

/* scenario_readers_host - id, host, addr and name, for nodes and readers alike */
void scenario_readers_host(json_check *c, const cJSON *o, const char *p, bool needed,
                           const char **id, const char **host, const char **addr,
                           const char **name)
{
    char fp[256];
    *id = json_string(c, o, p, "id", true, SCENARIO_NODE_ID_MAX, "");
    if (!c->failed && !scenario_syntax_id(*id, strlen(*id), SCENARIO_NODE_ID_MAX))
        json_fail(c, json_path(fp, sizeof fp, p, "id", 0), "expected 1-32 of [a-z0-9-]");
    *host = json_string(c, o, p, "host", needed, SCENARIO_HOST_MAX, "");
    if (!c->failed && (needed || **host) && !scenario_syntax_host(*host))
        json_fail(c, json_path(fp, sizeof fp, p, "host", 0), "expected a host name");
    *addr = json_string(c, o, p, "addr", needed, 15, "");
    if (!c->failed && (needed || **addr) && !scenario_syntax_doc_ipv4(*addr))
        json_fail(c, json_path(fp, sizeof fp, p, "addr", 0),
                  "expected an IPv4 address in 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24 "
                  "(RFC 5737)");
    *name = json_string(c, o, p, "name", false, 63, NULL);
    if (*name && !c->failed && (!**name || !scenario_syntax_printable(*name)))
        json_fail(c, json_path(fp, sizeof fp, p, "name", 0), "expected 1-63 printable characters");
}

/* load_reader - one element of "readers" */
static void load_reader(json_check *c, const cJSON *o, const char *p, scenario_reader *r)
{
    char fp[256];
    json_unknown_fields(c, o, p, reader_fields);
    const char *name;
    scenario_readers_host(c, o, p, true, &r->id, &r->host, &r->addr, &name);
    const char *proto = json_string(c, o, p, "protocol", true, 8, "");
    if (c->failed)
        return;
    snprintf(r->name, sizeof r->name, "%s", name ? name : r->host);
    if (!strcmp(proto, "pop3")) {
        r->proto = SCENARIO_RETR_POP3;
    } else if (!strcmp(proto, "imap")) {
        r->proto = SCENARIO_RETR_IMAP;
    } else {
        json_fail(c, json_path(fp, sizeof fp, p, "protocol", 0), "expected pop3 or imap");
        return;
    }
    bool pop = r->proto == SCENARIO_RETR_POP3;
    r->port = (uint16_t)json_int(c, o, p, "port", false, 1, 65535, pop ? 110 : 143);
    const char *tls = json_string(c, o, p, "tls", false, 16, NULL);
    if (c->failed)
        return;
    bool implicit_port = r->port == (pop ? 995 : 993);
    if (r->port != (pop ? 110 : 143) && !implicit_port) {
        json_fail(c, json_path(fp, sizeof fp, p, "port", 0), "expected %s for %s",
                  pop ? "110 or 995" : "143 or 993", proto);
        return;
    }
    r->tls = tls ? pick(tls, tls_names) : implicit_port ? 3 : 2;
    if (r->tls < 0) {
        json_fail(c, json_path(fp, sizeof fp, p, "tls", 0),
                  "expected one of none, opportunistic, required, implicit");
        return;
    }
    if ((r->tls == 3) != implicit_port) {
        json_fail(c, json_path(fp, sizeof fp, p, "tls", 0),
                  "implicit TLS goes with port %u, and port %u is always implicit (RFC 8314)",
                  pop ? 995u : 993u, pop ? 995u : 993u);
        return;
    }
    r->user = json_string(c, o, p, "user", true, 64, "");
    r->password = json_string(c, o, p, "password", true, 128, "");
    const char *action =
        json_string(c, o, p, "action", false, 24, pop ? "download-and-delete" : "mark-seen");
    r->start_ms = (uint64_t)json_int(c, o, p, "start_ms", false, 0, 86400000L, 0);
    r->idle_ms = (uint64_t)json_int(c, o, p, "idle_ms", false, 1000, 1800000L, 60000);
    r->show_secrets = json_bool(c, o, p, "show_secrets", false);
    if (c->failed)
        return;
    int a = pick(action, action_names);
    if (a < 0) {
        json_fail(c, json_path(fp, sizeof fp, p, "action", 0),
                  "expected one of download-and-delete, leave-on-server, mark-seen, idle");
        return;
    }
    r->action = (scenario_read_action)a;
    if (pop && (r->action == SCENARIO_READ_MARK_SEEN || r->action == SCENARIO_READ_IDLE))
        json_fail(c, json_path(fp, sizeof fp, p, "action", 0),
                  "POP3 has no flags and no IDLE: expected download-and-delete or leave-on-server");
    else if (!pop && r->action == SCENARIO_READ_DOWNLOAD_DELETE)
        json_fail(c, json_path(fp, sizeof fp, p, "action", 0),
                  "an IMAP reader keeps mail on the server: expected leave-on-server, mark-seen "
                  "or idle");
}

void scenario_readers_load(json_check *c, const cJSON *root, const char *const *node_ids,
                           const int *kinds, size_t n_nodes, scenario_retrieval *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *ms = json_object(c, root, "", "mailbox_server", false);
    const cJSON *readers = json_array(c, root, "", "readers", false, SCENARIO_MAX_READERS);
    if (c->failed)
        return;
    if (!ms) {
        if (readers)
            json_fail(c, "readers", "readers need a \"mailbox_server\" to read from");
        return;
    }
    json_unknown_fields(c, ms, "mailbox_server", ms_fields);
    const char *of = json_string(c, ms, "mailbox_server", "of", true, SCENARIO_NODE_ID_MAX, "");
    out->tls = json_bool(c, ms, "mailbox_server", "tls", true);
    out->allow_plaintext = json_bool(c, ms, "mailbox_server", "allow_plaintext", false);
    if (c->failed)
        return;
    out->of = node_index(node_ids, n_nodes, of);
    if (out->of < 0 || kinds[out->of] != KIND_MX) {
        json_fail(c, "mailbox_server.of", "expected the id of an mx node");
        return;
    }
    const cJSON *acc = json_array(c, ms, "mailbox_server", "accounts", true, SCENARIO_MAX_ACCOUNTS);
    for (int i = 0; acc && !c->failed && i < cJSON_GetArraySize(acc); i++) {
        char p[48];
        snprintf(p, sizeof p, "mailbox_server.accounts[%d]", i);
        const cJSON *o = json_item_object(c, acc, i, p, account_fields);
        if (!o)
            return;
        scenario_account *a = &out->accounts[out->n_accounts];
        a->name = json_string(c, o, p, "name", true, 64, "");
        a->password = json_string(c, o, p, "password", true, 128, "");
        const char *mb = json_string(c, o, p, "mailbox", true, SCENARIO_NODE_ID_MAX, "");
        if (c->failed)
            return;
        a->mailbox = node_index(node_ids, n_nodes, mb);
        if (a->mailbox < 0 || kinds[a->mailbox] != KIND_MAILBOX) {
            char fp[80];
            json_fail(c, json_path(fp, sizeof fp, p, "mailbox", 0),
                      "expected the id of a mailbox node");
            return;
        }
        out->n_accounts++;
    }
    out->present = true;
    for (int i = 0; readers && !c->failed && i < cJSON_GetArraySize(readers); i++) {
        char p[32];
        snprintf(p, sizeof p, "readers[%d]", i);
        const cJSON *o = json_item_object(c, readers, i, p, NULL);
        if (!o)
            return;
        scenario_reader *r = &out->readers[out->n_readers];
        load_reader(c, o, p, r);
        if (!c->failed && node_index(node_ids, n_nodes, r->id) >= 0)
            json_fail(c, p, "id \"%s\" is already a node's", r->id);
        for (size_t k = 0; !c->failed && k < out->n_readers; k++)
            if (!strcmp(out->readers[k].id, r->id))
                json_fail(c, p, "id \"%s\" is already a reader's", r->id);
        if (!c->failed && r->tls == 3 && !out->tls)
            json_fail(c, p, "implicit TLS needs a mailbox_server with \"tls\": true");
        if (!c->failed)
            out->n_readers++;
    }
}
