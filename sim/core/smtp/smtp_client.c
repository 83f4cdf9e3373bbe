/* smtp_client.c - the sans-I/O SMTP client engine: one whole mail transaction.
 *
 * The engine reads reply bytes, writes command bytes into its output buffer, and queues events;
 * it never touches a socket, a clock or TLS (see smtp_client.h for the driver loop). Its state
 * is plain data: flags, counters, and buffers it owns.
 *
 * How it works. Every command we send is pushed on a queue of outstanding commands (`pend`);
 * every complete reply pops the head of that queue and goes to the handler for that command.
 * Without PIPELINING the queue holds one command at a time; with it (RFC 2920) MAIL, every RCPT
 * and DATA go out in one write and their replies are matched in order. The public state
 * (SMTP_CLI_*) follows the head of the queue and changes only in set_state(), which emits
 * SMTP_EV_STATE. The outcome (smtp_client_result) is decided once, by the first reply or local
 * decision that settles it (decide()); after that the engine only winds down with QUIT.
 *
 * Costs: a session allocates nothing once its buffers have grown (smtp_client_reset reuses
 * them). The message is prepared once (CRLF line ends, dot-stuffing, RFC 5321 4.5.2) when the
 * session starts, so SIZE and BODY are known before MAIL. Event bytes are copied into one
 * buffer that is emptied when the driver has drained every event.
 */
#include "core/smtp/smtp_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/base64.h"

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

/* The command table: what each outstanding command is called, the RFC that defines it, the
 * state it puts the client in, and the 4.5.3.2 timeout for its reply. */
typedef struct {
    const char *verb;
    const char *stage; /* smtp_client_result.stage */
    const char *rfc;
    const char *key; /* explain key for the command and its ordinary reply */
    smtp_client_state state;
    smtp_limit_id timeout;
} pend_info;

static const pend_info pend_table[PEND_COUNT] = {
    [PEND_GREETING] = {"", "greeting", "RFC 5321 3.1", "client.greeting", SMTP_CLI_GREETING,
                       SMTP_LIMIT_TIMEOUT_GREETING},
    [PEND_EHLO] = {"EHLO", "EHLO", "RFC 5321 4.1.1.1", "client.ehlo", SMTP_CLI_EHLO,
                   SMTP_LIMIT_TIMEOUT_MAIL},
    [PEND_HELO] = {"HELO", "HELO", "RFC 5321 4.1.1.1", "client.helo", SMTP_CLI_EHLO,
                   SMTP_LIMIT_TIMEOUT_MAIL},
    [PEND_STARTTLS] = {"STARTTLS", "STARTTLS", "RFC 3207 4", "client.starttls", SMTP_CLI_STARTTLS,
                       SMTP_LIMIT_TIMEOUT_MAIL},
    [PEND_AUTH] = {"AUTH", "AUTH", "RFC 4954 4", "client.auth", SMTP_CLI_AUTH,
                   SMTP_LIMIT_TIMEOUT_MAIL},
    [PEND_AUTH_USER] = {"AUTH", "AUTH", "RFC 4954 4", "client.auth", SMTP_CLI_AUTH,
                        SMTP_LIMIT_TIMEOUT_MAIL},
    [PEND_AUTH_PASS] = {"AUTH", "AUTH", "RFC 4954 4", "client.auth", SMTP_CLI_AUTH,
                        SMTP_LIMIT_TIMEOUT_MAIL},
    [PEND_MAIL] = {"MAIL", "MAIL", "RFC 5321 4.1.1.2", "client.mail", SMTP_CLI_MAIL,
                   SMTP_LIMIT_TIMEOUT_MAIL},
    [PEND_RCPT] = {"RCPT", "RCPT", "RFC 5321 4.1.1.3", "client.rcpt", SMTP_CLI_RCPT,
                   SMTP_LIMIT_TIMEOUT_RCPT},
    [PEND_DATA] = {"DATA", "DATA", "RFC 5321 4.1.1.4", "client.data", SMTP_CLI_DATA,
                   SMTP_LIMIT_TIMEOUT_DATA_INIT},
    [PEND_CONTENT] = {"DATA", "end of data", "RFC 5321 4.1.1.4", "client.accepted",
                      SMTP_CLI_CONTENT, SMTP_LIMIT_TIMEOUT_DATA_TERM},
    [PEND_DOT] = {"DATA", "end of data", "RFC 2920 3.1", "client.no_recipients", SMTP_CLI_CONTENT,
                  SMTP_LIMIT_TIMEOUT_DATA_TERM},
    [PEND_RSET] = {"RSET", "RSET", "RFC 5321 4.1.1.5", "client.rset", SMTP_CLI_QUIT,
                   SMTP_LIMIT_TIMEOUT_MAIL},
    [PEND_QUIT] = {"QUIT", "QUIT", "RFC 5321 4.1.1.10", "client.quit", SMTP_CLI_QUIT,
                   SMTP_LIMIT_TIMEOUT_MAIL},
};

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
    char *p;
    size_t len, cap;
} cbuf;

typedef struct {
    uint8_t kind; /* pend_kind */
    uint32_t idx; /* RCPT: recipient index */
} pend;

typedef struct {
    smtp_event ev;
    size_t off; /* bytes: offset into evbytes (ev.bytes is set when the event is taken) */
    bool has_bytes;
    bool in_wire; /* bytes are the prepared message itself (`wire`, unchanged all session) */
} qevent;

struct smtp_client {
    /* configuration; its strings point into `strs` */
    smtp_client_config cfg;
    cbuf strs;
    const char **rcpt_ptrs;
    size_t rcpt_ptrs_cap;

    /* the message, prepared once: CRLF line ends, dot-stuffed, ".\r\n" at the end */
    cbuf wire;
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

    cbuf out;
    size_t out_off;

    cbuf rbuf;         /* the reply being received */
    size_t line_start; /* where its current line starts */
    unsigned n_lines;
    int reply_code;

    cbuf evbytes;
    qevent *evq;
    size_t ev_head, ev_len, ev_cap;

    bool oom;
};

/* ---------------------------------------------------------------------------------------------
 * buffers */

