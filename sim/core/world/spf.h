/* spf.h - Sender Policy Framework, a subset of RFC 7208, evaluated purely.
 *
 * check_host() (RFC 7208 4) for one client IP, the MAIL FROM domain and the HELO name, with the
 * DNS questions asked through a dns_lookup_fn (dns_zone.h) so the world can show each one.
 * Supported: "v=spf1" records (4.5), mechanisms all, include, a, mx, ip4 (with /CIDR), ip6
 * (exact or /prefix), exists (5.1-5.7), qualifiers + - ~ ? (4.6.2), the redirect= modifier
 * (6.1; exp= is accepted and ignored), the limit of 10 mechanisms/modifiers that query DNS
 * (4.6.4, more gives permerror) and of 2 "void" lookups (4.6.4). Not supported: macros (7; a
 * record using "%" gives permerror with a reason saying so), ptr (5.5, deprecated: never
 * matches, still counts as a lookup), AAAA lookups for a/mx with an IPv6 client (never match).
 *
 * No allocation; the outcome is plain data with a human-readable reason.
 */
#ifndef SPF_H
#define SPF_H

#include <stddef.h>

#include "core/world/dns_zone.h"

#define SPF_MAX_DNS_LOOKUPS 10  /* RFC 7208 4.6.4: terms causing DNS queries */
#define SPF_MAX_VOID_LOOKUPS 2  /* RFC 7208 4.6.4: lookups answering NXDOMAIN or nothing */
#define SPF_MAX_MX_HOSTS 10     /* RFC 7208 4.6.4: MX names looked up per mx mechanism */
#define SPF_MAX_DEPTH 12        /* include/redirect nesting (bounded by the lookup limit anyway) */
#define SPF_RECORD_MAX DNS_TXT_MAX
#define SPF_HEADER_MAX 1536     /* a (folded) Received-SPF header field fits in this */

typedef enum {
    SPF_NONE,      /* no SPF record (or no usable domain) (RFC 7208 2.6.1) */
    SPF_NEUTRAL,   /* "?": the domain makes no assertion (2.6.2) */
    SPF_PASS,      /* "+": the client is authorised (2.6.3) */
    SPF_FAIL,      /* "-": the client is NOT authorised (2.6.4); MX answers 550 5.7.23 */
    SPF_SOFTFAIL,  /* "~": probably not authorised (2.6.5) */
    SPF_TEMPERROR, /* a DNS error, try later (2.6.6); 451 4.4.3 */
    SPF_PERMERROR, /* the record is broken (2.6.7); 550 5.5.2 */
} spf_result;

typedef struct {
    spf_result result;
    char domain[DNS_NAME_MAX + 1]; /* the domain checked (MAIL FROM domain, or HELO) */
    char identity[16];             /* "mailfrom" or "helo" (RFC 7208 2.3, 2.4) */
    char mechanism[96];            /* the term that decided: "ip4:192.0.2.0/24", "-all",
                                      "default" (no match: neutral, 4.7) or "" */
    char record[SPF_RECORD_MAX + 1]; /* the top-level record that was evaluated, or "" */
    char reason[256];              /* one sentence for a student */
    int dns_lookups;               /* terms that queried DNS (4.6.4 counts these) */
} spf_outcome;

/* spf_check - check_host() for `client_ip` (IPv4 dotted quad or IPv6 text), the MAIL FROM
 * reverse-path `mail_from` (without < >; "" for the null path, when the HELO identity is
 * checked as postmaster@helo, RFC 7208 2.4) and `helo`. Fills *out, returns out->result. */
spf_result spf_check(dns_lookup_fn lookup, void *ctx, const char *client_ip, const char *mail_from,
                     const char *helo, spf_outcome *out);

/* spf_check_host - check_host(ip, domain, sender) itself (RFC 7208 4.1) for a given domain. */
spf_result spf_check_host(dns_lookup_fn lookup, void *ctx, const char *client_ip,
                          const char *domain, const char *sender, spf_outcome *out);

/* spf_result_name - "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror". */
const char *spf_result_name(spf_result r);

/* spf_received_header - the Received-SPF header field (RFC 7208 9.1), folded at spaces to keep
 * lines within 78 octets (RFC 5322 2.1.1), ending with CRLF; unfolded it reads:
 * "Received-SPF: pass (mx.example.org: domain of alice@example.com designates 192.0.2.10 as
 * permitted sender) client-ip=192.0.2.10; envelope-from=\"alice@example.com\";
 * helo=smtp.example.com; receiver=mx.example.org; identity=mailfrom; mechanism=\"ip4:...\"".
 * Returns its length, -1 when cap is too small (SPF_HEADER_MAX is always enough). */
long spf_received_header(char *out, size_t cap, const spf_outcome *o, const char *receiver,
                         const char *client_ip, const char *mail_from, const char *helo);

/* spf_ip_match - client_ip is within net/prefix (both the same family; prefix -1: exact).
 * Exposed for tests. 1 match, 0 no match, -1 malformed. */
int spf_ip_match(const char *client_ip, const char *net, int prefix);

#endif
