/* smtp_client_send.c - the client engine writes commands: EHLO, STARTTLS, AUTH, MAIL with its
 * parameters, RCPT, DATA, QUIT (RFC 5321 4.1.1). Every command goes into the output buffer
 * and on the queue of outstanding commands (cli_push), whose head decides the state and the
 * reply timeout. MAIL and RCPT parameters come from one table (name, the extension the server
 * must offer, when we want it, its value, the RFC).
 */
#include <stdio.h>
#include <string.h>

#include "core/smtp/smtp_client_internal.h"
#include "core/util/base64.h"

/* ---------------------------------------------------------------------------------------------
 * sending commands */

pend_kind cli_head_kind(const smtp_client *cl)
{
    return (pend_kind)cl->pend[cl->p_head].kind;
}

/* arm - the reply timeout for the command at the head of the queue (RFC 5321 4.5.3.2). */
void cli_arm(smtp_client *cl)
{
    if (cl->p_len == 0 || cl->handshake) {
        cl->deadline = UINT64_MAX;
        return;
    }
    pend_kind k = cli_head_kind(cl);
    smtp_limit_id t = cli_pend_table[k].timeout;
    if (k == PEND_CONTENT && !cl->content_flushed)
        t = SMTP_LIMIT_TIMEOUT_DATA_BLOCK; /* still sending: 4.5.3.2.5 */
    cl->deadline = cl->now + cl->cfg.limits.value[t];
}

/* push - a command is outstanding; the state follows the head of the queue. */
void cli_push(smtp_client *cl, pend_kind kind, size_t idx)
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
        cli_set_state(cl, cli_pend_table[kind].state);
        cli_arm(cl);
    }
}

/* cmd_begin / cmd_end - a command line is written straight into the output buffer between
 * these two; cmd_end adds CRLF, queues it as outstanding, and emits the COMMAND event.
 * `masked` (may be NULL) replaces the bytes shown in the event (AUTH secrets). */
size_t cli_cmd_begin(smtp_client *cl)
{
    if (cl->out_off > 0 && cl->out_off == cl->out.len) {
        cl->out_off = 0;
        cl->out.len = 0;
    }
    return cl->out.len;
}

void cli_cmd_end(smtp_client *cl, size_t start, pend_kind kind, size_t idx, const char *key,
                 const char *rfc, const char *masked)
{
    cli_cbuf_put(cl, &cl->out, "\r\n", 2);
    if (cl->oom)
        return;
    cli_push(cl, kind, idx);
    const char *bytes = masked ? masked : cl->out.data + start;
    size_t len = masked ? strlen(masked) : cl->out.len - start;
    cli_emit(cl, SMTP_EV_COMMAND, SMTP_DIR_C2S, bytes, len, cli_pend_table[kind].verb, 0, "",
             rfc ? rfc : cli_pend_table[kind].rfc, key ? key : cli_pend_table[kind].key);
}

/* simple_cmd - a command without arguments. */
void cli_simple_cmd(smtp_client *cl, pend_kind kind, const char *key, const char *rfc)
{
    size_t start = cli_cmd_begin(cl);
    cli_cbuf_puts(cl, &cl->out, cli_pend_table[kind].verb);
    cli_cmd_end(cl, start, kind, 0, key, rfc, NULL);
}

/* send_quit - end the session politely (RFC 5321 4.1.1.10), once. With commands still
 * outstanding (pipelining), QUIT waits until they are answered. */
void cli_send_quit(smtp_client *cl)
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
        cli_simple_cmd(cl, PEND_RSET, NULL, NULL);
        return;
    }
    cl->quit_queued = true;
    cl->quit_after = false;
    cli_simple_cmd(cl, PEND_QUIT, NULL, NULL);
}

void cli_send_ehlo(smtp_client *cl, bool helo, const char *key, const char *rfc)
{
    size_t start = cli_cmd_begin(cl);
    cli_cbuf_puts(cl, &cl->out, helo ? "HELO " : "EHLO ");
    cli_cbuf_puts(cl, &cl->out, cl->cfg.helo_name);
    cli_cmd_end(cl, start, helo ? PEND_HELO : PEND_EHLO, 0, key, rfc, NULL);
}

/* put_xtext - RFC 3461 4: '+', '=' and octets outside 33..126 as "+XX". */
static void put_xtext(smtp_client *cl, membuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 33 || *p > 126 || *p == '+' || *p == '=') {
            char e[3] = {'+', hex[*p >> 4], hex[*p & 15]};
            cli_cbuf_put(cl, b, e, 3);
        } else {
            cli_cbuf_put(cl, b, p, 1);
        }
    }
}

