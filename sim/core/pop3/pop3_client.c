/* pop3_client.c - the sans-I/O POP3 client engine: one command at a time, one state per
 * command sent, the response decides the next command.
 *
 * Multi-line responses (CAPA, UIDL, RETR) are read by a scanner that appends whole lines into
 * one buffer and removes the byte-stuffing as each line ends (RFC 1939 3), so a message split
 * anywhere across feeds costs one pass and no per-line allocation.
 */
#include "core/pop3/pop3_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/retrieval/retr_io.h"
#include "core/util/base64.h"

#define CRED_MAX 255 /* RFC 4616 2: user and password up to 255 octets */
#define UID_MAX 70   /* RFC 1939 7: a unique-id is 1 to 70 characters */

struct pop3_client {
    pop3_client_config cfg;
    char *user, *password;
    char **known;
    retr_io io;
    pop3_client_state state;
    bool tls_pending, capa_ok, cap_stls, cap_plain, cap_uidl;
    bool multi;              /* reading a multi-line body */
    retr_buf body;           /* its lines, stuffing removed */
    size_t body_line;        /* where the current line starts in body */
    uint32_t n_msgs, cur;
    char (*uids)[UID_MAX + 1];
    char verb[16];           /* the command waiting for its response */
    pop3_client_result res;
    pop3_client_result failed; /* a refused login, kept while QUIT ends the session */
    bool quitting_failed;
};

/* ---- funnels ------------------------------------------------------------------------------- */

static const char *state_key(pop3_client_state st)
{
    static const char *const keys[] = {
        "pop3c.state.greeting", "pop3c.state.capa", "pop3c.state.stls", "pop3c.state.user",
        "pop3c.state.pass",     "pop3c.state.auth", "pop3c.state.stat", "pop3c.state.uidl",
        "pop3c.state.retr",     "pop3c.state.dele", "pop3c.state.quit", "pop3c.state.done",
    };
    return (size_t)st < sizeof keys / sizeof keys[0] ? keys[st] : "pop3c.state.unknown";
}

/* set_state - the one place states change */
static void set_state(pop3_client *cl, pop3_client_state to)
{
    if (cl->state == to)
        return;
    retr_io_state(&cl->io, (int)cl->state, (int)to, state_key(to), "RFC 1939 3");
    cl->state = to;
}

/* verdict - what decided the session, into the result or into the refusal kept while QUIT goes */
static void verdict(pop3_client_result *r, pop3_result_status st, const char *stage,
                    const char *code, const char *text)
{
    r->status = st;
    r->stage = stage;
    snprintf(r->code, sizeof r->code, "%s", code ? code : "");
    snprintf(r->text, sizeof r->text, "%s", text ? text : "");
}

/* finish - the session is over: result, DONE and CLOSE events */
static void finish(pop3_client *cl, pop3_result_status st, const char *stage, const char *code,
                   const char *text, bool local)
{
    if (cl->state == POP3_CLI_DONE)
        return;
    verdict(&cl->res, st, stage, code, text);
    cl->res.local = local;
    cl->multi = false;
    set_state(cl, POP3_CLI_DONE);
    bool ok = st == POP3_RESULT_OK;
    retr_io_done(&cl->io, ok ? "pop3c.done.ok" : "pop3c.done.failed", ok ? "+OK" : "-ERR",
                 "pop3c.close", "RFC 1939 6");
}

static void send_cmd(pop3_client *cl, pop3_client_state st, const char *verb, const char *arg,
                     bool secret, const char *key, const char *rfc);

/* quit_failed - a refused login still ends politely: QUIT, and the result is the refusal once
 * the server answers (RFC 1939 6: QUIT in the AUTHORIZATION state closes without UPDATE) */
static void quit_failed(pop3_client *cl, pop3_result_status st, const char *stage,
                        const char *code, const char *text)
{
    verdict(&cl->failed, st, stage, code, text);
    cl->quitting_failed = true;
    send_cmd(cl, POP3_CLI_QUIT, "QUIT", NULL, false, "pop3c.cmd.quit_refused", "RFC 1939 4");
}