/* cbuf_reserve - room for `more` bytes after len; sets cl->oom on failure. */
static int cbuf_reserve(smtp_client *cl, cbuf *b, size_t more)
{
    if (b->cap - b->len >= more)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < more)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        cl->oom = true;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static int cbuf_put(smtp_client *cl, cbuf *b, const void *s, size_t n)
{
    if (n == 0)
        return 0;
    if (cbuf_reserve(cl, b, n) < 0)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

static int cbuf_puts(smtp_client *cl, cbuf *b, const char *s)
{
    return cbuf_put(cl, b, s, strlen(s));
}

/* cbuf_putu - a decimal number, without printf (this runs for every MAIL). */
static int cbuf_putu(smtp_client *cl, cbuf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return cbuf_put(cl, b, tmp + i, sizeof tmp - i);
}

/* copy_str - NUL-terminated copy into a fixed array, truncating. */
static void copy_str(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* copy_short - a short NUL-terminated string (verb, enhanced code) into a small array; a
 * loop, not strlen + memcpy: this runs for every event. */
static void copy_short(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    if (src)
        for (; i + 1 < cap && src[i]; i++)
            dst[i] = src[i];
    dst[i] = '\0';
}

/* ---------------------------------------------------------------------------------------------
 * events */

/* emit - queue one event; bytes (may be NULL) are copied. Returns the queued event so the
 * caller can fill in the rarer fields. */
static smtp_event *emit(smtp_client *cl, smtp_event_kind kind, smtp_dir dir, const char *bytes,
                        size_t len, const char *verb, int code, const char *esc, const char *rfc,
                        const char *key)
{
    static smtp_event scratch;
    if (cl->ev_head + cl->ev_len == cl->ev_cap) {
        if (cl->ev_head > 0) {
            memmove(cl->evq, cl->evq + cl->ev_head, cl->ev_len * sizeof *cl->evq);
            cl->ev_head = 0;
        } else {
            size_t cap = cl->ev_cap ? cl->ev_cap * 2 : 32;
            qevent *q = realloc(cl->evq, cap * sizeof *q);
            if (!q) {
                cl->oom = true;
                return &scratch;
            }
            cl->evq = q;
            cl->ev_cap = cap;
        }
    }
    qevent *qe = &cl->evq[cl->ev_head + cl->ev_len];
    qe->has_bytes = false;
    qe->in_wire = false;
    qe->off = 0;
    if (bytes && bytes == cl->wire.p) {
        qe->has_bytes = true; /* no 2 KB copy: wire is not written again until a reset */
        qe->in_wire = true;
    } else if (bytes) {
        qe->off = cl->evbytes.len;
        if (cbuf_put(cl, &cl->evbytes, bytes, len) < 0)
            return &scratch;
        qe->has_bytes = true;
    }
    cl->ev_len++;
    smtp_event *ev = &qe->ev;
    ev->kind = kind;
    ev->dir = dir;
    ev->bytes = NULL;
    ev->len = bytes ? len : 0;
    copy_short(ev->verb, sizeof ev->verb, verb);
    ev->code = code;
    copy_short(ev->esc, sizeof ev->esc, esc);
    ev->rfc = rfc ? rfc : "";
    ev->key = key ? key : "";
    ev->state_from = 0;
    ev->state_to = 0;
    ev->rcpt_index = -1;
    ev->time_ms = cl->now;
    return ev;
}

/* set_state - the one place the public state changes; every change is an event. */
static void set_state(smtp_client *cl, smtp_client_state st)
{
    if (cl->state == st)
        return;
    smtp_event *ev = emit(cl, SMTP_EV_STATE, SMTP_DIR_NONE, NULL, 0, "", 0, "", "", "client.state");
    ev->state_from = (int)cl->state;
    ev->state_to = (int)st;
    cl->state = st;
}

/* begin_call - every entry point that may queue events starts here: the event bytes buffer
 * is emptied once the driver has taken every event (their lifetime ends at this call). */
static void begin_call(smtp_client *cl, uint64_t now_ms)
{
    if (now_ms > cl->now)
        cl->now = now_ms;
    if (cl->ev_len == 0) {
        cl->ev_head = 0;
        cl->evbytes.len = 0;
    }
}

/* ---------------------------------------------------------------------------------------------
 * outcome */

/* decide - settle the result once; later calls keep the first decision. */
static void decide(smtp_client *cl, smtp_result_status st, int code, const char *esc,
                   const char *text, size_t text_len, const char *stage, bool local)
{
    if (cl->res.status != SMTP_RESULT_PENDING)
        return;
    cl->res.status = st;
    cl->res.code = code;
    copy_str(cl->res.esc, sizeof cl->res.esc, esc, strlen(esc));
    copy_str(cl->res.text, sizeof cl->res.text, text, text_len);
    cl->res.stage = stage;
    cl->res.local = local;
}

static void decide_str(smtp_client *cl, smtp_result_status st, int code, const char *esc,
                       const char *text, const char *stage, bool local)
{
    decide(cl, st, code, esc, text, strlen(text), stage, local);
}

static smtp_result_status status_for(int code)
{
    return code >= 500 ? SMTP_RESULT_PERMFAIL : SMTP_RESULT_TEMPFAIL;
}

/* finish - the session is over: close, and say so. */
static void finish(smtp_client *cl, bool want_close)
{
    if (cl->state == SMTP_CLI_DONE)
        return;
    if (cl->res.status == SMTP_RESULT_PENDING)
        decide_str(cl, SMTP_RESULT_TEMPFAIL, 0, "", "session ended before a decision", "QUIT",
                   false);
    cl->p_len = 0;
    cl->p_head = 0;
    cl->deadline = UINT64_MAX;
    cl->discard_input = true;
    set_state(cl, SMTP_CLI_DONE);
    if (want_close)
        emit(cl, SMTP_EV_CLOSE, SMTP_DIR_NONE, NULL, 0, "", 0, "", "RFC 5321 3.8", "client.close");
    emit(cl, SMTP_EV_DONE, SMTP_DIR_NONE, NULL, 0, "", cl->res.code, cl->res.esc,
         cl->res.status == SMTP_RESULT_OK         ? "RFC 5321 4.1.1.4"
         : cl->res.status == SMTP_RESULT_TEMPFAIL ? "RFC 5321 4.5.4.1"
                                                  : "RFC 5321 6.1",
         cl->res.status == SMTP_RESULT_OK         ? "client.done"
         : cl->res.status == SMTP_RESULT_TEMPFAIL ? "client.tempfail"
                                                  : "client.permfail");
}

/* give_up - the server broke the protocol or went silent: we cannot trust the connection, so
 * we close without QUIT. A transaction not yet accepted stays queued (TEMPFAIL). The offending
 * bytes (if any) go into the error event; `why` into the result text. */
static void give_up(smtp_client *cl, const char *key, const char *rfc, const char *why,
                    const char *bytes, size_t len, const char *stage)
{
    if (len > 200)
        len = 200;
    decide_str(cl, SMTP_RESULT_TEMPFAIL, 0, "", why, stage, false);
    emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, bytes, len, "", 0, "", rfc, key);
    finish(cl, true);
}

/* ---------------------------------------------------------------------------------------------
 * sending commands */

static pend_kind head_kind(const smtp_client *cl)
{
    return (pend_kind)cl->pend[cl->p_head].kind;
}

/* arm - the reply timeout for the command at the head of the queue (RFC 5321 4.5.3.2). */
static void arm(smtp_client *cl)
{
    if (cl->p_len == 0 || cl->handshake) {
        cl->deadline = UINT64_MAX;
        return;
    }
    pend_kind k = head_kind(cl);
    smtp_limit_id t = pend_table[k].timeout;
    if (k == PEND_CONTENT && !cl->content_flushed)
        t = SMTP_LIMIT_TIMEOUT_DATA_BLOCK; /* still sending: 4.5.3.2.5 */
    cl->deadline = cl->now + cl->cfg.limits.value[t];
}

/* push - a command is outstanding; the state follows the head of the queue. */
static void push(smtp_client *cl, pend_kind kind, size_t idx)
{
    if (cl->p_head + cl->p_len == cl->p_cap) {
        /* the queue never holds more than n_rcpts + 4 entries: compact */
        memmove(cl->pend, cl->pend + cl->p_head, cl->p_len * sizeof *cl->pend);
        cl->p_head = 0;
    }
    cl->pend[cl->p_head + cl->p_len].kind = (uint8_t)kind;
    cl->pend[cl->p_head + cl->p_len].idx = (uint32_t)idx;
    cl->p_len++;
    if (cl->p_len == 1) {
        set_state(cl, pend_table[kind].state);
        arm(cl);
    }
}

/* cmd_begin / cmd_end - a command line is written straight into the output buffer between
 * these two; cmd_end adds CRLF, queues it as outstanding, and emits the COMMAND event.
 * `masked` (may be NULL) replaces the bytes shown in the event (AUTH secrets). */
static size_t cmd_begin(smtp_client *cl)
{
    if (cl->out_off > 0 && cl->out_off == cl->out.len) {
        cl->out_off = 0;
        cl->out.len = 0;
    }
    return cl->out.len;
}

static void cmd_end(smtp_client *cl, size_t start, pend_kind kind, size_t idx, const char *key,
                    const char *rfc, const char *masked)
{
    cbuf_put(cl, &cl->out, "\r\n", 2);
    if (cl->oom)
        return;
    push(cl, kind, idx);
    const char *bytes = masked ? masked : cl->out.p + start;
    size_t len = masked ? strlen(masked) : cl->out.len - start;
    emit(cl, SMTP_EV_COMMAND, SMTP_DIR_C2S, bytes, len, pend_table[kind].verb, 0, "",
         rfc ? rfc : pend_table[kind].rfc, key ? key : pend_table[kind].key);
}

/* simple_cmd - a command without arguments. */
static void simple_cmd(smtp_client *cl, pend_kind kind, const char *key, const char *rfc)
{
    size_t start = cmd_begin(cl);
    cbuf_puts(cl, &cl->out, pend_table[kind].verb);
    cmd_end(cl, start, kind, 0, key, rfc, NULL);
}

/* send_quit - end the session politely (RFC 5321 4.1.1.10), once. With commands still
 * outstanding (pipelining), QUIT waits until they are answered. */
static void send_quit(smtp_client *cl)
{
    if (cl->quit_queued || cl->state == SMTP_CLI_DONE)
        return;
    if (cl->p_len > 0) {
        cl->quit_after = true;
        return;
    }
    if (cl->rset_after) {
        /* RFC 2920 3.1: with no recipient accepted, the client issues RSET */
        cl->rset_after = false;
        cl->quit_after = true;
        simple_cmd(cl, PEND_RSET, NULL, NULL);
        return;
    }
    cl->quit_queued = true;
    cl->quit_after = false;
    simple_cmd(cl, PEND_QUIT, NULL, NULL);
}

static void send_ehlo(smtp_client *cl, bool helo, const char *key, const char *rfc)
{
    size_t start = cmd_begin(cl);
    cbuf_puts(cl, &cl->out, helo ? "HELO " : "EHLO ");
    cbuf_puts(cl, &cl->out, cl->cfg.helo_name);
    cmd_end(cl, start, helo ? PEND_HELO : PEND_EHLO, 0, key, rfc, NULL);
}

/* put_xtext - RFC 3461 4: '+', '=' and octets outside 33..126 as "+XX". */
static void put_xtext(smtp_client *cl, cbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 33 || *p > 126 || *p == '+' || *p == '=') {
            char e[3] = {'+', hex[*p >> 4], hex[*p & 15]};
            cbuf_put(cl, b, e, 3);
        } else {
            cbuf_put(cl, b, p, 1);
        }
    }
}

