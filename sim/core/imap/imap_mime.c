/* imap_mime.c - header fields, MIME parts, ENVELOPE and BODYSTRUCTURE for the IMAP server.
 *
 * Parsing is deliberately forgiving (real mail is messy) and strictly bounded (hostile mail is
 * real): every loop walks forward through the given bytes, recursion stops at
 * IMAP_MIME_DEPTH_MAX, and values are cut at IMAP_HEADER_VALUE_MAX.
 */
#include "core/imap/imap_mime.h"

#include <stdio.h>
#include <string.h>

#include "core/imap/imap_parse.h"

#define PARAMS_MAX 16
#define PARAM_LEN 256
#define ADDR_MAX 100

typedef struct {
    char type[64], subtype[64];
    size_t n;
    char name[PARAMS_MAX][64];
    char value[PARAMS_MAX][PARAM_LEN];
} ctype;

/* ieqn - two counted strings of n bytes are equal, ignoring ASCII case */
static bool ieqn(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

/* ---- header ---------------------------------------------------------------------------------- */

size_t imap_mime_header_len(const char *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *lf = memchr(data + i, '\n', len - i);
        size_t end = lf ? (size_t)(lf - data) + 1 : len;
        size_t ll = end - i;
        if (ll == 1 || (ll == 2 && data[i] == '\r'))
            return end; /* the blank line belongs to the header */
        i = end;
    }
    return len;
}

/* field_next - the field starting at *pos: name, and the raw extent of the whole field with
 * its continuation lines. false at the end of the header. */
static bool field_next(const char *h, size_t hl, size_t *pos, const char **name, size_t *nl,
                       size_t *start, size_t *end)
{
    size_t i = *pos;
    while (i < hl) {
        const char *lf = memchr(h + i, '\n', hl - i);
        size_t e = lf ? (size_t)(lf - h) + 1 : hl;
        if (e - i <= 2 && (e - i == 1 || h[i] == '\r'))
            return false; /* the blank line */
        if (h[i] == ' ' || h[i] == '\t') { /* stray continuation: skip */
            i = e;
            continue;
        }
        const char *colon = memchr(h + i, ':', e - i);
        size_t j = e;
        while (j < hl && (h[j] == ' ' || h[j] == '\t')) {
            const char *lf2 = memchr(h + j, '\n', hl - j);
            j = lf2 ? (size_t)(lf2 - h) + 1 : hl;
        }
        *pos = j;
        if (!colon)
            return field_next(h, hl, pos, name, nl, start, end);
        *name = h + i;
        *nl = (size_t)(colon - (h + i));
        while (*nl && (h[i + *nl - 1] == ' ' || h[i + *nl - 1] == '\t'))
            (*nl)--;
        *start = i;
        *end = j;
        return true;
    }
    *pos = hl;
    return false;
}

bool imap_mime_field(const char *hdr, size_t hlen, const char *name, char *out, size_t cap)
{
    size_t pos = 0, nl, s, e;
    const char *n;
    while (field_next(hdr, hlen, &pos, &n, &nl, &s, &e)) {
        if (!retr_ieq(n, nl, name))
            continue;
        size_t i = (size_t)(n - hdr) + nl;
        while (i < e && hdr[i] != ':')
            i++;
        i++;
        while (i < e && (hdr[i] == ' ' || hdr[i] == '\t'))
            i++;
        size_t w = 0;
        for (; i < e && w + 1 < cap; i++) {
            if (hdr[i] == '\r' || hdr[i] == '\n')
                continue; /* unfolding: RFC 5322 2.2.3 removes the CRLF, keeps the blank */
            out[w++] = hdr[i];
        }
        while (w && (out[w - 1] == ' ' || out[w - 1] == '\t'))
            w--;
        out[w] = '\0';
        return true;
    }
    return false;
}