/* send_cmd - every command goes through here: queued, reported (secrets hidden) */
static void send_cmd(pop3_client *cl, pop3_client_state st, const char *verb, const char *arg,
                     bool secret, const char *key, const char *rfc)
{
    char line[CRED_MAX * 2 + 64];
    int n = snprintf(line, sizeof line, "%s%s%s\r\n", verb, arg ? " " : "", arg ? arg : "");
    if (n < 0 || (size_t)n >= sizeof line)
        return; /* arguments are bounded at _new: cannot happen */
    snprintf(cl->verb, sizeof cl->verb, "%s", verb);
    set_state(cl, st);
    if (!retr_io_send(&cl->io, line, (size_t)n))
        return;
    retr_event *ev = retr_io_command(&cl->io, line, (size_t)n, secret && !cl->cfg.show_secrets,
                                     NULL, verb, key, rfc);
    if (ev)
        ev->msg = cl->cur;
}

/* ---- the session's steps --------------------------------------------------------------------- */

static void next_message(pop3_client *cl);

/* known - was this unique-id downloaded before? O(known) per message */
static bool known(const pop3_client *cl, const char *uid)
{
    for (size_t i = 0; uid[0] && i < cl->cfg.n_known; i++)
        if (strcmp(cl->known[i], uid) == 0)
            return true;
    return false;
}

/* login - AUTH PLAIN when chosen or offered (RFC 5034), else USER/PASS (RFC 1939 7) */
static void login(pop3_client *cl)
{
    bool plain = cl->cfg.auth == POP3_CLI_AUTH_PLAIN ||
                 (cl->cfg.auth == POP3_CLI_AUTH_AUTO && cl->cap_plain);
    if (!plain) {
        send_cmd(cl, POP3_CLI_USER, "USER", cl->user, false, "pop3c.cmd.user", "RFC 1939 7");
        return;
    }
    unsigned char raw[2 * CRED_MAX + 2];
    size_t ul = strlen(cl->user), pl = strlen(cl->password);
    raw[0] = 0;
    memcpy(raw + 1, cl->user, ul);
    raw[1 + ul] = 0;
    memcpy(raw + 2 + ul, cl->password, pl);
    char arg[8 + (2 * CRED_MAX + 2) * 4 / 3 + 8];
    memcpy(arg, "PLAIN ", 6);
    if (base64_encode(raw, 2 + ul + pl, arg + 6, sizeof arg - 6) < 0)
        arg[6] = '\0';
    send_cmd(cl, POP3_CLI_AUTH, "AUTH", arg, true, "pop3c.cmd.auth", "RFC 5034 4");
    memset(raw, 0, sizeof raw);
    memset(arg, 0, sizeof arg);
}

/* after_capa - STLS first when we should (RFC 2595 4), then log in */
static void after_capa(pop3_client *cl)
{
    pop3_client_tls t = cl->cfg.tls;
    if (!cl->io.tls && t == POP3_CLI_TLS_REQUIRED && (!cl->cap_stls || !cl->cfg.tls_available)) {
        /* never send a password in the clear when TLS was required */
        finish(cl, POP3_RESULT_PERMFAIL, "STLS", NULL, "TLS required but not available", true);
        return;
    }
    if (!cl->io.tls && cl->cfg.tls_available && cl->cap_stls &&
        (t == POP3_CLI_TLS_REQUIRED || t == POP3_CLI_TLS_OPPORTUNISTIC)) {
        send_cmd(cl, POP3_CLI_STLS, "STLS", NULL, false, "pop3c.cmd.stls", "RFC 2595 4");
        return;
    }
    login(cl);
}

/* body_line - the line of the multi-line body starting at *at (*len without its CRLF or LF),
 * and *at moved past it; NULL after the last line */
