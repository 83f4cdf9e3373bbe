/* smtp_client_reply.c - the client engine reads replies (RFC 5321 4.2).
 *
 * Reply lines are checked for shape and gathered into whole replies (cli_line_done); each whole
 * reply pops the head of the queue of outstanding commands and goes to that command's handler,
 * named in the client's command table below: one function per awaited reply, OpenSMTPD style,
 * instead of one switch. Also here: the EHLO extensions, enhanced status codes (RFC 2034) and
 * the per-recipient outcome.
 */
#include <string.h>

#include "core/smtp/smtp_client_internal.h"

/* ---------------------------------------------------------------------------------------------
 * replies */

/* ext_word - case-insensitive keyword at the start of an EHLO line (RFC 5321 4.1.1.1); returns
 * what follows it (after one space or '='), or NULL. */
const char *cli_ext_word(const char *s, size_t n, const char *kw, size_t *rest)
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
        if (cli_ext_word(s + i, j - i, "PLAIN", &r) && j - i == 5)
            m |= MECH_PLAIN;
        if (cli_ext_word(s + i, j - i, "LOGIN", &r) && j - i == 5)
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
                if ((a = cli_ext_word(s, n, ehlo_keywords[k].kw, &rest))) {
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
    cli_decide_str(cl, cli_status_for(code), code, esc, text, cli_pend_table[kind].stage, false);
}

/* rcpt_record - one recipient's answer, and its event. */
static void rcpt_record(smtp_client *cl, size_t i, int code, const char *esc, const char *text,
                        const char *key)
{
    smtp_rcpt_result *rr = &cl->rcpt[i];
    rr->code = code;
    str_copy(rr->esc, sizeof rr->esc, esc, strlen(esc));
    str_copy(rr->text, sizeof rr->text, text, strlen(text));
    smtp_event *ev = cli_emit(cl, SMTP_EV_RCPT_RESULT, SMTP_DIR_NONE, NULL, 0, "RCPT", code, esc,
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
    cli_decide_str(cl, temp ? SMTP_RESULT_TEMPFAIL : SMTP_RESULT_PERMFAIL, rr->code, rr->esc,
                   rr->text, "RCPT", false);
    cli_emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "RCPT", rr->code, rr->esc, "RFC 2920 3.1",
             "client.no_recipients");
    cl->rset_after = true;
}

