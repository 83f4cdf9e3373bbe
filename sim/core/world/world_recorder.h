/* world_recorder.h - one recorder for SMTP sessions: what an engine reports (smtp_event.h)
 * becomes a step of a world's timeline and a node state; and one for POP3/IMAP sessions
 * (retr_event.h), shared the same way by the simulated retrieval hop (world_retrieval.c) and
 * by the real sessions `smtpsim live` serves.
 *
 * The simulated world's pumps (world_conn.c) and `smtpsim live`, which records real sessions
 * into a live world (world_new_live), both record through here, so a session reads the same in
 * both: the step's kind and direction, its one-line text (the first line; "(+N lines)" after a
 * multi-line reply; control characters shown as '?'), the verb a reply answers ("CONNECT" for
 * the greeting, "." for the end of the data), code, enhanced code, RFC section and explanation
 * key, and the node state each engine names. What is not an engine event (a connection, TLS,
 * DNS, the queue, a delivery) each driver records itself.
 */
#ifndef WORLD_RECORDER_H
#define WORLD_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/retrieval/retr_event.h"
#include "core/smtp/smtp_event.h"
#include "core/world/world.h"

/* One SMTP session as the timeline sees it. */
typedef struct {
    int client, server; /* node ids of the two ends */
    int conn;           /* connection number (world_step.conn) */
    uint16_t port;      /* the server's port */
    bool tls;           /* the link is under TLS now: the driver sets it */
    int srv_state;      /* the server engine's state as its events told it (the recorder keeps
                           it: which reply answers the end of the data depends on it) */
} world_link;

/* world_link_init - a session that has just connected (the server about to greet). */
void world_link_init(world_link *l, int client, int server, int conn_id, uint16_t port);

/* world_record_event - record engine event ev of link l: a COMMAND, the message DATA or a
 * REPLY becomes a step sent at t_send and arriving at t_arrive (its bytes copied); a STATE
 * becomes the state of the node whose engine it is (`server_engine`: the server's). Other
 * events record nothing. The step, or NULL (no step, or the timeline is full). */
const world_step *world_record_event(world *w, world_link *l, const smtp_event *ev,
                                     bool server_engine, uint64_t t_send, uint64_t t_arrive);

/* world_reply_verb - the verb a REPLY event answers on link l: "CONNECT" for the greeting,
 * "." for the reply after the message content, else the command's verb. */
const char *world_reply_verb(const world_link *l, const smtp_event *ev);

/* world_step_arrow - how a transcript marks a step, swaks-style: " -> " client to server,
 * "<-  " server to client, " ~> " / "<~  " under TLS, "=== " for everything else. */
const char *world_step_arrow(const world_step *s);

/* ---- POP3 and IMAP ------------------------------------------------------------------------ */

/* One POP3 or IMAP session as the timeline sees it. A command is recorded from the client
 * engine's COMMAND event when there is a client engine (the simulated hop), else from the
 * server engine's (a real client: `live`); responses and untagged lines from the server's.
 * Either way each line crosses the link once, credentials hidden as the engine hides them. */
typedef struct {
    int client, server;   /* node ids of the reader and the mailbox server */
    int conn;             /* connection number (world_step.conn) */
    uint16_t port;        /* the server's port */
    bool pop3;            /* POP3, else IMAP: the keys of the TLS step */
    bool implicit_tls;    /* TLS from the first byte (995, 993) */
    bool server_commands; /* no client engine: commands come from the server engine */
    bool tls;             /* the link is under TLS now (set by a TLS step) */
    bool any_line;        /* a command or response has crossed the link */
    int failed;           /* -1 once the timeline refused a step (sticky) */
    char st_cl[48], st_srv[48]; /* node states waiting for the node's next step, "" if none */
    retr_event line;      /* a line held until the events after it are seen */
    bool have_line;
    uint64_t line_t0, line_t1;
} world_retr_link;

/* world_retr_link_init - a session that has just connected. */
void world_retr_link_init(world_retr_link *l, bool pop3, int client, int server, int conn_id,
                          uint16_t port, bool implicit_tls);

/* world_retr_record_event - record engine event ev (`server_engine`: the server's), sent at
 * t_send and arriving at t_arrive: a command or response line becomes a step once the engine's
 * next event is seen, so the state change it reports right after its own line (a greeting,
 * then AUTHORIZATION) rides on that line; a STATE is kept for its node's next step; an ERROR is
 * a CHECK step. STARTTLS, AUTH, MESSAGE, DONE and CLOSE record nothing (the driver's TLS and
 * close steps say them). ev's bytes must stay valid until the next record or flush. */
void world_retr_record_event(world *w, world_retr_link *l, const retr_event *ev,
                             bool server_engine, uint64_t t_send, uint64_t t_arrive);

/* world_retr_record_flush - the engine has no more events for now: the held line is a step. */
void world_retr_record_flush(world *w, world_retr_link *l);

/* world_retr_record_step - a step that is no engine event: CONNECT, TLS (which puts the link
 * under TLS), CLOSE or CHECK, with the world's own keys (explain_retr.c); a held line is
 * recorded first. */
void world_retr_record_step(world *w, world_retr_link *l, world_step_kind kind,
                            bool from_client, uint64_t t_send, uint64_t t_arrive,
                            const char *text);

#endif
