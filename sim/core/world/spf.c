/* spf.c - SPF check_host() (RFC 7208 4-6) over a dns_lookup_fn; see spf.h for the subset.
 *
 * A record is checked twice: first its whole syntax (4.6: any syntax error anywhere gives
 * permerror before anything is evaluated), then its terms left to right (4.6.2). Terms are parsed
 * in place, never copied into a table, so the recursion through include/redirect uses about
 * 1 KiB of stack per level. */
#include "core/world/spf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* say - snprintf for messages, where cutting a long domain name short is fine. */
static void say(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

typedef struct {
    int family;           /* 4 or 6, 0 when not parsed */
    unsigned char b[16];  /* address bytes, network order (4 used for IPv4) */
} spf_ip;

typedef struct {
    dns_lookup_fn lookup;
    void *ctx;
    spf_ip client;
    const char *sender;
    int lookups;          /* DNS-querying terms so far (4.6.4) */
    int voids;            /* lookups that found nothing (4.6.4) */
    char problem[160];    /* why a temperror/permerror happened */
    char matched[96];     /* the term that matched in the innermost evaluation */
} spf_eval;

typedef enum { M_ALL, M_INCLUDE, M_A, M_MX, M_PTR, M_IP4, M_IP6, M_EXISTS } mech_kind;

typedef struct {
    bool modifier;
    /* mechanisms */
    char qualifier;       /* '+', '-', '~', '?' */
    mech_kind kind;
    const char *spec;     /* domain-spec or the address text, not NUL-terminated */
    size_t spec_len;
    int cidr4, cidr6;     /* -1 when absent */
    /* modifiers */
    const char *name, *value;
    size_t name_len, value_len;
} spf_term;

/* ---- addresses --------------------------------------------------------------------------- */

static int parse_ipv4(const char *s, size_t n, unsigned char out[4])
{
    int part = 0, digits = 0, v = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (digits == 0 || part > 3)
                return -1;
            out[part++] = (unsigned char)v;
            digits = v = 0;
            continue;
        }
        if (s[i] < '0' || s[i] > '9' || ++digits > 3)
            return -1;
        v = v * 10 + (s[i] - '0');
        if (v > 255)
            return -1;
    }
    return part == 4 ? 0 : -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* parse_ipv6 - RFC 4291 2.2 text forms: groups of 1-4 hex digits, one "::", an IPv4 tail. */
static int parse_ipv6(const char *s, size_t n, unsigned char out[16])
{
    unsigned char b[16];
    int ngroups = 0, gap = -1;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return -1;
    }
    while (i < n) {
        /* an IPv4 tail "a.b.c.d" takes the last 32 bits */
        size_t j = i;
        while (j < n && s[j] != ':' && s[j] != '.')
            j++;
        if (j < n && s[j] == '.') {
            if (ngroups > 6 || parse_ipv4(s + i, n - i, b + 2 * ngroups) < 0)
                return -1;
            ngroups += 2;
            i = n;
            break;
        }
        if (j == i || j - i > 4 || ngroups >= 8)
            return -1;
        unsigned v = 0;
        for (size_t k = i; k < j; k++) {
            int h = hexval(s[k]);
            if (h < 0)
                return -1;
            v = v * 16 + (unsigned)h;
        }
        b[2 * ngroups] = (unsigned char)(v >> 8);
        b[2 * ngroups + 1] = (unsigned char)v;
        ngroups++;
        i = j;
        if (i < n) {
            i++; /* ':' */
            if (i < n && s[i] == ':') {
                if (gap >= 0)
                    return -1; /* two "::" */
                gap = ngroups;
                i++;
            } else if (i == n) {
                return -1; /* trailing single ':' */
            }
        }
    }
    if (gap < 0) {
        if (ngroups != 8)
            return -1;
        memcpy(out, b, 16);
        return 0;
    }
    if (ngroups > 7)
        return -1;
    memset(out, 0, 16);
    memcpy(out, b, (size_t)gap * 2);
    memcpy(out + 16 - (ngroups - gap) * 2, b + gap * 2, (size_t)(ngroups - gap) * 2);
    return 0;
}