static const char *body_line(const pop3_client *cl, size_t *at, size_t *len)
{
    if (!cl->body.p || *at >= cl->body.len)
        return NULL;
    const char *p = cl->body.p + *at;
    size_t left = cl->body.len - *at;
    const char *lf = memchr(p, '\n', left);
    size_t n = lf ? (size_t)(lf - p) : left;
    *len = n && p[n - 1] == '\r' ? n - 1 : n;
    *at += lf ? n + 1 : n;
    return p;
}

/* parse_capa - the capability lines we act on (RFC 2449 6) */
static void parse_capa(pop3_client *cl)
{
    cl->cap_stls = cl->cap_plain = cl->cap_uidl = false;
    size_t at = 0, ln;
    const char *p;
    while ((p = body_line(cl, &at, &ln))) {
        if (retr_ieq(p, ln, "STLS"))
            cl->cap_stls = true;
        else if (retr_ieq(p, ln, "UIDL"))
            cl->cap_uidl = true;
        else if (ln > 5 && retr_ieq(p, 5, "SASL ")) {
            /* "SASL PLAIN LOGIN": look for the PLAIN word */
            for (size_t i = 5; i + 5 <= ln; i++)
                if (p[i - 1] == ' ' && retr_ieq(p + i, 5, "PLAIN") &&
                    (i + 5 == ln || p[i + 5] == ' '))
                    cl->cap_plain = true;
        }
    }
}

/* parse_uidl - "n unique-id" lines (RFC 1939 7); bad lines are ignored */
static void parse_uidl(pop3_client *cl)
{
    size_t at = 0, ln;
    const char *p;
    while ((p = body_line(cl, &at, &ln))) {
        const char *sp = memchr(p, ' ', ln);
        uint32_t k;
        if (sp && retr_parse_u32(p, (size_t)(sp - p), true, &k) == 0 && k <= cl->n_msgs) {
            size_t ul = ln - (size_t)(sp + 1 - p);
            bool ok = ul >= 1 && ul <= UID_MAX;
            for (size_t i = 0; ok && i < ul; i++)
                ok = sp[1 + i] > 0x20 && sp[1 + i] < 0x7f;
            if (ok) {
                memcpy(cl->uids[k - 1], sp + 1, ul);
                cl->uids[k - 1][ul] = '\0';
            }
        }
    }
}

/* next_message - RETR the next message not downloaded before, or QUIT */
static void next_message(pop3_client *cl)
{
    while (++cl->cur <= cl->n_msgs) {
        if (known(cl, cl->uids[cl->cur - 1])) {
            cl->res.skipped++;
            continue;
        }
        char arg[16];
        snprintf(arg, sizeof arg, "%u", cl->cur);
        send_cmd(cl, POP3_CLI_RETR, "RETR", arg, false, "pop3c.cmd.retr", "RFC 1939 5");
        return;
    }
    cl->cur = 0;
    send_cmd(cl, POP3_CLI_QUIT, "QUIT", NULL, false, "pop3c.cmd.quit", "RFC 1939 6");
}

/* stat_done - "+OK nn mm" (RFC 1939 5): make room for the unique-ids */
static void stat_done(pop3_client *cl, const char *text, size_t len)
{
    const char *sp = memchr(text, ' ', len);
    uint32_t n;
    if (!sp || retr_parse_u32(text, (size_t)(sp - text), false, &n) < 0) {
        finish(cl, POP3_RESULT_PERMFAIL, "STAT", NULL, "Malformed STAT response", true);
        return;
    }
    if (n > POP3_CLIENT_MESSAGES_MAX) {
        finish(cl, POP3_RESULT_PERMFAIL, "STAT", NULL, "Too many messages", true);
        return;
    }
    cl->n_msgs = n;
    cl->res.messages = n;
    if (n) {
        cl->uids = calloc(n, sizeof *cl->uids);
        if (!cl->uids) {
            cl->io.oom = true;
            return;
        }
    }
    if (n && (cl->cap_uidl || !cl->capa_ok))
        send_cmd(cl, POP3_CLI_UIDL, "UIDL", NULL, false, "pop3c.cmd.uidl", "RFC 1939 7");
    else
        next_message(cl);
}

