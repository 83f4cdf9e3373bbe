/* str_util.h - small string checks and copies that several modules need alike (ids in scenario
 * and lesson files, mailbox domains, bounded copies into fixed buffers). */
#ifndef STR_UTIL_H
#define STR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* str_id_ok - whether s[0..n) is an id: 1 to max characters of [a-z0-9-] (scenario, node,
 * lesson and question ids; file names in lessons/ are ids too). s need not end at n. */
bool str_id_ok(const char *s, size_t n, size_t max);

/* str_copy - n bytes of src (STR_ALL: up to its NUL) into dst[cap] (cap >= 1), NUL-terminated,
 * truncated to cap - 1. With n given, src needs no NUL (wire bytes). Inline: the engines copy
 * a few short strings per command, where a call and a second scan of the string would show. */
#define STR_ALL ((size_t)-1)
static inline void str_copy(char *dst, size_t cap, const char *src, size_t n)
{
    size_t len = n == STR_ALL ? strnlen(src, cap - 1) : n < cap - 1 ? n : cap - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* str_domain_of - the part of a mailbox after its last '@' ("" when there is none). */
const char *str_domain_of(const char *addr);

/* str_non_ascii - whether s holds a byte >= 0x80 (UTF-8 in an address: RFC 6531's SMTPUTF8).
 * NULL is false. */
bool str_non_ascii(const char *s);

#endif