int imap_mime_fields(retr_io *io, retr_buf *out, const char *hdr, size_t hlen,
                     const char *const *names, const size_t *lens, size_t n, bool not_in)
{
    size_t pos = 0, nl, s, e;
    const char *fn;
    while (field_next(hdr, hlen, &pos, &fn, &nl, &s, &e)) {
        bool in = false;
        for (size_t k = 0; k < n && !in; k++)
            in = nl == lens[k] && ieqn(fn, names[k], nl);
        if (in == not_in)
            continue;
        if (retr_buf_append(io, out, hdr + s, e - s) < 0)
            return -1;
        if (hdr[e - 1] != '\n' && retr_buf_append(io, out, "\r\n", 2) < 0)
            return -1;
    }
    return retr_buf_append(io, out, "\r\n", 2);
}

/* ---- Content-Type and friends -------------------------------------------------------------- */

/* skip_ws - blanks and (comments) (RFC 5322 3.2.2), bounded nesting */
static const char *skip_ws(const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '(')
            return p;
        int depth = 0;
        do {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '(')
                depth++;
            else if (*p == ')')
                depth--;
            p++;
        } while (*p && depth > 0);
    }
}

/* token - an RFC 2045 token or a quoted string, into out */
static const char *token(const char *p, char *out, size_t cap, const char *stop)
{
    size_t w = 0;
    p = skip_ws(p);
    if (*p == '"') {
        p++;
        while (*p && *p != '"') {
            if (*p == '\\' && p[1])
                p++;
            if (w + 1 < cap)
                out[w++] = *p;
            p++;
        }
        if (*p == '"')
            p++;
    } else {
        while (*p && *p != ' ' && *p != '\t' && !strchr(stop, *p)) {
            if (w + 1 < cap)
                out[w++] = *p;
            p++;
        }
    }
    out[w] = '\0';
    return skip_ws(p);
}

/* parse_params - "; name=value" pairs (RFC 2045 5.1) */
static void parse_params(const char *p, ctype *ct)
{
    ct->n = 0;
    while (*p == ';' && ct->n < PARAMS_MAX) {
        p = token(p + 1, ct->name[ct->n], sizeof ct->name[0], "=;");
        if (*p != '=') {
            while (*p && *p != ';')
                p++;
            continue;
        }
        p = token(p + 1, ct->value[ct->n], sizeof ct->value[0], ";");
        if (ct->name[ct->n][0])
            ct->n++;
        while (*p && *p != ';')
            p++;
    }
}

/* content_type - RFC 2045 5.2: text/plain; charset=us-ascii when absent or broken */
static void content_type(const char *hdr, size_t hl, ctype *ct)
{
    char v[IMAP_HEADER_VALUE_MAX];
    memset(ct, 0, sizeof *ct);
    if (imap_mime_field(hdr, hl, "Content-Type", v, sizeof v)) {
        const char *p = token(v, ct->type, sizeof ct->type, "/;");
        if (*p == '/')
            p = token(p + 1, ct->subtype, sizeof ct->subtype, ";");
        if (ct->type[0] && ct->subtype[0]) {
            parse_params(p, ct);
            return;
        }
    }
    strcpy(ct->type, "text");
    strcpy(ct->subtype, "plain");
    strcpy(ct->name[0], "charset");
    strcpy(ct->value[0], "us-ascii");
    ct->n = 1;
}

static const char *param(const ctype *ct, const char *name)
{
    for (size_t i = 0; i < ct->n; i++)
        if (retr_ieq(ct->name[i], strlen(ct->name[i]), name))
            return ct->value[i];
    return NULL;
}

static bool is(const char *s, const char *lit)
{
    return retr_ieq(s, strlen(s), lit);
}

/* ---- multipart ----------------------------------------------------------------------------------
 */

typedef struct {
    const char *body;
    size_t len, pos;
    const char *b;
    size_t bl;
    bool done;
} mp_iter;

/* delim_at - a delimiter line "--boundary" starts at i (RFC 2046 5.1.1); *close for "--b--" */
static bool delim_at(const mp_iter *it, size_t i, bool *close)
{
    if (i + 2 + it->bl > it->len || it->body[i] != '-' || it->body[i + 1] != '-' ||
        memcmp(it->body + i + 2, it->b, it->bl) != 0)
        return false;
    size_t j = i + 2 + it->bl;
    *close = j + 2 <= it->len && it->body[j] == '-' && it->body[j + 1] == '-';
    return true;
}

