/* smtp_client.h - the sans-I/O SMTP client engine: one whole mail transaction.
 *
 * Given an envelope and a message, the engine drives a session: waits for 220, EHLO (falling
 * back to HELO on 500/502), STARTTLS when offered or required, AUTH PLAIN/LOGIN when it has
 * credentials, MAIL with SIZE/BODY/SMTPUTF8/DSN parameters, RCPT per recipient (pipelined when
 * PIPELINING is offered, RFC 2920), DATA with CRLF line ends and dot-stuffing, QUIT. It tells a
 * 4xx (try again later) from a 5xx (give up), per recipient and for the whole transaction.
 *
 * Driver loop, as for the server:
 *     cl = smtp_client_new(&cfg, now);            nothing to send until the greeting arrives
 *     bytes from the server -> smtp_client_feed(cl, buf, n, now)
 *     send smtp_client_output(), then smtp_client_output_consumed(n)
 *     drain smtp_client_next_event()
 *     on SMTP_EV_STARTTLS: handshake, then smtp_client_tls_started()
 *     time passes -> smtp_client_tick(cl, now)    (RFC 5321 4.5.3.2 client timeouts)
 *     the connection was lost -> smtp_client_connection_lost(cl)
 *     smtp_client_done() -> smtp_client_result()
 */
#ifndef SMTP_CLIENT_H
#define SMTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/smtp/smtp_event.h"
#include "core/smtp/smtp_limits.h"

typedef enum {
    SMTP_TLS_NONE,          /* never STARTTLS */
    SMTP_TLS_OPPORTUNISTIC, /* STARTTLS when the server offers it (MTA to MX, RFC 3207) */
    SMTP_TLS_REQUIRED,      /* STARTTLS or give up (MUA to MSA) */
    SMTP_TLS_IMPLICIT,      /* the connection is TLS from the start (port 465, RFC 8314) */
} smtp_tls_mode;

typedef enum {
    SMTP_CLI_GREETING, /* waiting for 220 */
    SMTP_CLI_EHLO,     /* EHLO (or HELO) sent */
    SMTP_CLI_STARTTLS, /* STARTTLS sent, or handshake running */
    SMTP_CLI_AUTH,     /* AUTH exchange */
    SMTP_CLI_MAIL,     /* MAIL sent */
    SMTP_CLI_RCPT,     /* RCPT(s) sent */
    SMTP_CLI_DATA,     /* DATA sent, waiting for 354 */
    SMTP_CLI_CONTENT,  /* content sent, waiting for the final reply */
    SMTP_CLI_QUIT,     /* QUIT sent */
    SMTP_CLI_DONE,     /* finished (see the result) */
} smtp_client_state;

typedef enum {
    SMTP_RESULT_PENDING,   /* not finished yet */
    SMTP_RESULT_OK,        /* message accepted (for at least one recipient) */
    SMTP_RESULT_TEMPFAIL,  /* 4xx or lost connection: keep it queued and retry */
    SMTP_RESULT_PERMFAIL,  /* 5xx: give up and bounce */
} smtp_result_status;

typedef struct {
    const char *helo_name;           /* our name for EHLO/HELO */
    const char *mail_from;           /* reverse-path without < >; "" for the null path (bounces) */
    const char *const *rcpts;        /* forward-paths without < > */
    size_t n_rcpts;
    const char *data;                /* message: headers, blank line, body; LF or CRLF line ends */
    size_t data_len;
    const char *auth_user;           /* NULL: no AUTH */
    const char *auth_password;
    const char *auth_mech;           /* "PLAIN", "LOGIN", or NULL to pick from what is offered */
    smtp_tls_mode tls;
    bool tls_available;              /* the driver can run TLS (false: never send STARTTLS) */
    bool use_pipelining;             /* pipeline MAIL/RCPT/DATA when the server offers it */
    bool smtputf8;                   /* ask for SMTPUTF8 (needed for non-ASCII addresses) */
    const char *dsn_ret;             /* RET= for DSN, NULL for none */
    const char *dsn_envid;           /* ENVID=, NULL for none */
    const char *dsn_notify;          /* NOTIFY= for every RCPT, NULL for none */
    bool show_secrets;               /* events may show the password (a lesson asks) */
    smtp_limits limits;              /* client timeouts; copied */
    bool ignore_advertised_size;     /* send MAIL (with SIZE=) even when the message exceeds the
                                        server's advertised SIZE, as some simple clients do, and
                                        let the server refuse with 552 5.3.4 (RFC 1870 6.1);
                                        false: refuse locally as RFC 1870 6 asks */
} smtp_client_config;

