/* smtp_server.c - the sans-I/O SMTP server engine: one session, any role (MX, MSA, MTA).
 *
 * Bytes come in through smtp_server_feed; replies leave through an output buffer the driver
 * drains; everything that happens is reported as an smtp_event. The shape follows OpenSMTPD's
 * smtp_session.c: limits and states at the top (smtp_server_internal.h), a command table whose
 * rows pair a check_* function (validates, replies on error) with a proceed_* function (acts,
 * replies on success) in smtp_server_cmd.c, every state change through srv_set_state() and
 * every reply through the reply funnel here, from the reply table (smtp_server_reply.c).
 *
 * This file is the session itself: buffers, events, the two funnels, the input loop, the pause
 * and resume of policy hooks, and the public API.
 *
 * Costs: no allocation per command or event in steady state. Buffers (output, event queue,
 * event bytes arena, message content, recipients) grow by doubling and are reused; the event
 * arena is rewound at the start of a call once the driver has drained the queue. Message data
 * is scanned once, with memchr, for CR and LF (so CRLF.CRLF detection is O(n) however the
 * bytes are split across feeds).
 *
 * Choices worth knowing (see README "SMTP server engine"):
 * - Enhanced status codes (RFC 2034) go on every 2xx/4xx/5xx reply except the greeting and
 *   the replies to HELO/EHLO, whether the client said EHLO or HELO (RFC 2034 4 asks for this).
 * - Command lines must end in CRLF; a bare LF ends the line but the command is refused with
 *   500 5.5.2 (RFC 5321 2.3.8). In DATA, a bare LF or CR never ends anything: the message is
 *   rejected at its end with 550 5.6.0 (defence against SMTP smuggling).
 * - Bytes pipelined behind STARTTLS in the same feed are discarded (CVE-2011-0411).
 * - The engine never aborts or prints: its own errors are sticky (smtp_server_last_error).
 */
#include "core/smtp/smtp_server.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/smtp/smtp_command.h"
#include "core/smtp/smtp_reply.h"
#include "core/smtp/smtp_server_internal.h"

_Static_assert(sizeof(((smtp_event *)0)->verb) == SMTP_VERB_MAX + 1, "verb sizes agree");

/* ---- small buffers ----------------------------------------------------------------------- */

/* srv_fail - remember the first internal error; later ones do not replace it. */
void srv_fail(smtp_server *srv, smtp_server_error err)
{
    if (srv->error == SMTP_SERVER_OK)
        srv->error = err;
}

/* srv_grow_block - a bigger block for an array that may still be inline: realloc on the heap,
 * or malloc and copy out of the session. NULL (session marked out of memory) on failure. */
void *srv_grow_block(smtp_server *srv, void *p, size_t old_bytes, size_t new_bytes, bool heap)
{
    void *q = heap ? realloc(p, new_bytes) : malloc(new_bytes);
    if (!q) {
        srv->oom = true;
        srv_fail(srv, SMTP_SERVER_ERR_NO_MEMORY);
        return NULL;
    }
    if (!heap && old_bytes)
        memcpy(q, p, old_bytes);
    return q;
}

/* sbuf_reserve - room for n more bytes; -1 (and the session marked out of memory) if none. */
static int sbuf_reserve(smtp_server *srv, membuf *b, size_t n)
{
    if (membuf_reserve(b, n) < 0) {
        srv->oom = true;
        return -1;
    }
    return 0;
}

/* srv_sbuf_append - append n bytes, growing the buffer; -1 when out of memory */
int srv_sbuf_append(smtp_server *srv, membuf *b, const void *bytes, size_t n)
{
    if (membuf_append(b, bytes, n) < 0) {
        srv->oom = true;
        return -1;
    }
    return 0;
}

/* ---- events ------------------------------------------------------------------------------- */

/* srv_ev_push - queue an event; bytes are copied into the arena. Returns the slot's event,
 * valid until the next push, or NULL when out of memory. */
smtp_event *srv_ev_push(smtp_server *srv, smtp_event_kind kind, smtp_dir dir, const char *bytes,
                        size_t len, const char *key, const char *rfc)
{
    if (srv->ev_head + srv->ev_count == srv->ev_cap) {
        size_t cap = srv->ev_cap * 2;
        ev_slot *q = srv_grow_block(srv, srv->evq, srv->ev_cap * sizeof *q, cap * sizeof *q,
                                    srv->evq_heap);
        if (!q)
            return NULL;
        srv->evq = q;
        srv->ev_cap = cap;
        srv->evq_heap = true;
    }
    size_t off = srv->arena.len;
    if (bytes && srv_sbuf_append(srv, &srv->arena, bytes, len) < 0)
        return NULL;
    ev_slot *s = &srv->evq[srv->ev_head + srv->ev_count++];
    smtp_event *ev = &s->ev;
    s->off = bytes ? off : (size_t)-1;
    ev->kind = kind;
    ev->dir = dir;
    ev->bytes = NULL;
    ev->len = bytes ? len : 0;
    ev->verb[0] = '\0';
    ev->code = 0;
    ev->esc[0] = '\0';
    ev->rfc = rfc ? rfc : "";
    ev->key = key ? key : "";
    ev->state_from = ev->state_to = 0;
    ev->rcpt_index = -1;
    ev->time_ms = srv->now;
    return ev;
}