static int parse_ip(const char *s, size_t n, spf_ip *ip)
{
    ip->family = 0;
    if (memchr(s, ':', n) != NULL) {
        if (parse_ipv6(s, n, ip->b) < 0)
            return -1;
        ip->family = 6;
        return 0;
    }
    if (parse_ipv4(s, n, ip->b) < 0)
        return -1;
    ip->family = 4;
    return 0;
}

/* prefix_match - the first `bits` bits of a and b agree. */
static bool prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
    int full = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[full] & mask) == (b[full] & mask);
}

int spf_ip_match(const char *client_ip, const char *net, int prefix)
{
    spf_ip a, b;
    if (client_ip == NULL || net == NULL || parse_ip(client_ip, strlen(client_ip), &a) < 0 ||
        parse_ip(net, strlen(net), &b) < 0)
        return -1;
    if (a.family != b.family)
        return 0;
    int max = a.family == 4 ? 32 : 128;
    if (prefix > max)
        return -1;
    return prefix_match(a.b, b.b, prefix < 0 ? max : prefix);
}

/* ---- terms ------------------------------------------------------------------------------- */

static bool ieq(const char *a, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return false;
    }
    return true;
}

/* parse_cidr - "/N" (RFC 7208 5.6: no leading zeros, 0..max). -1 on error. */
static int parse_cidr(const char *s, size_t n, int max)
{
    if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max ? v : -1;
}

/* split_dual_cidr - find "/4" and "//6" at the end of an a/mx argument (5.6 dual-cidr-length). */
static int split_dual_cidr(spf_term *t, char *why, size_t whylen)
{
    const char *s = t->spec;
    size_t n = t->spec_len;
    const char *dbl = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '/' && s[i + 1] == '/') {
            dbl = s + i;
            break;
        }
    if (dbl != NULL) {
        t->cidr6 = parse_cidr(dbl + 2, (size_t)(s + n - dbl - 2), 128);
        if (t->cidr6 < 0) {
            say(why, whylen, "bad IPv6 prefix length");
            return -1;
        }
        n = (size_t)(dbl - s);
    }
    const char *slash = n ? memchr(s, '/', n) : NULL;
    if (slash != NULL) {
        t->cidr4 = parse_cidr(slash + 1, (size_t)(s + n - slash - 1), 32);
        if (t->cidr4 < 0) {
            say(why, whylen, "bad IPv4 prefix length");
            return -1;
        }
        n = (size_t)(slash - s);
    }
    t->spec_len = n;
    return 0;
}

