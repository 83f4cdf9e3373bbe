/* imap_server.c - the sans-I/O IMAP server engine: input assembly (lines and literals), the
 * command table, the response and state funnels, login, and the mailbox-level commands.
 * FETCH, STORE, SEARCH and EXPUNGE live in imap_fetch.c.
 *
 * Choices worth knowing:
 * - The session keeps its own view of the mailbox (UID and flags per sequence number). Changes
 *   made elsewhere are compared against it by imap_sync_view and reported as EXISTS, FETCH
 *   FLAGS and EXPUNGE on NOOP, CHECK and IDLE only, so sequence numbers never move during a
 *   FETCH, STORE or SEARCH (RFC 9051 7.5.1).
 * - Both IMAP4rev1 and IMAP4rev2 are advertised. A client that sends ENABLE IMAP4rev2 gets the
 *   rev2 forms (ESEARCH, no RECENT, LIST after SELECT); everyone else the rev1 forms.
 * - No \Recent: RECENT is always 0 for rev1 clients (RFC 3501 allows a server without it).
 */
#include "core/imap/imap_server_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/base64.h"


/* ---- funnels ------------------------------------------------------------------------------- */

static const char *state_key(imap_server_state st)
{
    static const char *const keys[] = {"imap.state.greeting", "imap.state.not_auth",
                                       "imap.state.sasl",     "imap.state.tls",
                                       "imap.state.auth",     "imap.state.selected",
                                       "imap.state.idle",     "imap.state.logout"};
    return (size_t)st < 8 ? keys[st] : "imap.state.unknown";
}

static const char *state_rfc(imap_server_state st)
{
    switch (st) {
    case IMAP_SRV_NOT_AUTH: return "RFC 9051 3.1";
    case IMAP_SRV_SASL: return "RFC 9051 6.2.2";
    case IMAP_SRV_TLS: return "RFC 9051 6.2.1";
    case IMAP_SRV_AUTH: return "RFC 9051 3.2";
    case IMAP_SRV_SELECTED: return "RFC 9051 3.3";
    case IMAP_SRV_IDLE: return "RFC 2177 3";
    case IMAP_SRV_LOGOUT: return "RFC 9051 3.4";
    default: return "RFC 9051 7.1.1";
    }
}

void imap_set_state(imap_server *srv, imap_server_state to)
{
    if (srv->state == to)
        return;
    retr_io_state(&srv->io, (int)srv->state, (int)to, state_key(to), state_rfc(to));
    srv->state = to;
}

/* imap_respond - a status response through the funnel: tag (or "*"), status, [code], text */
void imap_respond(imap_server *srv, retr_event_kind kind, const char *tag, const char *status,
                    const char *code, const char *key, const char *rfc, const char *text)
{
    if (!retr_text_ok(text) || (code && !retr_text_ok(code))) {
        retr_io_event(&srv->io, RETR_EV_ERROR, RETR_DIR_NONE, NULL, 0, "imap.bug.text", "");
        text = "Internal error";
        code = NULL;
    }
    size_t start = srv->io.out.len;
    retr_buf *o = &srv->io.out;
    int r = imap_put(&srv->io, o, tag);
    r |= imap_put(&srv->io, o, " ");
    r |= imap_put(&srv->io, o, status);
    if (code) {
        r |= imap_put(&srv->io, o, " [");
        r |= imap_put(&srv->io, o, code);
        r |= imap_put(&srv->io, o, "]");
    }
    r |= imap_put(&srv->io, o, " ");
    r |= imap_put(&srv->io, o, text);
    r |= imap_put(&srv->io, o, "\r\n");
    if (r)
        return;
    retr_event *ev = retr_io_event(&srv->io, kind, RETR_DIR_S2C, o->p + start, o->len - start,
                                   key, rfc);
    if (ev) {
        snprintf(ev->verb, sizeof ev->verb, "%s", srv->verb);
        snprintf(ev->tag, sizeof ev->tag, "%s", kind == RETR_EV_RESPONSE ? tag : "");
        snprintf(ev->status, sizeof ev->status, "%s", status);
        if (code) {
            size_t cl = strcspn(code, " ");
            snprintf(ev->code, sizeof ev->code, "%.*s", (int)(cl < 23 ? cl : 23), code);
        }
    }
}

void imap_tagged(imap_server *srv, const char *status, const char *code, const char *key,
                 const char *rfc, const char *text)
{
    imap_respond(srv, RETR_EV_RESPONSE, srv->tag, status, code, key, rfc, text);
    if (strcmp(status, "BAD") == 0)
        srv->errors++;
}

