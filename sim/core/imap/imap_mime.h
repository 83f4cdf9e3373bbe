/* imap_mime.h - what IMAP needs to know about a message's structure: header fields (RFC 5322
 * 2.2), MIME parts (RFC 2045, RFC 2046 5.1), and the ENVELOPE and BODYSTRUCTURE answers built
 * from them (RFC 9051 7.5.2), plus finding a part by section number (RFC 9051 6.4.5).
 *
 * Nothing is parsed ahead of time and nothing is allocated: every call walks the stored bytes
 * it is given. Costs: a header lookup is O(header size); BODYSTRUCTURE is O(message size)
 * once per nesting level, bounded by IMAP_MIME_DEPTH_MAX.
 */
#ifndef IMAP_MIME_H
#define IMAP_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/retrieval/retr_io.h"

/* Nesting of multiparts and message/rfc822 parts we describe; deeper parts are shown as
 * application/octet-stream (a defence against hostile messages, not a limit of IMAP). */
#define IMAP_MIME_DEPTH_MAX 8
/* Parts of one multipart we list. */
#define IMAP_MIME_PARTS_MAX 100
/* Octets of one unfolded header field value we read; the rest is cut. */
#define IMAP_HEADER_VALUE_MAX 8192
/* Section path depth (BODY[1.2.3]). */
#define IMAP_SECTION_DEPTH_MAX 8

/* imap_mime_header_len - header length (up to and including the blank line) and body offset. */
size_t imap_mime_header_len(const char *data, size_t len);

/* imap_mime_field - the first field called name, unfolded, leading blanks trimmed, into out
 * (cap bytes, NUL added, cut to fit). false when absent. */
bool imap_mime_field(const char *hdr, size_t hlen, const char *name, char *out, size_t cap);

/* imap_mime_fields - the header fields whose names are (not) in names[0..n-1], each whole
 * with its CRLF, then the blank line (RFC 9051 6.4.5 HEADER.FIELDS / HEADER.FIELDS.NOT). */
int imap_mime_fields(retr_io *io, retr_buf *out, const char *hdr, size_t hlen,
                     const char *const *names, const size_t *lens, size_t n, bool not_in);

/* imap_mime_envelope - "(date subject from sender reply-to to cc bcc in-reply-to message-id)" */
int imap_mime_envelope(retr_io *io, retr_buf *out, const char *data, size_t len);

/* imap_mime_bodystructure - BODYSTRUCTURE (ext true) or BODY (ext false) of a message. */
int imap_mime_bodystructure(retr_io *io, retr_buf *out, const char *data, size_t len, bool ext);

/* imap_mime_section - find the entity a section path names (RFC 9051 6.4.5). On success
 * *ent and *elen give the entity (its MIME header and body) and *is_msg tells whether its body is
 * an encapsulated message (message/rfc822) or the path is empty (the message itself).
 * -1 when the path names no part. */
int imap_mime_section(const char *data, size_t len, const uint32_t *path, size_t depth,
                      const char **ent, size_t *elen, bool *is_msg);

/* imap_mime_contains - case-insensitive (ASCII) substring search, for SEARCH (RFC 9051
 * 6.4.4: "case-insensitive substring"). */
bool imap_mime_contains(const char *hay, size_t hn, const char *needle, size_t nn);

#endif