static int check_domain_spec(const char *s, size_t n, char *why, size_t whylen)
{
    char tmp[DNS_NAME_MAX + 2], norm[DNS_NAME_MAX + 1];
    if (memchr(s, '%', n) != NULL) {
        say(why, whylen, "SPF macros (RFC 7208 7) are not supported by this simulator");
        return -1;
    }
    if (n == 0 || n > DNS_NAME_MAX + 1) {
        say(why, whylen, "empty or too long domain");
        return -1;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (dns_name_normalize(tmp, norm) < 0) {
        say(why, whylen, "malformed domain \"%.*s\"", (int)(n > 60 ? 60 : n), s);
        return -1;
    }
    return 0;
}

/* parse_term - one space-separated term (RFC 7208 4.6.1, 5, 6). 0 or -1 with why. */
static int parse_term(const char *s, size_t n, spf_term *t, char *why, size_t whylen)
{
    memset(t, 0, sizeof *t);
    t->cidr4 = t->cidr6 = -1;
    /* modifier: name "=" value, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
    size_t k = 0;
    if (n > 0 && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
        k = 1;
        while (k < n && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
                         (s[k] >= '0' && s[k] <= '9') || s[k] == '-' || s[k] == '_' ||
                         s[k] == '.'))
            k++;
        if (k < n && s[k] == '=') {
            t->modifier = true;
            t->name = s;
            t->name_len = k;
            t->value = s + k + 1;
            t->value_len = n - k - 1;
            if (ieq(s, k, "redirect"))
                return check_domain_spec(t->value, t->value_len, why, whylen);
            return 0; /* exp= and unknown modifiers are ignored (6.2, 6) */
        }
    }
    t->qualifier = '+';
    if (n > 0 && (s[0] == '+' || s[0] == '-' || s[0] == '~' || s[0] == '?')) {
        t->qualifier = s[0];
        s++;
        n--;
    }
    size_t nl = 0;
    while (nl < n && s[nl] != ':' && s[nl] != '/')
        nl++;
    static const struct {
        const char *name;
        mech_kind kind;
    } mechs[] = {{"all", M_ALL}, {"include", M_INCLUDE}, {"a", M_A},     {"mx", M_MX},
                 {"ptr", M_PTR}, {"ip4", M_IP4},         {"ip6", M_IP6}, {"exists", M_EXISTS}};
    size_t m;
    for (m = 0; m < sizeof mechs / sizeof mechs[0]; m++)
        if (ieq(s, nl, mechs[m].name))
            break;
    if (m == sizeof mechs / sizeof mechs[0]) {
        say(why, whylen, "unknown mechanism \"%.*s\"", (int)(n > 40 ? 40 : n), s);
        return -1;
    }
    t->kind = mechs[m].kind;
    bool colon = nl < n && s[nl] == ':';
    t->spec = s + nl + (colon ? 1 : 0);
    t->spec_len = n - nl - (colon ? 1 : 0);
    switch (t->kind) {
    case M_ALL:
        if (t->spec_len != 0) {
            say(why, whylen, "\"all\" takes no argument");
            return -1;
        }
        return 0;
    case M_INCLUDE:
    case M_EXISTS:
        if (!colon) {
            say(why, whylen, "\"%s\" needs a domain", mechs[m].name);
            return -1;
        }
        return check_domain_spec(t->spec, t->spec_len, why, whylen);
    case M_A:
    case M_MX:
        if (split_dual_cidr(t, why, whylen) < 0)
            return -1;
        if (colon)
            return check_domain_spec(t->spec, t->spec_len, why, whylen);
        if (t->spec_len != 0) {
            say(why, whylen, "malformed \"%s\" mechanism", mechs[m].name);
            return -1;
        }
        return 0;
    case M_PTR:
        if (colon)
            return check_domain_spec(t->spec, t->spec_len, why, whylen);
        return 0;
    case M_IP4:
    case M_IP6: {
        if (!colon) {
            say(why, whylen, "\"%s\" needs an address", mechs[m].name);
            return -1;
        }
        /* the prefix is after the last '/' */
        const char *slash = NULL;
        for (size_t i = 0; i < t->spec_len; i++)
            if (t->spec[i] == '/')
                slash = t->spec + i;
        size_t alen = slash ? (size_t)(slash - t->spec) : t->spec_len;
        spf_ip ip;
        int bad = parse_ip(t->spec, alen, &ip) < 0 || ip.family != (t->kind == M_IP4 ? 4 : 6);
        if (!bad && slash != NULL) {
            int max = t->kind == M_IP4 ? 32 : 128;
            int c = parse_cidr(slash + 1, (size_t)(t->spec + t->spec_len - slash - 1), max);
            if (c < 0)
                bad = 1;
            if (t->kind == M_IP4)
                t->cidr4 = c;
            else
                t->cidr6 = c;
        }
        if (bad) {
            say(why, whylen, "malformed address in \"%s:%.*s\"", mechs[m].name,
                     (int)(t->spec_len > 60 ? 60 : t->spec_len), t->spec);
            return -1;
        }
        t->spec_len = alen;
        return 0;
    }
    }
    return -1;
}

/* next_term - the next space-separated token after *pos. */
static bool next_term(const char *rec, size_t *pos, const char **tok, size_t *len)
{
    size_t p = *pos;
    while (rec[p] == ' ')
        p++;
    if (rec[p] == '\0')
        return false;
    size_t e = p;
    while (rec[e] != '\0' && rec[e] != ' ')
        e++;
    *tok = rec + p;
    *len = e - p;
    *pos = e;
    return true;
}

/* ---- evaluation ---------------------------------------------------------------------------- */

static spf_result check_host(spf_eval *ev, const char *domain, int depth, char *record_out);

static spf_result qualifier_result(char q)
{
    switch (q) {
    case '-': return SPF_FAIL;
    case '~': return SPF_SOFTFAIL;
    case '?': return SPF_NEUTRAL;
    default: return SPF_PASS;
    }
}

