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

#include "core/smtp/smtp_client_internal.h"

/* ---------------------------------------------------------------------------------------------
 * buffers */

/* The engine's buffers are membufs (membuf.h) without a size limit of their own (the caller
 * bounds the message; smtp_client_new lifts the default); a failure to grow marks the whole
 * client out of memory. */

/* cli_cbuf_reserve - room for `more` bytes after len; sets cl->oom on failure. */
int cli_cbuf_reserve(smtp_client *cl, membuf *b, size_t more)
{
    if (membuf_reserve(b, more) < 0) {
        cl->oom = true;
        return -1;
    }
    return 0;
}

int cli_cbuf_put(smtp_client *cl, membuf *b, const void *s, size_t n)
{
    if (n == 0)
        return 0;
    if (membuf_append(b, s, n) < 0) {
        cl->oom = true;
        return -1;
    }
    return 0;
}

int cli_cbuf_puts(smtp_client *cl, membuf *b, const char *s)
{
    return cli_cbuf_put(cl, b, s, strlen(s));
}

/* cbuf_putu - a decimal number, without printf (this runs for every MAIL). */
int cli_cbuf_putu(smtp_client *cl, membuf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return cli_cbuf_put(cl, b, tmp + i, sizeof tmp - i);
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
smtp_event *cli_emit(smtp_client *cl, smtp_event_kind kind, smtp_dir dir, const char *bytes,
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
    if (bytes && bytes == cl->wire.data) {
        qe->has_bytes = true; /* no 2 KB copy: wire is not written again until a reset */
        qe->in_wire = true;
    } else if (bytes) {
        qe->off = cl->evbytes.len;
        if (cli_cbuf_put(cl, &cl->evbytes, bytes, len) < 0)
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
void cli_set_state(smtp_client *cl, smtp_client_state st)
{
    if (cl->state == st)
        return;
    smtp_event *ev =
        cli_emit(cl, SMTP_EV_STATE, SMTP_DIR_NONE, NULL, 0, "", 0, "", "", "client.state");
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
void cli_decide(smtp_client *cl, smtp_result_status st, int code, const char *esc, const char *text,
                size_t text_len, const char *stage, bool local)
{
    if (cl->res.status != SMTP_RESULT_PENDING)
        return;
    cl->res.status = st;
    cl->res.code = code;
    str_copy(cl->res.esc, sizeof cl->res.esc, esc, strlen(esc));
    str_copy(cl->res.text, sizeof cl->res.text, text, text_len);
    cl->res.stage = stage;
    cl->res.local = local;
}

void cli_decide_str(smtp_client *cl, smtp_result_status st, int code, const char *esc,
                    const char *text, const char *stage, bool local)
{
    cli_decide(cl, st, code, esc, text, strlen(text), stage, local);
}

smtp_result_status cli_status_for(int code)
{
    return code >= 500 ? SMTP_RESULT_PERMFAIL : SMTP_RESULT_TEMPFAIL;
}

/* finish - the session is over: close, and say so. */
void cli_finish(smtp_client *cl, bool want_close)
{
    if (cl->state == SMTP_CLI_DONE)
        return;
    if (cl->res.status == SMTP_RESULT_PENDING)
        cli_decide_str(cl, SMTP_RESULT_TEMPFAIL, 0, "", "session ended before a decision", "QUIT",
                       false);
    cl->p_len = 0;
    cl->p_head = 0;
    cl->deadline = UINT64_MAX;
    cl->discard_input = true;
    cli_set_state(cl, SMTP_CLI_DONE);
    if (want_close)
        cli_emit(cl, SMTP_EV_CLOSE, SMTP_DIR_NONE, NULL, 0, "", 0, "", "RFC 5321 3.8",
                 "client.close");
    cli_emit(cl, SMTP_EV_DONE, SMTP_DIR_NONE, NULL, 0, "", cl->res.code, cl->res.esc,
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
void cli_give_up(smtp_client *cl, const char *key, const char *rfc, const char *why,
                 const char *bytes, size_t len, const char *stage)
{
    if (len > 200)
        len = 200;
    if (cl->error == SMTP_CLIENT_OK)
        cl->error = SMTP_CLIENT_ERR_PROTOCOL;
    cli_decide_str(cl, SMTP_RESULT_TEMPFAIL, 0, "", why, stage, false);
    cli_emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, bytes, len, "", 0, "", rfc, key);
    cli_finish(cl, true);
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
    if (cli_cbuf_reserve(cl, &cl->wire, 2 * len + 8) < 0)
        return -1;
    cl->msg_8bit = has_8bit(data, len);
    char *w = cl->wire.data;
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
    cl->wire.len = (size_t)(w - cl->wire.data);
    cl->wire.data[cl->wire.len] = '\0'; /* membuf's NUL, written by hand like the rest */
    cl->msg_size = cl->wire.len - 3 - stuffed;
    return 0;
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
    if (cli_cbuf_reserve(cl, &cl->strs, total + 1) < 0)
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
            *dst[i] = cl->strs.data + cl->strs.len;
            cli_cbuf_put(cl, &cl->strs, *src[i], strlen(*src[i]) + 1);
        }
    }
    for (size_t i = 0; i < cfg->n_rcpts; i++) {
        cl->rcpt_ptrs[i] = cl->strs.data + cl->strs.len;
        cli_cbuf_put(cl, &cl->strs, cfg->rcpts[i], strlen(cfg->rcpts[i]) + 1);
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
    cl->error = SMTP_CLIENT_OK;
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
        str_copy(cl->res.text, sizeof cl->res.text, "out of memory", 13);
        cl->discard_input = true;
        cl->error = SMTP_CLIENT_ERR_NO_MEMORY;
        return -1;
    }
    memset(cl->rcpt, 0, cfg->n_rcpts * sizeof *cl->rcpt);
    cl->res.rcpt = cl->rcpt;
    cl->res.n_rcpts = cfg->n_rcpts;
    cl->addr_utf8 = str_non_ascii(cl->cfg.mail_from);
    for (size_t i = 0; i < cfg->n_rcpts; i++)
        cl->addr_utf8 = cl->addr_utf8 || str_non_ascii(cl->cfg.rcpts[i]);
    cli_push(cl, PEND_GREETING, 0); /* nothing to send until the 220 (RFC 5321 3.1) */
    return 0;
}

smtp_client *smtp_client_new(const smtp_client_config *cfg, uint64_t now_ms)
{
    smtp_client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    membuf *bufs[] = {&cl->strs, &cl->wire, &cl->out, &cl->rbuf, &cl->evbytes};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        bufs[i]->max = SIZE_MAX;
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
    membuf_free(&cl->strs);
    free(cl->rcpt_ptrs);
    membuf_free(&cl->wire);
    free(cl->pend);
    free(cl->rcpt);
    membuf_free(&cl->out);
    membuf_free(&cl->rbuf);
    membuf_free(&cl->evbytes);
    free(cl->evq);
    free(cl);
}

/* end_call - a failed allocation during the call ends the session as a temporary failure. */
static void end_call(smtp_client *cl)
{
    if (cl->oom && cl->error == SMTP_CLIENT_OK)
        cl->error = SMTP_CLIENT_ERR_NO_MEMORY;
    if (cl->oom && cl->state != SMTP_CLI_DONE) {
        cli_decide_str(cl, SMTP_RESULT_TEMPFAIL, 0, "", "out of memory", "greeting", true);
        cl->oom = false;
        cli_finish(cl, true);
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
            cli_emit(cl, SMTP_EV_ERROR, SMTP_DIR_S2C, p, len > 200 ? 200 : len, "STARTTLS", 0, "",
                     "RFC 3207 6", "client.starttls_injection");
            break;
        }
        const char *nl = memchr(p, '\n', len);
        size_t seg = nl ? (size_t)(nl - p) + 1 : len;
        if (cl->rbuf.len - cl->line_start + seg > SMTP_CLIENT_REPLY_LINE_MAX) {
            const char *stage = cl->p_len ? cli_pend_table[cli_head_kind(cl)].stage : "greeting";
            cli_give_up(cl, "client.line_too_long", "RFC 5321 4.5.3.1.5",
                        "protocol error: reply line longer than the limit", p, seg, stage);
            break;
        }
        if (cl->rbuf.len + seg > SMTP_CLIENT_REPLY_MAX) {
            const char *stage = cl->p_len ? cli_pend_table[cli_head_kind(cl)].stage : "greeting";
            cli_give_up(cl, "client.malformed_reply", "RFC 5321 4.2.1",
                        "protocol error: reply longer than the limit", p, seg, stage);
            break;
        }
        if (cli_cbuf_put(cl, &cl->rbuf, p, seg) < 0)
            break;
        p += seg;
        len -= seg;
        if (nl) {
            cli_line_done(cl);
            if (cl->discard_input && len > 0 && cl->state != SMTP_CLI_DONE) {
                cli_emit(cl, SMTP_EV_ERROR, SMTP_DIR_S2C, p, len > 200 ? 200 : len, "STARTTLS", 0,
                         "", "RFC 3207 6", "client.starttls_injection");
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
        pend_kind k = cl->p_len ? cli_head_kind(cl) : PEND_QUIT;
        smtp_limit_id t = cli_pend_table[k].timeout;
        if (k == PEND_CONTENT && !cl->content_flushed)
            t = SMTP_LIMIT_TIMEOUT_DATA_BLOCK;
        char why[sizeof cl->res.text];
        const char *what = cli_pend_table[k].verb[0] ? cli_pend_table[k].verb : "the greeting";
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
        cli_give_up(cl, "client.timeout", smtp_limit_info_get(t)->rfc, why, NULL, 0,
                    cli_pend_table[k].stage);
    }
    end_call(cl);
}

uint64_t smtp_client_deadline(const smtp_client *cl)
{
    return cl->state == SMTP_CLI_DONE ? UINT64_MAX : cl->deadline;
}

size_t smtp_client_output(const smtp_client *cl, const char **buf)
{
    *buf = cl->out.data ? cl->out.data + cl->out_off : "";
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
        if (cl->p_len > 0 && cli_head_kind(cl) == PEND_CONTENT && !cl->content_flushed) {
            cl->content_flushed = true;
            cli_arm(cl);
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
    /* evbytes.data is still NULL when every saved event so far had no bytes (NULL + 0 is UB) */
    ev->bytes = !qe->has_bytes ? NULL
                : qe->in_wire  ? cl->wire.data
                : cl->evbytes.data ? cl->evbytes.data + qe->off
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
        cli_send_ehlo(cl, false, "client.tls_restart", "RFC 3207 4.2");
    }
    end_call(cl);
}

void smtp_client_connection_lost(smtp_client *cl, uint64_t now_ms)
{
    if (cl->state == SMTP_CLI_DONE)
        return;
    begin_call(cl, now_ms);
    const char *stage = cl->p_len ? cli_pend_table[cli_head_kind(cl)].stage : "QUIT";
    /* RFC 5321 4.4.5 / 6.1: until the final 250 the message is still ours to deliver */
    cli_decide_str(cl, SMTP_RESULT_TEMPFAIL, 0, "", "connection lost", stage, false);
    cli_emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "", 0, "", "RFC 5321 6.1",
             cl->res.status == SMTP_RESULT_OK ? "client.closed_after_accept"
                                              : "client.connection_lost");
    cli_finish(cl, false);
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

/* smtp_client_last_error - the first engine error (sticky until the next reset) */
smtp_client_error smtp_client_last_error(const smtp_client *cl)
{
    return cl->error;
}
