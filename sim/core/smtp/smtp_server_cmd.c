/* smtp_server_cmd.c - the server's command table and its handlers (RFC 5321 4.1.1).
 *
 * One row per command, indexed by smtp_command_id, holds everything about it: verb, syntax,
 * the RFC section that defines it, the explanation key, one line for students, the checks
 * shared with other commands (flags), and the pair of functions in OpenSMTPD's style: check_*
 * validates and replies on error (CHECK_FAIL), or asks a policy hook that may answer pending
 * (CHECK_PENDING); proceed_* changes state and sends the success reply. Dispatch indexes the
 * table by id: O(1), no scan.
 *
 * MAIL and RCPT parameters are a table too (name, the extension that must be offered, a
 * parser, the reply for a bad value and the RFC), walked once per parameter.
 */
#include <stdlib.h>
#include <string.h>

#include "core/smtp/smtp_reply.h"
#include "core/smtp/smtp_server_internal.h"

/* Flags on a command table row: checks shared by several commands. */
enum {
    F_GREETED = 1 << 0, /* needs HELO/EHLO first (RFC 5321 4.1.4) -> 503 5.5.1 */
    F_TLS = 1 << 1,     /* refused before STARTTLS when require_tls (RFC 3207 4) -> 530 5.7.0 */
    F_NOARG = 1 << 2,   /* takes no argument -> 501 5.5.4 */
    F_ARG = 1 << 3,     /* needs an argument -> 501 5.5.4 */
};

/* ---- policy helpers ------------------------------------------------------------------------ */

/* srv_auth_available - can this server check passwords at all (users or a hook)? */
bool srv_auth_available(const smtp_server *srv)
{
    return srv->cfg.n_users > 0 || srv->cfg.policy.check_password != NULL;
}