/* count_lookup - one more DNS-querying term; false (permerror set) past the limit (4.6.4). */
static bool count_lookup(spf_eval *ev)
{
    if (++ev->lookups > SPF_MAX_DNS_LOOKUPS) {
        say(ev->problem, sizeof ev->problem,
                 "more than %d DNS lookups (RFC 7208 4.6.4)", SPF_MAX_DNS_LOOKUPS);
        return false;
    }
    return true;
}

/* query - ask DNS; -1 temperror, -2 permerror (too many void lookups), else the count. */
static int query(spf_eval *ev, const char *name, dns_type type, dns_answer *a)
{
    dns_rcode rc = ev->lookup(ev->ctx, name, type, a);
    if (rc == DNS_SERVFAIL) {
        say(ev->problem, sizeof ev->problem, "DNS error looking up %s %s", name,
                 dns_type_name(type));
        return -1;
    }
    if (rc != DNS_NOERROR)
        a->n = 0;
    if (a->n == 0 && ++ev->voids > SPF_MAX_VOID_LOOKUPS) {
        say(ev->problem, sizeof ev->problem,
                 "more than %d lookups found nothing (RFC 7208 4.6.4)", SPF_MAX_VOID_LOOKUPS);
        return -2;
    }
    return (int)a->n;
}

/* target - the domain-spec of a term as a string, or the current domain. */
static void target(const spf_term *t, const char *domain, char out[DNS_NAME_MAX + 2])
{
    if (t->spec_len == 0) {
        say(out, DNS_NAME_MAX + 2, "%s", domain);
        return;
    }
    size_t n = t->spec_len > DNS_NAME_MAX + 1 ? DNS_NAME_MAX + 1 : t->spec_len;
    memcpy(out, t->spec, n);
    out[n] = '\0';
}

/* addr_match - does an A record's address match the client with this term's prefix? */
static bool addr_match(const spf_eval *ev, const char *addr, const spf_term *t)
{
    spf_ip ip;
    if (ev->client.family != 4 || parse_ip(addr, strlen(addr), &ip) < 0 || ip.family != 4)
        return false; /* IPv6 clients would need AAAA, which the simulated DNS does not hold */
    return prefix_match(ev->client.b, ip.b, t->cidr4 < 0 ? 32 : t->cidr4);
}

/* eval_mech - 1 match, 0 no match, or an error result (temperror/permerror) as -1/-2. */
static int eval_mech(spf_eval *ev, const spf_term *t, const char *domain, int depth)
{
    char name[DNS_NAME_MAX + 2];
    dns_answer a;
    int n;
    switch (t->kind) {
    case M_ALL:
        return 1;
    case M_IP4:
    case M_IP6: {
        spf_ip net;
        parse_ip(t->spec, t->spec_len, &net);
        if (net.family != ev->client.family)
            return 0;
        int bits = net.family == 4 ? (t->cidr4 < 0 ? 32 : t->cidr4) : (t->cidr6 < 0 ? 128 : t->cidr6);
        return prefix_match(ev->client.b, net.b, bits);
    }
    case M_A:
        if (!count_lookup(ev))
            return -2;
        target(t, domain, name);
        n = query(ev, name, DNS_TYPE_A, &a);
        if (n < 0)
            return n;
        for (size_t i = 0; i < a.n; i++)
            if (addr_match(ev, a.rr[i].value, t))
                return 1;
        return 0;
    case M_MX: {
        if (!count_lookup(ev))
            return -2;
        target(t, domain, name);
        n = query(ev, name, DNS_TYPE_MX, &a);
        if (n < 0)
            return n;
        if (a.n > SPF_MAX_MX_HOSTS) {
            say(ev->problem, sizeof ev->problem,
                     "more than %d MX names (RFC 7208 4.6.4)", SPF_MAX_MX_HOSTS);
            return -2;
        }
        /* copy the exchanges: the answer buffer is reused for the address lookups */
        char hosts[SPF_MAX_MX_HOSTS][DNS_NAME_MAX + 1];
        size_t nh = a.n;
        for (size_t i = 0; i < nh; i++)
            memcpy(hosts[i], a.rr[i].value, sizeof hosts[i]);
        for (size_t i = 0; i < nh; i++) {
            if (hosts[i][0] == '\0')
                continue; /* null MX */
            dns_answer aa;
            n = query(ev, hosts[i], DNS_TYPE_A, &aa);
            if (n < 0)
                return n;
            for (size_t k = 0; k < aa.n; k++)
                if (addr_match(ev, aa.rr[k].value, t))
                    return 1;
        }
        return 0;
    }
    case M_PTR:
        /* deprecated (5.5 "SHOULD NOT be used"); reverse DNS is not simulated: never matches */
        return count_lookup(ev) ? 0 : -2;
    case M_EXISTS:
        if (!count_lookup(ev))
            return -2;
        target(t, domain, name);
        n = query(ev, name, DNS_TYPE_A, &a);
        return n < 0 ? n : n > 0;
    case M_INCLUDE: {
        if (!count_lookup(ev))
            return -2;
        target(t, domain, name);
        /* 5.2: pass -> match; fail, softfail, neutral -> no match; temperror -> temperror;
         * permerror or none -> permerror */
        spf_result r = check_host(ev, name, depth + 1, NULL);
        if (r == SPF_PASS)
            return 1;
        if (r == SPF_TEMPERROR)
            return -1;
        if (r == SPF_NONE) {
            say(ev->problem, sizeof ev->problem, "include:%s has no SPF record", name);
            return -2;
        }
        if (r == SPF_PERMERROR)
            return -2;
        return 0;
    }
    }
    return 0;
}

