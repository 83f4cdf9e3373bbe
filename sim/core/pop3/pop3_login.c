/* pop3_login.c - the AUTHORIZATION state of the POP3 server (RFC 1939 4): USER/PASS
 * (RFC 1939 7), AUTH PLAIN (RFC 5034, RFC 4616) and STLS (RFC 2595 4), and opening the
 * maildrop with its lock (RFC 1939 8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pop3/pop3_server_internal.h"

/* auth_failed - wrong credentials: -ERR [AUTH] (RFC 3206 4 says the credentials were wrong,
 * not that the server failed); after POP3_MAX_AUTH_FAILURES the session ends */
static void auth_failed(pop3_server *srv, const char *rfc)
{
    srv->auth_failures++;
    pop3_srv_err(srv, "AUTH", "pop3.auth.failed", rfc, "Invalid user name or password");
    retr_event *ev = retr_io_event(&srv->io, RETR_EV_AUTH, RETR_DIR_NONE, NULL, 0,
                                   "pop3.auth.failed", rfc);
    if (ev)
        strcpy(ev->status, "-ERR");
    if (srv->auth_failures >= POP3_MAX_AUTH_FAILURES) {
        pop3_srv_err(srv, "AUTH", "pop3.auth.too_many", "RFC 1939 4", "Too many failed logins");
        pop3_srv_close(srv, "pop3.auth.too_many", "RFC 1939 4");
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
        pop3_srv_err(srv, "IN-USE", "pop3.auth.in_use", "RFC 2449 8.1.2",
            "Mailbox is locked by another POP3 session");
        return;
    }
    size_t n = st == MAILBOX_OPEN_OK ? srv->mb.ops->count(srv->mb.ctx) : 0;
    srv->msgs = st == MAILBOX_OPEN_OK && n ? calloc(n, sizeof *srv->msgs) : NULL;
    if (st != MAILBOX_OPEN_OK || (n && !srv->msgs)) {
        if (st == MAILBOX_OPEN_OK) {
            srv->mb_open = true;
            pop3_srv_release_mailbox(srv);
        }
        /* RFC 3206: a temporary problem on the server's side */
        pop3_srv_err(srv, "SYS/TEMP", "pop3.auth.mailbox_error", "RFC 3206",
                     "Unable to open mailbox");
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
    pop3_srv_set_state(srv, POP3_SRV_TRANSACTION);
    pop3_srv_ok(srv, "pop3.auth.ok", rfc, text);
    ev = retr_io_event(&srv->io, RETR_EV_AUTH, RETR_DIR_NONE, NULL, 0, "pop3.auth.ok", rfc);
    if (ev)
        strcpy(ev->status, "+OK");
}

/* pop3_cmd_user - RFC 1939 7: remember the name; always +OK (user names are not revealed) */
void pop3_cmd_user(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv;
    (void)argc;
    if (!pop3_srv_plaintext_ok(srv)) {
        pop3_srv_err(srv, "AUTH", "pop3.user.needs_tls", "RFC 2595 2.3",
            "Plaintext authentication disallowed on non-secure connection");
        return;
    }
    if (rest_len > NAME_MAX_LEN) {
        pop3_srv_err(srv, NULL, "pop3.user.too_long", "RFC 4616 2", "User name too long");
        return;
    }
    memcpy(srv->user, rest, rest_len);
    srv->user[rest_len] = '\0';
    srv->user_given = true;
    pop3_srv_ok(srv, "pop3.user.ok", "RFC 1939 7", "Send PASS");
}

/* pop3_cmd_pass - RFC 1939 7: only right after a successful USER; the argument is the rest of the
 * line, spaces included */
void pop3_cmd_pass(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv;
    (void)argc;
    if (!srv->user_given) {
        pop3_srv_err(srv, NULL, "pop3.pass.no_user", "RFC 1939 7", "USER first");
        return;
    }
    char pass[NAME_MAX_LEN + 1];
    if (rest_len > NAME_MAX_LEN) {
        srv->user_given = false;
        pop3_srv_err(srv, "AUTH", "pop3.auth.failed", "RFC 1939 7",
                     "Invalid user name or password");
        return;
    }
    memcpy(pass, rest, rest_len);
    pass[rest_len] = '\0';
    login(srv, srv->user, pass, "RFC 1939 7");
    memset(pass, 0, sizeof pass);
}

/* pop3_cmd_stls - RFC 2595 4: only in AUTHORIZATION, once */
void pop3_cmd_stls(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)argv, (void)argc, (void)rest, (void)rest_len;
    if (!srv->cfg.tls_available) {
        pop3_srv_err(srv, NULL, "pop3.stls.unavailable", "RFC 2595 4", "STLS not available");
        return;
    }
    if (srv->io.tls) {
        pop3_srv_err(srv, NULL, "pop3.stls.again", "RFC 2595 4",
                     "Command not permitted when TLS active");
        return;
    }
    pop3_srv_ok(srv, "pop3.stls.ok", "RFC 2595 4", "Begin TLS negotiation");
    pop3_srv_set_state(srv, POP3_SRV_TLS);
    retr_io_event(&srv->io, RETR_EV_STARTTLS, RETR_DIR_NONE, NULL, 0, "pop3.stls.handshake",
                  "RFC 2595 4");
}

