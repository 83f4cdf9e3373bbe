/* smtp_event.h - what the SMTP engines report to their driver.
 *
 * Both engines (smtp_server, smtp_client) queue events while they process bytes; the driver
 * drains them with *_next_event() after every call. Every event names the direction, the exact
 * wire bytes, the command or reply code, the enhanced status code, the RFC section that defines
 * it, and a key into the explanation text (explain.h). The animation, the transcript, the quiz
 * and the real-socket log are all built from these events and nothing else.
 *
 * Lifetime: `bytes`, and the strings an event points to, belong to the engine and stay valid
 * until the next call that feeds, ticks, or resets that engine. Copy what you keep.
 */
#ifndef SMTP_EVENT_H
#define SMTP_EVENT_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    SMTP_DIR_NONE = 0, /* internal: state change, TLS hand-over, ... */
    SMTP_DIR_C2S,      /* client to server */
    SMTP_DIR_S2C,      /* server to client */
} smtp_dir;

typedef enum {
    SMTP_EV_COMMAND = 1, /* a command line (server: received; client: sent). bytes = line + CRLF */
    SMTP_EV_REPLY,       /* a whole reply, all its lines (server: sent; client: received) */
    SMTP_EV_DATA,        /* message content after 354 (bytes = the content as on the wire,
                            dot-stuffed, up to and including CRLF.CRLF) */
    SMTP_EV_STATE,       /* engine state changed: state_from -> state_to (names via *_state_name) */
    SMTP_EV_STARTTLS,    /* the driver must now run the TLS handshake, then call *_tls_started */
    SMTP_EV_AUTH,        /* authentication finished: code says how (235 ok, 535 bad, ...) */
    SMTP_EV_MESSAGE,     /* server: a whole message accepted (envelope via smtp_server_envelope) */
    SMTP_EV_RCPT_RESULT, /* client: the answer for one recipient (rcpt_index, code) */
    SMTP_EV_DONE,        /* client: the transaction is over (see smtp_client_result) */
    SMTP_EV_CLOSE,       /* the engine wants the connection closed after its output is sent */
    SMTP_EV_ERROR,       /* a protocol problem noticed (e.g. bare LF in DATA, line too long) */
} smtp_event_kind;

typedef struct smtp_event {
    smtp_event_kind kind;
    smtp_dir dir;
    const char *bytes; /* exact wire bytes, or NULL */
    size_t len;
    char verb[16];     /* command verb in upper case ("MAIL", "EHLO", "DATA"), "" if none */
    int code;          /* reply code (250), 0 if none */
    char esc[16];      /* enhanced status code ("2.1.0"), "" if none */
    const char *rfc;   /* static string: "RFC 5321 4.1.1.2", never NULL (may be "") */
    const char *key;   /* static string: key into explain.h ("mail.ok"), never NULL */
    int state_from;    /* SMTP_EV_STATE */
    int state_to;
    int rcpt_index;    /* SMTP_EV_RCPT_RESULT: index into the client's recipients */
    uint64_t time_ms;  /* the driver's clock when the event happened */
} smtp_event;

/* smtp_event_kind_name - "command", "reply", ... for logs and JSON output. */
const char *smtp_event_kind_name(smtp_event_kind kind);

#endif
