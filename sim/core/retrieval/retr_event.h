/* retr_event.h - what the mail retrieval engines (POP3 and IMAP, server and client) report.
 *
 * The same idea as smtp_event.h, with what retrieval needs and SMTP lacks: a status word
 * instead of a numeric reply code (POP3 "+OK"/"-ERR", IMAP "OK"/"NO"/"BAD"/"BYE"), the IMAP
 * command tag, and the bracketed response code (RFC 2449 "[IN-USE]", RFC 9051 "[ALERT]").
 * Every event names its RFC section and a key into the explanation text, so the window, the
 * transcript and the quiz can be built from events alone, as for SMTP.
 *
 * Lifetime: `bytes` and the strings in an event belong to the engine and stay valid until the
 * next call that feeds, ticks or resets that engine. Copy what you keep.
 *
 * Shared by sim/core/pop3 and sim/core/imap (it lives here because POP3 came first).
 */
#ifndef RETR_EVENT_H
#define RETR_EVENT_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    RETR_DIR_NONE = 0, /* internal: state change, TLS hand-over, ... */
    RETR_DIR_C2S,      /* client to server */
    RETR_DIR_S2C,      /* server to client */
} retr_dir;

typedef enum {
    RETR_EV_COMMAND = 1, /* a command line (server: received; client: sent), CRLF included */
    RETR_EV_RESPONSE,    /* a final response: POP3 +OK/-ERR with any multi-line body, or an
                            IMAP tagged OK/NO/BAD (and the greeting) */
    RETR_EV_UNTAGGED,    /* IMAP "* ..." data or status, literals included */
    RETR_EV_CONTINUE,    /* a continuation request: POP3 "+ " in AUTH, IMAP "+ ..." */
    RETR_EV_STATE,       /* engine state changed: state_from -> state_to */
    RETR_EV_STARTTLS,    /* the driver must run the TLS handshake, then call *_tls_started */
    RETR_EV_AUTH,        /* a login attempt finished: status "+OK"/"OK" or "-ERR"/"NO" */
    RETR_EV_MESSAGE,     /* client: one message downloaded (msg = its number, bytes = content) */
    RETR_EV_DONE,        /* client: the whole job is over (see the client's result) */
    RETR_EV_CLOSE,       /* the engine wants the connection closed once its output is sent */
    RETR_EV_ERROR,       /* a protocol problem noticed (line too long, bare LF, ...) */
} retr_event_kind;

typedef struct retr_event {
    retr_event_kind kind;
    retr_dir dir;
    const char *bytes; /* exact wire bytes, or NULL */
    size_t len;
    char verb[16];     /* command in upper case ("RETR", "UID FETCH" is "UID"), "" if none */
    char tag[24];      /* IMAP tag of the command answered, "" for POP3 and untagged */
    char status[8];    /* "+OK", "-ERR", "OK", "NO", "BAD", "BYE", "PREAUTH", "" */
    char code[24];     /* response code without brackets ("IN-USE", "AUTH", "ALERT"), "" */
    uint32_t msg;      /* message number the event is about (RETR 3 -> 3), 0 if none */
    const char *rfc;   /* static: "RFC 1939 5", never NULL (may be "") */
    const char *key;   /* static: key into explain.h ("pop3.retr.ok"), never NULL */
    int state_from;    /* RETR_EV_STATE */
    int state_to;
    uint64_t time_ms;  /* the driver's clock when it happened */
} retr_event;

/* retr_event_kind_name - "command", "response", ... for logs and JSON output. */
const char *retr_event_kind_name(retr_event_kind kind);

#endif
