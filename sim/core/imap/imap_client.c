/* imap_client.c - the sans-I/O IMAP client engine: one command in flight, one state per
 * command, the tagged completion decides the next command; untagged data (CAPABILITY,
 * EXISTS, SEARCH, FETCH) is collected as it arrives.
 *
 * Responses are assembled whole, literals included, like commands in the server: a line that
 * ends in "{n}" CRLF is followed by n raw octets and then the rest of the response. A FETCH
 * response is walked item by item (skipping parenthesised lists, quoted strings and literals),
 * so a "BODY[]" inside a message never fools the parser.
 */
#include "core/imap/imap_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/imap/imap_parse.h"
#include "core/retrieval/retr_io.h"
#include "core/util/base64.h"

struct imap_client {
    imap_client_config cfg;
    char user[RETR_CRED_MAX + 1], password[RETR_CRED_MAX + 1];
    retr_io io;
    imap_client_state state;
    uint64_t idle_until;
    bool tls_pending, caps_known, cap_starttls, cap_logindisabled, cap_plain, cap_saslir;
    bool idled, idle_started, idle_done_sent;
    uint32_t tagn, idle_base, max_done;
    char tag[16], verb[16];
    retr_buf resp;          /* the response being assembled */
    size_t literal_left;
    uint32_t *uids;         /* from the last SEARCH */
    size_t n_uids, next;
    retr_buf body;          /* a decoded quoted BODY[] (rare: literals are the rule) */
    imap_client_result res;
};

/* ---- funnels -------------------------------------------------------------------------------- */

static const char *state_key(imap_client_state st)
{
    static const char *const keys[] = {
        "imapc.state.greeting", "imapc.state.capability", "imapc.state.starttls",
        "imapc.state.login",    "imapc.state.select",     "imapc.state.search",
        "imapc.state.fetch",    "imapc.state.store",      "imapc.state.idle",
        "imapc.state.logout",   "imapc.state.done",
    };
    return (size_t)st < sizeof keys / sizeof keys[0] ? keys[st] : "imapc.state.unknown";
}

static void set_state(imap_client *cl, imap_client_state to)
{
    if (cl->state == to)
        return;
    retr_io_state(&cl->io, (int)cl->state, (int)to, state_key(to), "RFC 9051 3");
    cl->state = to;
}

/* finish - the session is over: result, DONE and CLOSE events */
static void finish(imap_client *cl, imap_result_status st, const char *stage, const char *code,
                   const char *text, bool local)
{
    if (cl->state == IMAP_CLI_DONE)
        return;
    cl->res.status = st;
    cl->res.stage = stage;
    cl->res.local = local;
    snprintf(cl->res.code, sizeof cl->res.code, "%s", code ? code : "");
    snprintf(cl->res.text, sizeof cl->res.text, "%s", text ? text : "");
    set_state(cl, IMAP_CLI_DONE);
    bool ok = st == IMAP_RESULT_OK;
    retr_io_done(&cl->io, ok ? "imapc.done.ok" : "imapc.done.failed", ok ? "OK" : "NO",
                 "imapc.close", "RFC 9051 6.1.3");
}

/* send_cmd - every tagged command goes through here; secret ones are hidden in events */
static void send_cmd(imap_client *cl, imap_client_state st, const char *verb, const char *args,
                     bool secret, const char *key, const char *rfc)
{
    char line[3 * RETR_CRED_MAX + 96];
    snprintf(cl->tag, sizeof cl->tag, "a%u", ++cl->tagn);
    int n = snprintf(line, sizeof line, "%s %s%s%s\r\n", cl->tag, verb, args ? " " : "",
                     args ? args : "");
    if (n < 0 || (size_t)n >= sizeof line)
        return; /* arguments are bounded: cannot happen */
    snprintf(cl->verb, sizeof cl->verb, "%s", verb);
    set_state(cl, st);
    if (!retr_io_send(&cl->io, line, (size_t)n))
        return;
    retr_io_command(&cl->io, line, (size_t)n, secret && !cl->cfg.show_secrets, cl->tag, verb, key,
                    rfc);
    memset(line, 0, sizeof line);
}

