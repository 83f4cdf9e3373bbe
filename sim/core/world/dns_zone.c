/* dns_zone.c - the simulated DNS: records in an array, answered like a resolver would.
 *
 * A zone holds at most DNS_ZONE_MAX_RECORDS records, so a linear scan per query is cheap
 * enough (scenarios have tens of records) and keeps answers in insertion order. */
#include "core/world/dns_zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DNS_LABEL_MAX 63   /* octets in a label (RFC 1035 2.3.4) */
#define DNS_TYPE_SERVFAIL_MARK 0 /* internal record type: this name answers SERVFAIL */

struct dns_zone {
    dns_record *rr;
    size_t n, cap;
};

dns_zone *dns_zone_new(void)
{
    return calloc(1, sizeof(dns_zone));
}

void dns_zone_free(dns_zone *z)
{
    if (z == NULL)
        return;
    free(z->rr);
    free(z);
}

size_t dns_zone_count(const dns_zone *z)
{
    size_t n = 0;
    for (size_t i = 0; z != NULL && i < z->n; i++)
        n += z->rr[i].type != DNS_TYPE_SERVFAIL_MARK;
    return n;
}

int dns_name_normalize(const char *name, char out[DNS_NAME_MAX + 1])
{
    out[0] = '\0';
    if (name == NULL)
        return -1;
    size_t len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--; /* "example.org." is the same name (the root label is implicit) */
    if (len == 0 || len > DNS_NAME_MAX)
        return -1;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '.') {
            if (label == 0)
                return -1; /* empty label: "a..b" or ".a" */
            label = 0;
            out[i] = '.';
            continue;
        }
        if (++label > DNS_LABEL_MAX)
            return -1;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a'); /* RFC 4343: names compare without case */
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                   c >= 0x80))
            return -1;
        out[i] = (char)c;
    }
    if (label == 0)
        return -1;
    out[len] = '\0';
    return 0;
}

static int ipv4_valid(const char *s)
{
    int parts = 0;
    const char *p = s;
    for (;;) {
        int digits = 0, v = 0;
        while (*p >= '0' && *p <= '9') {
            if (digits > 0 && v == 0)
                return 0; /* leading zero: "01" reads as octal in some parsers; refuse */
            v = v * 10 + (*p - '0');
            digits++;
            p++;
            if (digits > 3 || v > 255)
                return 0;
        }
        if (digits == 0)
            return 0;
        parts++;
        if (*p == '\0')
            break;
        if (*p != '.' || parts == 4)
            return 0;
        p++;
    }
    return parts == 4;
}

/* add - append a record (already validated fields). */
static int add(dns_zone *z, dns_type type, const char *name, unsigned pref, const char *value)
{
    if (z == NULL || z->n >= DNS_ZONE_MAX_RECORDS)
        return -1;
    if (z->n == z->cap) {
        size_t cap = z->cap ? z->cap * 2 : 16;
        dns_record *p = realloc(z->rr, cap * sizeof *p);
        if (p == NULL)
            return -1;
        z->rr = p;
        z->cap = cap;
    }
    dns_record *r = &z->rr[z->n];
    memset(r, 0, sizeof *r);
    r->type = type;
    if (dns_name_normalize(name, r->name) < 0)
        return -1;
    r->pref = (uint16_t)pref;
    snprintf(r->value, sizeof r->value, "%s", value);
    z->n++;
    return 0;
}

int dns_zone_add_mx(dns_zone *z, const char *name, unsigned preference, const char *exchange)
{
    char ex[DNS_NAME_MAX + 1];
    if (exchange == NULL || preference > 65535)
        return -1;
    if (strcmp(exchange, ".") == 0)
        ex[0] = '\0'; /* null MX (RFC 7505) */
    else if (dns_name_normalize(exchange, ex) < 0)
        return -1;
    return add(z, DNS_TYPE_MX, name, preference, ex);
}

int dns_zone_add_a(dns_zone *z, const char *name, const char *ipv4)
{
    if (ipv4 == NULL || !ipv4_valid(ipv4))
        return -1;
    return add(z, DNS_TYPE_A, name, 0, ipv4);
}

