/* mail_message.c - RFC 5322 message helpers: trace fields, header lookup, header/body split,
 * and RFC 5322 dates from the virtual clock. */
#include "core/smtp/mail_message.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAIL_TRACE_FIELD_MAX 255 /* octets of one client-supplied string in a trace field */

/* ---- dates ------------------------------------------------------------------------------ */

/* civil_from_days - proleptic Gregorian date for a day count since 1970-01-01 (days >= 0).
 * Eras of 400 years (146097 days) repeat exactly, so work within one era. */
static void civil_from_days(long long days, int *y, int *m, int *d)
{
    days += 719468; /* shift the epoch to 0000-03-01, so leap days fall at the end of a year */
    long long era = days / 146097;
    long long doe = days - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

#define MAIL_MAX_UNIX 253402300799LL /* 9999-12-31 23:59:59 UTC */

size_t mail_date_from(int64_t epoch_unix, uint64_t virtual_ms, char out[MAIL_DATE_MAX])
{
    static const char *const wd[7] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    /* keep the year at four digits whatever the clock says (RFC 5322 3.3) */
    if (epoch_unix < 0)
        epoch_unix = 0;
    if (epoch_unix > MAIL_MAX_UNIX)
        epoch_unix = MAIL_MAX_UNIX;
    uint64_t rel = virtual_ms / 1000;
    uint64_t room = (uint64_t)(MAIL_MAX_UNIX - epoch_unix);
    if (rel > room)
        rel = room;
    long long secs = (long long)epoch_unix + (long long)rel;
    long long days = secs / 86400;
    long long sod = secs % 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    int n = snprintf(out, MAIL_DATE_MAX, "%s, %d %s %04d %02d:%02d:%02d +0000", wd[days % 7], d,
                     mon[m - 1], y, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    return n < 0 ? 0 : (size_t)n;
}

size_t mail_date(uint64_t virtual_ms, char out[MAIL_DATE_MAX])
{
    return mail_date_from(MAIL_EPOCH_UNIX, virtual_ms, out);
}

/* days_from_civil - the inverse of civil_from_days. */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = y / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int mail_parse_utc(const char *s, int64_t *unix_s)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s == NULL || strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
        s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return -1;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || se < 0 || se > 59)
        return -1;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return -1;
    *unix_s = (int64_t)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

/* ---- trace fields -------------------------------------------------------------------------- */

const char *mail_with_protocol_utf8(bool esmtp, bool tls, bool auth, bool utf8)
{
    if (!esmtp || !utf8)
        return mail_with_protocol(esmtp, tls, auth);
    if (tls && auth)
        return "UTF8SMTPSA";
    if (tls)
        return "UTF8SMTPS";
    if (auth)
        return "UTF8SMTPA";
    return "UTF8SMTP";
}

const char *mail_with_protocol(bool esmtp, bool tls, bool auth)
{
    if (!esmtp)
        return "SMTP";
    if (tls && auth)
        return "ESMTPSA";
    if (tls)
        return "ESMTPS";
    if (auth)
        return "ESMTPA";
    return "ESMTP";
}

/* utf8_seq - length of a well-formed UTF-8 sequence at p (2-4), or 0 (RFC 3629 4). */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

/* clean - copy untrusted text for a header: printable ASCII and well-formed UTF-8 (allowed in
 * headers of SMTPUTF8 mail, RFC 6532 3.2) are kept, anything else becomes '?'; at most max
 * octets, never a cut sequence. */
static void clean(char *out, size_t cap, const char *in, size_t max)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)in;
    for (size_t i = 0; in != NULL && p[i] != '\0' && i < max && o + 1 < cap;) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
            i++;
            continue;
        }
        size_t n = c >= 0x80 ? utf8_seq(p + i) : 0;
        if (n > 0 && i + n <= max && o + n < cap) {
            memcpy(out + o, p + i, n);
            o += n;
            i += n;
            continue;
        }
        out[o++] = '?';
        i++;
    }
    out[o] = '\0';
}

static bool present(const char *s)
{
    return s != NULL && s[0] != '\0';
}

int mail_prepend_received(membuf *msg, const mail_received *r)
{
    if (r == NULL || !present(r->by) || !present(r->peer_addr) || !present(r->with) ||
        !present(r->date))
        return -1;
    char helo[MAIL_TRACE_FIELD_MAX + 1], name[MAIL_TRACE_FIELD_MAX + 1];
    char addr[MAIL_TRACE_FIELD_MAX + 1], by[MAIL_TRACE_FIELD_MAX + 1];
    char with[32], id[MAIL_TRACE_FIELD_MAX + 1], rcpt[MAIL_TRACE_FIELD_MAX + 1], date[64];
    clean(helo, sizeof helo, present(r->helo) ? r->helo : "unknown", MAIL_TRACE_FIELD_MAX);
    clean(name, sizeof name, r->peer_name, MAIL_TRACE_FIELD_MAX);
    clean(addr, sizeof addr, r->peer_addr, MAIL_TRACE_FIELD_MAX);
    clean(by, sizeof by, r->by, MAIL_TRACE_FIELD_MAX);
    clean(with, sizeof with, r->with, sizeof with - 1);
    clean(id, sizeof id, r->id, MAIL_TRACE_FIELD_MAX);
    clean(rcpt, sizeof rcpt, r->rcpt, MAIL_TRACE_FIELD_MAX);
    clean(date, sizeof date, r->date, sizeof date - 1);

    membuf line;
    membuf_init(&line);
    /* TCP-info (RFC 5321 4.4): "name [addr]" or just the address literal; IPv6 literals are
     * tagged "IPv6:" (4.1.3) */
    const char *v6 = strchr(addr, ':') != NULL ? "IPv6:" : "";
    membuf_printf(&line, "Received: from %s (", helo);
    if (name[0] != '\0')
        membuf_printf(&line, "%s ", name);
    membuf_printf(&line, "[%s%s])\r\n\tby %s with %s", v6, addr, by, with);
    if (id[0] != '\0')
        membuf_printf(&line, " id %s", id);
    if (rcpt[0] != '\0')
        membuf_printf(&line, "\r\n\tfor <%s>; %s\r\n", rcpt, date);
    else
        membuf_printf(&line, ";\r\n\t%s\r\n", date);
    int rc = line.failed ? -1 : membuf_prepend(msg, line.data, line.len);
    membuf_free(&line);
    return rc;
}

