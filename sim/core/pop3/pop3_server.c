/* pop3_server.c - the sans-I/O POP3 server engine: one session over one locked maildrop.
 *
 * Shaped like smtp_server.c (and OpenSMTPD's smtp_session.c): a command table whose rows
 * hold everything about a command (verb, states where it is valid, argument counts, handler,
 * explanation key, RFC section), one state funnel (set_state) and one response funnel
 * (respond), both of which report events. Message numbers are fixed at login: the engine keeps
 * each message's UID and size from then on, finds the message again by UID (binary search, as
 * UIDs ascend) and so stays right if another session expunges or the MDA delivers meanwhile.
 *
 * Choices worth knowing:
 * - Command lines must end in CRLF (RFC 1939 3); a bare LF is answered -ERR, like SMTP's 500.
 * - USER/PASS and AUTH PLAIN are refused before TLS unless cfg.allow_plaintext (RFC 2595 2.1),
 *   with the RFC 3206 [AUTH] code, so a client knows to try STLS rather than another password.
 * - USER always answers +OK, so the server does not tell which user names exist (RFC 1939 13).
 */
#include "core/pop3/pop3_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pop3/retr_io.h"
#include "core/util/base64.h"

#define NAME_MAX_LEN 255 /* user names and passwords we keep (RFC 4616 2: 255 octets each) */
#define HIDDEN "<credentials hidden>"
#define TEXT_MAX 160     /* our status line text */

/* States in which a command is valid (bit per pop3_server_state). */
#define S_AUTHZ (1u << POP3_SRV_AUTHORIZATION)
#define S_TRANS (1u << POP3_SRV_TRANSACTION)

struct pop3_server;
typedef void (*cmd_fn)(struct pop3_server *srv, const char *const *argv, size_t argc,
                       const char *rest, size_t rest_len);

/* One row per command: everything about it in one place. */
typedef struct {
    const char *verb;
    unsigned states;   /* S_* where it is valid */
    unsigned min_args, max_args;
    cmd_fn fn;
    const char *key;   /* explanation key of the command */
    const char *rfc;
} command_row;

typedef struct {
    uint32_t uid;
    uint64_t size;
    bool deleted;      /* marked by DELE, removed at QUIT (RFC 1939 6) */
} msg_info;

struct pop3_server {
    pop3_server_config cfg;
    retr_io io;
    pop3_server_state state;
    uint64_t last_activity;
    bool tls, user_given, mb_open;
    unsigned errors, auth_failures;
    uint32_t commands;
    char verb[16];
    char hostname[NAME_MAX_LEN + 1];
    char user[NAME_MAX_LEN + 1];
    char authed[NAME_MAX_LEN + 1];
    mailbox mb;
    msg_info *msgs;    /* snapshot at login, n_msgs entries */
    size_t n_msgs;
    retr_buf scratch;  /* multi-line bodies being built (LIST, UIDL, CAPA) */
};

/* ---- the state funnel ------------------------------------------------------------------- */

static const char *state_key(pop3_server_state st)
{
    switch (st) {
    case POP3_SRV_GREETING: return "pop3.state.greeting";
    case POP3_SRV_AUTHORIZATION: return "pop3.state.authorization";
    case POP3_SRV_SASL: return "pop3.state.sasl";
    case POP3_SRV_TLS: return "pop3.state.tls";
    case POP3_SRV_TRANSACTION: return "pop3.state.transaction";
    case POP3_SRV_UPDATE: return "pop3.state.update";
    case POP3_SRV_CLOSED: return "pop3.state.closed";
    }
    return "pop3.state.unknown";
}

static const char *state_rfc(pop3_server_state st)
{
    switch (st) {
    case POP3_SRV_AUTHORIZATION: return "RFC 1939 4";
    case POP3_SRV_SASL: return "RFC 5034 4";
    case POP3_SRV_TLS: return "RFC 2595 4";
    case POP3_SRV_TRANSACTION: return "RFC 1939 5";
    case POP3_SRV_UPDATE: return "RFC 1939 6";
    default: return "RFC 1939 3";
    }
}

/* set_state - every transition goes through here and becomes a RETR_EV_STATE */
static void set_state(pop3_server *srv, pop3_server_state to)
{
    if (srv->state == to)
        return;
    retr_event *ev = retr_io_event(&srv->io, RETR_EV_STATE, RETR_DIR_NONE, NULL, 0,
                                   state_key(to), state_rfc(to));
    if (ev) {
        ev->state_from = (int)srv->state;
        ev->state_to = (int)to;
    }
    srv->state = to;
}

/* release_mailbox - give the maildrop lock back; nothing is expunged here */
static void release_mailbox(pop3_server *srv)
{
    if (srv->mb_open && srv->cfg.provider.close)
        srv->cfg.provider.close(srv->cfg.provider.ctx, &srv->mb);
    srv->mb_open = false;
    free(srv->msgs);
    srv->msgs = NULL;
    srv->n_msgs = 0;
}

/* close_session - no more input; the driver closes once the output is sent */
static void close_session(pop3_server *srv, const char *key, const char *rfc)
{
    release_mailbox(srv);
    set_state(srv, POP3_SRV_CLOSED);
    retr_io_event(&srv->io, RETR_EV_CLOSE, RETR_DIR_NONE, NULL, 0, key, rfc);
}

/* ---- the response funnel ---------------------------------------------------------------- */

