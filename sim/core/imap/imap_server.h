/* imap_server.h - the sans-I/O IMAP server engine: an IMAP4rev2 (RFC 9051) teaching subset,
 * also speaking IMAP4rev1 (RFC 3501) to the clients that ask for nothing newer.
 *
 * Commands: CAPABILITY, NOOP, LOGOUT, STARTTLS, LOGIN (refused before TLS: LOGINDISABLED),
 * AUTHENTICATE PLAIN (with SASL-IR, RFC 4959), ENABLE, NAMESPACE, LIST, LSUB, STATUS,
 * SUBSCRIBE, UNSUBSCRIBE, SELECT, EXAMINE, CHECK, CLOSE, UNSELECT, EXPUNGE, SEARCH, FETCH,
 * STORE, UID FETCH/STORE/SEARCH, IDLE (RFC 2177); with a provider that has folders also
 * CREATE, DELETE, RENAME, APPEND, COPY, MOVE (RFC 6851), UID COPY/MOVE/EXPUNGE and UIDPLUS
 * (RFC 4315), SPECIAL-USE (RFC 6154) and APPENDLIMIT (RFC 7889). Mailboxes live behind the
 * storage interface of mailbox.h (opened shared, without a lock). Literals come in
 * synchronizing and RFC 7888 LITERAL- form and go out as literals whenever a string is not
 * plain short text.
 *
 * Driver loop, as for the other engines:
 *     srv = imap_server_new(&cfg, implicit_tls, now);   "* OK [CAPABILITY ...]" queued
 *     bytes arrive -> imap_server_feed; send imap_server_output, then _output_consumed
 *     drain imap_server_next_event; on RETR_EV_STARTTLS: handshake, then _tls_started
 *     time passes -> imap_server_tick (autologout, RFC 9051 5.4)
 *     the mailbox changed (new mail, another session's flags) -> imap_server_mailbox_changed
 *     on RETR_EV_CLOSE or imap_server_done(): close once the output is sent
 */
#ifndef IMAP_SERVER_H
#define IMAP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/retrieval/mailbox.h"
#include "core/retrieval/retr_event.h"

/* Octets of one command line (between literals), CRLF included. RFC 9051 4 sets no limit;
 * RFC 7162 3.2.1 suggests at least 8192. */
#define IMAP_LINE_MAX 8192
/* Octets of one literal in a command other than APPEND (names, search strings). */
#define IMAP_LITERAL_MAX 65536
/* Octets of one APPENDed message, advertised as APPENDLIMIT (RFC 7889); the whole command
 * may hold this plus IMAP_COMMAND_MAX. */
#define IMAP_APPEND_MAX (32u * 1024u * 1024u)
/* RFC 7888 LITERAL-: non-synchronizing literals up to 4096 octets. */
#define IMAP_LITERAL_PLUS_MAX 4096
/* Octets of a whole command, literals included. */
#define IMAP_COMMAND_MAX (256 * 1024)
/* Characters of a tag we accept (the event struct keeps 23). */
#define IMAP_TAG_MAX 23
/* BAD answers before the session ends with BYE. */
#define IMAP_MAX_ERRORS 20
/* Failed logins before the session ends. */
#define IMAP_MAX_AUTH_FAILURES 3
/* Command lines (and IDLE/SASL lines) in one session. */
#define IMAP_MAX_COMMANDS 1000000
/* RFC 9051 5.4: the autologout timer is at least 30 minutes (IDLE included). */
#define IMAP_TIMEOUT_MS (30u * 60u * 1000u)
/* Items in one FETCH, keys in one SEARCH. */
#define IMAP_FETCH_ITEMS_MAX 32
#define IMAP_SEARCH_KEYS_MAX 64

typedef enum {
    IMAP_SRV_GREETING,  /* implicit TLS: waiting for the handshake before the greeting */
    IMAP_SRV_NOT_AUTH,  /* RFC 9051 3.1: not authenticated */
    IMAP_SRV_SASL,      /* AUTHENTICATE: "+ " sent, waiting for the response */
    IMAP_SRV_TLS,       /* STARTTLS answered: the driver runs the handshake */
    IMAP_SRV_AUTH,      /* RFC 9051 3.2: authenticated */
    IMAP_SRV_SELECTED,  /* RFC 9051 3.3: a mailbox is selected */
    IMAP_SRV_IDLE,      /* RFC 2177: IDLE, waiting for DONE */
    IMAP_SRV_LOGOUT,    /* RFC 9051 3.4: BYE sent, no more input */
} imap_server_state;

typedef struct {
    const char *hostname;      /* in the greeting */
    mailbox_provider provider; /* passwords and the INBOX */
    bool tls_available;        /* offer STARTTLS */
    bool allow_plaintext;      /* LOGIN and AUTHENTICATE PLAIN before TLS (RFC 9051 6.2.3:
                                  default false, advertised as LOGINDISABLED) */
    bool show_secrets;         /* events may show passwords */
    uint64_t timeout_ms;       /* autologout; default IMAP_TIMEOUT_MS */
} imap_server_config;

void imap_server_config_default(imap_server_config *cfg);

typedef struct imap_server imap_server;

imap_server *imap_server_new(const imap_server_config *cfg, bool implicit_tls, uint64_t now_ms);
void imap_server_free(imap_server *srv);
int imap_server_feed(imap_server *srv, const void *bytes, size_t len, uint64_t now_ms);
void imap_server_tick(imap_server *srv, uint64_t now_ms);
uint64_t imap_server_deadline(const imap_server *srv);
size_t imap_server_output(const imap_server *srv, const char **buf);
void imap_server_output_consumed(imap_server *srv, size_t n);
int imap_server_next_event(imap_server *srv, retr_event *ev);
void imap_server_tls_started(imap_server *srv, uint64_t now_ms);

/* imap_server_mailbox_changed - the mailbox changed behind the session (delivery, another
 * session). During IDLE the news (EXISTS, FETCH FLAGS, EXPUNGE) goes out at once (RFC 2177);
 * otherwise it waits for the next NOOP, CHECK or IDLE. */
void imap_server_mailbox_changed(imap_server *srv, uint64_t now_ms);

imap_server_state imap_server_state_get(const imap_server *srv);
const char *imap_server_state_name(imap_server_state st);
bool imap_server_done(const imap_server *srv);
const char *imap_server_user(const imap_server *srv);

#endif