int mail_prepend_return_path(membuf *msg, const char *path)
{
    char p[MAIL_TRACE_FIELD_MAX + 1];
    clean(p, sizeof p, path, MAIL_TRACE_FIELD_MAX);
    char line[MAIL_TRACE_FIELD_MAX + 32];
    int n = snprintf(line, sizeof line, "Return-Path: <%s>\r\n", p);
    return membuf_prepend(msg, line, (size_t)n);
}

int mail_prepend_header(membuf *msg, const char *name, const char *value)
{
    if (name == NULL || value == NULL || name[0] == '\0')
        return -1;
    /* field-name = 1*ftext, printable US-ASCII except ':' (RFC 5322 3.6.8) */
    for (const char *p = name; *p; p++)
        if (*p < 33 || *p > 126 || *p == ':')
            return -1;
    /* a line break is allowed only as a fold: CRLF followed by WSP (RFC 5322 2.2.3) */
    for (size_t i = 0; value[i]; i++) {
        if (value[i] == '\r') {
            if (value[i + 1] != '\n' || (value[i + 2] != ' ' && value[i + 2] != '\t'))
                return -1;
            i++;
        } else if (value[i] == '\n') {
            return -1;
        }
    }
    membuf line;
    membuf_init(&line);
    membuf_printf(&line, "%s: %s\r\n", name, value);
    int rc = line.failed ? -1 : membuf_prepend(msg, line.data, line.len);
    membuf_free(&line);
    return rc;
}

/* ---- reading a message --------------------------------------------------------------------- */

/* line_at - the line starting at pos: content is [pos, *end) without CR/LF, *next after LF. */
static void line_at(const char *msg, size_t len, size_t pos, size_t *end, size_t *next)
{
    const char *lf = memchr(msg + pos, '\n', len - pos);
    size_t e = lf ? (size_t)(lf - msg) : len;
    *next = lf ? e + 1 : len;
    if (e > pos && msg[e - 1] == '\r')
        e--;
    *end = e;
}

bool mail_split(const char *msg, size_t len, size_t *hdr_len, size_t *body_off)
{
    size_t pos = 0;
    while (msg != NULL && pos < len) {
        size_t end, next;
        line_at(msg, len, pos, &end, &next);
        if (end == pos) {
            *hdr_len = pos;
            *body_off = next;
            return true;
        }
        pos = next;
    }
    *hdr_len = len;
    *body_off = len;
    return false;
}

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* field_matches - does the field starting at pos have this name? Sets *colon on success. */
static bool field_matches(const char *msg, size_t end, size_t pos, const char *name, size_t *colon)
{
    size_t nl = strlen(name);
    if (nl == 0 || end - pos < nl + 1)
        return false;
    for (size_t i = 0; i < nl; i++) {
        char a = msg[pos + i], b = name[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    size_t p = pos + nl;
    while (p < end && is_wsp(msg[p])) /* obsolete "Subject :" (RFC 5322 4.5) */
        p++;
    if (p >= end || msg[p] != ':')
        return false;
    *colon = p;
    return true;
}

long mail_header_get(const char *msg, size_t len, const char *name, size_t nth, char *out,
                     size_t cap)
{
    if (cap > 0)
        out[0] = '\0';
    if (msg == NULL || name == NULL)
        return -1;
    size_t hdr_len, body_off;
    mail_split(msg, len, &hdr_len, &body_off);
    size_t pos = 0;
    while (pos < hdr_len) {
        size_t end, next, colon;
        line_at(msg, hdr_len, pos, &end, &next);
        if (!is_wsp(msg[pos]) && field_matches(msg, end, pos, name, &colon)) {
            if (nth > 0) {
                nth--;
                pos = next;
                continue;
            }
            /* collect the value: this line after the colon, then continuation lines */
            size_t total = 0, o = 0;
            bool started = false;
            size_t trail = 0; /* length of value up to its last non-WSP character */
            size_t seg = colon + 1, seg_end = end;
            for (;;) {
                for (size_t i = seg; i < seg_end; i++) {
                    char c = msg[i];
                    if (!started && is_wsp(c))
                        continue;
                    started = true;
                    if (cap > 0 && o + 1 < cap)
                        out[o++] = c;
                    total++;
                    if (!is_wsp(c))
                        trail = total;
                }
                if (next >= hdr_len || !is_wsp(msg[next]))
                    break;
                size_t e2, n2;
                line_at(msg, hdr_len, next, &e2, &n2);
                seg = next;
                seg_end = e2;
                next = n2;
            }
            if (cap > 0) {
                if (o > trail)
                    o = trail;
                out[o] = '\0';
            }
            return (long)trail;
        }
        pos = next;
    }
    return -1;
}

size_t mail_header_count(const char *msg, size_t len, const char *name)
{
    size_t n = 0;
    while (mail_header_get(msg, len, name, n, NULL, 0) >= 0)
        n++;
    return n;
}