static void send_rcpt(smtp_client *cl, size_t i)
{
    size_t start = cmd_begin(cl);
    cbuf_put(cl, &cl->out, "RCPT TO:<", 9);
    cbuf_puts(cl, &cl->out, cl->cfg.rcpts[i]);
    cbuf_put(cl, &cl->out, ">", 1);
    if ((cl->ext & EXT_DSN) && cl->cfg.dsn_notify) {
        cbuf_puts(cl, &cl->out, " NOTIFY="); /* RFC 3461 4.1 */
        cbuf_puts(cl, &cl->out, cl->cfg.dsn_notify);
    }
    /* a command step cites where the command is defined (RFC 5321 4.1.1.3), pipelined or not */
    cmd_end(cl, start, PEND_RCPT, i, NULL, NULL, NULL);
}

/* start_transaction - MAIL, and with PIPELINING every RCPT and DATA in the same write. The
 * checks that can refuse locally come first: nothing is sent that the server must refuse. */
static void start_transaction(smtp_client *cl)
{
    if (cl->cfg.n_rcpts == 0) {
        decide_str(cl, SMTP_RESULT_PERMFAIL, 0, "", "local: no recipients", "MAIL", true);
        send_quit(cl);
        return;
    }
    /* RFC 6531 3.2: a non-ASCII address needs a server that offers SMTPUTF8 */
    bool utf8 = (cl->cfg.smtputf8 || cl->addr_utf8) && (cl->ext & EXT_SMTPUTF8);
    if (cl->addr_utf8 && !(cl->ext & EXT_SMTPUTF8)) {
        emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "MAIL", 553, "5.6.7", "RFC 6531 3.2",
             "client.smtputf8_needed");
        decide_str(cl, SMTP_RESULT_PERMFAIL, 553, "5.6.7",
                   "local: a non-ASCII address, but the server does not offer SMTPUTF8", "MAIL",
                   true);
        send_quit(cl);
        return;
    }
    /* RFC 1870 7: a message larger than the server's fixed limit is not sent at all (unless
     * the configuration asks to behave like a client that declares SIZE= and lets the server
     * refuse: it then answers MAIL with 552 5.3.4, RFC 1870 6.1) */
    if ((cl->ext & EXT_SIZE) && cl->ext_size > 0 && cl->msg_size > cl->ext_size &&
        !cl->cfg.ignore_advertised_size) {
        emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "MAIL", 552, "5.3.4", "RFC 1870 7",
             "client.size_exceeded");
        char text[sizeof cl->res.text];
        snprintf(text, sizeof text,
                 "local: the message (%llu octets) is larger than the server's SIZE %llu",
                 (unsigned long long)cl->msg_size, (unsigned long long)cl->ext_size);
        decide_str(cl, SMTP_RESULT_PERMFAIL, 552, "5.3.4", text, "MAIL", true);
        send_quit(cl);
        return;
    }
    if (cl->msg_8bit && !(cl->ext & EXT_8BITMIME) && !utf8)
        /* RFC 6152 3: we send it anyway, as many MTAs do, but say so */
        emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "MAIL", 0, "", "RFC 6152 3",
             "client.8bit_without_8bitmime");

    cl->pipelined = cl->cfg.use_pipelining && (cl->ext & EXT_PIPELINING);
    cl->res.pipelining_used = cl->pipelined;

    size_t start = cmd_begin(cl);
    cbuf_put(cl, &cl->out, "MAIL FROM:<", 11);
    cbuf_puts(cl, &cl->out, cl->cfg.mail_from);
    cbuf_put(cl, &cl->out, ">", 1);
    if (cl->ext & EXT_SIZE) {
        cbuf_put(cl, &cl->out, " SIZE=", 6); /* RFC 1870 6 */
        cbuf_putu(cl, &cl->out, cl->msg_size);
    }
    if (cl->msg_8bit && (cl->ext & EXT_8BITMIME))
        cbuf_put(cl, &cl->out, " BODY=8BITMIME", 14); /* RFC 6152 2 */
    if (utf8)
        cbuf_put(cl, &cl->out, " SMTPUTF8", 9); /* RFC 6531 3.4 */
    if (cl->ext & EXT_DSN) {
        if (cl->cfg.dsn_ret) {
            cbuf_puts(cl, &cl->out, " RET="); /* RFC 3461 4.3 */
            cbuf_puts(cl, &cl->out, cl->cfg.dsn_ret);
        }
        if (cl->cfg.dsn_envid) {
            cbuf_puts(cl, &cl->out, " ENVID="); /* RFC 3461 4.4 */
            put_xtext(cl, &cl->out, cl->cfg.dsn_envid);
        }
    }
    /* the key tells about pipelining (RFC 2920); the rfc stays the command's own (4.1.1.2) */
    cmd_end(cl, start, PEND_MAIL, 0, cl->pipelined ? "client.pipelining" : NULL, NULL, NULL);
    if (!cl->pipelined)
        return;
    for (size_t i = 0; i < cl->cfg.n_rcpts; i++)
        send_rcpt(cl, i);
    /* sent before any reply has come back, so its explanation differs from plain DATA */
    simple_cmd(cl, PEND_DATA, "client.data_pipelined", NULL);
}

static const char *ext_word(const char *s, size_t n, const char *kw, size_t *rest);

/* send_auth - AUTH PLAIN with an initial response (RFC 4616, RFC 4954 4), or AUTH LOGIN
 * answering the server's 334 challenges. The base64 on the wire hides nothing; the events
 * show "********" instead unless cfg.show_secrets. */
static void send_auth(smtp_client *cl)
{
    const char *mech = cl->cfg.auth_mech;
    size_t ml = mech ? strlen(mech) : 0, rest;
    bool login;
    if (ml == 5 && ext_word(mech, ml, "LOGIN", &rest))
        login = true;
    else if (ml == 5 && ext_word(mech, ml, "PLAIN", &rest))
        login = false;
    else
        login = !(cl->mechs & MECH_PLAIN) && (cl->mechs & MECH_LOGIN); /* prefer PLAIN */
    unsigned want = login ? MECH_LOGIN : MECH_PLAIN;
    cl->auth_tried = true;
    if (!(cl->mechs & want)) {
        emit(cl, SMTP_EV_AUTH, SMTP_DIR_NONE, NULL, 0, "AUTH", 0, "", "RFC 4954 4",
             "client.auth_failed");
        decide_str(cl, SMTP_RESULT_PERMFAIL, 0, "",
                   "local: the server offers no AUTH mechanism we can use (PLAIN, LOGIN)", "AUTH",
                   true);
        send_quit(cl);
        return;
    }
    if (strlen(cl->cfg.auth_user) > SMTP_CLIENT_CREDENTIAL_MAX ||
        strlen(cl->cfg.auth_password) > SMTP_CLIENT_CREDENTIAL_MAX) {
        decide_str(cl, SMTP_RESULT_PERMFAIL, 0, "",
                   "local: user name or password longer than 255 octets (RFC 4616 2)", "AUTH",
                   true);
        send_quit(cl);
        return;
    }
    cl->auth_login = login;
    if (!cl->tls_active)
        /* RFC 4954 4 / RFC 8314: PLAIN and LOGIN without TLS show the password to anyone on
         * the path; allowed here (the server offered it), but said out loud */
        emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "AUTH", 0, "", "RFC 4954 4",
             "client.auth_cleartext");
    size_t start = cmd_begin(cl);
    if (login) {
        cbuf_puts(cl, &cl->out, "AUTH LOGIN");
        cmd_end(cl, start, PEND_AUTH, 0, NULL, NULL, NULL);
        return;
    }
    /* authzid NUL authcid NUL passwd (RFC 4616 2), empty authzid */
    char raw[2 * SMTP_CLIENT_CREDENTIAL_MAX + 3];
    size_t ul = strlen(cl->cfg.auth_user), pl = strlen(cl->cfg.auth_password);
    raw[0] = '\0';
    memcpy(raw + 1, cl->cfg.auth_user, ul);
    raw[1 + ul] = '\0';
    memcpy(raw + 2 + ul, cl->cfg.auth_password, pl);
    char b64[((2 * SMTP_CLIENT_CREDENTIAL_MAX + 3 + 2) / 3) * 4 + 1];
    long n = base64_encode(raw, ul + pl + 2, b64, sizeof b64);
    memset(raw, 0, sizeof raw);
    if (n < 0)
        n = 0;
    /* RFC 4954 4: an initial response that would make the line too long is sent after an
     * empty 334 instead */
    if (11 + (size_t)n + 2 <= 512) {
        cbuf_puts(cl, &cl->out, "AUTH PLAIN ");
        cbuf_put(cl, &cl->out, b64, (size_t)n);
        cmd_end(cl, start, PEND_AUTH, 0, NULL, NULL,
                cl->cfg.show_secrets ? NULL : "AUTH PLAIN ********\r\n");
    } else {
        cbuf_puts(cl, &cl->out, "AUTH PLAIN");
        cmd_end(cl, start, PEND_AUTH, 0, NULL, NULL, NULL);
    }
    memset(b64, 0, sizeof b64);
}

