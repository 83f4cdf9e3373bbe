/* imap_parse.c - IMAP syntax readers (RFC 9051 9) and string writers (RFC 9051 4.3). */
#include "core/imap/imap_parse.h"

#include <stdio.h>
#include <string.h>

/* atom_char - RFC 9051 9: ATOM-CHAR is any CHAR except atom-specials */
static bool atom_char(unsigned char ch, bool brackets)
{
    if (ch <= 0x20 || ch >= 0x7f)
        return false;
    if (ch == ']')
        return brackets;
    return !strchr("(){%*\"\\", ch);
}

int imap_sp(imap_cursor *c)
{
    if (c->i < c->n && c->p[c->i] == ' ') {
        c->i++;
        return 0;
    }
    return -1;
}

bool imap_end(const imap_cursor *c)
{
    return c->i == c->n || (c->n - c->i == 2 && c->p[c->i] == '\r' && c->p[c->i + 1] == '\n');
}

char imap_peek(const imap_cursor *c)
{
    return c->i < c->n ? c->p[c->i] : 0;
}

int imap_lit(imap_cursor *c, const char *lit)
{
    size_t l = strlen(lit);
    if (c->n - c->i < l || !retr_ieq(c->p + c->i, l, lit))
        return -1;
    c->i += l;
    return 0;
}

int imap_atom(imap_cursor *c, bool brackets, const char **s, size_t *len)
{
    size_t j = c->i;
    while (j < c->n && atom_char((unsigned char)c->p[j], brackets))
        j++;
    if (j == c->i)
        return -1;
    *s = c->p + c->i;
    *len = j - c->i;
    c->i = j;
    return 0;
}

int imap_number(imap_cursor *c, uint32_t *v)
{
    size_t j = c->i;
    while (j < c->n && c->p[j] >= '0' && c->p[j] <= '9')
        j++;
    if (retr_parse_u32(c->p + c->i, j - c->i, false, v) < 0)
        return -1;
    c->i = j;
    return 0;
}

/* literal - "{n}" or "{n+}" CRLF and n octets (RFC 9051 4.3, RFC 7888) */
static int literal(imap_cursor *c, const char **s, size_t *len)
{
    imap_cursor t = *c;
    uint32_t n;
    if (imap_peek(&t) != '{')
        return -1;
    t.i++;
    if (imap_number(&t, &n) < 0)
        return -1;
    if (imap_peek(&t) == '+')
        t.i++;
    if (imap_lit(&t, "}\r\n") < 0 || t.n - t.i < n)
        return -1;
    *s = t.p + t.i;
    *len = n;
    t.i += n;
    *c = t;
    return 0;
}

int imap_astring(imap_cursor *c, char *out, size_t cap, size_t *len)
{
    imap_cursor t = *c;
    const char *s;
    size_t n, w = 0;
    if (imap_peek(&t) == '"') {
        t.i++;
        for (;;) {
            if (t.i >= t.n)
                return -1;
            char ch = t.p[t.i++];
            if (ch == '"')
                break;
            if (ch == '\\') {
                if (t.i >= t.n || (t.p[t.i] != '"' && t.p[t.i] != '\\'))
                    return -1;
                ch = t.p[t.i++];
            } else if (ch == '\r' || ch == '\n' || ch == '\0') {
                return -1;
            }
            if (w + 1 >= cap)
                return -1;
            out[w++] = ch;
        }
    } else if (literal(&t, &s, &n) == 0 || imap_atom(&t, true, &s, &n) == 0) {
        if (n >= cap || memchr(s, '\0', n))
            return -1;
        memcpy(out, s, n);
        w = n;
    } else {
        return -1;
    }
    out[w] = '\0';
    *len = w;
    *c = t;
    return 0;
}

/* seq_number - nz-number or '*' */
static int seq_number(imap_cursor *c, uint32_t star, uint32_t *v)
{
    if (imap_peek(c) == '*') {
        c->i++;
        *v = star;
        return 0;
    }
    if (imap_number(c, v) < 0 || *v == 0)
        return -1;
    return 0;
}

int imap_seqset_parse(imap_cursor *c, uint32_t star, imap_seqset *set)
{
    imap_cursor t = *c;
    set->n = 0;
    do {
        uint32_t a, b;
        if (set->n == IMAP_SEQSET_MAX || seq_number(&t, star, &a) < 0)
            return -1;
        b = a;
        if (imap_peek(&t) == ':') {
            t.i++;
            if (seq_number(&t, star, &b) < 0)
                return -1;
        }
        /* RFC 9051 9: "2:4" and "4:2" are the same range */
        set->lo[set->n] = a < b ? a : b;
        set->hi[set->n] = a < b ? b : a;
        set->n++;
    } while (imap_peek(&t) == ',' && ++t.i);
    *c = t;
    return 0;
}

bool imap_seqset_has(const imap_seqset *set, uint32_t v)
{
    for (size_t i = 0; i < set->n; i++)
        if (v >= set->lo[i] && v <= set->hi[i])
            return true;
    return false;
}

/* imap_literal_marker - RFC 9051 4.3 and RFC 7888: "{" number ["+"] "}" CRLF at the end */
long imap_literal_marker(const char *line, size_t len, bool *sync)
{
    if (len < 5 || line[len - 1] != '\n' || line[len - 2] != '\r' || line[len - 3] != '}')
        return -1;
    size_t e = len - 3, i = e;
    *sync = true;
    if (i && line[i - 1] == '+') {
        *sync = false;
        e = --i;
    }
    while (i && line[i - 1] >= '0' && line[i - 1] <= '9')
        i--;
    uint32_t n;
    if (i == 0 || line[i - 1] != '{' || retr_parse_u32(line + i, e - i, false, &n) < 0)
        return -1;
    return (long)n;
}

int imap_put(retr_io *io, retr_buf *b, const char *s)
{
    return retr_buf_append(io, b, s, strlen(s));
}

int imap_put_u32(retr_io *io, retr_buf *b, uint64_t v)
{
    char d[24];
    int n = snprintf(d, sizeof d, "%llu", (unsigned long long)v);
    return retr_buf_append(io, b, d, (size_t)n);
}

int imap_put_string(retr_io *io, retr_buf *b, const char *s, size_t len)
{
    if (!s)
        return imap_put(io, b, "NIL");
    bool quoted = len <= 256;
    for (size_t i = 0; quoted && i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        quoted = ch >= 0x20 && ch < 0x7f;
    }
    if (!quoted) {
        char head[32];
        int n = snprintf(head, sizeof head, "{%zu}\r\n", len);
        if (retr_buf_append(io, b, head, (size_t)n) < 0)
            return -1;
        return retr_buf_append(io, b, s, len);
    }
    if (retr_buf_append(io, b, "\"", 1) < 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if ((s[i] == '"' || s[i] == '\\') && retr_buf_append(io, b, "\\", 1) < 0)
            return -1;
        if (retr_buf_append(io, b, s + i, 1) < 0)
            return -1;
    }
    return retr_buf_append(io, b, "\"", 1);
}

/* imap_date - days-from-civil in reverse (Howard Hinnant's algorithm, public domain idea) */
void imap_date(int64_t t, char out[32])
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (t < 0)
        t = 0;
    if (t > 253402300799) /* 9999-12-31 */
        t = 253402300799;
    int64_t days = t / 86400, secs = t % 86400;
    int64_t z = days + 719468, era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    snprintf(out, 32, "%02d-%s-%04d %02d:%02d:%02d +0000", (int)d, mon[m - 1], (int)y,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}