/* ---- steps -------------------------------------------------------------------------------------
 */

/* put_quoted - an IMAP quoted string (RFC 9051 4.3); credentials are printable ASCII */
static void put_quoted(char *out, size_t cap, const char *s)
{
    size_t w = 0;
    out[w++] = '"';
    for (; *s && w + 3 < cap; s++) {
        if (*s == '"' || *s == '\\')
            out[w++] = '\\';
        out[w++] = *s;
    }
    out[w++] = '"';
    out[w] = '\0';
}

static void login(imap_client *cl)
{
    if (!cl->io.tls && cl->cap_logindisabled) {
        /* RFC 9051 6.2.3: the server said it will not take LOGIN in the clear */
        finish(cl, IMAP_RESULT_PERMFAIL, "login", NULL, "LOGINDISABLED: login needs TLS", true);
        return;
    }
    if (cl->cap_plain && cl->cap_saslir) {
        unsigned char raw[2 * RETR_CRED_MAX + 2];
        size_t ul = strlen(cl->user), pl = strlen(cl->password);
        raw[0] = 0;
        memcpy(raw + 1, cl->user, ul);
        raw[1 + ul] = 0;
        memcpy(raw + 2 + ul, cl->password, pl);
        char arg[8 + (2 * RETR_CRED_MAX + 2) * 4 / 3 + 8] = "PLAIN ";
        base64_encode(raw, 2 + ul + pl, arg + 6, sizeof arg - 6);
        send_cmd(cl, IMAP_CLI_LOGIN, "AUTHENTICATE", arg, true, "imapc.cmd.authenticate",
                 "RFC 9051 6.2.2");
        memset(raw, 0, sizeof raw);
        memset(arg, 0, sizeof arg);
        return;
    }
    char u[2 * RETR_CRED_MAX + 4], p[2 * RETR_CRED_MAX + 4], args[sizeof u + sizeof p];
    put_quoted(u, sizeof u, cl->user);
    put_quoted(p, sizeof p, cl->password);
    snprintf(args, sizeof args, "%s %s", u, p);
    send_cmd(cl, IMAP_CLI_LOGIN, "LOGIN", args, true, "imapc.cmd.login", "RFC 9051 6.2.3");
    memset(p, 0, sizeof p);
    memset(args, 0, sizeof args);
}

/* after_caps - STARTTLS first when we should, then log in */
static void after_caps(imap_client *cl)
{
    imap_client_tls t = cl->cfg.tls;
    if (!cl->io.tls && t == IMAP_CLI_TLS_REQUIRED &&
        (!cl->cap_starttls || !cl->cfg.tls_available)) {
        finish(cl, IMAP_RESULT_PERMFAIL, "STARTTLS", NULL, "TLS required but not available", true);
        return;
    }
    if (!cl->io.tls && cl->cfg.tls_available && cl->cap_starttls &&
        (t == IMAP_CLI_TLS_REQUIRED || t == IMAP_CLI_TLS_OPPORTUNISTIC)) {
        send_cmd(cl, IMAP_CLI_STARTTLS, "STARTTLS", NULL, false, "imapc.cmd.starttls",
                 "RFC 9051 6.2.1");
        return;
    }
    login(cl);
}

/* parse_caps - the capability words we act on (RFC 9051 7.2.2) */
static void parse_caps(imap_client *cl, const char *p, size_t n)
{
    cl->caps_known = true;
    cl->cap_starttls = cl->cap_logindisabled = cl->cap_plain = cl->cap_saslir = false;
    size_t i = 0;
    while (i < n) {
        while (i < n && p[i] == ' ')
            i++;
        size_t j = i;
        while (j < n && p[j] != ' ' && p[j] != ']' && p[j] != '\r')
            j++;
        if (retr_ieq(p + i, j - i, "STARTTLS"))
            cl->cap_starttls = true;
        else if (retr_ieq(p + i, j - i, "LOGINDISABLED"))
            cl->cap_logindisabled = true;
        else if (retr_ieq(p + i, j - i, "AUTH=PLAIN"))
            cl->cap_plain = true;
        else if (retr_ieq(p + i, j - i, "SASL-IR"))
            cl->cap_saslir = true;
        if (j < n && (p[j] == ']' || p[j] == '\r'))
            break;
        i = j;
    }
}

