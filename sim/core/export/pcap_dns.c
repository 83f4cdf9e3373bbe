/* pcap_dns.c - DNS queries and responses in wire format (see pcap_dns.h).
 *
 * RFC 1035 4.1: a 12-octet header, the question (QNAME as length-prefixed labels, QTYPE,
 * QCLASS IN), then the answer records. An answer's owner is the question's name, so it is a
 * compression pointer to offset 12 (4.1.4). RDATA: A is 4 octets (3.4.1), MX a preference and
 * a name (3.3.9; a null MX, RFC 7505, is the root name "."), TXT one or more strings of at most
 * 255 octets each (3.3.14). NXDOMAIN is rcode 3, SERVFAIL 2, and NODATA a NOERROR response with
 * no answer record (RFC 2308 2.2).
 */
#include "core/export/pcap_dns.h"

#include <stdio.h>
#include <string.h>

#define DNS_HDR 12
#define DNS_CLASS_IN 1
#define DNS_TTL 3600

static void be16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

/* put_name - name ("" or "." for the root) as labels at out[at]; the new end, or 0 when it does
 * not fit under cap or a label is empty or longer than 63 octets. */
static size_t put_name(unsigned char *out, size_t at, size_t cap, const char *name)
{
    const char *p = name;
    while (*p && strcmp(p, ".") != 0) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0 || n > 63 || at + 1 + n >= cap)
            return 0;
        out[at++] = (unsigned char)n;
        memcpy(out + at, p, n);
        at += n;
        p += n;
        if (*p == '.')
            p++;
    }
    if (at + 1 > cap)
        return 0;
    out[at++] = 0;
    return at;
}

int pcap_dns_parse_question(const char *text, char name[DNS_NAME_MAX + 1], dns_type *type)
{
    char n[DNS_NAME_MAX + 2], t[8];
    if (!text || sscanf(text, "%254s %7s ?", n, t) != 2 || !strstr(text, " ?"))
        return -1;
    size_t len = strlen(n);
    if (len && n[len - 1] == '.')
        n[--len] = '\0';
    if (!strcmp(t, "MX"))
        *type = DNS_TYPE_MX;
    else if (!strcmp(t, "A"))
        *type = DNS_TYPE_A;
    else if (!strcmp(t, "TXT"))
        *type = DNS_TYPE_TXT;
    else
        return -1;
    return dns_name_normalize(n, name);
}

/* put_rdata - the record's RDATA at out[at] (after its 2-octet length); the new end or 0. */
static size_t put_rdata(unsigned char *out, size_t at, const dns_record *rr)
{
    switch (rr->type) {
    case DNS_TYPE_A: {
        unsigned a, b, c, d;
        if (at + 4 > PCAP_DNS_MAX || sscanf(rr->value, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
            return 0;
        out[at] = (unsigned char)a, out[at + 1] = (unsigned char)b;
        out[at + 2] = (unsigned char)c, out[at + 3] = (unsigned char)d;
        return at + 4;
    }
    case DNS_TYPE_MX:
        if (at + 2 > PCAP_DNS_MAX)
            return 0;
        be16(out + at, rr->pref);
        return put_name(out, at + 2, PCAP_DNS_MAX, rr->value);
    case DNS_TYPE_TXT: {
        size_t len = strlen(rr->value), off = 0;
        do {
            size_t part = len - off > 255 ? 255 : len - off;
            if (at + 1 + part > PCAP_DNS_MAX)
                return 0;
            out[at++] = (unsigned char)part;
            memcpy(out + at, rr->value + off, part);
            at += part;
            off += part;
        } while (off < len);
        return at;
    }
    }
    return 0;
}

size_t pcap_dns_message(unsigned char *out, uint16_t id, const char *name, dns_type type,
                        const dns_answer *ans)
{
    memset(out, 0, DNS_HDR);
    be16(out, id);
    /* RD (recursion desired); a response adds QR and RA and its rcode (RFC 1035 4.1.1) */
    unsigned flags = 0x0100;
    if (ans)
        flags |= 0x8000 | 0x0080 | ((unsigned)ans->rcode & 0xf);
    be16(out + 4, 1);
    size_t at = put_name(out, DNS_HDR, PCAP_DNS_MAX, name);
    if (at == 0 || at + 4 > PCAP_DNS_MAX)
        return 0;
    be16(out + at, type);
    be16(out + at + 2, DNS_CLASS_IN);
    at += 4;
    unsigned count = 0;
    for (size_t i = 0; ans && ans->rcode == DNS_NOERROR && i < ans->n; i++) {
        const dns_record *rr = &ans->rr[i];
        size_t start = at;
        if (at + 12 > PCAP_DNS_MAX) {
            flags |= 0x0200; /* TC: the rest did not fit */
            break;
        }
        be16(out + at, 0xC000 | DNS_HDR); /* owner: the question's name (4.1.4) */
        be16(out + at + 2, rr->type);
        be16(out + at + 4, DNS_CLASS_IN);
        be16(out + at + 6, DNS_TTL >> 16);
        be16(out + at + 8, DNS_TTL & 0xffff);
        size_t end = put_rdata(out, at + 12, rr);
        if (end == 0) {
            flags |= 0x0200;
            at = start;
            break;
        }
        be16(out + at + 10, (unsigned)(end - at - 12));
        at = end;
        count++;
    }
    be16(out + 2, flags);
    be16(out + 6, count);
    return at;
}
