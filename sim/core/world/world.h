/* world.h - the simulated mail world: nodes, links, a virtual clock, and the timeline of steps.
 *
 * A world is built from a scenario (scenario.h) and run to completion in one go: the MUA's
 * client engine talks to the MSA's server engine, the MSA queues for the MTA, the MTA asks DNS
 * for the MX and runs its own client engine against the MX's server engine, and the MX's MDA
 * stores the message in the mailbox. Every byte on every link comes from the engines; the world
 * only moves bytes, advances the virtual clock (per-link latency), and records each thing that
 * happens as a step. No wall clock, no randomness except the scenario's seeded generator: the
 * same scenario gives the same steps, byte for byte.
 *
 * Viewers never re-run the engines to step back: the whole timeline is recorded, and the state
 * of every node after step N is a pure function of steps 0..N (world_state_at).
 */
#ifndef WORLD_H
#define WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/world/dns_zone.h"
#include "core/world/scenario.h"

typedef enum {
    WORLD_NODE_MUA,     /* the sender's mail client */
    WORLD_NODE_MSA,     /* submission server, port 587 */
    WORLD_NODE_MTA,     /* relay with a queue */
    WORLD_NODE_DNS,     /* resolver answering MX, A, TXT */
    WORLD_NODE_MX,      /* the recipient domain's server, port 25 */
    WORLD_NODE_MAILBOX, /* the recipient's mailbox (delivery by the MDA) */
    WORLD_NODE_MS,      /* the mailbox server: POP3 110/995, IMAP 143/993 (RFC 5598 4.2.2) */
    WORLD_NODE_READER,  /* the recipient's mail client reading by POP3 or IMAP */
} world_node_kind;

typedef struct {
    int id;                /* index in the node array */
    world_node_kind kind;
    char role[16];         /* "MUA", "MSA", "MTA", "DNS", "MX", "Mailbox" */
    char name[64];         /* "Alice's client", "smtp.example.com" */
    char host[128];        /* host name */
    char addr[48];         /* simulated IP address (documentation ranges, RFC 5737) */
    uint16_t port;         /* listening port, 0 for none */
} world_node;

typedef enum {
    WORLD_STEP_CONNECT,    /* TCP connection opened, from -> to, on port */
    WORLD_STEP_REFUSED,    /* connection refused or host down */
    WORLD_STEP_COMMAND,    /* an SMTP command line, client -> server */
    WORLD_STEP_REPLY,      /* an SMTP reply (all its lines), server -> client */
    WORLD_STEP_DATA,       /* the message content after 354 */
    WORLD_STEP_TLS,        /* TLS handshake done on this connection */
    WORLD_STEP_DNS_QUERY,  /* a DNS question, node -> DNS */
    WORLD_STEP_DNS_ANSWER, /* its answer, DNS -> node */
    WORLD_STEP_QUEUE,      /* a node queued, deferred, or retried a message */
    WORLD_STEP_DELIVER,    /* the MDA stored a message in a mailbox */
    WORLD_STEP_BOUNCE,     /* a delivery status notification (RFC 3464) was generated */
    WORLD_STEP_CHECK,      /* a check done by a node: SPF, DKIM, ... (text says the result) */
    WORLD_STEP_CLOSE,      /* connection closed */
} world_step_kind;

typedef struct {
    size_t index;
    world_step_kind kind;
    int from, to;            /* node ids; the token travels from -> to (equal for local steps) */
    int conn;                /* connection number (one per SMTP session), -1 if none */
    uint16_t port;           /* server port of the connection, 0 if none */
    bool tls;                /* the link was TLS-protected when these bytes crossed it */
    uint64_t t_send_ms;      /* virtual time the step starts */
    uint64_t t_arrive_ms;    /* virtual time it arrives (t_send + link latency) */
    const char *text;        /* one-line display text ("MAIL FROM:<alice@example.com>") */
    const char *bytes;       /* exact bytes on the wire, or NULL */
    size_t len;
    char verb[16];           /* command verb, or the verb a reply answers */
    int code;                /* reply code, 0 if none */
    char esc[16];            /* enhanced status code, "" if none */
    const char *rfc;         /* "RFC 5321 4.1.1.2" */
    const char *key;         /* explain.h key */
    const char *detail;      /* longer text: a DNS answer, the delivered message, ... or NULL */
} world_step;