/* srv_ev_error - report a protocol problem noticed (SMTP_EV_ERROR) */
void srv_ev_error(smtp_server *srv, const char *key, const char *rfc, const char *bytes,
                  size_t len)
{
    smtp_event *ev = srv_ev_push(srv, SMTP_EV_ERROR, SMTP_DIR_NONE, bytes, len, key, rfc);
    if (ev)
        memcpy(ev->verb, srv->verb, sizeof ev->verb);
}

/* begin_call - a public entry point starts: rewind the arena once the queue is drained. */
static void begin_call(smtp_server *srv, uint64_t now_ms)
{
    if (now_ms > srv->now)
        srv->now = now_ms;
    if (srv->ev_count == 0) {
        srv->ev_head = 0;
        srv->arena.len = 0;
    }
}

/* ---- the state funnel ------------------------------------------------------------------- */

/* state_key - explain key of a state ("state.rcpt") */
static const char *state_key(smtp_server_state st)
{
    switch (st) {
    case SMTP_SRV_GREETING: return "state.greeting";
    case SMTP_SRV_READY: return "state.ready";
    case SMTP_SRV_IDLE: return "state.idle";
    case SMTP_SRV_MAIL: return "state.mail";
    case SMTP_SRV_RCPT: return "state.rcpt";
    case SMTP_SRV_DATA: return "state.data";
    case SMTP_SRV_AUTH: return "state.auth";
    case SMTP_SRV_TLS: return "state.tls";
    case SMTP_SRV_CLOSED: return "state.closed";
    }
    return "state.unknown";
}

/* srv_set_state - every transition goes through here and becomes an SMTP_EV_STATE. */
void srv_set_state(smtp_server *srv, smtp_server_state to)
{
    if (srv->state == to)
        return;
    smtp_event *ev = srv_ev_push(srv, SMTP_EV_STATE, SMTP_DIR_NONE, NULL, 0, state_key(to),
                                 "RFC 5321 4.1.4");
    if (ev) {
        ev->state_from = (int)srv->state;
        ev->state_to = (int)to;
    }
    srv->state = to;
}

/* srv_idle_state - where the session rests between transactions. */
smtp_server_state srv_idle_state(const smtp_server *srv)
{
    return srv->greeted ? SMTP_SRV_IDLE : SMTP_SRV_READY;
}

/* ---- the reply funnel ------------------------------------------------------------------- */

/* emit - every reply goes through here: formatted, queued for output, reported. The enhanced
 * code is dropped when the extension is off. A reply our own code got wrong (a bug, never the
 * peer's fault) is refused by the formatter; it becomes a sticky error and 451 4.3.0 goes out
 * instead, so no malformed bytes reach the wire. count: a 4xx/5xx (other than our own 421) is
 * a client error toward the soft and hard error limits (RFC 5321 7.8). */
static void emit(smtp_server *srv, reply_id id, int code, const char *esc,
                 const char *const *lines, size_t n, bool count)
{
    const smtp_server_reply_info *row = srv_reply_row(id);
    if (!srv->cfg.enhancedstatuscodes)
        esc = "";
    /* an upper bound is enough: every line is at most SMTP_REPLY_LINE_MAX octets */
    size_t need = n * SMTP_REPLY_LINE_MAX;
    if (sbuf_reserve(srv, &srv->out, need) < 0)
        return;
    long w = smtp_reply_format(srv->out.data + srv->out.len, need, code, esc, lines, n);
    if (w < 0) {
        srv_fail(srv, SMTP_SERVER_ERR_BAD_REPLY);
        if (id != R_INTERNAL_ERROR)
            srv_reply(srv, R_INTERNAL_ERROR);
        return;
    }
    const char *bytes = srv->out.data + srv->out.len;
    srv->out.len += (size_t)w;
    smtp_event *ev = srv_ev_push(srv, SMTP_EV_REPLY, SMTP_DIR_S2C, bytes, (size_t)w, row->key,
                                 row->rfc);
    if (ev) {
        ev->code = code;
        str_copy(ev->esc, sizeof ev->esc, esc, strlen(esc));
        memcpy(ev->verb, srv->verb, sizeof ev->verb);
    }
    if (count && code >= 400 && code != 421)
        srv->errors++;
}