/* check_host - RFC 7208 4: fetch the domain's record and evaluate it. */
static spf_result check_host(spf_eval *ev, const char *domain, int depth, char *record_out)
{
    char dom[DNS_NAME_MAX + 1];
    ev->matched[0] = '\0';
    if (depth > SPF_MAX_DEPTH) {
        say(ev->problem, sizeof ev->problem, "include/redirect nested too deeply");
        return SPF_PERMERROR;
    }
    if (dns_name_normalize(domain, dom) < 0 || strchr(dom, '.') == NULL) {
        /* 4.3: a malformed domain, or not fully qualified: none */
        say(ev->problem, sizeof ev->problem, "no usable domain");
        return SPF_NONE;
    }
    dns_answer a;
    dns_rcode rc = ev->lookup(ev->ctx, dom, DNS_TYPE_TXT, &a);
    if (rc == DNS_SERVFAIL) {
        say(ev->problem, sizeof ev->problem, "DNS error looking up %s TXT", dom);
        return SPF_TEMPERROR;
    }
    /* 4.5: keep only records that start with "v=spf1" followed by a space or the end */
    int found = -1;
    for (size_t i = 0; rc == DNS_NOERROR && i < a.n; i++) {
        const char *v = a.rr[i].value;
        if (ieq(v, strlen(v) < 6 ? strlen(v) : 6, "v=spf1") && (v[6] == ' ' || v[6] == '\0')) {
            if (found >= 0) {
                say(ev->problem, sizeof ev->problem, "%s publishes two SPF records (4.5)",
                         dom);
                return SPF_PERMERROR;
            }
            found = (int)i;
        }
    }
    if (found < 0) {
        say(ev->problem, sizeof ev->problem, "%s publishes no SPF record", dom);
        return SPF_NONE;
    }
    char rec[SPF_RECORD_MAX + 1];
    say(rec, sizeof rec, "%s", a.rr[found].value);
    if (record_out != NULL)
        say(record_out, SPF_RECORD_MAX + 1, "%s", rec);

    /* pass 1: the syntax of every term (4.6), and at most one redirect and exp (6) */
    size_t pos = 6;
    const char *tok;
    size_t len;
    spf_term t;
    int redirects = 0, exps = 0;
    const char *redirect = NULL;
    size_t redirect_len = 0;
    while (next_term(rec, &pos, &tok, &len)) {
        char why[120];
        if (parse_term(tok, len, &t, why, sizeof why) < 0) {
            say(ev->problem, sizeof ev->problem, "syntax error in %s's record: %s", dom, why);
            return SPF_PERMERROR;
        }
        if (t.modifier && ieq(t.name, t.name_len, "redirect")) {
            redirects++;
            redirect = t.value;
            redirect_len = t.value_len;
        }
        if (t.modifier && ieq(t.name, t.name_len, "exp"))
            exps++;
    }
    if (redirects > 1 || exps > 1) {
        say(ev->problem, sizeof ev->problem, "redirect= or exp= appears twice (RFC 7208 6)");
        return SPF_PERMERROR;
    }

    /* pass 2: mechanisms left to right; the first match decides (4.6.2) */
    pos = 6;
    bool has_all = false;
    while (next_term(rec, &pos, &tok, &len)) {
        char why[120];
        parse_term(tok, len, &t, why, sizeof why);
        if (t.modifier)
            continue;
        if (t.kind == M_ALL)
            has_all = true;
        int m = eval_mech(ev, &t, dom, depth);
        if (m == -1)
            return SPF_TEMPERROR;
        if (m == -2)
            return SPF_PERMERROR;
        if (m == 1) {
            say(ev->matched, sizeof ev->matched, "%.*s", (int)len, tok);
            return qualifier_result(t.qualifier);
        }
    }
    /* 6.1: redirect applies only when no mechanism matched and there is no "all" */
    if (redirect != NULL && !has_all) {
        if (!count_lookup(ev))
            return SPF_PERMERROR;
        char target_name[DNS_NAME_MAX + 2];
        size_t n = redirect_len > DNS_NAME_MAX + 1 ? DNS_NAME_MAX + 1 : redirect_len;
        memcpy(target_name, redirect, n);
        target_name[n] = '\0';
        spf_result r = check_host(ev, target_name, depth + 1, NULL);
        if (r == SPF_NONE) {
            say(ev->problem, sizeof ev->problem, "redirect=%s has no SPF record",
                     target_name);
            return SPF_PERMERROR;
        }
        return r;
    }
    say(ev->matched, sizeof ev->matched, "default");
    return SPF_NEUTRAL; /* 4.7: nothing matched */
}