void imap_bad(imap_server *srv, const char *key, const char *rfc, const char *text)
{
    imap_tagged(srv, "BAD", NULL, key, rfc, text);
}

size_t imap_untagged_begin(imap_server *srv)
{
    size_t start = srv->io.out.len;
    imap_put(&srv->io, &srv->io.out, "* ");
    return start;
}

void imap_untagged_end(imap_server *srv, size_t start, const char *key, const char *rfc,
                       uint32_t msg)
{
    if (imap_put(&srv->io, &srv->io.out, "\r\n") < 0)
        return;
    retr_event *ev = retr_io_event(&srv->io, RETR_EV_UNTAGGED, RETR_DIR_S2C,
                                   srv->io.out.p + start, srv->io.out.len - start, key, rfc);
    if (ev) {
        snprintf(ev->verb, sizeof ev->verb, "%s", srv->verb);
        ev->msg = msg;
    }
}

/* untagged - a one-line untagged response ("* 3 EXISTS") */
void imap_untagged(imap_server *srv, const char *key, const char *rfc, const char *text)
{
    size_t s = imap_untagged_begin(srv);
    imap_put(&srv->io, &srv->io.out, text);
    imap_untagged_end(srv, s, key, rfc, 0);
}

void imap_continuation(imap_server *srv, const char *key, const char *rfc, const char *text)
{
    size_t start = srv->io.out.len;
    if (imap_put(&srv->io, &srv->io.out, "+ ") < 0 || imap_put(&srv->io, &srv->io.out, text) < 0 ||
        imap_put(&srv->io, &srv->io.out, "\r\n") < 0)
        return;
    retr_event *ev = retr_io_event(&srv->io, RETR_EV_CONTINUE, RETR_DIR_S2C,
                                   srv->io.out.p + start, srv->io.out.len - start, key, rfc);
    if (ev)
        snprintf(ev->verb, sizeof ev->verb, "%s", srv->verb);
}

/* release_mailbox - close the INBOX and forget the view */
static void release_mailbox(imap_server *srv)
{
    if (srv->mb_open && srv->cfg.provider.close)
        srv->cfg.provider.close(srv->cfg.provider.ctx, &srv->mb);
    srv->mb_open = false;
    srv->n_view = 0;
}

/* bye - "* BYE" and the end of the session (RFC 9051 7.1.5) */
void imap_bye(imap_server *srv, const char *key, const char *rfc, const char *text)
{
    imap_respond(srv, RETR_EV_UNTAGGED, "*", "BYE", NULL, key, rfc, text);
    release_mailbox(srv);
    imap_set_state(srv, IMAP_SRV_LOGOUT);
    retr_io_event(&srv->io, RETR_EV_CLOSE, RETR_DIR_NONE, NULL, 0, key, rfc);
}

/* ---- capabilities, mailbox view ---------------------------------------------------------- */

bool imap_plaintext_ok(const imap_server *srv)
{
    return srv->io.tls || srv->cfg.allow_plaintext;
}

/* capabilities - what we offer now (RFC 9051 7.2.2); STARTTLS and the login words change
 * with TLS and login */
void imap_capabilities(imap_server *srv, char *out, size_t cap)
{
    bool pre = srv->state == IMAP_SRV_NOT_AUTH || srv->state == IMAP_SRV_GREETING;
    snprintf(out, cap, "CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR IDLE NAMESPACE ENABLE "
                       "UNSELECT%s%s",
             pre && srv->cfg.tls_available && !srv->io.tls ? " STARTTLS" : "",
             !pre ? "" : imap_plaintext_ok(srv) ? " AUTH=PLAIN" : " LOGINDISABLED");
}

long imap_locate(imap_server *srv, uint32_t uid)
{
    return mailbox_find_uid(&srv->mb, uid);
}

uint32_t imap_max_uid(const imap_server *srv)
{
    return srv->n_view ? srv->view[srv->n_view - 1].uid : 0;
}

int imap_put_flags(imap_server *srv, unsigned flags)
{
    static const char *const names[] = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted",
                                        "\\Draft"};
    retr_buf *o = &srv->io.out;
    int r = imap_put(&srv->io, o, "FLAGS (");
    bool first = true;
    for (int i = 0; i < 5; i++) {
        if (!(flags & (1u << i)))
            continue;
        r |= first ? 0 : imap_put(&srv->io, o, " ");
        r |= imap_put(&srv->io, o, names[i]);
        first = false;
    }
    r |= imap_put(&srv->io, o, ")");
    return r ? -1 : 0;
}