int dns_zone_add_txt(dns_zone *z, const char *name, const char *text)
{
    if (text == NULL || strlen(text) > DNS_TXT_MAX)
        return -1;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return -1;
    return add(z, DNS_TYPE_TXT, name, 0, text);
}

int dns_zone_add_servfail(dns_zone *z, const char *name)
{
    return add(z, DNS_TYPE_SERVFAIL_MARK, name, 0, "");
}

dns_rcode dns_zone_query(const dns_zone *z, const char *name, dns_type type, dns_answer *out)
{
    char n[DNS_NAME_MAX + 1];
    out->n = 0;
    out->truncated = false;
    out->rcode = DNS_NXDOMAIN;
    if (z == NULL || dns_name_normalize(name, n) < 0)
        return out->rcode;
    bool exists = false;
    size_t nl = strlen(n);
    for (size_t i = 0; i < z->n; i++) {
        const dns_record *r = &z->rr[i];
        if (strcmp(r->name, n) != 0) {
            /* a name with names below it exists even with no records of its own (an "empty
             * non-terminal": example.com when smtp.example.com is in the zone), so it gets
             * NODATA, not NXDOMAIN (RFC 8020 2; RFC 4592 2.2.2) */
            size_t rl = strlen(r->name);
            if (r->type != DNS_TYPE_SERVFAIL_MARK && rl > nl + 1 &&
                r->name[rl - nl - 1] == '.' && !strcmp(r->name + rl - nl, n))
                exists = true;
            continue;
        }
        if (r->type == DNS_TYPE_SERVFAIL_MARK) {
            out->n = 0;
            out->rcode = DNS_SERVFAIL;
            return out->rcode;
        }
        exists = true;
        if (r->type != type)
            continue;
        if (out->n == DNS_ANSWER_MAX) {
            out->truncated = true;
            continue;
        }
        /* insertion sort on preference, stable: equal preferences keep zone order */
        size_t k = out->n;
        if (type == DNS_TYPE_MX)
            while (k > 0 && out->rr[k - 1].pref > r->pref)
                k--;
        memmove(&out->rr[k + 1], &out->rr[k], (out->n - k) * sizeof out->rr[0]);
        out->rr[k] = *r;
        out->n++;
    }
    out->rcode = exists ? DNS_NOERROR : DNS_NXDOMAIN;
    return out->rcode;
}

dns_rcode dns_zone_lookup(void *ctx, const char *name, dns_type type, dns_answer *out)
{
    return dns_zone_query(ctx, name, type, out);
}

dns_rcode dns_zone_mail_hosts(const dns_zone *z, const char *domain, dns_answer *out,
                              bool *null_mx)
{
    if (null_mx != NULL)
        *null_mx = false;
    dns_rcode rc = dns_zone_query(z, domain, DNS_TYPE_MX, out);
    if (rc != DNS_NOERROR)
        return rc;
    if (out->n > 0) {
        for (size_t i = 0; i < out->n; i++) {
            if (out->rr[i].value[0] == '\0') {
                /* RFC 7505 3: "0 ." says "no mail here"; do not fall back to A */
                if (null_mx != NULL)
                    *null_mx = true;
                out->n = 0;
                return DNS_NOERROR;
            }
        }
        return DNS_NOERROR;
    }
    /* RFC 5321 5.1: no MX records: the domain itself is the mail server if it has an address,
     * as if it had one MX of preference 0 naming itself */
    dns_answer a;
    rc = dns_zone_query(z, domain, DNS_TYPE_A, &a);
    if (rc == DNS_SERVFAIL) {
        out->rcode = rc;
        return rc;
    }
    if (a.n > 0) {
        dns_record *r = &out->rr[0];
        memset(r, 0, sizeof *r);
        r->type = DNS_TYPE_MX;
        dns_name_normalize(domain, r->name);
        memcpy(r->value, r->name, sizeof r->name);
        r->implicit = true;
        out->n = 1;
    }
    return DNS_NOERROR;
}

const char *dns_type_name(dns_type type)
{
    switch (type) {
    case DNS_TYPE_A: return "A";
    case DNS_TYPE_MX: return "MX";
    case DNS_TYPE_TXT: return "TXT";
    }
    return "?";
}