/* find_delim - the next delimiter at a line start from pos, or len */
static size_t find_delim(const mp_iter *it, size_t pos, bool *close)
{
    size_t i = pos;
    while (i < it->len) {
        if (delim_at(it, i, close))
            return i;
        const char *lf = memchr(it->body + i, '\n', it->len - i);
        if (!lf)
            break;
        i = (size_t)(lf - it->body) + 1;
    }
    *close = true;
    return it->len;
}

/* mp_next - the next body part (MIME header and content) of a multipart */
static bool mp_next(mp_iter *it, const char **part, size_t *plen)
{
    bool close;
    if (it->done)
        return false;
    size_t d = find_delim(it, it->pos, &close);
    if (d >= it->len || close) {
        it->done = true;
        return false;
    }
    const char *lf = memchr(it->body + d, '\n', it->len - d);
    size_t start = lf ? (size_t)(lf - it->body) + 1 : it->len;
    size_t next = find_delim(it, start, &close);
    size_t end = next;
    /* the CRLF before a delimiter belongs to the delimiter (RFC 2046 5.1.1) */
    if (end > start && it->body[end - 1] == '\n')
        end--;
    if (end > start && it->body[end - 1] == '\r')
        end--;
    *part = it->body + start;
    *plen = end - start;
    it->pos = next;
    if (next >= it->len)
        it->done = true;
    return true;
}

static bool mp_start(mp_iter *it, const ctype *ct, const char *body, size_t len)
{
    const char *b = param(ct, "boundary");
    if (!is(ct->type, "multipart") || !b || !b[0])
        return false;
    *it = (mp_iter){body, len, 0, b, strlen(b), false};
    return true;
}

/* ---- ENVELOPE
 * ------------------------------------------------------------------------------------ */

static int put_field(retr_io *io, retr_buf *o, const char *hdr, size_t hl, const char *name)
{
    char v[IMAP_HEADER_VALUE_MAX];
    if (!imap_mime_field(hdr, hl, name, v, sizeof v))
        return imap_put(io, o, "NIL");
    return imap_put_string(io, o, v, strlen(v));
}

/* trim - strip blanks on both sides, in place */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* unquote - "Bob \"B\" Smith" -> Bob "B" Smith, in place */
static char *unquote(char *s)
{
    size_t n = strlen(s);
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return s;
    size_t w = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\' && i + 2 < n)
            i++;
        s[w++] = s[i];
    }
    s[w] = '\0';
    return s;
}

/* put_address - one mailbox: (name adl mailbox host) (RFC 9051 7.5.2) */
static int put_address(retr_io *io, retr_buf *o, char *entry)
{
    char *name = NULL, *addr = entry;
    char *lt = NULL;
    bool q = false;
    for (char *p = entry; *p; p++) {
        if (*p == '"' && (p == entry || p[-1] != '\\'))
            q = !q;
        else if (*p == '<' && !q) {
            lt = p;
            break;
        }
    }
    if (lt) {
        char *gt = strchr(lt, '>');
        if (gt)
            *gt = '\0';
        *lt = '\0';
        name = unquote(trim(entry));
        addr = trim(lt + 1);
        if (!name[0])
            name = NULL;
    } else {
        char *paren = strchr(addr, '(');
        if (paren)
            *paren = '\0'; /* "a@b (Bob)": the comment is not part of the address */
        addr = trim(addr);
    }
    char *at = strrchr(addr, '@');
    if (at)
        *at = '\0';
    int r = imap_put(io, o, "(");
    r |= imap_put_string(io, o, name, name ? strlen(name) : 0);
    r |= imap_put(io, o, " NIL ");
    r |= imap_put_string(io, o, addr, strlen(addr));
    r |= imap_put(io, o, " ");
    r |= imap_put_string(io, o, at ? at + 1 : NULL, at ? strlen(at + 1) : 0);
    r |= imap_put(io, o, ")");
    return r ? -1 : 0;
}

