/* str_util.c - small string checks and copies (see str_util.h). */
#include "core/util/str_util.h"

#include <string.h>

bool str_id_ok(const char *s, size_t n, size_t max)
{
    if (!s || n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

const char *str_domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : "";
}

bool str_non_ascii(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}
