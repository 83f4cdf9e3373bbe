/* sha256.h - SHA-256 (FIPS 180-4), streaming and one-shot.
 *
 * Pure code (no OpenSSL) so the core can compute DKIM body hashes and deterministic boundaries.
 * The context is plain data: copy it to fork a hash, no allocation, no cleanup needed.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32 /* bytes in a digest */
#define SHA256_BLOCK_LEN 64  /* bytes in one compression block (FIPS 180-4 5.1.1) */
#define SHA256_HEX_LEN 64    /* hex digits in a digest, without the NUL */

typedef struct {
    uint32_t h[8];                       /* intermediate hash value H(i) (FIPS 180-4 6.2) */
    uint64_t total;                      /* bytes hashed so far */
    unsigned char block[SHA256_BLOCK_LEN];
    size_t used;                         /* bytes waiting in block */
} sha256_ctx;

/* sha256_init - start a hash with the initial value H(0) (FIPS 180-4 5.3.3). */
void sha256_init(sha256_ctx *ctx);

/* sha256_update - hash n more bytes (n may be 0; data may be NULL when n is 0). */
void sha256_update(sha256_ctx *ctx, const void *data, size_t n);

/* sha256_final - pad (FIPS 180-4 5.1.1), write the 32-byte digest; ctx must be re-inited after. */
void sha256_final(sha256_ctx *ctx, unsigned char out[SHA256_DIGEST_LEN]);

/* sha256 - one-shot digest of n bytes. */
void sha256(const void *data, size_t n, unsigned char out[SHA256_DIGEST_LEN]);

/* sha256_hex - lower-case hex of a digest into out (SHA256_HEX_LEN + 1 bytes, NUL added). */
void sha256_hex(const unsigned char digest[SHA256_DIGEST_LEN], char out[SHA256_HEX_LEN + 1]);

#endif
