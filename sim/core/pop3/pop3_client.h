/* pop3_client.h - the sans-I/O POP3 client engine: download a maildrop (RFC 1939).
 *
 * One session, one command at a time: wait for the greeting, CAPA (RFC 2449 5), STLS when
 * offered or required (RFC 2595 4; CAPA again afterwards, as 4 asks), log in with AUTH PLAIN
 * (RFC 5034, when SASL PLAIN is offered) or USER/PASS, STAT, UIDL, then RETR each message not
 * already known by its unique-id (RFC 1939 7: "leave mail on server"), DELE it when asked to,
 * and QUIT so the deletions happen (RFC 1939 6).
 *
 * Driver loop, as for the SMTP client:
 *     cl = pop3_client_new(&cfg, now);           nothing to send before the greeting
 *     bytes from the server -> pop3_client_feed(cl, buf, n, now)
 *     send pop3_client_output(), then pop3_client_output_consumed(n)
 *     drain pop3_client_next_event()              RETR_EV_MESSAGE carries each message
 *     on RETR_EV_STARTTLS: handshake, then pop3_client_tls_started()
 *     time passes -> pop3_client_tick(cl, now); connection lost -> pop3_client_connection_lost
 *     pop3_client_done() -> pop3_client_result_get()
 */
#ifndef POP3_CLIENT_H
#define POP3_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/retrieval/retr_event.h"

/* Octets in a status line or a line of CAPA/UIDL, CRLF included (RFC 2449 4 says 512). */
#define POP3_CLIENT_LINE_MAX 1024
/* Octets of one downloaded message (a guard against a server that never sends "."). */
#define POP3_CLIENT_MESSAGE_MAX (64u * 1024u * 1024u)
/* Messages in one maildrop we handle. */
#define POP3_CLIENT_MESSAGES_MAX 100000
/* How long we wait for any response (RFC 1939 3 gives servers 10 minutes; we match it). */
#define POP3_CLIENT_TIMEOUT_MS (10u * 60u * 1000u)

typedef enum {
    POP3_CLI_TLS_NONE,          /* never STLS */
    POP3_CLI_TLS_OPPORTUNISTIC, /* STLS when offered */
    POP3_CLI_TLS_REQUIRED,      /* STLS or give up before any password is sent */
    POP3_CLI_TLS_IMPLICIT,      /* TLS from the start (port 995, RFC 8314) */
} pop3_client_tls;

typedef enum {
    POP3_CLI_AUTH_AUTO,  /* AUTH PLAIN when CAPA lists SASL PLAIN, else USER/PASS */
    POP3_CLI_AUTH_USER,  /* USER/PASS (RFC 1939 7) */
    POP3_CLI_AUTH_PLAIN, /* AUTH PLAIN (RFC 5034, RFC 4616) */
} pop3_client_auth;

typedef enum {
    POP3_CLI_GREETING, POP3_CLI_CAPA, POP3_CLI_STLS, POP3_CLI_USER, POP3_CLI_PASS,
    POP3_CLI_AUTH, POP3_CLI_STAT, POP3_CLI_UIDL, POP3_CLI_RETR, POP3_CLI_DELE, POP3_CLI_QUIT,
    POP3_CLI_DONE,
} pop3_client_state;

typedef enum {
    POP3_RESULT_PENDING,
    POP3_RESULT_OK,       /* QUIT answered +OK: the deletions are done */
    POP3_RESULT_TEMPFAIL, /* try again later: lost connection, timeout, [IN-USE], [SYS/TEMP] */
    POP3_RESULT_PERMFAIL, /* wrong password, TLS required but not offered, protocol error */
} pop3_result_status;

typedef struct {
    const char *user;
    const char *password;
    pop3_client_auth auth;
    pop3_client_tls tls;
    bool tls_available;           /* the driver can run TLS */
    bool delete_after;            /* DELE each message once downloaded */
    const char *const *known_uids; /* unique-ids downloaded before: skipped (leave on server) */
    size_t n_known;
    bool show_secrets;            /* events may show the password */
} pop3_client_config;

/* pop3_client_config_default - opportunistic TLS, AUTH auto, leave mail on the server. */
void pop3_client_config_default(pop3_client_config *cfg);

typedef struct {
    pop3_result_status status;
    const char *stage;  /* "greeting", "STLS", "login", "STAT", "UIDL", "RETR", "DELE", "QUIT" */
    char code[24];      /* response code of the deciding -ERR ("IN-USE", "AUTH"), or "" */
    char text[160];     /* its text, or what went wrong */
    uint32_t messages;  /* in the maildrop (STAT) */
    uint32_t downloaded, deleted, skipped;
    bool tls_used, local; /* local: decided by the client, not by a server response */
} pop3_client_result;

typedef struct pop3_client pop3_client;

/* pop3_client_new - the connection just opened; cfg strings are copied. NULL on no memory. */
pop3_client *pop3_client_new(const pop3_client_config *cfg, uint64_t now_ms);
void pop3_client_free(pop3_client *cl);

int pop3_client_feed(pop3_client *cl, const void *bytes, size_t len, uint64_t now_ms);
void pop3_client_tick(pop3_client *cl, uint64_t now_ms);
uint64_t pop3_client_deadline(const pop3_client *cl);
size_t pop3_client_output(const pop3_client *cl, const char **buf);
void pop3_client_output_consumed(pop3_client *cl, size_t n);
int pop3_client_next_event(pop3_client *cl, retr_event *ev);

/* pop3_client_tls_started - handshake done (after STLS, or right after _new for implicit). */
void pop3_client_tls_started(pop3_client *cl, uint64_t now_ms);
/* pop3_client_connection_lost - the server went away: TEMPFAIL unless already done. */
void pop3_client_connection_lost(pop3_client *cl, uint64_t now_ms);

pop3_client_state pop3_client_state_get(const pop3_client *cl);
const char *pop3_client_state_name(pop3_client_state st);
bool pop3_client_done(const pop3_client *cl);
const pop3_client_result *pop3_client_result_get(const pop3_client *cl);

/* pop3_client_message_uid - the unique-id of message k (1-based) from UIDL, "" if unknown;
 * valid until _free. Drivers record it with each RETR_EV_MESSAGE to leave mail on server. */
const char *pop3_client_message_uid(const pop3_client *cl, uint32_t k);

#endif
