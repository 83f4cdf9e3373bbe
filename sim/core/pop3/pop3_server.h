/* pop3_server.h - the sans-I/O POP3 server engine (RFC 1939, with RFC 2449 CAPA and response
 * codes, RFC 2595 STLS, RFC 5034 AUTH PLAIN).
 *
 * Like smtp_server, the engine never touches sockets, clocks or TLS. One connection:
 *
 *     srv = pop3_server_new(&cfg, now);              "+OK ... ready" is queued
 *     (implicit TLS, port 995: run the handshake, then pop3_server_tls_started)
 *     loop:
 *         send pop3_server_output() bytes, then pop3_server_output_consumed(n)
 *         drain pop3_server_next_event()              transcript, animation, logs
 *         on RETR_EV_STARTTLS: handshake, then pop3_server_tls_started()
 *         on RETR_EV_CLOSE or pop3_server_done(): close once the output is flushed
 *         bytes arrive -> pop3_server_feed(srv, buf, n, now)
 *         time passes  -> pop3_server_tick(srv, now)  (the RFC 1939 3 autologout timer)
 *     pop3_server_free(srv)                           releases the maildrop lock
 *
 * The mailbox comes from cfg.provider (mailbox.h), opened with the exclusive lock RFC 1939 8
 * asks for. Message numbers and sizes are fixed for the session (RFC 1939 5); DELE only marks
 * a message, and marked messages are expunged in the UPDATE state that QUIT enters (RFC 1939
 * 6). A session that ends any other way (timeout, lost connection, free) removes nothing.
 */
#ifndef POP3_SERVER_H
#define POP3_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/retrieval/mailbox.h"
#include "core/retrieval/retr_event.h"

/* Octets in a command line, CRLF included (RFC 2449 4: 255). */
#define POP3_LINE_MAX 255
/* Octets in a line of an AUTH exchange (RFC 5034 4 lets SASL responses be longer than 255;
 * 8 KiB holds any PLAIN response with RFC 4616's 255-octet fields many times over). */
#define POP3_AUTH_LINE_MAX 8192
/* Failed commands (-ERR answers) before the session ends (Postfix-style hard error limit). */
#define POP3_MAX_ERRORS 20
/* Failed logins before the session ends. */
#define POP3_MAX_AUTH_FAILURES 3
/* Commands in one session: enough for RETR and DELE of a 40,000-message maildrop. */
#define POP3_MAX_COMMANDS 100000
/* RFC 1939 3: the autologout timer is at least 10 minutes. */
#define POP3_TIMEOUT_MS (10u * 60u * 1000u)

typedef enum {
    POP3_SRV_GREETING,      /* implicit TLS: waiting for the handshake before the greeting */
    POP3_SRV_AUTHORIZATION, /* RFC 1939 4: waiting for USER/PASS, AUTH, STLS, CAPA, QUIT */
    POP3_SRV_SASL,          /* RFC 5034 4: "+ " sent, waiting for the client's response */
    POP3_SRV_TLS,           /* "+OK Begin TLS" sent: the driver runs the handshake */
    POP3_SRV_TRANSACTION,   /* RFC 1939 5: logged in, the maildrop is locked */
    POP3_SRV_UPDATE,        /* RFC 1939 6: QUIT received, deleting the marked messages */
    POP3_SRV_CLOSED,        /* no more input is read */
} pop3_server_state;

typedef struct {
    const char *hostname;          /* in the greeting ("mail.example.org") */
    mailbox_provider provider;     /* passwords and mailboxes */
    bool tls_available;            /* the driver can run TLS: offer STLS */
    bool allow_plaintext;          /* USER/PASS and AUTH PLAIN before TLS (RFC 2595 2.3 says
                                      servers should refuse them; default false) */
    bool show_secrets;             /* events may show passwords; default false */
    uint64_t timeout_ms;           /* autologout; default POP3_TIMEOUT_MS */
} pop3_server_config;

/* pop3_server_config_default - no TLS, plaintext login refused, RFC timeout. */
void pop3_server_config_default(pop3_server_config *cfg);

typedef struct pop3_server pop3_server;

/* pop3_server_new - a session just connected at now_ms; the greeting is queued unless
 * implicit_tls (port 995, RFC 8314): then call pop3_server_tls_started after the handshake.
 * cfg strings are copied. NULL on no memory. */
pop3_server *pop3_server_new(const pop3_server_config *cfg, bool implicit_tls, uint64_t now_ms);

/* pop3_server_free - releases the mailbox (without UPDATE); NULL is a no-op. */
void pop3_server_free(pop3_server *srv);

/* pop3_server_feed - bytes from the client; all are consumed. Bytes after STLS in the same
 * feed are discarded (the CVE-2011-0411 lesson, RFC 2595 4). 0, or -1 once closed. */
int pop3_server_feed(pop3_server *srv, const void *bytes, size_t len, uint64_t now_ms);

/* pop3_server_tick - time passes; at the deadline the session closes without UPDATE. */
void pop3_server_tick(pop3_server *srv, uint64_t now_ms);
uint64_t pop3_server_deadline(const pop3_server *srv);

size_t pop3_server_output(const pop3_server *srv, const char **buf);
void pop3_server_output_consumed(pop3_server *srv, size_t n);
int pop3_server_next_event(pop3_server *srv, retr_event *ev);

/* pop3_server_tls_started - the handshake succeeded (after STLS, or for implicit TLS). */
void pop3_server_tls_started(pop3_server *srv, uint64_t now_ms);

pop3_server_state pop3_server_state_get(const pop3_server *srv);
const char *pop3_server_state_name(pop3_server_state st);
/* pop3_server_done - closed and all output taken. */
bool pop3_server_done(const pop3_server *srv);
/* pop3_server_user - the logged-in user, or NULL. */
const char *pop3_server_user(const pop3_server *srv);

#endif