/* text_ok - our own status text must be one printable line: anything else is a bug, which
 * is reported as an error event and never reaches the wire (the engine never aborts). */
static bool text_ok(const char *t)
{
    for (; *t; t++)
        if ((unsigned char)*t < 0x20 || (unsigned char)*t > 0x7e)
            return false;
    return true;
}

/* respond - every response goes through here. code is an RFC 2449 response code without
 * brackets, or NULL. When multi, body (already CRLF lines, not yet stuffed) follows as a
 * multi-line response, byte-stuffed and ended with "." (RFC 1939 3). -ERR counts as an error. */
static void respond(pop3_server *srv, bool ok, const char *code, const char *key, const char *rfc,
                    const char *text, bool multi, const char *body, size_t body_len, uint32_t msg)
{
    char line[TEXT_MAX + 48];
    if (!text_ok(text) || strlen(text) > TEXT_MAX || (code && (!text_ok(code) || strlen(code) > 20))) {
        retr_io_event(&srv->io, RETR_EV_ERROR, RETR_DIR_NONE, NULL, 0, "pop3.bug.text", "");
        text = "Internal error";
        code = NULL;
        multi = false;
    }
    int n = snprintf(line, sizeof line, "%s%s%s%s%s%s\r\n", ok ? "+OK" : "-ERR", code ? " [" : "",
                     code ? code : "", code ? "]" : "", text[0] ? " " : "", text);
    size_t start = srv->io.out.len;
    if (!retr_io_send(&srv->io, line, (size_t)n))
        return;
    if (multi) {
        if (retr_dot_stuff(&srv->io, &srv->io.out, body, body_len) < 0 ||
            !retr_io_send(&srv->io, ".\r\n", 3))
            return;
    }
    retr_event *ev = retr_io_event(&srv->io, RETR_EV_RESPONSE, RETR_DIR_S2C,
                                   srv->io.out.p + start, srv->io.out.len - start, key, rfc);
    if (ev) {
        snprintf(ev->verb, sizeof ev->verb, "%s", srv->verb);
        snprintf(ev->status, sizeof ev->status, "%s", ok ? "+OK" : "-ERR");
        snprintf(ev->code, sizeof ev->code, "%s", code ? code : "");
        ev->msg = msg;
    }
    if (!ok)
        srv->errors++;
}

/* ok / err - one-line responses */
static void ok(pop3_server *srv, const char *key, const char *rfc, const char *text)
{
    respond(srv, true, NULL, key, rfc, text, false, NULL, 0, 0);
}

static void err(pop3_server *srv, const char *code, const char *key, const char *rfc,
                const char *text)
{
    respond(srv, false, code, key, rfc, text, false, NULL, 0, 0);
}

/* ---- the mailbox ---------------------------------------------------------------------------- */

/* plaintext_ok - may a password be sent now (RFC 2595 2.1)? */
static bool plaintext_ok(const pop3_server *srv)
{
    return srv->tls || srv->cfg.allow_plaintext;
}

/* locate - the message's current index in the mailbox, found by its UID (UIDs ascend with
 * the index, RFC 9051 2.3.1.1): O(log n). -1 when another session removed it. */
