/* smtp_server_auth.c - the server's AUTH exchange: PLAIN and LOGIN (RFC 4954, RFC 4616).
 *
 * AUTH is the one command that spans several lines: after a 334 challenge the next client line
 * is a SASL response, not a command (state SMTP_SRV_AUTH). Responses are base64; small ones are
 * decoded on the stack. Credentials never appear in events unless show_secrets is set (the
 * session core hides the lines; this file never reports a password).
 */
#include <stdlib.h>
#include <string.h>

#include "core/smtp/smtp_server_internal.h"
#include "core/util/base64.h"

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

/* auth_done - the end of an AUTH exchange, good or bad (RFC 4954 4, 6). */
static void auth_done(smtp_server *srv, const char *user, bool ok)
{
    srv->auth_mech = MECH_NONE;
    srv->auth_step = 0;
    srv_set_state(srv, srv_idle_state(srv));
    smtp_event *ev;
    if (ok) {
        srv->authed = true;
        str_copy(srv->auth_user, sizeof srv->auth_user, user, strlen(user));
        ev = srv_ev_push(srv, SMTP_EV_AUTH, SMTP_DIR_NONE, NULL, 0, "auth.ok", "RFC 4954 6");
        if (ev)
            ev->code = 235;
        srv_reply(srv, R_AUTH_OK);
        return;
    }
    srv->auth_failures++;
    ev = srv_ev_push(srv, SMTP_EV_AUTH, SMTP_DIR_NONE, NULL, 0, "auth.failed", "RFC 4954 6");
    if (ev)
        ev->code = 535;
    srv_reply(srv, R_AUTH_FAILED);
    if (srv->auth_failures >= srv->cfg.limits.value[SMTP_LIMIT_AUTH_FAILURES]) {
        srv_reply(srv, R_AUTH_TOO_MANY);
        srv_close_session(srv);
    }
}

/* srv_auth_abort - cancel ("*"), undecodable response, a line too long or a broken exchange:
 * back to idle with the row's reply (501 or 500, RFC 4954 4). */
void srv_auth_abort(smtp_server *srv, reply_id id)
{
    srv->auth_mech = MECH_NONE;
    srv->auth_step = 0;
    srv_set_state(srv, srv_idle_state(srv));
    srv_reply(srv, id);
}

/* auth_plain - check a decoded PLAIN response: authzid NUL authcid NUL passwd (RFC 4616 2). */
static void auth_plain(smtp_server *srv, const unsigned char *msg, size_t len)
{
    const char *m = (const char *)msg;
    const char *nul1 = memchr(m, '\0', len);
    const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', len - (size_t)(nul1 + 1 - m)) : NULL;
    if (!nul2 || memchr(nul2 + 1, '\0', len - (size_t)(nul2 + 1 - m))) {
        srv_auth_abort(srv, R_AUTH_MALFORMED_PLAIN);
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

/* srv_auth_response - one line from the client during AUTH (state SMTP_SRV_AUTH), or the
 * initial response of the AUTH command. It may be as long as the auth_line limit (RFC 4954 4:
 * 12288 octets by default): small responses decode on the stack, larger ones into a block that
 * lives for this call only (rare, so no buffer is kept in the session). */
void srv_auth_response(smtp_server *srv, const char *line, size_t len)
{
    if (len == 1 && line[0] == '*') {
        srv_auth_abort(srv, R_AUTH_CANCELLED);
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
            srv_fail(srv, SMTP_SERVER_ERR_NO_MEMORY);
            return;
        }
        cap = need;
    }
    long n = decode_response(line, len, buf, cap - 1);
    if (n < 0) {
        srv_auth_abort(srv, R_AUTH_BAD_BASE64);
        goto done;
    }
    buf[n] = '\0';
    if (srv->auth_mech == MECH_PLAIN) {
        auth_plain(srv, buf, (size_t)n);
    } else if (srv->auth_step == 1) {
        if (memchr(buf, '\0', (size_t)n) || (size_t)n > NAME_MAX_LEN) {
            srv_auth_abort(srv, R_AUTH_MALFORMED_USER);
            goto done;
        }
        str_copy(srv->login_user, sizeof srv->login_user, (const char *)buf, (size_t)n);
        srv->auth_step = 2;
        srv_reply(srv, R_AUTH_LOGIN_PASSWORD); /* "Password:" */
    } else {
        bool ok = !memchr(buf, '\0', (size_t)n) && srv->login_user[0] &&
                  check_credentials(srv, srv->login_user, (const char *)buf);
        auth_done(srv, srv->login_user, ok);
    }
done:
    if (buf != small)
        free(buf);
}

/* srv_check_auth - AUTH offered, not yet authenticated, no transaction, TLS or plain allowed */
int srv_check_auth(smtp_server *srv, const smtp_command *cmd)
{
    (void)cmd;
    if (!srv_auth_available(srv)) {
        /* RFC 5321 4.2.4: 502 for a command we recognise but do not implement */
        srv_reply(srv, R_AUTH_UNAVAILABLE);
        return CHECK_FAIL;
    }
    if (srv->authed) {
        srv_reply(srv, R_AUTH_ALREADY);
        return CHECK_FAIL;
    }
    if (srv->in_mail) {
        srv_reply(srv, R_AUTH_IN_TRANSACTION);
        return CHECK_FAIL;
    }
    if (!srv->tls && !srv->cfg.allow_plain_auth) {
        srv_reply(srv, R_AUTH_ENCRYPTION_REQUIRED);
        return CHECK_FAIL;
    }
    return CHECK_OK;
}

/* srv_proceed_auth - start PLAIN or LOGIN, with or without an initial response (RFC 4954 4) */
void srv_proceed_auth(smtp_server *srv, const smtp_command *cmd)
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
            srv_reply(srv, R_AUTH_SYNTAX);
            return;
        }
    }
    if (smtp_ieq(cmd->arg, ml, "PLAIN")) {
        srv->auth_mech = MECH_PLAIN;
        srv_set_state(srv, SMTP_SRV_AUTH);
        if (ir)
            srv_auth_response(srv, ir, irl);
        else
            srv_reply(srv, R_AUTH_PLAIN_CHALLENGE);
    } else if (smtp_ieq(cmd->arg, ml, "LOGIN")) {
        srv->auth_mech = MECH_LOGIN;
        srv->auth_step = 1;
        srv->login_user[0] = '\0';
        srv_set_state(srv, SMTP_SRV_AUTH);
        if (ir)
            srv_auth_response(srv, ir, irl);
        else
            srv_reply(srv, R_AUTH_LOGIN_USER); /* "Username:" */
    } else {
        srv_reply(srv, R_AUTH_UNKNOWN_MECH);
    }
}
