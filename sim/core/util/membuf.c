/* membuf.c - the growable byte buffer (see membuf.h). */
#include "core/util/membuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void membuf_init(membuf *b)
{
    memset(b, 0, sizeof *b);
}

void membuf_init_inline(membuf *b, char *storage, size_t cap)
{
    membuf_init(b);
    b->data = storage;
    b->cap = cap;
    storage[0] = '\0';
}

void membuf_free(membuf *b)
{
    if (!b)
        return;
    if (b->heap)
        free(b->data);
    membuf_init(b);
}

int membuf_grow(membuf *b, size_t n)
{
    if (b->failed)
        return -1;
    size_t max = b->max ? b->max : MEMBUF_MAX;
    if (max > (size_t)-1 / 2)
        max = (size_t)-1 / 2; /* "no limit": still room to double and for the NUL */
    if (n > max || b->len > max - n) {
        b->failed = true;
        return -1;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > max + 1)
        cap = max + 1; /* so that membuf_reserve's quick test also keeps the limit */
    char *p = b->heap ? realloc(b->data, cap) : malloc(cap);
    if (!p) {
        b->failed = true;
        return -1;
    }
    if (!b->heap && b->data)
        memcpy(p, b->data, b->len + 1); /* out of the owner's storage */
    b->data = p;
    b->cap = cap;
    b->heap = true;
    return 0;
}

int membuf_puts(membuf *b, const char *s)
{
    return membuf_append(b, s, strlen(s));
}

int membuf_printf(membuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return -1;
    }
    if (membuf_reserve(b, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int membuf_prepend(membuf *b, const void *bytes, size_t n)
{
    if (membuf_reserve(b, n) < 0)
        return -1;
    if (n > 0) {
        memmove(b->data + n, b->data, b->len);
        memcpy(b->data, bytes, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int membuf_set(membuf *b, const void *bytes, size_t n)
{
    if (b->failed)
        return -1;
    b->len = 0;
    return membuf_append(b, bytes, n);
}

void membuf_clear(membuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void *membuf_grow_array(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return arr;
    size_t n = *cap ? *cap : 32;
    while (n < need) {
        if (n > ((size_t)-1 / 2) / elem)
            return NULL;
        n *= 2;
    }
    void *v = realloc(arr, n * elem);
    if (v)
        *cap = n;
    return v;
}