static long locate(pop3_server *srv, uint32_t uid)
{
    const mailbox_ops *o = srv->mb.ops;
    size_t lo = 0, hi = o->count(srv->mb.ctx);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t u = o->uid(srv->mb.ctx, mid);
        if (u == uid)
            return (long)mid;
        if (u < uid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* auth_failed - wrong credentials: -ERR [AUTH] (RFC 3206 4 says the credentials were wrong,
 * not that the server failed); after POP3_MAX_AUTH_FAILURES the session ends */
static void auth_failed(pop3_server *srv, const char *rfc)
{
    srv->auth_failures++;
    err(srv, "AUTH", "pop3.auth.failed", rfc, "Invalid user name or password");
    retr_event *ev = retr_io_event(&srv->io, RETR_EV_AUTH, RETR_DIR_NONE, NULL, 0,
                                   "pop3.auth.failed", rfc);
    if (ev)
        strcpy(ev->status, "-ERR");
    if (srv->auth_failures >= POP3_MAX_AUTH_FAILURES) {
        err(srv, "AUTH", "pop3.auth.too_many", "RFC 1939 4", "Too many failed logins");
        close_session(srv, "pop3.auth.too_many", "RFC 1939 4");
    }
}

/* login - check the password, then open and lock the maildrop (RFC 1939 8) */
static void login(pop3_server *srv, const char *user, const char *pass, const char *rfc)
{
    const mailbox_provider *p = &srv->cfg.provider;
    bool good = p->check_password && p->check_password(p->ctx, user, pass);
    srv->user_given = false;
    if (!good) {
        auth_failed(srv, rfc);
        return;
    }
    mailbox_open_status st = p->open ? p->open(p->ctx, user, true, &srv->mb) : MAILBOX_OPEN_FAIL;
    retr_event *ev;
    if (st == MAILBOX_OPEN_IN_USE) {
        /* RFC 2449 8.1.2: another session holds the maildrop lock; try again later */
        err(srv, "IN-USE", "pop3.auth.in_use", "RFC 2449 8.1.2",
            "Mailbox is locked by another POP3 session");
        return;
    }
    size_t n = st == MAILBOX_OPEN_OK ? srv->mb.ops->count(srv->mb.ctx) : 0;
    srv->msgs = st == MAILBOX_OPEN_OK && n ? calloc(n, sizeof *srv->msgs) : NULL;
    if (st != MAILBOX_OPEN_OK || (n && !srv->msgs)) {
        if (st == MAILBOX_OPEN_OK) {
            srv->mb_open = true;
            release_mailbox(srv);
        }
        /* RFC 3206 5: a temporary problem on the server's side */
        err(srv, "SYS/TEMP", "pop3.auth.mailbox_error", "RFC 3206 5", "Unable to open mailbox");
        return;
    }
    srv->mb_open = true;
    srv->n_msgs = n;
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        srv->msgs[i].uid = srv->mb.ops->uid(srv->mb.ctx, i);
        srv->msgs[i].size = srv->mb.ops->size(srv->mb.ctx, i);
        total += srv->msgs[i].size;
    }
    snprintf(srv->authed, sizeof srv->authed, "%s", user);
    char text[80];
    snprintf(text, sizeof text, "Logged in, %zu message%s (%llu octets)", n, n == 1 ? "" : "s",
             (unsigned long long)total);
    set_state(srv, POP3_SRV_TRANSACTION);
    ok(srv, "pop3.auth.ok", rfc, text);
    ev = retr_io_event(&srv->io, RETR_EV_AUTH, RETR_DIR_NONE, NULL, 0, "pop3.auth.ok", rfc);
    if (ev)
        strcpy(ev->status, "+OK");
}

/* msg_arg - a message-number argument (RFC 1939 5): 1..n and not marked deleted. Answers
 * -ERR and returns 0 when it is not. */
static uint32_t msg_arg(pop3_server *srv, const char *arg, const char *key)
{
    uint32_t k;
    if (retr_parse_u32(arg, strlen(arg), true, &k) < 0 || k > srv->n_msgs) {
        err(srv, NULL, key, "RFC 1939 5", "No such message");
        return 0;
    }
    if (srv->msgs[k - 1].deleted) {
        err(srv, NULL, key, "RFC 1939 5", "Message already deleted");
        return 0;
    }
    return k;
}

/* read_msg - the content of message k; -ERR [SYS/TEMP] when it vanished from storage */
static int read_msg(pop3_server *srv, uint32_t k, const char **data, size_t *len)
{
    long i = locate(srv, srv->msgs[k - 1].uid);
    if (i < 0 || srv->mb.ops->read(srv->mb.ctx, (size_t)i, data, len) < 0) {
        err(srv, "SYS/TEMP", "pop3.msg.gone", "RFC 3206 5", "Message could not be read");
        return -1;
    }
    return 0;
}

/* ---- command handlers ---------------------------------------------------------------------- */

/* cmd_user - RFC 1939 7: remember the name; always +OK (user names are not revealed) */
static void cmd_user(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv;
    (void)argc;
    if (!plaintext_ok(srv)) {
        err(srv, "AUTH", "pop3.user.needs_tls", "RFC 2595 2.1",
            "Plaintext authentication disallowed on non-secure connection");
        return;
    }
    if (rest_len > NAME_MAX_LEN) {
        err(srv, NULL, "pop3.user.too_long", "RFC 4616 2", "User name too long");
        return;
    }
    memcpy(srv->user, rest, rest_len);
    srv->user[rest_len] = '\0';
    srv->user_given = true;
    ok(srv, "pop3.user.ok", "RFC 1939 7", "Send PASS");
}

/* cmd_pass - RFC 1939 7: only right after a successful USER; the argument is the rest of the
 * line, spaces included */
static void cmd_pass(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv;
    (void)argc;
    if (!srv->user_given) {
        err(srv, NULL, "pop3.pass.no_user", "RFC 1939 7", "USER first");
        return;
    }
    char pass[NAME_MAX_LEN + 1];
    if (rest_len > NAME_MAX_LEN) {
        srv->user_given = false;
        err(srv, "AUTH", "pop3.auth.failed", "RFC 1939 7", "Invalid user name or password");
        return;
    }
    memcpy(pass, rest, rest_len);
    pass[rest_len] = '\0';
    login(srv, srv->user, pass, "RFC 1939 7");
    memset(pass, 0, sizeof pass);
}

/* cmd_quit - RFC 1939 6: in TRANSACTION, enter UPDATE and remove the marked messages */
static void cmd_quit(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv, (void)argc, (void)rest, (void)rest_len;
    if (srv->state != POP3_SRV_TRANSACTION) {
        ok(srv, "pop3.quit.ok", "RFC 1939 4", "Bye");
        close_session(srv, "pop3.quit.ok", "RFC 1939 4");
        return;
    }
    set_state(srv, POP3_SRV_UPDATE);
    bool failed = false;
    /* from the last message down, so an expunge never moves one still to be removed */
    for (size_t k = srv->n_msgs; k-- > 0;) {
        if (!srv->msgs[k].deleted)
            continue;
        long i = locate(srv, srv->msgs[k].uid);
        if (i >= 0 && srv->mb.ops->expunge(srv->mb.ctx, (size_t)i) < 0)
            failed = true;
    }
    if (failed) {
        /* RFC 1939 6: -ERR when some deleted messages could not be removed */
        err(srv, "SYS/TEMP", "pop3.quit.update_failed", "RFC 1939 6",
            "Some deleted messages not removed");
    } else {
        char text[64];
        snprintf(text, sizeof text, "Bye (%zu message%s left)",
                 srv->mb.ops->count(srv->mb.ctx), srv->mb.ops->count(srv->mb.ctx) == 1 ? "" : "s");
        ok(srv, "pop3.quit.update", "RFC 1939 6", text);
    }
    close_session(srv, "pop3.quit.update", "RFC 1939 6");
}

/* cmd_stat - RFC 1939 5: count and octets of the messages not marked deleted */
static void cmd_stat(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv, (void)argc, (void)rest, (void)rest_len;
    size_t n = 0;
    uint64_t octets = 0;
    for (size_t k = 0; k < srv->n_msgs; k++)
        if (!srv->msgs[k].deleted) {
            n++;
            octets += srv->msgs[k].size;
        }
    char text[48];
    snprintf(text, sizeof text, "%zu %llu", n, (unsigned long long)octets);
    ok(srv, "pop3.stat.ok", "RFC 1939 5", text);
}

/* listing - LIST and UIDL share their shape: one message, or a line per message */
static void listing(pop3_server *srv, const char *const *argv, size_t argc, bool uidl)
{
    const char *key = uidl ? "pop3.uidl.ok" : "pop3.list.ok";
    const char *rfc = uidl ? "RFC 1939 7" : "RFC 1939 5";
    uint32_t vv = srv->mb.ops->uidvalidity(srv->mb.ctx);
    char line[64];
    if (argc == 1) {
        uint32_t k = msg_arg(srv, argv[0], uidl ? "pop3.uidl.no_such" : "pop3.list.no_such");
        if (!k)
            return;
        if (uidl) /* RFC 1939 7: unique-id, 1-70 characters 0x21-0x7E, kept across sessions */
            snprintf(line, sizeof line, "%u %u.%u", k, vv, srv->msgs[k - 1].uid);
        else
            snprintf(line, sizeof line, "%u %llu", k, (unsigned long long)srv->msgs[k - 1].size);
        respond(srv, true, NULL, key, rfc, line, false, NULL, 0, k);
        return;
    }
    srv->scratch.len = 0;
    size_t n = 0;
    for (size_t k = 0; k < srv->n_msgs; k++) {
        if (srv->msgs[k].deleted)
            continue;
        int w = uidl ? snprintf(line, sizeof line, "%zu %u.%u\r\n", k + 1, vv, srv->msgs[k].uid)
                     : snprintf(line, sizeof line, "%zu %llu\r\n", k + 1,
                                (unsigned long long)srv->msgs[k].size);
        if (retr_buf_append(&srv->io, &srv->scratch, line, (size_t)w) < 0)
            return;
        n++;
    }
    char text[48];
    snprintf(text, sizeof text, "%zu message%s", n, n == 1 ? "" : "s");
    respond(srv, true, NULL, key, rfc, text, true, srv->scratch.p ? srv->scratch.p : "",
            srv->scratch.len, 0);
}

static void cmd_list(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)rest, (void)rest_len;
    listing(srv, argv, argc, false);
}

