/* smtp_command.c - verb lookup and the lexical parsers for command lines, paths and ESMTP
 * parameters (RFC 5321 4.1.1, 4.1.2). Pure functions; no allocation. The command table is the
 * server's (smtp_server_cmd.c). */
#include "core/smtp/smtp_command.h"

#include <string.h>

#include "core/util/utf8.h"

/* upper - ASCII upper case */
static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* smtp_ieq - ASCII case-insensitive equality with a literal */
bool smtp_ieq(const char *s, size_t len, const char *lit)
{
    size_t i = 0;
    for (; i < len; i++)
        if (lit[i] == '\0' || upper(s[i]) != upper(lit[i]))
            return false;
    return lit[i] == '\0';
}

/* verb_id - id of an upper-case verb of n octets. A switch on the length and the first
 * letter leaves at most two candidates, compared with memcmp: O(1) per command, no scan of the
 * table and no strcmp per row. (test_smtp_command checks it against every table row.) */
static smtp_command_id verb_id(const char *v, size_t n)
{
#define IS(lit, id) (memcmp(v, lit, n) == 0 ? (id) : SMTP_CMD_UNKNOWN)
    if (n == 4) {
        switch (v[0]) {
        case 'H': return v[3] == 'O' ? IS("HELO", SMTP_CMD_HELO) : IS("HELP", SMTP_CMD_HELP);
        case 'E': return v[1] == 'H' ? IS("EHLO", SMTP_CMD_EHLO) : IS("EXPN", SMTP_CMD_EXPN);
        case 'M': return IS("MAIL", SMTP_CMD_MAIL);
        case 'R': return v[1] == 'C' ? IS("RCPT", SMTP_CMD_RCPT) : IS("RSET", SMTP_CMD_RSET);
        case 'D': return IS("DATA", SMTP_CMD_DATA);
        case 'N': return IS("NOOP", SMTP_CMD_NOOP);
        case 'Q': return IS("QUIT", SMTP_CMD_QUIT);
        case 'V': return IS("VRFY", SMTP_CMD_VRFY);
        case 'A': return IS("AUTH", SMTP_CMD_AUTH);
        default: return SMTP_CMD_UNKNOWN;
        }
    }
    if (n == 8)
        return IS("STARTTLS", SMTP_CMD_STARTTLS);
    return SMTP_CMD_UNKNOWN;
#undef IS
}

/* smtp_command_lookup - verb to id, case-insensitive */
smtp_command_id smtp_command_lookup(const char *verb, size_t len)
{
    char up[8];
    if (len != 4 && len != 8)
        return SMTP_CMD_UNKNOWN;
    for (size_t i = 0; i < len; i++)
        up[i] = upper(verb[i]);
    return verb_id(up, len);
}

/* smtp_command_parse - split a line into an upper-cased verb and its argument */
void smtp_command_parse(const char *line, size_t len, smtp_command *out)
{
    size_t v = 0;
    while (v < len && line[v] != ' ')
        v++;
    size_t copy = v < SMTP_VERB_MAX ? v : SMTP_VERB_MAX;
    for (size_t i = 0; i < copy; i++)
        out->verb[i] = upper(line[i]);
    out->verb[copy] = '\0';
    /* the verb is upper case now and holds exactly v bytes when v <= SMTP_VERB_MAX, so
     * verb_id never reads past it ("HEL", "", "RCPT") */
    out->id = v <= SMTP_VERB_MAX ? verb_id(out->verb, v) : SMTP_CMD_UNKNOWN;
    size_t a = v < len ? v + 1 : len;
    size_t end = len;
    /* trailing blanks are a common client sloppiness; they never carry meaning */
    while (end > a && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        end--;
    out->arg = line + a;
    out->arg_len = end - a;
    out->has_arg = out->arg_len > 0;
}

/* ---- paths ---------------------------------------------------------------------------- */

/* is_atext - RFC 5322 3.2.3 atext; bytes >= 0x80 are UTF-8 (RFC 6531 3.3), flagged later. */
static bool is_atext(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80)
        return true;
    return c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* is_letdig - Let-dig of RFC 5321 4.1.2, plus UTF-8 bytes for U-labels */
static bool is_letdig(unsigned char c, bool utf8)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (utf8 && c >= 0x80);
}

/* smtp_domain_valid - Domain or address-literal (RFC 5321 4.1.2, 4.1.3) */
bool smtp_domain_valid(const char *s, size_t len, bool allow_utf8)
{
    if (len == 0)
        return false;
    if (s[0] == '[') {
        /* address-literal: "[" 1*dcontent "]", dcontent = %d33-90 / %d94-126 (4.1.3) */
        if (len < 3 || s[len - 1] != ']')
            return false;
        for (size_t i = 1; i + 1 < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']')
                return false;
        }
        return true;
    }
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            /* sub-domain = Let-dig [Ldh-str]: no empty label, no '-' at either end */
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
        } else if (is_letdig(c, allow_utf8) || c == '-') {
            if (c == '-' && label == 0)
                return false;
            if (++label > 63) /* RFC 1035 2.3.4 */
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && s[len - 1] != '-';
}

