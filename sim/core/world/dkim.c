/* dkim.c - DKIM (RFC 6376): real relaxed canonicalisation and body hash, simulated signature.
 *
 * See dkim.h for exactly what is simulated and why. Canonical forms are produced through a small
 * "sink" that either feeds SHA-256 or fills a caller's buffer, so hashing never needs a copy of
 * the message. */
#include "core/world/dkim.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/util/base64.h"
#include "core/smtp/mail_message.h"
#include "core/util/sha256.h"

#define DKIM_MAX_FIELDS 1024 /* header fields considered when choosing what h= names */
#define DKIM_B64_DIGEST 44   /* base64 of a 32-byte digest */
#define DKIM_SECRET_B64 ((DKIM_SECRET_MAX + 2) / 3 * 4) /* base64 of the largest secret */

/* ---- output sinks --------------------------------------------------------------------------- */

#define DKIM_SINK_STAGE 256 /* bytes gathered before one sha256_update: canonicalisation emits
                               a byte at a time, and a call per byte would cost more than hashing */

typedef struct {
    sha256_ctx *hash; /* feed here (through stage; call flush before sha256_final), or */
    char *out;        /* copy here (cap bytes, NUL kept) */
    size_t cap, len;
    bool overflow;
    char stage[DKIM_SINK_STAGE];
    size_t staged;
} sink;

static void flush(sink *s)
{
    if (s->hash != NULL && s->staged > 0)
        sha256_update(s->hash, s->stage, s->staged);
    s->staged = 0;
}

static void put(sink *s, const char *p, size_t n)
{
    if (s->hash != NULL) {
        if (s->staged + n > DKIM_SINK_STAGE)
            flush(s);
        if (n > DKIM_SINK_STAGE)
            sha256_update(s->hash, p, n);
        else {
            memcpy(s->stage + s->staged, p, n);
            s->staged += n;
        }
    }
    if (s->out != NULL) {
        if (s->len + n + 1 > s->cap) {
            s->overflow = true;
            return;
        }
        memcpy(s->out + s->len, p, n);
        s->out[s->len + n] = '\0';
    }
    s->len += n;
}

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ---- canonicalisation --------------------------------------------------------------------- */

/* canon_header - RFC 6376 3.4.2 relaxed: name in lower case, unfold, runs of WSP to one SP,
 * no WSP at the end of the value or around the colon. `crlf` adds the final CRLF. */
static void canon_header(sink *s, const char *f, size_t n, bool crlf)
{
    size_t colon = 0;
    while (colon < n && f[colon] != ':')
        colon++;
    size_t name_end = colon;
    while (name_end > 0 && is_wsp(f[name_end - 1]))
        name_end--;
    for (size_t i = 0; i < name_end; i++) {
        char c = lower(f[i]);
        put(s, &c, 1);
    }
    put(s, ":", 1);
    bool pending_sp = false, started = false;
    for (size_t i = colon + 1; i < n; i++) {
        char c = f[i];
        if (c == '\r' || c == '\n')
            continue; /* unfolding: the line break goes, the WSP after it stays */
        if (is_wsp(c)) {
            pending_sp = started;
            continue;
        }
        if (pending_sp)
            put(s, " ", 1);
        pending_sp = false;
        started = true;
        put(s, &c, 1);
    }
    if (crlf)
        put(s, "\r\n", 2);
}

/* canon_body - RFC 6376 3.4.4 relaxed: WSP runs to one SP, no WSP at line ends, no empty
 * lines at the end, CRLF line ends; an empty body stays empty. Bare LF counts as a line end. */
static void canon_body(sink *s, const char *b, size_t n)
{
    size_t empty_lines = 0, pos = 0;
    while (pos < n) {
        const char *lf = memchr(b + pos, '\n', n - pos);
        size_t end = lf ? (size_t)(lf - b) : n;
        size_t next = lf ? end + 1 : n;
        if (end > pos && b[end - 1] == '\r')
            end--;
        /* is the line empty once trailing WSP is gone? */
        size_t last = end;
        while (last > pos && is_wsp(b[last - 1]))
            last--;
        if (last == pos) {
            empty_lines++;
        } else {
            for (; empty_lines > 0; empty_lines--)
                put(s, "\r\n", 2);
            bool pending_sp = false;
            for (size_t i = pos; i < last; i++) {
                if (is_wsp(b[i])) {
                    pending_sp = true;
                    continue;
                }
                if (pending_sp)
                    put(s, " ", 1);
                pending_sp = false;
                put(s, &b[i], 1);
            }
            put(s, "\r\n", 2);
        }
        pos = next;
    }
}