static void cmd_uidl(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)rest, (void)rest_len;
    listing(srv, argv, argc, true);
}

/* cmd_retr - RFC 1939 5: the whole message, byte-stuffed */
static void cmd_retr(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argc, (void)rest, (void)rest_len;
    uint32_t k = msg_arg(srv, argv[0], "pop3.retr.no_such");
    const char *data;
    size_t len;
    if (!k || read_msg(srv, k, &data, &len) < 0)
        return;
    char text[48];
    snprintf(text, sizeof text, "%llu octets", (unsigned long long)srv->msgs[k - 1].size);
    respond(srv, true, NULL, "pop3.retr.ok", "RFC 1939 5", text, true, data, len, k);
}

/* top_length - octets of the header, the blank line and the first n body lines */
static size_t top_length(const char *data, size_t len, uint32_t lines)
{
    size_t i = 0;
    bool in_body = false;
    while (i < len) {
        const char *lf = memchr(data + i, '\n', len - i);
        size_t end = lf ? (size_t)(lf - data) + 1 : len;
        bool blank = end - i <= 2 && (end - i == 1 || data[i] == '\r');
        if (in_body) {
            if (lines == 0)
                return i;
            lines--;
        } else if (blank) {
            in_body = true;
        }
        i = end;
    }
    return len;
}

/* cmd_top - RFC 1939 7: the header, the blank line, and n lines of the body */
static void cmd_top(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                    size_t rest_len)
{
    (void)argc, (void)rest, (void)rest_len;
    uint32_t lines;
    if (retr_parse_u32(argv[1], strlen(argv[1]), false, &lines) < 0) {
        err(srv, NULL, "pop3.top.syntax", "RFC 1939 7", "Number of lines must be a number");
        return;
    }
    uint32_t k = msg_arg(srv, argv[0], "pop3.top.no_such");
    const char *data;
    size_t len;
    if (!k || read_msg(srv, k, &data, &len) < 0)
        return;
    respond(srv, true, NULL, "pop3.top.ok", "RFC 1939 7", "Top of message follows", true, data,
            top_length(data, len, lines), k);
}

/* cmd_dele - RFC 1939 5: only a mark; the message goes at QUIT */
static void cmd_dele(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argc, (void)rest, (void)rest_len;
    uint32_t k = msg_arg(srv, argv[0], "pop3.dele.no_such");
    if (!k)
        return;
    srv->msgs[k - 1].deleted = true;
    char text[48];
    snprintf(text, sizeof text, "Message %u marked for deletion", k);
    respond(srv, true, NULL, "pop3.dele.ok", "RFC 1939 5", text, false, NULL, 0, k);
}