/* view_reserve - room for n messages in the view */
int imap_view_reserve(imap_server *srv, size_t n)
{
    if (n <= srv->view_cap)
        return 0;
    size_t cap = srv->view_cap ? srv->view_cap : 64;
    while (cap < n)
        cap *= 2;
    imap_view_msg *v = realloc(srv->view, cap * sizeof *v);
    if (!v) {
        srv->io.oom = true;
        return -1;
    }
    srv->view = v;
    srv->view_cap = cap;
    return 0;
}

/* imap_sync_view - compare the view with the mailbox in one merge pass (both ascend by UID)
 * and tell the client: EXPUNGE for messages gone (when allowed), FETCH FLAGS for flags
 * changed elsewhere, EXISTS for new mail (RFC 9051 7.4.1, 7.5.1, 7.5.2) */
void imap_sync_view(imap_server *srv, bool allow_expunge)
{
    if (srv->state != IMAP_SRV_SELECTED && srv->state != IMAP_SRV_IDLE)
        return;
    const mailbox_ops *o = srv->mb.ops;
    size_t m = o->count(srv->mb.ctx), i = 0, j = 0;
    size_t before = srv->n_view;
    char num[32];
    while (i < srv->n_view) {
        uint32_t u = j < m ? o->uid(srv->mb.ctx, j) : UINT32_MAX;
        imap_view_msg *v = &srv->view[i];
        if (v->uid == u) {
            unsigned f = o->flags(srv->mb.ctx, j);
            if (f != v->flags) {
                v->flags = f;
                size_t s = imap_untagged_begin(srv);
                snprintf(num, sizeof num, "%zu FETCH (", i + 1);
                imap_put(&srv->io, &srv->io.out, num);
                imap_put_flags(srv, f);
                imap_put(&srv->io, &srv->io.out, ")");
                imap_untagged_end(srv, s, "imap.fetch.flags_changed", "RFC 9051 7.5.2",
                                  (uint32_t)(i + 1));
            }
            i++;
            j++;
        } else if (v->uid < u) {
            if (!allow_expunge) {
                i++;
                continue;
            }
            snprintf(num, sizeof num, "%zu EXPUNGE", i + 1);
            size_t s = imap_untagged_begin(srv);
            imap_put(&srv->io, &srv->io.out, num);
            imap_untagged_end(srv, s, "imap.expunge.elsewhere", "RFC 9051 7.5.1",
                              (uint32_t)(i + 1));
            memmove(v, v + 1, (srv->n_view - i - 1) * sizeof *v);
            srv->n_view--;
        } else {
            j++; /* a lower UID we never saw: cannot happen with ascending UIDs; skip it */
        }
    }
    uint32_t last = imap_max_uid(srv);
    for (; j < m; j++) {
        uint32_t u = o->uid(srv->mb.ctx, j);
        if (u <= last || imap_view_reserve(srv, srv->n_view + 1) < 0)
            continue;
        srv->view[srv->n_view++] = (imap_view_msg){u, o->flags(srv->mb.ctx, j)};
        last = u;
    }
    if (srv->n_view > before || (allow_expunge && srv->n_view != before)) {
        snprintf(num, sizeof num, "%zu EXISTS", srv->n_view);
        imap_untagged(srv, "imap.exists", "RFC 9051 7.4.1", num);
    }
}

/* ---- commands: any state ------------------------------------------------------------------ */

static void cmd_capability(imap_server *srv, imap_cursor *c)
{
    (void)c;
    char caps[200];
    imap_capabilities(srv, caps, sizeof caps);
    imap_untagged(srv, "imap.capability", "RFC 9051 7.2.2", caps);
    imap_tagged(srv, "OK", NULL, "imap.capability.ok", "RFC 9051 6.1.1", "CAPABILITY completed");
}

static void cmd_noop(imap_server *srv, imap_cursor *c)
{
    (void)c;
    imap_sync_view(srv, true); /* RFC 9051 6.1.2: NOOP is how clients poll */
    imap_tagged(srv, "OK", NULL, "imap.noop.ok", "RFC 9051 6.1.2", "NOOP completed");
}

static void cmd_logout(imap_server *srv, imap_cursor *c)
{
    (void)c;
    imap_respond(srv, RETR_EV_UNTAGGED, "*", "BYE", NULL, "imap.logout.bye", "RFC 9051 6.1.3",
            "Logging out");
    imap_tagged(srv, "OK", NULL, "imap.logout.ok", "RFC 9051 6.1.3", "LOGOUT completed");
    release_mailbox(srv);
    imap_set_state(srv, IMAP_SRV_LOGOUT);
    retr_io_event(&srv->io, RETR_EV_CLOSE, RETR_DIR_NONE, NULL, 0, "imap.logout.ok",
                  "RFC 9051 6.1.3");
}

