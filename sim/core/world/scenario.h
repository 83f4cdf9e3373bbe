/* scenario.h - scenario files: the description of a simulated mail world, loaded from JSON.
 *
 * A scenario names its nodes, users and passwords, domains, DNS records, policies, the message
 * and the faults to inject (format: lessons/scenarios/FORMAT.md). Loading validates everything
 * and never crashes on any input: a JSON syntax error is reported as "file:line:col: what",
 * a wrong field with its path ("nodes[2].port: expected an integer 1-65535").
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <stddef.h>

/* Named limit: scenario files larger than this are refused before parsing. */
#define SCENARIO_MAX_FILE_BYTES (1024 * 1024)

typedef struct scenario scenario;

/* scenario_load - read and validate a file. NULL and err filled on any problem. */
scenario *scenario_load(const char *path, char *err, size_t errlen);

/* scenario_load_buffer - the same from memory; `origin` names it in messages. */
scenario *scenario_load_buffer(const char *origin, const char *json, size_t len, char *err,
                               size_t errlen);
void scenario_free(scenario *sc);

const char *scenario_id(const scenario *sc);          /* "basic", from the file's "id" */
const char *scenario_title(const scenario *sc);       /* one line */
const char *scenario_description(const scenario *sc); /* a paragraph */

/* ---- the loaded data, read by the world (added by the world's author) ----
 * Everything below is validated by the loader: node references are indexes into nodes[],
 * strings are non-NULL (possibly "") and live as long as the scenario. */
#include <stdbool.h>
#include <stdint.h>

#include "core/smtp/smtp_limits.h"
#include "core/world/scenario_readers.h"

#define SCENARIO_MAX_NODES 32
#define SCENARIO_MAX_DNS 256
#define SCENARIO_MAX_FAULTS 64
#define SCENARIO_MAX_RCPTS 100
#define SCENARIO_MAX_USERS 32
#define SCENARIO_MAX_DOMAINS 16
#define SCENARIO_MAX_HEADERS 32
#define SCENARIO_MAX_LINKS 64
#define SCENARIO_MAX_BODY_BYTES 50000000 /* message.size ceiling */

typedef enum {
    SCENARIO_NODE_MUA,
    SCENARIO_NODE_MSA,
    SCENARIO_NODE_MTA,
    SCENARIO_NODE_DNS,
    SCENARIO_NODE_MX,
    SCENARIO_NODE_MAILBOX,
} scenario_node_kind;

typedef enum { SCENARIO_TLS_NONE, SCENARIO_TLS_OPPORTUNISTIC, SCENARIO_TLS_REQUIRED,
               SCENARIO_TLS_IMPLICIT } scenario_tls;
typedef enum { SCENARIO_SPF_OFF, SCENARIO_SPF_CHECK, SCENARIO_SPF_ENFORCE } scenario_spf;
typedef enum { SCENARIO_FAULT_DOWN, SCENARIO_FAULT_SHUTDOWN, SCENARIO_FAULT_REPLY } scenario_fault_kind;

typedef struct {
    const char *name, *password;
} scenario_user;

typedef struct {
    const char *id;
    scenario_node_kind kind;
    char name[64];
    const char *host, *addr;
    char site[128];
    /* mua */
    int server;                 /* node index */
    uint16_t port;              /* mua: port it connects to; servers: listening port */
    scenario_tls tls;
    const char *user, *password, *auth_mech; /* NULL when absent */
    bool pipelining, smtputf8, show_secrets;
    const char *helo;
    uint64_t start_ms;
    /* msa, mta, mx */
    uint16_t tls_port;          /* 0: none */
    bool starttls, require_tls, require_auth, allow_plain_auth;
    bool ext_pipelining, ext_smtputf8, ext_8bitmime, ext_dsn;
    scenario_user users[SCENARIO_MAX_USERS];
    size_t n_users;
    smtp_limits limits;
    int relay_to;               /* node index or -1 */
    int trusted[SCENARIO_MAX_NODES];
    size_t n_trusted;
    const char *dkim_domain, *dkim_selector; /* NULL: no signing */
    const char *domains[SCENARIO_MAX_DOMAINS];
    size_t n_domains;
    scenario_spf spf;
    bool dkim_verify;
    uint32_t greylist_s;
    /* mailbox */
    const char *address;
    int mailbox_server;         /* node index of its mx */
    /* mua: send MAIL with SIZE= even when the server's SIZE is smaller (the server refuses
     * with 552 5.3.4) instead of refusing locally (RFC 1870 6) */
    bool ignore_size;
} scenario_node;

typedef struct {
    const char *name;
    const char *type;           /* "MX", "A", "TXT", "SERVFAIL" */
    const char *value;
    unsigned pref;
} scenario_dns_record;

typedef struct {
    scenario_fault_kind kind;
    int node;
    uint64_t from_ms, until_ms, at_ms;
    char verb[16];              /* reply: upper-case verb, "." or "CONNECT" */
    int nth;
    int code;
    char esc[16];
    char text[200];             /* reply text after the code and esc */
} scenario_fault;

typedef struct {
    uint32_t seed;
    int64_t start_epoch_s;      /* virtual time 0 as seconds since 1970 (UTC) */
    uint32_t lan_ms, internet_ms, local_ms, dns_ms, tls_handshake_timeout_ms;
    struct { int a, b; uint32_t ms; } links[SCENARIO_MAX_LINKS];
    size_t n_links;
    uint32_t retry_first_s, retry_factor, retry_max_s, retry_give_up_s;
    scenario_node nodes[SCENARIO_MAX_NODES];
    size_t n_nodes;
    scenario_dns_record dns[SCENARIO_MAX_DNS];
    size_t n_dns;
    struct {
        const char *from;
        const char *to[SCENARIO_MAX_RCPTS];
        size_t n_to;
        const char *subject, *body;
        const char *headers[SCENARIO_MAX_HEADERS];
        size_t n_headers;
        uint32_t size;
    } message;
    scenario_fault faults[SCENARIO_MAX_FAULTS];
    size_t n_faults;
    scenario_retrieval retrieval; /* Bob's readers and the MX host's mailbox server, if any */
} scenario_spec;

/* scenario_spec_get - the validated contents. */
const scenario_spec *scenario_spec_get(const scenario *sc);

/* scenario_source - the JSON text as loaded (for writing a fork as a new file). */
const char *scenario_source(const scenario *sc, size_t *len);

/* scenario_parse_reply - "550 5.1.1 No such user" into code, esc (may be "") and text.
 * 0, or -1 when it is not a valid reply (code 2xx-5xx, esc agreeing with it, printable). */
int scenario_parse_reply(const char *reply, int *code, char esc[16], char text[200]);

#endif