/* ---- MAIL and RCPT parameters ------------------------------------------------------------ */

/* put_size - SIZE=<octets> (RFC 1870 6): always sent when the server offers SIZE */
static void put_size(smtp_client *cl)
{
    cli_cbuf_put(cl, &cl->out, "=", 1);
    cli_cbuf_putu(cl, &cl->out, cl->msg_size);
}

/* put_ret - RET=FULL/HDRS (RFC 3461 4.3) */
static void put_ret(smtp_client *cl)
{
    cli_cbuf_put(cl, &cl->out, "=", 1);
    cli_cbuf_puts(cl, &cl->out, cl->cfg.dsn_ret);
}

/* put_envid - ENVID=<xtext> (RFC 3461 4.4) */
static void put_envid(smtp_client *cl)
{
    cli_cbuf_put(cl, &cl->out, "=", 1);
    put_xtext(cl, &cl->out, cl->cfg.dsn_envid);
}

/* put_notify - NOTIFY=<list> (RFC 3461 4.1) */
static void put_notify(smtp_client *cl)
{
    cli_cbuf_put(cl, &cl->out, "=", 1);
    cli_cbuf_puts(cl, &cl->out, cl->cfg.dsn_notify);
}

/* want_size - SIZE goes with every MAIL to a server that offers it (RFC 1870 6) */
static bool want_size(const smtp_client *cl)
{
    (void)cl;
    return true;
}

/* want_body - BODY=8BITMIME only for a message with 8-bit octets (RFC 6152 2) */
static bool want_body(const smtp_client *cl)
{
    return cl->msg_8bit;
}

/* want_utf8 - SMTPUTF8 when asked for or needed by an address (RFC 6531 3.4) */
static bool want_utf8(const smtp_client *cl)
{
    return cl->use_utf8;
}

/* want_ret, want_envid, want_notify - the DSN parameters the configuration sets (RFC 3461) */
static bool want_ret(const smtp_client *cl)
{
    return cl->cfg.dsn_ret != NULL;
}

static bool want_envid(const smtp_client *cl)
{
    return cl->cfg.dsn_envid != NULL;
}

static bool want_notify(const smtp_client *cl)
{
    return cl->cfg.dsn_notify != NULL;
}

enum { PARAM_MAIL, PARAM_RCPT };

/* The parameters we send, in this order: the command, the keyword, the extension the server
 * must have offered, whether this transaction wants it, how its value is written (NULL: a
 * keyword alone, or a fixed "=value" in the keyword), and the RFC. */
static const struct {
    int cmd;
    const char *keyword;
    unsigned ext;
    bool (*wanted)(const smtp_client *cl);
    void (*value)(smtp_client *cl);
    const char *rfc;
} params[] = {
    {PARAM_MAIL, "SIZE", EXT_SIZE, want_size, put_size, "RFC 1870 6"},
    {PARAM_MAIL, "BODY=8BITMIME", EXT_8BITMIME, want_body, NULL, "RFC 6152 2"},
    {PARAM_MAIL, "SMTPUTF8", EXT_SMTPUTF8, want_utf8, NULL, "RFC 6531 3.4"},
    {PARAM_MAIL, "RET", EXT_DSN, want_ret, put_ret, "RFC 3461 4.3"},
    {PARAM_MAIL, "ENVID", EXT_DSN, want_envid, put_envid, "RFC 3461 4.4"},
    {PARAM_RCPT, "NOTIFY", EXT_DSN, want_notify, put_notify, "RFC 3461 4.1"},
};

/* put_params - " KEY[=VALUE]" for every parameter of the command this transaction uses. */
static void put_params(smtp_client *cl, int cmd)
{
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        if (params[i].cmd != cmd || !(cl->ext & params[i].ext) || !params[i].wanted(cl))
            continue;
        cli_cbuf_put(cl, &cl->out, " ", 1);
        cli_cbuf_puts(cl, &cl->out, params[i].keyword);
        if (params[i].value)
            params[i].value(cl);
    }
}

void cli_send_rcpt(smtp_client *cl, size_t i)
{
    size_t start = cli_cmd_begin(cl);
    cli_cbuf_put(cl, &cl->out, "RCPT TO:<", 9);
    cli_cbuf_puts(cl, &cl->out, cl->cfg.rcpts[i]);
    cli_cbuf_put(cl, &cl->out, ">", 1);
    put_params(cl, PARAM_RCPT);
    /* a command step cites where the command is defined (RFC 5321 4.1.1.3), pipelined or not */
    cli_cmd_end(cl, start, PEND_RCPT, i, NULL, NULL, NULL);
}