/* smtp_client_config_default - pipelining on, opportunistic TLS, limits default. */
void smtp_client_config_default(smtp_client_config *cfg);

typedef struct {
    int code;          /* reply to RCPT (or to DATA's end for accepted ones; MAIL's reply when
                          MAIL was refused), 0 if never asked */
    char esc[16];
    char text[160];
} smtp_rcpt_result;

typedef struct {
    smtp_result_status status;
    int code;                        /* the reply that decided it (0: connection lost/timeout) */
    char esc[16];
    char text[200];                  /* its text, or what went wrong ("connection lost") */
    const char *stage;               /* "greeting", "EHLO", "STARTTLS", "AUTH", "MAIL", ... */
    const smtp_rcpt_result *rcpt;    /* n_rcpts entries */
    size_t n_rcpts;
    size_t n_accepted;               /* recipients that have the message */
    bool tls_used, auth_used, pipelining_used;
    bool local;                      /* decided by the client itself, not by a server reply
                                        (SIZE too big, TLS required but not offered, ...) */
} smtp_client_result;

typedef struct smtp_client smtp_client;

/* smtp_client_new - the connection has just opened. Strings in cfg are copied. */
smtp_client *smtp_client_new(const smtp_client_config *cfg, uint64_t now_ms);
void smtp_client_free(smtp_client *cl);

/* smtp_client_feed - bytes from the server. 0, or -1 once done. */
int smtp_client_feed(smtp_client *cl, const void *bytes, size_t len, uint64_t now_ms);
void smtp_client_tick(smtp_client *cl, uint64_t now_ms);
uint64_t smtp_client_deadline(const smtp_client *cl);
size_t smtp_client_output(const smtp_client *cl, const char **buf);
void smtp_client_output_consumed(smtp_client *cl, size_t n);
int smtp_client_next_event(smtp_client *cl, smtp_event *ev);

/* smtp_client_tls_started - handshake done: the client sends EHLO again (RFC 3207 4.2). For
 * SMTP_TLS_IMPLICIT call it right after _new. */
void smtp_client_tls_started(smtp_client *cl, uint64_t now_ms);

/* smtp_client_connection_lost - the peer closed or could not be reached: a temporary failure
 * (RFC 5321 4.4.5 retry), unless the transaction had already finished. */
void smtp_client_connection_lost(smtp_client *cl, uint64_t now_ms);

smtp_client_state smtp_client_state_get(const smtp_client *cl);
const char *smtp_client_state_name(smtp_client_state st);
bool smtp_client_done(const smtp_client *cl);
const smtp_client_result *smtp_client_result_get(const smtp_client *cl);

/* Engine errors, sticky until the next reset (BearSSL's br_ssl_engine_last_error). The engine
 * never aborts or prints; the result says what it means for the message (TEMPFAIL). */
typedef enum {
    SMTP_CLIENT_OK = 0,
    SMTP_CLIENT_ERR_NO_MEMORY, /* a buffer could not grow: the session ended (TEMPFAIL) */
    SMTP_CLIENT_ERR_PROTOCOL,  /* the server broke the protocol (malformed, unexpected or
                                  over-long reply) or went silent: closed without QUIT */
} smtp_client_error;

/* smtp_client_last_error - the first engine error of the session, SMTP_CLIENT_OK if none. */
smtp_client_error smtp_client_last_error(const smtp_client *cl);

/* ---- additions (client engineer) ---- */

/* Octets in one reply line we accept, CRLF included. RFC 5321 4.5.3.1.5 says 512; we allow
 * twice that for servers with long EHLO lines, and give up (TEMPFAIL) beyond it. */
#define SMTP_CLIENT_REPLY_LINE_MAX 1024
/* Lines in one multi-line reply, and octets in the whole reply, before we give up. */
#define SMTP_CLIENT_REPLY_LINES_MAX 100
#define SMTP_CLIENT_REPLY_MAX (16 * 1024)
/* Octets of an AUTH user name or password (RFC 4616 2: up to 255 octets each). */
#define SMTP_CLIENT_CREDENTIAL_MAX 255

/* smtp_client_reset - start a new session on an existing engine, keeping its allocations (a
 * driver running many sessions back to back avoids malloc/free per session). Same contract as
 * smtp_client_new. 0, or -1 on no memory (the engine is then reset but done, TEMPFAIL). */
int smtp_client_reset(smtp_client *cl, const smtp_client_config *cfg, uint64_t now_ms);

#endif
