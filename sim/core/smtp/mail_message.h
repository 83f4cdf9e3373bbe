/* mail_message.h - RFC 5322 message helpers: trace headers, header lookup, header/body split,
 * and dates from the world's virtual clock. Messages are built in a membuf (membuf.h).
 *
 * Messages are bytes with CRLF line ends (what DATA carries once dot-stuffing is removed);
 * functions that read a message also accept bare LF line ends. Nothing here trusts its input:
 * any bytes give a defined result and never read out of bounds.
 *
 * Virtual time: the world counts milliseconds from MAIL_EPOCH, 2024-03-12 09:00:00 +0000 (a
 * Tuesday), so virtual time 0 is that instant and transcripts never depend on the real clock.
 */
#ifndef MAIL_MESSAGE_H
#define MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util/membuf.h"

#define MAIL_DATE_MAX 40                     /* "Tue, 12 Mar 2024 09:00:00 +0000" + NUL fits */
#define MAIL_EPOCH_UNIX 1710234000LL         /* MAIL_EPOCH in seconds since 1970-01-01 UTC */
#define MAIL_HEADER_LINE 78                  /* fold trace headers before this (RFC 5322 2.1.1) */

/* mail_date - RFC 5322 3.3 date-time for virtual time `ms` after MAIL_EPOCH, in UTC:
 * "Tue, 12 Mar 2024 09:00:00 +0000". out needs MAIL_DATE_MAX bytes. Returns the length. */
size_t mail_date(uint64_t virtual_ms, char out[MAIL_DATE_MAX]);

/* mail_date_from - the same with another epoch: virtual time 0 is `epoch_unix` seconds after
 * 1970-01-01 UTC (a scenario's "start"). Dates are clamped to years 1970..9999. */
size_t mail_date_from(int64_t epoch_unix, uint64_t virtual_ms, char out[MAIL_DATE_MAX]);

/* mail_parse_utc - "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC only) to seconds since 1970-01-01,
 * years 1970..9999, fields checked (Feb 29 only in leap years). 0 or -1. */
int mail_parse_utc(const char *s, int64_t *unix_s);

/* mail_with_protocol - the "with" keyword of Received: (RFC 3848): "SMTP" (HELO), "ESMTP",
 * "ESMTPS" (TLS), "ESMTPA" (AUTH), "ESMTPSA" (TLS and AUTH). */
const char *mail_with_protocol(bool esmtp, bool tls, bool auth);

/* mail_with_protocol_utf8 - the same, and for a transaction that used SMTPUTF8 the RFC 6531
 * 3.7.3 keywords "UTF8SMTP", "UTF8SMTPA", "UTF8SMTPS", "UTF8SMTPSA". */
const char *mail_with_protocol_utf8(bool esmtp, bool tls, bool auth, bool utf8);

/* What goes into one Received: line (RFC 5321 4.4). Optional strings may be NULL or "". */
typedef struct {
    const char *helo;      /* what the client said in EHLO/HELO */
    const char *peer_name; /* the client's host name as the server knows it (optional) */
    const char *peer_addr; /* its IP address */
    const char *by;        /* our host name */
    const char *with;      /* mail_with_protocol(...) */
    const char *id;        /* queue id (optional) */
    const char *rcpt;      /* the forward-path, without < > (optional; only for one recipient) */
    const char *date;      /* mail_date(...) */
} mail_received;

/* mail_prepend_received - prepend
 *     Received: from HELO (NAME [ADDR])
 *             by BY with WITH id ID
 *             for <RCPT>; DATE
 * (folded, each line CRLF-terminated; RFC 5321 4.4 asks every SMTP server to add it at the
 * top). Without rcpt the ";" ends the "by" line. Client-supplied text (helo) is never trusted:
 * control characters and bytes that are not well-formed UTF-8 become '?' (UTF-8 is kept for
 * SMTPUTF8 addresses, RFC 6532 3.2) and each string is cut at 255 octets. -1 (msg
 * unchanged) when by, peer_addr, with or date is missing, or on no memory. */
int mail_prepend_received(membuf *msg, const mail_received *r);

/* mail_prepend_return_path - prepend "Return-Path: <PATH>" ("<>" for the null path); the final
 * delivery adds it (RFC 5321 4.4). 0 or -1. */
int mail_prepend_return_path(membuf *msg, const char *path);

/* mail_prepend_header - prepend "NAME: VALUE" + CRLF (value used as is: it may be folded with
 * CRLF + WSP, but a CR or LF not followed by WSP is refused). 0 or -1. */
int mail_prepend_header(membuf *msg, const char *name, const char *value);

/* mail_split - find the end of the header section (RFC 5322 2.1: the first empty line).
 * *hdr_len: bytes of header fields including the last field's line end; *body_off: where the
 * body starts (after the empty line). No empty line: all of it is headers, the body is empty
 * (*body_off = len). Returns true when an empty line was found. */
bool mail_split(const char *msg, size_t len, size_t *hdr_len, size_t *body_off);

/* mail_header_get - the value of the nth (0-based) field called `name` (case-insensitive),
 * unfolded (RFC 5322 2.2.3: CRLF before WSP removed), leading and trailing WSP removed, into
 * out (cap bytes, NUL added, cut to fit). Returns the full value length, or -1 if absent. */
long mail_header_get(const char *msg, size_t len, const char *name, size_t nth, char *out,
                     size_t cap);

/* mail_header_count - how many fields called `name` the header section has. */
size_t mail_header_count(const char *msg, size_t len, const char *name);

#endif