/* send_b64_line - one base64 line answering a 334 challenge (RFC 4954 4). */
static void send_b64_line(smtp_client *cl, pend_kind kind, const char *s, bool secret)
{
    size_t start = cmd_begin(cl);
    size_t len = s ? strlen(s) : 0;
    char b64[((2 * SMTP_CLIENT_CREDENTIAL_MAX + 3 + 2) / 3) * 4 + 1];
    char raw[2 * SMTP_CLIENT_CREDENTIAL_MAX + 3];
    if (kind == PEND_AUTH_PASS && !cl->auth_login) {
        /* PLAIN without initial response */
        size_t ul = strlen(cl->cfg.auth_user);
        raw[0] = '\0';
        memcpy(raw + 1, cl->cfg.auth_user, ul);
        raw[1 + ul] = '\0';
        memcpy(raw + 2 + ul, cl->cfg.auth_password, strlen(cl->cfg.auth_password));
        len = ul + 2 + strlen(cl->cfg.auth_password);
    } else {
        memcpy(raw, s, len);
    }
    long n = base64_encode(raw, len, b64, sizeof b64);
    memset(raw, 0, sizeof raw);
    cbuf_put(cl, &cl->out, b64, n > 0 ? (size_t)n : 0);
    memset(b64, 0, sizeof b64);
    cmd_end(cl, start, kind, 0, NULL, NULL,
            secret && !cl->cfg.show_secrets ? "********\r\n" : NULL);
}

/* proceed - after EHLO/HELO (and after STARTTLS or AUTH): the next step the extensions and
 * the configuration call for. */
static void proceed(smtp_client *cl)
{
    smtp_tls_mode mode = cl->cfg.tls;
    if (!cl->tls_active && !cl->tls_tried &&
        (mode == SMTP_TLS_OPPORTUNISTIC || mode == SMTP_TLS_REQUIRED)) {
        if ((cl->ext & EXT_STARTTLS) && cl->cfg.tls_available) {
            cl->tls_tried = true;
            simple_cmd(cl, PEND_STARTTLS, NULL, NULL);
            return;
        }
        if (mode == SMTP_TLS_REQUIRED) {
            /* RFC 3207 4 and RFC 8314 3: a client that requires TLS does not send mail in the
             * clear; it gives up rather than downgrade. Temporary, not a bounce: a STARTTLS
             * missing from the EHLO reply is what an attacker stripping it looks like, and a
             * server's TLS may be back tomorrow (Postfix defers: "TLS is required, but was
             * not offered"; DANE, RFC 7672 2.2, and MTA-STS, RFC 8461 5, also delay). The
             * code is ours: 454 as in RFC 3207 4, 4.7.10 "encryption needed" (RFC 5248). */
            emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "STARTTLS", 454, "4.7.10", "RFC 3207 4",
                 "client.starttls_required");
            decide_str(cl, SMTP_RESULT_TEMPFAIL, 454, "4.7.10",
                       !cl->cfg.tls_available
                           ? "local: TLS required, but this client cannot run TLS"
                           : "local: TLS required, but the server does not offer STARTTLS",
                       "STARTTLS", true);
            send_quit(cl);
            return;
        }
    }
    if (cl->cfg.auth_user && !cl->auth_tried && (cl->ext & EXT_AUTH)) {
        send_auth(cl);
        return;
    }
    start_transaction(cl);
}

/* ---------------------------------------------------------------------------------------------
 * replies */

/* ext_word - case-insensitive keyword at the start of an EHLO line (RFC 5321 4.1.1.1); returns
 * what follows it (after one space or '='), or NULL. */
static const char *ext_word(const char *s, size_t n, const char *kw, size_t *rest)
{
    size_t k = strlen(kw);
    if (n < k)
        return NULL;
    for (size_t i = 0; i < k; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (c != kw[i])
            return NULL;
    }
    if (n == k) {
        *rest = 0;
        return s + k;
    }
    if (s[k] != ' ' && s[k] != '=')
        return NULL;
    *rest = n - k - 1;
    return s + k + 1;
}

/* parse_mechs - AUTH's mechanism list, space separated, any case. */
static unsigned parse_mechs(const char *s, size_t n)
{
    unsigned m = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && s[i] == ' ')
            i++;
        size_t j = i;
        while (j < n && s[j] != ' ')
            j++;
        size_t r;
        if (ext_word(s + i, j - i, "PLAIN", &r) && j - i == 5)
            m |= MECH_PLAIN;
        if (ext_word(s + i, j - i, "LOGIN", &r) && j - i == 5)
            m |= MECH_LOGIN;
        i = j;
    }
    return m;
}

/* The EHLO keywords we use, with their lengths (parse_ehlo runs once or twice a session). */
static const struct {
    const char *kw;
    unsigned flag;
} ehlo_keywords[] = {
    {"PIPELINING", EXT_PIPELINING},   {"SIZE", EXT_SIZE}, {"8BITMIME", EXT_8BITMIME},
    {"SMTPUTF8", EXT_SMTPUTF8},       {"DSN", EXT_DSN},   {"STARTTLS", EXT_STARTTLS},
    {"ENHANCEDSTATUSCODES", EXT_ESC}, {"AUTH", EXT_AUTH},
};

/* parse_ehlo - the extensions in a 250 reply to EHLO: every line after the first. */
static void parse_ehlo(smtp_client *cl, const char *r, size_t len)
{
    cl->ext = 0;
    cl->mechs = 0;
    cl->ext_size = 0;
    size_t pos = 0;
    unsigned line = 0;
    while (pos < len) {
        const char *nl = memchr(r + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - r) : len;
        size_t e = end;
        if (e > pos && r[e - 1] == '\r')
            e--;
        if (line > 0 && e - pos > 4) {
            const char *s = r + pos + 4;
            size_t n = e - pos - 4, rest = 0;
            const char *a = NULL;
            unsigned flag = 0;
            char c0 = s[0] >= 'a' && s[0] <= 'z' ? (char)(s[0] - 32) : s[0];
            for (size_t k = 0; k < sizeof ehlo_keywords / sizeof ehlo_keywords[0]; k++) {
                /* the first letter is a cheap filter before the whole comparison */
                if (c0 != ehlo_keywords[k].kw[0])
                    continue;
                if ((a = ext_word(s, n, ehlo_keywords[k].kw, &rest))) {
                    flag = ehlo_keywords[k].flag;
                    break;
                }
            }
            cl->ext |= flag;
            if (flag == EXT_SIZE) {
                uint64_t v = 0;
                for (size_t i = 0; i < rest && a[i] >= '0' && a[i] <= '9'; i++)
                    v = v > UINT64_MAX / 20 ? v : v * 10 + (uint64_t)(a[i] - '0');
                cl->ext_size = v;
            } else if (flag == EXT_AUTH) {
                cl->mechs |= parse_mechs(a, rest); /* "AUTH PLAIN" or old "AUTH=LOGIN" */
            }
        }
        line++;
        pos = end + 1;
    }
}

/* parse_esc - an enhanced status code at the start of a reply's text (RFC 2034 4, RFC 3463
 * 2): class.subject.detail, its class agreeing with the reply code. */
