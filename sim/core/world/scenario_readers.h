/* scenario_readers.h - the retrieval part of a scenario: the mailbox server (RFC 5598's MS) of an
 * MX host and Bob's reading mail clients (POP3 or IMAP), loaded and validated from the scenario's
 * "mailbox_server" and "readers" fields (format: lessons/scenarios/FORMAT.md). Kept out of
 * scenario.c so that the SMTP loader stays one screenful per part.
 */
#ifndef SCENARIO_READERS_H
#define SCENARIO_READERS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/util/json_load.h"

#define SCENARIO_MAX_READERS 4

typedef enum { SCENARIO_RETR_POP3, SCENARIO_RETR_IMAP } scenario_retr_proto;

/* what a reader does once logged in */
typedef enum {
    SCENARIO_READ_DOWNLOAD_DELETE, /* POP3: RETR then DELE each message */
    SCENARIO_READ_LEAVE,           /* POP3: RETR what UIDL says is new, leave it (IMAP: PEEK) */
    SCENARIO_READ_MARK_SEEN,       /* IMAP: FETCH the unseen, then STORE \Seen */
    SCENARIO_READ_IDLE,            /* IMAP: as mark-seen, then IDLE for new mail */
} scenario_read_action;

typedef struct {
    const char *id;
    char name[64];
    const char *host, *addr;
    scenario_retr_proto proto;
    uint16_t port;                /* 110, 995, 143, 993 */
    int tls;                      /* a scenario_tls value: none, opportunistic, required, implicit */
    const char *user, *password;
    scenario_read_action action;
    uint64_t start_ms;            /* virtual time of the connect, after the SMTP run at the latest */
    uint64_t idle_ms;             /* IDLE: how long to wait for new mail */
    bool show_secrets;
} scenario_reader;

#define SCENARIO_MAX_ACCOUNTS 8

typedef struct {
    const char *name, *password;
    int mailbox;                  /* node index of the mailbox node it opens */
} scenario_account;

typedef struct {
    bool present;
    int of;                       /* node index of the MX whose mailboxes it serves */
    bool tls;                     /* offers STLS/STARTTLS and 995/993 */
    bool allow_plaintext;         /* passwords accepted before TLS (RFC 2595 2.3 says no) */
    scenario_account accounts[SCENARIO_MAX_ACCOUNTS];
    size_t n_accounts;
    scenario_reader readers[SCENARIO_MAX_READERS];
    size_t n_readers;
} scenario_retrieval;

/* scenario_readers_host - the members every host of a scenario has, a node (scenario.c) or a
 * reader, read and checked alike and in this order: "id", "host" and "addr" (required when
 * needed; else "" when absent and checked only when given), then "name" (optional: *name is
 * NULL when absent). o is the host's object, p its path for errors. */
void scenario_readers_host(json_check *c, const cJSON *o, const char *p, bool needed,
                           const char **id, const char **host, const char **addr,
                           const char **name);

/* scenario_readers_load - read "mailbox_server" and "readers" from the scenario's root object.
 * node_ids/kinds/n_nodes are the scenario's nodes (their ids unique; kinds are
 * scenario_node_kind values), to resolve "of" (an MX) and the accounts' "mailbox" (a mailbox
 * node). Errors go to c with their field path. */
void scenario_readers_load(json_check *c, const cJSON *root, const char *const *node_ids,
                           const int *kinds, size_t n_nodes, scenario_retrieval *out);

#endif