/* What a node looks like after a given step. */
typedef struct {
    char state[48];          /* "waiting for RCPT", "in DATA", "idle" */
    bool tls;                /* its current session is TLS-protected */
    int queue_len;           /* messages in its queue (MSA/MTA) */
    int mailbox_count;       /* messages delivered (mailbox) */
} world_node_state;

typedef struct world world;

/* world_new - build and run the world for a scenario (which must outlive it). On failure NULL
 * and a message in err. The run is bounded in steps and virtual time. */
world *world_new(const scenario *sc, char *err, size_t errlen);
void world_free(world *w);

size_t world_node_count(const world *w);
const world_node *world_node_at(const world *w, size_t i);
size_t world_step_count(const world *w);
const world_step *world_step_at(const world *w, size_t i);

/* world_state_at - fill out[0..node_count) with each node's state once step `step` is under
 * way: the state after step-1 plus what the sender of `step` did in sending it (a client
 * that sent EHLO says "EHLO sent"); the receiver's reaction belongs to the step it causes
 * (step = SIZE_MAX: before the first step). Exact and cheap: no engine is re-run. */
void world_state_at(const world *w, size_t step, world_node_state *out);

/* world_mailbox_message - the i-th message delivered to mailbox node `node` after all steps,
 * whole (Return-Path:, Received: headers and all), or NULL. */
const char *world_mailbox_message(const world *w, int node, size_t i, size_t *len);

/* world_step_position - where `step` sits, as every view says it: "Step 12 of 50 (0-49)".
 * Steps are numbered from 0 (the transcript, --step, --at), so the count is the last number
 * plus one; "No steps" for an empty timeline. Writes into out, returns out. */
char *world_step_position(size_t step, size_t count, char *out, size_t cap);

/* world_dns_zone - the zone the world's resolver answers from (the pcap export rebuilds DNS
 * packets from it), or NULL for a live world. */
const dns_zone *world_dns_zone(const world *w);

/* world_step_reply_class - how a reply step went, as the first digit of an SMTP reply: 2
 * success, 3 continue, 4 try later, 5 failed, 0 for anything else. SMTP steps carry a code;
 * POP3 and IMAP steps carry code 0 and their status word in esc: +OK, OK and PREAUTH succeed,
 * "+" continues, -ERR, NO and BAD fail, BYE means the server is closing (4) unless it answers
 * LOGOUT (2). One table for every view that colours replies. */
int world_step_reply_class(const world_step *s);

/* world_step_kind_name - "command", "reply", "dns-query", ... */
const char *world_step_kind_name(world_step_kind kind);

/* ---- live timelines (smtpsim live) ----
 * A world with no scenario, whose nodes and steps a driver appends as real sessions happen
 * (the real-socket mode). Viewers treat it like any other world; its step count grows. */
world *world_new_live(void);
/* world_live_add_node - copy a node in; returns its id (>= 0) or -1. */
int world_live_add_node(world *w, const world_node *node);
/* world_live_append_step - copy a step in (strings and bytes are copied; index and the node
 * states are filled by the world from the step: a SMTP reply step's `text` etc.). The node
 * state after the step is given by `state_of_from`/`state_of_to` (NULL: unchanged). 0 or -1. */
int world_live_append_step(world *w, const world_step *step, const char *state_of_from,
                           const char *state_of_to);

/* ---- what if? (fork) ----
 * world_new_fork - run the scenario again, but at step `at_step` (which must be a REPLY step of
 * the original run) the server's reply is replaced by `reply` ("550 5.1.1 No such user"); the
 * rest unfolds through the real engines. NULL and err on failure (not a reply step, bad code). */
world *world_new_fork(const scenario *sc, size_t at_step, const char *reply, char *err,
                      size_t errlen);


/* world_reply_fault_for_step - what a fork at `at_step` changes, as a scenario "reply" fault
 * (FORMAT.md): the server node's id, the verb the reply answers ("CONNECT" for the greeting,
 * "." for the end of data) and which reply to that verb it is (1-based, whole run). 0, or -1
 * when the step is not a server reply. (Added by the world's author for --save-fork.) */
int world_reply_fault_for_step(const world *w, size_t at_step, const char **node_id,
                               char verb[16], int *nth);

#endif
