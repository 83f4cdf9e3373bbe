/* imap_login.c - the not-authenticated state of the IMAP server (RFC 9051 3.1): STARTTLS
 * (6.2.1), LOGIN (6.2.3, refused before TLS when LOGINDISABLED is advertised), AUTHENTICATE
 * PLAIN (6.2.2, RFC 4616, with the SASL-IR initial response of RFC 4959), and opening the
 * user's INBOX through the mailbox provider. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/imap/imap_server_internal.h"

/* ---- opening the INBOX ------------------------------------------------------------------- */

/* auth_event - RETR_EV_AUTH: how a login attempt ended */
static void auth_event(imap_server *srv, bool good, const char *rfc)
{
    retr_event *ev = retr_io_event(&srv->io, RETR_EV_AUTH, RETR_DIR_NONE, NULL, 0,
                                   good ? "imap.auth.ok" : "imap.auth.failed", rfc);
    if (ev)
        strcpy(ev->status, good ? "OK" : "NO");
}

/* auth_failed - NO [AUTHENTICATIONFAILED] (RFC 5530 3: the credentials were wrong); after
 * IMAP_MAX_AUTH_FAILURES the session ends */
static void auth_failed(imap_server *srv, const char *rfc)
{
    auth_event(srv, false, rfc);
    srv->auth_failures++;
    imap_tagged(srv, "NO", "AUTHENTICATIONFAILED", "imap.auth.failed", rfc, "Invalid credentials");
    if (srv->auth_failures >= IMAP_MAX_AUTH_FAILURES)
        imap_bye(srv, "imap.auth.too_many", "RFC 9051 7.1.5", "Too many failed logins");
}

/* login - check the password, then open the INBOX (shared: IMAP takes no lock) */
static void login(imap_server *srv, const char *user, const char *pass, const char *rfc)
{
    const mailbox_provider *p = &srv->cfg.provider;
    if (!p->check_password || !p->check_password(p->ctx, user, pass)) {
        auth_failed(srv, rfc);
        return;
    }
    auth_event(srv, true, rfc);
    mailbox_open_status st = p->open ? p->open(p->ctx, user, false, &srv->mb) : MAILBOX_OPEN_FAIL;
    if (st != MAILBOX_OPEN_OK) {
        imap_tagged(srv, "NO", "UNAVAILABLE", "imap.auth.mailbox_error", "RFC 5530 3",
                    "Mailbox unavailable");
        return;
    }
    srv->mb_open = true;
    snprintf(srv->user, sizeof srv->user, "%s", user);
    imap_set_state(srv, IMAP_SRV_AUTH);
    char caps[200];
    imap_capabilities(srv, caps, sizeof caps);
    imap_tagged(srv, "OK", caps, "imap.auth.ok", rfc, "Logged in");
}

/* ---- commands: not authenticated ---------------------------------------------------------- */

void imap_cmd_starttls(imap_server *srv, imap_cursor *c)
{
    (void)c;
    if (!srv->cfg.tls_available || srv->io.tls) {
        imap_bad(srv, "imap.starttls.unavailable", "RFC 9051 6.2.1", "STARTTLS not available");
        return;
    }
    imap_tagged(srv, "OK", NULL, "imap.starttls.ok", "RFC 9051 6.2.1", "Begin TLS negotiation now");
    imap_set_state(srv, IMAP_SRV_TLS);
    retr_io_event(&srv->io, RETR_EV_STARTTLS, RETR_DIR_NONE, NULL, 0, "imap.starttls.handshake",
                  "RFC 9051 6.2.1");
}

void imap_cmd_login(imap_server *srv, imap_cursor *c)
{
    char user[IMAP_NAME_MAX + 1], pass[IMAP_NAME_MAX + 1];
    size_t ul, pl;
    if (imap_sp(c) < 0 || imap_astring(c, user, sizeof user, &ul) < 0 || imap_sp(c) < 0 ||
        imap_astring(c, pass, sizeof pass, &pl) < 0 || !imap_end(c)) {
        imap_bad(srv, "imap.login.syntax", "RFC 9051 6.2.3", "Syntax: LOGIN user password");
        return;
    }
    if (!imap_plaintext_ok(srv)) {
        /* RFC 9051 6.2.3: LOGINDISABLED was advertised; RFC 5530 3 PRIVACYREQUIRED */
        imap_tagged(srv, "NO", "PRIVACYREQUIRED", "imap.login.disabled", "RFC 9051 6.2.3",
                    "LOGIN disabled before STARTTLS");
    } else {
        login(srv, user, pass, "RFC 9051 6.2.3");
    }
    memset(pass, 0, sizeof pass);
}

/* imap_sasl_plain - the base64 PLAIN response (RFC 9051 6.2.2, RFC 4616 2) */
void imap_sasl_plain(imap_server *srv, const char *b64, size_t len)
{
    char user[RETR_CRED_MAX + 1], pass[RETR_CRED_MAX + 1];
    switch (retr_plain_decode(b64, len, user, pass)) {
    case RETR_PLAIN_CANCEL:
        /* RFC 9051 6.2.2: a cancelled exchange is answered BAD */
        imap_bad(srv, "imap.auth.cancelled", "RFC 9051 6.2.2", "AUTHENTICATE cancelled");
        break;
    case RETR_PLAIN_BASE64:
    case RETR_PLAIN_MALFORMED:
        imap_bad(srv, "imap.auth.malformed", "RFC 4616 2", "Malformed PLAIN response");
        break;
    case RETR_PLAIN_AUTHZ: /* RFC 4616 2: we act for nobody else */
        auth_failed(srv, "RFC 4616 2");
        break;
    case RETR_PLAIN_OK:
        login(srv, user, pass, "RFC 9051 6.2.2");
        memset(pass, 0, sizeof pass);
        break;
    }
}

void imap_cmd_authenticate(imap_server *srv, imap_cursor *c)
{
    const char *mech, *ir = NULL;
    size_t ml, il = 0;
    if (imap_sp(c) < 0 || imap_atom(c, false, &mech, &ml) < 0) {
        imap_bad(srv, "imap.auth.syntax", "RFC 9051 6.2.2", "Syntax: AUTHENTICATE mechanism");
        return;
    }
    if (imap_sp(c) == 0) {
        /* RFC 4959: SASL-IR initial response; "=" is an empty one */
        ir = c->p + c->i;
        while (c->i < c->n && c->p[c->i] != '\r')
            c->i++;
        il = (size_t)(c->p + c->i - ir);
    }
    if (!imap_end(c) || (ir && il == 0)) {
        imap_bad(srv, "imap.auth.syntax", "RFC 9051 6.2.2", "Syntax: AUTHENTICATE mechanism");
        return;
    }
    if (!retr_ieq(mech, ml, "PLAIN")) {
        imap_tagged(srv, "NO", NULL, "imap.auth.mechanism", "RFC 9051 6.2.2",
                    "Unsupported mechanism");
        return;
    }
    if (!imap_plaintext_ok(srv)) {
        imap_tagged(srv, "NO", "PRIVACYREQUIRED", "imap.login.disabled", "RFC 9051 6.2.2",
                    "Authentication disabled before STARTTLS");
        return;
    }
    if (ir) {
        imap_sasl_plain(srv, ir, il);
        return;
    }
    imap_set_state(srv, IMAP_SRV_SASL);
    imap_continuation(srv, "imap.auth.continue", "RFC 9051 6.2.2", "");
}