/* multi_done - a multi-line body is complete */
static void multi_done(pop3_client *cl)
{
    cl->multi = false;
    switch (cl->state) {
    case POP3_CLI_CAPA:
        cl->capa_ok = true;
        parse_capa(cl);
        after_capa(cl);
        break;
    case POP3_CLI_UIDL:
        parse_uidl(cl);
        next_message(cl);
        break;
    case POP3_CLI_RETR: {
        retr_event *ev = retr_io_event(&cl->io, RETR_EV_MESSAGE, RETR_DIR_NONE,
                                       cl->body.p ? cl->body.p : "", cl->body.len,
                                       "pop3c.message", "RFC 1939 5");
        if (ev) {
            ev->msg = cl->cur;
            strcpy(ev->verb, "RETR");
        }
        cl->res.downloaded++;
        if (cl->cfg.delete_after) {
            char arg[16];
            snprintf(arg, sizeof arg, "%u", cl->cur);
            send_cmd(cl, POP3_CLI_DELE, "DELE", arg, false, "pop3c.cmd.dele", "RFC 1939 5");
        } else {
            next_message(cl);
        }
        break;
    }
    default:
        break;
    }
}

/* status_line - "+OK text", "-ERR [CODE] text" or "+ challenge" */
static void status_line(pop3_client *cl, const char *line, size_t raw_len)
{
    size_t len = raw_len;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    bool okr = len >= 3 && memcmp(line, "+OK", 3) == 0 && (len == 3 || line[3] == ' ');
    bool errr = len >= 4 && memcmp(line, "-ERR", 4) == 0 && (len == 4 || line[4] == ' ');
    bool cont = len >= 1 && line[0] == '+' && (len == 1 || line[1] == ' ');
    const char *text = line + (okr ? 3 : errr ? 4 : len);
    size_t tl = len - (size_t)(text - line);
    if (tl && text[0] == ' ')
        text++, tl--;
    char code[24] = "";
    if (tl > 2 && text[0] == '[') {
        const char *close = memchr(text, ']', tl);
        if (close && (size_t)(close - text - 1) < sizeof code) {
            memcpy(code, text + 1, (size_t)(close - text - 1));
            code[close - text - 1] = '\0';
            tl -= (size_t)(close + 1 - text);
            text = close + 1;
            if (tl && text[0] == ' ')
                text++, tl--;
        }
    }
    retr_event *ev = retr_io_event(&cl->io, cont && !okr ? RETR_EV_CONTINUE : RETR_EV_RESPONSE,
                                   RETR_DIR_S2C, line, raw_len,
                                   okr ? "pop3c.response.ok" : "pop3c.response.err", "RFC 1939 3");
    if (ev) {
        snprintf(ev->verb, sizeof ev->verb, "%s", cl->verb);
        snprintf(ev->status, sizeof ev->status, "%s", okr ? "+OK" : errr ? "-ERR" : "");
        snprintf(ev->code, sizeof ev->code, "%s", code);
        ev->msg = cl->cur;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "%.*s", (int)(tl < 150 ? tl : 150), text);
    if (!okr && !errr && !(cont && cl->state == POP3_CLI_AUTH)) {
        finish(cl, POP3_RESULT_PERMFAIL, cl->verb, NULL, "Malformed response from server", true);
        return;
    }
    /* RFC 2449 8.1.2 and RFC 3206: these codes mean "later", everything else "no" */
    pop3_result_status fail = strcmp(code, "IN-USE") == 0 || strcmp(code, "SYS/TEMP") == 0 ||
                                      strcmp(code, "LOGIN-DELAY") == 0
                                  ? POP3_RESULT_TEMPFAIL
                                  : POP3_RESULT_PERMFAIL;
    switch (cl->state) {
    case POP3_CLI_GREETING:
        if (!okr)
            finish(cl, POP3_RESULT_TEMPFAIL, "greeting", code, msg, false);
        else
            send_cmd(cl, POP3_CLI_CAPA, "CAPA", NULL, false, "pop3c.cmd.capa", "RFC 2449 5");
        break;
    case POP3_CLI_CAPA:
        if (okr) {
            cl->multi = true;
        } else {
            cl->capa_ok = false; /* an RFC 1939-only server: no STLS, no SASL */
            after_capa(cl);
        }
        break;
    case POP3_CLI_STLS:
        if (okr) {
            cl->tls_pending = true;
            retr_io_event(&cl->io, RETR_EV_STARTTLS, RETR_DIR_NONE, NULL, 0, "pop3c.stls.handshake",
                          "RFC 2595 4");
        } else if (cl->cfg.tls == POP3_CLI_TLS_REQUIRED) {
            finish(cl, POP3_RESULT_PERMFAIL, "STLS", code, msg, false);
        } else {
            login(cl);
        }
        break;
    case POP3_CLI_USER:
        if (okr)
            send_cmd(cl, POP3_CLI_PASS, "PASS", cl->password, true, "pop3c.cmd.pass", "RFC 1939 7");
        else
            quit_failed(cl, fail, "login", code, msg);
        break;
    case POP3_CLI_AUTH:
        if (cont && !okr) {
            /* a server that ignored the initial response asks for it: "=" is not right here,
             * RFC 5034 4 lets us cancel, which keeps the password out of a confused exchange */
            send_cmd(cl, POP3_CLI_AUTH, "*", NULL, false, "pop3c.auth.cancel", "RFC 5034 4");
            break;
        }
        /* fall through */
    case POP3_CLI_PASS: {
        retr_event *a = retr_io_event(&cl->io, RETR_EV_AUTH, RETR_DIR_NONE, NULL, 0,
                                      okr ? "pop3c.auth.ok" : "pop3c.auth.failed", "RFC 1939 7");
        if (a)
            strcpy(a->status, okr ? "+OK" : "-ERR");
        if (okr)
            send_cmd(cl, POP3_CLI_STAT, "STAT", NULL, false, "pop3c.cmd.stat", "RFC 1939 5");
        else
            quit_failed(cl, fail, "login", code, msg);
        break;
    }
    case POP3_CLI_STAT:
        if (okr)
            stat_done(cl, text, tl);
        else
            finish(cl, fail, "STAT", code, msg, false);
        break;
    case POP3_CLI_UIDL:
        if (okr)
            cl->multi = true;
        else
            next_message(cl); /* no unique-ids: every message is new */
        break;
    case POP3_CLI_RETR:
        if (okr)
            cl->multi = true;
        else
            next_message(cl); /* gone meanwhile: go on with the others */
        break;
    case POP3_CLI_DELE:
        if (okr)
            cl->res.deleted++;
        next_message(cl);
        break;
    case POP3_CLI_QUIT:
        if (cl->quitting_failed) { /* the session's outcome is the refused login */
            finish(cl, cl->failed.status, cl->failed.stage, cl->failed.code, cl->failed.text,
                   false);
            break;
        }
        /* RFC 1939 6: -ERR here means some deletions did not happen */
        finish(cl, okr ? POP3_RESULT_OK : POP3_RESULT_TEMPFAIL, "QUIT", code, msg, false);
        break;
    case POP3_CLI_DONE:
        break;
    }
    if (cl->multi) {
        cl->body.len = 0;
        cl->body_line = 0;
    }
}

