/* pop3_server.c - the sans-I/O POP3 server engine: one session over one locked maildrop.
 *
 * Shaped like smtp_server.c (and OpenSMTPD's smtp_session.c): a command table whose rows
 * hold everything about a command (verb, states where it is valid, argument counts, handler,
 * explanation key, RFC section), one state funnel (pop3_srv_set_state) and one response funnel
 * (pop3_srv_respond), both of which report events. Message numbers are fixed at login: the engine
 * keeps each message's UID and size from then on, finds the message again by UID (binary search, as
 * UIDs ascend) and so stays right if another session expunges or the MDA delivers meanwhile.
 *
 * Choices worth knowing:
 * - Command lines must end in CRLF (RFC 1939 3); a bare LF is answered -ERR, like SMTP's 500.
 * - USER/PASS and AUTH PLAIN are refused before TLS unless cfg.allow_plaintext (RFC 2595 2.3),
 *   with the RFC 3206 [AUTH] code, so a client knows to try STLS rather than another password.
 * - USER always answers +OK, so the server does not tell which user names exist (RFC 1939 13).
 */
#include "core/pop3/pop3_server_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/retrieval/retr_io.h"

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

/* pop3_srv_set_state - every transition goes through here and becomes a RETR_EV_STATE */
void pop3_srv_set_state(pop3_server *srv, pop3_server_state to)
{
    if (srv->state == to)
        return;
    retr_io_state(&srv->io, (int)srv->state, (int)to, state_key(to), state_rfc(to));
    srv->state = to;
}

/* pop3_srv_release_mailbox - give the maildrop lock back; nothing is expunged here */
void pop3_srv_release_mailbox(pop3_server *srv)
{
    if (srv->mb_open && srv->cfg.provider.close)
        srv->cfg.provider.close(srv->cfg.provider.ctx, &srv->mb);
    srv->mb_open = false;
    free(srv->msgs);
    srv->msgs = NULL;
    srv->n_msgs = 0;
}

/* pop3_srv_close - no more input; the driver closes once the output is sent */
void pop3_srv_close(pop3_server *srv, const char *key, const char *rfc)
{
    pop3_srv_release_mailbox(srv);
    pop3_srv_set_state(srv, POP3_SRV_CLOSED);
    retr_io_event(&srv->io, RETR_EV_CLOSE, RETR_DIR_NONE, NULL, 0, key, rfc);
}

/* ---- the response funnel ---------------------------------------------------------------- */

/* pop3_srv_respond - every response goes through here. code is an RFC 2449 response code without
 * brackets, or NULL. When multi, body (already CRLF lines, not yet stuffed) follows as a
 * multi-line response, byte-stuffed and ended with "." (RFC 1939 3). -ERR counts as an error. */