static void cmd_noop(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv, (void)argc, (void)rest, (void)rest_len;
    ok(srv, "pop3.noop.ok", "RFC 1939 5", "");
}

/* cmd_rset - RFC 1939 5: unmark every message marked deleted */
static void cmd_rset(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv, (void)argc, (void)rest, (void)rest_len;
    for (size_t k = 0; k < srv->n_msgs; k++)
        srv->msgs[k].deleted = false;
    char text[48];
    snprintf(text, sizeof text, "%zu message%s", srv->n_msgs, srv->n_msgs == 1 ? "" : "s");
    ok(srv, "pop3.rset.ok", "RFC 1939 5", text);
}

/* cmd_capa - RFC 2449 5: what this server offers in the current state */
static void cmd_capa(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv, (void)argc, (void)rest, (void)rest_len;
    srv->scratch.len = 0;
    const char *caps[10];
    size_t n = 0;
    caps[n++] = "TOP";           /* RFC 2449 6.1 */
    caps[n++] = "UIDL";          /* 6.6 */
    caps[n++] = "RESP-CODES";    /* 6.4 */
    caps[n++] = "AUTH-RESP-CODE"; /* RFC 3206 6 */
    caps[n++] = "PIPELINING";    /* 6.5: we answer commands in order, however they arrive */
    if (srv->state == POP3_SRV_AUTHORIZATION && plaintext_ok(srv)) {
        caps[n++] = "USER";       /* 6.8 */
        caps[n++] = "SASL PLAIN"; /* 6.3, RFC 5034 */
    }
    if (srv->state == POP3_SRV_AUTHORIZATION && srv->cfg.tls_available && !srv->tls)
        caps[n++] = "STLS";       /* RFC 2595 4 */
    caps[n++] = "IMPLEMENTATION smtpsim"; /* 6.9 */
    for (size_t i = 0; i < n; i++) {
        if (retr_buf_append(&srv->io, &srv->scratch, caps[i], strlen(caps[i])) < 0 ||
            retr_buf_append(&srv->io, &srv->scratch, "\r\n", 2) < 0)
            return;
    }
    respond(srv, true, NULL, "pop3.capa.ok", "RFC 2449 5", "Capability list follows", true,
            srv->scratch.p, srv->scratch.len, 0);
}

/* cmd_stls - RFC 2595 4: only in AUTHORIZATION, once */
static void cmd_stls(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv, (void)argc, (void)rest, (void)rest_len;
    if (!srv->cfg.tls_available) {
        err(srv, NULL, "pop3.stls.unavailable", "RFC 2595 4", "STLS not available");
        return;
    }
    if (srv->tls) {
        err(srv, NULL, "pop3.stls.again", "RFC 2595 4", "Command not permitted when TLS active");
        return;
    }
    ok(srv, "pop3.stls.ok", "RFC 2595 4", "Begin TLS negotiation");
    set_state(srv, POP3_SRV_TLS);
    retr_io_event(&srv->io, RETR_EV_STARTTLS, RETR_DIR_NONE, NULL, 0, "pop3.stls.handshake",
                  "RFC 2595 4");
}

/* sasl_plain - RFC 4616 2: [authzid] NUL authcid NUL passwd, already base64-decoded */
static void sasl_plain(pop3_server *srv, const unsigned char *m, size_t len)
{
    const unsigned char *n1 = memchr(m, 0, len);
    const unsigned char *n2 = n1 ? memchr(n1 + 1, 0, len - (size_t)(n1 + 1 - m)) : NULL;
    if (!n2) {
        err(srv, NULL, "pop3.auth.malformed", "RFC 4616 2", "Malformed PLAIN response");
        return;
    }
    size_t zl = (size_t)(n1 - m), ul = (size_t)(n2 - n1 - 1), pl = len - (size_t)(n2 + 1 - m);
    char user[NAME_MAX_LEN + 1], pass[NAME_MAX_LEN + 1];
    /* RFC 4616 2: authzid empty or the same user (we act for nobody else) */
    if (ul == 0 || ul > NAME_MAX_LEN || pl > NAME_MAX_LEN ||
        (zl && (zl != ul || memcmp(m, n1 + 1, ul) != 0))) {
        auth_failed(srv, "RFC 4616 2");
        return;
    }
    memcpy(user, n1 + 1, ul);
    user[ul] = '\0';
    memcpy(pass, n2 + 1, pl);
    pass[pl] = '\0';
    login(srv, user, pass, "RFC 5034 4");
    memset(pass, 0, sizeof pass);
}

/* sasl_response - one base64 line of the AUTH exchange (initial or after "+ ") */
static void sasl_response(pop3_server *srv, const char *s, size_t len)
{
    if (len == 1 && s[0] == '*') {
        /* RFC 5034 4: the client cancelled; the server answers -ERR */
        err(srv, NULL, "pop3.auth.cancelled", "RFC 5034 4", "AUTH cancelled");
        return;
    }
    unsigned char buf[3 * (NAME_MAX_LEN + 2) + 3];
    long n = len == 1 && s[0] == '=' ? 0 : base64_decode(s, len, buf, sizeof buf);
    if (n < 0) {
        err(srv, NULL, "pop3.auth.base64", "RFC 5034 4", "Invalid base64 in AUTH response");
        return;
    }
    sasl_plain(srv, buf, (size_t)n);
    memset(buf, 0, sizeof buf);
}