/* pop3_sasl_response - one base64 line of the AUTH exchange (initial or after "+ ") */
void pop3_sasl_response(pop3_server *srv, const char *s, size_t len)
{
    char user[RETR_CRED_MAX + 1], pass[RETR_CRED_MAX + 1];
    switch (retr_plain_decode(s, len, user, pass)) {
    case RETR_PLAIN_CANCEL:
        /* RFC 5034 4: the client cancelled; the server answers -ERR */
        pop3_srv_err(srv, NULL, "pop3.auth.cancelled", "RFC 5034 4", "AUTH cancelled");
        break;
    case RETR_PLAIN_BASE64:
        pop3_srv_err(srv, NULL, "pop3.auth.base64", "RFC 5034 4",
                     "Invalid base64 in AUTH response");
        break;
    case RETR_PLAIN_MALFORMED:
        pop3_srv_err(srv, NULL, "pop3.auth.malformed", "RFC 4616 2", "Malformed PLAIN response");
        break;
    case RETR_PLAIN_AUTHZ: /* RFC 4616 2: we act for nobody else */
        auth_failed(srv, "RFC 4616 2");
        break;
    case RETR_PLAIN_OK:
        login(srv, user, pass, "RFC 5034 4");
        memset(pass, 0, sizeof pass);
        break;
    }
}

/* pop3_cmd_auth - RFC 5034 4: PLAIN with or without an initial response */
void pop3_cmd_auth(pop3_server *srv, const char *const *argv, size_t argc, const char *rest,
                     size_t rest_len)
{
    (void)rest, (void)rest_len;
    if (argc == 0) {
        /* the pre-RFC 5034 listing some clients still send (RFC 1734 style) */
        pop3_srv_respond(srv, true, NULL, "pop3.auth.list", "RFC 5034 4", "Mechanisms follow", true,
                         pop3_srv_plaintext_ok(srv) ? "PLAIN\r\n" : "",
                         pop3_srv_plaintext_ok(srv) ? 7 : 0, 0);
        return;
    }
    if (!retr_ieq(argv[0], strlen(argv[0]), "PLAIN")) {
        pop3_srv_err(srv, NULL, "pop3.auth.mechanism", "RFC 5034 4", "Unsupported mechanism");
        return;
    }
    if (!pop3_srv_plaintext_ok(srv)) {
        pop3_srv_err(srv, "AUTH", "pop3.user.needs_tls", "RFC 2595 2.3",
            "Plaintext authentication disallowed on non-secure connection");
        return;
    }
    if (argc == 2) {
        pop3_sasl_response(srv, argv[1], strlen(argv[1]));
        return;
    }
    pop3_srv_set_state(srv, POP3_SRV_SASL);
    const char *at = retr_io_send(&srv->io, "+ \r\n", 4);
    if (at)
        retr_io_event(&srv->io, RETR_EV_CONTINUE, RETR_DIR_S2C, at, 4, "pop3.auth.continue",
                      "RFC 5034 4");
}

