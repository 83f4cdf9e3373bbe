/* utf8.h - UTF-8 validation (RFC 3629) for everything that reads text from outside: SMTPUTF8
 * addresses on the wire, JSON files, labels drawn in diagrams. */
#ifndef UTF8_H
#define UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* utf8_valid - the n bytes are well-formed UTF-8: no overlong forms, no surrogates, nothing
 * above U+10FFFF, no truncated sequence. On failure *bad_at (when not NULL) is the offset of
 * the first byte of the bad sequence. */
bool utf8_valid(const char *s, size_t n, size_t *bad_at);

#endif