/* srv_reply_lines - a reply of the table with run-time lines (EHLO, HELP) */
void srv_reply_lines(smtp_server *srv, reply_id id, const char *const *lines, size_t n)
{
    const smtp_server_reply_info *row = srv_reply_row(id);
    emit(srv, id, row->code, row->esc, lines, n, true);
}

/* srv_reply_text - a reply of the table with a run-time text (host name) */
void srv_reply_text(smtp_server *srv, reply_id id, const char *text)
{
    srv_reply_lines(srv, id, &text, 1);
}

/* srv_reply - a reply exactly as its row says */
void srv_reply(smtp_server *srv, reply_id id)
{
    const smtp_server_reply_info *row = srv_reply_row(id);
    const char *text = row->text ? row->text : "";
    emit(srv, id, row->code, row->esc, &text, 1, true);
}

/* srv_reply_uncounted - a refusal that is not the client's fault (452 past the recipient
 * limit, RFC 5321 4.5.3.1.10): not counted toward the error limits. */
void srv_reply_uncounted(smtp_server *srv, reply_id id)
{
    const smtp_server_reply_info *row = srv_reply_row(id);
    const char *text = row->text ? row->text : "";
    emit(srv, id, row->code, row->esc, &text, 1, false);
}

/* srv_reply_verdict - a policy hook said no: its code, enhanced code and text under the row's
 * key and RFC, after checking it is a real refusal. A driver bug must not put bytes on the
 * wire that break the protocol: a bad verdict becomes a sticky error and 451 4.3.0. */
void srv_reply_verdict(smtp_server *srv, reply_id id, const smtp_verdict *v)
{
    char text[sizeof v->text];
    str_copy(text, sizeof text, v->text, strnlen(v->text, sizeof v->text));
    const char *esc = v->esc;
    if (strnlen(v->esc, sizeof v->esc) == sizeof v->esc)
        esc = "";
    if (!smtp_reply_code_valid(v->code) || v->code < 400 ||
        !smtp_reply_text_valid(text, strlen(text)) || !smtp_reply_esc_valid(v->code, esc)) {
        srv_fail(srv, SMTP_SERVER_ERR_BAD_VERDICT);
        srv_ev_error(srv, "policy.bad_verdict", "RFC 5321 4.2", NULL, 0);
        srv_reply(srv, R_BAD_VERDICT);
        return;
    }
    const char *line = text[0] ? text : srv_reply_row(id)->text;
    emit(srv, id, v->code, esc, &line, 1, true);
}

/* srv_close_session - after a 221 or 421: no more input, the driver closes after flushing. */
void srv_close_session(smtp_server *srv)
{
    srv->paused = PAUSE_NONE;
    srv_set_state(srv, SMTP_SRV_CLOSED);
    srv_ev_push(srv, SMTP_EV_CLOSE, SMTP_DIR_NONE, NULL, 0, "session.close", "RFC 5321 3.8");
}

/* ---- envelope ------------------------------------------------------------------------------ */

/* srv_env_sync - point the public envelope at the current transaction. O(1) amortised:
 * recipient pointers are rebuilt only when their storage moved. */
void srv_env_sync(smtp_server *srv)
{
    smtp_envelope *e = &srv->env;
    if (srv->ptr_base != srv->rcpt_store.data) {
        srv->ptr_base = srv->rcpt_store.data;
        srv->ptr_built = 0;
    }
    for (; srv->ptr_built < srv->n_rcpts; srv->ptr_built++) {
        const char *a = srv->rcpt_store.data + srv->rcpt_off[srv->ptr_built];
        srv->rcpt_ptr[srv->ptr_built] = a;
        srv->notify_ptr[srv->ptr_built] = a + strlen(a) + 1;
    }
    e->peer = &srv->peer;
    e->helo = srv->helo;
    e->esmtp = srv->esmtp;
    e->tls = srv->tls;
    e->auth_user = srv->authed ? srv->auth_user : NULL;
    e->mail_from = srv->mail_from;
    e->declared_size = srv->declared_size;
    e->body = srv->body;
    e->smtputf8 = srv->smtputf8;
    e->dsn_ret = srv->dsn_ret;
    e->dsn_envid = srv->dsn_envid;
    e->rcpts = srv->rcpt_ptr;
    e->rcpt_notify = srv->notify_ptr;
    e->n_rcpts = srv->n_rcpts;
    e->data = srv->data.data ? srv->data.data : "";
    e->data_len = srv->data.len;
}

/* srv_reset_transaction - RSET, HELO/EHLO, end of DATA, STARTTLS (RFC 5321 4.1.1.5). */
void srv_reset_transaction(smtp_server *srv)
{
    srv->in_mail = false;
    srv->smtputf8 = false;
    srv->mail_from[0] = '\0';
    srv->declared_size = 0;
    srv->body[0] = '\0';
    srv->dsn_ret[0] = '\0';
    srv->dsn_envid[0] = '\0';
    srv->rcpt_store.len = 0;
    srv->n_rcpts = 0;
    srv->ptr_built = 0;
    srv->data.len = 0;
}