static void search(imap_client *cl)
{
    char args[40];
    if (cl->idled)
        snprintf(args, sizeof args, "UID %u:*", cl->max_done + 1);
    else
        snprintf(args, sizeof args, "%s", cl->cfg.unseen_only ? "UNSEEN" : "ALL");
    cl->n_uids = cl->next = 0;
    send_cmd(cl, IMAP_CLI_SEARCH, "UID SEARCH", args, false, "imapc.cmd.search", "RFC 9051 6.4.4");
}

/* next_fetch - the next UID to download, then IDLE or LOGOUT */
static void next_fetch(imap_client *cl)
{
    while (cl->next < cl->n_uids) {
        uint32_t u = cl->uids[cl->next++];
        if (cl->idled && u <= cl->max_done)
            continue; /* "n:*" always includes the last message (RFC 9051 6.4.9) */
        char args[40];
        snprintf(args, sizeof args, "%u (UID BODY.PEEK[])", u);
        send_cmd(cl, IMAP_CLI_FETCH, "UID FETCH", args, false, "imapc.cmd.fetch",
                 "RFC 9051 6.4.5");
        return;
    }
    if (cl->cfg.idle_ms && !cl->idled) {
        cl->idled = true;
        cl->idle_started = cl->idle_done_sent = false;
        cl->idle_base = cl->res.exists;
        cl->idle_until = cl->io.now + cl->cfg.idle_ms;
        send_cmd(cl, IMAP_CLI_IDLE, "IDLE", NULL, false, "imapc.cmd.idle", "RFC 2177 3");
        return;
    }
    send_cmd(cl, IMAP_CLI_LOGOUT, "LOGOUT", NULL, false, "imapc.cmd.logout", "RFC 9051 6.1.3");
}

/* idle_done - end the IDLE (RFC 2177 3: the client sends DONE, untagged) */
static void idle_done(imap_client *cl)
{
    if (cl->state != IMAP_CLI_IDLE || !cl->idle_started || cl->idle_done_sent)
        return; /* DONE only after the server's "+" (RFC 2177 3) */
    cl->idle_done_sent = true;
    const char *at = retr_io_send(&cl->io, "DONE\r\n", 6);
    if (at)
        retr_io_event(&cl->io, RETR_EV_COMMAND, RETR_DIR_C2S, at, 6, "imapc.cmd.done",
                      "RFC 2177 3");
}

/* ---- responses ------------------------------------------------------------------------------- */

