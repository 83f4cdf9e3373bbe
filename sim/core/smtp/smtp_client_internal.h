/* smtp_client_internal.h - what the files of the client engine share, and nobody else sees.
 *
 * The engine is one module in three files: smtp_client.c (buffers, events, the outcome, the
 * prepared message and the public API), smtp_client_send.c (writing commands, with the table
 * of MAIL/RCPT parameters) and smtp_client_reply.c (reading replies: one handler per awaited
 * reply, in the client's command table). Functions here are prefixed cli_.
 */
#ifndef SMTP_CLIENT_INTERNAL_H
#define SMTP_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/smtp/smtp_client.h"
#include "core/util/membuf.h"
#include "core/util/str_util.h"

/* Outstanding commands: what a reply answers. */
typedef enum {
    PEND_GREETING, /* the 220 at connection time (RFC 5321 3.1) */
    PEND_EHLO,
    PEND_HELO,
    PEND_STARTTLS,
    PEND_AUTH,      /* AUTH PLAIN <ir>, AUTH PLAIN, or AUTH LOGIN */
    PEND_AUTH_USER, /* LOGIN: the user name line */
    PEND_AUTH_PASS, /* LOGIN: the password line; PLAIN: the response after an empty 334 */
    PEND_MAIL,
    PEND_RCPT,
    PEND_DATA,
    PEND_CONTENT, /* the message and its CRLF.CRLF */
    PEND_DOT,     /* a lone "." after an unwanted 354 (RFC 2920 3.1) */
    PEND_RSET,
    PEND_QUIT,
    PEND_COUNT
} pend_kind;

/* What the server offered in its EHLO reply (RFC 5321 4.1.1.1 and each extension's RFC). */
enum {
    EXT_PIPELINING = 1u << 0, /* RFC 2920 */
    EXT_SIZE = 1u << 1,       /* RFC 1870 */
    EXT_8BITMIME = 1u << 2,   /* RFC 6152 */
    EXT_SMTPUTF8 = 1u << 3,   /* RFC 6531 */
    EXT_DSN = 1u << 4,        /* RFC 3461 */
    EXT_STARTTLS = 1u << 5,   /* RFC 3207 */
    EXT_AUTH = 1u << 6,       /* RFC 4954 */
    EXT_ESC = 1u << 7,        /* ENHANCEDSTATUSCODES, RFC 2034 */
};
enum { MECH_PLAIN = 1u << 0, MECH_LOGIN = 1u << 1 };

typedef struct {
    uint8_t kind; /* pend_kind */
    uint32_t idx; /* RCPT: recipient index */
} pend;

/* The handler of the reply to one kind of outstanding command: what the reply means and the
 * next step. r (len bytes) is the whole reply, all its lines; esc its enhanced code or "". */
typedef void (*reply_handler)(smtp_client *cl, pend p, int code, const char *esc, const char *r,
                              size_t len);

/* The client's command table (smtp_client_reply.c): one row per kind of outstanding command,
 * what it is called, the RFC that defines it, the state it puts the client in, the 4.5.3.2
 * timeout for its reply and the handler of that reply. */
typedef struct {
    const char *verb;
    const char *stage; /* smtp_client_result.stage */
    const char *rfc;
    const char *key; /* explain key for the command and its ordinary reply */
    smtp_client_state state;
    smtp_limit_id timeout;
    reply_handler on_reply;
} pend_info;

extern const pend_info cli_pend_table[PEND_COUNT];

typedef struct {
    smtp_event ev;
    size_t off; /* bytes: offset into evbytes (ev.bytes is set when the event is taken) */
    bool has_bytes;
    bool in_wire; /* bytes are the prepared message itself (`wire`, unchanged all session) */
} qevent;

struct smtp_client {
    /* configuration; its strings point into `strs` */
    smtp_client_config cfg;
    membuf strs;
    const char **rcpt_ptrs;
    size_t rcpt_ptrs_cap;