/* put_addresses - an address list, with RFC 5322 groups as RFC 9051 7.5.2 writes them:
 * (NIL NIL "group" NIL) ... (NIL NIL NIL NIL) */
static int put_addresses(retr_io *io, retr_buf *o, const char *hdr, size_t hl, const char *name,
                         const char *fallback)
{
    char v[IMAP_HEADER_VALUE_MAX];
    if (!imap_mime_field(hdr, hl, name, v, sizeof v) &&
        (!fallback || !imap_mime_field(hdr, hl, fallback, v, sizeof v)))
        return imap_put(io, o, "NIL");
    size_t start = o->len, count = 0;
    if (imap_put(io, o, "(") < 0)
        return -1;
    char *p = v;
    bool in_group = false;
    while (*p && count < ADDR_MAX) {
        /* cut one entry at a comma, ';' or group ':' outside quotes, <...> and (...) */
        char *e = p, stop = 0;
        int angle = 0, paren = 0;
        bool q = false;
        for (; *e; e++) {
            if (*e == '\\' && e[1]) {
                e++;
                continue;
            }
            if (*e == '"')
                q = !q;
            if (q)
                continue;
            if (*e == '<') angle++;
            else if (*e == '>' && angle) angle--;
            else if (*e == '(') paren++;
            else if (*e == ')' && paren) paren--;
            else if (!angle && !paren && (*e == ',' || *e == ';' || (*e == ':' && !in_group))) {
                stop = *e;
                break;
            }
        }
        if (*e)
            *e++ = '\0';
        char *t = trim(p);
        if (stop == ':') {
            in_group = true;
            t = unquote(t);
            if (imap_put(io, o, "(NIL NIL ") < 0 || imap_put_string(io, o, t, strlen(t)) < 0 ||
                imap_put(io, o, " NIL)") < 0)
                return -1;
        } else if (t[0]) {
            if (put_address(io, o, t) < 0)
                return -1;
            count++;
        }
        if (stop == ';' && in_group) {
            in_group = false;
            if (imap_put(io, o, "(NIL NIL NIL NIL)") < 0)
                return -1;
        }
        p = e;
    }
    if (in_group && imap_put(io, o, "(NIL NIL NIL NIL)") < 0)
        return -1;
    if (o->len == start + 1) {
        o->len = start; /* nothing usable: NIL, not "()" which the grammar forbids */
        return imap_put(io, o, "NIL");
    }
    return imap_put(io, o, ")");
}

int imap_mime_envelope(retr_io *io, retr_buf *o, const char *data, size_t len)
{
    size_t hl = imap_mime_header_len(data, len);
    int r = imap_put(io, o, "(");
    r |= put_field(io, o, data, hl, "Date");
    r |= imap_put(io, o, " ");
    r |= put_field(io, o, data, hl, "Subject");
    r |= imap_put(io, o, " ");
    r |= put_addresses(io, o, data, hl, "From", NULL);
    r |= imap_put(io, o, " ");
    /* RFC 9051 7.5.2: sender and reply-to default to from */
    r |= put_addresses(io, o, data, hl, "Sender", "From");
    r |= imap_put(io, o, " ");
    r |= put_addresses(io, o, data, hl, "Reply-To", "From");
    r |= imap_put(io, o, " ");
    r |= put_addresses(io, o, data, hl, "To", NULL);
    r |= imap_put(io, o, " ");
    r |= put_addresses(io, o, data, hl, "Cc", NULL);
    r |= imap_put(io, o, " ");
    r |= put_addresses(io, o, data, hl, "Bcc", NULL);
    r |= imap_put(io, o, " ");
    r |= put_field(io, o, data, hl, "In-Reply-To");
    r |= imap_put(io, o, " ");
    r |= put_field(io, o, data, hl, "Message-ID");
    r |= imap_put(io, o, ")");
    return r ? -1 : 0;
}

/* ---- BODYSTRUCTURE
 * --------------------------------------------------------------------------------- */