/* start_transaction - MAIL, and with PIPELINING every RCPT and DATA in the same write. The
 * checks that can refuse locally come first: nothing is sent that the server must refuse. */
void cli_start_transaction(smtp_client *cl)
{
    if (cl->cfg.n_rcpts == 0) {
        cli_decide_str(cl, SMTP_RESULT_PERMFAIL, 0, "", "local: no recipients", "MAIL", true);
        cli_send_quit(cl);
        return;
    }
    /* RFC 6531 3.2: a non-ASCII address needs a server that offers SMTPUTF8 */
    bool utf8 = (cl->cfg.smtputf8 || cl->addr_utf8) && (cl->ext & EXT_SMTPUTF8);
    cl->use_utf8 = utf8;
    if (cl->addr_utf8 && !(cl->ext & EXT_SMTPUTF8)) {
        cli_emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "MAIL", 553, "5.6.7", "RFC 6531 3.2",
                 "client.smtputf8_needed");
        cli_decide_str(cl, SMTP_RESULT_PERMFAIL, 553, "5.6.7",
                       "local: a non-ASCII address, but the server does not offer SMTPUTF8", "MAIL",
                       true);
        cli_send_quit(cl);
        return;
    }
    /* RFC 1870 7: a message larger than the server's fixed limit is not sent at all (unless
     * the configuration asks to behave like a client that declares SIZE= and lets the server
     * refuse: it then answers MAIL with 552 5.3.4, RFC 1870 6.1) */
    if ((cl->ext & EXT_SIZE) && cl->ext_size > 0 && cl->msg_size > cl->ext_size &&
        !cl->cfg.ignore_advertised_size) {
        cli_emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "MAIL", 552, "5.3.4", "RFC 1870 7",
                 "client.size_exceeded");
        char text[sizeof cl->res.text];
        snprintf(text, sizeof text,
                 "local: the message (%llu octets) is larger than the server's SIZE %llu",
                 (unsigned long long)cl->msg_size, (unsigned long long)cl->ext_size);
        cli_decide_str(cl, SMTP_RESULT_PERMFAIL, 552, "5.3.4", text, "MAIL", true);
        cli_send_quit(cl);
        return;
    }
    if (cl->msg_8bit && !(cl->ext & EXT_8BITMIME) && !utf8)
        /* RFC 6152 3: we send it anyway, as many MTAs do, but say so */
        cli_emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "MAIL", 0, "", "RFC 6152 3",
                 "client.8bit_without_8bitmime");

    cl->pipelined = cl->cfg.use_pipelining && (cl->ext & EXT_PIPELINING);
    cl->res.pipelining_used = cl->pipelined;

    size_t start = cli_cmd_begin(cl);
    cli_cbuf_put(cl, &cl->out, "MAIL FROM:<", 11);
    cli_cbuf_puts(cl, &cl->out, cl->cfg.mail_from);
    cli_cbuf_put(cl, &cl->out, ">", 1);
    put_params(cl, PARAM_MAIL);
    /* the key tells about pipelining (RFC 2920); the rfc stays the command's own (4.1.1.2) */
    cli_cmd_end(cl, start, PEND_MAIL, 0, cl->pipelined ? "client.pipelining" : NULL, NULL, NULL);
    if (!cl->pipelined)
        return;
    for (size_t i = 0; i < cl->cfg.n_rcpts; i++)
        cli_send_rcpt(cl, i);
    /* sent before any reply has come back, so its explanation differs from plain DATA */
    cli_simple_cmd(cl, PEND_DATA, "client.data_pipelined", NULL);
}

/* send_auth - AUTH PLAIN with an initial response (RFC 4616, RFC 4954 4), or AUTH LOGIN
 * answering the server's 334 challenges. The base64 on the wire hides nothing; the events
 * show "********" instead unless cfg.show_secrets. */