/* skip_value - one value of a FETCH list; for strings *s and *sl give the content (NULL for NIL) */
static int skip_value(imap_client *cl, const char *b, size_t n, size_t *i, const char **s,
                      size_t *sl)
{
    *s = NULL;
    *sl = 0;
    if (*i >= n)
        return -1;
    if (b[*i] == '"') {
        cl->body.len = 0;
        for ((*i)++; *i < n && b[*i] != '"'; (*i)++) {
            if (b[*i] == '\\' && *i + 1 < n)
                (*i)++;
            if (retr_buf_append(&cl->io, &cl->body, b + *i, 1) < 0)
                return -1;
        }
        if (*i >= n)
            return -1;
        (*i)++;
        *s = cl->body.p ? cl->body.p : "";
        *sl = cl->body.len;
        return 0;
    }
    if (b[*i] == '{') {
        size_t j = *i + 1;
        uint64_t v = 0;
        while (j < n && b[j] >= '0' && b[j] <= '9' && v <= IMAP_CLIENT_LITERAL_MAX)
            v = v * 10 + (uint64_t)(b[j++] - '0');
        if (j + 3 > n || b[j] != '}' || b[j + 1] != '\r' || b[j + 2] != '\n' || n - (j + 3) < v)
            return -1;
        *s = b + j + 3;
        *sl = (size_t)v;
        *i = j + 3 + (size_t)v;
        return 0;
    }
    if (b[*i] == '(') {
        int depth = 0;
        do {
            const char *ds;
            size_t dl;
            if (b[*i] == '"') { /* skipped, not captured: a captured body must survive */
                for ((*i)++; *i < n && b[*i] != '"'; (*i)++)
                    if (b[*i] == '\\')
                        (*i)++;
                if (*i >= n)
                    return -1;
                (*i)++;
                continue;
            }
            if (b[*i] == '{') {
                if (skip_value(cl, b, n, i, &ds, &dl) < 0)
                    return -1;
                continue;
            }
            depth += b[*i] == '(' ? 1 : b[*i] == ')' ? -1 : 0;
            (*i)++;
        } while (*i < n && depth > 0);
        return depth ? -1 : 0;
    }
    size_t j = *i;
    while (j < n && b[j] != ' ' && b[j] != ')' && b[j] != '\r')
        j++;
    if (j == *i)
        return -1;
    *i = j;
    return 0;
}

/* fetch_data - "* n FETCH (UID u BODY[] {len}...)": the message, as RETR_EV_MESSAGE */
static void fetch_data(imap_client *cl, const char *b, size_t n, size_t i)
{
    if (i >= n || b[i] != '(')
        return;
    i++;
    uint32_t uid = 0;
    const char *body = NULL;
    size_t bl = 0;
    while (i < n && b[i] != ')') {
        while (i < n && b[i] == ' ')
            i++;
        size_t name = i;
        int depth = 0;
        while (i < n && (b[i] != ' ' || depth)) {
            depth += b[i] == '[' ? 1 : b[i] == ']' ? -1 : 0;
            i++;
        }
        size_t nl = i - name;
        i++;
        const char *s;
        size_t sl;
        size_t vstart = i;
        if (skip_value(cl, b, n, &i, &s, &sl) < 0)
            return;
        if (retr_ieq(b + name, nl, "UID"))
            retr_parse_u32(b + vstart, i - vstart, true, &uid);
        else if (retr_ieq(b + name, nl, "BODY[]") && s) {
            body = s;
            bl = sl;
        }
    }
    if (!body || !uid)
        return;
    retr_event *ev = retr_io_event(&cl->io, RETR_EV_MESSAGE, RETR_DIR_NONE, body, bl,
                                   "imapc.message", "RFC 9051 7.5.2");
    if (ev) {
        ev->msg = uid;
        strcpy(ev->verb, "FETCH");
    }
    cl->res.downloaded++;
    if (uid > cl->max_done)
        cl->max_done = uid;
}

