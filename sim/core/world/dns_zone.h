/* dns_zone.h - the simulated world's DNS: an in-memory zone of MX, A and TXT records.
 *
 * dns_zone_query answers like a real resolver (RFC 1035): the records of that name and type,
 * NXDOMAIN when the name has no records at or below it, an empty NOERROR answer ("NODATA")
 * when it has records of other types or only names below it (RFC 8020), SERVFAIL for a name a scenario marked as broken. MX answers are sorted
 * by preference (stable, so equal preferences keep the order they were added in).
 *
 * dns_zone_mail_hosts is what an MTA does with that (RFC 5321 5.1): the MX list, or when there
 * is no MX but an A record, the "implicit MX" (the domain itself, preference 0); a null MX
 * ("0 .", RFC 7505) means the domain accepts no mail.
 *
 * Names are compared without case (RFC 4343) and a trailing dot is tolerated ("example.org."
 * equals "example.org"). Records and answers are copied: the zone owns its storage and the
 * caller owns its dns_answer (plain data, fine on the stack: about 12 KiB).
 */
#ifndef DNS_ZONE_H
#define DNS_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX 253          /* octets in a domain name in text form, no final dot (RFC 1035 2.3.4) */
#define DNS_TXT_MAX 512           /* octets of TXT text we keep (several 255-octet strings joined) */
#define DNS_ANSWER_MAX 16         /* records in one answer; more are cut off (answer.truncated) */
#define DNS_ZONE_MAX_RECORDS 4096 /* records in a zone; adding more fails */
#define DNS_LINE_MAX 1344         /* a formatted question or record always fits (TXT escaped) */

typedef enum {
    DNS_TYPE_A = 1,   /* IPv4 address (RFC 1035 3.4.1) */
    DNS_TYPE_MX = 15, /* mail exchange (RFC 1035 3.3.9) */
    DNS_TYPE_TXT = 16 /* text: SPF (RFC 7208 3), DKIM keys (RFC 6376 3.6.2) */
} dns_type;

typedef enum {
    DNS_NOERROR = 0,  /* an answer (possibly empty: the name exists, not this type) */
    DNS_SERVFAIL = 2, /* the server failed: try again later (SPF temperror) */
    DNS_NXDOMAIN = 3, /* no such name */
} dns_rcode;

typedef struct {
    dns_type type;
    char name[DNS_NAME_MAX + 1]; /* owner, lower case, no final dot */
    uint16_t pref;               /* MX preference */
    char value[DNS_TXT_MAX + 1]; /* MX exchange (lower case, no final dot; "" for null MX),
                                    A address text, or TXT text */
    bool implicit;               /* dns_zone_mail_hosts: synthesised implicit MX */
} dns_record;

typedef struct {
    dns_rcode rcode;
    size_t n;
    bool truncated;              /* more than DNS_ANSWER_MAX records matched */
    dns_record rr[DNS_ANSWER_MAX];
} dns_answer;

typedef struct dns_zone dns_zone;

/* dns_zone_new - an empty zone; NULL on no memory. dns_zone_free(NULL) is a no-op. */
dns_zone *dns_zone_new(void);
void dns_zone_free(dns_zone *z);

/* Adding records: 0, or -1 for a bad name or value (checked: name syntax, a dotted-quad IPv4
 * address, a TXT up to DNS_TXT_MAX, an exchange name or "." for a null MX) or a full zone. */
int dns_zone_add_mx(dns_zone *z, const char *name, unsigned preference, const char *exchange);
int dns_zone_add_a(dns_zone *z, const char *name, const char *ipv4);
int dns_zone_add_txt(dns_zone *z, const char *name, const char *text);
/* dns_zone_add_servfail - every query for this name answers SERVFAIL (a broken server). */
int dns_zone_add_servfail(dns_zone *z, const char *name);

size_t dns_zone_count(const dns_zone *z);

/* dns_zone_query - answer a question (see the top of this file). Returns out->rcode. Never
 * fails: a malformed name gets NXDOMAIN. */
dns_rcode dns_zone_query(const dns_zone *z, const char *name, dns_type type, dns_answer *out);

/* dns_lookup_fn - how pure code (spf, dkim) asks DNS: the world passes dns_zone_lookup with the
 * zone as ctx, or its own function that also records the query as a step of the animation. */
typedef dns_rcode (*dns_lookup_fn)(void *ctx, const char *name, dns_type type, dns_answer *out);

/* dns_zone_lookup - dns_lookup_fn adapter: ctx is a (const) dns_zone *. */
dns_rcode dns_zone_lookup(void *ctx, const char *name, dns_type type, dns_answer *out);

/* dns_zone_mail_hosts - the hosts to try for mail to `domain`, in order (RFC 5321 5.1): the MX
 * records sorted by preference; or, with no MX but an A record, one implicit MX (the domain
 * itself, preference 0, rr[0].implicit set). A null MX (RFC 7505) gives NOERROR with n == 0,
 * *null_mx set. NXDOMAIN, SERVFAIL, or no MX and no A give their rcode with n == 0.
 * null_mx may be NULL. */
dns_rcode dns_zone_mail_hosts(const dns_zone *z, const char *domain, dns_answer *out,
                              bool *null_mx);

/* dns_type_name - "A", "MX", "TXT" ("?" otherwise); dns_rcode_name - "NOERROR", ... */
const char *dns_type_name(dns_type type);
const char *dns_rcode_name(dns_rcode rcode);

/* dns_name_normalize - lower-case, drop one final dot, check the syntax (labels 1-63 octets of
 * letters, digits, '-', '_', or UTF-8 bytes: the world does no IDNA, so U-labels are taken as
 * they are; 1-DNS_NAME_MAX octets). out has DNS_NAME_MAX + 1 bytes. 0 or -1. */
int dns_name_normalize(const char *name, char out[DNS_NAME_MAX + 1]);

/* Dig-style one-line text for the animation; each writes a NUL-terminated line into out (cap
 * bytes) and returns its length. Question and record: DNS_LINE_MAX is always enough, -1 when
 * cap is too small. Answer: a long answer is cut with "..." to fit; -1 only when cap < 16.
 *   dns_format_question: "example.org. MX ?"
 *   dns_format_record:   "example.org. MX 10 mx.example.org." / "mx.example.org. A 192.0.2.25" /
 *                        "example.org. TXT \"v=spf1 -all\""  (implicit MX: "... (implicit MX)")
 *   dns_format_answer:   the records joined with "; ", or "example.org. MX: NXDOMAIN",
 *                        "example.org. MX: no records (NOERROR)", "example.org. MX: SERVFAIL". */
long dns_format_question(char *out, size_t cap, const char *name, dns_type type);
long dns_format_record(char *out, size_t cap, const dns_record *rr);
long dns_format_answer(char *out, size_t cap, const char *name, dns_type type,
                       const dns_answer *a);

#endif
