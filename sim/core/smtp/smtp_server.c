/* smtp_server.c - the sans-I/O SMTP server engine: one session, any role (MX, MSA, MTA).
 *
 * Bytes come in through smtp_server_feed; replies leave through an output buffer the driver
 * drains; everything that happens is reported as an smtp_event. The shape follows OpenSMTPD's
 * smtp_session.c: limits and states at the top, a command table whose rows pair a check_*
 * function (validates, replies on error, returns -1) with a proceed_* function (acts, replies
 * on success), every state change through set_state() and every reply through reply().
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
 */
#include "core/smtp/smtp_server.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/base64.h"
#include "core/smtp/smtp_command.h"
#include "core/smtp/smtp_reply.h"
#include "core/util/str_util.h"
#include "core/util/membuf.h"

/* ---- limits and sizes ---------------------------------------------------------------- */

#define OUT_INIT 1024        /* output buffer: a few replies */
#define ARENA_INIT 4096      /* event bytes: one feed's worth of commands and replies */
#define EVQ_INIT 32          /* queued events before the first growth */
#define DATA_INIT 4096       /* message content: a typical small message */
#define STORE_INIT 512       /* recipient strings */
#define RCPT_INIT 8          /* recipients before the arrays move to the heap */
#define NAME_MAX_LEN 255     /* helo argument, host name and user names we keep */
#define ENVID_MAX 100        /* RFC 3461 4.4: ENVID is at most 100 characters */
#define ORCPT_MAX 500        /* RFC 3461 4.2: ORCPT is at most 500 characters */
#define SIZE_DIGITS_MAX 20   /* RFC 1870 5: size-value is 1*20DIGIT */
#define AUTH_DECODED_MAX 1024 /* decoded SASL responses up to this size need no allocation */

#define HIDDEN "<credentials hidden>"

/* Flags on a command table row: checks shared by several commands. */
enum {
    F_GREETED = 1 << 0, /* needs HELO/EHLO first (RFC 5321 4.1.4) -> 503 5.5.1 */
    F_TLS = 1 << 1,     /* refused before STARTTLS when require_tls (RFC 3207 4) -> 530 5.7.0 */
    F_NOARG = 1 << 2,   /* takes no argument -> 501 5.5.4 */
    F_ARG = 1 << 3,     /* needs an argument -> 501 5.5.4 */
};

enum { MECH_NONE, MECH_PLAIN, MECH_LOGIN };

/* The session's byte buffers are membufs (membuf.h) that start in storage inside the session
 * (inline) and move to the heap only when they outgrow it, so a typical session makes a single
 * allocation. */

typedef struct {
    smtp_event ev;
    size_t off; /* bytes: offset into the arena (pointers are made at next_event) */
} ev_slot;

/* Incremental scanner state for the message content (RFC 5321 4.1.1.4, 4.5.2). */
typedef struct {
    size_t line_len;  /* wire octets of the current line so far, CRLF excluded */
    uint64_t size;    /* content octets after dot removal, CRLFs included (RFC 1870) */
    bool line_start;  /* the next byte starts a line */
    bool cr_pending;  /* the last byte was CR; is the next LF? */
    bool dot_line;    /* the current line began with a '.' (removed) */
    bool bare_lf, bare_cr, line_too_long, too_big;
} data_scan_state;

struct smtp_server {
    smtp_server_config cfg; /* copy; strings still belong to the driver */
    smtp_peer peer;
    smtp_server_state state;
    uint64_t now, last_activity;

    /* session */
    bool greeted, esmtp, tls, authed, soft_flagged, oom;
    unsigned errors, auth_failures;
    uint64_t rcpt_overshoot; /* RCPTs refused with 452 4.5.3 in this session */
    int auth_mech, auth_step;
    char verb[SMTP_VERB_MAX + 1]; /* verb being answered, for REPLY events */

    /* transaction */
    bool in_mail, smtputf8;
    uint64_t declared_size;
    char body[12];
    char dsn_ret[8];
    membuf rcpt_store;          /* "addr\0notify\0" per recipient */
    bool rcpt_heap;           /* the three arrays below were malloc'ed */
    size_t *rcpt_off;         /* offset of each recipient's addr in rcpt_store */
    const char **rcpt_ptr;    /* derived: rebuilt from offsets when rcpt_store moves */
    const char **notify_ptr;
    size_t n_rcpts, rcpt_cap, ptr_built;
    const char *ptr_base;
    membuf data;
    data_scan_state d;

    /* scratch between check_* and proceed_* */
    char notify[40];

    /* input line */
    char *line;
    size_t line_len, line_total, line_cap;

    /* output and events */
    membuf out;
    size_t out_start;
    ev_slot *evq;
    size_t ev_head, ev_count, ev_cap;
    bool evq_heap;
    membuf arena;
    smtp_envelope env;

    /* Large members last: smtp_server_new zeroes only what comes before them. */
    char mail_from[SMTP_PATH_BUF]; /* the reverse-path of the transaction */
    char hostname[NAME_MAX_LEN + 1];
    char helo[NAME_MAX_LEN + 1];
    char auth_user[NAME_MAX_LEN + 1];
    char login_user[NAME_MAX_LEN + 1];
    char dsn_envid[ENVID_MAX + 1];
    smtp_path path;                /* scratch: the path check_mail/check_rcpt just parsed */
    char line_inline[512];         /* the input line, for the usual 512-octet limit */
    /* first storage of the buffers (membuf_init_inline) */
    char out_inline[OUT_INIT];
    char arena_inline[ARENA_INIT];
    char data_inline[DATA_INIT];
    char store_inline[STORE_INIT];
    ev_slot evq_inline[EVQ_INIT];
    size_t rcpt_off_inline[RCPT_INIT];
    const char *rcpt_ptr_inline[RCPT_INIT];
    const char *notify_ptr_inline[RCPT_INIT];
};

_Static_assert(sizeof(((smtp_event *)0)->verb) == SMTP_VERB_MAX + 1, "verb sizes agree");

/* ---- small buffers ----------------------------------------------------------------------- */

/* grow_block - a bigger block for an array that may still be inline: realloc on the heap, or
 * malloc and copy out of the session. NULL (session marked out of memory) on failure. */