/* auth_offered - RFC 4954 4 / RFC 3207: offer AUTH only where the password would be safe. */
static bool auth_offered(const smtp_server *srv)
{
    return srv_auth_available(srv) && (srv->tls || srv->cfg.allow_plain_auth);
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

/* ---- HELO, EHLO -------------------------------------------------------------------------- */

/* check_helo - HELO/EHLO argument: one printable word (RFC 5321 4.1.1.1) */
static int check_helo(smtp_server *srv, const smtp_command *cmd)
{
    /* RFC 5321 4.1.1.1: one Domain or address-literal. We accept any single printable word
     * (many clients send a bare host name), but not spaces or nothing. */
    bool ok = cmd->has_arg && cmd->arg_len <= NAME_MAX_LEN &&
              smtp_reply_text_valid(cmd->arg, cmd->arg_len) && !memchr(cmd->arg, ' ', cmd->arg_len);
    if (!ok) {
        /* RFC 2034: no enhanced code on replies to HELO/EHLO */
        srv_reply(srv, cmd->id == SMTP_CMD_EHLO ? R_EHLO_SYNTAX : R_HELO_SYNTAX);
        return CHECK_FAIL;
    }
    return CHECK_OK;
}

/* greet - what HELO and EHLO share: reset, remember the name, wait for MAIL */
static void greet(smtp_server *srv, const smtp_command *cmd, bool esmtp)
{
    /* RFC 5321 4.1.4: a HELO/EHLO resets any transaction, like RSET */
    srv_reset_transaction(srv);
    str_copy(srv->helo, sizeof srv->helo, cmd->arg, cmd->arg_len);
    srv->greeted = true;
    srv->esmtp = esmtp;
    srv_set_state(srv, SMTP_SRV_IDLE);
}

/* proceed_helo - 250 and our name; plain SMTP from now on */
static void proceed_helo(smtp_server *srv, const smtp_command *cmd)
{
    greet(srv, cmd, false);
    srv_reply_text(srv, R_HELO_OK, srv->hostname);
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
    srv_reply_lines(srv, R_EHLO_OK, lines, n);
}

/* ---- MAIL and RCPT parameters ------------------------------------------------------------ */

/* parse_size - RFC 1870 size-value: 1*20DIGIT, no overflow. */
static int parse_size(smtp_server *srv, const char *v, size_t len, bool hv)
{
    if (!hv || len == 0 || len > SIZE_DIGITS_MAX)
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
    srv->ps.size = x;
    return 0;
}

/* parse_body - RFC 6152 2: BODY=7BIT or BODY=8BITMIME */
static int parse_body(smtp_server *srv, const char *v, size_t len, bool hv)
{
    bool is7 = hv && smtp_ieq(v, len, "7BIT");
    bool is8 = hv && smtp_ieq(v, len, "8BITMIME");
    if (!is7 && !is8)
        return -1;
    strcpy(srv->ps.body, is7 ? "7BIT" : "8BITMIME");
    return 0;
}

/* parse_smtputf8 - RFC 6531 3.4: a keyword without a value */
static int parse_smtputf8(smtp_server *srv, const char *v, size_t len, bool hv)
{
    (void)srv, (void)v, (void)len;
    return hv ? -1 : 0;
}

/* parse_ret - RFC 3461 4.3: RET=FULL or RET=HDRS */
static int parse_ret(smtp_server *srv, const char *v, size_t len, bool hv)
{
    bool full = hv && smtp_ieq(v, len, "FULL"), hdrs = hv && smtp_ieq(v, len, "HDRS");
    if (!full && !hdrs)
        return -1;
    strcpy(srv->ps.ret, full ? "FULL" : "HDRS");
    return 0;
}

/* parse_envid - RFC 3461 4.4: xtext, at most 100 characters */
static int parse_envid(smtp_server *srv, const char *v, size_t len, bool hv)
{
    if (!hv || len > ENVID_MAX || !smtp_xtext_valid(v, len))
        return -1;
    str_copy(srv->ps.envid, sizeof srv->ps.envid, v, len);
    return 0;
}

/* parse_auth - RFC 4954 5: the original submitter, "<>" or xtext; accepted and not used */
static int parse_auth(smtp_server *srv, const char *v, size_t len, bool hv)
{
    (void)srv;
    return hv && (smtp_ieq(v, len, "<>") || smtp_xtext_valid(v, len)) ? 0 : -1;
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

/* parse_notify - RFC 3461 4.1, kept upper case for the envelope */
static int parse_notify(smtp_server *srv, const char *v, size_t len, bool hv)
{
    if (!hv || len >= sizeof srv->ps.notify || !notify_valid(v, len))
        return -1;
    str_copy(srv->ps.notify, sizeof srv->ps.notify, v, len);
    for (char *c = srv->ps.notify; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    return 0;
}

/* parse_orcpt - RFC 3461 4.2: addr-type ";" xtext, at most 500 characters. */
static int parse_orcpt(smtp_server *srv, const char *v, size_t len, bool hv)
{
    (void)srv;
    if (!hv)
        return -1;
    const char *semi = memchr(v, ';', len);
    if (!semi || semi == v || len > ORCPT_MAX)
        return -1;
    for (const char *p = v; p < semi; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return -1;
    }
    size_t rest = len - (size_t)(semi + 1 - v);
    return rest > 0 && smtp_xtext_valid(semi + 1, rest) ? 0 : -1;
}

/* The extension a parameter belongs to: offered in this session or the parameter is unknown
 * (555, RFC 5321 4.1.1.11). */
typedef enum { EXT_SIZE, EXT_8BITMIME, EXT_SMTPUTF8, EXT_DSN, EXT_AUTH } param_ext;

/* Bits of ps.seen: a parameter given twice is refused. */
enum {
    P_SIZE = 1 << 0, P_BODY = 1 << 1, P_SMTPUTF8 = 1 << 2, P_RET = 1 << 3, P_ENVID = 1 << 4,
    P_AUTH = 1 << 5, P_NOTIFY = 1 << 6, P_ORCPT = 1 << 7,
};

typedef struct {
    const char *name;
    unsigned bit;        /* in ps.seen */
    smtp_command_id cmd; /* MAIL or RCPT */
    param_ext ext;
    int (*parse)(smtp_server *srv, const char *v, size_t len, bool has_value); /* 0 or -1 */
    reply_id bad;        /* a repeated parameter or a bad value */
    const char *rfc;
} param_row;

static const param_row params[] = {
    {"SIZE", P_SIZE, SMTP_CMD_MAIL, EXT_SIZE, parse_size, R_MAIL_BAD_SIZE, "RFC 1870 6"},
    {"BODY", P_BODY, SMTP_CMD_MAIL, EXT_8BITMIME, parse_body, R_MAIL_BAD_BODY, "RFC 6152 2"},
    {"SMTPUTF8", P_SMTPUTF8, SMTP_CMD_MAIL, EXT_SMTPUTF8, parse_smtputf8, R_MAIL_BAD_SMTPUTF8,
     "RFC 6531 3.4"},
    {"RET", P_RET, SMTP_CMD_MAIL, EXT_DSN, parse_ret, R_MAIL_BAD_RET, "RFC 3461 4.3"},
    {"ENVID", P_ENVID, SMTP_CMD_MAIL, EXT_DSN, parse_envid, R_MAIL_BAD_ENVID, "RFC 3461 4.4"},
    {"AUTH", P_AUTH, SMTP_CMD_MAIL, EXT_AUTH, parse_auth, R_MAIL_BAD_AUTH, "RFC 4954 5"},
    {"NOTIFY", P_NOTIFY, SMTP_CMD_RCPT, EXT_DSN, parse_notify, R_RCPT_BAD_NOTIFY, "RFC 3461 4.1"},
    {"ORCPT", P_ORCPT, SMTP_CMD_RCPT, EXT_DSN, parse_orcpt, R_RCPT_BAD_ORCPT, "RFC 3461 4.2"},
};

/* ext_offered - is the extension of a parameter on in this session? SIZE is always offered. */
static bool ext_offered(const smtp_server *srv, param_ext ext)
{
    switch (ext) {
    case EXT_SIZE: return true;
    case EXT_8BITMIME: return srv->cfg.eightbitmime;
    case EXT_SMTPUTF8: return srv->cfg.smtputf8;
    case EXT_DSN: return srv->cfg.dsn;
    case EXT_AUTH: return srv_auth_available(srv);
    }
    return false;
}

/* check_params - the parameters after the path (RFC 5321 4.1.2 esmtp-param), one table row
 * each. Parameters exist only after EHLO (4.1.1.11). Replies and returns CHECK_FAIL on the
 * first bad one; the values land in srv->ps. Cost: a few rows per parameter, ASCII compare. */
static int check_params(smtp_server *srv, smtp_command_id cmd, const char *p, size_t plen)
{
    bool mail = cmd == SMTP_CMD_MAIL;
    memset(&srv->ps, 0, sizeof srv->ps);
    const char *k, *v;
    size_t kl, vl;
    bool hv;
    int r;
    while ((r = smtp_param_next(&p, &plen, &k, &kl, &v, &vl, &hv)) == 1) {
        const param_row *row = NULL;
        for (size_t i = 0; i < sizeof params / sizeof params[0] && !row; i++)
            if (params[i].cmd == cmd && smtp_ieq(k, kl, params[i].name))
                row = &params[i];
        if (!srv->esmtp || !row || !ext_offered(srv, row->ext)) {
            srv_reply(srv, mail ? R_MAIL_PARAM_UNKNOWN : R_RCPT_PARAM_UNKNOWN);
            return CHECK_FAIL;
        }
        if ((srv->ps.seen & row->bit) || row->parse(srv, v, vl, hv) < 0) {
            srv_reply(srv, row->bad);
            return CHECK_FAIL;
        }
        srv->ps.seen |= row->bit;
    }
    if (r < 0) {
        srv_reply(srv, mail ? R_MAIL_PARAM_SYNTAX : R_RCPT_PARAM_SYNTAX);
        return CHECK_FAIL;
    }
    return CHECK_OK;
}

/* ---- MAIL, RCPT ------------------------------------------------------------------------------ */

/* path_error - reply for a path that smtp_path_parse refused. */
static void path_error(smtp_server *srv, smtp_path_status st, bool sender)
{
    switch (st) {
    case SMTP_PATH_LOCAL_TOO_LONG: srv_reply(srv, R_PATH_LOCAL_TOO_LONG); break;
    case SMTP_PATH_DOMAIN_TOO_LONG: srv_reply(srv, R_PATH_DOMAIN_TOO_LONG); break;
    case SMTP_PATH_TOO_LONG: srv_reply(srv, R_PATH_TOO_LONG); break;
    default: srv_reply(srv, sender ? R_MAIL_BAD_PATH : R_RCPT_BAD_PATH); break;
    }
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

/* parse_path_and_params - "FROM:<path> params" or "TO:<path> params" into srv->path and
 * srv->ps; replies on error. */
static int parse_path_and_params(smtp_server *srv, const smtp_command *cmd)
{
    bool mail = cmd->id == SMTP_CMD_MAIL;
    size_t len;
    const char *a = path_arg(cmd, mail ? "FROM:" : "TO:", &len);
    if (!a) {
        srv_reply(srv, mail ? R_MAIL_SYNTAX : R_RCPT_SYNTAX);
        return CHECK_FAIL;
    }
    smtp_path_limits lim = {
        .local_part = (size_t)srv->cfg.limits.value[SMTP_LIMIT_LOCAL_PART],
        .domain = (size_t)srv->cfg.limits.value[SMTP_LIMIT_DOMAIN],
        .path = (size_t)srv->cfg.limits.value[SMTP_LIMIT_PATH],
    };
    size_t used;
    smtp_path_status st = smtp_path_parse(a, len, mail, !mail, &lim, &srv->path, &used);
    if (st != SMTP_PATH_OK) {
        path_error(srv, st, mail);
        return CHECK_FAIL;
    }
    if (len > used && a[used] != ' ') {
        path_error(srv, SMTP_PATH_SYNTAX, mail);
        return CHECK_FAIL;
    }
    return check_params(srv, cmd->id, a + used, len - used);
}

/* check_mail - MAIL FROM: sequence, AUTH, path, ESMTP parameters, SIZE, hook */
static int check_mail(smtp_server *srv, const smtp_command *cmd)
{
    if (srv->in_mail) {
        srv_reply(srv, R_MAIL_NESTED);
        return CHECK_FAIL;
    }
    if (srv->cfg.require_auth && !srv->authed) {
        srv_reply(srv, R_MAIL_AUTH_REQUIRED);
        return CHECK_FAIL;
    }
    srv_reset_transaction(srv); /* what is left of the previous message */
    if (parse_path_and_params(srv, cmd) != CHECK_OK)
        return CHECK_FAIL;
    bool utf8 = (srv->ps.seen & P_SMTPUTF8) != 0;
    if (srv->path.non_ascii && !utf8) {
        /* RFC 6531 3.5: 550 for a sender (MAIL), 553 for a recipient (RCPT); both X.6.7 */
        srv_reply(srv, R_MAIL_UTF8_REQUIRED);
        return CHECK_FAIL;
    }
    if ((srv->ps.seen & P_SIZE) && srv->ps.size > srv->cfg.limits.value[SMTP_LIMIT_MESSAGE_SIZE]) {
        srv_reply(srv, R_MAIL_SIZE_EXCEEDED);
        return CHECK_FAIL;
    }
    /* the transaction is staged now; proceed_mail commits it unless the hook objects */
    str_copy(srv->mail_from, sizeof srv->mail_from, srv->path.addr, strlen(srv->path.addr));
    srv->declared_size = srv->ps.size;
    strcpy(srv->body, srv->ps.body);
    srv->smtputf8 = utf8;
    strcpy(srv->dsn_ret, srv->ps.ret);
    strcpy(srv->dsn_envid, srv->ps.envid);
    if (srv->cfg.policy.on_mail) {
        smtp_verdict v0 = {0};
        srv_env_sync(srv);
        srv->cfg.policy.on_mail(srv->cfg.policy.ctx, &srv->env, &v0);
        if (v0.code == SMTP_VERDICT_PENDING) {
            srv->paused = PAUSE_MAIL;
            return CHECK_PENDING;
        }
        if (v0.code != 0) {
            srv_reset_transaction(srv);
            srv_reply_verdict(srv, R_MAIL_REJECTED, &v0);
            return CHECK_FAIL;
        }
    }
    return CHECK_OK;
}

/* proceed_mail - open the transaction (RFC 5321 4.1.1.2) */
static void proceed_mail(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    srv->in_mail = true;
    srv_set_state(srv, SMTP_SRV_MAIL);
    srv_reply(srv, srv->path.null_path ? R_MAIL_NULL_SENDER : R_MAIL_OK);
}

/* srv_resume_mail - the on_mail hook's late verdict, answered as check_mail would have */
void srv_resume_mail(smtp_server *srv, const smtp_verdict *v)
{
    if (v->code != 0) {
        srv_reset_transaction(srv);
        srv_reply_verdict(srv, R_MAIL_REJECTED, v);
        return;
    }
    proceed_mail(srv, NULL);
}

/* check_rcpt - RCPT TO: sequence, path, DSN parameters, limits, role policy, hook */
static int check_rcpt(smtp_server *srv, const smtp_command *cmd)
{
    if (!srv->in_mail) {
        srv_reply(srv, R_RCPT_NEED_MAIL);
        return CHECK_FAIL;
    }
    if (parse_path_and_params(srv, cmd) != CHECK_OK)
        return CHECK_FAIL;
    if (srv->path.non_ascii && !srv->smtputf8) {
        srv_reply(srv, R_RCPT_UTF8_REQUIRED);
        return CHECK_FAIL;
    }
    if (srv->n_rcpts >= srv->cfg.limits.value[SMTP_LIMIT_RECIPIENTS]) {
        /* RFC 5321 4.5.3.1.10: 452 asks the client to send the rest in a later transaction; the
         * transaction goes on. That is not a client error, so a pipelining client with many
         * recipients must not be cut off by the error limits. Only a client that goes on far
         * past the limit (recipient_overshoot, as in Postfix) is counted (RFC 5321 7.8). */
        srv->rcpt_overshoot++;
        if (srv->rcpt_overshoot > srv->cfg.limits.value[SMTP_LIMIT_RECIPIENT_OVERSHOOT])
            srv_reply(srv, R_RCPT_TOO_MANY);
        else
            srv_reply_uncounted(srv, R_RCPT_TOO_MANY);
        return CHECK_FAIL;
    }
    /* Role policy. <postmaster> is always accepted (RFC 5321 4.5.1). */
    if (!srv->path.postmaster) {
        const char *dom = srv->path.addr + srv->path.domain_off;
        if (domain_is_local(srv, dom)) {
            if (!mailbox_exists(srv, srv->path.addr, srv->path.local_len)) {
                srv_reply(srv, R_RCPT_UNKNOWN_USER);
                return CHECK_FAIL;
            }
        } else {
            bool relay = srv->authed || (srv->cfg.role == SMTP_ROLE_MTA && srv->peer.trusted);
            if (!relay) {
                srv_reply(srv, R_RCPT_RELAY_DENIED);
                return CHECK_FAIL;
            }
        }
    }
    if (srv->cfg.policy.on_rcpt) {
        smtp_verdict v0 = {0};
        srv_env_sync(srv);
        srv->cfg.policy.on_rcpt(srv->cfg.policy.ctx, &srv->env, srv->path.addr, &v0);
        if (v0.code == SMTP_VERDICT_PENDING) {
            srv->paused = PAUSE_RCPT;
            return CHECK_PENDING;
        }
        if (v0.code != 0) {
            srv_reply_verdict(srv, R_RCPT_REJECTED, &v0);
            return CHECK_FAIL;
        }
    }
    return CHECK_OK;
}

/* add_rcpt - append the staged recipient; -1 when out of memory. */
static int add_rcpt(smtp_server *srv)
{
    if (srv->n_rcpts == srv->rcpt_cap) {
        size_t cap = srv->rcpt_cap * 2;
        size_t *off = srv_grow_block(srv, srv->rcpt_off, srv->rcpt_cap * sizeof *off,
                                     cap * sizeof *off, srv->rcpt_heap);
        const char **rp = srv_grow_block(srv, srv->rcpt_ptr, srv->rcpt_cap * sizeof *rp,
                                         cap * sizeof *rp, srv->rcpt_heap);
        const char **np = srv_grow_block(srv, srv->notify_ptr, srv->rcpt_cap * sizeof *np,
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
        srv->ptr_base = NULL; /* pointer arrays are rebuilt in srv_env_sync */
    }
    size_t off = srv->rcpt_store.len;
    if (srv_sbuf_append(srv, &srv->rcpt_store, srv->path.addr, strlen(srv->path.addr) + 1) < 0 ||
        srv_sbuf_append(srv, &srv->rcpt_store, srv->ps.notify, strlen(srv->ps.notify) + 1) < 0)
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
    srv_set_state(srv, SMTP_SRV_RCPT);
    srv_reply(srv, srv->path.postmaster ? R_RCPT_POSTMASTER : R_RCPT_OK);
}

/* srv_resume_rcpt - the on_rcpt hook's late verdict, answered as check_rcpt would have */
void srv_resume_rcpt(smtp_server *srv, const smtp_verdict *v)
{
    if (v->code != 0) {
        srv_reply_verdict(srv, R_RCPT_REJECTED, v);
        return;
    }
    proceed_rcpt(srv, NULL);
}

/* ---- DATA and the simple commands ----------------------------------------------------------- */

/* check_data - DATA needs MAIL and at least one accepted RCPT */
static int check_data(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    if (!srv->in_mail) {
        srv_reply(srv, R_DATA_NEED_RCPT);
        return CHECK_FAIL;
    }
    if (srv->n_rcpts == 0) {
        /* RFC 2920 3.1 / RFC 5321 3.3: MAIL was fine but every RCPT failed */
        srv_reply(srv, R_DATA_NO_RCPT);
        return CHECK_FAIL;
    }
    return CHECK_OK;
}

/* proceed_data - 354 and switch to reading the message (RFC 5321 4.1.1.4) */
static void proceed_data(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    srv_data_start(srv);
    srv_set_state(srv, SMTP_SRV_DATA);
    srv_reply(srv, R_DATA_START);
}

/* proceed_rset - drop the transaction, keep the session (RFC 5321 4.1.1.5) */
static void proceed_rset(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    srv_reset_transaction(srv);
    srv_set_state(srv, srv_idle_state(srv));
    srv_reply(srv, R_RSET_OK);
}

/* proceed_noop - 250, nothing else (RFC 5321 4.1.1.9) */
static void proceed_noop(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    srv_reply(srv, R_NOOP_OK);
}

/* proceed_quit - 221 and close (RFC 5321 4.1.1.10) */
static void proceed_quit(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    srv_reply(srv, R_QUIT_OK);
    srv_close_session(srv);
}

/* proceed_vrfy - 252: we neither confirm nor deny users (RFC 5321 7.3: a site that disables
 * VRFY for security MUST answer 252) */
static void proceed_vrfy(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    srv_reply(srv, R_VRFY);
}

/* proceed_expn - 252: list expansion is disabled, and RFC 5321 7.3 says such a site MUST
 * answer 252, not a code that could pass for a failed expansion */
static void proceed_expn(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    srv_reply(srv, R_EXPN);
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
    srv_reply_lines(srv, R_HELP, lines, 3);
}

/* check_starttls - not twice, not without TLS, not inside a transaction */
static int check_starttls(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    if (srv->tls) {
        srv_reply(srv, R_STARTTLS_ALREADY);
        return CHECK_FAIL;
    }
    if (!srv->cfg.tls_available) {
        srv_reply(srv, R_STARTTLS_UNAVAILABLE);
        return CHECK_FAIL;
    }
    if (srv->in_mail) {
        srv_reply(srv, R_STARTTLS_IN_TRANSACTION);
        return CHECK_FAIL;
    }
    return CHECK_OK;
}

/* proceed_starttls - 220, then hand the connection to the driver for the handshake */
static void proceed_starttls(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    srv_reply(srv, R_STARTTLS_READY);
    srv_set_state(srv, SMTP_SRV_TLS);
    smtp_event *ev = srv_ev_push(srv, SMTP_EV_STARTTLS, SMTP_DIR_NONE, NULL, 0,
                                 "starttls.handshake", "RFC 3207 4.1");
    if (ev)
        strcpy(ev->verb, "STARTTLS");
}

/* ---- the command table ------------------------------------------------------------------ */

typedef struct {
    smtp_command_info info; /* id, verb, syntax, RFC, explanation key, one line for students */
    unsigned flags;
    int (*check)(smtp_server *, const smtp_command *);
    void (*proceed)(smtp_server *, const smtp_command *);
} command_row;

#define ROW(id, verb, syntax, rfc, key, what, flags, check, proceed) \
    [id] = {{id, verb, syntax, rfc, key, what}, flags, check, proceed}

static const command_row command_rows[SMTP_CMD_COUNT] = {
    ROW(SMTP_CMD_HELO, "HELO", "HELO SP Domain", "RFC 5321 4.1.1.1", "cmd.helo",
        "greet the server (plain SMTP, no extensions)", 0, check_helo, proceed_helo),
    ROW(SMTP_CMD_EHLO, "EHLO", "EHLO SP ( Domain / address-literal )", "RFC 5321 4.1.1.1",
        "cmd.ehlo", "greet the server and ask which extensions it offers", 0, check_helo,
        proceed_ehlo),
    ROW(SMTP_CMD_MAIL, "MAIL", "MAIL FROM:<reverse-path> [SP mail-parameters]",
        "RFC 5321 4.1.1.2", "cmd.mail", "start a mail transaction and name the sender",
        F_GREETED | F_TLS | F_ARG, check_mail, proceed_mail),
    ROW(SMTP_CMD_RCPT, "RCPT", "RCPT TO:<forward-path> [SP rcpt-parameters]", "RFC 5321 4.1.1.3",
        "cmd.rcpt", "name one recipient of the message", F_GREETED | F_TLS | F_ARG, check_rcpt,
        proceed_rcpt),
    ROW(SMTP_CMD_DATA, "DATA", "DATA", "RFC 5321 4.1.1.4", "cmd.data",
        "send the message itself, ended by a line with a single dot",
        F_GREETED | F_TLS | F_NOARG, check_data, proceed_data),
    ROW(SMTP_CMD_RSET, "RSET", "RSET", "RFC 5321 4.1.1.5", "cmd.rset",
        "abort the current transaction", F_NOARG, NULL, proceed_rset),
    ROW(SMTP_CMD_NOOP, "NOOP", "NOOP [SP String]", "RFC 5321 4.1.1.9", "cmd.noop",
        "do nothing; the server answers 250", 0, NULL, proceed_noop),
    ROW(SMTP_CMD_QUIT, "QUIT", "QUIT", "RFC 5321 4.1.1.10", "cmd.quit",
        "end the session; the server answers 221 and closes", F_NOARG, NULL, proceed_quit),
    ROW(SMTP_CMD_VRFY, "VRFY", "VRFY SP String", "RFC 5321 4.1.1.6", "cmd.vrfy",
        "ask whether a user exists (many servers will not say)", F_TLS | F_ARG, NULL,
        proceed_vrfy),
    ROW(SMTP_CMD_EXPN, "EXPN", "EXPN SP String", "RFC 5321 4.1.1.7", "cmd.expn",
        "ask for the members of a mailing list (often disabled)", 0, NULL, proceed_expn),
    ROW(SMTP_CMD_HELP, "HELP", "HELP [SP String]", "RFC 5321 4.1.1.8", "cmd.help",
        "ask the server for help text", 0, NULL, proceed_help),
    ROW(SMTP_CMD_STARTTLS, "STARTTLS", "STARTTLS", "RFC 3207 4", "cmd.starttls",
        "switch the connection to TLS before anything secret is sent", F_NOARG, check_starttls,
        proceed_starttls),
    ROW(SMTP_CMD_AUTH, "AUTH", "AUTH SP mechanism [SP initial-response]", "RFC 4954 4",
        "cmd.auth", "log in with a SASL mechanism (PLAIN, LOGIN)", F_GREETED | F_TLS | F_ARG,
        srv_check_auth, srv_proceed_auth),
};

/* smtp_server_command_info - the public part of a row */
const smtp_command_info *smtp_server_command_info(smtp_command_id id)
{
    if ((int)id <= SMTP_CMD_UNKNOWN || id >= SMTP_CMD_COUNT)
        return NULL;
    return &command_rows[id].info;
}

/* srv_command_key - explain key of a received command */
const char *srv_command_key(smtp_command_id id)
{
    const smtp_command_info *info = smtp_server_command_info(id);
    return info ? info->key : "cmd.unknown";
}

/* srv_command_rfc - the section defining a command; 4.1.1 for the unknown ones */
const char *srv_command_rfc(smtp_command_id id)
{
    const smtp_command_info *info = smtp_server_command_info(id);
    return info ? info->rfc : "RFC 5321 4.1.1";
}

/* check_flags - the checks shared by many commands, in the order a student would expect. */
static int check_flags(smtp_server *srv, const command_row *row, const smtp_command *cmd)
{
    if ((row->flags & F_GREETED) && !srv->greeted) {
        srv_reply(srv, R_NEED_HELO);
        return CHECK_FAIL;
    }
    if ((row->flags & F_TLS) && srv->cfg.require_tls && !srv->tls) {
        srv_reply(srv, R_TLS_REQUIRED);
        return CHECK_FAIL;
    }
    if ((row->flags & F_NOARG) && cmd->has_arg) {
        srv_reply(srv, R_NO_ARGS);
        return CHECK_FAIL;
    }
    if ((row->flags & F_ARG) && !cmd->has_arg) {
        srv_reply(srv, R_ARG_REQUIRED);
        return CHECK_FAIL;
    }
    return CHECK_OK;
}

/* srv_dispatch - the row of a known command: flags, check, proceed */
int srv_dispatch(smtp_server *srv, const smtp_command *cmd)
{
    const command_row *row = &command_rows[cmd->id];
    if (check_flags(srv, row, cmd) != CHECK_OK)
        return CHECK_FAIL;
    int r = row->check ? row->check(srv, cmd) : CHECK_OK;
    if (r == CHECK_OK)
        row->proceed(srv, cmd);
    return r;
}
