/* dkim.h - DKIM signatures (RFC 6376) with a real body hash and a SIMULATED signature.
 *
 * What is real: relaxed/relaxed canonicalisation (RFC 6376 3.4.2, 3.4.4), the choice of signed
 * header fields from the bottom up (5.4.2), the SHA-256 body hash bh= (3.7), the tag list
 * (3.2, 3.5), and the key record at SELECTOR._domainkey.DOMAIN (3.6.2).
 *
 * What is simulated: the core has no RSA, so b= is NOT an RSA signature. Here
 *     b = base64( SHA-256( canonicalised signed header fields
 *                          || canonicalised DKIM-Signature field with an empty b= (no CRLF)
 *                          || the domain's secret ) )
 * The algorithm is named "sim-sha256" (a=sim-sha256) and the key record says k=sim and carries
 * the secret as p= (base64), so nothing pretends to be RSA. Real DKIM publishes only the public
 * key in DNS; anyone holding this simulated "key" could sign. Show students DKIM_SIMULATED_NOTE.
 */
#ifndef DKIM_H
#define DKIM_H

#include <stddef.h>

#include "core/world/dns_zone.h"

#define DKIM_MAX_SIGNED_HEADERS 24 /* names in h= */
#define DKIM_SIGNATURE_MAX 2048    /* a DKIM-Signature field we build or accept, folded */
#define DKIM_SECRET_MAX 256        /* bytes of a simulated key */
#define DKIM_ALGORITHM "sim-sha256"
#define DKIM_SIMULATED_NOTE "simulated signature; real body hash"

typedef enum {
    DKIM_NONE,      /* no DKIM-Signature field (RFC 8601 2.7.1 "none") */
    DKIM_PASS,      /* body hash and signature verified */
    DKIM_FAIL,      /* body hash mismatch, or signature mismatch (RFC 6376 6.1.3) */
    DKIM_PERMERROR, /* unusable: bad tags, no key, From not signed (6.1.1, 6.1.2) */
    DKIM_TEMPERROR, /* key lookup failed (SERVFAIL): try later */
} dkim_result;

typedef struct {
    dkim_result result;
    char domain[DNS_NAME_MAX + 1]; /* d= */
    char selector[64];             /* s= */
    char reason[256];              /* "body hash mismatch", "signature mismatch", ... */
} dkim_outcome;

/* dkim_sign - build the DKIM-Signature field to prepend to msg (headers, empty line, body; CRLF
 * or LF line ends): "DKIM-Signature: v=1; a=sim-sha256; c=relaxed/relaxed; d=DOMAIN; s=SEL;
 * h=from:to:subject; bh=...; b=..." folded, ending with CRLF. `headers` are the field names to
 * sign (NULL or n == 0: from, to, subject, date, message-id; "from" is added if missing, as
 * RFC 6376 5.4 requires). Returns the field's length, -1 on bad arguments or cap too small
 * (DKIM_SIGNATURE_MAX is always enough). */
long dkim_sign(const char *msg, size_t len, const char *domain, const char *selector,
               const void *secret, size_t secret_len, const char *const *headers, size_t n,
               char *out, size_t cap);

/* dkim_key_record - the TXT text to publish at SELECTOR._domainkey.DOMAIN for a secret:
 * "v=DKIM1; k=sim; p=BASE64". Returns its length or -1. */
long dkim_key_record(const void *secret, size_t secret_len, char *out, size_t cap);

/* dkim_verify - verify the first (topmost) DKIM-Signature of msg, fetching the key TXT record
 * through lookup. Fills *out and returns out->result. */
dkim_result dkim_verify(const char *msg, size_t len, dns_lookup_fn lookup, void *ctx,
                        dkim_outcome *out);

/* dkim_result_name - "none", "pass", "fail", "permerror", "temperror". */
const char *dkim_result_name(dkim_result r);

/* Canonicalisation, exposed for tests and for the "show me" view. Both return the length
 * written (NUL added), or -1 when cap is too small.
 *   dkim_canon_header_relaxed: one field (may be folded) -> "name:value\r\n" (3.4.2)
 *   dkim_canon_body_relaxed: a body -> relaxed body (3.4.4; empty body stays empty) */
long dkim_canon_header_relaxed(const char *field, size_t len, char *out, size_t cap);
long dkim_canon_body_relaxed(const char *body, size_t len, char *out, size_t cap);

/* dkim_body_hash - base64 SHA-256 of the relaxed body (the bh= value) into out (>= 45 bytes). */
int dkim_body_hash(const char *body, size_t len, char *out, size_t cap);

#endif