void pop3_srv_respond(pop3_server *srv, bool ok, const char *code, const char *key, const char *rfc,
                    const char *text, bool multi, const char *body, size_t body_len, uint32_t msg)
{
    char line[TEXT_MAX + 48];
    if (!retr_text_ok(text) || strlen(text) > TEXT_MAX ||
        (code && (!retr_text_ok(code) || strlen(code) > 20))) {
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

/* pop3_srv_ok / pop3_srv_err - one-line responses */
void pop3_srv_ok(pop3_server *srv, const char *key, const char *rfc, const char *text)
{
    pop3_srv_respond(srv, true, NULL, key, rfc, text, false, NULL, 0, 0);
}

void pop3_srv_err(pop3_server *srv, const char *code, const char *key, const char *rfc,
                const char *text)
{
    pop3_srv_respond(srv, false, code, key, rfc, text, false, NULL, 0, 0);
}

/* ---- the mailbox ---------------------------------------------------------------------------- */

/* pop3_srv_plaintext_ok - may a password be sent now (RFC 2595 2.3)? */
bool pop3_srv_plaintext_ok(const pop3_server *srv)
{
    return srv->io.tls || srv->cfg.allow_plaintext;
}

/* msg_arg - a message-number argument (RFC 1939 5): 1..n and not marked deleted. Answers
 * -ERR and returns 0 when it is not. */
static uint32_t msg_arg(pop3_server *srv, const char *arg, const char *key)
{
    uint32_t k;
    if (retr_parse_u32(arg, strlen(arg), true, &k) < 0 || k > srv->n_msgs) {
        pop3_srv_err(srv, NULL, key, "RFC 1939 5", "No such message");
        return 0;
    }
    if (srv->msgs[k - 1].deleted) {
        pop3_srv_err(srv, NULL, key, "RFC 1939 5", "Message already deleted");
        return 0;
    }
    return k;
}

/* read_msg - the content of message k; -ERR [SYS/TEMP] when it vanished from storage */
static int read_msg(pop3_server *srv, uint32_t k, const char **data, size_t *len)
{
    long i = mailbox_find_uid(&srv->mb, srv->msgs[k - 1].uid);
    if (i < 0 || srv->mb.ops->read(srv->mb.ctx, (size_t)i, data, len) < 0) {
        pop3_srv_err(srv, "SYS/TEMP", "pop3.msg.gone", "RFC 3206", "Message could not be read");
        return -1;
    }
    return 0;
}

/* ---- command handlers ---------------------------------------------------------------------- */

/* cmd_quit - RFC 1939 6: in TRANSACTION, enter UPDATE and remove the marked messages */
static void cmd_quit(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv, (void)argc, (void)rest, (void)rest_len;
    if (srv->state != POP3_SRV_TRANSACTION) {
        pop3_srv_ok(srv, "pop3.quit.ok", "RFC 1939 4", "Bye");
        pop3_srv_close(srv, "pop3.quit.ok", "RFC 1939 4");
        return;
    }
    pop3_srv_set_state(srv, POP3_SRV_UPDATE);
    bool failed = false;
    /* from the last message down, so an expunge never moves one still to be removed */
    for (size_t k = srv->n_msgs; k-- > 0;) {
        if (!srv->msgs[k].deleted)
            continue;
        long i = mailbox_find_uid(&srv->mb, srv->msgs[k].uid);
        if (i >= 0 && srv->mb.ops->expunge(srv->mb.ctx, (size_t)i) < 0)
            failed = true;
    }
    if (failed) {
        /* RFC 1939 6: -ERR when some deleted messages could not be removed */
        pop3_srv_err(srv, "SYS/TEMP", "pop3.quit.update_failed", "RFC 1939 6",
            "Some deleted messages not removed");
    } else {
        char text[64];
        snprintf(text, sizeof text, "Bye (%zu message%s left)",
                 srv->mb.ops->count(srv->mb.ctx), srv->mb.ops->count(srv->mb.ctx) == 1 ? "" : "s");
        pop3_srv_ok(srv, "pop3.quit.update", "RFC 1939 6", text);
    }
    pop3_srv_close(srv, "pop3.quit.update", "RFC 1939 6");
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
    pop3_srv_ok(srv, "pop3.stat.ok", "RFC 1939 5", text);
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
        pop3_srv_respond(srv, true, NULL, key, rfc, line, false, NULL, 0, k);
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
    pop3_srv_respond(srv, true, NULL, key, rfc, text, true, srv->scratch.p ? srv->scratch.p : "",
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
    pop3_srv_respond(srv, true, NULL, "pop3.retr.ok", "RFC 1939 5", text, true, data, len, k);
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
        pop3_srv_err(srv, NULL, "pop3.top.syntax", "RFC 1939 7",
                     "Number of lines must be a number");
        return;
    }
    uint32_t k = msg_arg(srv, argv[0], "pop3.top.no_such");
    const char *data;
    size_t len;
    if (!k || read_msg(srv, k, &data, &len) < 0)
        return;
    pop3_srv_respond(srv, true, NULL, "pop3.top.ok", "RFC 1939 7", "Top of message follows", true,
                     data, top_length(data, len, lines), k);
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
    pop3_srv_respond(srv, true, NULL, "pop3.dele.ok", "RFC 1939 5", text, false, NULL, 0, k);
}

static void cmd_noop(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv, (void)argc, (void)rest, (void)rest_len;
    pop3_srv_ok(srv, "pop3.noop.ok", "RFC 1939 5", "");
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
    pop3_srv_ok(srv, "pop3.rset.ok", "RFC 1939 5", text);
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
    if (srv->state == POP3_SRV_AUTHORIZATION && pop3_srv_plaintext_ok(srv)) {
        caps[n++] = "USER";       /* 6.8 */
        caps[n++] = "SASL PLAIN"; /* 6.3, RFC 5034 */
    }
    if (srv->state == POP3_SRV_AUTHORIZATION && srv->cfg.tls_available && !srv->io.tls)
        caps[n++] = "STLS";       /* RFC 2595 4 */
    caps[n++] = "IMPLEMENTATION smtpsim"; /* 6.9 */
    for (size_t i = 0; i < n; i++) {
        if (retr_buf_append(&srv->io, &srv->scratch, caps[i], strlen(caps[i])) < 0 ||
            retr_buf_append(&srv->io, &srv->scratch, "\r\n", 2) < 0)
            return;
    }
    pop3_srv_respond(srv, true, NULL, "pop3.capa.ok", "RFC 2449 5", "Capability list follows", true,
            srv->scratch.p, srv->scratch.len, 0);
}

static const command_row commands[] = {
    {"USER", S_AUTHZ, 1, 1, pop3_cmd_user, "pop3.cmd.user", "RFC 1939 7"},
    {"PASS", S_AUTHZ, 1, 255, pop3_cmd_pass, "pop3.cmd.pass", "RFC 1939 7"},
    {"AUTH", S_AUTHZ, 0, 2, pop3_cmd_auth, "pop3.cmd.auth", "RFC 5034 4"},
    {"STLS", S_AUTHZ, 0, 0, pop3_cmd_stls, "pop3.cmd.stls", "RFC 2595 4"},
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
    retr_io_command(&srv->io, line, len, secret && !srv->cfg.show_secrets, NULL, srv->verb, key,
                    rfc);
}

/* error_limit - too many -ERR answers: the client is lost or hostile */
static void error_limit(pop3_server *srv)
{
    if (srv->state != POP3_SRV_CLOSED && srv->errors >= POP3_MAX_ERRORS) {
        srv->verb[0] = '\0';
        pop3_srv_err(srv, NULL, "pop3.errors.too_many", "RFC 1939 3",
                     "Too many errors, closing connection");
        pop3_srv_close(srv, "pop3.errors.too_many", "RFC 1939 3");
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
    bool secret = row && (row->fn == pop3_cmd_pass || (row->fn == pop3_cmd_auth && len > vl + 6));
    command_event(srv, line, raw_len, row ? row->key : "pop3.cmd.unknown",
                  row ? row->rfc : "RFC 1939 3", secret);
    if (raw_len < 2 || line[raw_len - 2] != '\r') {
        pop3_srv_err(srv, NULL, "pop3.line.bare_lf", "RFC 1939 3", "Lines must end with CRLF");
        return;
    }
    if (!row) {
        pop3_srv_err(srv, NULL, "pop3.cmd.unknown", "RFC 1939 3", "Unknown command");
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 || c == 0x7f) {
            pop3_srv_err(srv, NULL, "pop3.cmd.syntax", "RFC 1939 3",
                         "Control characters in command");
            return;
        }
    }
    if (!(row->states & (1u << srv->state))) {
        pop3_srv_err(srv, NULL, "pop3.cmd.wrong_state", state_rfc(srv->state),
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
    if (row->fn == pop3_cmd_pass || row->fn == pop3_cmd_user) {
        /* RFC 1939 7: PASS takes the rest of the line (passwords may hold spaces); we treat
         * USER the same so names with spaces are refused by the mailbox, not mangled here */
        bad = rest_len == 0;
        argc = 1;
    }
    if (bad || argc < row->min_args || argc > row->max_args) {
        pop3_srv_err(srv, NULL, "pop3.cmd.syntax", row->rfc, "Wrong arguments");
        return;
    }
    if (row->fn == pop3_cmd_pass || row->fn == pop3_cmd_user) {
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
        pop3_srv_err(srv, NULL, "pop3.commands.too_many", "RFC 1939 3", "Too many commands");
        pop3_srv_close(srv, "pop3.commands.too_many", "RFC 1939 3");
        return;
    }
    if (io->line_total > limit) {
        /* RFC 2449 4: 255 octets; answered, never fatal. No bytes shown: it may hold a password */
        srv->verb[0] = '\0';
        retr_io_event(io, RETR_EV_ERROR, RETR_DIR_NONE, NULL, 0, "pop3.line.too_long",
                      "RFC 2449 4");
        if (sasl)
            pop3_srv_set_state(srv, POP3_SRV_AUTHORIZATION);
        pop3_srv_err(srv, NULL, "pop3.line.too_long", "RFC 2449 4", "Line too long");
        return;
    }
    bool crlf = stored >= 2 && line[stored - 2] == '\r';
    size_t len = crlf ? stored - 2 : stored - 1;
    if (sasl) {
        strcpy(srv->verb, "AUTH");
        command_event(srv, line, stored, "pop3.auth.response", "RFC 5034 4", true);
        pop3_srv_set_state(srv, POP3_SRV_AUTHORIZATION);
        if (!crlf)
            pop3_srv_err(srv, NULL, "pop3.line.bare_lf", "RFC 1939 3", "Lines must end with CRLF");
        else
            pop3_sasl_response(srv, line, len);
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
    pop3_srv_ok(srv, "pop3.greeting", "RFC 1939 4", text);
    pop3_srv_set_state(srv, POP3_SRV_AUTHORIZATION);
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
    pop3_srv_release_mailbox(srv);
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
        pop3_srv_close(srv, "pop3.out_of_memory", "");
}

int pop3_server_feed(pop3_server *srv, const void *bytes, size_t len, uint64_t now_ms)
{
    retr_io_begin(&srv->io, now_ms);
    if (srv->state == POP3_SRV_CLOSED)
        return -1;
    if (len == 0)
        return 0;
    srv->io.last_activity = srv->io.now;
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
    pop3_srv_close(srv, "pop3.timeout", "RFC 1939 3");
}

uint64_t pop3_server_deadline(const pop3_server *srv)
{
    if (srv->state == POP3_SRV_CLOSED)
        return UINT64_MAX;
    return retr_io_deadline(&srv->io, srv->cfg.timeout_ms);
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
    if (!retr_io_tls_up(&srv->io, now_ms,
                        srv->state == POP3_SRV_TLS || srv->state == POP3_SRV_GREETING))
        return;
    srv->user_given = false;
    if (srv->state == POP3_SRV_GREETING)
        greeting(srv);
    else
        pop3_srv_set_state(srv, POP3_SRV_AUTHORIZATION);
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