/* body_take - append lines of a multi-line body, unstuffing each as it ends; *complete at
 * the "." line (RFC 1939 3). Returns the bytes used. */
static size_t body_take(pop3_client *cl, const char *b, size_t n, bool *complete)
{
    size_t i = 0;
    *complete = false;
    while (i < n) {
        const char *lf = memchr(b + i, '\n', n - i);
        size_t chunk = lf ? (size_t)(lf - (b + i)) + 1 : n - i;
        if (cl->body.len + chunk > POP3_CLIENT_MESSAGE_MAX) {
            finish(cl, POP3_RESULT_PERMFAIL, cl->verb, NULL, "Response too large", true);
            return n;
        }
        if (retr_buf_append(&cl->io, &cl->body, b + i, chunk) < 0)
            return n;
        i += chunk;
        if (!lf)
            break;
        char *ln = cl->body.p + cl->body_line;
        size_t ll = cl->body.len - cl->body_line;
        if ((ll == 3 && memcmp(ln, ".\r\n", 3) == 0) || (ll == 2 && memcmp(ln, ".\n", 2) == 0)) {
            cl->body.len = cl->body_line;
            *complete = true;
            return i;
        }
        if (ln[0] == '.') {
            memmove(ln, ln + 1, ll - 1);
            cl->body.len--;
        }
        cl->body_line = cl->body.len;
    }
    return i;
}