/* ---- input ----------------------------------------------------------------------------------- */

/* may_hold_secret - could these client bytes carry AUTH credentials? (an AUTH command or a
 * SASL response anywhere in them). Used to keep passwords out of events. */
static bool may_hold_secret(const char *b, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++)
        if (smtp_ieq(b + i, 4, "AUTH"))
            return true;
    return false;
}

/* starts_auth - does a line begin with "AUTH " (any case)? Its first bytes are p[0..pn) and
 * then q[0..qn) (a line may be split between the stored part and new bytes). */
static bool starts_auth(const char *p, size_t pn, const char *q, size_t qn)
{
    char w[5];
    for (size_t i = 0; i < sizeof w; i++) {
        if (i < pn)
            w[i] = p[i];
        else if (i - pn < qn)
            w[i] = q[i - pn];
        else
            return false;
    }
    return smtp_ieq(w, sizeof w, "AUTH ");
}

/* auth_line_limit - octets allowed in an AUTH response line (RFC 4954 4), never fewer than in
 * a command line. */
static size_t auth_line_limit(const smtp_server *srv)
{
    uint64_t a = srv->cfg.limits.value[SMTP_LIMIT_AUTH_LINE];
    uint64_t c = srv->cfg.limits.value[SMTP_LIMIT_COMMAND_LINE];
    return (size_t)(a > c ? a : c);
}

/* discard_event - bytes thrown away (behind STARTTLS, or during the handshake). */
static void discard_event(smtp_server *srv, const char *b, size_t n)
{
    static const char hidden[] = "<discarded bytes hidden: they may hold credentials>";
    if (!srv->cfg.show_secrets && may_hold_secret(b, n))
        srv_ev_error(srv, "starttls.discarded", "RFC 3207 4.2", hidden, sizeof hidden - 1);
    else
        srv_ev_error(srv, "starttls.discarded", "RFC 3207 4.2", b, n);
}

/* command_event - report the command line; AUTH credentials are hidden unless allowed. */
static void command_event(smtp_server *srv, const smtp_command *cmd, const char *line,
                          size_t len)
{
    const char *key = srv_command_key(cmd->id);
    const char *rfc = srv_command_rfc(cmd->id);
    smtp_event *ev;
    size_t ml = 0;
    if (cmd->id == SMTP_CMD_AUTH)
        while (ml < cmd->arg_len && cmd->arg[ml] != ' ')
            ml++;
    if (cmd->id == SMTP_CMD_AUTH && ml < cmd->arg_len && !srv->cfg.show_secrets) {
        /* "AUTH PLAIN <credentials hidden>": the wire is unchanged, only the report */
        char tmp[64];
        size_t pre = (size_t)(cmd->arg - line) + ml + 1;
        if (pre > 30)
            pre = 30;
        memcpy(tmp, line, pre);
        memcpy(tmp + pre, HIDDEN "\r\n", sizeof HIDDEN + 1);
        ev = srv_ev_push(srv, SMTP_EV_COMMAND, SMTP_DIR_C2S, tmp, pre + sizeof HIDDEN + 1, key,
                         rfc);
    } else {
        ev = srv_ev_push(srv, SMTP_EV_COMMAND, SMTP_DIR_C2S, line, len, key, rfc);
    }
    if (ev)
        str_copy(ev->verb, sizeof ev->verb, cmd->verb, strlen(cmd->verb));
}

/* error_limits - after each reply to a client command: the soft and hard error limits. */
static void error_limits(smtp_server *srv)
{
    if (srv->state == SMTP_SRV_CLOSED)
        return;
    if (!srv->soft_flagged && srv->errors >= srv->cfg.limits.value[SMTP_LIMIT_SOFT_ERRORS]) {
        srv->soft_flagged = true;
        /* RFC 5321 7.8 lets a server defend itself; the numbers are server policy */
        srv_ev_error(srv, "errors.soft_limit", "RFC 5321 7.8", NULL, 0);
    }
    if (srv->errors >= srv->cfg.limits.value[SMTP_LIMIT_HARD_ERRORS]) {
        srv_reply(srv, R_HARD_ERRORS);
        srv_close_session(srv);
    }
}

/* handle_line - one complete line: wire bytes (with CRLF or bare LF) in srv->line. A hook
 * that answers pending leaves the session paused, the error limits are then checked on
 * resume (the reply that counts has not been sent yet). */