void cli_send_auth(smtp_client *cl)
{
    const char *mech = cl->cfg.auth_mech;
    size_t ml = mech ? strlen(mech) : 0, rest;
    bool login;
    if (ml == 5 && cli_ext_word(mech, ml, "LOGIN", &rest))
        login = true;
    else if (ml == 5 && cli_ext_word(mech, ml, "PLAIN", &rest))
        login = false;
    else
        login = !(cl->mechs & MECH_PLAIN) && (cl->mechs & MECH_LOGIN); /* prefer PLAIN */
    unsigned want = login ? MECH_LOGIN : MECH_PLAIN;
    cl->auth_tried = true;
    if (!(cl->mechs & want)) {
        cli_emit(cl, SMTP_EV_AUTH, SMTP_DIR_NONE, NULL, 0, "AUTH", 0, "", "RFC 4954 4",
                 "client.auth_failed");
        cli_decide_str(cl, SMTP_RESULT_PERMFAIL, 0, "",
                       "local: the server offers no AUTH mechanism we can use (PLAIN, LOGIN)",
                       "AUTH", true);
        cli_send_quit(cl);
        return;
    }
    if (strlen(cl->cfg.auth_user) > SMTP_CLIENT_CREDENTIAL_MAX ||
        strlen(cl->cfg.auth_password) > SMTP_CLIENT_CREDENTIAL_MAX) {
        cli_decide_str(cl, SMTP_RESULT_PERMFAIL, 0, "",
                       "local: user name or password longer than 255 octets (RFC 4616 2)", "AUTH",
                       true);
        cli_send_quit(cl);
        return;
    }
    cl->auth_login = login;
    if (!cl->tls_active)
        /* RFC 4954 4 / RFC 8314: PLAIN and LOGIN without TLS show the password to anyone on
         * the path; allowed here (the server offered it), but said out loud */
        cli_emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "AUTH", 0, "", "RFC 4954 4",
                 "client.auth_cleartext");
    size_t start = cli_cmd_begin(cl);
    if (login) {
        cli_cbuf_puts(cl, &cl->out, "AUTH LOGIN");
        cli_cmd_end(cl, start, PEND_AUTH, 0, NULL, NULL, NULL);
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
        cli_cbuf_puts(cl, &cl->out, "AUTH PLAIN ");
        cli_cbuf_put(cl, &cl->out, b64, (size_t)n);
        cli_cmd_end(cl, start, PEND_AUTH, 0, NULL, NULL,
                    cl->cfg.show_secrets ? NULL : "AUTH PLAIN ********\r\n");
    } else {
        cli_cbuf_puts(cl, &cl->out, "AUTH PLAIN");
        cli_cmd_end(cl, start, PEND_AUTH, 0, NULL, NULL, NULL);
    }
    memset(b64, 0, sizeof b64);
}

/* send_b64_line - one base64 line answering a 334 challenge (RFC 4954 4). */
void cli_send_b64_line(smtp_client *cl, pend_kind kind, const char *s, bool secret)
{
    size_t start = cli_cmd_begin(cl);
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
    cli_cbuf_put(cl, &cl->out, b64, n > 0 ? (size_t)n : 0);
    memset(b64, 0, sizeof b64);
    cli_cmd_end(cl, start, kind, 0, NULL, NULL,
                secret && !cl->cfg.show_secrets ? "********\r\n" : NULL);
}

/* proceed - after EHLO/HELO (and after STARTTLS or AUTH): the next step the extensions and
 * the configuration call for. */
void cli_proceed(smtp_client *cl)
{
    smtp_tls_mode mode = cl->cfg.tls;
    if (!cl->tls_active && !cl->tls_tried &&
        (mode == SMTP_TLS_OPPORTUNISTIC || mode == SMTP_TLS_REQUIRED)) {
        if ((cl->ext & EXT_STARTTLS) && cl->cfg.tls_available) {
            cl->tls_tried = true;
            cli_simple_cmd(cl, PEND_STARTTLS, NULL, NULL);
            return;
        }
        if (mode == SMTP_TLS_REQUIRED) {
            /* RFC 3207 4 and RFC 8314 3: a client that requires TLS does not send mail in the
             * clear; it gives up rather than downgrade. Temporary, not a bounce: a STARTTLS
             * missing from the EHLO reply is what an attacker stripping it looks like, and a
             * server's TLS may be back tomorrow (Postfix defers: "TLS is required, but was
             * not offered"; DANE, RFC 7672 2.2, and MTA-STS, RFC 8461 5, also delay). The
             * code is ours: 454 as in RFC 3207 4, 4.7.10 "encryption needed" (RFC 5248). */
            cli_emit(cl, SMTP_EV_ERROR, SMTP_DIR_NONE, NULL, 0, "STARTTLS", 454, "4.7.10",
                     "RFC 3207 6", "client.starttls_required");
            cli_decide_str(cl, SMTP_RESULT_TEMPFAIL, 454, "4.7.10",
                           !cl->cfg.tls_available
                               ? "local: TLS required, but this client cannot run TLS"
                               : "local: TLS required, but the server does not offer STARTTLS",
                           "STARTTLS", true);
            cli_send_quit(cl);
            return;
        }
    }
    if (cl->cfg.auth_user && !cl->auth_tried && (cl->ext & EXT_AUTH)) {
        cli_send_auth(cl);
        return;
    }
    cli_start_transaction(cl);
}
