/* dsn.c - builds delivery status notifications (RFC 3464 in RFC 6522 multipart/report).
 *
 * The text part follows what people see from real MTAs ("host X said: ..."); the machine part
 * has the RFC 3464 fields in their usual order. Everything is derived from the inputs, so a
 * scenario's bounce is the same bytes on every run. */
#include "core/smtp/dsn.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/util/sha256.h"

/* field_ok - a string we may put in a header line: non-empty, no control characters. */
static bool field_ok(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) > 998)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static bool ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0x80)
            return false;
    return true;
}

/* put_clean - untrusted text (a remote reply): control characters become '?'. */
static void put_clean(membuf *b, const char *s, size_t max)
{
    for (size_t i = 0; s[i] && i < max; i++) {
        char c = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
        membuf_append(b, &c, 1);
    }
}

static void hash_str(sha256_ctx *h, const char *s)
{
    /* with the terminating NUL, so ("ab","c") and ("a","bc") hash differently */
    if (s == NULL)
        s = "";
    sha256_update(h, s, strlen(s) + 1);
}

static void digest_hex(const dsn_input *in, char hex[SHA256_HEX_LEN + 1])
{
    sha256_ctx h;
    sha256_init(&h);
    hash_str(&h, in->reporting_mta);
    hash_str(&h, in->sender);
    hash_str(&h, in->arrival_date);
    hash_str(&h, in->date);
    for (size_t i = 0; in->rcpts != NULL && i < in->n_rcpts && i < DSN_MAX_RECIPIENTS; i++) {
        hash_str(&h, in->rcpts[i].address);
        hash_str(&h, in->rcpts[i].action);
        hash_str(&h, in->rcpts[i].status);
        hash_str(&h, in->rcpts[i].diagnostic);
        hash_str(&h, in->rcpts[i].remote_mta);
    }
    if (in->original != NULL)
        sha256_update(&h, in->original, in->original_len);
    unsigned char d[SHA256_DIGEST_LEN];
    sha256_final(&h, d);
    sha256_hex(d, hex);
}

void dsn_boundary(const dsn_input *in, char out[64])
{
    char hex[SHA256_HEX_LEN + 1];
    digest_hex(in, hex);
    /* RFC 2046 5.1.1: up to 70 bchars; "=_" cannot occur in base64 or quoted-printable text */
    snprintf(out, 64, "=_dsn_%.24s", hex);
}