/* untagged - "* ..." data and status (RFC 9051 7) */
static void untagged(imap_client *cl, const char *b, size_t n)
{
    retr_event *ev = retr_io_event(&cl->io, RETR_EV_UNTAGGED, RETR_DIR_S2C, b, n,
                                   "imapc.untagged", "RFC 9051 7");
    if (ev)
        snprintf(ev->verb, sizeof ev->verb, "%s", cl->verb);
    const char *p = b + 2;
    size_t pn = n - 2;
    uint32_t num;
    imap_cursor c = {p, pn, 0};
    if (pn >= 3 && retr_ieq(p, 3, "BYE")) {
        if (cl->state != IMAP_CLI_LOGOUT)
            finish(cl, IMAP_RESULT_TEMPFAIL, cl->state == IMAP_CLI_GREETING ? "greeting" : cl->verb,
                   "BYE", "The server closed the session", false);
        return;
    }
    if (pn >= 10 && retr_ieq(p, 10, "CAPABILITY")) {
        parse_caps(cl, p + 10, pn - 10);
        return;
    }
    if (pn >= 2 && retr_ieq(p, 2, "OK")) {
        if (pn >= 15 && retr_ieq(p, 15, "OK [CAPABILITY "))
            parse_caps(cl, p + 15, pn - 15);
        if (pn >= 16 && retr_ieq(p, 16, "OK [UIDVALIDITY ")) {
            imap_cursor v = {p, pn, 16};
            imap_number(&v, &cl->res.uidvalidity);
        }
        if (cl->state == IMAP_CLI_GREETING) {
            if (cl->caps_known)
                after_caps(cl);
            else
                send_cmd(cl, IMAP_CLI_CAPABILITY, "CAPABILITY", NULL, false, "imapc.cmd.capability",
                         "RFC 9051 6.1.1");
        }
        return;
    }
    if (pn >= 7 && retr_ieq(p, 7, "PREAUTH") && cl->state == IMAP_CLI_GREETING) {
        /* RFC 9051 7.1.4: already authenticated (e.g. by the connection itself) */
        send_cmd(cl, IMAP_CLI_SELECT, "SELECT", "INBOX", false, "imapc.cmd.select",
                 "RFC 9051 6.3.2");
        return;
    }
    if (pn >= 6 && retr_ieq(p, 6, "SEARCH")) {
        c.i = 6;
        while (imap_sp(&c) == 0 && imap_number(&c, &num) == 0)
            if (num && cl->n_uids < IMAP_CLIENT_UIDS_MAX)
                cl->uids[cl->n_uids++] = num;
        return;
    }
    if (imap_number(&c, &num) < 0 || imap_sp(&c) < 0)
        return;
    if (imap_lit(&c, "EXISTS") == 0) {
        cl->res.exists = num;
        if (cl->state == IMAP_CLI_IDLE && num > cl->idle_base) {
            cl->res.idle_news = true; /* RFC 2177: the push we waited for */
            idle_done(cl);
        }
    } else if (imap_lit(&c, "FETCH ") == 0) {
        fetch_data(cl, p, pn, c.i);
    }
}

