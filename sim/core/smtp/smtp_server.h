/* smtp_server.h - the sans-I/O SMTP server engine (RFC 5321 and its ESMTP extensions).
 *
 * The engine never touches sockets, clocks, randomness or TLS. The driver (the simulated world,
 * or the real-socket event loop) does this, for one connection:
 *
 *     srv = smtp_server_new(&cfg, &peer, now);      greeting is queued as output
 *     loop:
 *         send smtp_server_output() bytes, then smtp_server_output_consumed(n)
 *         drain smtp_server_next_event()             transcript, animation, logs
 *         on SMTP_EV_STARTTLS: run the handshake, then smtp_server_tls_started()
 *         on SMTP_EV_CLOSE or smtp_server_done(): close after the output is flushed
 *         bytes arrive -> smtp_server_feed(srv, buf, n, now)
 *         time passes  -> smtp_server_tick(srv, now)   (timeouts, see smtp_server_deadline)
 *     smtp_server_free(srv)
 *
 * Role (MX, MSA, MTA) is policy on the one engine. Decisions that need the outside world
 * (does this user exist, is this peer trusted, may this message be stored) are asked through
 * the optional hooks in smtp_server_policy; they are plain functions and must not block. The
 * accept hook runs before the final 250 is queued, so a driver that stores the message in the
 * hook never answers 250 for mail that is not stored.
 *
 * Hooks that must wait (llhttp's pause/resume). on_mail, on_rcpt and on_accept may answer
 * "pending" with smtp_verdict_pending(v) when the answer needs something slow (a DNS lookup, a
 * disk flush). Then:
 *   - the engine queues no reply for that command and stops reading input:
 *     smtp_server_paused(srv) is true;
 *   - bytes fed meanwhile are kept, not lost, up to SMTP_SERVER_HOLD_MAX octets; beyond that
 *     they are dropped and, after the verdict's reply, the session ends with 421 4.7.0;
 *   - the envelope passed to the hook stays valid until the resume;
 *   - no timeout runs (smtp_server_deadline is UINT64_MAX, tick does nothing): the client is
 *     waiting for us, and bounding the wait is the driver's job (resume with a 4xx if the
 *     lookup takes too long);
 *   - the driver calls smtp_server_resume(srv, &verdict, now) with the final verdict (code 0:
 *     accept). The engine answers exactly as if the hook had returned that verdict, then
 *     reads the input it held, which may pause it again in the same call;
 *   - smtp_server_shutdown while paused answers 421 and closes; the verdict is then dropped
 *     (smtp_server_resume returns -1), so a driver that stored the message must not count it
 *     as accepted.
 *
 * Errors in the engine itself (a reply our own code formatted wrongly, a bad verdict from a
 * hook, no memory) never abort or print: the first one is kept (smtp_server_last_error) and
 * the client gets 451 4.3.0 (or, out of memory, the session closes).
 */
#ifndef SMTP_SERVER_H
#define SMTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/smtp/smtp_command.h"
#include "core/smtp/smtp_event.h"
#include "core/smtp/smtp_limits.h"

typedef enum {
    SMTP_ROLE_MX,  /* port 25: accepts mail for its local domains only */
    SMTP_ROLE_MSA, /* port 587: accepts mail from authenticated users, to anywhere */
    SMTP_ROLE_MTA, /* relay: accepts from authenticated or trusted peers, queues for next hop */
} smtp_role;

/* Server states: the value of state_from/state_to in SMTP_EV_STATE events. */
typedef enum {
    SMTP_SRV_GREETING,   /* greeting queued, nothing received yet */
    SMTP_SRV_READY,      /* waiting for EHLO/HELO */
    SMTP_SRV_IDLE,       /* greeted; waiting for MAIL (or AUTH, STARTTLS, ...) */
    SMTP_SRV_MAIL,       /* MAIL accepted; waiting for RCPT */
    SMTP_SRV_RCPT,       /* at least one RCPT accepted; waiting for RCPT or DATA */
    SMTP_SRV_DATA,       /* 354 sent; receiving the message */
    SMTP_SRV_AUTH,       /* in an AUTH exchange (334 sent) */
    SMTP_SRV_TLS,        /* 220 to STARTTLS sent; waiting for the driver's handshake */
    SMTP_SRV_CLOSED,     /* 221 or 421 sent; no more input is read */
} smtp_server_state;

typedef struct {
    const char *name;
    const char *password;
} smtp_user;

/* A policy hook's answer. code 0 means "accept, with the engine's usual reply";
 * SMTP_VERDICT_PENDING means "ask me again later" (see the pause contract above). */