static void handle_line(smtp_server *srv)
{
    const char *line = srv->line;
    size_t stored = srv->line_len; /* bytes kept (may be fewer than line_total) */
    size_t total = srv->line_total;
    bool auth = srv->state == SMTP_SRV_AUTH;
    bool auth_cmd = !auth && starts_auth(line, stored, NULL, 0);
    smtp_command cmd;

    srv->verb[0] = '\0';
    /* RFC 4954 4: SASL responses (after a 334, or as the AUTH command's initial response) get
     * the longer auth_line limit; every other line the 512-octet command line limit. */
    size_t limit = auth || auth_cmd ? auth_line_limit(srv)
                                    : (size_t)srv->cfg.limits.value[SMTP_LIMIT_COMMAND_LINE];
    if (total > limit) {
        /* RFC 5321 4.5.3.1.4 and 4.5.3.1.9: answered, never fatal. The event shows the start
         * of the line, unless it could be credentials. */
        size_t show = stored < 64 ? stored : 64;
        if (!srv->cfg.show_secrets && (auth || may_hold_secret(line, stored)))
            show = 0;
        srv_ev_error(srv, "line.too_long", "RFC 5321 4.5.3.1.4", show ? line : NULL, show);
        if (auth || auth_cmd) {
            /* RFC 4954 4: the AUTH command fails with 500, 5.5.6 */
            if (auth_cmd)
                strcpy(srv->verb, "AUTH");
            srv_auth_abort(srv, R_AUTH_LINE_TOO_LONG);
        } else {
            srv_reply(srv, R_LINE_TOO_LONG);
        }
        error_limits(srv);
        return;
    }
    bool crlf = stored >= 2 && line[stored - 2] == '\r';
    size_t len = crlf ? stored - 2 : stored - 1; /* without the line end */
    if (auth) {
        strcpy(srv->verb, "AUTH");
        bool secret = srv->auth_mech == MECH_PLAIN || srv->auth_step == 2;
        if (secret && !srv->cfg.show_secrets)
            srv_ev_push(srv, SMTP_EV_COMMAND, SMTP_DIR_C2S, HIDDEN "\r\n", sizeof HIDDEN + 1,
                        "auth.response", "RFC 4954 4");
        else
            srv_ev_push(srv, SMTP_EV_COMMAND, SMTP_DIR_C2S, line, stored, "auth.response",
                        "RFC 4954 4");
        if (!crlf)
            srv_auth_abort(srv, R_AUTH_BARE_LF);
        else
            srv_auth_response(srv, line, len);
        error_limits(srv);
        return;
    }
    smtp_command_parse(line, len, &cmd);
    str_copy(srv->verb, sizeof srv->verb, cmd.verb, strlen(cmd.verb));
    command_event(srv, &cmd, line, stored);
    if (!crlf) {
        /* RFC 5321 2.3.8: CR and LF only ever appear together as a line end */
        srv_reply(srv, R_BARE_LF);
    } else if (cmd.id == SMTP_CMD_UNKNOWN) {
        srv_reply(srv, len == 0 ? R_EMPTY : R_UNKNOWN);
    } else if (srv_dispatch(srv, &cmd) == CHECK_PENDING) {
        return;
    }
    error_limits(srv);
}

/* process - run input bytes through the session until they are used up, the session closes,
 * or a hook pauses it. Returns the bytes used; the caller holds the rest while paused. */
static size_t process(smtp_server *srv, const char *b, size_t len)
{
    size_t i = 0;
    while (i < len && srv->state != SMTP_SRV_CLOSED && !srv->oom && !srv->paused) {
        if (srv->state == SMTP_SRV_TLS) {
            /* CVE-2011-0411: commands pipelined behind STARTTLS must not survive it */
            discard_event(srv, b + i, len - i);
            return len;
        }
        if (srv->state == SMTP_SRV_DATA) {
            bool ended;
            size_t used = srv_data_scan(srv, b + i, len - i, &ended);
            smtp_event *ev = srv_ev_push(srv, SMTP_EV_DATA, SMTP_DIR_C2S, b + i, used,
                                         "data.content", "RFC 5321 4.1.1.4");
            if (ev)
                strcpy(ev->verb, "DATA");
            i += used;
            /* the end of a message is not followed by the error limits: the next command
             * line checks them */
            if (ended)
                srv_finish_message(srv);
            continue;
        }
        const char *lf = memchr(b + i, '\n', len - i);
        size_t chunk = lf ? (size_t)(lf - (b + i)) + 1 : len - i;
        size_t room = srv->line_cap - srv->line_len;
        if (chunk > room && srv->line_len == srv->line_total &&
            (srv->state == SMTP_SRV_AUTH || starts_auth(srv->line, srv->line_len, b + i, chunk)) &&
            srv->line_cap < auth_line_limit(srv)) {
            /* an AUTH line may be longer than a command (RFC 4954 4): the buffer grows once,
             * to the auth_line limit, and is kept for the session */
            size_t cap = auth_line_limit(srv);
            char *p = srv_grow_block(srv, srv->line, srv->line_len, cap,
                                     srv->line != srv->line_inline);
            if (!p)
                break; /* srv->oom is set: the session closes */
            srv->line = p;
            srv->line_cap = cap;
            room = cap - srv->line_len;
        }
        size_t keep = chunk < room ? chunk : room;
        memcpy(srv->line + srv->line_len, b + i, keep);
        srv->line_len += keep;
        srv->line_total += chunk;
        i += chunk;
        if (!lf)
            break;
        if (keep < chunk) {
            /* make sure the kept bytes still end in the line end the parser looks at */
            srv->line[srv->line_len - 1] = '\n';
        }
        handle_line(srv);
        srv->line_len = srv->line_total = 0;
    }
    return i;
}

