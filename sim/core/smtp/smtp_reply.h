/* smtp_reply.h - the one place where SMTP reply bytes are formatted (RFC 5321 4.2).
 *
 * A reply is a three-digit code, optionally an enhanced status code (RFC 2034 / RFC 3463) and
 * one or more lines of text. Multi-line replies use "code-" on every line but the last, which
 * uses "code " (RFC 5321 4.2.1). The formatter refuses anything malformed: a code outside
 * 2xx..5xx, an enhanced code whose class does not agree with the reply code, text with control
 * characters or non-ASCII, or a line longer than the 512-octet reply line limit (4.5.3.1.5).
 * The server treats such a refusal as a bug in its own code.
 */
#ifndef SMTP_REPLY_H
#define SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

/* Octets in one reply line, CRLF included (RFC 5321 4.5.3.1.5). */
#define SMTP_REPLY_LINE_MAX 512
/* Lines in one reply we ever produce (EHLO is the longest). */
#define SMTP_REPLY_MAX_LINES 24

/* smtp_reply_code_valid - 2xx..5xx with a second digit 0..5 (RFC 5321 4.2.1). */
bool smtp_reply_code_valid(int code);

/* smtp_reply_esc_valid - "class.subject.detail" with 1-3 digit parts (RFC 3463 2) whose class
 * agrees with the reply code (RFC 2034 4); "" is valid (no enhanced code). */
bool smtp_reply_esc_valid(int code, const char *esc);

/* smtp_reply_text_valid - printable US-ASCII (and SP) only, no CR or LF. */
bool smtp_reply_text_valid(const char *text, size_t len);

/* smtp_reply_format - write a reply of n lines into out (cap bytes, no NUL added). Every line
 * carries esc when it is not "" (RFC 2034 4: "the same status code must appear at the
 * beginning of the text in each line"). Returns the byte count, or -1 when the reply is
 * malformed or does not fit. */
long smtp_reply_format(char *out, size_t cap, int code, const char *esc, const char *const *lines,
                       size_t n);

/* smtp_reply_formatted_len - the bytes smtp_reply_format would need (no validation). */
size_t smtp_reply_formatted_len(const char *esc, const char *const *lines, size_t n);

/* smtp_reply_parse_line - split one received reply line (without CRLF) into its code, whether
 * more lines follow ('-'), and the text after "code[- ]". -1 when it is not a reply line. */
int smtp_reply_parse_line(const char *line, size_t len, int *code, bool *more, const char **text,
                          size_t *text_len);

#endif