    /* the message, prepared once: CRLF line ends, dot-stuffed, ".\r\n" at the end */
    membuf wire;
    uint64_t msg_size; /* RFC 1870 size: CRLF line ends, no stuffing dots, no final dot */
    bool msg_8bit;     /* an octet >= 128: BODY=8BITMIME (RFC 6152) */
    bool addr_utf8;    /* a non-ASCII address: SMTPUTF8 needed (RFC 6531 3.2) */

    /* session */
    smtp_client_state state;
    uint64_t now, deadline;
    unsigned ext, mechs;
    uint64_t ext_size; /* SIZE limit offered, 0: none stated */
    bool tls_active, tls_tried, handshake, auth_tried, auth_login;
    bool pipelined, mail_failed, quit_queued, quit_after, rset_after;
    bool content_flushed, discard_input;
    const char *auth_stage_text;

    pend *pend;
    size_t p_head, p_len, p_cap;

    smtp_rcpt_result *rcpt;
    size_t rcpt_cap;
    smtp_client_result res;

    membuf out;
    size_t out_off;

    membuf rbuf;         /* the reply being received */
    size_t line_start; /* where its current line starts */
    unsigned n_lines;
    int reply_code;

    membuf evbytes;
    qevent *evq;
    size_t ev_head, ev_len, ev_cap;

    bool oom;
    bool use_utf8;           /* this transaction asks for SMTPUTF8 (RFC 6531 3.4) */
    smtp_client_error error; /* sticky: the first engine error (smtp_client_last_error) */
};

/* ---- smtp_client.c -------------------------------------------------------------------- */

int cli_cbuf_reserve(smtp_client *cl, membuf *b, size_t more);
int cli_cbuf_put(smtp_client *cl, membuf *b, const void *s, size_t n);
int cli_cbuf_puts(smtp_client *cl, membuf *b, const char *s);
int cli_cbuf_putu(smtp_client *cl, membuf *b, uint64_t v);
smtp_event *cli_emit(smtp_client *cl, smtp_event_kind kind, smtp_dir dir, const char *bytes,
                     size_t len, const char *verb, int code, const char *esc, const char *rfc,
                     const char *key);
void cli_set_state(smtp_client *cl, smtp_client_state st);
void cli_decide(smtp_client *cl, smtp_result_status st, int code, const char *esc, const char *text,
                size_t text_len, const char *stage, bool local);
void cli_decide_str(smtp_client *cl, smtp_result_status st, int code, const char *esc,
                    const char *text, const char *stage, bool local);
smtp_result_status cli_status_for(int code);
void cli_finish(smtp_client *cl, bool want_close);
void cli_give_up(smtp_client *cl, const char *key, const char *rfc, const char *why,
                 const char *bytes, size_t len, const char *stage);

/* ---- smtp_client_send.c --------------------------------------------------------------- */

pend_kind cli_head_kind(const smtp_client *cl);
void cli_arm(smtp_client *cl);
void cli_push(smtp_client *cl, pend_kind kind, size_t idx);
size_t cli_cmd_begin(smtp_client *cl);
void cli_cmd_end(smtp_client *cl, size_t start, pend_kind kind, size_t idx, const char *key,
                 const char *rfc, const char *masked);
void cli_simple_cmd(smtp_client *cl, pend_kind kind, const char *key, const char *rfc);
void cli_send_quit(smtp_client *cl);
void cli_send_ehlo(smtp_client *cl, bool helo, const char *key, const char *rfc);
void cli_send_rcpt(smtp_client *cl, size_t i);
void cli_start_transaction(smtp_client *cl);
void cli_send_auth(smtp_client *cl);
void cli_send_b64_line(smtp_client *cl, pend_kind kind, const char *s, bool secret);
void cli_proceed(smtp_client *cl);

/* ---- smtp_client_reply.c -------------------------------------------------------------- */

const char *cli_ext_word(const char *s, size_t n, const char *kw, size_t *rest);
void cli_line_done(smtp_client *cl);

#endif
