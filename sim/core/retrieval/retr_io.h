/* retr_io.h - the plumbing every retrieval engine shares: output bytes, the event queue,
 * assembling input lines under a length limit, and the session facts around them (the last
 * activity its timer counts from, whether TLS is up, how a command shows in the events).
 *
 * Each of the four engines (POP3 and IMAP, server and client) embeds one retr_io and builds its
 * public *_output / *_output_consumed / *_next_event / *_deadline / *_tls_started on it, so the
 * four behave alike and the code exists once. Buffers grow by doubling and are reused for the
 * session; the event arena (copies of the wire bytes events show) is rewound at the start of a
 * call once the driver has drained the queue, so steady state allocates nothing. A failed
 * allocation sets `oom`, which the engine turns into a closed session (errors are sticky,
 * never an abort).
 */
#ifndef RETR_IO_H
#define RETR_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/retrieval/retr_event.h"

typedef struct {
    char *p;
    size_t len, cap;
} retr_buf;

typedef struct {
    retr_event ev;
    size_t off; /* bytes: offset into the arena, (size_t)-1 for none */
} retr_ev_slot;

typedef struct {
    retr_buf out;        /* bytes for the peer; out_start of them already sent */
    size_t out_start;
    retr_buf arena;      /* event bytes */
    retr_ev_slot *evq;
    size_t ev_head, ev_count, ev_cap;
    retr_buf line;       /* the input line being assembled (at most the keep limit) */
    size_t line_total;   /* its real length so far, kept or not */
    uint64_t now;
    uint64_t last_activity; /* last bytes from the peer (or the start): timeouts count from it */
    bool tls;               /* the session runs over TLS now */
    bool oom;
} retr_io;

/* retr_io_init / retr_io_free - an empty io at time now (the start counts as activity); free
 * of a zeroed io is a no-op. */
void retr_io_init(retr_io *io, uint64_t now_ms);
void retr_io_free(retr_io *io);

/* retr_io_begin - a public call starts: the clock moves forward (never back) and the arena is
 * rewound when the queue is empty. */
void retr_io_begin(retr_io *io, uint64_t now_ms);

/* retr_io_tls_up - the first half of every engine's *_tls_started: the driver finished a TLS
 * handshake at now_ms. retr_io_begin runs in any case; when live is false (the engine was not
 * waiting for TLS: the session is over, or no STARTTLS was asked) nothing else changes.
 * Otherwise the session is over TLS, counts as active, and a partial line read before the
 * handshake is dropped (RFC 2595 4, RFC 9051 6.2.1: nothing from before the handshake counts).
 * Returns live, so the engine goes on with its own part: a greeting, CAPABILITY again... */
bool retr_io_tls_up(retr_io *io, uint64_t now_ms, bool live);

/* retr_io_deadline - when a session idle since last_activity times out: timeout_ms later,
 * UINT64_MAX when that is past the clock's range. */
uint64_t retr_io_deadline(const retr_io *io, uint64_t timeout_ms);

/* retr_buf_append - append n bytes to b; -1 and io->oom on no memory. */
int retr_buf_append(retr_io *io, retr_buf *b, const void *bytes, size_t n);

/* retr_io_send - queue bytes for the peer; returns where they landed in io->out (valid until
 * the next send), NULL on no memory. */
const char *retr_io_send(retr_io *io, const void *bytes, size_t n);

/* retr_io_event - queue an event; bytes (may be NULL) are copied. The returned event may be
 * filled further until the next retr_io_event; NULL on no memory. */
retr_event *retr_io_event(retr_io *io, retr_event_kind kind, retr_dir dir, const char *bytes,
                          size_t len, const char *key, const char *rfc);

/* retr_io_command - the COMMAND event (client to server) of a command line, as the client
 * sends it or the server receives it. With hide set, the event shows "TAG VERB <credentials
 * hidden>" CRLF instead (tag and verb only when given and not empty), so a password or a SASL
 * response never reaches the events, nor any transcript made of them. verb and tag (NULL:
 * none) are copied into the event, which may be filled further; NULL on no memory. */
retr_event *retr_io_command(retr_io *io, const char *line, size_t len, bool hide, const char *tag,
                            const char *verb, const char *key, const char *rfc);

/* retr_io_state - the STATE event (from -> to, as the engine's own enum values) that every
 * engine's one transition funnel queues. */
void retr_io_state(retr_io *io, int from, int to, const char *key, const char *rfc);

/* retr_io_done - the end of a client session: a DONE event carrying status ("+OK", "NO"...),
 * then a CLOSE event, both citing rfc. */
void retr_io_done(retr_io *io, const char *key, const char *status, const char *close_key,
                  const char *rfc);

/* retr_io_output / retr_io_output_consumed / retr_io_next_event - the public contract of the
 * engines (see pop3_server.h). */
size_t retr_io_output(const retr_io *io, const char **buf);
void retr_io_output_consumed(retr_io *io, size_t n);
int retr_io_next_event(retr_io *io, retr_event *ev);

/* retr_io_line_take - feed bytes into the current line, up to and including the first LF.
 * At most keep bytes are stored (the rest counted in line_total, so the caller can answer
 * "line too long"); returns the bytes used and sets *complete when a LF ended the line. */
size_t retr_io_line_take(retr_io *io, const char *b, size_t n, size_t keep, bool *complete);

/* retr_io_line_reset - start the next line. */
void retr_io_line_reset(retr_io *io);

/* ---- small text helpers used by several engines ------------------------------------------ */

/* retr_ieq - the n bytes at s equal the NUL-terminated lit, ignoring ASCII case. */
bool retr_ieq(const char *s, size_t n, const char *lit);

/* retr_parse_u32 - 1-10 decimal digits, no sign, value 1..UINT32_MAX when nonzero is true
 * (message numbers) or 0..UINT32_MAX; -1 otherwise. */
int retr_parse_u32(const char *s, size_t n, bool nonzero, uint32_t *out);

/* retr_dot_stuff - append data to b as a multi-line body (RFC 1939 3): every line starting with
 * '.' gets one more, bare LF line ends become CRLF, and the body ends in CRLF. The caller
 * appends ".\r\n". -1 on no memory. */
int retr_dot_stuff(retr_io *io, retr_buf *b, const char *data, size_t len);

/* retr_text_ok - our own status text is one printable ASCII line (engines check before
 * sending, and send a fixed text instead of a malformed one: they never abort) */
bool retr_text_ok(const char *t);

/* Octets of a user name or password (RFC 4616 2: up to 255 each). */
#define RETR_CRED_MAX 255

typedef enum {
    RETR_PLAIN_OK,        /* user and pass filled */
    RETR_PLAIN_CANCEL,    /* "*": the client cancelled (RFC 5034 4, RFC 9051 6.2.2) */
    RETR_PLAIN_BASE64,    /* not base64 */
    RETR_PLAIN_MALFORMED, /* not authzid NUL authcid NUL passwd, or too long */
    RETR_PLAIN_AUTHZ,     /* asks to act as another user: refused like a wrong password */
} retr_plain_status;

/* retr_plain_decode - one SASL PLAIN response as POP3 and IMAP carry it (base64 of RFC 4616 2
 * "[authzid] NUL authcid NUL passwd"; "=" is an empty response). user and pass need
 * RETR_CRED_MAX + 1 bytes; the decoded copy is wiped before returning. */
retr_plain_status retr_plain_decode(const char *b64, size_t len, char *user, char *pass);

#endif
