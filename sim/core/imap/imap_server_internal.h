/* imap_server_internal.h - the IMAP server session, shared by imap_server.c (session, input,
 * funnels), imap_login.c (STARTTLS, LOGIN, AUTHENTICATE), imap_mailbox.c (SELECT, LIST,
 * STATUS, ...) and imap_fetch.c (FETCH, STORE, SEARCH, EXPUNGE). Not for other modules. */
#ifndef IMAP_SERVER_INTERNAL_H
#define IMAP_SERVER_INTERNAL_H

#include "core/imap/imap_parse.h"
#include "core/imap/imap_server.h"
#include "core/retrieval/retr_io.h"

#define IMAP_NAME_MAX 255

typedef struct {
    uint32_t uid;
    unsigned flags; /* as last told to the client */
} imap_view_msg;

struct imap_server {
    imap_server_config cfg;
    retr_io io;
    imap_server_state state;
    imap_server_state idle_from; /* where DONE returns to */
    bool rev2, readonly, mb_open;
    unsigned errors, auth_failures;
    uint32_t commands;
    char hostname[IMAP_NAME_MAX + 1];
    char user[IMAP_NAME_MAX + 1];
    char tag[IMAP_TAG_MAX + 1];
    char verb[16];
    mailbox mb;
    imap_view_msg *view;  /* the selected mailbox as the client knows it (seq = index + 1) */
    size_t n_view, view_cap;
    retr_buf cmd;         /* the command being assembled, literals included */
    size_t literal_left;
    bool discard;         /* skipping the rest of a refused command */
    retr_buf scratch;
};

/* funnels (imap_server.c) */
void imap_tagged(imap_server *srv, const char *status, const char *code, const char *key,
                 const char *rfc, const char *text);
size_t imap_untagged_begin(imap_server *srv);
void imap_untagged_end(imap_server *srv, size_t start, const char *key, const char *rfc,
                       uint32_t msg);
void imap_bad(imap_server *srv, const char *key, const char *rfc, const char *text);

void imap_respond(imap_server *srv, retr_event_kind kind, const char *tag, const char *status,
                  const char *code, const char *key, const char *rfc, const char *text);
void imap_untagged(imap_server *srv, const char *key, const char *rfc, const char *text);
void imap_set_state(imap_server *srv, imap_server_state to);

void imap_continuation(imap_server *srv, const char *key, const char *rfc, const char *text);
void imap_bye(imap_server *srv, const char *key, const char *rfc, const char *text);
bool imap_plaintext_ok(const imap_server *srv);
void imap_capabilities(imap_server *srv, char *out, size_t cap);

/* mailbox helpers (imap_server.c) */
int imap_view_reserve(imap_server *srv, size_t n);
long imap_locate(imap_server *srv, uint32_t uid);
int imap_put_flags(imap_server *srv, unsigned flags);
void imap_sync_view(imap_server *srv, bool allow_expunge);
uint32_t imap_max_uid(const imap_server *srv);

/* not-authenticated commands (imap_login.c) */
void imap_cmd_starttls(imap_server *srv, imap_cursor *c);
void imap_cmd_login(imap_server *srv, imap_cursor *c);
void imap_cmd_authenticate(imap_server *srv, imap_cursor *c);
/* imap_sasl_plain - the base64 PLAIN response of an AUTHENTICATE exchange */
void imap_sasl_plain(imap_server *srv, const char *b64, size_t len);

/* mailbox commands (imap_mailbox.c): c is after the command name */
void imap_cmd_select(imap_server *srv, imap_cursor *c);
void imap_cmd_examine(imap_server *srv, imap_cursor *c);
void imap_cmd_list(imap_server *srv, imap_cursor *c);
void imap_cmd_lsub(imap_server *srv, imap_cursor *c);
void imap_cmd_status(imap_server *srv, imap_cursor *c);
void imap_cmd_enable(imap_server *srv, imap_cursor *c);
void imap_cmd_namespace(imap_server *srv, imap_cursor *c);
void imap_cmd_subscribe(imap_server *srv, imap_cursor *c);
void imap_cmd_no_other_mailboxes(imap_server *srv, imap_cursor *c);

/* message commands (imap_fetch.c) */
void imap_cmd_fetch(imap_server *srv, imap_cursor *c, bool uid);
void imap_cmd_store(imap_server *srv, imap_cursor *c, bool uid);
void imap_cmd_search(imap_server *srv, imap_cursor *c, bool uid);
void imap_cmd_expunge(imap_server *srv, imap_cursor *c);
/* imap_expunge_deleted - remove \Deleted messages; report EXPUNGE responses when loud */
void imap_expunge_deleted(imap_server *srv, bool loud);

#endif
