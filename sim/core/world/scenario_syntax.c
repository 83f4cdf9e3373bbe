/* scenario_syntax.c - what the strings of a scenario file may look like (see scenario_syntax.h).
 *
 * Kept apart from the loader so the fork writer checks an id by the same rule, and so each rule
 * can be read (and tested) on its own.
 */
#include "core/world/scenario_syntax.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/util/str_util.h"

/* scenario_syntax_id - 1..max characters of a-z, 0-9 and '-' (s need not end at n). */
bool scenario_syntax_id(const char *s, size_t n, size_t max)
{
    return str_id_ok(s, n, max); /* the same rule as lesson ids (str_util.h) */
}

/* scenario_syntax_host - letters, digits, '-' and '_' in dot-separated labels of 1-63 octets. */
bool scenario_syntax_host(const char *s)
{
    size_t n = strlen(s), label = 0;
    if (n == 0 || n > SCENARIO_HOST_MAX || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (isalnum(c) || c == '-' || c == '_') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return true;
}

/* scenario_syntax_doc_ipv4 - a dotted quad inside 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24
 * (RFC 5737: the only addresses a teaching example should use). */
bool scenario_syntax_doc_ipv4(const char *s)
{
    unsigned a[4];
    char tail;
    if (sscanf(s, "%3u.%3u.%3u.%3u%c", &a[0], &a[1], &a[2], &a[3], &tail) != 4)
        return false;
    for (int i = 0; i < 4; i++)
        if (a[i] > 255)
            return false;
    for (const char *p = s; *p; p++)
        if (!(isdigit((unsigned char)*p) || *p == '.'))
            return false;
    return (a[0] == 192 && a[1] == 0 && a[2] == 2) || (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
           (a[0] == 203 && a[1] == 0 && a[2] == 113);
}

/* scenario_syntax_address - local@domain: a non-empty local part without spaces, controls,
 * '<', '>' or '"' (UTF-8 allowed, RFC 6531), and a host-syntax domain. */
bool scenario_syntax_address(const char *s)
{
    const char *at = strrchr(s, '@');
    if (!at || at == s || strlen(s) > SCENARIO_ADDRESS_MAX || at - s > 64)
        return false;
    for (const char *p = s; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '@' || c == '\\' ||
            c == ',' || c == ';' || c == ':')
            return false;
    }
    return scenario_syntax_host(at + 1);
}

/* scenario_syntax_printable - no control characters (UTF-8 is fine). */
bool scenario_syntax_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || *s == 0x7f)
            return false;
    return true;
}

/* scenario_syntax_start - "YYYY-MM-DDTHH:MM:SSZ" into seconds since 1970 (days from civil,
 * proleptic Gregorian calendar). -1 when malformed. */
int scenario_syntax_start(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se;
    char z, tail;
    if (strlen(s) != 20 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &y, &mo, &d, &h, &mi, &se, &z, &tail) != 7 ||
        z != 'Z')
        return -1;
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 59 || h < 0 || mi < 0 || se < 0)
        return -1;
    int yy = y - (mo <= 2);
    int era = yy / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    *out = days * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}