/* hold - keep input that arrived while paused, up to SMTP_SERVER_HOLD_MAX octets. */
static void hold(smtp_server *srv, const char *b, size_t n)
{
    size_t room = SMTP_SERVER_HOLD_MAX - srv->held.len;
    if (n > room) {
        n = room;
        srv->held_overflow = true;
        srv_fail(srv, SMTP_SERVER_ERR_HOLD_OVERFLOW);
    }
    srv_sbuf_append(srv, &srv->held, b, n);
}

/* out_of_memory - a buffer could not grow: replies may be missing, so the session cannot go
 * on correctly. It is closed (the state funnel still reports it if an event fits). */
static void out_of_memory(smtp_server *srv)
{
    if (srv->state != SMTP_SRV_CLOSED)
        srv_close_session(srv);
}

/* ---- public API -------------------------------------------------------------------------- */

/* smtp_server_config_default - a role's usual settings (see smtp_server.h) */
void smtp_server_config_default(smtp_server_config *cfg, smtp_role role)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->role = role;
    smtp_limits_default(&cfg->limits);
    cfg->tls_available = true;
    cfg->pipelining = cfg->eightbitmime = cfg->smtputf8 = cfg->dsn = true;
    cfg->enhancedstatuscodes = true;
    cfg->allow_plain_auth = false;
    cfg->require_auth = role == SMTP_ROLE_MSA;
    cfg->require_tls = false;
}

/* greeting - the 220 (RFC 5321 3.1); no enhanced code on the greeting (RFC 2034 4). */
static void greeting(smtp_server *srv)
{
    char text[NAME_MAX_LEN + 32];
    size_t hl = strlen(srv->hostname);
    memcpy(text, srv->hostname, hl);
    memcpy(text + hl, " ESMTP smtpsim", sizeof " ESMTP smtpsim");
    srv->verb[0] = '\0';
    srv_reply_text(srv, R_GREETING, text);
    srv_set_state(srv, SMTP_SRV_READY);
}

/* smtp_server_new - a connected session; the greeting is queued unless TLS comes first */
smtp_server *smtp_server_new(const smtp_server_config *cfg, const smtp_peer *peer, uint64_t now_ms)
{
    /* zero the small members only: the tail is buffers that are written before being read */
    smtp_server *srv = malloc(sizeof *srv);
    if (!srv)
        return NULL;
    memset(srv, 0, offsetof(smtp_server, ps));
    memset(&srv->ps, 0, sizeof srv->ps);
    srv->mail_from[0] = srv->helo[0] = srv->auth_user[0] = srv->login_user[0] = '\0';
    srv->dsn_envid[0] = '\0';
    membuf_init_inline(&srv->out, srv->out_inline, sizeof srv->out_inline);
    membuf_init_inline(&srv->arena, srv->arena_inline, sizeof srv->arena_inline);
    membuf_init_inline(&srv->data, srv->data_inline, sizeof srv->data_inline);
    membuf_init_inline(&srv->rcpt_store, srv->store_inline, sizeof srv->store_inline);
    membuf_init(&srv->held);
    srv->out.max = srv->arena.max = srv->data.max = srv->rcpt_store.max = SIZE_MAX;
    srv->held.max = SIZE_MAX;
    srv->evq = srv->evq_inline;
    srv->ev_cap = EVQ_INIT;
    srv->rcpt_off = srv->rcpt_off_inline;
    srv->rcpt_ptr = srv->rcpt_ptr_inline;
    srv->notify_ptr = srv->notify_ptr_inline;
    srv->rcpt_cap = RCPT_INIT;
    srv->cfg = *cfg;
    if (peer)
        srv->peer = *peer;
    srv->peer.addr[sizeof srv->peer.addr - 1] = '\0';
    srv->peer.name[sizeof srv->peer.name - 1] = '\0';
    srv->now = srv->last_activity = now_ms;
    srv->state = SMTP_SRV_GREETING;
    /* the host name goes into replies: keep only what a reply may carry */
    const char *h = cfg->hostname ? cfg->hostname : "localhost";
    size_t hl = strlen(h);
    str_copy(srv->hostname, sizeof srv->hostname, h, hl);
    for (char *c = srv->hostname; *c; c++)
        if (*c <= ' ' || *c > '~')
            *c = '?';
    if (!srv->hostname[0])
        strcpy(srv->hostname, "localhost");
    uint64_t cl = cfg->limits.value[SMTP_LIMIT_COMMAND_LINE];
    srv->line_cap = (size_t)(cl < 512 ? 512 : cl);
    srv->line = srv->line_cap <= sizeof srv->line_inline ? srv->line_inline : malloc(srv->line_cap);
    if (!srv->line) {
        free(srv);
        return NULL;
    }
    if (!srv->peer.implicit_tls)
        greeting(srv);
    srv_env_sync(srv);
    return srv;
}