static int put_params(retr_io *io, retr_buf *o, const ctype *ct)
{
    if (ct->n == 0)
        return imap_put(io, o, "NIL");
    int r = imap_put(io, o, "(");
    for (size_t i = 0; i < ct->n; i++) {
        r |= i ? imap_put(io, o, " ") : 0;
        r |= imap_put_string(io, o, ct->name[i], strlen(ct->name[i]));
        r |= imap_put(io, o, " ");
        r |= imap_put_string(io, o, ct->value[i], strlen(ct->value[i]));
    }
    r |= imap_put(io, o, ")");
    return r ? -1 : 0;
}

/* put_ext - body-fld-dsp SP body-fld-lang SP body-fld-loc (RFC 9051 7.5.2) */
static int put_ext(retr_io *io, retr_buf *o, const char *hdr, size_t hl)
{
    char v[IMAP_HEADER_VALUE_MAX];
    int r = 0;
    if (imap_mime_field(hdr, hl, "Content-Disposition", v, sizeof v)) {
        ctype d;
        memset(&d, 0, sizeof d);
        const char *p = token(v, d.type, sizeof d.type, ";");
        parse_params(p, &d);
        r |= imap_put(io, o, "(");
        r |= imap_put_string(io, o, d.type, strlen(d.type));
        r |= imap_put(io, o, " ");
        r |= put_params(io, o, &d);
        r |= imap_put(io, o, ")");
    } else {
        r |= imap_put(io, o, "NIL");
    }
    r |= imap_put(io, o, " NIL NIL");
    return r ? -1 : 0;
}

static uint64_t count_lines(const char *b, size_t n)
{
    uint64_t lines = 0;
    for (const char *p = b; (p = memchr(p, '\n', n - (size_t)(p - b))) != NULL; p++)
        lines++;
    if (n && b[n - 1] != '\n')
        lines++;
    return lines;
}

static int structure(retr_io *io, retr_buf *o, const char *data, size_t len, bool ext, int depth);

/* put_part - one non-multipart body (RFC 9051 7.5.2 body-type-1part) */
static int put_part(retr_io *io, retr_buf *o, const char *hdr, size_t hl, const char *body,
                    size_t bl, const ctype *ct, bool ext, int depth)
{
    char v[IMAP_HEADER_VALUE_MAX];
    int r = imap_put(io, o, "(");
    r |= imap_put_string(io, o, ct->type, strlen(ct->type));
    r |= imap_put(io, o, " ");
    r |= imap_put_string(io, o, ct->subtype, strlen(ct->subtype));
    r |= imap_put(io, o, " ");
    r |= put_params(io, o, ct);
    r |= imap_put(io, o, " ");
    r |= put_field(io, o, hdr, hl, "Content-ID");
    r |= imap_put(io, o, " ");
    r |= put_field(io, o, hdr, hl, "Content-Description");
    r |= imap_put(io, o, " ");
    if (imap_mime_field(hdr, hl, "Content-Transfer-Encoding", v, sizeof v) && v[0])
        r |= imap_put_string(io, o, v, strlen(v));
    else
        r |= imap_put(io, o, "\"7BIT\""); /* RFC 2045 6.1 default */
    r |= imap_put(io, o, " ");
    r |= imap_put_u32(io, o, bl);
    if (is(ct->type, "message") && is(ct->subtype, "rfc822") && depth < IMAP_MIME_DEPTH_MAX) {
        r |= imap_put(io, o, " ");
        r |= imap_mime_envelope(io, o, body, bl);
        r |= imap_put(io, o, " ");
        r |= structure(io, o, body, bl, ext, depth + 1);
        r |= imap_put(io, o, " ");
        r |= imap_put_u32(io, o, count_lines(body, bl));
    } else if (is(ct->type, "text")) {
        r |= imap_put(io, o, " ");
        r |= imap_put_u32(io, o, count_lines(body, bl));
    }
    if (ext) {
        r |= imap_put(io, o, " NIL "); /* body-fld-md5 */
        r |= put_ext(io, o, hdr, hl);
    }
    r |= imap_put(io, o, ")");
    return r ? -1 : 0;
}