/* ---- commands: selected ------------------------------------------------------------------- */

static void cmd_check(imap_server *srv, imap_cursor *c)
{
    (void)c;
    imap_sync_view(srv, true);
    imap_tagged(srv, "OK", NULL, "imap.check.ok", "RFC 3501 6.4.1", "CHECK completed");
}

static void cmd_close(imap_server *srv, imap_cursor *c, bool unselect)
{
    (void)c;
    /* RFC 9051 6.4.1: CLOSE expunges silently (unless read-only); UNSELECT (6.4.2) does not */
    if (!unselect && !srv->readonly)
        imap_expunge_deleted(srv, false);
    srv->n_view = 0;
    imap_set_state(srv, IMAP_SRV_AUTH);
    imap_tagged(srv, "OK", NULL, unselect ? "imap.unselect.ok" : "imap.close.ok",
                unselect ? "RFC 9051 6.4.2" : "RFC 9051 6.4.1",
                unselect ? "UNSELECT completed" : "CLOSE completed");
}

static void cmd_close_expunge(imap_server *srv, imap_cursor *c)
{
    cmd_close(srv, c, false);
}

static void cmd_unselect(imap_server *srv, imap_cursor *c)
{
    cmd_close(srv, c, true);
}

static void cmd_idle(imap_server *srv, imap_cursor *c)
{
    (void)c;
    srv->idle_from = srv->state;
    imap_set_state(srv, IMAP_SRV_IDLE);
    imap_continuation(srv, "imap.idle.continue", "RFC 2177 3", "idling");
    imap_sync_view(srv, true); /* whatever is new already goes out now */
}

static void cmd_fetch(imap_server *srv, imap_cursor *c)
{
    imap_cmd_fetch(srv, c, false);
}

static void cmd_store(imap_server *srv, imap_cursor *c)
{
    imap_cmd_store(srv, c, false);
}

static void cmd_search(imap_server *srv, imap_cursor *c)
{
    imap_cmd_search(srv, c, false);
}

static void cmd_uid(imap_server *srv, imap_cursor *c)
{
    const char *a;
    size_t al;
    if (imap_sp(c) < 0 || imap_atom(c, false, &a, &al) < 0) {
        imap_bad(srv, "imap.uid.syntax", "RFC 9051 6.4.9", "Syntax: UID FETCH|STORE|SEARCH ...");
        return;
    }
    if (retr_ieq(a, al, "FETCH"))
        imap_cmd_fetch(srv, c, true);
    else if (retr_ieq(a, al, "STORE"))
        imap_cmd_store(srv, c, true);
    else if (retr_ieq(a, al, "SEARCH"))
        imap_cmd_search(srv, c, true);
    else if (retr_ieq(a, al, "COPY") || retr_ieq(a, al, "MOVE"))
        imap_cmd_no_other_mailboxes(srv, c);
    else
        imap_bad(srv, "imap.uid.syntax", "RFC 9051 6.4.9", "Unknown UID command");
}

/* ---- the command table ---------------------------------------------------------------------- */

#define S_NA (1u << IMAP_SRV_NOT_AUTH)
#define S_AU (1u << IMAP_SRV_AUTH)
#define S_SE (1u << IMAP_SRV_SELECTED)

typedef struct {
    const char *name;
    unsigned states;
    void (*fn)(imap_server *srv, imap_cursor *c);
    bool no_args; /* the command takes no arguments: anything after it is BAD */
    const char *key;
    const char *rfc;
} command_row;

