/* base64.c - strict base64 encoder and decoder (RFC 4648 section 4). */
#include "core/util/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

long base64_encode(const void *in, size_t n, char *out, size_t cap)
{
    const unsigned char *p = in;
    size_t need = base64_encoded_len(n);
    if (cap < need + 1)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return (long)o;
}

static int value_of(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long base64_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
    if (n % 4 != 0)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = in[i + k];
            if (c == '=') {
                /* padding only in the last group, only at its end */
                if (i + 4 != n || k < 2)
                    return -1;
                v[k] = 0;
                pad++;
            } else {
                if (pad)
                    return -1;
                v[k] = value_of(c);
                if (v[k] < 0)
                    return -1;
            }
        }
        unsigned bits = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        size_t produce = 3 - (size_t)pad;
        if (o + produce > cap)
            return -1;
        out[o++] = (unsigned char)(bits >> 16);
        if (produce > 1)
            out[o++] = (unsigned char)(bits >> 8);
        if (produce > 2)
            out[o++] = (unsigned char)bits;
    }
    if (o < cap)
        out[o] = '\0';
    return (long)o;
}