/* cmd_auth - RFC 5034 4: PLAIN with or without an initial response */
static void cmd_auth(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)rest, (void)rest_len;
    if (argc == 0) {
        /* the pre-RFC 5034 listing some clients still send (RFC 1734 style) */
        respond(srv, true, NULL, "pop3.auth.list", "RFC 5034 4", "Mechanisms follow", true,
                plaintext_ok(srv) ? "PLAIN\r\n" : "", plaintext_ok(srv) ? 7 : 0, 0);
        return;
    }
    if (!retr_ieq(argv[0], strlen(argv[0]), "PLAIN")) {
        err(srv, NULL, "pop3.auth.mechanism", "RFC 5034 4", "Unsupported mechanism");
        return;
    }
    if (!plaintext_ok(srv)) {
        err(srv, "AUTH", "pop3.user.needs_tls", "RFC 2595 2.1",
            "Plaintext authentication disallowed on non-secure connection");
        return;
    }
    if (argc == 2) {
        sasl_response(srv, argv[1], strlen(argv[1]));
        return;
    }
    set_state(srv, POP3_SRV_SASL);
    const char *at = retr_io_send(&srv->io, "+ \r\n", 4);
    if (at)
        retr_io_event(&srv->io, RETR_EV_CONTINUE, RETR_DIR_S2C, at, 4, "pop3.auth.continue",
                      "RFC 5034 4");
}

static const command_row commands[] = {
    {"USER", S_AUTHZ, 1, 1, cmd_user, "pop3.cmd.user", "RFC 1939 7"},
    {"PASS", S_AUTHZ, 1, 255, cmd_pass, "pop3.cmd.pass", "RFC 1939 7"},
    {"AUTH", S_AUTHZ, 0, 2, cmd_auth, "pop3.cmd.auth", "RFC 5034 4"},
    {"STLS", S_AUTHZ, 0, 0, cmd_stls, "pop3.cmd.stls", "RFC 2595 4"},
    {"CAPA", S_AUTHZ | S_TRANS, 0, 0, cmd_capa, "pop3.cmd.capa", "RFC 2449 5"},
    {"QUIT", S_AUTHZ | S_TRANS, 0, 0, cmd_quit, "pop3.cmd.quit", "RFC 1939 6"},
    {"STAT", S_TRANS, 0, 0, cmd_stat, "pop3.cmd.stat", "RFC 1939 5"},
    {"LIST", S_TRANS, 0, 1, cmd_list, "pop3.cmd.list", "RFC 1939 5"},
    {"RETR", S_TRANS, 1, 1, cmd_retr, "pop3.cmd.retr", "RFC 1939 5"},
    {"DELE", S_TRANS, 1, 1, cmd_dele, "pop3.cmd.dele", "RFC 1939 5"},
    {"NOOP", S_TRANS, 0, 0, cmd_noop, "pop3.cmd.noop", "RFC 1939 5"},
    {"RSET", S_TRANS, 0, 0, cmd_rset, "pop3.cmd.rset", "RFC 1939 5"},
    {"TOP", S_TRANS, 2, 2, cmd_top, "pop3.cmd.top", "RFC 1939 7"},
    {"UIDL", S_TRANS, 0, 1, cmd_uidl, "pop3.cmd.uidl", "RFC 1939 7"},
};

/* ---- input -------------------------------------------------------------------------------- */

/* command_event - the line as received; passwords hidden unless the lesson asks */
static void command_event(pop3_server *srv, const char *line, size_t len, const char *key,
                          const char *rfc, bool secret)
{
    char shown[32];
    if (secret && !srv->cfg.show_secrets) {
        int n = snprintf(shown, sizeof shown, "%s%s" HIDDEN "\r\n", srv->verb,
                         srv->verb[0] ? " " : "");
        line = shown;
        len = (size_t)n < sizeof shown ? (size_t)n : sizeof shown - 1;
    }
    retr_event *ev = retr_io_event(&srv->io, RETR_EV_COMMAND, RETR_DIR_C2S, line, len, key, rfc);
    if (ev)
        snprintf(ev->verb, sizeof ev->verb, "%s", srv->verb);
}

/* error_limit - too many -ERR answers: the client is lost or hostile */
static void error_limit(pop3_server *srv)
{
    if (srv->state != POP3_SRV_CLOSED && srv->errors >= POP3_MAX_ERRORS) {
        srv->verb[0] = '\0';
        err(srv, NULL, "pop3.errors.too_many", "RFC 1939 3", "Too many errors, closing connection");
        close_session(srv, "pop3.errors.too_many", "RFC 1939 3");
    }
}

