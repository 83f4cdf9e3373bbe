/* membuf.h - the one growable byte buffer: messages being built, wire output of the engines,
 * GIFT and transcript text.
 *
 * Always NUL-terminated after data[len] once anything was added, so text can be used as a C
 * string. Grows by doubling, up to a limit (MEMBUF_MAX unless set). The first failure (no memory
 * or over the limit) sticks in `failed`: later appends do nothing and return -1, so a writer
 * can append freely and check once at the end. A buffer may start in storage its owner
 * provides (membuf_init_inline: a session's inline bytes) and moves to the heap only when it
 * outgrows it, so the common case makes no allocation at all.
 */
#ifndef MEMBUF_H
#define MEMBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define MEMBUF_MAX (64u * 1024u * 1024u) /* largest buffer grown to by default; more fails */

typedef struct {
    char *data;
    size_t len, cap;
    size_t max;  /* the limit on len (0: MEMBUF_MAX) */
    bool failed; /* sticky: out of memory or over max */
    bool heap;   /* data was malloc'ed by the buffer (else NULL or the owner's storage) */
} membuf;

/* membuf_init - empty, no storage (a zeroed membuf is the same). */
void membuf_init(membuf *b);

/* membuf_init_inline - empty, writing into storage[cap] (cap >= 1) until it needs more (the
 * owner's storage counts as room even past a smaller max). */
void membuf_init_inline(membuf *b, char *storage, size_t cap);

/* membuf_free - frees what the buffer allocated and makes it empty again (membuf_init). */
void membuf_free(membuf *b);

/* membuf_grow - membuf_reserve's slow path: check the limit, reallocate (or leave the owner's
 * storage). 0, or -1 (and failed set). */
int membuf_grow(membuf *b, size_t n);

/* membuf_reserve - room for n more bytes and the NUL. 0, or -1 (and failed set). Inline, with
 * membuf_append: the engines append a few bytes per command and reply, and the call would
 * cost more than the copy. The limit holds because the room never grows past max + 1. */
static inline int membuf_reserve(membuf *b, size_t n)
{
    return !b->failed && n < b->cap - b->len ? 0 : membuf_grow(b, n);
}

static inline int membuf_append(membuf *b, const void *bytes, size_t n)
{
    if (membuf_reserve(b, n) < 0)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int membuf_puts(membuf *b, const char *s);
int membuf_printf(membuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int membuf_prepend(membuf *b, const void *bytes, size_t n);

/* membuf_set - replace the contents with n bytes. */
int membuf_set(membuf *b, const void *bytes, size_t n);

/* membuf_clear - empty, keeping the storage (and a failure, which only membuf_free forgets). */
void membuf_clear(membuf *b);

/* membuf_grow_array - arr (n elements of elem bytes, room for *cap) with room for at least need:
 * reallocated to double the room (32 at first) when it is short. The array to use from now on,
 * or NULL when memory runs out (arr and *cap untouched then). For the typed arrays that grow
 * one element at a time (quiz items, deferred calls, file names). */
void *membuf_grow_array(void *arr, size_t *cap, size_t need, size_t elem);

#endif