static void *grow_block(smtp_server *srv, void *p, size_t old_bytes, size_t new_bytes, bool heap)
{
    void *q = heap ? realloc(p, new_bytes) : malloc(new_bytes);
    if (!q) {
        srv->oom = true;
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

/* sbuf_append - append n bytes, growing the buffer; -1 when out of memory */
static int sbuf_append(smtp_server *srv, membuf *b, const void *bytes, size_t n)
{
    if (membuf_append(b, bytes, n) < 0) {
        srv->oom = true;
        return -1;
    }
    return 0;
}

/* ---- events ------------------------------------------------------------------------------- */

/* ev_push - queue an event; bytes are copied into the arena. Returns the slot's event, valid
 * until the next push, or NULL when out of memory. */
static smtp_event *ev_push(smtp_server *srv, smtp_event_kind kind, smtp_dir dir, const char *bytes,
                           size_t len, const char *key, const char *rfc)
{
    if (srv->ev_head + srv->ev_count == srv->ev_cap) {
        size_t cap = srv->ev_cap * 2;
        ev_slot *q = grow_block(srv, srv->evq, srv->ev_cap * sizeof *q, cap * sizeof *q,
                                srv->evq_heap);
        if (!q)
            return NULL;
        srv->evq = q;
        srv->ev_cap = cap;
        srv->evq_heap = true;
    }
    size_t off = srv->arena.len;
    if (bytes && sbuf_append(srv, &srv->arena, bytes, len) < 0)
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

/* ev_error - report a protocol problem noticed (SMTP_EV_ERROR) */
static void ev_error(smtp_server *srv, const char *key, const char *rfc, const char *bytes,
                     size_t len)
{
    smtp_event *ev = ev_push(srv, SMTP_EV_ERROR, SMTP_DIR_NONE, bytes, len, key, rfc);
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

/* set_state - every transition goes through here and becomes an SMTP_EV_STATE. */
static void set_state(smtp_server *srv, smtp_server_state to)
{
    if (srv->state == to)
        return;
    smtp_event *ev = ev_push(srv, SMTP_EV_STATE, SMTP_DIR_NONE, NULL, 0, state_key(to),
                             "RFC 5321 4.1.4");
    if (ev) {
        ev->state_from = (int)srv->state;
        ev->state_to = (int)to;
    }
    srv->state = to;
}

/* idle_state - where the session rests between transactions. */
static smtp_server_state idle_state(const smtp_server *srv)
{
    return srv->greeted ? SMTP_SRV_IDLE : SMTP_SRV_READY;
}

/* ---- the reply funnel ------------------------------------------------------------------- */

/* programmer_error - our own code produced a malformed reply: a bug, never the peer's fault. */
static void programmer_error(const char *what, int code, const char *text)
{
    fprintf(stderr, "smtp_server: malformed reply (%s): %d %s\n", what, code, text ? text : "");
    abort();
}

/* emit_reply - every reply goes through here: formatted, queued for output, reported. esc is
 * dropped when the extension is off; callers pass "" where RFC 2034 wants no code. Does not
 * count errors: reply_lines does (almost every caller wants that). */
static void emit_reply(smtp_server *srv, int code, const char *esc, const char *key,
                       const char *rfc, const char *const *lines, size_t n)
{
    if (!srv->cfg.enhancedstatuscodes)
        esc = "";
    /* an upper bound is enough: every line is at most SMTP_REPLY_LINE_MAX octets */
    size_t need = n * SMTP_REPLY_LINE_MAX;
    if (sbuf_reserve(srv, &srv->out, need) < 0)
        return;
    long w = smtp_reply_format(srv->out.data + srv->out.len, need, code, esc, lines, n);
    if (w < 0)
        programmer_error(key, code, lines[0]);
    const char *bytes = srv->out.data + srv->out.len;
    srv->out.len += (size_t)w;
    smtp_event *ev = ev_push(srv, SMTP_EV_REPLY, SMTP_DIR_S2C, bytes, (size_t)w, key, rfc);
    if (ev) {
        ev->code = code;
        str_copy(ev->esc, sizeof ev->esc, esc, strlen(esc));
        memcpy(ev->verb, srv->verb, sizeof ev->verb);
    }
}

/* reply_lines - a reply through the funnel; a 4xx/5xx (other than our own 421) is a client
 * error toward the soft and hard error limits (RFC 5321 7.8). */
static void reply_lines(smtp_server *srv, int code, const char *esc, const char *key,
                        const char *rfc, const char *const *lines, size_t n)
{
    emit_reply(srv, code, esc, key, rfc, lines, n);
    if (code >= 400 && code != 421)
        srv->errors++;
}

/* reply - a one-line reply through the funnel */
static void reply(smtp_server *srv, int code, const char *esc, const char *key, const char *rfc,
                  const char *text)
{
    reply_lines(srv, code, esc, key, rfc, &text, 1);
}

/* close_session - after a 221 or 421: no more input, the driver closes after flushing. */
static void close_session(smtp_server *srv)
{
    set_state(srv, SMTP_SRV_CLOSED);
    ev_push(srv, SMTP_EV_CLOSE, SMTP_DIR_NONE, NULL, 0, "session.close", "RFC 5321 3.8");
}

/* verdict_reply - a policy hook said no: send its reply, after checking it is a real one. */
static void verdict_reply(smtp_server *srv, const smtp_verdict *v, const char *key)
{
    char text[sizeof v->text];
    str_copy(text, sizeof text, v->text, strnlen(v->text, sizeof v->text));
    const char *esc = v->esc;
    if (strnlen(v->esc, sizeof v->esc) == sizeof v->esc)
        esc = "";
    if (!smtp_reply_code_valid(v->code) || v->code < 400 ||
        !smtp_reply_text_valid(text, strlen(text)) || !smtp_reply_esc_valid(v->code, esc)) {
        /* a driver bug must not put bytes on the wire that break the protocol */
        ev_error(srv, "policy.bad_verdict", "RFC 5321 4.2", NULL, 0);
        reply(srv, 451, "4.3.0", "policy.bad_verdict", "RFC 5321 4.2.2",
              "Local policy error, try again later");
        return;
    }
    reply(srv, v->code, esc, key, "RFC 5321 4.2.2", text[0] ? text : "Rejected by policy");
}

/* ---- envelope ------------------------------------------------------------------------------ */

/* env_sync - point the public envelope at the current transaction. O(1) amortised: recipient
 * pointers are rebuilt only when their storage moved. */
static void env_sync(smtp_server *srv)
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

/* reset_transaction - RSET, HELO/EHLO, end of DATA, STARTTLS (RFC 5321 4.1.1.5). */
static void reset_transaction(smtp_server *srv)
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

/* ---- policy helpers ------------------------------------------------------------------------ */

/* auth_available - can this server check passwords at all (users or a hook)? */
static bool auth_available(const smtp_server *srv)
{
    return srv->cfg.n_users > 0 || srv->cfg.policy.check_password != NULL;
}

/* auth_offered - RFC 4954 4 / RFC 3207: offer AUTH only where the password would be safe. */
static bool auth_offered(const smtp_server *srv)
{
    return auth_available(srv) && (srv->tls || srv->cfg.allow_plain_auth);
}

/* domain_is_local - is dom one of cfg.local_domains (case-insensitive, RFC 5321 2.4)? */
static bool domain_is_local(const smtp_server *srv, const char *dom)
{
    size_t len = strlen(dom);
    for (size_t i = 0; i < srv->cfg.n_local_domains; i++)
        if (srv->cfg.local_domains[i] && smtp_ieq(dom, len, srv->cfg.local_domains[i]))
            return true;
    return false;
}

/* mailbox_exists - local-parts compare case-insensitively (RFC 5321 2.4 allows servers to). */
static bool mailbox_exists(const smtp_server *srv, const char *local, size_t len)
{
    if (!srv->cfg.mailboxes || smtp_ieq(local, len, "postmaster"))
        return true;
    for (size_t i = 0; i < srv->cfg.n_mailboxes; i++)
        if (srv->cfg.mailboxes[i] && smtp_ieq(local, len, srv->cfg.mailboxes[i]))
            return true;
    return false;
}

/* check_credentials - the check_password hook, or cfg.users */
static bool check_credentials(smtp_server *srv, const char *user, const char *pass)
{
    if (srv->cfg.policy.check_password)
        return srv->cfg.policy.check_password(srv->cfg.policy.ctx, user, pass);
    for (size_t i = 0; i < srv->cfg.n_users; i++) {
        const smtp_user *u = &srv->cfg.users[i];
        if (u->name && u->password && strcmp(u->name, user) == 0 && strcmp(u->password, pass) == 0)
            return true;
    }
    return false;
}

/* ---- command handlers: check_* replies on error and returns -1; proceed_* acts -------- */

/* check_helo - HELO/EHLO argument: one printable word (RFC 5321 4.1.1.1) */
static int check_helo(smtp_server *srv, const smtp_command *cmd)
{
    /* RFC 5321 4.1.1.1: one Domain or address-literal. We accept any single printable word
     * (many clients send a bare host name), but not spaces or nothing. */
    bool ok = cmd->has_arg && cmd->arg_len <= NAME_MAX_LEN &&
              smtp_reply_text_valid(cmd->arg, cmd->arg_len) && !memchr(cmd->arg, ' ', cmd->arg_len);
    if (!ok) {
        /* RFC 2034: no enhanced code on replies to HELO/EHLO */
        reply(srv, 501, "", "helo.syntax", "RFC 5321 4.1.1.1",
              cmd->id == SMTP_CMD_EHLO ? "Syntax: EHLO hostname" : "Syntax: HELO hostname");
        return -1;
    }
    return 0;
}

/* greet - what HELO and EHLO share: reset, remember the name, wait for MAIL */
static void greet(smtp_server *srv, const smtp_command *cmd, bool esmtp)
{
    /* RFC 5321 4.1.4: a HELO/EHLO resets any transaction, like RSET */
    reset_transaction(srv);
    str_copy(srv->helo, sizeof srv->helo, cmd->arg, cmd->arg_len);
    srv->greeted = true;
    srv->esmtp = esmtp;
    set_state(srv, SMTP_SRV_IDLE);
}

/* proceed_helo - 250 and our name; plain SMTP from now on */
static void proceed_helo(smtp_server *srv, const smtp_command *cmd)
{
    greet(srv, cmd, false);
    reply(srv, 250, "", "helo.ok", "RFC 5321 4.1.1.1", srv->hostname);
}

/* size_line_text - "SIZE n" (RFC 1870 4) without printf: EHLO is on the hot path. */
static const char *size_line_text(char buf[40], uint64_t v)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(buf, "SIZE ", 5);
    for (size_t i = 0; i < n; i++)
        buf[5 + i] = digits[n - 1 - i];
    buf[5 + n] = '\0';
    return buf;
}

/* proceed_ehlo - 250 with one line per offered extension (RFC 5321 4.1.1.1) */
static void proceed_ehlo(smtp_server *srv, const smtp_command *cmd)
{
    greet(srv, cmd, true);
    const char *lines[SMTP_REPLY_MAX_LINES];
    char size_line[40];
    size_t n = 0;
    lines[n++] = srv->hostname;
    if (srv->cfg.pipelining)
        lines[n++] = "PIPELINING"; /* RFC 2920 */
    lines[n++] = size_line_text(size_line, srv->cfg.limits.value[SMTP_LIMIT_MESSAGE_SIZE]);
    if (srv->cfg.tls_available && !srv->tls)
        lines[n++] = "STARTTLS"; /* RFC 3207; never again under TLS (4.2) */
    if (auth_offered(srv))
        lines[n++] = "AUTH PLAIN LOGIN"; /* RFC 4954, RFC 4616 */
    if (srv->cfg.enhancedstatuscodes)
        lines[n++] = "ENHANCEDSTATUSCODES"; /* RFC 2034 */
    if (srv->cfg.eightbitmime)
        lines[n++] = "8BITMIME"; /* RFC 6152 */
    if (srv->cfg.dsn)
        lines[n++] = "DSN"; /* RFC 3461 */
    if (srv->cfg.smtputf8)
        lines[n++] = "SMTPUTF8"; /* RFC 6531 */
    reply_lines(srv, 250, "", "ehlo.ok", "RFC 5321 4.1.1.1", lines, n);
}

/* parse_size - RFC 1870 size-value: 1*20DIGIT, no overflow. */
static int parse_size(const char *v, size_t len, uint64_t *out)
{
    if (len == 0 || len > SIZE_DIGITS_MAX)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        uint64_t d = (uint64_t)(v[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *out = x;
    return 0;
}

/* path_error - reply for a path that smtp_path_parse refused. */
static void path_error(smtp_server *srv, smtp_path_status st, bool sender)
{
    const char *key = sender ? "mail.syntax" : "rcpt.syntax";
    const char *esc = sender ? "5.1.7" : "5.1.3";
    const char *rfc = sender ? "RFC 5321 4.1.1.2" : "RFC 5321 4.1.1.3";
    switch (st) {
    case SMTP_PATH_LOCAL_TOO_LONG:
        reply(srv, 501, "5.5.4", "path.local_too_long", "RFC 5321 4.5.3.1.1",
              "Local-part too long");
        break;
    case SMTP_PATH_DOMAIN_TOO_LONG:
        reply(srv, 501, "5.5.4", "path.domain_too_long", "RFC 5321 4.5.3.1.2", "Domain too long");
        break;
    case SMTP_PATH_TOO_LONG:
        reply(srv, 501, "5.5.4", "path.too_long", "RFC 5321 4.5.3.1.3", "Path too long");
        break;
    default:
        reply(srv, 501, esc, key, rfc,
              sender ? "Bad sender address syntax" : "Bad recipient address syntax");
        break;
    }
}

/* path_limits - the path limits of this session (RFC 5321 4.5.3.1.1-3) */
static smtp_path_limits path_limits(const smtp_server *srv)
{
    smtp_path_limits lim = {
        .local_part = (size_t)srv->cfg.limits.value[SMTP_LIMIT_LOCAL_PART],
        .domain = (size_t)srv->cfg.limits.value[SMTP_LIMIT_DOMAIN],
        .path = (size_t)srv->cfg.limits.value[SMTP_LIMIT_PATH],
    };
    return lim;
}

/* path_arg - after "FROM:" / "TO:" (case-insensitive); spaces after the colon are tolerated
 * (RFC 5321 4.1.2 has none, but many clients send one). NULL when the prefix is missing. */
static const char *path_arg(const smtp_command *cmd, const char *prefix, size_t *len)
{
    size_t pl = strlen(prefix);
    if (cmd->arg_len < pl || !smtp_ieq(cmd->arg, pl, prefix))
        return NULL;
    size_t i = pl;
    while (i < cmd->arg_len && cmd->arg[i] == ' ')
        i++;
    *len = cmd->arg_len - i;
    return cmd->arg + i;
}

/* param_unknown - 555 for a parameter we do not offer (RFC 5321 4.1.1.11) */
static void param_unknown(smtp_server *srv, const char *key)
{
    reply(srv, 555, "5.5.4", key, "RFC 5321 4.1.1.11", "Unsupported parameter");
}

/* param_bad - 501 for a parameter with a bad value */
static void param_bad(smtp_server *srv, const char *key, const char *rfc, const char *text)
{
    reply(srv, 501, "5.5.4", key, rfc, text);
}

/* check_mail - MAIL FROM: sequence, AUTH, path, ESMTP parameters, SIZE, hook */
static int check_mail(smtp_server *srv, const smtp_command *cmd)
{
    if (srv->in_mail) {
        reply(srv, 503, "5.5.1", "mail.nested", "RFC 5321 4.1.4", "Nested MAIL command");
        return -1;
    }
    if (srv->cfg.require_auth && !srv->authed) {
        reply(srv, 530, "5.7.0", "mail.auth_required", "RFC 4954 6", "Authentication required");
        return -1;
    }
    reset_transaction(srv); /* what is left of the previous message */
    size_t len;
    const char *a = path_arg(cmd, "FROM:", &len);
    if (!a) {
        reply(srv, 501, "5.5.4", "mail.syntax", "RFC 5321 4.1.1.2",
              "Syntax: MAIL FROM:<address>");
        return -1;
    }
    smtp_path_limits lim = path_limits(srv);
    size_t used;
    smtp_path_status st = smtp_path_parse(a, len, true, false, &lim, &srv->path, &used);
    if (st != SMTP_PATH_OK) {
        path_error(srv, st, true);
        return -1;
    }
    const char *p = a + used;
    size_t plen = len - used;
    if (plen && p[0] != ' ') {
        path_error(srv, SMTP_PATH_SYNTAX, true);
        return -1;
    }
    bool seen_size = false, seen_body = false, seen_utf8 = false, seen_ret = false;
    bool seen_envid = false, seen_auth = false;
    uint64_t size = 0;
    char body[12] = "", ret[8] = "", envid[ENVID_MAX + 1] = "";
    const char *k, *v;
    size_t kl, vl;
    bool hv;
    int r;
    while ((r = smtp_param_next(&p, &plen, &k, &kl, &v, &vl, &hv)) == 1) {
        if (!srv->esmtp) {
            /* parameters exist only after EHLO (RFC 5321 4.1.1.11) */
            param_unknown(srv, "mail.param_unknown");
            return -1;
        }
        if (smtp_ieq(k, kl, "SIZE")) {
            if (seen_size || !hv || parse_size(v, vl, &size) < 0) {
                param_bad(srv, "mail.param_bad", "RFC 1870 6", "Bad SIZE parameter");
                return -1;
            }
            seen_size = true;
        } else if (smtp_ieq(k, kl, "BODY")) {
            bool is7 = hv && smtp_ieq(v, vl, "7BIT");
            bool is8 = hv && smtp_ieq(v, vl, "8BITMIME");
            if (!srv->cfg.eightbitmime) {
                param_unknown(srv, "mail.param_unknown");
                return -1;
            }
            if (seen_body || (!is7 && !is8)) {
                param_bad(srv, "mail.param_bad", "RFC 6152 2", "Bad BODY parameter");
                return -1;
            }
            strcpy(body, is7 ? "7BIT" : "8BITMIME");
            seen_body = true;
        } else if (smtp_ieq(k, kl, "SMTPUTF8")) {
            if (!srv->cfg.smtputf8) {
                param_unknown(srv, "mail.param_unknown");
                return -1;
            }
            if (seen_utf8 || hv) {
                param_bad(srv, "mail.param_bad", "RFC 6531 3.4", "SMTPUTF8 takes no value");
                return -1;
            }
            seen_utf8 = true;
        } else if (smtp_ieq(k, kl, "RET")) {
            if (!srv->cfg.dsn) {
                param_unknown(srv, "mail.param_unknown");
                return -1;
            }
            bool full = hv && smtp_ieq(v, vl, "FULL"), hdrs = hv && smtp_ieq(v, vl, "HDRS");
            if (seen_ret || (!full && !hdrs)) {
                param_bad(srv, "mail.param_bad", "RFC 3461 4.3", "Bad RET parameter");
                return -1;
            }
            strcpy(ret, full ? "FULL" : "HDRS");
            seen_ret = true;
        } else if (smtp_ieq(k, kl, "ENVID")) {
            if (!srv->cfg.dsn) {
                param_unknown(srv, "mail.param_unknown");
                return -1;
            }
            if (seen_envid || !hv || vl > ENVID_MAX || !smtp_xtext_valid(v, vl)) {
                param_bad(srv, "mail.param_bad", "RFC 3461 4.4", "Bad ENVID parameter");
                return -1;
            }
            str_copy(envid, sizeof envid, v, vl);
            seen_envid = true;
        } else if (smtp_ieq(k, kl, "AUTH")) {
            /* RFC 4954 5: the original submitter; accepted and not used */
            if (!auth_available(srv)) {
                param_unknown(srv, "mail.param_unknown");
                return -1;
            }
            if (seen_auth || !hv ||
                (!smtp_ieq(v, vl, "<>") && !smtp_xtext_valid(v, vl))) {
                param_bad(srv, "mail.param_bad", "RFC 4954 5", "Bad AUTH parameter");
                return -1;
            }
            seen_auth = true;
        } else {
            param_unknown(srv, "mail.param_unknown");
            return -1;
        }
    }
    if (r < 0) {
        param_bad(srv, "mail.param_bad", "RFC 5321 4.1.2", "Bad parameter syntax");
        return -1;
    }
    if (srv->path.non_ascii && !seen_utf8) {
        /* RFC 6531 3.5: 550 for a sender (MAIL), 553 for a recipient (RCPT); both X.6.7 */
        reply(srv, 550, "5.6.7", "mail.utf8_required", "RFC 6531 3.5",
              "Non-ASCII address requires SMTPUTF8");
        return -1;
    }
    if (seen_size && size > srv->cfg.limits.value[SMTP_LIMIT_MESSAGE_SIZE]) {
        reply(srv, 552, "5.3.4", "mail.size_exceeded", "RFC 1870 6.1",
              "Message size exceeds fixed maximum message size");
        return -1;
    }
    /* the transaction is staged now; proceed_mail commits it unless the hook objects */
    str_copy(srv->mail_from, sizeof srv->mail_from, srv->path.addr, strlen(srv->path.addr));
    srv->declared_size = size;
    strcpy(srv->body, body);
    srv->smtputf8 = seen_utf8;
    strcpy(srv->dsn_ret, ret);
    strcpy(srv->dsn_envid, envid);
    if (srv->cfg.policy.on_mail) {
        smtp_verdict v0 = {0};
        env_sync(srv);
        srv->cfg.policy.on_mail(srv->cfg.policy.ctx, &srv->env, &v0);
        if (v0.code != 0) {
            reset_transaction(srv);
            verdict_reply(srv, &v0, "mail.rejected");
            return -1;
        }
    }
    return 0;
}

/* proceed_mail - open the transaction (RFC 5321 4.1.1.2) */
static void proceed_mail(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    srv->in_mail = true;
    set_state(srv, SMTP_SRV_MAIL);
    if (srv->path.null_path)
        reply(srv, 250, "2.1.0", "mail.null_sender", "RFC 5321 4.5.5", "Ok");
    else
        reply(srv, 250, "2.1.0", "mail.ok", "RFC 5321 4.1.1.2", "Ok");
}

/* notify_valid - RFC 3461 4.1: "NEVER", or a list of SUCCESS, FAILURE, DELAY. */
static bool notify_valid(const char *v, size_t len)
{
    if (smtp_ieq(v, len, "NEVER"))
        return true;
    bool seen[3] = {false, false, false};
    static const char *const words[3] = {"SUCCESS", "FAILURE", "DELAY"};
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && v[j] != ',')
            j++;
        int w = -1;
        for (int k = 0; k < 3; k++)
            if (smtp_ieq(v + i, j - i, words[k]))
                w = k;
        if (w < 0 || seen[w])
            return false;
        seen[w] = true;
        i = j + 1;
    }
    return true;
}

/* orcpt_valid - RFC 3461 4.2: addr-type ";" xtext, at most 500 characters. */
static bool orcpt_valid(const char *v, size_t len)
{
    const char *semi = memchr(v, ';', len);
    if (!semi || semi == v || len > ORCPT_MAX)
        return false;
    for (const char *p = v; p < semi; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return false;
    }
    size_t rest = len - (size_t)(semi + 1 - v);
    return rest > 0 && smtp_xtext_valid(semi + 1, rest);
}

/* check_rcpt - RCPT TO: sequence, path, DSN parameters, limits, role policy, hook */
static int check_rcpt(smtp_server *srv, const smtp_command *cmd)
{
    if (!srv->in_mail) {
        reply(srv, 503, "5.5.1", "rcpt.need_mail", "RFC 5321 4.1.4", "Need MAIL before RCPT");
        return -1;
    }
    size_t len;
    const char *a = path_arg(cmd, "TO:", &len);
    if (!a) {
        reply(srv, 501, "5.5.4", "rcpt.syntax", "RFC 5321 4.1.1.3", "Syntax: RCPT TO:<address>");
        return -1;
    }
    smtp_path_limits lim = path_limits(srv);
    size_t used;
    smtp_path_status st = smtp_path_parse(a, len, false, true, &lim, &srv->path, &used);
    if (st != SMTP_PATH_OK) {
        path_error(srv, st, false);
        return -1;
    }
    const char *p = a + used;
    size_t plen = len - used;
    if (plen && p[0] != ' ') {
        path_error(srv, SMTP_PATH_SYNTAX, false);
        return -1;
    }
    bool seen_notify = false, seen_orcpt = false;
    srv->notify[0] = '\0';
    const char *k, *v;
    size_t kl, vl;
    bool hv;
    int r;
    while ((r = smtp_param_next(&p, &plen, &k, &kl, &v, &vl, &hv)) == 1) {
        if (!srv->esmtp || !srv->cfg.dsn ||
            (!smtp_ieq(k, kl, "NOTIFY") && !smtp_ieq(k, kl, "ORCPT"))) {
            param_unknown(srv, "rcpt.param_unknown");
            return -1;
        }
        if (smtp_ieq(k, kl, "NOTIFY")) {
            if (seen_notify || !hv || vl >= sizeof srv->notify || !notify_valid(v, vl)) {
                param_bad(srv, "rcpt.param_bad", "RFC 3461 4.1", "Bad NOTIFY parameter");
                return -1;
            }
            str_copy(srv->notify, sizeof srv->notify, v, vl);
            for (char *c = srv->notify; *c; c++)
                if (*c >= 'a' && *c <= 'z')
                    *c = (char)(*c - 'a' + 'A');
            seen_notify = true;
        } else {
            if (seen_orcpt || !hv || !orcpt_valid(v, vl)) {
                param_bad(srv, "rcpt.param_bad", "RFC 3461 4.2", "Bad ORCPT parameter");
                return -1;
            }
            seen_orcpt = true;
        }
    }
    if (r < 0) {
        param_bad(srv, "rcpt.param_bad", "RFC 5321 4.1.2", "Bad parameter syntax");
        return -1;
    }
    if (srv->path.non_ascii && !srv->smtputf8) {
        reply(srv, 553, "5.6.7", "rcpt.utf8_required", "RFC 6531 3.5",
              "Non-ASCII address requires SMTPUTF8");
        return -1;
    }
    if (srv->n_rcpts >= srv->cfg.limits.value[SMTP_LIMIT_RECIPIENTS]) {
        /* RFC 5321 4.5.3.1.10: 452 asks the client to send the rest in a later transaction; the
         * transaction goes on. That is not a client error, so a pipelining client with many
         * recipients must not be cut off by the error limits. Only a client that goes on far
         * past the limit (recipient_overshoot, as in Postfix) is counted (RFC 5321 7.8). */
        static const char *const text = "Too many recipients";
        srv->rcpt_overshoot++;
        if (srv->rcpt_overshoot > srv->cfg.limits.value[SMTP_LIMIT_RECIPIENT_OVERSHOOT])
            reply(srv, 452, "4.5.3", "rcpt.too_many", "RFC 5321 4.5.3.1.10", text);
        else
            emit_reply(srv, 452, "4.5.3", "rcpt.too_many", "RFC 5321 4.5.3.1.10", &text, 1);
        return -1;
    }
    /* Role policy. <postmaster> is always accepted (RFC 5321 4.5.1). */
    if (!srv->path.postmaster) {
        const char *dom = srv->path.addr + srv->path.domain_off;
        bool local = domain_is_local(srv, dom);
        if (local) {
            if (!mailbox_exists(srv, srv->path.addr, srv->path.local_len)) {
                reply(srv, 550, "5.1.1", "rcpt.unknown_user", "RFC 5321 3.3",
                      "User unknown in local recipient table");
                return -1;
            }
        } else {
            bool relay = srv->authed || (srv->cfg.role == SMTP_ROLE_MTA && srv->peer.trusted);
            if (!relay) {
                reply(srv, 554, "5.7.1", "rcpt.relay_denied", "RFC 5321 3.6",
                      "Relay access denied");
                return -1;
            }
        }
    }
    if (srv->cfg.policy.on_rcpt) {
        smtp_verdict v0 = {0};
        env_sync(srv);
        srv->cfg.policy.on_rcpt(srv->cfg.policy.ctx, &srv->env, srv->path.addr, &v0);
        if (v0.code != 0) {
            verdict_reply(srv, &v0, "rcpt.rejected");
            return -1;
        }
    }
    return 0;
}

/* add_rcpt - append the staged recipient; -1 when out of memory. */
static int add_rcpt(smtp_server *srv)
{
    if (srv->n_rcpts == srv->rcpt_cap) {
        size_t cap = srv->rcpt_cap * 2;
        size_t *off = grow_block(srv, srv->rcpt_off, srv->rcpt_cap * sizeof *off,
                                 cap * sizeof *off, srv->rcpt_heap);
        const char **rp = grow_block(srv, srv->rcpt_ptr, srv->rcpt_cap * sizeof *rp,
                                     cap * sizeof *rp, srv->rcpt_heap);
        const char **np = grow_block(srv, srv->notify_ptr, srv->rcpt_cap * sizeof *np,
                                     cap * sizeof *np, srv->rcpt_heap);
        if (!off || !rp || !np) {
            /* keep whatever moved; the session is closing anyway (oom) */
            if (srv->rcpt_heap) {
                srv->rcpt_off = off ? off : srv->rcpt_off;
                srv->rcpt_ptr = rp ? rp : srv->rcpt_ptr;
                srv->notify_ptr = np ? np : srv->notify_ptr;
            } else {
                free(off);
                free(rp);
                free(np);
            }
            return -1;
        }
        srv->rcpt_off = off;
        srv->rcpt_ptr = rp;
        srv->notify_ptr = np;
        srv->rcpt_cap = cap;
        srv->rcpt_heap = true;
        srv->ptr_base = NULL; /* pointer arrays are rebuilt in env_sync */
    }
    size_t off = srv->rcpt_store.len;
    if (sbuf_append(srv, &srv->rcpt_store, srv->path.addr, strlen(srv->path.addr) + 1) < 0 ||
        sbuf_append(srv, &srv->rcpt_store, srv->notify, strlen(srv->notify) + 1) < 0)
        return -1;
    srv->rcpt_off[srv->n_rcpts++] = off;
    return 0;
}

/* proceed_rcpt - keep the recipient and answer 250 (RFC 5321 4.1.1.3) */
static void proceed_rcpt(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    if (add_rcpt(srv) < 0)
        return;
    set_state(srv, SMTP_SRV_RCPT);
    if (srv->path.postmaster)
        reply(srv, 250, "2.1.5", "rcpt.postmaster", "RFC 5321 4.5.1", "Ok");
    else
        reply(srv, 250, "2.1.5", "rcpt.ok", "RFC 5321 4.1.1.3", "Ok");
}

/* check_data - DATA needs MAIL and at least one accepted RCPT */
static int check_data(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    if (!srv->in_mail) {
        reply(srv, 503, "5.5.1", "data.need_rcpt", "RFC 5321 4.1.4", "Need RCPT before DATA");
        return -1;
    }
    if (srv->n_rcpts == 0) {
        /* RFC 2920 3.1 / RFC 5321 3.3: MAIL was fine but every RCPT failed */
        reply(srv, 554, "5.5.1", "data.no_rcpt", "RFC 5321 3.3", "No valid recipients");
        return -1;
    }
    return 0;
}

/* proceed_data - 354 and switch to reading the message (RFC 5321 4.1.1.4) */
static void proceed_data(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    memset(&srv->d, 0, sizeof srv->d);
    srv->d.line_start = true; /* the CRLF of "DATA" is the first CRLF of CRLF.CRLF */
    srv->data.len = 0;
    set_state(srv, SMTP_SRV_DATA);
    reply(srv, 354, "", "data.start", "RFC 5321 4.1.1.4", "End data with <CR><LF>.<CR><LF>");
}

/* proceed_rset - drop the transaction, keep the session (RFC 5321 4.1.1.5) */
static void proceed_rset(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    reset_transaction(srv);
    set_state(srv, idle_state(srv));
    reply(srv, 250, "2.0.0", "rset.ok", "RFC 5321 4.1.1.5", "Ok");
}

/* proceed_noop - 250, nothing else (RFC 5321 4.1.1.9) */
static void proceed_noop(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    reply(srv, 250, "2.0.0", "noop.ok", "RFC 5321 4.1.1.9", "Ok");
}

/* proceed_quit - 221 and close (RFC 5321 4.1.1.10) */
static void proceed_quit(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    reply(srv, 221, "2.0.0", "quit.ok", "RFC 5321 4.1.1.10", "Bye");
    close_session(srv);
}

/* proceed_vrfy - 252: we neither confirm nor deny users (RFC 5321 3.5.3) */
static void proceed_vrfy(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    /* RFC 5321 3.5.3: 252 is the honest answer of a server that will not tell */
    reply(srv, 252, "2.0.0", "vrfy.cannot", "RFC 5321 3.5.3",
          "Cannot VRFY user, but will accept message and attempt delivery");
}

/* proceed_expn - 502: list expansion is disabled (RFC 5321 7.3) */
static void proceed_expn(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    reply(srv, 502, "5.5.1", "expn.disabled", "RFC 5321 7.3", "EXPN command not available");
}

/* proceed_help - 214, multi-line, naming the commands and their RFCs */
static void proceed_help(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    static const char *const lines[] = {
        "Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP (RFC 5321)",
        "STARTTLS (RFC 3207) AUTH (RFC 4954)",
        "End of HELP info",
    };
    reply_lines(srv, 214, "2.0.0", "help.ok", "RFC 5321 4.1.1.8", lines, 3);
}

/* check_starttls - not twice, not without TLS, not inside a transaction */
static int check_starttls(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    if (srv->tls) {
        reply(srv, 503, "5.5.1", "starttls.already", "RFC 3207 4.2", "TLS already active");
        return -1;
    }
    if (!srv->cfg.tls_available) {
        reply(srv, 454, "4.7.0", "starttls.unavailable", "RFC 3207 4",
              "TLS not available due to temporary reason");
        return -1;
    }
    if (srv->in_mail) {
        /* server policy (as Postfix): RFC 3207 does not forbid STARTTLS here */
        reply(srv, 503, "5.5.1", "starttls.in_transaction", "", "MAIL transaction in progress");
        return -1;
    }
    return 0;
}

/* proceed_starttls - 220, then hand the connection to the driver for the handshake */
static void proceed_starttls(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    reply(srv, 220, "2.0.0", "starttls.ready", "RFC 3207 4", "Ready to start TLS");
    set_state(srv, SMTP_SRV_TLS);
    smtp_event *ev = ev_push(srv, SMTP_EV_STARTTLS, SMTP_DIR_NONE, NULL, 0, "starttls.handshake",
                             "RFC 3207 4.1");
    if (ev)
        strcpy(ev->verb, "STARTTLS");
}

/* auth_done - the end of an AUTH exchange, good or bad (RFC 4954 4, 6). */
static void auth_done(smtp_server *srv, const char *user, bool ok)
{
    srv->auth_mech = MECH_NONE;
    srv->auth_step = 0;
    set_state(srv, idle_state(srv));
    smtp_event *ev;
    if (ok) {
        srv->authed = true;
        str_copy(srv->auth_user, sizeof srv->auth_user, user, strlen(user));
        ev = ev_push(srv, SMTP_EV_AUTH, SMTP_DIR_NONE, NULL, 0, "auth.ok", "RFC 4954 6");
        if (ev)
            ev->code = 235;
        reply(srv, 235, "2.7.0", "auth.ok", "RFC 4954 6", "Authentication successful");
        return;
    }
    srv->auth_failures++;
    ev = ev_push(srv, SMTP_EV_AUTH, SMTP_DIR_NONE, NULL, 0, "auth.failed", "RFC 4954 6");
    if (ev)
        ev->code = 535;
    reply(srv, 535, "5.7.8", "auth.failed", "RFC 4954 6", "Authentication credentials invalid");
    if (srv->auth_failures >= srv->cfg.limits.value[SMTP_LIMIT_AUTH_FAILURES]) {
        reply(srv, 421, "4.7.0", "auth.too_many_failures", "RFC 5321 3.8",
              "Too many authentication failures, closing connection");
        close_session(srv);
    }
}

/* auth_abort - cancel ("*"), undecodable response or a broken exchange: 501 (RFC 4954 4). */
static void auth_abort(smtp_server *srv, const char *esc, const char *key, const char *text)
{
    srv->auth_mech = MECH_NONE;
    srv->auth_step = 0;
    set_state(srv, idle_state(srv));
    reply(srv, 501, esc, key, "RFC 4954 4", text);
}

/* auth_plain - check a decoded PLAIN response: authzid NUL authcid NUL passwd (RFC 4616 2). */
static void auth_plain(smtp_server *srv, const unsigned char *msg, size_t len)
{
    const char *m = (const char *)msg;
    const char *nul1 = memchr(m, '\0', len);
    const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', len - (size_t)(nul1 + 1 - m)) : NULL;
    if (!nul2 || memchr(nul2 + 1, '\0', len - (size_t)(nul2 + 1 - m))) {
        auth_abort(srv, "5.5.2", "auth.malformed", "Malformed PLAIN response");
        return;
    }
    const char *authcid = nul1 + 1;
    const char *pass = nul2 + 1;
    /* we do not let one user act for another: authzid must be empty or the same user */
    bool ok = authcid[0] != '\0' && (nul1 == m || strcmp(m, authcid) == 0) &&
              strlen(authcid) <= NAME_MAX_LEN && check_credentials(srv, authcid, pass);
    auth_done(srv, authcid, ok);
}

/* decode_response - base64 SASL response, "=" is the empty one (RFC 4954 4). */
static long decode_response(const char *s, size_t len, unsigned char *out, size_t cap)
{
    if (len == 1 && s[0] == '=') {
        out[0] = '\0';
        return 0;
    }
    return base64_decode(s, len, out, cap);
}

/* auth_response - one line from the client during AUTH (state SMTP_SRV_AUTH), or the initial
 * response of the AUTH command. It may be as long as the auth_line limit (RFC 4954 4: 12288
 * octets by default): small responses decode on the stack, larger ones into a block that lives
 * for this call only (rare, so no buffer is kept in the session). */
static void auth_response(smtp_server *srv, const char *line, size_t len)
{
    if (len == 1 && line[0] == '*') {
        auth_abort(srv, "5.0.0", "auth.cancelled", "Authentication cancelled");
        return;
    }
    unsigned char small[AUTH_DECODED_MAX];
    unsigned char *buf = small;
    size_t cap = sizeof small;
    size_t need = len / 4 * 3 + 4; /* decoded size, a NUL, and slack */
    if (need > cap) {
        buf = malloc(need);
        if (!buf) {
            srv->oom = true;
            return;
        }
        cap = need;
    }
    long n = decode_response(line, len, buf, cap - 1);
    if (n < 0) {
        auth_abort(srv, "5.5.2", "auth.bad_base64", "Cannot decode response");
        goto done;
    }
    buf[n] = '\0';
    if (srv->auth_mech == MECH_PLAIN) {
        auth_plain(srv, buf, (size_t)n);
    } else if (srv->auth_step == 1) {
        if (memchr(buf, '\0', (size_t)n) || (size_t)n > NAME_MAX_LEN) {
            auth_abort(srv, "5.5.2", "auth.malformed", "Malformed user name");
            goto done;
        }
        str_copy(srv->login_user, sizeof srv->login_user, (const char *)buf, (size_t)n);
        srv->auth_step = 2;
        /* LOGIN's prompts are not in any RFC (draft-murchison-sasl-login) */
        reply(srv, 334, "", "auth.login_password", "draft-murchison-sasl-login",
              "UGFzc3dvcmQ6"); /* Password: */
    } else {
        bool ok = !memchr(buf, '\0', (size_t)n) && srv->login_user[0] &&
                  check_credentials(srv, srv->login_user, (const char *)buf);
        auth_done(srv, srv->login_user, ok);
    }
done:
    if (buf != small)
        free(buf);
}

/* check_auth - AUTH offered, not yet authenticated, no transaction, TLS or plain allowed */
static int check_auth(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    if (!auth_available(srv)) {
        /* RFC 5321 4.2.4: 502 for a command we recognise but do not implement */
        reply(srv, 502, "5.5.1", "auth.unavailable", "RFC 5321 4.2.4", "AUTH not available");
        return -1;
    }
    if (srv->authed) {
        reply(srv, 503, "5.5.1", "auth.already", "RFC 4954 4", "Already authenticated");
        return -1;
    }
    if (srv->in_mail) {
        reply(srv, 503, "5.5.1", "auth.in_transaction", "RFC 4954 4",
              "AUTH not permitted during a mail transaction");
        return -1;
    }
    if (!srv->tls && !srv->cfg.allow_plain_auth) {
        reply(srv, 538, "5.7.11", "auth.encryption_required", "RFC 4954 6",
              "Encryption required for requested authentication mechanism");
        return -1;
    }
    return 0;
}

/* proceed_auth - start PLAIN or LOGIN, with or without an initial response (RFC 4954 4) */
static void proceed_auth(smtp_server *srv, const smtp_command *cmd)
{
    size_t ml = 0;
    while (ml < cmd->arg_len && cmd->arg[ml] != ' ')
        ml++;
    const char *ir = NULL;
    size_t irl = 0;
    if (ml < cmd->arg_len) {
        ir = cmd->arg + ml + 1;
        irl = cmd->arg_len - ml - 1;
        if (irl == 0 || memchr(ir, ' ', irl)) {
            reply(srv, 501, "5.5.4", "auth.syntax", "RFC 4954 4",
                  "Syntax: AUTH mechanism [initial-response]");
            return;
        }
    }
    if (smtp_ieq(cmd->arg, ml, "PLAIN")) {
        srv->auth_mech = MECH_PLAIN;
        set_state(srv, SMTP_SRV_AUTH);
        if (ir)
            auth_response(srv, ir, irl);
        else
            reply(srv, 334, "", "auth.plain_challenge", "RFC 4616 2", "");
    } else if (smtp_ieq(cmd->arg, ml, "LOGIN")) {
        srv->auth_mech = MECH_LOGIN;
        srv->auth_step = 1;
        srv->login_user[0] = '\0';
        set_state(srv, SMTP_SRV_AUTH);
        if (ir)
            auth_response(srv, ir, irl);
        else
            reply(srv, 334, "", "auth.login_user", "draft-murchison-sasl-login",
                  "VXNlcm5hbWU6"); /* Username: */
    } else {
        reply(srv, 504, "5.5.4", "auth.unknown_mechanism", "RFC 4954 4",
              "Unrecognized authentication type");
    }
}

/* ---- the command table ------------------------------------------------------------------ */

typedef struct {
    smtp_command_id id;
    unsigned flags;
    int (*check)(smtp_server *, const smtp_command *);
    void (*proceed)(smtp_server *, const smtp_command *);
} command_row;

static const command_row command_rows[] = {
    {SMTP_CMD_HELO, 0, check_helo, proceed_helo},
    {SMTP_CMD_EHLO, 0, check_helo, proceed_ehlo},
    {SMTP_CMD_MAIL, F_GREETED | F_TLS | F_ARG, check_mail, proceed_mail},
    {SMTP_CMD_RCPT, F_GREETED | F_TLS | F_ARG, check_rcpt, proceed_rcpt},
    {SMTP_CMD_DATA, F_GREETED | F_TLS | F_NOARG, check_data, proceed_data},
    {SMTP_CMD_RSET, F_NOARG, NULL, proceed_rset},
    {SMTP_CMD_NOOP, 0, NULL, proceed_noop},
    {SMTP_CMD_QUIT, F_NOARG, NULL, proceed_quit},
    {SMTP_CMD_VRFY, F_TLS | F_ARG, NULL, proceed_vrfy},
    {SMTP_CMD_EXPN, 0, NULL, proceed_expn},
    {SMTP_CMD_HELP, 0, NULL, proceed_help},
    {SMTP_CMD_STARTTLS, F_NOARG, check_starttls, proceed_starttls},
    {SMTP_CMD_AUTH, F_GREETED | F_TLS | F_ARG, check_auth, proceed_auth},
};

/* check_flags - the checks shared by many commands, in the order a student would expect. */
static int check_flags(smtp_server *srv, const command_row *row, const smtp_command *cmd)
{
    if ((row->flags & F_GREETED) && !srv->greeted) {
        reply(srv, 503, "5.5.1", "seq.need_helo", "RFC 5321 4.1.4", "Send HELO/EHLO first");
        return -1;
    }
    if ((row->flags & F_TLS) && srv->cfg.require_tls && !srv->tls) {
        reply(srv, 530, "5.7.0", "tls.required", "RFC 3207 4",
              "Must issue a STARTTLS command first");
        return -1;
    }
    if ((row->flags & F_NOARG) && cmd->has_arg) {
        reply(srv, 501, "5.5.4", "syntax.no_args", "RFC 5321 4.1.1",
              "Syntax error: no arguments allowed");
        return -1;
    }
    if ((row->flags & F_ARG) && !cmd->has_arg) {
        reply(srv, 501, "5.5.4", "syntax.arg_required", "RFC 5321 4.1.1",
              "Syntax error: argument required");
        return -1;
    }
    return 0;
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
        ev_error(srv, "starttls.discarded", "RFC 3207 4.2", hidden, sizeof hidden - 1);
    else
        ev_error(srv, "starttls.discarded", "RFC 3207 4.2", b, n);
}

/* command_event - report the command line; AUTH credentials are hidden unless allowed. */
static void command_event(smtp_server *srv, const smtp_command *cmd, const char *line,
                          size_t len, const char *key)
{
    const smtp_command_info *info = smtp_command_info_get(cmd->id);
    const char *rfc = info ? info->rfc : "RFC 5321 4.1.1";
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
        ev = ev_push(srv, SMTP_EV_COMMAND, SMTP_DIR_C2S, tmp, pre + sizeof HIDDEN + 1, key, rfc);
    } else {
        ev = ev_push(srv, SMTP_EV_COMMAND, SMTP_DIR_C2S, line, len, key, rfc);
    }
    if (ev)
        str_copy(ev->verb, sizeof ev->verb, cmd->verb, strlen(cmd->verb));
}

/* command_key - explain key for a received command ("cmd.mail"). */
static const char *command_key(smtp_command_id id)
{
    static const char *const keys[SMTP_CMD_COUNT] = {
        [SMTP_CMD_UNKNOWN] = "cmd.unknown", [SMTP_CMD_HELO] = "cmd.helo",
        [SMTP_CMD_EHLO] = "cmd.ehlo",       [SMTP_CMD_MAIL] = "cmd.mail",
        [SMTP_CMD_RCPT] = "cmd.rcpt",       [SMTP_CMD_DATA] = "cmd.data",
        [SMTP_CMD_RSET] = "cmd.rset",       [SMTP_CMD_NOOP] = "cmd.noop",
        [SMTP_CMD_QUIT] = "cmd.quit",       [SMTP_CMD_VRFY] = "cmd.vrfy",
        [SMTP_CMD_EXPN] = "cmd.expn",       [SMTP_CMD_HELP] = "cmd.help",
        [SMTP_CMD_STARTTLS] = "cmd.starttls", [SMTP_CMD_AUTH] = "cmd.auth",
    };
    return keys[id];
}

/* error_limits - after each reply to a client command: the soft and hard error limits. */
static void error_limits(smtp_server *srv)
{
    if (srv->state == SMTP_SRV_CLOSED)
        return;
    if (!srv->soft_flagged && srv->errors >= srv->cfg.limits.value[SMTP_LIMIT_SOFT_ERRORS]) {
        srv->soft_flagged = true;
        /* RFC 5321 7.8 lets a server defend itself; the numbers are server policy */
        ev_error(srv, "errors.soft_limit", "RFC 5321 7.8", NULL, 0);
    }
    if (srv->errors >= srv->cfg.limits.value[SMTP_LIMIT_HARD_ERRORS]) {
        reply(srv, 421, "4.7.0", "errors.hard_limit", "RFC 5321 3.8",
              "Too many errors, closing connection");
        close_session(srv);
    }
}

/* handle_line - one complete line: wire bytes (with CRLF or bare LF) in srv->line. */
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
        ev_error(srv, "line.too_long", "RFC 5321 4.5.3.1.4", show ? line : NULL, show);
        if (auth || auth_cmd) {
            /* RFC 4954 4: the AUTH command fails with 500, 5.5.6 */
            if (auth_cmd)
                strcpy(srv->verb, "AUTH");
            srv->auth_mech = MECH_NONE;
            srv->auth_step = 0;
            set_state(srv, idle_state(srv));
            reply(srv, 500, "5.5.6", "auth.line_too_long", "RFC 4954 4",
                  "Authentication exchange line is too long");
        } else {
            reply(srv, 500, "5.5.6", "line.too_long", "RFC 5321 4.5.3.1.4", "Line too long");
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
            ev_push(srv, SMTP_EV_COMMAND, SMTP_DIR_C2S, HIDDEN "\r\n", sizeof HIDDEN + 1,
                    "auth.response", "RFC 4954 4");
        else
            ev_push(srv, SMTP_EV_COMMAND, SMTP_DIR_C2S, line, stored, "auth.response",
                    "RFC 4954 4");
        if (!crlf)
            auth_abort(srv, "5.5.2", "line.bare_lf", "Bare LF received, lines must end with CRLF");
        else
            auth_response(srv, line, len);
        error_limits(srv);
        return;
    }
    smtp_command_parse(line, len, &cmd);
    str_copy(srv->verb, sizeof srv->verb, cmd.verb, strlen(cmd.verb));
    command_event(srv, &cmd, line, stored, command_key(cmd.id));
    if (!crlf) {
        /* RFC 5321 2.3.8: CR and LF only ever appear together as a line end */
        reply(srv, 500, "5.5.2", "line.bare_lf", "RFC 5321 2.3.8",
              "Bare LF received, lines must end with CRLF");
    } else if (cmd.id == SMTP_CMD_UNKNOWN) {
        if (len == 0)
            reply(srv, 500, "5.5.2", "cmd.empty", "RFC 5321 4.1.1", "Empty command");
        else
            reply(srv, 500, "5.5.2", "cmd.unknown", "RFC 5321 4.2.4", "Command unrecognized");
    } else {
        for (size_t i = 0; i < sizeof command_rows / sizeof command_rows[0]; i++) {
            const command_row *row = &command_rows[i];
            if (row->id != cmd.id)
                continue;
            if (check_flags(srv, row, &cmd) == 0 && (!row->check || row->check(srv, &cmd) == 0))
                row->proceed(srv, &cmd);
            break;
        }
    }
    error_limits(srv);
}

/* data_append - message content. Storing stops a little past the size limit (the final
 * CRLF of the dot line is stored, then taken back); the verdict is made at the end. */
static void data_append(smtp_server *srv, const char *b, size_t n)
{
    data_scan_state *d = &srv->d;
    d->size += n;
    if (d->too_big)
        return;
    if (d->size > srv->cfg.limits.value[SMTP_LIMIT_MESSAGE_SIZE] + 2) {
        d->too_big = true;
        return;
    }
    sbuf_append(srv, &srv->data, b, n);
}

/* has_cr - is there a CR in p[0..n)? (memchr is vectorised; measured faster than a
 * word-at-a-time loop for 70-octet lines) */
static bool has_cr(const char *p, size_t n)
{
    return n && memchr(p, '\r', n) != NULL;
}

/* line_end - a CRLF ended the current line. Returns true when it was the final "." line. */
static bool line_end(smtp_server *srv, size_t text_limit)
{
    data_scan_state *d = &srv->d;
    if (d->dot_line && d->line_len == 1)
        return true;
    /* RFC 5321 4.5.3.1.6: 1000 octets with CRLF, "not counting the leading dot duplicated
     * for transparency" */
    if (d->line_len - (d->dot_line ? 1 : 0) + 2 > text_limit)
        d->line_too_long = true;
    d->line_len = 0;
    d->line_start = true;
    d->dot_line = false;
    return false;
}

/* data_scan - message bytes after 354 (RFC 5321 4.1.1.4, 4.5.2). Returns the bytes used; sets
 * *ended after the final CRLF.CRLF. Only CRLF ends a line: a bare CR or LF is content, and is
 * remembered so the message can be refused (RFC 5321 2.3.8; SMTP smuggling).
 * Cost: one memchr for LF and one has_cr pass per line. The content is the wire bytes minus
 * the first dot of dot-started lines, so it is copied in runs between such dots. */
static size_t data_scan(smtp_server *srv, const char *b, size_t n, bool *ended)
{
    data_scan_state *d = &srv->d;
    size_t text_limit = (size_t)srv->cfg.limits.value[SMTP_LIMIT_TEXT_LINE];
    size_t i = 0, run = 0;
    *ended = false;
    while (i < n) {
        if (d->cr_pending) {
            /* a CR ended the previous feed */
            d->cr_pending = false;
            if (b[i] == '\n') {
                i++;
                if (line_end(srv, text_limit))
                    goto end_of_data;
                continue;
            }
            d->bare_cr = true;
            d->line_len++;
        }
        if (d->line_start) {
            d->line_start = false;
            if (b[i] == '.') {
                /* transparency (4.5.2): drop the first dot of a line */
                data_append(srv, b + run, i - run);
                run = ++i;
                d->dot_line = true;
                d->line_len = 1;
                continue;
            }
        }
        const char *p = memchr(b + i, '\n', n - i);
        if (!p) {
            /* the line goes on in the next feed; a CR at the very end may be half a CRLF */
            size_t stop = b[n - 1] == '\r' ? n - 1 : n;
            if (has_cr(b + i, stop - i))
                d->bare_cr = true;
            d->line_len += stop - i;
            d->cr_pending = stop < n;
            i = n;
            break;
        }
        size_t lf = (size_t)(p - b);
        bool crlf = lf > i && b[lf - 1] == '\r';
        size_t stop = crlf ? lf - 1 : lf;
        if (has_cr(b + i, stop - i))
            d->bare_cr = true;
        d->line_len += stop - i;
        i = lf + 1;
        if (!crlf) {
            d->bare_lf = true; /* content, not a line end */
            d->line_len++;
            continue;
        }
        if (line_end(srv, text_limit))
            goto end_of_data;
    }
    data_append(srv, b + run, i - run);
    return i;
end_of_data:
    /* "." CRLF after CRLF. Its CRLF is not content; it may have been stored by an earlier
     * feed, so it is taken back here. */
    data_append(srv, b + run, i - run);
    if (!d->too_big)
        srv->data.len -= 2;
    d->size -= 2;
    *ended = true;
    return i;
}

/* finish_message - CRLF.CRLF seen: decide (RFC 5321 4.1.1.4), then back to idle. */
static void finish_message(smtp_server *srv)
{
    data_scan_state *d = &srv->d;
    strcpy(srv->verb, "DATA");
    if (d->bare_lf || d->bare_cr) {
        ev_error(srv, d->bare_lf ? "data.bare_lf" : "data.bare_cr", "RFC 5321 2.3.8", NULL, 0);
        reply(srv, 550, "5.6.0", d->bare_lf ? "data.bare_lf" : "data.bare_cr", "RFC 5321 2.3.8",
              "Message refused: bare CR or LF in message (RFC 5321 2.3.8)");
    } else if (d->too_big || d->size > srv->cfg.limits.value[SMTP_LIMIT_MESSAGE_SIZE]) {
        reply(srv, 552, "5.3.4", "data.too_big", "RFC 1870 6.3",
              "Message size exceeds fixed maximum message size");
    } else if (d->line_too_long) {
        reply(srv, 550, "5.6.0", "data.line_too_long", "RFC 5321 4.5.3.1.6",
              "Message refused: text line longer than the limit");
    } else {
        smtp_verdict v = {0};
        env_sync(srv);
        if (srv->cfg.policy.on_accept)
            srv->cfg.policy.on_accept(srv->cfg.policy.ctx, &srv->env, &v);
        if (v.code != 0) {
            verdict_reply(srv, &v, "data.rejected");
        } else {
            smtp_event *ev = ev_push(srv, SMTP_EV_MESSAGE, SMTP_DIR_NONE, NULL, 0,
                                     "data.message", "RFC 5321 4.1.1.4");
            if (ev)
                strcpy(ev->verb, "DATA");
            reply(srv, 250, "2.0.0", "data.ok", "RFC 5321 4.1.1.4", "Ok: queued");
        }
    }
    /* The transaction stays readable (smtp_server_envelope) while the driver drains
     * SMTP_EV_MESSAGE; the next MAIL, RSET, HELO/EHLO or STARTTLS clears it. */
    srv->in_mail = false;
    set_state(srv, idle_state(srv));
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
    reply(srv, 220, "", "greeting", "RFC 5321 3.1", text);
    set_state(srv, SMTP_SRV_READY);
}

/* smtp_server_new - a connected session; the greeting is queued unless TLS comes first */
smtp_server *smtp_server_new(const smtp_server_config *cfg, const smtp_peer *peer, uint64_t now_ms)
{
    /* zero the small members only: the tail is buffers that are written before being read */
    smtp_server *srv = malloc(sizeof *srv);
    if (!srv)
        return NULL;
    memset(srv, 0, offsetof(smtp_server, mail_from));
    srv->mail_from[0] = srv->helo[0] = srv->auth_user[0] = srv->login_user[0] = '\0';
    srv->dsn_envid[0] = '\0';
    membuf_init_inline(&srv->out, srv->out_inline, sizeof srv->out_inline);
    membuf_init_inline(&srv->arena, srv->arena_inline, sizeof srv->arena_inline);
    membuf_init_inline(&srv->data, srv->data_inline, sizeof srv->data_inline);
    membuf_init_inline(&srv->rcpt_store, srv->store_inline, sizeof srv->store_inline);
    srv->out.max = srv->arena.max = srv->data.max = srv->rcpt_store.max = SIZE_MAX;
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
    env_sync(srv);
    return srv;
}

/* smtp_server_free - release the session and any buffer that moved to the heap */
void smtp_server_free(smtp_server *srv)
{
    if (!srv)
        return;
    if (srv->line != srv->line_inline)
        free(srv->line);
    membuf *bufs[] = {&srv->out, &srv->arena, &srv->data, &srv->rcpt_store};
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

/* out_of_memory - a buffer could not grow: replies may be missing, so the session cannot go
 * on correctly. It is closed (the state funnel still reports it if an event fits). */
static void out_of_memory(smtp_server *srv)
{
    if (srv->state != SMTP_SRV_CLOSED)
        close_session(srv);
}

/* smtp_server_feed - bytes from the client: command lines, AUTH responses or message data */
int smtp_server_feed(smtp_server *srv, const void *bytes, size_t len, uint64_t now_ms)
{
    begin_call(srv, now_ms);
    if (srv->state == SMTP_SRV_CLOSED)
        return -1;
    if (len == 0)
        return 0;
    srv->last_activity = srv->now;
    const char *b = bytes;
    if (srv->state == SMTP_SRV_TLS || srv->state == SMTP_SRV_GREETING) {
        /* TLS handshake bytes belong to the driver; anything here is stray plaintext */
        discard_event(srv, b, len);
        return 0;
    }
    size_t i = 0;
    while (i < len && srv->state != SMTP_SRV_CLOSED && !srv->oom) {
        if (srv->state == SMTP_SRV_TLS) {
            /* CVE-2011-0411: commands pipelined behind STARTTLS must not survive it */
            discard_event(srv, b + i, len - i);
            break;
        }
        if (srv->state == SMTP_SRV_DATA) {
            bool ended;
            size_t used = data_scan(srv, b + i, len - i, &ended);
            smtp_event *ev = ev_push(srv, SMTP_EV_DATA, SMTP_DIR_C2S, b + i, used,
                                     "data.content", "RFC 5321 4.1.1.4");
            if (ev)
                strcpy(ev->verb, "DATA");
            i += used;
            if (ended)
                finish_message(srv);
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
            char *p = grow_block(srv, srv->line, srv->line_len, cap, srv->line != srv->line_inline);
            if (!p)
                break; /* srv->oom is set: the session closes below */
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
        reply(srv, 421, "4.4.2", "session.timeout", "RFC 5321 4.5.3.2.7",
              "Error: timeout exceeded, closing connection");
        close_session(srv);
    }
}

uint64_t smtp_server_deadline(const smtp_server *srv)
{
    if (srv->state == SMTP_SRV_CLOSED)
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
    reset_transaction(srv);
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
        set_state(srv, SMTP_SRV_READY);
}

/* smtp_server_shutdown - 421 4.3.2 and close (RFC 5321 3.8) */
void smtp_server_shutdown(smtp_server *srv, uint64_t now_ms)
{
    begin_call(srv, now_ms);
    if (srv->state == SMTP_SRV_CLOSED)
        return;
    srv->verb[0] = '\0';
    reply(srv, 421, "4.3.2", "session.shutdown", "RFC 5321 3.8",
          "Service shutting down, closing connection");
    close_session(srv);
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
    env_sync((smtp_server *)srv);
    return &srv->env;
}