static const command_row commands[] = {
    {"CAPABILITY", S_NA | S_AU | S_SE, cmd_capability, true, "imap.cmd.capability",
     "RFC 9051 6.1.1"},
    {"NOOP", S_NA | S_AU | S_SE, cmd_noop, true, "imap.cmd.noop", "RFC 9051 6.1.2"},
    {"LOGOUT", S_NA | S_AU | S_SE, cmd_logout, true, "imap.cmd.logout", "RFC 9051 6.1.3"},
    {"STARTTLS", S_NA, imap_cmd_starttls, true, "imap.cmd.starttls", "RFC 9051 6.2.1"},
    {"AUTHENTICATE", S_NA, imap_cmd_authenticate, false, "imap.cmd.authenticate", "RFC 9051 6.2.2"},
    {"LOGIN", S_NA, imap_cmd_login, false, "imap.cmd.login", "RFC 9051 6.2.3"},
    {"ENABLE", S_AU, imap_cmd_enable, false, "imap.cmd.enable", "RFC 9051 6.3.1"},
    {"SELECT", S_AU | S_SE, imap_cmd_select, false, "imap.cmd.select", "RFC 9051 6.3.2"},
    {"EXAMINE", S_AU | S_SE, imap_cmd_examine, false, "imap.cmd.examine", "RFC 9051 6.3.3"},
    {"CREATE", S_AU | S_SE, imap_cmd_no_other_mailboxes, false, "imap.cmd.create",
     "RFC 9051 6.3.4"},
    {"DELETE", S_AU | S_SE, imap_cmd_no_other_mailboxes, false, "imap.cmd.delete",
     "RFC 9051 6.3.5"},
    {"RENAME", S_AU | S_SE, imap_cmd_no_other_mailboxes, false, "imap.cmd.rename",
     "RFC 9051 6.3.6"},
    {"SUBSCRIBE", S_AU | S_SE, imap_cmd_subscribe, false, "imap.cmd.subscribe", "RFC 9051 6.3.7"},
    {"UNSUBSCRIBE", S_AU | S_SE, imap_cmd_subscribe, false, "imap.cmd.unsubscribe",
     "RFC 9051 6.3.8"},
    {"LIST", S_AU | S_SE, imap_cmd_list, false, "imap.cmd.list", "RFC 9051 6.3.9"},
    {"LSUB", S_AU | S_SE, imap_cmd_lsub, false, "imap.cmd.lsub", "RFC 3501 6.3.9"},
    {"NAMESPACE", S_AU | S_SE, imap_cmd_namespace, true, "imap.cmd.namespace", "RFC 9051 6.3.10"},
    {"STATUS", S_AU | S_SE, imap_cmd_status, false, "imap.cmd.status", "RFC 9051 6.3.11"},
    {"APPEND", S_AU | S_SE, imap_cmd_no_other_mailboxes, false, "imap.cmd.append",
     "RFC 9051 6.3.12"},
    {"IDLE", S_AU | S_SE, cmd_idle, true, "imap.cmd.idle", "RFC 2177 3"},
    {"CHECK", S_SE, cmd_check, true, "imap.cmd.check", "RFC 3501 6.4.1"},
    {"CLOSE", S_SE, cmd_close_expunge, true, "imap.cmd.close", "RFC 9051 6.4.1"},
    {"UNSELECT", S_SE, cmd_unselect, true, "imap.cmd.unselect", "RFC 9051 6.4.2"},
    {"EXPUNGE", S_SE, imap_cmd_expunge, true, "imap.cmd.expunge", "RFC 9051 6.4.3"},
    {"SEARCH", S_SE, cmd_search, false, "imap.cmd.search", "RFC 9051 6.4.4"},
    {"FETCH", S_SE, cmd_fetch, false, "imap.cmd.fetch", "RFC 9051 6.4.5"},
    {"STORE", S_SE, cmd_store, false, "imap.cmd.store", "RFC 9051 6.4.6"},
    {"COPY", S_SE, imap_cmd_no_other_mailboxes, false, "imap.cmd.copy", "RFC 9051 6.4.7"},
    {"MOVE", S_SE, imap_cmd_no_other_mailboxes, false, "imap.cmd.move", "RFC 9051 6.4.8"},
    {"UID", S_SE, cmd_uid, false, "imap.cmd.uid", "RFC 9051 6.4.9"},
};

/* tag_char - RFC 9051 9: tag = 1*<any ASTRING-CHAR except "+"> */
static bool tag_char(unsigned char ch)
{
    return ch > 0x20 && ch < 0x7f && ch != '+' && !strchr("(){%*\"\\", ch);
}

/* command_event - the command as received, credentials hidden */
static void command_event(imap_server *srv, const char *b, size_t len, const char *key,
                          const char *rfc, bool secret)
{
    retr_io_command(&srv->io, b, len, secret && !srv->cfg.show_secrets, srv->tag, srv->verb, key,
                    rfc);
}