/* tagged - the completion of the command in flight */
static void tagged(imap_client *cl, const char *b, size_t n, size_t tl)
{
    imap_cursor c = {b, n, tl + 1};
    const char *st;
    size_t sl;
    char code[24] = "", text[160] = "";
    bool okr = false;
    if (imap_atom(&c, false, &st, &sl) == 0)
        okr = retr_ieq(st, sl, "OK");
    if (imap_sp(&c) == 0 && imap_peek(&c) == '[') {
        size_t j = c.i + 1;
        while (j < n && b[j] != ']' && b[j] != ' ' && j - c.i - 1 < sizeof code - 1)
            j++;
        snprintf(code, sizeof code, "%.*s", (int)(j - c.i - 1), b + c.i + 1);
        const char *close = memchr(b + c.i, ']', n - c.i);
        c.i = close ? (size_t)(close - b) + 2 : n;
    }
    size_t end = n - 2; /* before the CRLF (checked by the caller) */
    if (c.i < end)
        snprintf(text, sizeof text, "%.*s", (int)(end - c.i > 150 ? 150 : end - c.i), b + c.i);
    retr_event *ev = retr_io_event(&cl->io, RETR_EV_RESPONSE, RETR_DIR_S2C, b, n,
                                   okr ? "imapc.response.ok" : "imapc.response.no", "RFC 9051 7.1");
    if (ev) {
        snprintf(ev->verb, sizeof ev->verb, "%s", cl->verb);
        snprintf(ev->tag, sizeof ev->tag, "%s", cl->tag);
        snprintf(ev->status, sizeof ev->status, "%.*s", (int)(sl < 7 ? sl : 7), st ? st : "");
        snprintf(ev->code, sizeof ev->code, "%s", code);
    }
    imap_result_status fail = strcmp(code, "UNAVAILABLE") == 0 || strcmp(code, "INUSE") == 0
                                  ? IMAP_RESULT_TEMPFAIL
                                  : IMAP_RESULT_PERMFAIL;
    switch (cl->state) {
    case IMAP_CLI_CAPABILITY:
        if (okr)
            after_caps(cl);
        else
            finish(cl, fail, "CAPABILITY", code, text, false);
        break;
    case IMAP_CLI_STARTTLS:
        if (okr) {
            cl->tls_pending = true;
            retr_io_event(&cl->io, RETR_EV_STARTTLS, RETR_DIR_NONE, NULL, 0,
                          "imapc.starttls.handshake", "RFC 9051 6.2.1");
        } else if (cl->cfg.tls == IMAP_CLI_TLS_REQUIRED) {
            finish(cl, IMAP_RESULT_PERMFAIL, "STARTTLS", code, text, false);
        } else {
            login(cl);
        }
        break;
    case IMAP_CLI_LOGIN: {
        retr_event *a = retr_io_event(&cl->io, RETR_EV_AUTH, RETR_DIR_NONE, NULL, 0,
                                      okr ? "imapc.auth.ok" : "imapc.auth.failed", "RFC 9051 6.2");
        if (a)
            strcpy(a->status, okr ? "OK" : "NO");
        if (okr)
            send_cmd(cl, IMAP_CLI_SELECT, "SELECT", "INBOX", false, "imapc.cmd.select",
                     "RFC 9051 6.3.2");
        else
            finish(cl, fail, "login", code, text, false);
        break;
    }
    case IMAP_CLI_SELECT:
        if (okr)
            search(cl);
        else
            finish(cl, fail, "SELECT", code, text, false);
        break;
    case IMAP_CLI_SEARCH:
        if (okr)
            next_fetch(cl);
        else
            finish(cl, fail, "SEARCH", code, text, false);
        break;
    case IMAP_CLI_FETCH:
        if (okr && cl->cfg.mark_seen && cl->next) {
            char args[48];
            snprintf(args, sizeof args, "%u +FLAGS.SILENT (\\Seen)", cl->uids[cl->next - 1]);
            send_cmd(cl, IMAP_CLI_STORE, "UID STORE", args, false, "imapc.cmd.store",
                     "RFC 9051 6.4.6");
        } else {
            next_fetch(cl); /* a message that could not be fetched is left for next time */
        }
        break;
    case IMAP_CLI_STORE:
        next_fetch(cl);
        break;
    case IMAP_CLI_IDLE:
        if (cl->res.idle_news)
            search(cl); /* fetch what arrived during IDLE */
        else
            send_cmd(cl, IMAP_CLI_LOGOUT, "LOGOUT", NULL, false, "imapc.cmd.logout",
                     "RFC 9051 6.1.3");
        break;
    case IMAP_CLI_LOGOUT:
        finish(cl, okr ? IMAP_RESULT_OK : IMAP_RESULT_TEMPFAIL, "LOGOUT", code, text, false);
        break;
    default:
        break;
    }
}

/* response - one whole response: continuation, untagged, or the tagged completion */
static void response(imap_client *cl, const char *b, size_t n)
{
    if (n < 2 || b[n - 2] != '\r') {
        finish(cl, IMAP_RESULT_PERMFAIL, cl->verb, NULL, "Malformed response from server", true);
        return;
    }
    if (b[0] == '+' && (b[1] == ' ' || b[1] == '\r')) {
        retr_io_event(&cl->io, RETR_EV_CONTINUE, RETR_DIR_S2C, b, n, "imapc.continue",
                      "RFC 9051 7.6");
        if (cl->state == IMAP_CLI_IDLE) {
            cl->idle_started = true;
            if (cl->res.idle_news)
                idle_done(cl); /* the news came before the "+" */
        }
        return;
    }
    if (b[0] == '*' && b[1] == ' ') {
        untagged(cl, b, n);
        return;
    }
    size_t tl = strlen(cl->tag);
    if (cl->state == IMAP_CLI_GREETING || n <= tl || memcmp(b, cl->tag, tl) != 0 || b[tl] != ' ') {
        finish(cl, IMAP_RESULT_PERMFAIL, cl->verb, NULL, "Unexpected response from server", true);
        return;
    }
    tagged(cl, b, n, tl);
}

