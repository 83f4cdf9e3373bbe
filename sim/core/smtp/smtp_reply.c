/* smtp_reply.c - format and check SMTP replies (RFC 5321 4.2, RFC 2034, RFC 3463).
 *
 * Costs: O(length of the reply); no allocation. Formatting avoids printf so that the reply
 * funnel stays cheap on the hot path (a session produces about eight replies).
 */
#include "core/smtp/smtp_reply.h"

#include <stdint.h>
#include <string.h>

/* smtp_reply_code_valid - first digit 2..5, second 0..5, third 0..9 (RFC 5321 4.2.1). */
bool smtp_reply_code_valid(int code)
{
    if (code < 200 || code > 599)
        return false;
    return (code / 10) % 10 <= 5;
}

/* esc_part - parse 1..3 digits at s, return the count or 0. */
static size_t esc_part(const char *s)
{
    size_t n = 0;
    while (n < 4 && s[n] >= '0' && s[n] <= '9')
        n++;
    return (n >= 1 && n <= 3) ? n : 0;
}

/* smtp_reply_esc_valid - enhanced code agrees with the reply code (RFC 2034 4, RFC 3463 2) */
bool smtp_reply_esc_valid(int code, const char *esc)
{
    if (!esc || esc[0] == '\0')
        return true;
    /* RFC 3463 2: class is 2, 4 or 5, and must agree with the reply code (RFC 2034 4);
     * 3xx replies carry no enhanced code. */
    int cls = code / 100;
    if (cls == 3 || esc[0] != (char)('0' + cls) || esc[1] != '.')
        return false;
    const char *p = esc + 2;
    size_t n = esc_part(p);
    if (!n || p[n] != '.')
        return false;
    p += n + 1;
    n = esc_part(p);
    return n && p[n] == '\0';
}

/* smtp_reply_text_valid - printable US-ASCII only */
bool smtp_reply_text_valid(const char *text, size_t len)
{
    /* eight bytes at a time: a byte < 0x20, >= 0x80, or == 0x7f fails ("haszero" trick) */
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v, del;
        memcpy(&v, text + i, 8);
        del = v ^ 0x7f7f7f7f7f7f7f7full;
        if (((v - ones * 0x20) | v | ((del - ones) & ~del)) & highs)
            return false;
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

/* smtp_reply_formatted_len - exact bytes smtp_reply_format writes */
size_t smtp_reply_formatted_len(const char *esc, const char *const *lines, size_t n)
{
    size_t elen = esc ? strlen(esc) : 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t tlen = lines[i] ? strlen(lines[i]) : 0;
        total += 4 + elen + (elen && tlen ? 1 : 0) + tlen + 2;
    }
    return total;
}

/* smtp_reply_format - one reply, single or multi-line (RFC 5321 4.2.1) */
long smtp_reply_format(char *out, size_t cap, int code, const char *esc, const char *const *lines,
                       size_t n)
{
    if (!smtp_reply_code_valid(code) || !smtp_reply_esc_valid(code, esc) || n == 0 ||
        n > SMTP_REPLY_MAX_LINES)
        return -1;
    size_t elen = esc ? strlen(esc) : 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = lines[i] ? lines[i] : "";
        size_t tlen = strlen(t);
        size_t line = 4 + elen + (elen && tlen ? 1 : 0) + tlen + 2;
        if (!smtp_reply_text_valid(t, tlen) || line > SMTP_REPLY_LINE_MAX || o + line > cap)
            return -1;
        out[o++] = (char)('0' + code / 100);
        out[o++] = (char)('0' + code / 10 % 10);
        out[o++] = (char)('0' + code % 10);
        out[o++] = i + 1 < n ? '-' : ' ';
        if (elen) {
            memcpy(out + o, esc, elen);
            o += elen;
            /* a bare "250 2.0.0" line is legal: the code is the text */
            if (tlen)
                out[o++] = ' ';
        }
        memcpy(out + o, t, tlen);
        o += tlen;
        out[o++] = '\r';
        out[o++] = '\n';
    }
    return (long)o;
}

/* smtp_reply_parse_line - code, continuation and text of a received line */
int smtp_reply_parse_line(const char *line, size_t len, int *code, bool *more, const char **text,
                          size_t *text_len)
{
    if (len < 3)
        return -1;
    for (int i = 0; i < 3; i++)
        if (line[i] < '0' || line[i] > '9')
            return -1;
    int c = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (!smtp_reply_code_valid(c))
        return -1;
    bool m = false;
    size_t off = 3;
    if (len > 3) {
        if (line[3] == '-')
            m = true;
        else if (line[3] != ' ')
            return -1;
        off = 4;
    }
    *code = c;
    *more = m;
    *text = line + off;
    *text_len = len - off;
    return 0;
}