const char *dns_rcode_name(dns_rcode rcode)
{
    switch (rcode) {
    case DNS_NOERROR: return "NOERROR";
    case DNS_SERVFAIL: return "SERVFAIL";
    case DNS_NXDOMAIN: return "NXDOMAIN";
    }
    return "?";
}

/* display_name - the name for display (normalised when possible, else cleaned as given). */
static void display_name(const char *name, char out[DNS_NAME_MAX + 1])
{
    if (name != NULL && dns_name_normalize(name, out) == 0)
        return;
    size_t o = 0;
    for (size_t i = 0; name != NULL && name[i] && o < DNS_NAME_MAX; i++) {
        unsigned char c = (unsigned char)name[i];
        out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[o] = '\0';
}

long dns_format_question(char *out, size_t cap, const char *name, dns_type type)
{
    char n[DNS_NAME_MAX + 1];
    display_name(name, n);
    int len = snprintf(out, cap, "%s. %s ?", n, dns_type_name(type));
    return (len < 0 || (size_t)len >= cap) ? -1 : len;
}

long dns_format_record(char *out, size_t cap, const dns_record *rr)
{
    int len = -1;
    switch (rr->type) {
    case DNS_TYPE_MX:
        if (rr->value[0] == '\0')
            len = snprintf(out, cap, "%s. MX %u . (null MX: no mail accepted, RFC 7505)", rr->name,
                           rr->pref);
        else
            len = snprintf(out, cap, "%s. MX %u %s.%s", rr->name, rr->pref, rr->value,
                           rr->implicit ? " (implicit MX: no MX record, A record used, RFC 5321 5.1)"
                                        : "");
        break;
    case DNS_TYPE_A:
        len = snprintf(out, cap, "%s. A %s", rr->name, rr->value);
        break;
    case DNS_TYPE_TXT: {
        /* quote as in zone files: \" and \\ escaped */
        char q[2 * DNS_TXT_MAX + 1];
        size_t o = 0;
        for (const char *p = rr->value; *p; p++) {
            if (*p == '"' || *p == '\\')
                q[o++] = '\\';
            q[o++] = *p;
        }
        q[o] = '\0';
        len = snprintf(out, cap, "%s. TXT \"%s\"", rr->name, q);
        break;
    }
    }
    return (len < 0 || (size_t)len >= cap) ? -1 : len;
}

long dns_format_answer(char *out, size_t cap, const char *name, dns_type type, const dns_answer *a)
{
    if (cap < 16)
        return -1;
    char n[DNS_NAME_MAX + 1];
    display_name(name, n);
    if (a->rcode != DNS_NOERROR || a->n == 0) {
        int len = a->rcode != DNS_NOERROR
                      ? snprintf(out, cap, "%s. %s: %s", n, dns_type_name(type),
                                 dns_rcode_name(a->rcode))
                      : snprintf(out, cap, "%s. %s: no records (NOERROR)", n, dns_type_name(type));
        if (len < 0)
            return -1;
        if ((size_t)len >= cap) {
            memcpy(out + cap - 4, "...", 4);
            return (long)cap - 1;
        }
        return len;
    }
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < a->n; i++) {
        char line[DNS_LINE_MAX];
        long l = dns_format_record(line, sizeof line, &a->rr[i]);
        if (l < 0)
            continue;
        size_t need = (size_t)l + (i ? 2 : 0);
        if (o + need + 1 > cap) {
            /* cut and mark: the animation shows one line */
            size_t keep = cap - 4;
            if (o > keep)
                o = keep;
            else {
                size_t room = keep - o;
                if (i && room >= 2) {
                    memcpy(out + o, "; ", 2);
                    o += 2;
                    room -= 2;
                }
                size_t take = (size_t)l < room ? (size_t)l : room;
                memcpy(out + o, line, take);
                o += take;
            }
            memcpy(out + o, "...", 4);
            return (long)(o + 3);
        }
        if (i) {
            memcpy(out + o, "; ", 2);
            o += 2;
        }
        memcpy(out + o, line, (size_t)l + 1);
        o += (size_t)l;
    }
    return (long)o;
}