/* ---- public API ---------------------------------------------------------------------------------
 */

void imap_client_config_default(imap_client_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->tls = IMAP_CLI_TLS_OPPORTUNISTIC;
    cfg->unseen_only = true;
    cfg->mark_seen = true;
}

/* cred_ok - printable ASCII, at most RETR_CRED_MAX octets: it goes in a quoted string */
static bool cred_ok(const char *s)
{
    return s && strlen(s) <= RETR_CRED_MAX && retr_text_ok(s);
}

imap_client *imap_client_new(const imap_client_config *cfg, uint64_t now_ms)
{
    imap_client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    cl->uids = malloc(IMAP_CLIENT_UIDS_MAX * sizeof *cl->uids);
    if (!cl->uids) {
        free(cl);
        return NULL;
    }
    cl->cfg = *cfg;
    cl->cfg.user = cl->cfg.password = NULL;
    retr_io_init(&cl->io, now_ms);
    cl->state = IMAP_CLI_GREETING;
    cl->res.stage = "";
    if (!cred_ok(cfg->user) || !cred_ok(cfg->password)) {
        finish(cl, IMAP_RESULT_PERMFAIL, "login", NULL, "Invalid user name or password", true);
        return cl;
    }
    strcpy(cl->user, cfg->user);
    strcpy(cl->password, cfg->password);
    return cl;
}

void imap_client_free(imap_client *cl)
{
    if (!cl)
        return;
    memset(cl->password, 0, sizeof cl->password);
    free(cl->uids);
    free(cl->resp.p);
    free(cl->body.p);
    retr_io_free(&cl->io);
    free(cl);
}

int imap_client_feed(imap_client *cl, const void *bytes, size_t len, uint64_t now_ms)
{
    retr_io *io = &cl->io;
    retr_io_begin(io, now_ms);
    if (cl->state == IMAP_CLI_DONE)
        return -1;
    cl->io.last_activity = io->now;
    const char *b = bytes;
    size_t i = 0;
    while (i < len && cl->state != IMAP_CLI_DONE && !io->oom) {
        if (cl->tls_pending) {
            retr_io_event(io, RETR_EV_ERROR, RETR_DIR_S2C, b + i, len - i,
                          "imapc.tls.plaintext_discarded", "RFC 9051 6.2.1");
            break;
        }
        if (cl->literal_left) {
            size_t take = len - i < cl->literal_left ? len - i : cl->literal_left;
            retr_buf_append(io, &cl->resp, b + i, take);
            cl->literal_left -= take;
            i += take;
            continue;
        }
        bool complete;
        i += retr_io_line_take(io, b + i, len - i, IMAP_CLIENT_LINE_MAX + 2, &complete);
        if (!complete || io->oom)
            break;
        bool sync;
        long lit = imap_literal_marker(io->line.p, io->line.len, &sync);
        if (io->line_total > IMAP_CLIENT_LINE_MAX ||
            cl->resp.len + io->line.len > 2 * (size_t)IMAP_CLIENT_LITERAL_MAX ||
            (lit >= 0 && (uint64_t)lit > IMAP_CLIENT_LITERAL_MAX)) {
            finish(cl, IMAP_RESULT_PERMFAIL, cl->verb, NULL, "Response too long", true);
            break;
        }
        retr_buf_append(io, &cl->resp, io->line.p, io->line.len);
        retr_io_line_reset(io);
        if (lit >= 0) {
            cl->literal_left = (size_t)lit;
            continue;
        }
        response(cl, cl->resp.p, cl->resp.len);
        cl->resp.len = 0;
    }
    if (io->oom) {
        io->oom = false;
        finish(cl, IMAP_RESULT_TEMPFAIL, cl->verb, NULL, "Out of memory", true);
    }
    return 0;
}