/* handle_command - one whole command (literals included) in srv->cmd */
static void handle_command(imap_server *srv)
{
    const char *b = srv->cmd.p;
    size_t len = srv->cmd.len;
    imap_cursor c = {b, len, 0};
    size_t tl = 0;
    while (tl < len && tag_char((unsigned char)b[tl]))
        tl++;
    srv->verb[0] = '\0';
    strcpy(srv->tag, "*");
    if (tl == 0 || tl > IMAP_TAG_MAX || tl == len || b[tl] != ' ') {
        command_event(srv, b, len, "imap.cmd.bad_tag", "RFC 9051 2.2.1", false);
        imap_respond(srv, RETR_EV_UNTAGGED, "*", "BAD", NULL, "imap.cmd.bad_tag", "RFC 9051 2.2.1",
                tl > IMAP_TAG_MAX ? "Tag too long" : "Missing or invalid tag");
        srv->errors++;
        return;
    }
    memcpy(srv->tag, b, tl);
    srv->tag[tl] = '\0';
    c.i = tl + 1;
    const char *name;
    size_t nl;
    const command_row *row = NULL;
    if (imap_atom(&c, false, &name, &nl) == 0)
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (retr_ieq(name, nl, commands[i].name))
                row = &commands[i];
    if (row)
        snprintf(srv->verb, sizeof srv->verb, "%s", row->name);
    bool secret = row && (row->fn == imap_cmd_login || (row->fn == imap_cmd_authenticate &&
                                                        memchr(b + c.i + 1, ' ', len - c.i - 1)));
    command_event(srv, b, len, row ? row->key : "imap.cmd.unknown",
                  row ? row->rfc : "RFC 9051 6", secret);
    if (len < 2 || b[len - 2] != '\r') {
        imap_bad(srv, "imap.line.bare_lf", "RFC 9051 2.2", "Lines must end with CRLF");
        return;
    }
    if (!row) {
        imap_bad(srv, "imap.cmd.unknown", "RFC 9051 6", "Unknown command");
        return;
    }
    if (!(row->states & (1u << srv->state))) {
        imap_bad(srv, "imap.cmd.wrong_state", state_rfc(srv->state),
                 "Command not valid in this state");
        return;
    }
    if (row->no_args && !imap_end(&c)) {
        imap_bad(srv, "imap.cmd.syntax", row->rfc, "This command takes no arguments");
        return;
    }
    row->fn(srv, &c);
}

/* handle_special_line - a line in SASL or IDLE (no tag, no literals) */
static void handle_special_line(imap_server *srv, const char *line, size_t len)
{
    bool crlf = len >= 2 && line[len - 2] == '\r';
    size_t tl = crlf ? len - 2 : len - 1;
    if (srv->state == IMAP_SRV_SASL) {
        command_event(srv, line, len, "imap.auth.response", "RFC 9051 6.2.2", true);
        imap_set_state(srv, IMAP_SRV_NOT_AUTH);
        imap_sasl_plain(srv, line, tl);
        return;
    }
    command_event(srv, line, len, "imap.idle.done", "RFC 2177 3", false);
    imap_set_state(srv, srv->idle_from);
    if (!retr_ieq(line, tl, "DONE")) {
        imap_bad(srv, "imap.idle.not_done", "RFC 2177 3", "Expected DONE");
        return;
    }
    imap_tagged(srv, "OK", NULL, "imap.idle.ok", "RFC 2177 3", "IDLE terminated");
}

/* line_done - a whole line arrived: finish the command, or start reading a literal */
static void line_done(imap_server *srv)
{
    retr_io *io = &srv->io;
    if (srv->state == IMAP_SRV_SASL || srv->state == IMAP_SRV_IDLE) {
        if (io->line_total > IMAP_LINE_MAX) {
            strcpy(srv->tag, "*");
            imap_respond(srv, RETR_EV_UNTAGGED, "*", "BAD", NULL, "imap.line.too_long",
                         "RFC 9051 2.2", "Line too long");
            srv->errors++;
            imap_set_state(srv, srv->state == IMAP_SRV_SASL ? IMAP_SRV_NOT_AUTH : srv->idle_from);
            return;
        }
        handle_special_line(srv, io->line.p, io->line.len);
        return;
    }
    if (srv->discard || io->line_total > IMAP_LINE_MAX ||
        srv->cmd.len + io->line.len > IMAP_COMMAND_MAX) {
        bool first = !srv->discard;
        srv->discard = false;
        srv->cmd.len = 0;
        if (first) {
            retr_io_event(io, RETR_EV_ERROR, RETR_DIR_NONE, NULL, 0, "imap.line.too_long",
                          "RFC 9051 2.2");
            imap_respond(srv, RETR_EV_UNTAGGED, "*", "BAD", NULL, "imap.line.too_long",
                         "RFC 9051 2.2", "Command line too long");
            srv->errors++;
        }
        return;
    }
    if (retr_buf_append(io, &srv->cmd, io->line.p, io->line.len) < 0)
        return;
    bool sync;
    long n = imap_literal_marker(io->line.p, io->line.len, &sync);
    if (n < 0) {
        handle_command(srv);
        srv->cmd.len = 0;
        return;
    }
    if ((uint64_t)n > IMAP_LITERAL_MAX || srv->cmd.len + (size_t)n > IMAP_COMMAND_MAX ||
        (!sync && n > IMAP_LITERAL_PLUS_MAX)) {
        if (!sync) {
            /* RFC 7888 4: the bytes are coming anyway; the session cannot stay in step */
            imap_bye(srv, "imap.literal.too_big", "RFC 7888 4", "Literal too big");
            return;
        }
        /* the client waits for "+": refuse, and the literal never comes */
        size_t tl = strcspn(srv->cmd.p, " ");
        snprintf(srv->tag, sizeof srv->tag, "%.*s", (int)(tl < IMAP_TAG_MAX ? tl : IMAP_TAG_MAX),
                 srv->cmd.p);
        srv->cmd.len = 0;
        imap_tagged(srv, "BAD", "TOOBIG", "imap.literal.too_big", "RFC 9051 7.1",
                    "Literal too big");
        return;
    }
    srv->literal_left = (size_t)n;
    if (sync)
        imap_continuation(srv, "imap.literal.continue", "RFC 9051 4.3", "Ready for literal data");
}