/* status_ok - "d.ddd.ddd" (RFC 3463 2), class 2, 4 or 5. */
static bool status_ok(const char *s)
{
    if (s == NULL || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
        return false;
    int parts = 1, digits = 0;
    for (const char *p = s + 2; ; p++) {
        if (*p >= '0' && *p <= '9') {
            if (++digits > 3)
                return false;
        } else if (*p == '.' || *p == '\0') {
            if (digits == 0)
                return false;
            parts++;
            digits = 0;
            if (*p == '\0')
                break;
        } else {
            return false;
        }
    }
    return parts == 3;
}

static bool action_ok(const char *a)
{
    static const char *const actions[] = {"failed", "delayed", "delivered", "relayed", "expanded"};
    for (size_t i = 0; a != NULL && i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(a, actions[i]) == 0)
            return true;
    return false;
}

int dsn_build(const dsn_input *in, membuf *out)
{
    if (in == NULL || out == NULL || !field_ok(in->reporting_mta) || !field_ok(in->sender) ||
        !field_ok(in->arrival_date) || !field_ok(in->date) || in->rcpts == NULL ||
        in->n_rcpts == 0 || in->n_rcpts > DSN_MAX_RECIPIENTS ||
        (in->original == NULL && in->original_len > 0))
        return -1;
    bool any_failed = false, utf8 = !ascii(in->sender);
    for (size_t i = 0; i < in->n_rcpts; i++) {
        const dsn_recipient *r = &in->rcpts[i];
        if (!field_ok(r->address) || !action_ok(r->action) || !status_ok(r->status) ||
            (r->remote_mta != NULL && r->remote_mta[0] != '\0' && !field_ok(r->remote_mta)))
            return -1;
        any_failed |= strcmp(r->action, "failed") == 0;
        utf8 |= !ascii(r->address);
    }
    char hex[SHA256_HEX_LEN + 1], boundary[64];
    digest_hex(in, hex);
    dsn_boundary(in, boundary);

    membuf b;
    membuf_init(&b);
    /* header: from the mail system, never from a person; Auto-Submitted (RFC 3834 5) so that
     * auto-responders do not answer it */
    membuf_printf(&b, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n", in->reporting_mta);
    membuf_printf(&b, "To: <%s>\r\n", in->sender);
    membuf_printf(&b, "Subject: %s\r\n", any_failed ? "Undelivered Mail Returned to Sender"
                                                      : "Delayed Mail (still being retried)");
    membuf_printf(&b, "Date: %s\r\n", in->date);
    membuf_printf(&b, "Message-ID: <%.16s.dsn@%s>\r\n", hex, in->reporting_mta);
    membuf_puts(&b, "Auto-Submitted: auto-replied\r\n");
    membuf_puts(&b, "MIME-Version: 1.0\r\n");
    membuf_printf(&b,
                    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
                    "\tboundary=\"%s\"\r\n",
                    boundary);
    membuf_puts(&b, "\r\nThis is a MIME-encapsulated message.\r\n\r\n");

    /* part 1: for people */
    membuf_printf(&b, "--%s\r\n", boundary);
    membuf_printf(&b, "Content-Type: text/plain; charset=%s\r\n", utf8 ? "utf-8" : "us-ascii");
    membuf_puts(&b, "Content-Description: Notification\r\n\r\n");
    membuf_printf(&b, "This is the mail system at host %s.\r\n\r\n", in->reporting_mta);
    if (any_failed)
        membuf_puts(&b, "Your message could not be delivered to one or more recipients.\r\n"
                          "Its header section is attached below.\r\n\r\n");
    else
        membuf_puts(&b, "Your message has not been delivered yet to one or more recipients.\r\n"
                          "The mail system will keep trying; you do not need to resend it.\r\n\r\n");
    for (size_t i = 0; i < in->n_rcpts; i++) {
        const dsn_recipient *r = &in->rcpts[i];
        membuf_printf(&b, "<%s>: ", r->address);
        if (r->remote_mta != NULL && r->remote_mta[0] != '\0')
            membuf_printf(&b, "host %s said: ", r->remote_mta);
        if (r->diagnostic != NULL && r->diagnostic[0] != '\0')
            put_clean(&b, r->diagnostic, 900);
        else if (r->reason != NULL && r->reason[0] != '\0')
            put_clean(&b, r->reason, 900);
        else
            membuf_printf(&b, "%s (status %s)", r->action, r->status);
        membuf_puts(&b, "\r\n");
    }
    membuf_puts(&b, "\r\n");

    /* part 2: for programs (RFC 3464 2.2 per-message, 2.3 per-recipient fields); addresses
     * with non-ASCII characters need the "utf-8" type and message/global-delivery-status
     * (RFC 6533 3, 6) */
    membuf_printf(&b, "--%s\r\n", boundary);
    membuf_printf(&b, "Content-Type: message/%sdelivery-status\r\n", utf8 ? "global-" : "");
    membuf_puts(&b, "Content-Description: Delivery report\r\n\r\n");
    membuf_printf(&b, "Reporting-MTA: dns; %s\r\n", in->reporting_mta);
    membuf_printf(&b, "Arrival-Date: %s\r\n", in->arrival_date);
    for (size_t i = 0; i < in->n_rcpts; i++) {
        const dsn_recipient *r = &in->rcpts[i];
        membuf_puts(&b, "\r\n");
        membuf_printf(&b, "Final-Recipient: %s; %s\r\n", ascii(r->address) ? "rfc822" : "utf-8",
                        r->address);
        membuf_printf(&b, "Action: %s\r\n", r->action);
        membuf_printf(&b, "Status: %s\r\n", r->status);
        if (r->remote_mta != NULL && r->remote_mta[0] != '\0')
            membuf_printf(&b, "Remote-MTA: dns; %s\r\n", r->remote_mta);
        if (r->diagnostic != NULL && r->diagnostic[0] != '\0') {
            membuf_puts(&b, "Diagnostic-Code: smtp; ");
            put_clean(&b, r->diagnostic, 900);
            membuf_puts(&b, "\r\n");
        }
    }
    membuf_puts(&b, "\r\n");

    /* part 3: the original header section (RFC 6522 4: text/rfc822-headers), CRLF line ends */
    membuf_printf(&b, "--%s\r\n", boundary);
    membuf_printf(&b, "Content-Type: text/rfc822-headers%s\r\n",
                    utf8 ? "; charset=utf-8" : "");
    membuf_puts(&b, "Content-Description: Undelivered Message Headers\r\n\r\n");
    size_t hdr_len = 0, body_off = 0;
    if (in->original != NULL)
        mail_split(in->original, in->original_len, &hdr_len, &body_off);
    if (hdr_len > DSN_ORIGINAL_HEADERS_MAX)
        hdr_len = DSN_ORIGINAL_HEADERS_MAX;
    bool at_line_start = true;
    for (size_t i = 0; i < hdr_len; i++) {
        char c = in->original[i];
        if (c == '\r')
            continue;
        if (c == '\n') {
            membuf_puts(&b, "\r\n");
            at_line_start = true;
            continue;
        }
        if (c == '\0')
            c = '?';
        membuf_append(&b, &c, 1);
        at_line_start = false;
    }
    if (!at_line_start)
        membuf_puts(&b, "\r\n");
    membuf_printf(&b, "\r\n--%s--\r\n", boundary);

    int rc = b.failed ? -1 : membuf_set(out, b.data, b.len);
    membuf_free(&b);
    return rc;
}