static void parse_esc(int code, const char *t, size_t n, char esc[16], size_t *used)
{
    esc[0] = '\0';
    *used = 0;
    if (n < 5 || t[0] - '0' != code / 100 || t[1] != '.')
        return;
    size_t i = 2;
    for (int part = 0; part < 2; part++) {
        size_t d = 0;
        while (i < n && t[i] >= '0' && t[i] <= '9' && d < 4) {
            i++;
            d++;
        }
        if (d == 0 || d > 3)
            return;
        if (part == 0) {
            if (i >= n || t[i] != '.')
                return;
            i++;
        }
    }
    if (i < n && t[i] != ' ')
        return;
    memcpy(esc, t, i);
    esc[i] = '\0';
    *used = i < n ? i + 1 : i;
}

/* reply_text - the text of every line of the reply, without codes and enhanced codes, joined
 * by spaces, for results people read. */
static void reply_text(const char *r, size_t len, char *out, size_t cap)
{
    size_t o = 0, pos = 0;
    while (pos < len && o + 1 < cap) {
        const char *nl = memchr(r + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - r) : len;
        size_t e = end;
        if (e > pos && r[e - 1] == '\r')
            e--;
        if (e > pos + 4) {
            char esc[16];
            size_t used;
            const char *t = r + pos + 4;
            size_t n = e - pos - 4;
            parse_esc((r[pos] - '0') * 100, t, n, esc, &used);
            t += used;
            n -= used;
            if (o > 0 && o + 1 < cap)
                out[o++] = ' ';
            if (n > cap - 1 - o)
                n = cap - 1 - o;
            memcpy(out + o, t, n);
            o += n;
        }
        pos = end + 1;
    }
    out[o] = '\0';
}

/* fail_reply - a 4xx/5xx reply settles the transaction: TEMPFAIL or PERMFAIL at this stage. */
static void fail_reply(smtp_client *cl, int code, const char *esc, const char *r, size_t len,
                       pend_kind kind)
{
    char text[sizeof cl->res.text];
    reply_text(r, len, text, sizeof text);
    decide_str(cl, status_for(code), code, esc, text, pend_table[kind].stage, false);
}

/* rcpt_record - one recipient's answer, and its event. */
static void rcpt_record(smtp_client *cl, size_t i, int code, const char *esc, const char *text,
                        const char *key)
{
    smtp_rcpt_result *rr = &cl->rcpt[i];
    rr->code = code;
    copy_str(rr->esc, sizeof rr->esc, esc, strlen(esc));
    copy_str(rr->text, sizeof rr->text, text, strlen(text));
    smtp_event *ev = emit(cl, SMTP_EV_RCPT_RESULT, SMTP_DIR_NONE, NULL, 0, "RCPT", code, esc,
                          "RFC 5321 4.1.1.3", key);
    ev->rcpt_index = (int)i;
}

/* no_recipients - every RCPT was refused: a 4xx for any of them means try again later. */
static void no_recipients(smtp_client *cl)
{
    size_t pick = 0;
    bool temp = false;
    for (size_t i = 0; i < cl->cfg.n_rcpts; i++) {
        if (cl->rcpt[i].code >= 400 && cl->rcpt[i].code < 500) {
            pick = i;
            temp = true;
            break;
        }
    }
    const smtp_rcpt_result *rr = &cl->rcpt[pick];
    decide_str(cl, temp ? SMTP_RESULT_TEMPFAIL : SMTP_RESULT_PERMFAIL, rr->code, rr->esc, rr->text,
               "RCPT", false);
    emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "RCPT", rr->code, rr->esc, "RFC 2920 3.1",
         "client.no_recipients");
    cl->rset_after = true;
}

/* send_content - after 354: the prepared message, ending in CRLF.CRLF (RFC 5321 4.1.1.4). */
static void send_content(smtp_client *cl)
{
    cmd_begin(cl);
    if (cbuf_put(cl, &cl->out, cl->wire.p, cl->wire.len) < 0)
        return;
    cl->content_flushed = false;
    push(cl, PEND_CONTENT, 0);
    emit(cl, SMTP_EV_DATA, SMTP_DIR_C2S, cl->wire.p, cl->wire.len, "", 0, "", "RFC 5321 4.5.2",
         "client.content");
}

static const char *reply_key(const smtp_client *cl, pend_kind kind, int code)
{
    if (code == 421)
        return "client.server_closing";
    switch (kind) {
    case PEND_GREETING:
        if (code == 554)
            return "client.greeting_refused";
        break;
    case PEND_EHLO:
        if (code == 500 || code == 502)
            return "client.helo_fallback";
        break;
    case PEND_STARTTLS:
        if (code >= 400 && cl->cfg.tls == SMTP_TLS_OPPORTUNISTIC)
            return "client.starttls_declined";
        break;
    case PEND_AUTH:
    case PEND_AUTH_USER:
    case PEND_AUTH_PASS:
        if (code >= 400)
            return "client.auth_failed";
        break;
    case PEND_QUIT:
        return "client.quit";
    case PEND_RSET:
        return "client.rset";
    case PEND_DOT:
        return "client.no_recipients";
    default:
        break;
    }
    if (code >= 500)
        return "client.permfail";
    if (code >= 400)
        return "client.tempfail";
    return pend_table[kind].key;
}

static void dispatch(smtp_client *cl, pend p, int code, const char *esc, const char *r, size_t len);

/* handle_reply - one whole reply (all its lines) has arrived: it answers the head of the
 * queue of outstanding commands. */
static void handle_reply(smtp_client *cl, int code, const char *r, size_t len)
{
    if (cl->p_len == 0) {
        give_up(cl, "client.unexpected_reply", "RFC 5321 4.2",
                "protocol error: a reply arrived when no command was outstanding", r, len,
                "greeting");
        return;
    }
    pend p = cl->pend[cl->p_head];
    pend_kind kind = (pend_kind)p.kind;
    cl->p_head++;
    cl->p_len--;
    if (cl->p_len == 0)
        cl->p_head = 0;

    /* the enhanced status code is read from the first line (RFC 2034 4: every line has it) */
    char esc[16];
    size_t used;
    const char *nl = memchr(r, '\n', len);
    size_t first = nl ? (size_t)(nl - r) : len;
    if (first > 0 && r[first - 1] == '\r')
        first--;
    parse_esc(code, r + 4, first > 4 ? first - 4 : 0, esc, &used);
    emit(cl, SMTP_EV_REPLY, SMTP_DIR_S2C, r, len, pend_table[kind].verb, code, esc,
         pend_table[kind].rfc, reply_key(cl, kind, code));
    if (cl->p_len > 0) {
        set_state(cl, pend_table[head_kind(cl)].state);
    }
    arm(cl);

    dispatch(cl, p, code, esc, r, len);
    /* commands that had to wait for the pipelined replies before them (QUIT, RSET) */
    if (cl->p_len == 0 && cl->quit_after && cl->state != SMTP_CLI_DONE)
        send_quit(cl);
}