/* ---- public API ------------------------------------------------------------------------------ */

void imap_server_config_default(imap_server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->hostname = "localhost";
    cfg->timeout_ms = IMAP_TIMEOUT_MS;
}

static void greeting(imap_server *srv)
{
    char caps[200], text[IMAP_NAME_MAX + 40];
    imap_set_state(srv, IMAP_SRV_NOT_AUTH);
    imap_capabilities(srv, caps, sizeof caps);
    snprintf(text, sizeof text, "%s IMAP server ready", srv->hostname);
    /* RFC 9051 7.1.1: the greeting may carry the capabilities, saving a round trip */
    imap_respond(srv, RETR_EV_RESPONSE, "*", "OK", caps, "imap.greeting", "RFC 9051 7.1.1", text);
}

imap_server *imap_server_new(const imap_server_config *cfg, bool implicit_tls, uint64_t now_ms)
{
    imap_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return NULL;
    srv->cfg = *cfg;
    if (!srv->cfg.timeout_ms)
        srv->cfg.timeout_ms = IMAP_TIMEOUT_MS;
    retr_io_init(&srv->io, now_ms);
    srv->state = IMAP_SRV_GREETING;
    snprintf(srv->hostname, sizeof srv->hostname, "%s", cfg->hostname ? cfg->hostname : "");
    for (char *ch = srv->hostname; *ch; ch++)
        if (*ch <= ' ' || *ch > '~' || *ch == '[' || *ch == ']')
            *ch = '?';
    if (!srv->hostname[0] || strlen(srv->hostname) > 100)
        strcpy(srv->hostname, "localhost");
    srv->cfg.hostname = srv->hostname;
    strcpy(srv->tag, "*");
    if (!implicit_tls)
        greeting(srv);
    if (srv->io.oom) {
        imap_server_free(srv);
        return NULL;
    }
    return srv;
}

void imap_server_free(imap_server *srv)
{
    if (!srv)
        return;
    release_mailbox(srv);
    free(srv->view);
    free(srv->cmd.p);
    free(srv->scratch.p);
    retr_io_free(&srv->io);
    free(srv);
}

