/* imap_client.h - the sans-I/O IMAP client engine: read a mailbox as a mail program does.
 *
 * One session: the greeting (its CAPABILITY code, or a CAPABILITY command), STARTTLS when
 * offered or required (RFC 9051 6.2.1; CAPABILITY again afterwards), AUTHENTICATE PLAIN with
 * an initial response when AUTH=PLAIN and SASL-IR are offered (RFC 4959), else LOGIN (never
 * when LOGINDISABLED is advertised), SELECT INBOX, UID SEARCH for the messages wanted, UID
 * FETCH BODY.PEEK[] of each, UID STORE +FLAGS.SILENT (\Seen) when asked, then optionally IDLE
 * (RFC 2177) until new mail arrives or the wait ends (then fetch the new mail), and LOGOUT.
 *
 * Driver loop, as for the other engines:
 *     cl = imap_client_new(&cfg, now);            nothing to send before the greeting
 *     bytes from the server -> imap_client_feed; send imap_client_output, _output_consumed
 *     drain imap_client_next_event                  RETR_EV_MESSAGE carries each message
 *     on RETR_EV_STARTTLS: handshake, then imap_client_tls_started
 *     time passes -> imap_client_tick (timeouts, and the end of an IDLE wait)
 *     the connection was lost -> imap_client_connection_lost
 *     imap_client_done() -> imap_client_result_get()
 */
#ifndef IMAP_CLIENT_H
#define IMAP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/retrieval/retr_event.h"

/* Octets of one response line between literals, CRLF included. */
#define IMAP_CLIENT_LINE_MAX 65536
/* Octets of one literal (one message) and of one whole response. */
#define IMAP_CLIENT_LITERAL_MAX (64u * 1024u * 1024u)
/* UIDs one SEARCH answer may list; more are left for the next session. */
#define IMAP_CLIENT_UIDS_MAX 10000
/* How long we wait for any response (RFC 9051 5.4 gives servers 30 minutes). */
#define IMAP_CLIENT_TIMEOUT_MS (10u * 60u * 1000u)

typedef enum {
    IMAP_CLI_TLS_NONE,
    IMAP_CLI_TLS_OPPORTUNISTIC, /* STARTTLS when offered */
    IMAP_CLI_TLS_REQUIRED,      /* STARTTLS or give up before any password is sent */
    IMAP_CLI_TLS_IMPLICIT,      /* TLS from the start (port 993, RFC 8314) */
} imap_client_tls;

typedef enum {
    IMAP_CLI_GREETING, IMAP_CLI_CAPABILITY, IMAP_CLI_STARTTLS, IMAP_CLI_LOGIN, IMAP_CLI_SELECT,
    IMAP_CLI_SEARCH, IMAP_CLI_FETCH, IMAP_CLI_STORE, IMAP_CLI_IDLE, IMAP_CLI_LOGOUT,
    IMAP_CLI_DONE,
} imap_client_state;

typedef enum {
    IMAP_RESULT_PENDING,
    IMAP_RESULT_OK,       /* LOGOUT answered */
    IMAP_RESULT_TEMPFAIL, /* lost connection, timeout, BYE, [UNAVAILABLE] */
    IMAP_RESULT_PERMFAIL, /* wrong password, TLS required but missing, protocol error */
} imap_result_status;

typedef struct {
    const char *user;
    const char *password;
    imap_client_tls tls;
    bool tls_available;
    bool unseen_only;   /* UID SEARCH UNSEEN (true) or ALL */
    bool mark_seen;     /* UID STORE +FLAGS.SILENT (\Seen) after each download */
    uint64_t idle_ms;   /* 0: no IDLE; else IDLE this long (or until new mail) before LOGOUT */
    bool show_secrets;
} imap_client_config;

/* imap_client_config_default - opportunistic TLS, unseen only, mark seen, no IDLE. */
void imap_client_config_default(imap_client_config *cfg);

typedef struct {
    imap_result_status status;
    const char *stage;  /* "greeting", "STARTTLS", "login", "SELECT", "SEARCH", "FETCH", ... */
    char code[24];      /* response code of the deciding NO/BAD/BYE, or "" */
    char text[160];
    uint32_t exists;    /* messages in INBOX (last EXISTS) */
    uint32_t uidvalidity;
    uint32_t downloaded;
    bool idle_news;     /* new mail was announced during IDLE */
    bool tls_used, local;
} imap_client_result;

typedef struct imap_client imap_client;

imap_client *imap_client_new(const imap_client_config *cfg, uint64_t now_ms);
void imap_client_free(imap_client *cl);
int imap_client_feed(imap_client *cl, const void *bytes, size_t len, uint64_t now_ms);
void imap_client_tick(imap_client *cl, uint64_t now_ms);
uint64_t imap_client_deadline(const imap_client *cl);
size_t imap_client_output(const imap_client *cl, const char **buf);
void imap_client_output_consumed(imap_client *cl, size_t n);
/* imap_client_next_event - RETR_EV_MESSAGE: msg is the message's UID, bytes its content. */
int imap_client_next_event(imap_client *cl, retr_event *ev);
void imap_client_tls_started(imap_client *cl, uint64_t now_ms);
void imap_client_connection_lost(imap_client *cl, uint64_t now_ms);
imap_client_state imap_client_state_get(const imap_client *cl);
const char *imap_client_state_name(imap_client_state st);
bool imap_client_done(const imap_client *cl);
const imap_client_result *imap_client_result_get(const imap_client *cl);

#endif