long dkim_canon_header_relaxed(const char *field, size_t len, char *out, size_t cap)
{
    if (cap == 0)
        return -1;
    out[0] = '\0';
    /* a trailing CRLF on the input is the field's own line end, not part of it */
    while (len > 0 && (field[len - 1] == '\n' || field[len - 1] == '\r'))
        len--;
    sink s = {.out = out, .cap = cap};
    canon_header(&s, field, len, true);
    return s.overflow ? -1 : (long)s.len;
}

long dkim_canon_body_relaxed(const char *body, size_t len, char *out, size_t cap)
{
    if (cap == 0)
        return -1;
    out[0] = '\0';
    sink s = {.out = out, .cap = cap};
    canon_body(&s, body, len);
    return s.overflow ? -1 : (long)s.len;
}

static void body_hash_raw(const char *body, size_t len, char out[DKIM_B64_DIGEST + 1])
{
    sha256_ctx h;
    sha256_init(&h);
    sink s = {.hash = &h};
    canon_body(&s, body, len);
    flush(&s);
    unsigned char d[SHA256_DIGEST_LEN];
    sha256_final(&h, d);
    base64_encode(d, sizeof d, out, DKIM_B64_DIGEST + 1);
}

int dkim_body_hash(const char *body, size_t len, char *out, size_t cap)
{
    if (cap < DKIM_B64_DIGEST + 1)
        return -1;
    body_hash_raw(body, len, out);
    return 0;
}

/* ---- header fields ------------------------------------------------------------------------- */

typedef struct {
    size_t off, len;   /* the whole field, folded lines included, without its final line end */
    size_t name_len;   /* octets before the colon (WSP trimmed) */
} field_ref;

/* list_fields - the fields of the header section, in order. Returns the count. */
static size_t list_fields(const char *msg, size_t hdr_len, field_ref *f, size_t max)
{
    size_t n = 0, pos = 0;
    while (pos < hdr_len) {
        const char *lf = memchr(msg + pos, '\n', hdr_len - pos);
        size_t next = lf ? (size_t)(lf - msg) + 1 : hdr_len;
        if (!is_wsp(msg[pos]) || n == 0) {
            if (is_wsp(msg[pos])) { /* a continuation with nothing to continue: skip */
                pos = next;
                continue;
            }
            if (n == max)
                break;
            f[n].off = pos;
            f[n].name_len = 0;
            size_t c = pos;
            while (c < next && msg[c] != ':')
                c++;
            size_t ne = c;
            while (ne > pos && is_wsp(msg[ne - 1]))
                ne--;
            f[n].name_len = (c < next) ? ne - pos : 0; /* no colon: not a field */
            n++;
        }
        /* the field extends to the end of this line */
        size_t end = lf ? (size_t)(lf - msg) : hdr_len;
        if (end > pos && msg[end - 1] == '\r')
            end--;
        f[n - 1].len = end - f[n - 1].off;
        pos = next;
    }
    return n;
}

static bool name_is(const char *msg, const field_ref *f, const char *name, size_t nl)
{
    if (f->name_len != nl)
        return false;
    for (size_t i = 0; i < nl; i++)
        if (lower(msg[f->off + i]) != lower(name[i]))
            return false;
    return true;
}

/* hash_signed_headers - feed the canonical form of the fields named in the colon-separated
 * list h, each picked from the bottom up (RFC 6376 5.4.2); a name with no (more) instances
 * contributes nothing. `skip` is a field never to pick (the signature being verified). */
