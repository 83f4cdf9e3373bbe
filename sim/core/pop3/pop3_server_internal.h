/* pop3_server_internal.h - the POP3 server session, shared by pop3_server.c (funnels, input,
 * TRANSACTION and UPDATE commands) and pop3_login.c (AUTHORIZATION: USER/PASS, AUTH PLAIN,
 * STLS). Not for other modules. */
#ifndef POP3_SERVER_INTERNAL_H
#define POP3_SERVER_INTERNAL_H

#include "core/pop3/pop3_server.h"
#include "core/retrieval/retr_io.h"

#define NAME_MAX_LEN 255 /* user names and passwords we keep (RFC 4616 2: 255 octets each) */
#define TEXT_MAX 160     /* our status line text */

/* States in which a command is valid (bit per pop3_server_state). */
#define S_AUTHZ (1u << POP3_SRV_AUTHORIZATION)
#define S_TRANS (1u << POP3_SRV_TRANSACTION)

struct pop3_server;
typedef void (*cmd_fn)(struct pop3_server *srv, const char *const *argv, size_t argc,
                       const char *rest, size_t rest_len);

/* One row per command: everything about it in one place. */
typedef struct {
    const char *verb;
    unsigned states;   /* S_* where it is valid */
    unsigned min_args, max_args;
    cmd_fn fn;
    const char *key;   /* explanation key of the command */
    const char *rfc;
} command_row;

typedef struct {
    uint32_t uid;
    uint64_t size;
    bool deleted;      /* marked by DELE, removed at QUIT (RFC 1939 6) */
} msg_info;

struct pop3_server {
    pop3_server_config cfg;
    retr_io io;
    pop3_server_state state;
    bool user_given, mb_open;
    unsigned errors, auth_failures;
    uint32_t commands;
    char verb[16];
    char hostname[NAME_MAX_LEN + 1];
    char user[NAME_MAX_LEN + 1];
    char authed[NAME_MAX_LEN + 1];
    mailbox mb;
    msg_info *msgs;    /* snapshot at login, n_msgs entries */
    size_t n_msgs;
    retr_buf scratch;  /* multi-line bodies being built (LIST, UIDL, CAPA) */
};

/* funnels and helpers (pop3_server.c) */
void pop3_srv_set_state(pop3_server *srv, pop3_server_state to);
void pop3_srv_release_mailbox(pop3_server *srv);
void pop3_srv_close(pop3_server *srv, const char *key, const char *rfc);
void pop3_srv_respond(pop3_server *srv, bool ok, const char *code, const char *key,
                      const char *rfc, const char *text, bool multi, const char *body,
                      size_t body_len, uint32_t msg);
void pop3_srv_ok(pop3_server *srv, const char *key, const char *rfc, const char *text);
void pop3_srv_err(pop3_server *srv, const char *code, const char *key, const char *rfc,
                  const char *text);
bool pop3_srv_plaintext_ok(const pop3_server *srv);

/* AUTHORIZATION commands (pop3_login.c) */
void pop3_cmd_user(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                   size_t rest_len);
void pop3_cmd_pass(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                   size_t rest_len);
void pop3_cmd_stls(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                   size_t rest_len);
void pop3_cmd_auth(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                   size_t rest_len);
/* pop3_sasl_response - one base64 line of an AUTH exchange (RFC 5034 4) */
void pop3_sasl_response(pop3_server *srv, const char *s, size_t len);

#endif