/* dispatch - what a reply to one kind of command means, and the next step. */
static void dispatch(smtp_client *cl, pend p, int code, const char *esc, const char *r, size_t len)
{
    pend_kind kind = (pend_kind)p.kind;
    int cls = code / 100;
    if (code == 421 && kind != PEND_QUIT) {
        /* RFC 5321 3.8: the server is closing the channel; nothing more will be answered */
        fail_reply(cl, code, esc, r, len, kind);
        finish(cl, true);
        return;
    }
    bool ok = cls == 2;
    bool more = cls == 3;

    switch (kind) {
    case PEND_GREETING:
        if (code == 220) {
            send_ehlo(cl, false, NULL, NULL);
        } else if (cls >= 4) {
            /* 554: no SMTP service here (RFC 5321 3.1); still QUIT politely */
            fail_reply(cl, code, esc, r, len, kind);
            send_quit(cl);
        } else {
            give_up(cl, "client.unexpected_reply", "RFC 5321 3.1",
                    "protocol error: the greeting is not 220 or 554", r, len, "greeting");
        }
        return;

    case PEND_EHLO:
    case PEND_HELO:
        if (ok) {
            if (kind == PEND_EHLO)
                parse_ehlo(cl, r, len);
            else
                cl->ext = 0; /* HELO: plain RFC 821 SMTP, no extensions */
            proceed(cl);
        } else if (kind == PEND_EHLO && (code == 500 || code == 502)) {
            /* RFC 5321 3.2: a server that does not know EHLO gets HELO */
            send_ehlo(cl, true, "client.helo_fallback", "RFC 5321 3.2");
        } else if (cls >= 4) {
            fail_reply(cl, code, esc, r, len, kind);
            send_quit(cl);
        } else {
            give_up(cl, "client.unexpected_reply", "RFC 5321 4.2",
                    "protocol error: unexpected reply to EHLO", r, len, "EHLO");
        }
        return;

    case PEND_STARTTLS:
        if (code == 220) {
            /* the driver runs the handshake, then calls smtp_client_tls_started. Bytes that
             * arrived after this reply are dropped: they were sent before TLS and an attacker
             * could have injected them (RFC 3207 4.2, the STARTTLS injection class of bugs). */
            cl->handshake = true;
            cl->discard_input = true;
            arm(cl);
            emit(cl, SMTP_EV_STARTTLS, SMTP_DIR_NONE, NULL, 0, "STARTTLS", 220, esc, "RFC 3207 4",
                 "client.starttls");
        } else if (cls >= 4 && cl->cfg.tls == SMTP_TLS_OPPORTUNISTIC) {
            proceed(cl); /* RFC 3207 4.1: opportunistic TLS continues in the clear */
        } else if (cls >= 4) {
            fail_reply(cl, code, esc, r, len, kind);
            send_quit(cl);
        } else {
            give_up(cl, "client.unexpected_reply", "RFC 3207 4",
                    "protocol error: unexpected reply to STARTTLS", r, len, "STARTTLS");
        }
        return;

    case PEND_AUTH:
    case PEND_AUTH_USER:
    case PEND_AUTH_PASS:
        if (code == 235) {
            cl->res.auth_used = true;
            emit(cl, SMTP_EV_AUTH, SMTP_DIR_NONE, NULL, 0, "AUTH", code, esc, "RFC 4954 4",
                 "client.auth");
            start_transaction(cl);
        } else if (code == 334 && kind == PEND_AUTH && cl->auth_login) {
            send_b64_line(cl, PEND_AUTH_USER, cl->cfg.auth_user, false);
        } else if (code == 334 && kind == PEND_AUTH_USER) {
            send_b64_line(cl, PEND_AUTH_PASS, cl->cfg.auth_password, true);
        } else if (code == 334 && kind == PEND_AUTH && !cl->auth_login) {
            send_b64_line(cl, PEND_AUTH_PASS, NULL, true); /* PLAIN after an empty 334 */
        } else if (cls >= 4) {
            emit(cl, SMTP_EV_AUTH, SMTP_DIR_NONE, NULL, 0, "AUTH", code, esc, "RFC 4954 6",
                 "client.auth_failed");
            fail_reply(cl, code, esc, r, len, kind);
            send_quit(cl);
        } else {
            give_up(cl, "client.unexpected_reply", "RFC 4954 4",
                    "protocol error: unexpected reply during AUTH", r, len, "AUTH");
        }
        return;

    case PEND_MAIL:
        if (ok) {
            if (!cl->pipelined)
                send_rcpt(cl, 0);
        } else if (cls >= 4) {
            /* the whole transaction fails; pipelined RCPT and DATA replies that follow are
             * read and ignored. Every recipient gets MAIL's answer. */
            cl->mail_failed = true;
            fail_reply(cl, code, esc, r, len, kind);
            for (size_t i = 0; i < cl->cfg.n_rcpts; i++)
                rcpt_record(cl, i, code, esc, cl->res.text, reply_key(cl, kind, code));
            send_quit(cl);
        } else {
            give_up(cl, "client.unexpected_reply", "RFC 5321 4.3.2",
                    "protocol error: unexpected reply to MAIL", r, len, "MAIL");
        }
        return;

    case PEND_RCPT:
        if (cl->mail_failed)
            return;
        if (ok || cls >= 4) {
            char text[sizeof cl->rcpt[0].text];
            reply_text(r, len, text, sizeof text);
            rcpt_record(cl, p.idx, code, esc, text, reply_key(cl, kind, code));
            if (ok)
                cl->res.n_accepted++;
        } else {
            give_up(cl, "client.unexpected_reply", "RFC 5321 4.3.2",
                    "protocol error: unexpected reply to RCPT", r, len, "RCPT");
            return;
        }
        if (!cl->pipelined) {
            if (p.idx + 1 < cl->cfg.n_rcpts)
                send_rcpt(cl, p.idx + 1);
            else if (cl->res.n_accepted > 0)
                simple_cmd(cl, PEND_DATA, NULL, NULL);
            else {
                no_recipients(cl);
                send_quit(cl);
            }
        }
        return;

    case PEND_DATA:
        if (more) {
            if (cl->res.n_accepted > 0 && !cl->mail_failed) {
                send_content(cl);
            } else {
                /* RFC 2920 3.1: DATA was accepted with no recipient: send a lone dot */
                if (!cl->mail_failed)
                    no_recipients(cl);
                cl->rset_after = false;
                size_t start = cmd_begin(cl);
                cbuf_put(cl, &cl->out, ".", 1);
                cmd_end(cl, start, PEND_DOT, 0, "client.no_recipients", "RFC 2920 3.1", NULL);
                send_quit(cl);
            }
        } else if (cls >= 4) {
            if (!cl->mail_failed && cl->res.n_accepted == 0) {
                no_recipients(cl); /* the expected 554/503 after all RCPTs failed */
            } else if (!cl->mail_failed) {
                fail_reply(cl, code, esc, r, len, kind);
                for (size_t i = 0; i < cl->cfg.n_rcpts; i++)
                    if (cl->rcpt[i].code / 100 == 2)
                        rcpt_record(cl, i, code, esc, cl->res.text, reply_key(cl, kind, code));
                cl->res.n_accepted = 0;
            }
            send_quit(cl);
        } else {
            give_up(cl, "client.unexpected_reply", "RFC 5321 4.3.2",
                    "protocol error: unexpected reply to DATA", r, len, "DATA");
        }
        return;

    case PEND_CONTENT:
        if (ok || cls >= 4) {
            char text[sizeof cl->res.text];
            reply_text(r, len, text, sizeof text);
            decide_str(cl, ok ? SMTP_RESULT_OK : status_for(code), code, esc, text,
                       pend_table[kind].stage, false);
            /* the answer for every recipient that was accepted is this one (RFC 5321 4.1.1.4) */
            const char *key = reply_key(cl, kind, code);
            for (size_t i = 0; i < cl->cfg.n_rcpts; i++)
                if (cl->rcpt[i].code / 100 == 2)
                    rcpt_record(cl, i, code, esc, text, key);
            if (!ok)
                cl->res.n_accepted = 0;
            send_quit(cl);
        } else {
            give_up(cl, "client.unexpected_reply", "RFC 5321 4.3.2",
                    "protocol error: unexpected reply to the end of data", r, len, "end of data");
        }
        return;

    case PEND_DOT:
    case PEND_RSET:
        send_quit(cl);
        return;

    case PEND_QUIT:
        finish(cl, true);
        return;

    case PEND_COUNT:
        break;
    }
}

/* line_done - a complete line ([line_start, rbuf.len), LF included) of a reply. Checks the
 * shape (RFC 5321 4.2: three digits, then SP, '-' or the end; every line of a multi-line
 * reply has the same code, 4.2.1) and dispatches the reply once its last line is in. */
static void line_done(smtp_client *cl)
{
    const char *line = cl->rbuf.p + cl->line_start;
    size_t n = cl->rbuf.len - cl->line_start - 1; /* without LF */
    if (n > 0 && line[n - 1] == '\r')
        n--; /* a bare LF is tolerated: be liberal in what you accept */
    const char *stage = cl->p_len ? pend_table[head_kind(cl)].stage : "greeting";
    bool shape = n >= 3 && line[0] >= '2' && line[0] <= '5' && line[1] >= '0' && line[1] <= '5' &&
                 line[2] >= '0' && line[2] <= '9' && (n == 3 || line[3] == ' ' || line[3] == '-') &&
                 !memchr(line, '\0', n);
    if (!shape) {
        give_up(cl, "client.malformed_reply", "RFC 5321 4.2",
                "protocol error: malformed reply line from the server", line, n, stage);
        return;
    }
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (cl->n_lines > 0 && code != cl->reply_code) {
        give_up(cl, "client.malformed_reply", "RFC 5321 4.2.1",
                "protocol error: the lines of a multi-line reply have different codes", line, n,
                stage);
        return;
    }
    cl->reply_code = code;
    cl->n_lines++;
    if (n > 3 && line[3] == '-') {
        if (cl->n_lines >= SMTP_CLIENT_REPLY_LINES_MAX) {
            give_up(cl, "client.malformed_reply", "RFC 5321 4.2.1",
                    "protocol error: a reply with too many lines", line, n, stage);
            return;
        }
        cl->line_start = cl->rbuf.len;
        return;
    }
    size_t len = cl->rbuf.len;
    cl->rbuf.len = 0;
    cl->line_start = 0;
    cl->n_lines = 0;
    handle_reply(cl, code, cl->rbuf.p, len); /* rbuf is not written again during this call */
}