/* smtp_server_free - release the session and any buffer that moved to the heap */
void smtp_server_free(smtp_server *srv)
{
    if (!srv)
        return;
    if (srv->line != srv->line_inline)
        free(srv->line);
    membuf *bufs[] = {&srv->out, &srv->arena, &srv->data, &srv->rcpt_store, &srv->held};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        membuf_free(bufs[i]);
    if (srv->evq_heap)
        free(srv->evq);
    if (srv->rcpt_heap) {
        free(srv->rcpt_off);
        free(srv->rcpt_ptr);
        free(srv->notify_ptr);
    }
    free(srv);
}

/* smtp_server_feed - bytes from the client: command lines, AUTH responses or message data;
 * held as they are while a hook is pending */
int smtp_server_feed(smtp_server *srv, const void *bytes, size_t len, uint64_t now_ms)
{
    begin_call(srv, now_ms);
    if (srv->state == SMTP_SRV_CLOSED)
        return -1;
    if (len == 0)
        return 0;
    srv->last_activity = srv->now;
    const char *b = bytes;
    if (srv->paused) {
        hold(srv, b, len);
        if (srv->oom)
            out_of_memory(srv);
        return 0;
    }
    if (srv->state == SMTP_SRV_TLS || srv->state == SMTP_SRV_GREETING) {
        /* TLS handshake bytes belong to the driver; anything here is stray plaintext */
        discard_event(srv, b, len);
        return 0;
    }
    size_t used = process(srv, b, len);
    if (srv->paused && used < len)
        hold(srv, b + used, len - used);
    if (srv->oom)
        out_of_memory(srv);
    return 0;
}

/* smtp_server_paused - waiting for smtp_server_resume */
bool smtp_server_paused(const smtp_server *srv)
{
    return srv->paused != PAUSE_NONE;
}

/* smtp_server_resume - the pending hook's final verdict: answer as if it had come at once,
 * then go on with the input held meanwhile (which may pause the session again). */
int smtp_server_resume(smtp_server *srv, const smtp_verdict *v, uint64_t now_ms)
{
    begin_call(srv, now_ms);
    if (!srv->paused || srv->state == SMTP_SRV_CLOSED || v->code == SMTP_VERDICT_PENDING)
        return -1;
    pause_kind k = srv->paused;
    srv->paused = PAUSE_NONE;
    /* the client has been waiting for us: its silence starts counting from our answer */
    srv->last_activity = srv->now;
    if (k == PAUSE_ACCEPT) {
        srv_resume_accept(srv, v);
    } else {
        if (k == PAUSE_MAIL)
            srv_resume_mail(srv, v);
        else
            srv_resume_rcpt(srv, v);
        error_limits(srv); /* as handle_line does after every command */
    }
    if (srv->held_overflow && srv->state != SMTP_SRV_CLOSED) {
        /* some of the client's input was dropped: what is held cannot be parsed safely */
        srv->verb[0] = '\0';
        srv_reply(srv, R_INPUT_OVERFLOW);
        srv_close_session(srv);
    }
    /* the held bytes are taken out first: a new pause holds what is left of them again */
    size_t off = 0;
    while (off < srv->held.len && !srv->paused && srv->state != SMTP_SRV_CLOSED && !srv->oom) {
        off += process(srv, srv->held.data + off, srv->held.len - off);
    }
    if (srv->state == SMTP_SRV_CLOSED)
        off = srv->held.len;
    if (off) {
        memmove(srv->held.data, srv->held.data + off, srv->held.len - off);
        srv->held.len -= off;
    }
    if (srv->oom)
        out_of_memory(srv);
    return 0;
}

/* smtp_server_tick - time passes; past the deadline: 421 4.4.2 and close */
void smtp_server_tick(smtp_server *srv, uint64_t now_ms)
{
    begin_call(srv, now_ms);
    if (srv->state == SMTP_SRV_CLOSED)
        return;
    if (srv->now >= smtp_server_deadline(srv)) {
        /* RFC 5321 4.5.3.2.7: the server may close a silent session */
        srv->verb[0] = '\0';
        srv_reply(srv, R_TIMEOUT);
        srv_close_session(srv);
    }
}

/* smtp_server_deadline - when the client's silence times out; none while a hook is pending
 * (the client waits for us then) */