static void hash_signed_headers(sink *s, const char *msg, const field_ref *f, size_t nf,
                                const char *h, size_t skip)
{
    bool used[DKIM_MAX_FIELDS] = {false};
    if (skip < nf)
        used[skip] = true;
    const char *p = h;
    while (*p) {
        while (*p == ':' || is_wsp(*p) || *p == '\r' || *p == '\n')
            p++;
        const char *e = p;
        while (*e && *e != ':')
            e++;
        size_t nl = (size_t)(e - p);
        while (nl > 0 && (is_wsp(p[nl - 1]) || p[nl - 1] == '\r' || p[nl - 1] == '\n'))
            nl--;
        if (nl > 0) {
            for (size_t i = nf; i-- > 0;) {
                if (!used[i] && name_is(msg, &f[i], p, nl)) {
                    used[i] = true;
                    canon_header(s, msg + f[i].off, f[i].len, true);
                    break;
                }
            }
        }
        p = e;
    }
}

/* simulated_b - the simulated signature (see dkim.h) into out (DKIM_B64_DIGEST + 1 bytes). */
static void simulated_b(const char *msg, const field_ref *f, size_t nf, const char *h,
                        size_t skip, const char *sig_field, size_t sig_len, const void *secret,
                        size_t secret_len, char *out)
{
    sha256_ctx ctx;
    sha256_init(&ctx);
    sink s = {.hash = &ctx};
    hash_signed_headers(&s, msg, f, nf, h, skip);
    canon_header(&s, sig_field, sig_len, false); /* 3.7: no CRLF after the signature field */
    flush(&s);
    sha256_update(&ctx, secret, secret_len);
    unsigned char d[SHA256_DIGEST_LEN];
    sha256_final(&ctx, d);
    base64_encode(d, sizeof d, out, DKIM_B64_DIGEST + 1);
}

/* ---- signing ------------------------------------------------------------------------------- */

static bool token_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_'))
            return false;
    }
    return true;
}

long dkim_sign(const char *msg, size_t len, const char *domain, const char *selector,
               const void *secret, size_t secret_len, const char *const *headers, size_t n,
               char *out, size_t cap)
{
    static const char *const defaults[] = {"from", "to", "subject", "date", "message-id"};
    char dom[DNS_NAME_MAX + 1];
    if (cap > 0)
        out[0] = '\0';
    if ((msg == NULL && len > 0) || dns_name_normalize(domain, dom) < 0 ||
        !token_ok(selector, 63) || secret == NULL || secret_len == 0 ||
        secret_len > DKIM_SECRET_MAX || n > DKIM_MAX_SIGNED_HEADERS)
        return -1;
    size_t hdr_len, body_off;
    mail_split(msg, len, &hdr_len, &body_off);
    field_ref fields[DKIM_MAX_FIELDS];
    size_t nf = list_fields(msg, hdr_len, fields, DKIM_MAX_FIELDS);

    /* h=: the names asked for (From always: RFC 6376 5.4), or the defaults that are present */
    char h[DKIM_MAX_SIGNED_HEADERS * 64 + 8] = "";
    size_t hl = 0;
    bool have_from = false;
    const char *const *names = headers && n ? headers : defaults;
    size_t count = headers && n ? n : sizeof defaults / sizeof defaults[0];
    for (size_t i = 0; i < count; i++) {
        if (!token_ok(names[i], 60))
            return -1;
        if (names == defaults) {
            bool present = false;
            for (size_t k = 0; k < nf && !present; k++)
                present = name_is(msg, &fields[k], names[i], strlen(names[i]));
            if (!present && strcmp(names[i], "from") != 0)
                continue;
        }
        const char *nm = names[i];
        if (strlen(nm) == 4 && lower(nm[0]) == 'f' && lower(nm[1]) == 'r' && lower(nm[2]) == 'o' &&
            lower(nm[3]) == 'm')
            have_from = true;
        hl += (size_t)snprintf(h + hl, sizeof h - hl, "%s%s", hl ? ":" : "", names[i]);
    }
    if (!have_from)
        hl += (size_t)snprintf(h + hl, sizeof h - hl, "%sfrom", hl ? ":" : "");
    for (size_t i = 0; i < hl; i++)
        h[i] = lower(h[i]);

    char bh[DKIM_B64_DIGEST + 1];
    body_hash_raw(msg + body_off, len - body_off, bh);

    /* the field with an empty b=, folded so no line passes 78 columns (RFC 5322 2.1.1) */
    char field[DKIM_SIGNATURE_MAX];
    int fl = snprintf(field, sizeof field,
                      "DKIM-Signature: v=1; a=" DKIM_ALGORITHM "; c=relaxed/relaxed; d=%s;\r\n"
                      "\ts=%s; h=%s;\r\n\tbh=%s;\r\n\tb=",
                      dom, selector, h, bh);
    if (fl < 0 || (size_t)fl + DKIM_B64_DIGEST + 3 > sizeof field)
        return -1;
    char b[DKIM_B64_DIGEST + 1];
    simulated_b(msg, fields, nf, h, (size_t)-1, field, (size_t)fl, secret, secret_len, b);
    int total = snprintf(field + fl, sizeof field - (size_t)fl, "%s\r\n", b) + fl;
    if ((size_t)total + 1 > cap)
        return -1;
    memcpy(out, field, (size_t)total + 1);
    return total;
}