/* structure - BODY/BODYSTRUCTURE of an entity (header + body) */
static int structure(retr_io *io, retr_buf *o, const char *data, size_t len, bool ext, int depth)
{
    size_t hl = imap_mime_header_len(data, len);
    ctype ct;
    content_type(data, hl, &ct);
    mp_iter it;
    if (depth >= IMAP_MIME_DEPTH_MAX) {
        strcpy(ct.type, "application");
        strcpy(ct.subtype, "octet-stream");
        ct.n = 0;
    } else if (mp_start(&it, &ct, data + hl, len - hl)) {
        const char *part;
        size_t pl, n = 0;
        int r = imap_put(io, o, "(");
        while (n < IMAP_MIME_PARTS_MAX && mp_next(&it, &part, &pl)) {
            r |= structure(io, o, part, pl, ext, depth + 1);
            n++;
        }
        if (n == 0) /* RFC 9051 9: 1*body; an empty multipart shows one empty text part */
            r |= imap_put(io, o, "(\"text\" \"plain\" NIL NIL NIL \"7BIT\" 0 0)");
        r |= imap_put(io, o, " ");
        r |= imap_put_string(io, o, ct.subtype, strlen(ct.subtype));
        if (ext) {
            r |= imap_put(io, o, " ");
            r |= put_params(io, o, &ct);
            r |= imap_put(io, o, " ");
            r |= put_ext(io, o, data, hl);
        }
        r |= imap_put(io, o, ")");
        return r ? -1 : 0;
    } else if (is(ct.type, "multipart")) {
        /* no boundary: not really a multipart; describe it as opaque data */
        strcpy(ct.type, "application");
        strcpy(ct.subtype, "octet-stream");
        ct.n = 0;
    }
    return put_part(io, o, data, hl, data + hl, len - hl, &ct, ext, depth);
}

int imap_mime_bodystructure(retr_io *io, retr_buf *out, const char *data, size_t len, bool ext)
{
    return structure(io, out, data, len, ext, 0);
}

/* ---- sections
 * ------------------------------------------------------------------------------------ */

int imap_mime_section(const char *data, size_t len, const uint32_t *path, size_t depth,
                      const char **ent, size_t *elen, bool *is_msg)
{
    const char *cur = data;
    size_t cl = len;
    bool top = true; /* cur is a message (the top level or an encapsulated one) */
    for (size_t d = 0; d < depth; d++) {
        size_t hl = imap_mime_header_len(cur, cl);
        ctype ct;
        content_type(cur, hl, &ct);
        if (!top && is(ct.type, "message") && is(ct.subtype, "rfc822")) {
            /* step into the encapsulated message, then apply this number to it */
            cur += hl;
            cl -= hl;
            hl = imap_mime_header_len(cur, cl);
            content_type(cur, hl, &ct);
            top = true;
        }
        mp_iter it;
        if (mp_start(&it, &ct, cur + hl, cl - hl)) {
            const char *part = NULL;
            size_t pl = 0;
            uint32_t k = 0;
            while (k < path[d] && mp_next(&it, &part, &pl))
                k++;
            if (k != path[d] || !part)
                return -1;
            cur = part;
            cl = pl;
            top = false;
        } else if (path[d] != 1) {
            return -1; /* a single part has only part 1 (RFC 9051 6.4.5) */
        } else if (d == 0 || top) {
            top = false; /* part 1 of a non-multipart message is its body */
        }
    }
    size_t hl = imap_mime_header_len(cur, cl);
    ctype ct;
    content_type(cur, hl, &ct);
    *ent = cur;
    *elen = cl;
    *is_msg = depth == 0 || (!top && is(ct.type, "message") && is(ct.subtype, "rfc822"));
    return 0;
}

bool imap_mime_contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0)
        return true;
    for (size_t i = 0; i + nn <= hn; i++)
        if (ieqn(hay + i, needle, nn))
            return true;
    return false;
}