static void describe(spf_outcome *o, const char *ip, const char *sender, const char *problem)
{
    switch (o->result) {
    case SPF_PASS:
        say(o->reason, sizeof o->reason, "domain of %s designates %s as permitted sender",
                 sender, ip);
        break;
    case SPF_FAIL:
        say(o->reason, sizeof o->reason,
                 "domain of %s does not designate %s as permitted sender", sender, ip);
        break;
    case SPF_SOFTFAIL:
        say(o->reason, sizeof o->reason,
                 "domain of transitioning %s does not designate %s as permitted sender", sender,
                 ip);
        break;
    case SPF_NEUTRAL:
        say(o->reason, sizeof o->reason, "%s is neither permitted nor denied by domain of %s",
                 ip, sender);
        break;
    case SPF_NONE:
        say(o->reason, sizeof o->reason, "no SPF record for %s: %s", sender, problem);
        break;
    case SPF_TEMPERROR:
        say(o->reason, sizeof o->reason, "temporary error checking %s: %s", sender, problem);
        break;
    case SPF_PERMERROR:
        say(o->reason, sizeof o->reason, "permanent error checking %s: %s", sender, problem);
        break;
    }
}

/* printable - copy text for display, control characters and non-ASCII as '?'. */
static void printable(char *out, size_t cap, const char *in)
{
    size_t o = 0;
    for (size_t i = 0; in != NULL && in[i] && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)in[i];
        out[o++] = (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? (char)c : '?';
    }
    out[o] = '\0';
}

spf_result spf_check_host(dns_lookup_fn lookup, void *ctx, const char *client_ip,
                          const char *domain, const char *sender, spf_outcome *out)
{
    memset(out, 0, sizeof *out);
    say(out->identity, sizeof out->identity, "mailfrom");
    char ip_s[64], sender_s[320];
    printable(ip_s, sizeof ip_s, client_ip);
    printable(sender_s, sizeof sender_s, sender);
    printable(out->domain, sizeof out->domain, domain);
    spf_eval ev;
    memset(&ev, 0, sizeof ev);
    ev.lookup = lookup;
    ev.ctx = ctx;
    ev.sender = sender;
    if (lookup == NULL || client_ip == NULL || domain == NULL ||
        parse_ip(client_ip, strlen(client_ip), &ev.client) < 0) {
        out->result = SPF_PERMERROR;
        describe(out, ip_s, sender_s, "the client address is not an IP address");
        return out->result;
    }
    out->result = check_host(&ev, domain, 0, out->record);
    out->dns_lookups = ev.lookups;
    if (out->result == SPF_PASS || out->result == SPF_FAIL || out->result == SPF_SOFTFAIL ||
        out->result == SPF_NEUTRAL)
        say(out->mechanism, sizeof out->mechanism, "%s", ev.matched);
    describe(out, ip_s, sender_s, ev.problem);
    return out->result;
}

