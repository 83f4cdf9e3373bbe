/* buf.h - the one growable byte buffer: messages being built, wire output of the engines,
 * GIFT and transcript text.
 *
 * Always NUL-terminated after data[len] once anything was added, so text can be used as a C
 * string. Grows by doubling, up to a limit (BUF_MAX unless set). The first failure (no memory
 * or over the limit) sticks in `failed`: later appends do nothing and return -1, so a writer
 * can append freely and check once at the end. A buffer may start in storage its owner
 * provides (buf_init_inline: a session's inline bytes) and moves to the heap only when it
 * outgrows it, so the common case makes no allocation at all.
 */
#ifndef BUF_H
#define BUF_H

#include <stdbool.h>
#include <stddef.h>

#define BUF_MAX (64u * 1024u * 1024u) /* largest buffer grown to by default; more fails */

typedef struct {
    char *data;
    size_t len, cap;
    size_t max;  /* the limit on len (0: BUF_MAX) */
    bool failed; /* sticky: out of memory or over max */
    bool heap;   /* data was malloc'ed by the buffer (else NULL or the owner's storage) */
} buf;

/* buf_init - empty, no storage (a zeroed buf is the same). */
void buf_init(buf *b);

/* buf_init_inline - empty, writing into storage[cap] (cap >= 1) until it needs more. */
void buf_init_inline(buf *b, char *storage, size_t cap);

/* buf_free - frees what the buffer allocated and makes it empty again (buf_init). */
void buf_free(buf *b);

/* buf_reserve - room for n more bytes and the NUL. 0, or -1 (and failed set). */
int buf_reserve(buf *b, size_t n);

int buf_append(buf *b, const void *bytes, size_t n);
int buf_puts(buf *b, const char *s);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_prepend(buf *b, const void *bytes, size_t n);

/* buf_set - replace the contents with n bytes. */
int buf_set(buf *b, const void *bytes, size_t n);

/* buf_clear - empty, keeping the storage (and a failure, which only buf_free forgets). */
void buf_clear(buf *b);

#endif