/* send_content - after 354: the prepared message, ending in CRLF.CRLF (RFC 5321 4.1.1.4). */
static void send_content(smtp_client *cl)
{
    cli_cmd_begin(cl);
    if (cli_cbuf_put(cl, &cl->out, cl->wire.data, cl->wire.len) < 0)
        return;
    cl->content_flushed = false;
    cli_push(cl, PEND_CONTENT, 0);
    cli_emit(cl, SMTP_EV_DATA, SMTP_DIR_C2S, cl->wire.data, cl->wire.len, "", 0, "", "RFC 5321 4.5.2",
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
    return cli_pend_table[kind].key;
}

/* ---- one handler per awaited reply ------------------------------------------------------ */

/* refuse_or_give_up - the common last branch of a handler: a 4xx/5xx is the server's refusal
 * (the result records it, then QUIT politely); any other code is a protocol error */
static void refuse_or_give_up(smtp_client *cl, pend_kind kind, int code, const char *esc,
                              const char *r, size_t len, const char *rfc, const char *what,
                              const char *stage)
{
    if (code / 100 >= 4) {
        fail_reply(cl, code, esc, r, len, kind);
        cli_send_quit(cl);
    } else {
        cli_give_up(cl, "client.unexpected_reply", rfc, what, r, len, stage);
    }
}

/* on_greeting - the 220 (or 554) at connection time (RFC 5321 3.1) */
static void on_greeting(smtp_client *cl, pend p, int code, const char *esc, const char *r,
                        size_t len)
{
    pend_kind kind = (pend_kind)p.kind;
    if (code == 220)
        cli_send_ehlo(cl, false, NULL, NULL);
    else /* 554: no SMTP service here (RFC 5321 3.1); still QUIT politely */
        refuse_or_give_up(cl, kind, code, esc, r, len, "RFC 5321 3.1",
                          "protocol error: the greeting is not 220 or 554", "greeting");
}

/* on_ehlo - EHLO or HELO answered: read the extensions, or fall back to HELO (RFC 5321 3.2) */
static void on_ehlo(smtp_client *cl, pend p, int code, const char *esc, const char *r, size_t len)
{
    pend_kind kind = (pend_kind)p.kind;
    int cls = code / 100;
    bool ok = cls == 2;
    if (ok) {
        if (kind == PEND_EHLO)
            parse_ehlo(cl, r, len);
        else
            cl->ext = 0; /* HELO: plain RFC 821 SMTP, no extensions */
        cli_proceed(cl);
    } else if (kind == PEND_EHLO && (code == 500 || code == 502)) {
        /* RFC 5321 3.2: a server that does not know EHLO gets HELO */
        cli_send_ehlo(cl, true, "client.helo_fallback", "RFC 5321 3.2");
    } else {
        refuse_or_give_up(cl, kind, code, esc, r, len, "RFC 5321 4.2",
                          "protocol error: unexpected reply to EHLO", "EHLO");
    }
}

/* on_starttls - 220 hands the connection to the driver for the handshake (RFC 3207 4) */
static void on_starttls(smtp_client *cl, pend p, int code, const char *esc, const char *r,
                        size_t len)
{
    pend_kind kind = (pend_kind)p.kind;
    int cls = code / 100;
    if (code == 220) {
        /* the driver runs the handshake, then calls smtp_client_tls_started. Bytes that
         * arrived after this reply are dropped: they were sent before TLS and an attacker
         * could have injected them (RFC 3207 4.2, the STARTTLS injection class of bugs). */
        cl->handshake = true;
        cl->discard_input = true;
        cli_arm(cl);
        cli_emit(cl, SMTP_EV_STARTTLS, SMTP_DIR_NONE, NULL, 0, "STARTTLS", 220, esc, "RFC 3207 4",
                 "client.starttls");
    } else if (cls >= 4 && cl->cfg.tls == SMTP_TLS_OPPORTUNISTIC) {
        cli_proceed(cl); /* RFC 3207 4.1: opportunistic TLS continues in the clear */
    } else {
        refuse_or_give_up(cl, kind, code, esc, r, len, "RFC 3207 4",
                          "protocol error: unexpected reply to STARTTLS", "STARTTLS");
    }
}

/* on_auth - AUTH and its 334 challenges (RFC 4954 4, RFC 4616, LOGIN) */
static void on_auth(smtp_client *cl, pend p, int code, const char *esc, const char *r, size_t len)
{
    pend_kind kind = (pend_kind)p.kind;
    int cls = code / 100;
    if (code == 235) {
        cl->res.auth_used = true;
        cli_emit(cl, SMTP_EV_AUTH, SMTP_DIR_NONE, NULL, 0, "AUTH", code, esc, "RFC 4954 4",
                 "client.auth");
        cli_start_transaction(cl);
    } else if (code == 334 && kind == PEND_AUTH && cl->auth_login) {
        cli_send_b64_line(cl, PEND_AUTH_USER, cl->cfg.auth_user, false);
    } else if (code == 334 && kind == PEND_AUTH_USER) {
        cli_send_b64_line(cl, PEND_AUTH_PASS, cl->cfg.auth_password, true);
    } else if (code == 334 && kind == PEND_AUTH && !cl->auth_login) {
        cli_send_b64_line(cl, PEND_AUTH_PASS, NULL, true); /* PLAIN after an empty 334 */
    } else {
        if (cls >= 4)
            cli_emit(cl, SMTP_EV_AUTH, SMTP_DIR_NONE, NULL, 0, "AUTH", code, esc, "RFC 4954 6",
                     "client.auth_failed");
        refuse_or_give_up(cl, kind, code, esc, r, len, "RFC 4954 4",
                          "protocol error: unexpected reply during AUTH", "AUTH");
    }
}

/* on_mail - MAIL answered: the first RCPT, or the whole transaction fails (RFC 5321 4.1.1.2) */
static void on_mail(smtp_client *cl, pend p, int code, const char *esc, const char *r, size_t len)
{
    pend_kind kind = (pend_kind)p.kind;
    int cls = code / 100;
    bool ok = cls == 2;
    if (ok) {
        if (!cl->pipelined)
            cli_send_rcpt(cl, 0);
    } else if (cls >= 4) {
        /* the whole transaction fails; pipelined RCPT and DATA replies that follow are
         * read and ignored. Every recipient gets MAIL's answer. */
        cl->mail_failed = true;
        fail_reply(cl, code, esc, r, len, kind);
        for (size_t i = 0; i < cl->cfg.n_rcpts; i++)
            rcpt_record(cl, i, code, esc, cl->res.text, reply_key(cl, kind, code));
        cli_send_quit(cl);
    } else {
        cli_give_up(cl, "client.unexpected_reply", "RFC 5321 4.3.2",
                    "protocol error: unexpected reply to MAIL", r, len, "MAIL");
    }
}

/* on_rcpt - one recipient answered (RFC 5321 4.1.1.3) */
static void on_rcpt(smtp_client *cl, pend p, int code, const char *esc, const char *r, size_t len)
{
    pend_kind kind = (pend_kind)p.kind;
    int cls = code / 100;
    bool ok = cls == 2;
    if (cl->mail_failed)
        return;
    if (ok || cls >= 4) {
        char text[sizeof cl->rcpt[0].text];
        reply_text(r, len, text, sizeof text);
        rcpt_record(cl, p.idx, code, esc, text, reply_key(cl, kind, code));
        if (ok)
            cl->res.n_accepted++;
    } else {
        cli_give_up(cl, "client.unexpected_reply", "RFC 5321 4.3.2",
                    "protocol error: unexpected reply to RCPT", r, len, "RCPT");
        return;
    }
    if (!cl->pipelined) {
        if (p.idx + 1 < cl->cfg.n_rcpts)
            cli_send_rcpt(cl, p.idx + 1);
        else if (cl->res.n_accepted > 0)
            cli_simple_cmd(cl, PEND_DATA, NULL, NULL);
        else {
            no_recipients(cl);
            cli_send_quit(cl);
        }
    }
}

/* on_data - 354 or a refusal of DATA (RFC 5321 4.1.1.4, RFC 2920 3.1) */
static void on_data(smtp_client *cl, pend p, int code, const char *esc, const char *r, size_t len)
{
    pend_kind kind = (pend_kind)p.kind;
    int cls = code / 100;
    bool more = cls == 3;
    if (more) {
        if (cl->res.n_accepted > 0 && !cl->mail_failed) {
            send_content(cl);
        } else {
            /* RFC 2920 3.1: DATA was accepted with no recipient: send a lone dot */
            if (!cl->mail_failed)
                no_recipients(cl);
            cl->rset_after = false;
            size_t start = cli_cmd_begin(cl);
            cli_cbuf_put(cl, &cl->out, ".", 1);
            cli_cmd_end(cl, start, PEND_DOT, 0, "client.no_recipients", "RFC 2920 3.1", NULL);
            cli_send_quit(cl);
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
        cli_send_quit(cl);
    } else {
        cli_give_up(cl, "client.unexpected_reply", "RFC 5321 4.3.2",
                    "protocol error: unexpected reply to DATA", r, len, "DATA");
    }
}

/* on_content - the final reply to the message (RFC 5321 4.1.1.4) */
static void on_content(smtp_client *cl, pend p, int code, const char *esc, const char *r,
                       size_t len)
{
    pend_kind kind = (pend_kind)p.kind;
    int cls = code / 100;
    bool ok = cls == 2;
    if (ok || cls >= 4) {
        char text[sizeof cl->res.text];
        reply_text(r, len, text, sizeof text);
        cli_decide_str(cl, ok ? SMTP_RESULT_OK : cli_status_for(code), code, esc, text,
                       cli_pend_table[kind].stage, false);
        /* the answer for every recipient that was accepted is this one (RFC 5321 4.1.1.4) */
        const char *key = reply_key(cl, kind, code);
        for (size_t i = 0; i < cl->cfg.n_rcpts; i++)
            if (cl->rcpt[i].code / 100 == 2)
                rcpt_record(cl, i, code, esc, text, key);
        if (!ok)
            cl->res.n_accepted = 0;
        cli_send_quit(cl);
    } else {
        cli_give_up(cl, "client.unexpected_reply", "RFC 5321 4.3.2",
                    "protocol error: unexpected reply to the end of data", r, len, "end of data");
    }
}

/* on_rset - RSET, or the lone dot after an unwanted 354: QUIT next */
static void on_rset(smtp_client *cl, pend p, int code, const char *esc, const char *r, size_t len)
{
    (void)p, (void)code, (void)esc, (void)r, (void)len;
    cli_send_quit(cl);
}

/* on_quit - 221: the session is over */
static void on_quit(smtp_client *cl, pend p, int code, const char *esc, const char *r, size_t len)
{
    (void)p, (void)code, (void)esc, (void)r, (void)len;
    cli_finish(cl, true);
}

/* The client's command table: per outstanding command, what it is called, its result stage,
 * the RFC that defines it, the explanation key of the command and its ordinary reply, the
 * state it puts the client in, the 4.5.3.2 timeout for its reply, and the handler of that
 * reply. */
const pend_info cli_pend_table[PEND_COUNT] = {
    [PEND_GREETING] = {"", "greeting", "RFC 5321 3.1", "client.greeting", SMTP_CLI_GREETING,
                       SMTP_LIMIT_TIMEOUT_GREETING, on_greeting},
    [PEND_EHLO] = {"EHLO", "EHLO", "RFC 5321 4.1.1.1", "client.ehlo", SMTP_CLI_EHLO,
                   SMTP_LIMIT_TIMEOUT_MAIL, on_ehlo},
    [PEND_HELO] = {"HELO", "HELO", "RFC 5321 4.1.1.1", "client.helo", SMTP_CLI_EHLO,
                   SMTP_LIMIT_TIMEOUT_MAIL, on_ehlo},
    [PEND_STARTTLS] = {"STARTTLS", "STARTTLS", "RFC 3207 4", "client.starttls", SMTP_CLI_STARTTLS,
                       SMTP_LIMIT_TIMEOUT_MAIL, on_starttls},
    [PEND_AUTH] = {"AUTH", "AUTH", "RFC 4954 4", "client.auth", SMTP_CLI_AUTH,
                   SMTP_LIMIT_TIMEOUT_MAIL, on_auth},
    [PEND_AUTH_USER] = {"AUTH", "AUTH", "RFC 4954 4", "client.auth", SMTP_CLI_AUTH,
                        SMTP_LIMIT_TIMEOUT_MAIL, on_auth},
    [PEND_AUTH_PASS] = {"AUTH", "AUTH", "RFC 4954 4", "client.auth", SMTP_CLI_AUTH,
                        SMTP_LIMIT_TIMEOUT_MAIL, on_auth},
    [PEND_MAIL] = {"MAIL", "MAIL", "RFC 5321 4.1.1.2", "client.mail", SMTP_CLI_MAIL,
                   SMTP_LIMIT_TIMEOUT_MAIL, on_mail},
    [PEND_RCPT] = {"RCPT", "RCPT", "RFC 5321 4.1.1.3", "client.rcpt", SMTP_CLI_RCPT,
                   SMTP_LIMIT_TIMEOUT_RCPT, on_rcpt},
    [PEND_DATA] = {"DATA", "DATA", "RFC 5321 4.1.1.4", "client.data", SMTP_CLI_DATA,
                   SMTP_LIMIT_TIMEOUT_DATA_INIT, on_data},
    [PEND_CONTENT] = {"DATA", "end of data", "RFC 5321 4.1.1.4", "client.accepted",
                      SMTP_CLI_CONTENT, SMTP_LIMIT_TIMEOUT_DATA_TERM, on_content},
    [PEND_DOT] = {"DATA", "end of data", "RFC 2920 3.1", "client.no_recipients", SMTP_CLI_CONTENT,
                  SMTP_LIMIT_TIMEOUT_DATA_TERM, on_rset},
    [PEND_RSET] = {"RSET", "RSET", "RFC 5321 4.1.1.5", "client.rset", SMTP_CLI_QUIT,
                   SMTP_LIMIT_TIMEOUT_MAIL, on_rset},
    [PEND_QUIT] = {"QUIT", "QUIT", "RFC 5321 4.1.1.10", "client.quit", SMTP_CLI_QUIT,
                   SMTP_LIMIT_TIMEOUT_MAIL, on_quit},
};

/* handle_reply - one whole reply (all its lines) has arrived: it answers the head of the
 * queue of outstanding commands. */
static void handle_reply(smtp_client *cl, int code, const char *r, size_t len)
{
    if (cl->p_len == 0) {
        cli_give_up(cl, "client.unexpected_reply", "RFC 5321 4.2",
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
    cli_emit(cl, SMTP_EV_REPLY, SMTP_DIR_S2C, r, len, cli_pend_table[kind].verb, code, esc,
             cli_pend_table[kind].rfc, reply_key(cl, kind, code));
    if (cl->p_len > 0) {
        cli_set_state(cl, cli_pend_table[cli_head_kind(cl)].state);
    }
    cli_arm(cl);

    if (code == 421 && kind != PEND_QUIT) {
        /* RFC 5321 3.8: the server is closing the channel; nothing more will be answered */
        fail_reply(cl, code, esc, r, len, kind);
        cli_finish(cl, true);
    } else {
        cli_pend_table[kind].on_reply(cl, p, code, esc, r, len);
    }
    /* commands that had to wait for the pipelined replies before them (QUIT, RSET) */
    if (cl->p_len == 0 && cl->quit_after && cl->state != SMTP_CLI_DONE)
        cli_send_quit(cl);
}

/* line_done - a complete line ([line_start, rbuf.len), LF included) of a reply. Checks the
 * shape (RFC 5321 4.2: three digits, then SP, '-' or the end; every line of a multi-line
 * reply has the same code, 4.2.1) and dispatches the reply once its last line is in. */
void cli_line_done(smtp_client *cl)
{
    const char *line = cl->rbuf.data + cl->line_start;
    size_t n = cl->rbuf.len - cl->line_start - 1; /* without LF */
    if (n > 0 && line[n - 1] == '\r')
        n--; /* a bare LF is tolerated: be liberal in what you accept */
    const char *stage = cl->p_len ? cli_pend_table[cli_head_kind(cl)].stage : "greeting";
    bool shape = n >= 3 && line[0] >= '2' && line[0] <= '5' && line[1] >= '0' && line[1] <= '5' &&
                 line[2] >= '0' && line[2] <= '9' && (n == 3 || line[3] == ' ' || line[3] == '-') &&
                 !memchr(line, '\0', n);
    if (!shape) {
        cli_give_up(cl, "client.malformed_reply", "RFC 5321 4.2",
                    "protocol error: malformed reply line from the server", line, n, stage);
        return;
    }
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (cl->n_lines > 0 && code != cl->reply_code) {
        cli_give_up(cl, "client.malformed_reply", "RFC 5321 4.2.1",
                    "protocol error: the lines of a multi-line reply have different codes", line, n,
                    stage);
        return;
    }
    cl->reply_code = code;
    cl->n_lines++;
    if (n > 3 && line[3] == '-') {
        if (cl->n_lines >= SMTP_CLIENT_REPLY_LINES_MAX) {
            cli_give_up(cl, "client.malformed_reply", "RFC 5321 4.2.1",
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
    handle_reply(cl, code, cl->rbuf.data, len); /* rbuf is not written again during this call */
}