spf_result spf_check(dns_lookup_fn lookup, void *ctx, const char *client_ip, const char *mail_from,
                     const char *helo, spf_outcome *out)
{
    /* RFC 7208 2.4: with the null reverse-path, check postmaster@HELO; 4.3: a sender without
     * a local-part is "postmaster@domain" */
    char sender[320];
    const char *identity = "mailfrom";
    if (mail_from == NULL || mail_from[0] == '\0') {
        say(sender, sizeof sender, "postmaster@%s", helo ? helo : "");
        identity = "helo";
    } else if (strchr(mail_from, '@') == NULL || mail_from[0] == '@') {
        say(sender, sizeof sender, "postmaster@%s", mail_from + (mail_from[0] == '@'));
    } else {
        say(sender, sizeof sender, "%s", mail_from);
    }
    const char *at = strrchr(sender, '@');
    spf_check_host(lookup, ctx, client_ip, at + 1, sender, out);
    say(out->identity, sizeof out->identity, "%s", identity);
    return out->result;
}

const char *spf_result_name(spf_result r)
{
    switch (r) {
    case SPF_NONE: return "none";
    case SPF_NEUTRAL: return "neutral";
    case SPF_PASS: return "pass";
    case SPF_FAIL: return "fail";
    case SPF_SOFTFAIL: return "softfail";
    case SPF_TEMPERROR: return "temperror";
    case SPF_PERMERROR: return "permerror";
    }
    return "?";
}

/* fold - copy a header line, folding at spaces so that lines stay within 78 octets where a
 * word allows it (RFC 5322 2.1.1, 2.2.3); CRLF at the end. Returns the length or -1. */
static long fold(char *out, size_t cap, const char *line)
{
    size_t o = 0, col = 0;
    const char *p = line;
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t wl = e ? (size_t)(e - p) : strlen(p);
        if (col > 0 && col + 1 + wl > 78) {
            if (o + 3 >= cap)
                return -1;
            memcpy(out + o, "\r\n\t", 3);
            o += 3;
            col = 8; /* a tab shows as eight columns */
        } else if (col > 0) {
            if (o + 1 >= cap)
                return -1;
            out[o++] = ' ';
            col++;
        }
        if (o + wl >= cap)
            return -1;
        memcpy(out + o, p, wl);
        o += wl;
        col += wl;
        p += wl;
        while (*p == ' ')
            p++;
    }
    if (o + 3 > cap)
        return -1;
    memcpy(out + o, "\r\n", 3);
    return (long)o + 2;
}

long spf_received_header(char *out, size_t cap, const spf_outcome *o, const char *receiver,
                         const char *client_ip, const char *mail_from, const char *helo)
{
    char rcv[DNS_NAME_MAX + 1], ip[64], from[320], h[DNS_NAME_MAX + 1];
    printable(rcv, sizeof rcv, receiver);
    printable(ip, sizeof ip, client_ip);
    printable(from, sizeof from, mail_from);
    printable(h, sizeof h, helo);
    /* RFC 7208 9.1: result, a comment for people, then key=value pairs */
    char line[SPF_HEADER_MAX];
    int n = snprintf(line, sizeof line,
                     "Received-SPF: %s (%s: %s) client-ip=%s; envelope-from=\"%s\"; helo=%s; "
                     "receiver=%s; identity=%s%s%s%s",
                     spf_result_name(o->result), rcv, o->reason, ip, from, h, rcv, o->identity,
                     o->mechanism[0] ? "; mechanism=\"" : "", o->mechanism,
                     o->mechanism[0] ? "\"" : "");
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    return fold(out, cap, line);
}