uint64_t smtp_server_deadline(const smtp_server *srv)
{
    if (srv->state == SMTP_SRV_CLOSED || srv->paused)
        return UINT64_MAX;
    smtp_limit_id id =
        srv->state == SMTP_SRV_DATA ? SMTP_LIMIT_TIMEOUT_DATA : SMTP_LIMIT_TIMEOUT_COMMAND;
    uint64_t t = srv->cfg.limits.value[id];
    if (srv->last_activity > UINT64_MAX - t)
        return UINT64_MAX;
    return srv->last_activity + t;
}

/* smtp_server_output - what the driver should send next */
size_t smtp_server_output(const smtp_server *srv, const char **buf)
{
    *buf = srv->out.data ? srv->out.data + srv->out_start : "";
    return srv->out.len - srv->out_start;
}

/* smtp_server_output_consumed - the driver sent n bytes; compact now and then */
void smtp_server_output_consumed(smtp_server *srv, size_t n)
{
    size_t pending = srv->out.len - srv->out_start;
    if (n > pending)
        n = pending;
    srv->out_start += n;
    if (srv->out_start == srv->out.len) {
        srv->out_start = srv->out.len = 0;
    } else if (srv->out_start > srv->out.cap / 2) {
        memmove(srv->out.data, srv->out.data + srv->out_start, srv->out.len - srv->out_start);
        srv->out.len -= srv->out_start;
        srv->out_start = 0;
    }
}

/* smtp_server_next_event - pop the oldest event; its bytes point into the arena */
int smtp_server_next_event(smtp_server *srv, smtp_event *ev)
{
    if (srv->ev_count == 0)
        return 0;
    ev_slot *s = &srv->evq[srv->ev_head++];
    srv->ev_count--;
    *ev = s->ev;
    ev->bytes = s->off == (size_t)-1 ? NULL : srv->arena.data + s->off;
    return 1;
}

/* smtp_server_tls_started - the handshake is done: start over (RFC 3207 4.2) */
void smtp_server_tls_started(smtp_server *srv, uint64_t now_ms)
{
    begin_call(srv, now_ms);
    if (srv->state == SMTP_SRV_CLOSED)
        return;
    srv->last_activity = srv->now;
    bool implicit = srv->state == SMTP_SRV_GREETING;
    /* RFC 3207 4.2: forget everything learnt from the client before TLS */
    srv_reset_transaction(srv);
    srv->tls = true;
    srv->greeted = false;
    srv->esmtp = false;
    srv->authed = false;
    srv->helo[0] = '\0';
    srv->auth_user[0] = '\0';
    srv->line_len = srv->line_total = 0;
    if (implicit)
        greeting(srv); /* RFC 8314 3.3: the greeting comes after the handshake */
    else
        srv_set_state(srv, SMTP_SRV_READY);
}

/* smtp_server_shutdown - 421 4.3.2 and close (RFC 5321 3.8), also while a hook is pending */
void smtp_server_shutdown(smtp_server *srv, uint64_t now_ms)
{
    begin_call(srv, now_ms);
    if (srv->state == SMTP_SRV_CLOSED)
        return;
    srv->verb[0] = '\0';
    srv_reply(srv, R_SHUTDOWN);
    srv_close_session(srv);
}

/* smtp_server_state_get - the current state */
smtp_server_state smtp_server_state_get(const smtp_server *srv)
{
    return srv->state;
}

/* smtp_server_done - closed and nothing left to send */
bool smtp_server_done(const smtp_server *srv)
{
    return srv->state == SMTP_SRV_CLOSED && srv->out.len == srv->out_start;
}

/* smtp_server_last_error - the first internal error (sticky) */
smtp_server_error smtp_server_last_error(const smtp_server *srv)
{
    return srv->error;
}

/* smtp_server_state_name - student-readable state names */
const char *smtp_server_state_name(smtp_server_state st)
{
    switch (st) {
    case SMTP_SRV_GREETING: return "connected, greeting not sent yet";
    case SMTP_SRV_READY: return "waiting for EHLO";
    case SMTP_SRV_IDLE: return "waiting for MAIL";
    case SMTP_SRV_MAIL: return "waiting for RCPT";
    case SMTP_SRV_RCPT: return "waiting for RCPT or DATA";
    case SMTP_SRV_DATA: return "receiving message (DATA)";
    case SMTP_SRV_AUTH: return "authenticating (AUTH)";
    case SMTP_SRV_TLS: return "TLS handshake";
    case SMTP_SRV_CLOSED: return "closed";
    }
    return "unknown";
}

/* smtp_server_envelope - the transaction as it stands */
const smtp_envelope *smtp_server_envelope(const smtp_server *srv)
{
    /* refreshing derived pointers does not change the session (srv is never const itself) */
    srv_env_sync((smtp_server *)srv);
    return &srv->env;
}