typedef struct {
    int code;
    char esc[16];
    char text[160];
} smtp_verdict;

#define SMTP_VERDICT_PENDING (-1)

/* smtp_verdict_set - fill a refusal: code (4xx/5xx), enhanced code ("" for none) and a printf
 * text (truncated to fit). The engine checks it before it goes on the wire. */
void smtp_verdict_set(smtp_verdict *v, int code, const char *esc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* smtp_verdict_pending - the hook cannot answer yet: the session pauses. */
void smtp_verdict_pending(smtp_verdict *v);

/* Internal errors, sticky until the session is freed (BearSSL's br_ssl_engine_last_error). */
typedef enum {
    SMTP_SERVER_OK = 0,
    SMTP_SERVER_ERR_BAD_REPLY,   /* our own code built a malformed reply (a bug): 451 4.3.0 sent */
    SMTP_SERVER_ERR_BAD_VERDICT, /* a hook's verdict was not a valid refusal: 451 4.3.0 sent */
    SMTP_SERVER_ERR_NO_MEMORY,   /* a buffer could not grow: the session closed */
    SMTP_SERVER_ERR_HOLD_OVERFLOW, /* too much input while paused: 421 and close */
} smtp_server_error;

/* Octets of input kept while a hook is pending (a pipelined group and then some). */
#define SMTP_SERVER_HOLD_MAX (64 * 1024)

typedef struct smtp_envelope smtp_envelope;

typedef struct {
    void *ctx;
    /* MAIL FROM: e.g. SPF (550 5.7.23), greylisting (451 4.7.1). May be NULL. */
    void (*on_mail)(void *ctx, const smtp_envelope *env, smtp_verdict *v);
    /* RCPT TO, after the engine's own role checks passed. May be NULL. */
    void (*on_rcpt)(void *ctx, const smtp_envelope *env, const char *rcpt, smtp_verdict *v);
    /* End of DATA, before the final reply: store or queue the message here. May be NULL. */
    void (*on_accept)(void *ctx, const smtp_envelope *env, smtp_verdict *v);
    /* AUTH: return true when the credentials are good. NULL: check cfg.users. */
    bool (*check_password)(void *ctx, const char *user, const char *password);
} smtp_server_policy;

typedef struct {
    smtp_role role;
    const char *hostname;              /* our name in the greeting and Received: ("mx.example.org") */
    const char *const *local_domains;  /* MX: domains we accept mail for */
    size_t n_local_domains;
    const char *const *mailboxes;      /* MX: known local-parts; NULL = every local-part exists */
    size_t n_mailboxes;
    const smtp_user *users;            /* AUTH users (MSA, MTA) */
    size_t n_users;
    smtp_limits limits;                /* copied at smtp_server_new */
    bool tls_available;                /* the driver can run TLS: offer STARTTLS */
    bool require_tls;                  /* 530 5.7.0 Must issue a STARTTLS command first */
    bool allow_plain_auth;             /* offer AUTH before TLS (otherwise 504 5.5.4) */
    bool require_auth;                 /* MAIL without AUTH gets 530 5.7.0 (default for MSA) */
    bool pipelining, eightbitmime, smtputf8, dsn, enhancedstatuscodes; /* offered in EHLO */
    bool show_secrets;                 /* events may show passwords (a lesson asks); default no */
    smtp_server_policy policy;
} smtp_server_config;

/* smtp_server_config_default - a role's usual settings: extensions on, limits default,
 * MSA requires AUTH and TLS before AUTH. Pointers (hostname, domains, users) left NULL. */
void smtp_server_config_default(smtp_server_config *cfg, smtp_role role);

/* Who is connecting: filled by the driver, shown in Received: and available to hooks. */
typedef struct {
    char addr[64];     /* "192.0.2.10" or "127.0.0.1" */
    char name[256];    /* reverse name if the driver knows one, else "" */
    bool trusted;      /* MTA role: relay for this peer without AUTH */
    bool implicit_tls; /* the connection is already TLS (port 465 style) */
} smtp_peer;

/* The transaction as the engine knows it: valid during hooks and SMTP_EV_MESSAGE, until the
 * next call into the engine. Paths are without angle brackets; "" is the null reverse-path. */
struct smtp_envelope {
    const smtp_peer *peer;
    const char *helo;           /* argument of EHLO/HELO */
    bool esmtp;                 /* EHLO (true) or HELO (false) */
    bool tls;                   /* the session is under TLS now */
    const char *auth_user;      /* authenticated user, or NULL */
    const char *mail_from;      /* reverse-path */
    uint64_t declared_size;     /* SIZE= parameter, 0 if none */
    const char *body;           /* "7BIT", "8BITMIME" or "" */
    bool smtputf8;
    const char *dsn_ret;        /* RET= FULL/HDRS or "" */
    const char *dsn_envid;      /* ENVID= or "" */
    const char *const *rcpts;   /* accepted forward-paths */
    const char *const *rcpt_notify; /* per recipient NOTIFY= or "" */
    size_t n_rcpts;
    const char *data;           /* message content, dot-stuffing removed, CRLF line ends */
    size_t data_len;
};

typedef struct smtp_server smtp_server;

/* smtp_server_new - a session that has just been connected at time now_ms. Queues the 220
 * greeting (or nothing yet for implicit TLS: see smtp_server_tls_started). NULL on no memory. */
smtp_server *smtp_server_new(const smtp_server_config *cfg, const smtp_peer *peer, uint64_t now_ms);

/* smtp_server_free - NULL is a no-op. */
void smtp_server_free(smtp_server *srv);

/* smtp_server_feed - bytes received from the client. Consumes all of them; bytes that follow a
 * STARTTLS command in the same feed are discarded (CVE-2011-0411). 0, or -1 once closed. */
int smtp_server_feed(smtp_server *srv, const void *bytes, size_t len, uint64_t now_ms);

/* smtp_server_tick - time passes; a deadline reached gives 421 4.4.2 and a close. */
void smtp_server_tick(smtp_server *srv, uint64_t now_ms);

/* smtp_server_deadline - when the next timeout fires (ms), UINT64_MAX for none. */
uint64_t smtp_server_deadline(const smtp_server *srv);

/* smtp_server_output - pending output bytes (may be 0); *buf points into the engine. */
size_t smtp_server_output(const smtp_server *srv, const char **buf);

/* smtp_server_output_consumed - the driver has sent n bytes of the output. */
void smtp_server_output_consumed(smtp_server *srv, size_t n);

/* smtp_server_next_event - 1 and *ev filled while events are queued, else 0. */
int smtp_server_next_event(smtp_server *srv, smtp_event *ev);

/* smtp_server_tls_started - the handshake succeeded: the session restarts (RFC 3207 4.2). For
 * an implicit-TLS peer, call this right after _new; the greeting is then queued. */
void smtp_server_tls_started(smtp_server *srv, uint64_t now_ms);

/* smtp_server_shutdown - the server is going down: 421 4.3.2 and close (RFC 5321 3.8). */
void smtp_server_shutdown(smtp_server *srv, uint64_t now_ms);

/* smtp_server_state_get - the current state; smtp_server_done: closed and output empty. */
smtp_server_state smtp_server_state_get(const smtp_server *srv);
bool smtp_server_done(const smtp_server *srv);

/* smtp_server_state_name - "waiting for RCPT" style text for a state, for people. */
const char *smtp_server_state_name(smtp_server_state st);

/* smtp_server_envelope - the current transaction (see struct smtp_envelope). */
const smtp_envelope *smtp_server_envelope(const smtp_server *srv);

/* smtp_server_paused - a hook answered pending and the engine waits for smtp_server_resume. */
bool smtp_server_paused(const smtp_server *srv);

/* smtp_server_resume - the final verdict of the pending hook (code 0 accepts; a pending
 * verdict is refused). The engine answers, then processes the input it held. 0, or -1 when the
 * session was not paused (or was closed meanwhile, e.g. by smtp_server_shutdown). */
int smtp_server_resume(smtp_server *srv, const smtp_verdict *v, uint64_t now_ms);

/* smtp_server_last_error - the first internal error of the session, SMTP_SERVER_OK if none. */
smtp_server_error smtp_server_last_error(const smtp_server *srv);

/* smtp_server_error_name - "bad reply" style text for logs. */
const char *smtp_server_error_name(smtp_server_error err);

/* One row per reply the engine can send: code, enhanced code, text (NULL when built at run
 * time: host name, EHLO lines, a hook's verdict), explanation key and the RFC that defines it.
 * The engine says reply(srv, R_MAIL_SYNTAX); code, text and citation cannot drift apart. */
typedef struct {
    int code;
    const char *esc;
    const char *text;
    const char *key;
    const char *rfc;
} smtp_server_reply_info;

/* smtp_server_reply_count / smtp_server_reply_at - iterate the reply table (lint, tests). */
int smtp_server_reply_count(void);
const smtp_server_reply_info *smtp_server_reply_at(int i);

/* smtp_server_command_info - the command table row of id: verb, syntax, RFC, explanation key
 * (NULL for SMTP_CMD_UNKNOWN or out of range). */
const smtp_command_info *smtp_server_command_info(smtp_command_id id);

#endif
