/* imap_parse.h - reading IMAP command syntax (RFC 9051 9, the formal syntax) and writing IMAP
 * strings, for the IMAP server engine.
 *
 * A command arrives whole in one buffer, literals included as they came on the wire
 * ("{5}\r\nhello"), so the parser is a cursor over bytes: no allocation, no copies except
 * where a caller asks for a string into its own buffer. Every reader returns 0 on success and
 * -1 (cursor unchanged) when the syntax does not match.
 */
#ifndef IMAP_PARSE_H
#define IMAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/retrieval/retr_io.h"

/* Ranges in one sequence set ("1:3,5,9:*"); more is refused as BAD. */
#define IMAP_SEQSET_MAX 256

typedef struct {
    const char *p;
    size_t n, i;
} imap_cursor;

typedef struct {
    uint32_t lo[IMAP_SEQSET_MAX], hi[IMAP_SEQSET_MAX];
    size_t n;
} imap_seqset;

/* imap_sp - one space */
int imap_sp(imap_cursor *c);
/* imap_end - at the end of the command (CRLF or nothing left) */
bool imap_end(const imap_cursor *c);
/* imap_peek - the next byte, or 0 at the end */
char imap_peek(const imap_cursor *c);
/* imap_lit - the literal text lit, ignoring ASCII case */
int imap_lit(imap_cursor *c, const char *lit);
/* imap_atom - 1*ATOM-CHAR; with brackets, ']' is allowed too (ASTRING-CHAR) */
int imap_atom(imap_cursor *c, bool brackets, const char **s, size_t *len);
/* imap_astring - atom, quoted string or literal; the value (unescaped) is copied into out
 * (cap bytes, NUL added). -1 on syntax or when it does not fit. */
int imap_astring(imap_cursor *c, char *out, size_t cap, size_t *len);
/* imap_number - 1-10 digits fitting uint32 */
int imap_number(imap_cursor *c, uint32_t *v);
/* imap_seqset_parse - a sequence set; '*' means star (the largest number in use). Ranges
 * are stored low to high. */
int imap_seqset_parse(imap_cursor *c, uint32_t star, imap_seqset *set);
/* imap_seqset_has - is v in the set? O(ranges) */
bool imap_seqset_has(const imap_seqset *set, uint32_t v);

/* imap_literal_marker - the line (CRLF included) ends with "{n}" or "{n+}" CRLF: n, with
 * *sync false for the RFC 7888 non-synchronizing form; -1 when it does not. */
long imap_literal_marker(const char *line, size_t len, bool *sync);

/* imap_put_string - an IMAP string for s: quoted when short and plain, else a literal
 * (RFC 9051 4.3); NIL when s is NULL. -1 on no memory. */
int imap_put_string(retr_io *io, retr_buf *b, const char *s, size_t len);
/* imap_put - append a NUL-terminated string */
int imap_put(retr_io *io, retr_buf *b, const char *s);
/* imap_put_u32 - append a number */
int imap_put_u32(retr_io *io, retr_buf *b, uint64_t v);

/* imap_date - RFC 9051 date-time "17-Jul-1996 02:44:25 +0000" for seconds since 1970 UTC
 * (out needs 27 bytes). */
void imap_date(int64_t t, char out[32]);

#endif