/* ---------------------------------------------------------------------------------------------
 * message preparation */

/* has_8bit - any octet >= 128? Eight bytes at a time: a byte loop here was 85% of a session's
 * setup cost (the compiler does not vectorise it at -O2). */
static bool has_8bit(const char *data, size_t len)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        uint64_t w[4];
        memcpy(w, data + i, 32);
        acc |= w[0] | w[1] | w[2] | w[3];
    }
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        acc |= w;
    }
    for (; i < len; i++)
        acc |= (unsigned char)data[i];
    return (acc & 0x8080808080808080ull) != 0;
}

/* prepare_message - CRLF line ends (a lone LF or CR becomes CRLF, RFC 5321 2.3.8), dot-stuffing
 * (4.5.2: a line starting with '.' gets another '.'), a CRLF at the end if missing, and the
 * final ".\r\n". One pass, line by line with memchr. */
static int prepare_message(smtp_client *cl, const char *data, size_t len)
{
    cl->wire.len = 0;
    if (cbuf_reserve(cl, &cl->wire, 2 * len + 8) < 0)
        return -1;
    cl->msg_8bit = has_8bit(data, len);
    char *w = cl->wire.p;
    const char *p = data, *end = data + len;
    size_t stuffed = 0;
    /* the next CR at or after p, searched again only once passed: a message with LF line
     * ends costs one memchr for CR in all, not one per line */
    const char *next_cr = memchr(p, '\r', len);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        /* RFC 5321 2.3.8: CR and LF only ever go out together. A CR right before the LF is
         * the CRLF itself; any other CR ends a line of its own (a bare CR left alone would
         * have the message refused by servers that guard against SMTP smuggling). */
        if (next_cr && next_cr < p)
            next_cr = memchr(p, '\r', (size_t)(end - p));
        const char *cr = next_cr && next_cr < le ? next_cr : NULL;
        const char *stop = cr ? cr : le;
        const char *next = cr && !(nl && cr + 1 == nl) ? cr + 1 : nl ? nl + 1 : end;
        if (*p == '.') {
            *w++ = '.';
            stuffed++;
        }
        memcpy(w, p, (size_t)(stop - p));
        w += stop - p;
        *w++ = '\r';
        *w++ = '\n';
        p = next;
    }
    memcpy(w, ".\r\n", 3);
    w += 3;
    cl->wire.len = (size_t)(w - cl->wire.p);
    cl->msg_size = cl->wire.len - 3 - stuffed;
    return 0;
}