/* ---- public API ----------------------------------------------------------------------------- */

void pop3_client_config_default(pop3_client_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->tls = POP3_CLI_TLS_OPPORTUNISTIC;
    cfg->auth = POP3_CLI_AUTH_AUTO;
}

/* cred_ok - a credential that can go on the wire: at most 255 octets, no control characters */
static bool cred_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (!s || n > CRED_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

/* dup_str - a heap copy; NULL on no memory */
static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

pop3_client *pop3_client_new(const pop3_client_config *cfg, uint64_t now_ms)
{
    pop3_client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    cl->cfg = *cfg;
    cl->cfg.user = cl->cfg.password = NULL;
    cl->cfg.known_uids = NULL;
    cl->cfg.n_known = 0;
    retr_io_init(&cl->io, now_ms);
    cl->state = POP3_CLI_GREETING;
    cl->res.stage = "";
    bool valid = cred_ok(cfg->user) && cred_ok(cfg->password);
    cl->user = dup_str(valid ? cfg->user : "");
    cl->password = dup_str(valid ? cfg->password : "");
    cl->known = cfg->n_known ? calloc(cfg->n_known, sizeof *cl->known) : NULL;
    bool ok = cl->user && cl->password && (!cfg->n_known || cl->known);
    for (size_t i = 0; ok && i < cfg->n_known; i++) {
        cl->known[i] = dup_str(cfg->known_uids[i] ? cfg->known_uids[i] : "");
        ok = cl->known[i] != NULL;
        cl->cfg.n_known = i + 1;
    }
    if (!ok) {
        pop3_client_free(cl);
        return NULL;
    }
    if (!valid) /* decided here: nothing will be sent */
        finish(cl, POP3_RESULT_PERMFAIL, "login", NULL, "Invalid user name or password", true);
    return cl;
}

void pop3_client_free(pop3_client *cl)
{
    if (!cl)
        return;
    if (cl->password)
        memset(cl->password, 0, strlen(cl->password));
    free(cl->user);
    free(cl->password);
    for (size_t i = 0; cl->known && i < cl->cfg.n_known; i++)
        free(cl->known[i]);
    free(cl->known);
    free(cl->uids);
    free(cl->body.p);
    retr_io_free(&cl->io);
    free(cl);
}

int pop3_client_feed(pop3_client *cl, const void *bytes, size_t len, uint64_t now_ms)
{
    retr_io_begin(&cl->io, now_ms);
    if (cl->state == POP3_CLI_DONE)
        return -1;
    cl->io.last_activity = cl->io.now;
    const char *b = bytes;
    size_t i = 0;
    while (i < len && cl->state != POP3_CLI_DONE && !cl->io.oom) {
        if (cl->tls_pending) {
            /* the server must say nothing between +OK and the handshake (RFC 2595 4) */
            retr_io_event(&cl->io, RETR_EV_ERROR, RETR_DIR_S2C, b + i, len - i,
                          "pop3c.tls.plaintext_discarded", "RFC 2595 4");
            break;
        }
        bool complete;
        if (cl->multi) {
            i += body_take(cl, b + i, len - i, &complete);
            if (complete)
                multi_done(cl);
            continue;
        }
        i += retr_io_line_take(&cl->io, b + i, len - i, POP3_CLIENT_LINE_MAX, &complete);
        if (!complete)
            break;
        if (cl->io.line_total > POP3_CLIENT_LINE_MAX)
            finish(cl, POP3_RESULT_PERMFAIL, cl->verb, NULL, "Response line too long", true);
        else
            status_line(cl, cl->io.line.p, cl->io.line.len);
        retr_io_line_reset(&cl->io);
    }
    if (cl->io.oom) {
        cl->io.oom = false;
        finish(cl, POP3_RESULT_TEMPFAIL, cl->verb, NULL, "Out of memory", true);
    }
    return 0;
}

void pop3_client_tick(pop3_client *cl, uint64_t now_ms)
{
    retr_io_begin(&cl->io, now_ms);
    if (cl->state != POP3_CLI_DONE && cl->io.now >= pop3_client_deadline(cl))
        finish(cl, POP3_RESULT_TEMPFAIL, cl->state == POP3_CLI_GREETING ? "greeting" : cl->verb,
               NULL, "Timeout waiting for the server", true);
}

uint64_t pop3_client_deadline(const pop3_client *cl)
{
    if (cl->state == POP3_CLI_DONE || cl->tls_pending)
        return UINT64_MAX; /* the driver times its own handshake */
    return retr_io_deadline(&cl->io, POP3_CLIENT_TIMEOUT_MS);
}

size_t pop3_client_output(const pop3_client *cl, const char **buf)
{
    return retr_io_output(&cl->io, buf);
}

void pop3_client_output_consumed(pop3_client *cl, size_t n)
{
    retr_io_output_consumed(&cl->io, n);
}

int pop3_client_next_event(pop3_client *cl, retr_event *ev)
{
    return retr_io_next_event(&cl->io, ev);
}

/* pop3_client_tls_started - RFC 2595 4: forget the capabilities, ask again */
void pop3_client_tls_started(pop3_client *cl, uint64_t now_ms)
{
    if (!retr_io_tls_up(&cl->io, now_ms, cl->state != POP3_CLI_DONE))
        return;
    cl->res.tls_used = true;
    if (cl->tls_pending) {
        cl->tls_pending = false;
        send_cmd(cl, POP3_CLI_CAPA, "CAPA", NULL, false, "pop3c.cmd.capa", "RFC 2595 4");
    }
    /* implicit TLS (before the greeting): nothing to send yet */
}

void pop3_client_connection_lost(pop3_client *cl, uint64_t now_ms)
{
    retr_io_begin(&cl->io, now_ms);
    if (cl->quitting_failed) /* closed before answering QUIT: the refusal still decides */
        finish(cl, cl->failed.status, cl->failed.stage, cl->failed.code, cl->failed.text, false);
    else
        finish(cl, POP3_RESULT_TEMPFAIL, cl->state == POP3_CLI_GREETING ? "greeting" : cl->verb,
               NULL, "Connection lost", true);
}

pop3_client_state pop3_client_state_get(const pop3_client *cl)
{
    return cl->state;
}

const char *pop3_client_state_name(pop3_client_state st)
{
    switch (st) {
    case POP3_CLI_GREETING: return "waiting for the greeting";
    case POP3_CLI_CAPA: return "CAPA sent";
    case POP3_CLI_STLS: return "STLS sent";
    case POP3_CLI_USER: return "USER sent";
    case POP3_CLI_PASS: return "PASS sent";
    case POP3_CLI_AUTH: return "AUTH sent";
    case POP3_CLI_STAT: return "STAT sent";
    case POP3_CLI_UIDL: return "UIDL sent";
    case POP3_CLI_RETR: return "RETR sent";
    case POP3_CLI_DELE: return "DELE sent";
    case POP3_CLI_QUIT: return "QUIT sent";
    case POP3_CLI_DONE: return "done";
    }
    return "unknown";
}

bool pop3_client_done(const pop3_client *cl)
{
    return cl->state == POP3_CLI_DONE;
}

const pop3_client_result *pop3_client_result_get(const pop3_client *cl)
{
    return &cl->res;
}

const char *pop3_client_message_uid(const pop3_client *cl, uint32_t k)
{
    return k >= 1 && k <= cl->n_msgs && cl->uids ? cl->uids[k - 1] : "";
}