/* dispatch - split "VERB arg arg" (RFC 1939 3: single spaces) and run the row */
static void dispatch(pop3_server *srv, char *line, size_t len, size_t raw_len)
{
    size_t vl = 0;
    while (vl < len && line[vl] != ' ')
        vl++;
    srv->verb[0] = '\0';
    const command_row *row = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (retr_ieq(line, vl, commands[i].verb))
            row = &commands[i];
    if (row)
        strcpy(srv->verb, row->verb);
    bool secret = row && (row->fn == cmd_pass || (row->fn == cmd_auth && len > vl + 6));
    command_event(srv, line, raw_len, row ? row->key : "pop3.cmd.unknown",
                  row ? row->rfc : "RFC 1939 3", secret);
    if (raw_len < 2 || line[raw_len - 2] != '\r') {
        err(srv, NULL, "pop3.line.bare_lf", "RFC 1939 3", "Lines must end with CRLF");
        return;
    }
    if (!row) {
        err(srv, NULL, "pop3.cmd.unknown", "RFC 1939 3", "Unknown command");
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 || c == 0x7f) {
            err(srv, NULL, "pop3.cmd.syntax", "RFC 1939 3", "Control characters in command");
            return;
        }
    }
    if (!(row->states & (1u << srv->state))) {
        err(srv, NULL, "pop3.cmd.wrong_state", state_rfc(srv->state),
            "Command not valid in this state");
        return;
    }
    const char *rest = vl < len ? line + vl + 1 : line + len;
    size_t rest_len = vl < len ? len - vl - 1 : 0;
    /* split the arguments in place: each ends at a single space */
    const char *argv[2];
    size_t argc = 0;
    bool bad = false;
    char *p = line + vl;
    line[len] = '\0';
    while (*p == ' ') {
        *p++ = '\0';
        if (*p == ' ' || *p == '\0') {
            bad = true;
            break;
        }
        if (argc < 2)
            argv[argc] = p;
        argc++;
        while (*p && *p != ' ')
            p++;
    }
    if (row->fn == cmd_pass || row->fn == cmd_user) {
        /* RFC 1939 7: PASS takes the rest of the line (passwords may hold spaces); we treat
         * USER the same so names with spaces are refused by the mailbox, not mangled here */
        bad = rest_len == 0;
        argc = 1;
    }
    if (bad || argc < row->min_args || argc > row->max_args) {
        err(srv, NULL, "pop3.cmd.syntax", row->rfc, "Wrong arguments");
        return;
    }
    if (row->fn == cmd_pass || row->fn == cmd_user) {
        /* the split above wrote NULs into rest: restore its spaces */
        for (size_t i = 0; i < rest_len; i++)
            if (line[vl + 1 + i] == '\0')
                line[vl + 1 + i] = ' ';
    }
    row->fn(srv, argv, argc, rest, rest_len);
}

/* handle_line - one complete line in srv->io.line */
static void handle_line(pop3_server *srv)
{
    retr_io *io = &srv->io;
    char *line = io->line.p;
    size_t stored = io->line.len;
    bool sasl = srv->state == POP3_SRV_SASL;
    bool auth_cmd = !sasl && stored >= 5 && retr_ieq(line, 5, "AUTH ");
    size_t limit = sasl || auth_cmd ? POP3_AUTH_LINE_MAX : POP3_LINE_MAX;
    if (++srv->commands > POP3_MAX_COMMANDS) {
        srv->verb[0] = '\0';
        err(srv, NULL, "pop3.commands.too_many", "RFC 1939 3", "Too many commands");
        close_session(srv, "pop3.commands.too_many", "RFC 1939 3");
        return;
    }
    if (io->line_total > limit) {
        /* RFC 2449 4: 255 octets; answered, never fatal. No bytes shown: it may hold a password */
        srv->verb[0] = '\0';
        retr_io_event(io, RETR_EV_ERROR, RETR_DIR_NONE, NULL, 0, "pop3.line.too_long",
                      "RFC 2449 4");
        if (sasl)
            set_state(srv, POP3_SRV_AUTHORIZATION);
        err(srv, NULL, "pop3.line.too_long", "RFC 2449 4", "Line too long");
        return;
    }
    bool crlf = stored >= 2 && line[stored - 2] == '\r';
    size_t len = crlf ? stored - 2 : stored - 1;
    if (sasl) {
        strcpy(srv->verb, "AUTH");
        command_event(srv, line, stored, "pop3.auth.response", "RFC 5034 4", true);
        set_state(srv, POP3_SRV_AUTHORIZATION);
        if (!crlf)
            err(srv, NULL, "pop3.line.bare_lf", "RFC 1939 3", "Lines must end with CRLF");
        else
            sasl_response(srv, line, len);
        return;
    }
    /* one byte of room for the NUL dispatch writes: the line buffer holds len + 1 or more */
    dispatch(srv, line, len, stored);
}

/* ---- public API ------------------------------------------------------------------------------ */

void pop3_server_config_default(pop3_server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->hostname = "localhost";
    cfg->timeout_ms = POP3_TIMEOUT_MS;
}

/* greeting - RFC 1939 4: "+OK" and a banner; nothing secret, no version */
static void greeting(pop3_server *srv)
{
    char text[NAME_MAX_LEN + 32];
    snprintf(text, sizeof text, "%s POP3 server ready", srv->hostname);
    if (strlen(text) > TEXT_MAX)
        strcpy(text, "POP3 server ready");
    ok(srv, "pop3.greeting", "RFC 1939 4", text);
    set_state(srv, POP3_SRV_AUTHORIZATION);
}

pop3_server *pop3_server_new(const pop3_server_config *cfg, bool implicit_tls, uint64_t now_ms)
{
    pop3_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return NULL;
    srv->cfg = *cfg;
    if (!srv->cfg.timeout_ms)
        srv->cfg.timeout_ms = POP3_TIMEOUT_MS;
    retr_io_init(&srv->io, now_ms);
    srv->last_activity = now_ms;
    srv->state = POP3_SRV_GREETING;
    /* the host name goes into the greeting: keep only what a status line may carry */
    snprintf(srv->hostname, sizeof srv->hostname, "%s", cfg->hostname ? cfg->hostname : "");
    for (char *c = srv->hostname; *c; c++)
        if (*c <= ' ' || *c > '~')
            *c = '?';
    if (!srv->hostname[0])
        strcpy(srv->hostname, "localhost");
    srv->cfg.hostname = srv->hostname;
    if (!implicit_tls)
        greeting(srv);
    if (srv->io.oom) {
        pop3_server_free(srv);
        return NULL;
    }
    return srv;
}