/* all_ascii - no byte >= 0x80 */
static bool all_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* smtp_path_parse - "<path>" into an address (RFC 5321 4.1.2) */
smtp_path_status smtp_path_parse(const char *s, size_t len, bool allow_null, bool allow_postmaster,
                                 const smtp_path_limits *lim, smtp_path *out, size_t *used)
{
    out->addr[0] = '\0';
    out->local_len = out->domain_off = 0;
    out->null_path = out->postmaster = out->non_ascii = false;
    *used = 0;
    if (len < 2 || s[0] != '<')
        return SMTP_PATH_SYNTAX;
    size_t i = 1;
    if (s[1] == '>') {
        if (!allow_null)
            return SMTP_PATH_SYNTAX;
        out->null_path = true;
        *used = 2;
        return SMTP_PATH_OK;
    }
    /* A-d-l (source route, RFC 5321 4.1.2): accepted and ignored, as Appendix C asks */
    if (s[i] == '@') {
        while (i < len && s[i] != ':') {
            if (s[i] == '>' || s[i] == ' ')
                return SMTP_PATH_SYNTAX;
            i++;
        }
        if (i >= len)
            return SMTP_PATH_SYNTAX;
        i++;
    }
    size_t lstart = i;
    if (i < len && s[i] == '"') {
        /* Quoted-string: qtextSMTP = %d32-33 / %d35-91 / %d93-126,
         * quoted-pairSMTP = "\" %d32-126 */
        i++;
        for (;;) {
            if (i >= len)
                return SMTP_PATH_SYNTAX;
            unsigned char c = (unsigned char)s[i];
            if (c == '"')
                break;
            if (c == '\\') {
                if (i + 1 >= len || (unsigned char)s[i + 1] < 32 || (unsigned char)s[i + 1] > 126)
                    return SMTP_PATH_SYNTAX;
                i += 2;
                continue;
            }
            if (c < 32 || c == 127)
                return SMTP_PATH_SYNTAX;
            i++;
        }
        i++;
    } else {
        /* Dot-string = Atom *("." Atom) */
        bool need_atom = true;
        while (i < len) {
            unsigned char c = (unsigned char)s[i];
            if (c == '.') {
                if (need_atom)
                    return SMTP_PATH_SYNTAX;
                need_atom = true;
            } else if (is_atext(c)) {
                need_atom = false;
            } else {
                break;
            }
            i++;
        }
        if (need_atom)
            return SMTP_PATH_SYNTAX;
    }
    size_t llen = i - lstart;
    if (i >= len)
        return SMTP_PATH_SYNTAX;
    size_t dstart = i, dlen = 0;
    if (s[i] == '>') {
        /* "<Postmaster>" with no domain is special (RFC 5321 4.1.1.3) */
        if (!allow_postmaster || !smtp_ieq(s + lstart, llen, "postmaster"))
            return SMTP_PATH_SYNTAX;
        out->postmaster = true;
    } else {
        if (s[i] != '@')
            return SMTP_PATH_SYNTAX;
        dstart = ++i;
        while (i < len && s[i] != '>')
            i++;
        if (i >= len)
            return SMTP_PATH_SYNTAX;
        dlen = i - dstart;
        if (!smtp_domain_valid(s + dstart, dlen, true))
            return SMTP_PATH_SYNTAX;
    }
    /* i is at '>' */
    size_t plen = i + 1; /* whole path including < > */
    if (llen > lim->local_part)
        return SMTP_PATH_LOCAL_TOO_LONG;
    if (dlen > lim->domain)
        return SMTP_PATH_DOMAIN_TOO_LONG;
    if (plen > lim->path || plen > SMTP_PATH_BUF - 1)
        return SMTP_PATH_TOO_LONG;
    memcpy(out->addr, s + lstart, llen);
    size_t o = llen;
    out->local_len = llen;
    if (!out->postmaster) {
        out->addr[o++] = '@';
        memcpy(out->addr + o, s + dstart, dlen);
        o += dlen;
        out->domain_off = llen + 1;
    } else {
        out->domain_off = o;
    }
    out->addr[o] = '\0';
    if (!all_ascii(out->addr, o)) {
        if (!utf8_valid(out->addr, o, NULL))
            return SMTP_PATH_SYNTAX;
        out->non_ascii = true;
    }
    *used = plen;
    return SMTP_PATH_OK;
}

/* ---- parameters ------------------------------------------------------------------------ */

/* is_alnum - ASCII letter or digit */
static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* smtp_param_next - the next esmtp-keyword[=esmtp-value] (RFC 5321 4.1.2) */
int smtp_param_next(const char **s, size_t *len, const char **key, size_t *key_len,
                    const char **val, size_t *val_len, bool *has_val)
{
    const char *p = *s;
    size_t n = *len, i = 0;
    while (i < n && p[i] == ' ')
        i++;
    if (i == n) {
        *s = p + n;
        *len = 0;
        return 0;
    }
    size_t k = i;
    if (!is_alnum((unsigned char)p[i]))
        return -1;
    while (i < n && (is_alnum((unsigned char)p[i]) || p[i] == '-'))
        i++;
    *key = p + k;
    *key_len = i - k;
    *has_val = false;
    *val = p + i;
    *val_len = 0;
    if (i < n && p[i] == '=') {
        size_t v = ++i;
        /* esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 under SMTPUTF8 (RFC 6531 3.3) */
        while (i < n && p[i] != ' ') {
            unsigned char c = (unsigned char)p[i];
            if (c < 33 || c == '=' || c == 127)
                return -1;
            i++;
        }
        if (i == v)
            return -1;
        *has_val = true;
        *val = p + v;
        *val_len = i - v;
    }
    if (i < n && p[i] != ' ')
        return -1;
    *s = p + i;
    *len = n - i;
    return 1;
}

/* smtp_xtext_valid - xtext of RFC 3461 4 */
bool smtp_xtext_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            for (int k = 1; k <= 2; k++) {
                if (i + k >= len)
                    return false;
                unsigned char h = (unsigned char)s[i + k];
                if (!((h >= '0' && h <= '9') || (h >= 'A' && h <= 'F')))
                    return false;
            }
            i += 2;
        } else if (c < 33 || c > 126 || c == '=') {
            return false;
        }
    }
    return true;
}