long dkim_key_record(const void *secret, size_t secret_len, char *out, size_t cap)
{
    char p[DKIM_SECRET_B64 + 1];
    if (secret == NULL || secret_len == 0 || secret_len > DKIM_SECRET_MAX ||
        base64_encode(secret, secret_len, p, sizeof p) < 0)
        return -1;
    int n = snprintf(out, cap, "v=DKIM1; k=sim; p=%s", p);
    return (n < 0 || (size_t)n >= cap) ? -1 : n;
}

/* ---- verifying ------------------------------------------------------------------------------ */

typedef struct {
    const char *name, *value; /* into the field text */
    size_t name_len, value_len;
} tag;

#define DKIM_MAX_TAGS 32

/* parse_tags - tag-list (RFC 6376 3.2) from text: "name=value; ..." with FWS anywhere around.
 * Returns the count, or -1 (syntax error, duplicate tag, too many). */
static int parse_tags(const char *s, size_t n, tag *t, int max)
{
    int count = 0;
    size_t pos = 0;
    while (pos < n) {
        size_t e = pos;
        while (e < n && s[e] != ';')
            e++;
        /* trim FWS */
        size_t a = pos, z = e;
        while (a < z && (is_wsp(s[a]) || s[a] == '\r' || s[a] == '\n'))
            a++;
        while (z > a && (is_wsp(s[z - 1]) || s[z - 1] == '\r' || s[z - 1] == '\n'))
            z--;
        if (a < z) {
            size_t eq = a;
            while (eq < z && s[eq] != '=')
                eq++;
            if (eq == z || count == max)
                return -1;
            size_t ne = eq;
            while (ne > a && (is_wsp(s[ne - 1]) || s[ne - 1] == '\r' || s[ne - 1] == '\n'))
                ne--;
            size_t vs = eq + 1;
            while (vs < z && (is_wsp(s[vs]) || s[vs] == '\r' || s[vs] == '\n'))
                vs++;
            if (ne == a)
                return -1;
            for (int i = 0; i < count; i++)
                if (t[i].name_len == ne - a && memcmp(t[i].name, s + a, ne - a) == 0)
                    return -1; /* 3.2: a tag twice is an error */
            t[count].name = s + a;
            t[count].name_len = ne - a;
            t[count].value = s + vs;
            t[count].value_len = z - vs;
            count++;
        } else if (e < n && a == z && count == 0 && pos == 0) {
            return -1; /* leading ";" */
        }
        pos = e + 1;
    }
    return count;
}

static const tag *find_tag(const tag *t, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (t[i].name_len == strlen(name) && memcmp(t[i].name, name, t[i].name_len) == 0)
            return &t[i];
    return NULL;
}

/* tag_copy - the value without any FWS (for b=, bh=, p=) or as is, cut to cap. */
static void tag_copy(const tag *t, char *out, size_t cap, bool strip_ws)
{
    size_t o = 0;
    for (size_t i = 0; t != NULL && i < t->value_len && o + 1 < cap; i++) {
        char c = t->value[i];
        if (strip_ws && (is_wsp(c) || c == '\r' || c == '\n'))
            continue;
        out[o++] = c;
    }
    out[o] = '\0';
}