void pop3_server_free(pop3_server *srv)
{
    if (!srv)
        return;
    release_mailbox(srv);
    free(srv->scratch.p);
    retr_io_free(&srv->io);
    free(srv);
}

/* out_of_memory - a buffer could not grow: responses may be missing, so the session ends.
 * The event queue may be what failed, so the flag is cleared first to let CLOSE through. */
static void out_of_memory(pop3_server *srv)
{
    srv->io.oom = false;
    if (srv->state != POP3_SRV_CLOSED)
        close_session(srv, "pop3.out_of_memory", "");
}

int pop3_server_feed(pop3_server *srv, const void *bytes, size_t len, uint64_t now_ms)
{
    retr_io_begin(&srv->io, now_ms);
    if (srv->state == POP3_SRV_CLOSED)
        return -1;
    if (len == 0)
        return 0;
    srv->last_activity = srv->io.now;
    const char *b = bytes;
    size_t i = 0;
    while (i < len && srv->state != POP3_SRV_CLOSED && !srv->io.oom) {
        if (srv->state == POP3_SRV_TLS || srv->state == POP3_SRV_GREETING) {
            /* RFC 2595 4 / CVE-2011-0411: nothing sent before the handshake may count */
            retr_io_event(&srv->io, RETR_EV_ERROR, RETR_DIR_C2S, b + i, len - i,
                          "pop3.tls.plaintext_discarded", "RFC 2595 4");
            break;
        }
        bool complete;
        i += retr_io_line_take(&srv->io, b + i, len - i, POP3_AUTH_LINE_MAX, &complete);
        if (!complete)
            break;
        if (srv->io.oom)
            break;
        handle_line(srv);
        retr_io_line_reset(&srv->io);
        error_limit(srv);
    }
    if (srv->io.oom)
        out_of_memory(srv);
    return 0;
}

void pop3_server_tick(pop3_server *srv, uint64_t now_ms)
{
    retr_io_begin(&srv->io, now_ms);
    if (srv->state == POP3_SRV_CLOSED || srv->io.now < pop3_server_deadline(srv))
        return;
    /* RFC 1939 3: the autologout closes without a response and without UPDATE */
    retr_io_event(&srv->io, RETR_EV_ERROR, RETR_DIR_NONE, NULL, 0, "pop3.timeout", "RFC 1939 3");
    close_session(srv, "pop3.timeout", "RFC 1939 3");
}

uint64_t pop3_server_deadline(const pop3_server *srv)
{
    if (srv->state == POP3_SRV_CLOSED)
        return UINT64_MAX;
    if (srv->last_activity > UINT64_MAX - srv->cfg.timeout_ms)
        return UINT64_MAX;
    return srv->last_activity + srv->cfg.timeout_ms;
}

size_t pop3_server_output(const pop3_server *srv, const char **buf)
{
    return retr_io_output(&srv->io, buf);
}

void pop3_server_output_consumed(pop3_server *srv, size_t n)
{
    retr_io_output_consumed(&srv->io, n);
}

int pop3_server_next_event(pop3_server *srv, retr_event *ev)
{
    return retr_io_next_event(&srv->io, ev);
}

/* pop3_server_tls_started - after STLS the session goes on in AUTHORIZATION with no new
 * greeting (RFC 2595 4); after an implicit-TLS handshake the greeting comes now (RFC 8314) */
void pop3_server_tls_started(pop3_server *srv, uint64_t now_ms)
{
    retr_io_begin(&srv->io, now_ms);
    if (srv->state != POP3_SRV_TLS && srv->state != POP3_SRV_GREETING)
        return;
    srv->last_activity = srv->io.now;
    srv->tls = true;
    srv->user_given = false;
    retr_io_line_reset(&srv->io);
    if (srv->state == POP3_SRV_GREETING)
        greeting(srv);
    else
        set_state(srv, POP3_SRV_AUTHORIZATION);
}

pop3_server_state pop3_server_state_get(const pop3_server *srv)
{
    return srv->state;
}

const char *pop3_server_state_name(pop3_server_state st)
{
    switch (st) {
    case POP3_SRV_GREETING: return "connected, waiting for TLS";
    case POP3_SRV_AUTHORIZATION: return "AUTHORIZATION (waiting for login)";
    case POP3_SRV_SASL: return "AUTHORIZATION (AUTH exchange)";
    case POP3_SRV_TLS: return "TLS handshake";
    case POP3_SRV_TRANSACTION: return "TRANSACTION (logged in)";
    case POP3_SRV_UPDATE: return "UPDATE (deleting marked messages)";
    case POP3_SRV_CLOSED: return "closed";
    }
    return "unknown";
}

bool pop3_server_done(const pop3_server *srv)
{
    const char *b;
    return srv->state == POP3_SRV_CLOSED && retr_io_output(&srv->io, &b) == 0;
}

const char *pop3_server_user(const pop3_server *srv)
{
    return srv->state == POP3_SRV_TRANSACTION || srv->state == POP3_SRV_UPDATE ? srv->authed
                                                                                : NULL;
}
