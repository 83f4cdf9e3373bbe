/* scenario.c - load and validate scenario files (format: lessons/scenarios/FORMAT.md).
 *
 * The loader keeps the cJSON tree for the scenario's lifetime: every string in the
 * scenario_spec points into it, so nothing is copied twice. Validation reads straight through
 * with a json_check (the first error sticks) and then resolves node references by id. Nothing
 * here trusts the input: sizes, counts, ranges and string syntax are all checked, so a world
 * built from a loaded scenario never has to.
 */
#include "core/world/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util/file_util.h"
#include "core/util/json_load.h"
#include "core/util/str_util.h"
#include "core/smtp/smtp_reply.h"
#include "core/world/scenario_syntax.h"

/* scenario_readers.c names these two kinds by number */
_Static_assert(SCENARIO_NODE_MX == 4 && SCENARIO_NODE_MAILBOX == 5, "node kind numbers");

#define DEFAULT_START "2024-03-12T09:00:00Z"
#define TEXT_MAX 2000

struct scenario {
    cJSON *root;
    char *source;
    size_t source_len;
    const char *id, *title, *description;
    scenario_spec spec;
};

/* ---- small syntax checks (the rest are in scenario_syntax.c) ---------------------------- */

int scenario_parse_reply(const char *reply, int *code, char esc[16], char text[200])
{
    if (!reply)
        return -1;
    size_t n = strlen(reply);
    if (n < 3 || n > 400 || !isdigit((unsigned char)reply[0]) ||
        !isdigit((unsigned char)reply[1]) || !isdigit((unsigned char)reply[2]))
        return -1;
    if (n > 3 && reply[3] != ' ')
        return -1;
    int c = (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
    if (!smtp_reply_code_valid(c))
        return -1;
    const char *p = reply + 3;
    while (*p == ' ')
        p++;
    /* An enhanced status code is the first word when it looks like d.d.d (RFC 3463 2). */
    char e[16] = "";
    size_t wl = strcspn(p, " ");
    if (wl > 0 && wl < sizeof e && isdigit((unsigned char)p[0]) && p[1] == '.') {
        memcpy(e, p, wl);
        e[wl] = '\0';
        if (!smtp_reply_esc_valid(c, e))
            return -1;
        p += wl;
        while (*p == ' ')
            p++;
    }
    if (strlen(p) >= 200 || !smtp_reply_text_valid(p, strlen(p)))
        return -1;
    *code = c;
    snprintf(esc, 16, "%s", e);
    snprintf(text, 200, "%s", p);
    return 0;
}

/* ---- the loader ------------------------------------------------------------------------ */

static int find_node(const scenario_spec *sp, const char *id)
{
    for (size_t i = 0; i < sp->n_nodes; i++)
        if (strcmp(sp->nodes[i].id, id) == 0)
            return (int)i;
    return -1;
}

static const char *const top_fields[] = {"id",    "title", "description", "seed",    "start",
                                          "network", "retry", "nodes",     "dns",     "message",
                                          "faults", "mailbox_server", "readers", NULL};
static const char *const network_fields[] = {"lan_ms", "internet_ms", "local_ms", "dns_ms",
                                             "tls_handshake_timeout_ms", "links", NULL};
static const char *const link_fields[] = {"a", "b", "ms", NULL};
static const char *const retry_fields[] = {"first_s", "factor", "max_s", "give_up_s", NULL};
static const char *const common_fields[] = {"id", "kind", "name", "host", "addr", "site", NULL};
static const char *const mua_fields[] = {"id",   "kind",     "name",     "host",      "addr",
                                         "site", "server",   "port",     "tls",       "user",
                                         "password", "auth_mech", "pipelining", "smtputf8", "helo",
                                         "start_ms", "show_secrets", "ignore_size", NULL};
static const char *const server_fields[] = {
    "id",        "kind",       "name",     "host",         "addr",        "site",
    "port",      "tls_port",   "starttls", "require_tls",  "require_auth", "allow_plain_auth",
    "users",     "pipelining", "smtputf8", "eightbitmime", "dsn",         "limits",
    "relay_to",  "trusted",    "dkim_sign", "domains",     "spf",         "dkim_verify",
    "greylist_s", NULL};
static const char *const mailbox_fields[] = {"id",   "kind",    "name", "host", "addr",
                                             "site", "address", "server", NULL};
static const char *const user_fields[] = {"name", "password", NULL};
static const char *const dkim_fields[] = {"domain", "selector", NULL};
static const char *const dns_fields[] = {"name", "type", "value", "pref", NULL};
static const char *const message_fields[] = {"from", "to", "subject", "body", "headers", "size",
                                             NULL};
static const char *const fault_fields[] = {"kind", "node", "from_ms", "until_ms", "at_ms",
                                           "verb", "nth", "reply", NULL};

/* Fields that only some server kinds may use (a typo-level mistake worth catching). */
static bool server_field_allowed(scenario_node_kind k, const char *f)
{
    if (!strcmp(f, "domains") || !strcmp(f, "spf") || !strcmp(f, "dkim_verify") ||
        !strcmp(f, "greylist_s"))
        return k == SCENARIO_NODE_MX;
    if (!strcmp(f, "relay_to") || !strcmp(f, "dkim_sign"))
        return k == SCENARIO_NODE_MSA || k == SCENARIO_NODE_MTA;
    if (!strcmp(f, "trusted"))
        return k == SCENARIO_NODE_MTA;
    return true;
}

static const char *kind_names[] = {"mua", "msa", "mta", "dns", "mx", "mailbox"};

/* load_node_common - the fields every node has. */
static void load_node_common(json_check *c, const cJSON *o, const char *p, scenario_node *n)
{
    const char *kind = json_string(c, o, p, "kind", true, 16, "");
    char fp[256];
    if (c->failed)
        return;
    int k = -1;
    for (int i = 0; i < 6; i++)
        if (!strcmp(kind, kind_names[i]))
            k = i;
    if (k < 0) {
        json_fail(c, json_path(fp, sizeof fp, p, "kind", 0),
                  "expected one of mua, msa, mta, dns, mx, mailbox");
        return;
    }
    n->kind = (scenario_node_kind)k;
    const char *const *known = n->kind == SCENARIO_NODE_MUA       ? mua_fields
                               : n->kind == SCENARIO_NODE_DNS     ? common_fields
                               : n->kind == SCENARIO_NODE_MAILBOX ? mailbox_fields
                                                                  : server_fields;
    json_unknown_fields(c, o, p, known);
    if (!c->failed && known == server_fields)
        for (const cJSON *m = o->child; m; m = m->next)
            if (m->string && !server_field_allowed(n->kind, m->string)) {
                json_fail(c, json_path(fp, sizeof fp, p, m->string, 0), "not allowed for a%s %s",
                          n->kind == SCENARIO_NODE_MX ? "n" : "", kind_names[k]);
                return;
            }
    const char *name;
    scenario_readers_host(c, o, p, n->kind != SCENARIO_NODE_MAILBOX, &n->id, &n->host, &n->addr,
                          &name);
    const char *site = json_string(c, o, p, "site", false, 127, NULL);
    if (c->failed)
        return;
    if (name) {
        snprintf(n->name, sizeof n->name, "%s", name);
    } else if (n->kind == SCENARIO_NODE_MUA) {
        snprintf(n->name, sizeof n->name, "%.*s", (int)strcspn(n->host, "."), n->host);
    } else {
        snprintf(n->name, sizeof n->name, "%s", n->host);
    }
    if (site) {
        snprintf(n->site, sizeof n->site, "%s", site);
    } else {
        const char *dot = strchr(n->host, '.');
        snprintf(n->site, sizeof n->site, "%s", dot ? dot + 1 : n->host);
    }
}

static void load_mua(json_check *c, const cJSON *o, const char *p, scenario_node *n)
{
    char fp[256];
    n->port = (uint16_t)json_int(c, o, p, "port", false, 1, 65535, 587);
    const char *tls = json_string(c, o, p, "tls", false, 16, "required");
    if (!c->failed) {
        if (!strcmp(tls, "none"))
            n->tls = SCENARIO_TLS_NONE;
        else if (!strcmp(tls, "opportunistic"))
            n->tls = SCENARIO_TLS_OPPORTUNISTIC;
        else if (!strcmp(tls, "required"))
            n->tls = SCENARIO_TLS_REQUIRED;
        else if (!strcmp(tls, "implicit"))
            n->tls = SCENARIO_TLS_IMPLICIT;
        else
            json_fail(c, json_path(fp, sizeof fp, p, "tls", 0),
                      "expected one of none, opportunistic, required, implicit");
    }
    n->user = json_string(c, o, p, "user", false, 128, NULL);
    n->password = json_string(c, o, p, "password", false, 128, NULL);
    if (!c->failed && n->user && (!*n->user || !scenario_syntax_printable(n->user)))
        json_fail(c, json_path(fp, sizeof fp, p, "user", 0), "expected 1-128 printable characters");
    if (!c->failed && n->password && !scenario_syntax_printable(n->password))
        json_fail(c, json_path(fp, sizeof fp, p, "password", 0), "expected printable characters");
    if (!c->failed && n->user && !n->password)
        json_fail(c, json_path(fp, sizeof fp, p, "password", 0), "missing (required with user)");
    n->auth_mech = json_string(c, o, p, "auth_mech", false, 16, NULL);
    if (!c->failed && n->auth_mech && strcmp(n->auth_mech, "PLAIN") && strcmp(n->auth_mech, "LOGIN"))
        json_fail(c, json_path(fp, sizeof fp, p, "auth_mech", 0), "expected PLAIN or LOGIN");
    n->pipelining = json_bool(c, o, p, "pipelining", true);
    n->smtputf8 = json_bool(c, o, p, "smtputf8", false);
    n->show_secrets = json_bool(c, o, p, "show_secrets", false);
    n->ignore_size = json_bool(c, o, p, "ignore_size", false);
    n->helo = json_string(c, o, p, "helo", false, SCENARIO_HOST_MAX, n->host);
    if (!c->failed && !scenario_syntax_host(n->helo))
        json_fail(c, json_path(fp, sizeof fp, p, "helo", 0), "expected a host name");
    n->start_ms = (uint64_t)json_int(c, o, p, "start_ms", false, 0, 86400000, 0);
}

static void load_server(json_check *c, const cJSON *o, const char *p, scenario_node *n)
{
    char fp[256], ip[256];
    bool msa = n->kind == SCENARIO_NODE_MSA;
    n->port = (uint16_t)json_int(c, o, p, "port", false, 1, 65535, msa ? 587 : 25);
    n->tls_port = (uint16_t)json_int(c, o, p, "tls_port", false, 1, 65535, 0);
    if (!c->failed && n->tls_port == n->port)
        json_fail(c, json_path(fp, sizeof fp, p, "tls_port", 0), "must differ from port");
    n->starttls = json_bool(c, o, p, "starttls", true);
    n->require_tls = json_bool(c, o, p, "require_tls", msa);
    n->require_auth = json_bool(c, o, p, "require_auth", msa);
    n->allow_plain_auth = json_bool(c, o, p, "allow_plain_auth", false);
    n->ext_pipelining = json_bool(c, o, p, "pipelining", true);
    n->ext_smtputf8 = json_bool(c, o, p, "smtputf8", true);
    n->ext_8bitmime = json_bool(c, o, p, "eightbitmime", true);
    n->ext_dsn = json_bool(c, o, p, "dsn", true);
    const cJSON *users = json_array(c, o, p, "users", false, SCENARIO_MAX_USERS);
    json_path(ip, sizeof ip, p, "users", 0);
    for (int i = 0; users && !c->failed && i < cJSON_GetArraySize(users); i++) {
        char up[256];
        json_path(up, sizeof up, ip, NULL, i);
        const cJSON *u = json_item_object(c, users, i, up, user_fields);
        if (!u)
            break;
        scenario_user *su = &n->users[n->n_users++];
        su->name = json_string(c, u, up, "name", true, 128, "");
        su->password = json_string(c, u, up, "password", true, 128, "");
        if (!c->failed && (!*su->name || !scenario_syntax_printable(su->name) ||
                           !scenario_syntax_printable(su->password)))
            json_fail(c, up, "expected a printable name and password");
    }
    smtp_limits_default(&n->limits);
    const cJSON *lim = json_object(c, o, p, "limits", false);
    json_path(ip, sizeof ip, p, "limits", 0);
    for (const cJSON *m = lim ? lim->child : NULL; m && !c->failed; m = m->next) {
        int id = m->string ? smtp_limit_find(m->string) : -1;
        if (id < 0) {
            json_fail(c, json_path(fp, sizeof fp, ip, m->string ? m->string : "?", 0),
                      "unknown limit");
            break;
        }
        const smtp_limit_info *li = smtp_limit_info_get((smtp_limit_id)id);
        long v = json_int(c, lim, ip, m->string, true, (long)li->min,
                          li->max > LONG_MAX ? LONG_MAX : (long)li->max, 0);
        if (!c->failed)
            smtp_limits_set(&n->limits, (smtp_limit_id)id, (uint64_t)v);
    }
    const cJSON *dk = json_object(c, o, p, "dkim_sign", false);
    if (dk && !c->failed) {
        json_path(ip, sizeof ip, p, "dkim_sign", 0);
        json_unknown_fields(c, dk, ip, dkim_fields);
        n->dkim_domain = json_string(c, dk, ip, "domain", true, SCENARIO_HOST_MAX, "");
        n->dkim_selector = json_string(c, dk, ip, "selector", true, 63, "");
        if (!c->failed &&
            (!scenario_syntax_host(n->dkim_domain) || !scenario_syntax_host(n->dkim_selector)))
            json_fail(c, ip, "expected a domain and a selector (host name syntax)");
    }
    const cJSON *doms = json_array(c, o, p, "domains", n->kind == SCENARIO_NODE_MX,
                                   SCENARIO_MAX_DOMAINS);
    json_path(ip, sizeof ip, p, "domains", 0);
    if (doms && !c->failed && cJSON_GetArraySize(doms) == 0)
        json_fail(c, ip, "expected at least one domain");
    for (int i = 0; doms && !c->failed && i < cJSON_GetArraySize(doms); i++) {
        const cJSON *d = cJSON_GetArrayItem(doms, i);
        if (!cJSON_IsString(d) || !scenario_syntax_host(d->valuestring)) {
            json_fail(c, json_path(fp, sizeof fp, ip, NULL, i), "expected a domain");
            break;
        }
        n->domains[n->n_domains++] = d->valuestring;
    }
    const char *spf = json_string(c, o, p, "spf", false, 16, "off");
    if (!c->failed) {
        if (!strcmp(spf, "off"))
            n->spf = SCENARIO_SPF_OFF;
        else if (!strcmp(spf, "check"))
            n->spf = SCENARIO_SPF_CHECK;
        else if (!strcmp(spf, "enforce"))
            n->spf = SCENARIO_SPF_ENFORCE;
        else
            json_fail(c, json_path(fp, sizeof fp, p, "spf", 0), "expected off, check or enforce");
    }
    n->dkim_verify = json_bool(c, o, p, "dkim_verify", false);
    n->greylist_s = (uint32_t)json_int(c, o, p, "greylist_s", false, 0, 86400, 0);
}

/* resolve_refs - node ids to indexes, defaults that depend on other nodes, and the checks
 * that need the whole node list. */
static void resolve_refs(json_check *c, const cJSON *nodes, scenario_spec *sp)
{
    char p[64], fp[256];
    int n_mua = 0, n_dns = 0, first_mta = -1;
    for (size_t i = 0; i < sp->n_nodes; i++) {
        if (sp->nodes[i].kind == SCENARIO_NODE_MUA)
            n_mua++;
        if (sp->nodes[i].kind == SCENARIO_NODE_DNS)
            n_dns++;
        if (sp->nodes[i].kind == SCENARIO_NODE_MTA && first_mta < 0)
            first_mta = (int)i;
    }
    if (n_mua != 1) {
        json_fail(c, "nodes", "expected exactly one node of kind mua (found %d)", n_mua);
        return;
    }
    if (n_dns > 1) {
        json_fail(c, "nodes", "expected at most one node of kind dns");
        return;
    }
    for (size_t i = 0; i < sp->n_nodes; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(sp->nodes[j].id, sp->nodes[i].id)) {
                snprintf(p, sizeof p, "nodes[%zu]", i);
                json_fail(c, json_path(fp, sizeof fp, p, "id", 0), "duplicate id '%s'",
                          sp->nodes[i].id);
                return;
            }
    for (size_t i = 0; i < sp->n_nodes && !c->failed; i++) {
        scenario_node *n = &sp->nodes[i];
        const cJSON *o = cJSON_GetArrayItem(nodes, (int)i);
        snprintf(p, sizeof p, "nodes[%zu]", i);
        n->relay_to = -1;
        n->server = -1;
        n->mailbox_server = -1;
        if (n->kind == SCENARIO_NODE_MUA) {
            const char *s = json_string(c, o, p, "server", true, SCENARIO_NODE_ID_MAX, "");
            int k = c->failed ? -1 : find_node(sp, s);
            if (!c->failed && (k < 0 || (sp->nodes[k].kind != SCENARIO_NODE_MSA &&
                                          sp->nodes[k].kind != SCENARIO_NODE_MTA &&
                                          sp->nodes[k].kind != SCENARIO_NODE_MX)))
                json_fail(c, json_path(fp, sizeof fp, p, "server", 0),
                          "expected the id of an msa, mta or mx node");
            n->server = k;
        }
        if (n->kind == SCENARIO_NODE_MSA || n->kind == SCENARIO_NODE_MTA) {
            const char *r = json_string(c, o, p, "relay_to", false, SCENARIO_NODE_ID_MAX, NULL);
            if (r) {
                int k = c->failed ? -1 : find_node(sp, r);
                if (!c->failed && (k < 0 || sp->nodes[k].kind != SCENARIO_NODE_MTA || k == (int)i))
                    json_fail(c, json_path(fp, sizeof fp, p, "relay_to", 0),
                              "expected the id of another mta node");
                n->relay_to = k;
            } else if (n->kind == SCENARIO_NODE_MSA) {
                if (first_mta < 0)
                    json_fail(c, json_path(fp, sizeof fp, p, "relay_to", 0),
                              "an msa needs an mta node to hand its mail to");
                n->relay_to = first_mta;
            }
        }
        if (n->kind == SCENARIO_NODE_MAILBOX) {
            n->address = json_string(c, o, p, "address", true, SCENARIO_ADDRESS_MAX, "");
            if (!c->failed && !scenario_syntax_address(n->address))
                json_fail(c, json_path(fp, sizeof fp, p, "address", 0),
                          "expected a mail address local@domain");
            const char *s = json_string(c, o, p, "server", false, SCENARIO_NODE_ID_MAX, NULL);
            if (c->failed)
                return;
            const char *dom = str_domain_of(n->address);
            int k = -1;
            if (s) {
                k = find_node(sp, s);
                if (k < 0 || sp->nodes[k].kind != SCENARIO_NODE_MX) {
                    json_fail(c, json_path(fp, sizeof fp, p, "server", 0),
                              "expected the id of an mx node");
                    return;
                }
            } else {
                for (size_t j = 0; j < sp->n_nodes && k < 0; j++)
                    if (sp->nodes[j].kind == SCENARIO_NODE_MX)
                        for (size_t d = 0; d < sp->nodes[j].n_domains; d++)
                            if (!strcasecmp(sp->nodes[j].domains[d], dom))
                                k = (int)j;
                if (k < 0) {
                    json_fail(c, json_path(fp, sizeof fp, p, "address", 0),
                              "no mx node serves the domain '%s'", dom);
                    return;
                }
            }
            bool served = false;
            for (size_t d = 0; d < sp->nodes[k].n_domains; d++)
                if (!strcasecmp(sp->nodes[k].domains[d], dom))
                    served = true;
            if (!served) {
                json_fail(c, json_path(fp, sizeof fp, p, "address", 0),
                          "mx node '%s' does not serve the domain '%s'", sp->nodes[k].id, dom);
                return;
            }
            n->mailbox_server = k;
            if (!*n->host)
                n->host = sp->nodes[k].host;
            if (!*n->addr)
                n->addr = sp->nodes[k].addr;
            if (!*n->site)
                memcpy(n->site, sp->nodes[k].site, sizeof n->site);
            if (!cJSON_GetObjectItemCaseSensitive(o, "name"))
                snprintf(n->name, sizeof n->name, "%.63s", n->address);
        }
    }
    /* trusted: explicit list, or every node that relays to this one. */
    for (size_t i = 0; i < sp->n_nodes && !c->failed; i++) {
        scenario_node *n = &sp->nodes[i];
        if (n->kind != SCENARIO_NODE_MTA)
            continue;
        const cJSON *o = cJSON_GetArrayItem(nodes, (int)i);
        snprintf(p, sizeof p, "nodes[%zu]", i);
        const cJSON *tr = json_array(c, o, p, "trusted", false, SCENARIO_MAX_NODES);
        if (tr) {
            for (int j = 0; j < cJSON_GetArraySize(tr) && !c->failed; j++) {
                const cJSON *t = cJSON_GetArrayItem(tr, j);
                int k = cJSON_IsString(t) ? find_node(sp, t->valuestring) : -1;
                if (k < 0) {
                    char tp[128];
                    json_fail(c, json_path(tp, sizeof tp, json_path(fp, sizeof fp, p, "trusted", 0),
                                           NULL, j),
                              "expected a node id");
                    break;
                }
                n->trusted[n->n_trusted++] = k;
            }
        } else {
            for (size_t j = 0; j < sp->n_nodes; j++)
                if (sp->nodes[j].relay_to == (int)i && sp->nodes[j].kind == SCENARIO_NODE_MTA)
                    n->trusted[n->n_trusted++] = (int)j;
        }
        if (n->relay_to < 0 && n_dns == 0 && !c->failed)
            json_fail(c, "nodes", "mta '%s' delivers by MX, so a node of kind dns is needed",
                      n->id);
    }
}

static void load_network(json_check *c, const cJSON *root, scenario_spec *sp)
{
    const cJSON *nw = json_object(c, root, "", "network", false);
    json_unknown_fields(c, nw, "network", network_fields);
    sp->lan_ms = (uint32_t)json_int(c, nw, "network", "lan_ms", false, 0, 10000, 20);
    sp->internet_ms = (uint32_t)json_int(c, nw, "network", "internet_ms", false, 0, 10000, 80);
    sp->local_ms = (uint32_t)json_int(c, nw, "network", "local_ms", false, 0, 10000, 1);
    sp->dns_ms = (uint32_t)json_int(c, nw, "network", "dns_ms", false, 0, 10000, 10);
    sp->tls_handshake_timeout_ms = (uint32_t)json_int(c, nw, "network",
                                                      "tls_handshake_timeout_ms", false, 1000,
                                                      600000, 10000);
    const cJSON *links = json_array(c, nw, "network", "links", false, SCENARIO_MAX_LINKS);
    for (int i = 0; links && !c->failed && i < cJSON_GetArraySize(links); i++) {
        char lp[64];
        snprintf(lp, sizeof lp, "network.links[%d]", i);
        const cJSON *l = json_item_object(c, links, i, lp, link_fields);
        if (!l)
            break;
        const char *a = json_string(c, l, lp, "a", true, SCENARIO_NODE_ID_MAX, "");
        const char *b = json_string(c, l, lp, "b", true, SCENARIO_NODE_ID_MAX, "");
        long ms = json_int(c, l, lp, "ms", true, 0, 10000, 0);
        if (c->failed)
            break;
        int ia = find_node(sp, a), ib = find_node(sp, b);
        if (ia < 0 || ib < 0) {
            json_fail(c, lp, "no node with id '%s'", ia < 0 ? a : b);
            break;
        }
        sp->links[sp->n_links].a = ia;
        sp->links[sp->n_links].b = ib;
        sp->links[sp->n_links].ms = (uint32_t)ms;
        sp->n_links++;
    }
    const cJSON *rt = json_object(c, root, "", "retry", false);
    json_unknown_fields(c, rt, "retry", retry_fields);
    sp->retry_first_s = (uint32_t)json_int(c, rt, "retry", "first_s", false, 1, 86400, 60);
    sp->retry_factor = (uint32_t)json_int(c, rt, "retry", "factor", false, 1, 10, 2);
    sp->retry_max_s = (uint32_t)json_int(c, rt, "retry", "max_s", false, 1, 86400, 3600);
    sp->retry_give_up_s = (uint32_t)json_int(c, rt, "retry", "give_up_s", false, 60, 604800, 14400);
}

static void load_dns(json_check *c, const cJSON *root, scenario_spec *sp)
{
    const cJSON *dns = json_array(c, root, "", "dns", false, SCENARIO_MAX_DNS);
    for (int i = 0; dns && !c->failed && i < cJSON_GetArraySize(dns); i++) {
        char p[64], fp[256];
        snprintf(p, sizeof p, "dns[%d]", i);
        const cJSON *r = json_item_object(c, dns, i, p, dns_fields);
        if (!r)
            break;
        scenario_dns_record *d = &sp->dns[sp->n_dns];
        d->name = json_string(c, r, p, "name", true, SCENARIO_HOST_MAX, "");
        d->type = json_string(c, r, p, "type", true, 16, "");
        if (c->failed)
            break;
        if (!scenario_syntax_host(d->name)) {
            json_fail(c, json_path(fp, sizeof fp, p, "name", 0), "expected a domain name");
            break;
        }
        bool servfail = !strcmp(d->type, "SERVFAIL");
        if (strcmp(d->type, "MX") && strcmp(d->type, "A") && strcmp(d->type, "TXT") && !servfail) {
            json_fail(c, json_path(fp, sizeof fp, p, "type", 0),
                      "expected one of MX, A, TXT, SERVFAIL");
            break;
        }
        d->value = json_string(c, r, p, "value", !servfail, 512, "");
        d->pref = (unsigned)json_int(c, r, p, "pref", false, 0, 65535, 10);
        if (c->failed)
            break;
        if (!strcmp(d->type, "A") && !scenario_syntax_doc_ipv4(d->value)) {
            json_fail(c, json_path(fp, sizeof fp, p, "value", 0),
                      "expected an IPv4 address in an RFC 5737 range");
            break;
        }
        if (!strcmp(d->type, "MX") && strcmp(d->value, ".") && !scenario_syntax_host(d->value)) {
            json_fail(c, json_path(fp, sizeof fp, p, "value", 0),
                      "expected a host name (or \".\" for a null MX)");
            break;
        }
        if (!strcmp(d->type, "TXT") && !scenario_syntax_printable(d->value)) {
            json_fail(c, json_path(fp, sizeof fp, p, "value", 0), "expected printable text");
            break;
        }
        sp->n_dns++;
    }
}

static void load_message(json_check *c, const cJSON *root, scenario_spec *sp)
{
    char fp[256];
    const cJSON *m = json_object(c, root, "", "message", true);
    json_unknown_fields(c, m, "message", message_fields);
    sp->message.from = json_string(c, m, "message", "from", true, SCENARIO_ADDRESS_MAX, "");
    if (!c->failed && !scenario_syntax_address(sp->message.from))
        json_fail(c, "message.from", "expected a mail address local@domain");
    const cJSON *to = json_array(c, m, "message", "to", true, SCENARIO_MAX_RCPTS);
    if (to && !c->failed && cJSON_GetArraySize(to) == 0)
        json_fail(c, "message.to", "expected 1-100 addresses");
    for (int i = 0; to && !c->failed && i < cJSON_GetArraySize(to); i++) {
        const cJSON *t = cJSON_GetArrayItem(to, i);
        if (!cJSON_IsString(t) || !scenario_syntax_address(t->valuestring)) {
            json_fail(c, json_path(fp, sizeof fp, "message.to", NULL, i),
                      "expected a mail address local@domain");
            break;
        }
        sp->message.to[sp->message.n_to++] = t->valuestring;
    }
    sp->message.subject = json_string(c, m, "message", "subject", false, 200, "");
    if (!c->failed && !scenario_syntax_printable(sp->message.subject))
        json_fail(c, "message.subject", "expected one line of printable text");
    sp->message.body = json_string(c, m, "message", "body", false, SCENARIO_MAX_FILE_BYTES, "");
    const cJSON *hs = json_array(c, m, "message", "headers", false, SCENARIO_MAX_HEADERS);
    for (int i = 0; hs && !c->failed && i < cJSON_GetArraySize(hs); i++) {
        const cJSON *h = cJSON_GetArrayItem(hs, i);
        const char *s = cJSON_IsString(h) ? h->valuestring : NULL;
        const char *colon = s ? strchr(s, ':') : NULL;
        bool ok = colon && colon > s && strlen(s) < 998 && scenario_syntax_printable(s);
        for (const char *q = s; ok && q < colon; q++)
            if (*q <= ' ' || *q > '~')
                ok = false; /* RFC 5322 2.2: field name is printable ASCII, no space */
        if (!ok) {
            json_fail(c, json_path(fp, sizeof fp, "message.headers", NULL, i),
                      "expected \"Name: value\" on one line");
            break;
        }
        sp->message.headers[sp->message.n_headers++] = s;
    }
    sp->message.size = (uint32_t)json_int(c, m, "message", "size", false, 0,
                                          SCENARIO_MAX_BODY_BYTES, 0);
}

static void load_faults(json_check *c, const cJSON *root, scenario_spec *sp)
{
    const cJSON *fs = json_array(c, root, "", "faults", false, SCENARIO_MAX_FAULTS);
    for (int i = 0; fs && !c->failed && i < cJSON_GetArraySize(fs); i++) {
        char p[64], fp[256];
        snprintf(p, sizeof p, "faults[%d]", i);
        const cJSON *f = json_item_object(c, fs, i, p, fault_fields);
        if (!f)
            break;
        scenario_fault *sf = &sp->faults[sp->n_faults];
        memset(sf, 0, sizeof *sf);
        const char *kind = json_string(c, f, p, "kind", true, 16, "");
        const char *node = json_string(c, f, p, "node", true, SCENARIO_NODE_ID_MAX, "");
        if (c->failed)
            break;
        sf->node = find_node(sp, node);
        if (sf->node < 0 || sp->nodes[sf->node].kind == SCENARIO_NODE_MUA ||
            sp->nodes[sf->node].kind == SCENARIO_NODE_MAILBOX ||
            sp->nodes[sf->node].kind == SCENARIO_NODE_DNS) {
            json_fail(c, json_path(fp, sizeof fp, p, "node", 0),
                      "expected the id of an msa, mta or mx node");
            break;
        }
        const long day7 = 7L * 86400 * 1000;
        if (!strcmp(kind, "down")) {
            sf->kind = SCENARIO_FAULT_DOWN;
            sf->from_ms = (uint64_t)json_int(c, f, p, "from_ms", false, 0, day7, 0);
            sf->until_ms = (uint64_t)json_int(c, f, p, "until_ms", true, 0, day7, 0);
        } else if (!strcmp(kind, "shutdown")) {
            sf->kind = SCENARIO_FAULT_SHUTDOWN;
            sf->at_ms = (uint64_t)json_int(c, f, p, "at_ms", true, 0, day7, 0);
            sf->from_ms = sf->at_ms;
            sf->until_ms = (uint64_t)json_int(c, f, p, "until_ms", true, 0, day7, 0);
        } else if (!strcmp(kind, "reply")) {
            sf->kind = SCENARIO_FAULT_REPLY;
            const char *verb = json_string(c, f, p, "verb", true, 15, "");
            sf->nth = (int)json_int(c, f, p, "nth", false, 1, 100000, 1);
            const char *reply = json_string(c, f, p, "reply", true, 400, "");
            if (c->failed)
                break;
            static const char *const verbs[] = {"EHLO", "HELO",     "MAIL", "RCPT", "DATA", "AUTH",
                                                "STARTTLS", "QUIT", "RSET", "NOOP", ".", "CONNECT",
                                                NULL};
            bool ok = false;
            for (const char *const *v = verbs; *v; v++)
                if (!strcasecmp(*v, verb))
                    ok = true;
            if (!ok) {
                json_fail(c, json_path(fp, sizeof fp, p, "verb", 0),
                          "expected a command verb, \".\" or CONNECT");
                break;
            }
            for (size_t k = 0; verb[k] && k < sizeof sf->verb - 1; k++)
                sf->verb[k] = (char)toupper((unsigned char)verb[k]);
            if (scenario_parse_reply(reply, &sf->code, sf->esc, sf->text) < 0) {
                json_fail(c, json_path(fp, sizeof fp, p, "reply", 0),
                          "expected a reply such as \"550 5.1.1 No such user\"");
                break;
            }
        } else {
            json_fail(c, json_path(fp, sizeof fp, p, "kind", 0),
                      "expected one of down, shutdown, reply");
            break;
        }
        if (!c->failed && sf->kind != SCENARIO_FAULT_REPLY && sf->until_ms < sf->from_ms)
            json_fail(c, json_path(fp, sizeof fp, p, "until_ms", 0), "ends before it starts");
        if (!c->failed)
            sp->n_faults++;
    }
}

static scenario *load_tree(const char *origin, cJSON *root, char *err, size_t errlen)
{
    scenario *sc = calloc(1, sizeof *sc);
    if (!sc) {
        snprintf(err, errlen, "%s: out of memory", origin);
        cJSON_Delete(root);
        return NULL;
    }
    sc->root = root;
    scenario_spec *sp = &sc->spec;
    json_check c;
    json_check_init(&c, origin);
    if (!cJSON_IsObject(root))
        json_fail(&c, "", "expected a JSON object at the top");
    json_unknown_fields(&c, root, "", top_fields);
    sc->id = json_string(&c, root, "", "id", true, SCENARIO_ID_MAX, "");
    if (!c.failed && !scenario_syntax_id(sc->id, strlen(sc->id), SCENARIO_ID_MAX))
        json_fail(&c, "id", "expected 1-48 of [a-z0-9-]");
    sc->title = json_string(&c, root, "", "title", true, 120, "");
    if (!c.failed && (!*sc->title || !scenario_syntax_printable(sc->title)))
        json_fail(&c, "title", "expected one line of 1-120 characters");
    sc->description = json_string(&c, root, "", "description", true, TEXT_MAX, "");
    sp->seed = (uint32_t)json_int(&c, root, "", "seed", false, 0, 2147483647L, 1);
    const char *start = json_string(&c, root, "", "start", false, 32, DEFAULT_START);
    if (!c.failed && scenario_syntax_start(start, &sp->start_epoch_s) < 0)
        json_fail(&c, "start", "expected a date YYYY-MM-DDTHH:MM:SSZ");

    const cJSON *nodes = json_array(&c, root, "", "nodes", true, SCENARIO_MAX_NODES);
    if (nodes && !c.failed && cJSON_GetArraySize(nodes) < 2)
        json_fail(&c, "nodes", "expected 2-32 nodes");
    for (int i = 0; nodes && !c.failed && i < cJSON_GetArraySize(nodes); i++) {
        char p[32];
        snprintf(p, sizeof p, "nodes[%d]", i);
        const cJSON *o = json_item_object(&c, nodes, i, p, NULL);
        if (!o)
            break;
        scenario_node *n = &sp->nodes[sp->n_nodes++];
        load_node_common(&c, o, p, n);
        if (c.failed)
            break;
        if (n->kind == SCENARIO_NODE_MUA)
            load_mua(&c, o, p, n);
        else if (n->kind == SCENARIO_NODE_MSA || n->kind == SCENARIO_NODE_MTA ||
                 n->kind == SCENARIO_NODE_MX)
            load_server(&c, o, p, n);
    }
    if (!c.failed)
        resolve_refs(&c, nodes, sp);
    if (!c.failed)
        load_network(&c, root, sp);
    if (!c.failed)
        load_dns(&c, root, sp);
    if (!c.failed)
        load_message(&c, root, sp);
    if (!c.failed)
        load_faults(&c, root, sp);
    if (!c.failed) {
        const char *ids[SCENARIO_MAX_NODES];
        int kinds[SCENARIO_MAX_NODES];
        for (size_t i = 0; i < sp->n_nodes; i++)
            ids[i] = sp->nodes[i].id, kinds[i] = (int)sp->nodes[i].kind;
        scenario_readers_load(&c, root, ids, kinds, sp->n_nodes, &sp->retrieval);
    }
    if (c.failed) {
        snprintf(err, errlen, "%s", c.err);
        scenario_free(sc);
        return NULL;
    }
    return sc;
}

scenario *scenario_load_buffer(const char *origin, const char *json, size_t len, char *err,
                               size_t errlen)
{
    if (!origin)
        origin = "scenario";
    if (!json) {
        snprintf(err, errlen, "%s: no data", origin);
        return NULL;
    }
    if (len > SCENARIO_MAX_FILE_BYTES) {
        snprintf(err, errlen, "%s: larger than %d bytes", origin, SCENARIO_MAX_FILE_BYTES);
        return NULL;
    }
    cJSON *root = json_parse_buffer(origin, json, len, err, errlen);
    if (!root)
        return NULL;
    char *copy = malloc(len + 1);
    if (!copy) {
        cJSON_Delete(root);
        snprintf(err, errlen, "%s: out of memory", origin);
        return NULL;
    }
    memcpy(copy, json, len);
    copy[len] = '\0';
    scenario *sc = load_tree(origin, root, err, errlen);
    if (!sc) {
        free(copy);
        return NULL;
    }
    sc->source = copy;
    sc->source_len = len;
    return sc;
}

scenario *scenario_load(const char *path, char *err, size_t errlen)
{
    char *buf;
    size_t n;
    if (file_read_all(path, SCENARIO_MAX_FILE_BYTES, &buf, &n) != 0) {
        if (errno == EFBIG)
            snprintf(err, errlen, "%s: larger than %d bytes", path, SCENARIO_MAX_FILE_BYTES);
        else if (errno == EIO || errno == ENOMEM)
            file_read_error(err, errlen, path, SCENARIO_MAX_FILE_BYTES, errno);
        else
            snprintf(err, errlen, "%s: cannot open", path);
        return NULL;
    }
    scenario *sc = scenario_load_buffer(path, buf, n, err, errlen);
    free(buf);
    return sc;
}

void scenario_free(scenario *sc)
{
    if (!sc)
        return;
    cJSON_Delete(sc->root);
    free(sc->source);
    free(sc);
}

const char *scenario_id(const scenario *sc) { return sc->id; }
const char *scenario_title(const scenario *sc) { return sc->title; }
const char *scenario_description(const scenario *sc) { return sc->description; }
const scenario_spec *scenario_spec_get(const scenario *sc) { return &sc->spec; }

const char *scenario_source(const scenario *sc, size_t *len)
{
    if (len)
        *len = sc->source_len;
    return sc->source;
}