int imap_server_feed(imap_server *srv, const void *bytes, size_t len, uint64_t now_ms)
{
    retr_io *io = &srv->io;
    retr_io_begin(io, now_ms);
    if (srv->state == IMAP_SRV_LOGOUT)
        return -1;
    if (len == 0)
        return 0;
    srv->io.last_activity = io->now;
    const char *b = bytes;
    size_t i = 0;
    while (i < len && srv->state != IMAP_SRV_LOGOUT && !io->oom) {
        if (srv->state == IMAP_SRV_TLS || srv->state == IMAP_SRV_GREETING) {
            /* RFC 9051 6.2.1 / CVE-2011-0411: nothing before the handshake counts */
            retr_io_event(io, RETR_EV_ERROR, RETR_DIR_C2S, b + i, len - i,
                          "imap.tls.plaintext_discarded", "RFC 9051 6.2.1");
            srv->cmd.len = 0;
            srv->literal_left = 0;
            break;
        }
        if (srv->literal_left) {
            size_t take = len - i < srv->literal_left ? len - i : srv->literal_left;
            retr_buf_append(io, &srv->cmd, b + i, take);
            srv->literal_left -= take;
            i += take;
            continue;
        }
        bool complete;
        i += retr_io_line_take(io, b + i, len - i, IMAP_LINE_MAX + 2, &complete);
        if (!complete || io->oom)
            break;
        if (++srv->commands > IMAP_MAX_COMMANDS) {
            imap_bye(srv, "imap.commands.too_many", "RFC 9051 7.1.5", "Too many commands");
            break;
        }
        line_done(srv);
        retr_io_line_reset(io);
        if (srv->state != IMAP_SRV_LOGOUT && srv->errors >= IMAP_MAX_ERRORS)
            imap_bye(srv, "imap.errors.too_many", "RFC 9051 7.1.5", "Too many errors");
    }
    if (io->oom) {
        io->oom = false;
        if (srv->state != IMAP_SRV_LOGOUT) {
            release_mailbox(srv);
            imap_set_state(srv, IMAP_SRV_LOGOUT);
            retr_io_event(io, RETR_EV_CLOSE, RETR_DIR_NONE, NULL, 0, "imap.out_of_memory", "");
        }
    }
    return 0;
}

void imap_server_tick(imap_server *srv, uint64_t now_ms)
{
    retr_io_begin(&srv->io, now_ms);
    if (srv->state == IMAP_SRV_LOGOUT || srv->io.now < imap_server_deadline(srv))
        return;
    strcpy(srv->verb, "");
    imap_bye(srv, "imap.timeout", "RFC 9051 5.4", "Autologout; idle for too long");
}

uint64_t imap_server_deadline(const imap_server *srv)
{
    if (srv->state == IMAP_SRV_LOGOUT)
        return UINT64_MAX;
    return retr_io_deadline(&srv->io, srv->cfg.timeout_ms);
}

size_t imap_server_output(const imap_server *srv, const char **buf)
{
    return retr_io_output(&srv->io, buf);
}

void imap_server_output_consumed(imap_server *srv, size_t n)
{
    retr_io_output_consumed(&srv->io, n);
}

int imap_server_next_event(imap_server *srv, retr_event *ev)
{
    return retr_io_next_event(&srv->io, ev);
}

/* imap_server_tls_started - after STARTTLS no new greeting (RFC 9051 6.2.1: the client asks
 * CAPABILITY again); after an implicit-TLS handshake (port 993, RFC 8314) the greeting now */
void imap_server_tls_started(imap_server *srv, uint64_t now_ms)
{
    if (!retr_io_tls_up(&srv->io, now_ms,
                        srv->state == IMAP_SRV_TLS || srv->state == IMAP_SRV_GREETING))
        return;
    srv->cmd.len = 0;
    srv->literal_left = 0;
    if (srv->state == IMAP_SRV_GREETING)
        greeting(srv);
    else
        imap_set_state(srv, IMAP_SRV_NOT_AUTH);
}

void imap_server_mailbox_changed(imap_server *srv, uint64_t now_ms)
{
    retr_io_begin(&srv->io, now_ms);
    if (srv->state == IMAP_SRV_IDLE) {
        strcpy(srv->verb, "IDLE");
        imap_sync_view(srv, true); /* RFC 2177 3: the point of IDLE */
    }
}

imap_server_state imap_server_state_get(const imap_server *srv)
{
    return srv->state;
}

const char *imap_server_state_name(imap_server_state st)
{
    switch (st) {
    case IMAP_SRV_GREETING: return "connected, waiting for TLS";
    case IMAP_SRV_NOT_AUTH: return "not authenticated";
    case IMAP_SRV_SASL: return "AUTHENTICATE exchange";
    case IMAP_SRV_TLS: return "TLS handshake";
    case IMAP_SRV_AUTH: return "authenticated";
    case IMAP_SRV_SELECTED: return "INBOX selected";
    case IMAP_SRV_IDLE: return "IDLE (push)";
    case IMAP_SRV_LOGOUT: return "logged out";
    }
    return "unknown";
}

bool imap_server_done(const imap_server *srv)
{
    const char *b;
    return srv->state == IMAP_SRV_LOGOUT && retr_io_output(&srv->io, &b) == 0;
}

const char *imap_server_user(const imap_server *srv)
{
    return srv->state == IMAP_SRV_AUTH || srv->state == IMAP_SRV_SELECTED ||
                   srv->state == IMAP_SRV_IDLE
               ? srv->user
               : NULL;
}
