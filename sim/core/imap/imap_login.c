/* imap_login.c - the not-authenticated state of the IMAP server (RFC 9051 3.1): STARTTLS
 * (6.2.1), LOGIN (6.2.3, refused before TLS when LOGINDISABLED is advertised), AUTHENTICATE
 * PLAIN (6.2.2, RFC 4616, with the SASL-IR initial response of RFC 4959), and opening the
 * user's INBOX through the mailbox provider. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/imap/imap_server_int.h"
#include "core/util/base64.h"

/* ---- opening the INBOX
 * --------------------------------------------------------------------------------- */

static void login(imap_server *srv, const char *user, const char *pass, const char *rfc)
{
    const mailbox_provider *p = &srv->cfg.provider;
    bool good = p->check_password && p->check_password(p->ctx, user, pass);
    retr_event *ev = retr_io_event(&srv->io, RETR_EV_AUTH, RETR_DIR_NONE, NULL, 0,
                                   good ? "imap.auth.ok" : "imap.auth.failed", rfc);
    if (ev)
        strcpy(ev->status, good ? "OK" : "NO");
    if (!good) {
        srv->auth_failures++;
        /* RFC 5530 3: AUTHENTICATIONFAILED says the credentials were wrong */
        imap_tagged(srv, "NO", "AUTHENTICATIONFAILED", "imap.auth.failed", rfc,
                    "Invalid credentials");
        if (srv->auth_failures >= IMAP_MAX_AUTH_FAILURES)
            imap_bye(srv, "imap.auth.too_many", "RFC 9051 7.1.5", "Too many failed logins");
        return;
    }
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
    if (!srv->cfg.tls_available || srv->tls) {
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

/* sasl_plain - RFC 4616 2 message, base64 still (RFC 9051 6.2.2) */
void imap_sasl_plain(imap_server *srv, const char *b64, size_t len)
{
    if (len == 1 && b64[0] == '*') {
        /* RFC 9051 6.2.2: a cancelled exchange is answered BAD */
        imap_bad(srv, "imap.auth.cancelled", "RFC 9051 6.2.2", "AUTHENTICATE cancelled");
        return;
    }
    unsigned char m[2 * IMAP_NAME_MAX + 8];
    long n = len == 1 && b64[0] == '=' ? 0 : base64_decode(b64, len, m, sizeof m);
    const unsigned char *n1 = n > 0 ? memchr(m, 0, (size_t)n) : NULL;
    const unsigned char *n2 = n1 ? memchr(n1 + 1, 0, (size_t)n - (size_t)(n1 + 1 - m)) : NULL;
    if (!n2) {
        imap_bad(srv, "imap.auth.malformed", "RFC 4616 2", "Malformed PLAIN response");
        return;
    }
    size_t zl = (size_t)(n1 - m), ul = (size_t)(n2 - n1 - 1), pl = (size_t)n - (size_t)(n2 + 1 - m);
    char user[IMAP_NAME_MAX + 1], pass[IMAP_NAME_MAX + 1];
    if (ul == 0 || ul > IMAP_NAME_MAX || pl > IMAP_NAME_MAX ||
        (zl && (zl != ul || memcmp(m, n1 + 1, ul) != 0))) {
        login(srv, "", "\x01", "RFC 4616 2"); /* fails the same way as a wrong password */
        return;
    }
    memcpy(user, n1 + 1, ul);
    user[ul] = '\0';
    memcpy(pass, n2 + 1, pl);
    pass[pl] = '\0';
    login(srv, user, pass, "RFC 9051 6.2.2");
    memset(pass, 0, sizeof pass);
    memset(m, 0, sizeof m);
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

