/* world_recorder.h - one recorder for SMTP sessions: what an engine reports (smtp_event.h)
 * becomes a step of a world's timeline and a node state.
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

#endif