static bool tag_is(const tag *t, const char *want)
{
    return t != NULL && t->value_len == strlen(want) && memcmp(t->value, want, t->value_len) == 0;
}

static dkim_result finish(dkim_outcome *o, dkim_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static dkim_result finish(dkim_outcome *o, dkim_result r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->reason, sizeof o->reason, fmt, ap);
    va_end(ap);
    o->result = r;
    return r;
}

dkim_result dkim_verify(const char *msg, size_t len, dns_lookup_fn lookup, void *ctx,
                        dkim_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (msg == NULL)
        len = 0;
    size_t hdr_len, body_off;
    mail_split(msg, len, &hdr_len, &body_off);
    field_ref fields[DKIM_MAX_FIELDS];
    size_t nf = list_fields(msg, hdr_len, fields, DKIM_MAX_FIELDS);
    size_t sig = nf;
    for (size_t i = 0; i < nf; i++)
        if (name_is(msg, &fields[i], "dkim-signature", 14)) {
            sig = i;
            break;
        }
    if (sig == nf)
        return finish(out, DKIM_NONE, "no DKIM-Signature header");
    const field_ref *sf = &fields[sig];
    if (sf->len > DKIM_SIGNATURE_MAX)
        return finish(out, DKIM_PERMERROR, "DKIM-Signature header too long");
    const char *text = msg + sf->off;
    size_t colon = 0;
    while (text[colon] != ':')
        colon++;
    tag tags[DKIM_MAX_TAGS];
    int nt = parse_tags(text + colon + 1, sf->len - colon - 1, tags, DKIM_MAX_TAGS);
    if (nt < 0)
        return finish(out, DKIM_PERMERROR, "malformed tag list in DKIM-Signature (RFC 6376 3.2)");
    const tag *v = find_tag(tags, nt, "v"), *a = find_tag(tags, nt, "a"),
              *b = find_tag(tags, nt, "b"), *bh = find_tag(tags, nt, "bh"),
              *d = find_tag(tags, nt, "d"), *h = find_tag(tags, nt, "h"),
              *s = find_tag(tags, nt, "s"), *c = find_tag(tags, nt, "c");
    tag_copy(d, out->domain, sizeof out->domain, true);
    tag_copy(s, out->selector, sizeof out->selector, true);
    for (char *p = out->domain; *p; p++)
        *p = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
    for (char *p = out->selector; *p; p++)
        *p = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
    if (!v || !a || !b || !bh || !d || !h || !s)
        return finish(out, DKIM_PERMERROR,
                      "a required tag (v, a, b, bh, d, h, s) is missing (RFC 6376 6.1.1)");
    if (!tag_is(v, "1"))
        return finish(out, DKIM_PERMERROR, "unknown DKIM version (v= must be 1)");
    if (!tag_is(a, DKIM_ALGORITHM))
        return finish(out, DKIM_PERMERROR,
                      "algorithm not supported: this simulator only checks a=" DKIM_ALGORITHM);
    if (c != NULL && !tag_is(c, "relaxed/relaxed"))
        return finish(out, DKIM_PERMERROR, "only c=relaxed/relaxed is simulated");
    if (find_tag(tags, nt, "l") != NULL)
        return finish(out, DKIM_PERMERROR, "the l= body length tag is not supported");
    char hlist[DKIM_SIGNATURE_MAX];
    tag_copy(h, hlist, sizeof hlist, true);
    /* 5.4 / 6.1.1: From must be signed */
    bool from_signed = false;
    for (const char *p = hlist; *p;) {
        const char *e = strchr(p, ':');
        size_t nl = e ? (size_t)(e - p) : strlen(p);
        if (nl == 4 && lower(p[0]) == 'f' && lower(p[1]) == 'r' && lower(p[2]) == 'o' &&
            lower(p[3]) == 'm')
            from_signed = true;
        p += nl + (e != NULL);
    }
    if (!from_signed)
        return finish(out, DKIM_PERMERROR, "From is not in h= (RFC 6376 6.1.1)");
    char dom[DNS_NAME_MAX + 1];
    if (dns_name_normalize(out->domain, dom) < 0 || !token_ok(out->selector, 63))
        return finish(out, DKIM_PERMERROR, "malformed d= or s=");

    /* 6.1.2: fetch the key */
    char keyname[DNS_NAME_MAX + 80];
    snprintf(keyname, sizeof keyname, "%s._domainkey.%s", out->selector, dom);
    dns_answer ans;
    dns_rcode rc = lookup ? lookup(ctx, keyname, DNS_TYPE_TXT, &ans) : DNS_NXDOMAIN;
    if (rc == DNS_SERVFAIL)
        return finish(out, DKIM_TEMPERROR, "key lookup for %s failed (SERVFAIL)", keyname);
    if (rc != DNS_NOERROR || ans.n == 0)
        return finish(out, DKIM_PERMERROR, "no key published at %s", keyname);
    tag kt[DKIM_MAX_TAGS];
    const char *krec = ans.rr[0].value;
    int nk = parse_tags(krec, strlen(krec), kt, DKIM_MAX_TAGS);
    if (nk < 0)
        return finish(out, DKIM_PERMERROR, "malformed key record at %s", keyname);
    const tag *kv = find_tag(kt, nk, "v"), *kk = find_tag(kt, nk, "k"), *kp = find_tag(kt, nk, "p");
    if ((kv != NULL && (!tag_is(kv, "DKIM1") || kv != &kt[0])) || kp == NULL)
        return finish(out, DKIM_PERMERROR, "malformed key record at %s", keyname);
    if (!tag_is(kk, "sim"))
        return finish(out, DKIM_PERMERROR, "key type is not k=sim (no real RSA in the simulator)");
    char p64[DKIM_SECRET_B64 + 8];
    tag_copy(kp, p64, sizeof p64, true);
    if (p64[0] == '\0')
        return finish(out, DKIM_PERMERROR, "key revoked (empty p=, RFC 6376 3.6.1)");
    unsigned char secret[DKIM_SECRET_MAX + 1];
    long sl = base64_decode(p64, strlen(p64), secret, sizeof secret);
    if (sl <= 0)
        return finish(out, DKIM_PERMERROR, "key p= is not valid base64");

    /* 6.1.3: body hash first, then the signature */
    char want_bh[DKIM_B64_DIGEST + 1], got_bh[DKIM_B64_DIGEST + 8];
    body_hash_raw(msg + body_off, len - body_off, want_bh);
    tag_copy(bh, got_bh, sizeof got_bh, true);
    if (strcmp(want_bh, got_bh) != 0)
        return finish(out, DKIM_FAIL, "body hash mismatch (the body changed after signing)");

    /* the signature field with b='s value removed, as it was when signed */
    char blank[DKIM_SIGNATURE_MAX + 1];
    size_t bo = 0;
    size_t bstart = (size_t)(b->value - text), bend = bstart + b->value_len;
    for (size_t i = 0; i < sf->len; i++)
        if (i < bstart || i >= bend)
            blank[bo++] = text[i];
    char want_b[DKIM_B64_DIGEST + 1], got_b[DKIM_B64_DIGEST + 8];
    simulated_b(msg, fields, nf, hlist, sig, blank, bo, secret, (size_t)sl, want_b);
    tag_copy(b, got_b, sizeof got_b, true);
    if (strcmp(want_b, got_b) != 0)
        return finish(out, DKIM_FAIL, "signature mismatch (a signed header changed: %s)", hlist);
    return finish(out, DKIM_PASS, "signature verified for d=%s s=%s (" DKIM_SIMULATED_NOTE ")",
                  dom, out->selector);
}

const char *dkim_result_name(dkim_result r)
{
    switch (r) {
    case DKIM_NONE: return "none";
    case DKIM_PASS: return "pass";
    case DKIM_FAIL: return "fail";
    case DKIM_PERMERROR: return "permerror";
    case DKIM_TEMPERROR: return "temperror";
    }
    return "?";
}
