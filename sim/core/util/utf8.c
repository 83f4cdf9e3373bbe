/* utf8.c - a strict UTF-8 validator, one pass, no tables. */
#include "core/util/utf8.h"

bool utf8_valid(const char *s, size_t n, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t need;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            need = 1, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3, min = 0x10000;
        } else {
            goto bad; /* continuation byte, C0/C1 (always overlong), F5-FF */
        }
        unsigned cp = c & (0x3fu >> need);
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
                goto bad;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            goto bad;
        i += need + 1;
    }
    return true;
bad:
    if (bad_at)
        *bad_at = i;
    return false;
}