static bool non_ascii(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * public API */

void smtp_client_config_default(smtp_client_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->helo_name = "localhost";
    cfg->mail_from = "";
    cfg->tls = SMTP_TLS_OPPORTUNISTIC;
    cfg->use_pipelining = true;
    smtp_limits_default(&cfg->limits);
}

/* copy_config - the strings of cfg into `strs`, pointers rebound. */
static int copy_config(smtp_client *cl, const smtp_client_config *cfg)
{
    const char *const *src[] = {&cfg->helo_name,     &cfg->mail_from, &cfg->auth_user,
                                &cfg->auth_password, &cfg->auth_mech, &cfg->dsn_ret,
                                &cfg->dsn_envid,     &cfg->dsn_notify};
    const char **dst[] = {&cl->cfg.helo_name,     &cl->cfg.mail_from, &cl->cfg.auth_user,
                          &cl->cfg.auth_password, &cl->cfg.auth_mech, &cl->cfg.dsn_ret,
                          &cl->cfg.dsn_envid,     &cl->cfg.dsn_notify};
    size_t n = sizeof src / sizeof src[0];
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += *src[i] ? strlen(*src[i]) + 1 : 0;
    for (size_t i = 0; i < cfg->n_rcpts; i++)
        total += strlen(cfg->rcpts[i]) + 1;
    cl->strs.len = 0;
    if (cbuf_reserve(cl, &cl->strs, total + 1) < 0)
        return -1;
    if (cfg->n_rcpts > cl->rcpt_ptrs_cap) {
        const char **rp = realloc(cl->rcpt_ptrs, cfg->n_rcpts * sizeof *rp);
        smtp_rcpt_result *rr = realloc(cl->rcpt, cfg->n_rcpts * sizeof *rr);
        if (rp)
            cl->rcpt_ptrs = rp;
        if (rr)
            cl->rcpt = rr;
        if (!rp || !rr) {
            cl->oom = true;
            return -1;
        }
        cl->rcpt_ptrs_cap = cl->rcpt_cap = cfg->n_rcpts;
    }
    if (cfg->n_rcpts + 8 > cl->p_cap) {
        pend *pp = realloc(cl->pend, (cfg->n_rcpts + 8) * sizeof *pp);
        if (!pp) {
            cl->oom = true;
            return -1;
        }
        cl->pend = pp;
        cl->p_cap = cfg->n_rcpts + 8;
    }
    cl->cfg = *cfg;
    for (size_t i = 0; i < n; i++) {
        *dst[i] = NULL;
        if (*src[i]) {
            *dst[i] = cl->strs.p + cl->strs.len;
            cbuf_put(cl, &cl->strs, *src[i], strlen(*src[i]) + 1);
        }
    }
    for (size_t i = 0; i < cfg->n_rcpts; i++) {
        cl->rcpt_ptrs[i] = cl->strs.p + cl->strs.len;
        cbuf_put(cl, &cl->strs, cfg->rcpts[i], strlen(cfg->rcpts[i]) + 1);
    }
    cl->cfg.rcpts = cl->rcpt_ptrs;
    cl->cfg.data = NULL; /* prepared into `wire` */
    if (!cl->cfg.helo_name)
        cl->cfg.helo_name = "localhost";
    if (!cl->cfg.mail_from)
        cl->cfg.mail_from = "";
    if (cl->cfg.auth_user && !cl->cfg.auth_password)
        cl->cfg.auth_password = "";
    return 0;
}

int smtp_client_reset(smtp_client *cl, const smtp_client_config *cfg, uint64_t now_ms)
{
    cl->oom = false;
    cl->state = SMTP_CLI_GREETING;
    cl->now = now_ms;
    cl->deadline = UINT64_MAX;
    cl->ext = cl->mechs = 0;
    cl->ext_size = 0;
    cl->tls_active = cl->tls_tried = cl->handshake = cl->auth_tried = cl->auth_login = false;
    cl->pipelined = cl->mail_failed = cl->quit_queued = cl->quit_after = cl->rset_after = false;
    cl->content_flushed = cl->discard_input = false;
    cl->p_head = cl->p_len = 0;
    cl->out.len = cl->out_off = 0;
    cl->rbuf.len = cl->line_start = 0;
    cl->n_lines = 0;
    cl->reply_code = 0;
    cl->evbytes.len = 0;
    cl->ev_head = cl->ev_len = 0;
    memset(&cl->res, 0, sizeof cl->res);
    cl->res.status = SMTP_RESULT_PENDING;
    cl->res.stage = "greeting";

    if (copy_config(cl, cfg) < 0 ||
        prepare_message(cl, cfg->data ? cfg->data : "", cfg->data ? cfg->data_len : 0) < 0) {
        memset(&cl->cfg, 0, sizeof cl->cfg);
        cl->cfg.helo_name = "localhost";
        cl->cfg.mail_from = "";
        cl->state = SMTP_CLI_DONE;
        cl->res.status = SMTP_RESULT_TEMPFAIL;
        copy_str(cl->res.text, sizeof cl->res.text, "out of memory", 13);
        cl->discard_input = true;
        return -1;
    }
    memset(cl->rcpt, 0, cfg->n_rcpts * sizeof *cl->rcpt);
    cl->res.rcpt = cl->rcpt;
    cl->res.n_rcpts = cfg->n_rcpts;
    cl->addr_utf8 = non_ascii(cl->cfg.mail_from);
    for (size_t i = 0; i < cfg->n_rcpts; i++)
        cl->addr_utf8 = cl->addr_utf8 || non_ascii(cl->cfg.rcpts[i]);
    push(cl, PEND_GREETING, 0); /* nothing to send until the 220 (RFC 5321 3.1) */
    return 0;
}

smtp_client *smtp_client_new(const smtp_client_config *cfg, uint64_t now_ms)
{
    smtp_client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    if (smtp_client_reset(cl, cfg, now_ms) < 0) {
        smtp_client_free(cl);
        return NULL;
    }
    return cl;
}

void smtp_client_free(smtp_client *cl)
{
    if (!cl)
        return;
    free(cl->strs.p);
    free(cl->rcpt_ptrs);
    free(cl->wire.p);
    free(cl->pend);
    free(cl->rcpt);
    free(cl->out.p);
    free(cl->rbuf.p);
    free(cl->evbytes.p);
    free(cl->evq);
    free(cl);
}

/* end_call - a failed allocation during the call ends the session as a temporary failure. */
static void end_call(smtp_client *cl)
{
    if (cl->oom && cl->state != SMTP_CLI_DONE) {
        decide_str(cl, SMTP_RESULT_TEMPFAIL, 0, "", "out of memory", "greeting", true);
        cl->oom = false;
        finish(cl, true);
    }
}

int smtp_client_feed(smtp_client *cl, const void *bytes, size_t len, uint64_t now_ms)
{
    if (cl->state == SMTP_CLI_DONE)
        return -1;
    begin_call(cl, now_ms);
    const char *p = bytes;
    while (len > 0 && cl->state != SMTP_CLI_DONE) {
        if (cl->discard_input) {
            /* after the 220 to STARTTLS, before the handshake: see handle_reply */
            emit(cl, SMTP_EV_ERROR, SMTP_DIR_S2C, p, len > 200 ? 200 : len, "STARTTLS", 0, "",
                 "RFC 3207 6", "client.starttls_injection");
            break;
        }
        const char *nl = memchr(p, '\n', len);
        size_t seg = nl ? (size_t)(nl - p) + 1 : len;
        if (cl->rbuf.len - cl->line_start + seg > SMTP_CLIENT_REPLY_LINE_MAX) {
            const char *stage = cl->p_len ? pend_table[head_kind(cl)].stage : "greeting";
            give_up(cl, "client.line_too_long", "RFC 5321 4.5.3.1.5",
                    "protocol error: reply line longer than the limit", p, seg, stage);
            break;
        }
        if (cl->rbuf.len + seg > SMTP_CLIENT_REPLY_MAX) {
            const char *stage = cl->p_len ? pend_table[head_kind(cl)].stage : "greeting";
            give_up(cl, "client.malformed_reply", "RFC 5321 4.2.1",
                    "protocol error: reply longer than the limit", p, seg, stage);
            break;
        }
        if (cbuf_put(cl, &cl->rbuf, p, seg) < 0)
            break;
        p += seg;
        len -= seg;
        if (nl) {
            line_done(cl);
            if (cl->discard_input && len > 0 && cl->state != SMTP_CLI_DONE) {
                emit(cl, SMTP_EV_ERROR, SMTP_DIR_S2C, p, len > 200 ? 200 : len, "STARTTLS", 0, "",
                     "RFC 3207 6", "client.starttls_injection");
                break;
            }
        }
    }
    end_call(cl);
    return 0;
}

void smtp_client_tick(smtp_client *cl, uint64_t now_ms)
{
    if (cl->state == SMTP_CLI_DONE)
        return;
    begin_call(cl, now_ms);
    if (now_ms >= cl->deadline) {
        pend_kind k = cl->p_len ? head_kind(cl) : PEND_QUIT;
        smtp_limit_id t = pend_table[k].timeout;
        if (k == PEND_CONTENT && !cl->content_flushed)
            t = SMTP_LIMIT_TIMEOUT_DATA_BLOCK;
        char why[sizeof cl->res.text];
        const char *what = pend_table[k].verb[0] ? pend_table[k].verb : "the greeting";
        size_t o = 0;
        const char *parts[] = {"timeout waiting for the reply to ", what, " (",
                               smtp_limit_info_get(t)->rfc, ")"};
        if (k == PEND_GREETING)
            parts[0] = "timeout waiting for ";
        for (size_t i = 0; i < 5; i++) {
            size_t n = strlen(parts[i]);
            if (o + n >= sizeof why)
                n = sizeof why - 1 - o;
            memcpy(why + o, parts[i], n);
            o += n;
        }
        why[o] = '\0';
        give_up(cl, "client.timeout", smtp_limit_info_get(t)->rfc, why, NULL, 0,
                pend_table[k].stage);
    }
    end_call(cl);
}

uint64_t smtp_client_deadline(const smtp_client *cl)
{
    return cl->state == SMTP_CLI_DONE ? UINT64_MAX : cl->deadline;
}

size_t smtp_client_output(const smtp_client *cl, const char **buf)
{
    *buf = cl->out.p ? cl->out.p + cl->out_off : "";
    return cl->out.len - cl->out_off;
}

void smtp_client_output_consumed(smtp_client *cl, size_t n)
{
    size_t left = cl->out.len - cl->out_off;
    cl->out_off += n < left ? n : left;
    if (cl->out_off == cl->out.len) {
        cl->out_off = cl->out.len = 0;
        /* the whole message is on its way: now the 10 minute wait for the final reply
         * (RFC 5321 4.5.3.2.6) starts */
        if (cl->p_len > 0 && head_kind(cl) == PEND_CONTENT && !cl->content_flushed) {
            cl->content_flushed = true;
            arm(cl);
        }
    }
}

int smtp_client_next_event(smtp_client *cl, smtp_event *ev)
{
    if (cl->ev_len == 0)
        return 0;
    qevent *qe = &cl->evq[cl->ev_head++];
    cl->ev_len--;
    *ev = qe->ev;
    /* evbytes.p is still NULL when every saved event so far had no bytes (NULL + 0 is UB) */
    ev->bytes = !qe->has_bytes ? NULL
                : qe->in_wire  ? cl->wire.p
                : cl->evbytes.p ? cl->evbytes.p + qe->off
                                : NULL;
    return 1;
}

void smtp_client_tls_started(smtp_client *cl, uint64_t now_ms)
{
    if (cl->state == SMTP_CLI_DONE)
        return;
    begin_call(cl, now_ms);
    cl->tls_active = true;
    cl->res.tls_used = true;
    if (cl->handshake) {
        /* RFC 3207 4.2: forget everything learnt before TLS and say EHLO again */
        cl->handshake = false;
        cl->discard_input = false;
        cl->rbuf.len = cl->line_start = 0;
        cl->n_lines = 0;
        cl->ext = cl->mechs = 0;
        cl->ext_size = 0;
        send_ehlo(cl, false, "client.tls_restart", "RFC 3207 4.2");
    }
    end_call(cl);
}

void smtp_client_connection_lost(smtp_client *cl, uint64_t now_ms)
{
    if (cl->state == SMTP_CLI_DONE)
        return;
    begin_call(cl, now_ms);
    const char *stage = cl->p_len ? pend_table[head_kind(cl)].stage : "QUIT";
    /* RFC 5321 4.4.5 / 6.1: until the final 250 the message is still ours to deliver */
    decide_str(cl, SMTP_RESULT_TEMPFAIL, 0, "", "connection lost", stage, false);
    emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "", 0, "", "RFC 5321 6.1",
         cl->res.status == SMTP_RESULT_OK ? "client.closed_after_accept"
                                          : "client.connection_lost");
    finish(cl, false);
}

smtp_client_state smtp_client_state_get(const smtp_client *cl)
{
    return cl->state;
}

const char *smtp_client_state_name(smtp_client_state st)
{
    switch (st) {
    case SMTP_CLI_GREETING:
        return "waiting for the greeting";
    case SMTP_CLI_EHLO:
        return "EHLO sent";
    case SMTP_CLI_STARTTLS:
        return "starting TLS";
    case SMTP_CLI_AUTH:
        return "authenticating";
    case SMTP_CLI_MAIL:
        return "MAIL sent";
    case SMTP_CLI_RCPT:
        return "RCPT sent";
    case SMTP_CLI_DATA:
        return "DATA sent, waiting for 354";
    case SMTP_CLI_CONTENT:
        return "message sent, waiting for the final reply";
    case SMTP_CLI_QUIT:
        return "QUIT sent";
    case SMTP_CLI_DONE:
        return "done";
    }
    return "unknown";
}

bool smtp_client_done(const smtp_client *cl)
{
    return cl->state == SMTP_CLI_DONE;
}

const smtp_client_result *smtp_client_result_get(const smtp_client *cl)
{
    return &cl->res;
}
