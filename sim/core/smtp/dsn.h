/* dsn.h - delivery status notifications ("bounces"): RFC 3464 inside RFC 6522 multipart/report.
 *
 * When an MTA gives up on a recipient (5xx, or too long in the queue) it sends the sender a DSN:
 *   part 1  text/plain                   what happened, for a person
 *   part 2  message/delivery-status      per-message and per-recipient fields (RFC 3464 2.2, 2.3)
 *   part 3  text/rfc822-headers          the original message's header (RFC 6522 4)
 * The DSN must be sent with the null reverse-path MAIL FROM:<> (RFC 5321 4.5.5) so that a DSN
 * that cannot be delivered never causes another one. The MIME boundary and the Message-ID are
 * derived from the inputs (a SHA-256), never random: the same inputs give the same bytes.
 */
#ifndef DSN_H
#define DSN_H

#include <stddef.h>

#include "core/smtp/mail_message.h"

#define DSN_REVERSE_PATH ""     /* the envelope sender of every DSN: <> (RFC 5321 4.5.5) */
#define DSN_MAX_RECIPIENTS 100  /* recipients reported in one DSN */
#define DSN_ORIGINAL_HEADERS_MAX (64u * 1024u) /* original header bytes copied; more is cut */

typedef struct {
    const char *address;    /* final recipient, without < > ("bob@example.org") */
    const char *action;     /* "failed" or "delayed" (also "delivered", "relayed", "expanded") */
    const char *status;     /* "5.1.1" (RFC 3463) */
    const char *diagnostic; /* the remote reply, "550 5.1.1 <bob@example.org>: user unknown";
                               written as "Diagnostic-Code: smtp; ..." (NULL: omitted) */
    const char *remote_mta; /* "mx.example.org" -> "Remote-MTA: dns; mx.example.org" (NULL: omitted) */
    const char *reason;     /* for people, when no remote server answered: why we gave up
                               ("example.net publishes a null MX ...") (NULL: the status alone) */
} dsn_recipient;

typedef struct {
    const char *reporting_mta;  /* our host name: "Reporting-MTA: dns; NAME", From: MAILER-DAEMON@NAME */
    const char *sender;         /* the original envelope sender, the DSN's To: (not "") */
    const char *arrival_date;   /* when we received the message (a mail_date string) */
    const char *date;           /* the DSN's own Date: (a mail_date string) */
    const char *original;       /* the original message (its header section is attached) */
    size_t original_len;
    const dsn_recipient *rcpts;
    size_t n_rcpts;             /* 1..DSN_MAX_RECIPIENTS */
} dsn_input;

/* dsn_build - write the whole DSN message (header fields, empty line, body; CRLF line ends)
 * into out (replacing its contents). 0, or -1 on bad input (missing fields, CR/LF inside a
 * field, no recipient) or no memory. */
int dsn_build(const dsn_input *in, membuf *out);

/* dsn_boundary - the deterministic MIME boundary dsn_build uses for these inputs (for tests). */
void dsn_boundary(const dsn_input *in, char out[64]);

#endif
