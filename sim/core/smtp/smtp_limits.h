/* smtp_limits.h - every limit the SMTP engines enforce, in one table.
 *
 * Each limit has a name, a default, a range, and the RFC text that motivates it. Scenarios and
 * the `serve` command may override a limit, but only within its range (smtp_limits_set checks).
 * The engines read limits from an smtp_limits value copied into their config, so a session's
 * limits never change under it.
 */
#ifndef SMTP_LIMITS_H
#define SMTP_LIMITS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    SMTP_LIMIT_COMMAND_LINE,    /* octets in a command line incl. CRLF (RFC 5321 4.5.3.1.4: 512) */
    SMTP_LIMIT_TEXT_LINE,       /* octets in a DATA text line incl. CRLF (4.5.3.1.6: 1000) */
    SMTP_LIMIT_LOCAL_PART,      /* octets in a local-part (4.5.3.1.1: 64) */
    SMTP_LIMIT_DOMAIN,          /* octets in a domain (4.5.3.1.2: 255) */
    SMTP_LIMIT_PATH,            /* octets in a path incl. < > (4.5.3.1.3: 256) */
    SMTP_LIMIT_RECIPIENTS,      /* recipients per transaction (4.5.3.1.8: at least 100) */
    SMTP_LIMIT_MESSAGE_SIZE,    /* octets of message content, advertised with SIZE (RFC 1870) */
    SMTP_LIMIT_SOFT_ERRORS,     /* errors after which each reply is delayed/flagged (Postfix style) */
    SMTP_LIMIT_HARD_ERRORS,     /* errors after which the session ends with 421 4.7.0 */
    SMTP_LIMIT_AUTH_FAILURES,   /* failed AUTH attempts before 421 */
    SMTP_LIMIT_TIMEOUT_COMMAND, /* ms the server waits for a command (4.5.3.2.7: 5 min) */
    SMTP_LIMIT_TIMEOUT_DATA,    /* ms the server waits between DATA chunks (4.5.3.2.7: 5 min) */
    SMTP_LIMIT_TIMEOUT_GREETING,/* client: ms to wait for the 220 greeting (4.5.3.2.1: 5 min) */
    SMTP_LIMIT_TIMEOUT_MAIL,    /* client: ms to wait for MAIL's reply (4.5.3.2.2: 5 min) */
    SMTP_LIMIT_TIMEOUT_RCPT,    /* client: ms to wait for RCPT's reply (4.5.3.2.3: 5 min) */
    SMTP_LIMIT_TIMEOUT_DATA_INIT,  /* client: ms to wait for 354 (4.5.3.2.4: 2 min) */
    SMTP_LIMIT_TIMEOUT_DATA_BLOCK, /* client: ms per data block sent (4.5.3.2.5: 3 min) */
    SMTP_LIMIT_TIMEOUT_DATA_TERM,  /* client: ms to wait for the reply to CRLF.CRLF (4.5.3.2.6: 10 min) */
    SMTP_LIMIT_AUTH_LINE,       /* octets in an AUTH response line incl. CRLF (RFC 4954 4: 12288) */
    SMTP_LIMIT_RECIPIENT_OVERSHOOT, /* RCPTs refused with 452 past the limit before they count
                                       as errors (Postfix smtpd_recipient_overshoot_limit) */
    SMTP_LIMIT_COUNT
} smtp_limit_id;

typedef struct {
    uint64_t value[SMTP_LIMIT_COUNT];
} smtp_limits;

typedef struct {
    const char *name; /* "command_line", used in scenario files and --limit NAME=VALUE */
    uint64_t def, min, max;
    const char *rfc;  /* "RFC 5321 4.5.3.1.4" */
    const char *what; /* one line for --help and the README */
} smtp_limit_info;

/* smtp_limits_default - fill every limit with its default. */
void smtp_limits_default(smtp_limits *lim);

/* smtp_limit_info_get - the table row for one limit (never NULL for a valid id). */
const smtp_limit_info *smtp_limit_info_get(smtp_limit_id id);

/* smtp_limit_find - id for a name, or -1. */
int smtp_limit_find(const char *name);

/* smtp_limits_set - set a limit by id; -1 (value unchanged) when outside its range. */
int smtp_limits_set(smtp_limits *lim, smtp_limit_id id, uint64_t value);

#endif