void imap_client_tick(imap_client *cl, uint64_t now_ms)
{
    retr_io_begin(&cl->io, now_ms);
    if (cl->state == IMAP_CLI_DONE)
        return;
    if (cl->state == IMAP_CLI_IDLE && cl->idle_started && !cl->idle_done_sent &&
        cl->io.now >= cl->idle_until) {
        cl->io.last_activity = cl->io.now;
        idle_done(cl); /* the wait is over: nothing new came */
        return;
    }
    if (cl->io.now >= imap_client_deadline(cl))
        finish(cl, IMAP_RESULT_TEMPFAIL, cl->state == IMAP_CLI_GREETING ? "greeting" : cl->verb,
               NULL, "Timeout waiting for the server", true);
}

uint64_t imap_client_deadline(const imap_client *cl)
{
    if (cl->state == IMAP_CLI_DONE || cl->tls_pending)
        return UINT64_MAX;
    uint64_t t = retr_io_deadline(&cl->io, IMAP_CLIENT_TIMEOUT_MS);
    if (cl->state == IMAP_CLI_IDLE && cl->idle_started && !cl->idle_done_sent &&
        cl->idle_until < t)
        t = cl->idle_until;
    return t;
}

size_t imap_client_output(const imap_client *cl, const char **buf)
{
    return retr_io_output(&cl->io, buf);
}

void imap_client_output_consumed(imap_client *cl, size_t n)
{
    retr_io_output_consumed(&cl->io, n);
}

int imap_client_next_event(imap_client *cl, retr_event *ev)
{
    return retr_io_next_event(&cl->io, ev);
}

/* imap_client_tls_started - RFC 9051 6.2.1: ask CAPABILITY again; implicit TLS: wait */
void imap_client_tls_started(imap_client *cl, uint64_t now_ms)
{
    if (!retr_io_tls_up(&cl->io, now_ms, cl->state != IMAP_CLI_DONE))
        return;
    cl->res.tls_used = true;
    cl->resp.len = 0;
    cl->literal_left = 0;
    if (cl->tls_pending) {
        cl->tls_pending = false;
        cl->caps_known = false;
        send_cmd(cl, IMAP_CLI_CAPABILITY, "CAPABILITY", NULL, false, "imapc.cmd.capability",
                 "RFC 9051 6.2.1");
    }
}

void imap_client_connection_lost(imap_client *cl, uint64_t now_ms)
{
    retr_io_begin(&cl->io, now_ms);
    finish(cl, IMAP_RESULT_TEMPFAIL, cl->state == IMAP_CLI_GREETING ? "greeting" : cl->verb, NULL,
           "Connection lost", true);
}

imap_client_state imap_client_state_get(const imap_client *cl)
{
    return cl->state;
}

const char *imap_client_state_name(imap_client_state st)
{
    switch (st) {
    case IMAP_CLI_GREETING: return "waiting for the greeting";
    case IMAP_CLI_CAPABILITY: return "CAPABILITY sent";
    case IMAP_CLI_STARTTLS: return "STARTTLS sent";
    case IMAP_CLI_LOGIN: return "logging in";
    case IMAP_CLI_SELECT: return "SELECT sent";
    case IMAP_CLI_SEARCH: return "UID SEARCH sent";
    case IMAP_CLI_FETCH: return "UID FETCH sent";
    case IMAP_CLI_STORE: return "UID STORE sent";
    case IMAP_CLI_IDLE: return "IDLE (waiting for new mail)";
    case IMAP_CLI_LOGOUT: return "LOGOUT sent";
    case IMAP_CLI_DONE: return "done";
    }
    return "unknown";
}

bool imap_client_done(const imap_client *cl)
{
    return cl->state == IMAP_CLI_DONE;
}

const imap_client_result *imap_client_result_get(const imap_client *cl)
{
    return &cl->res;
}
