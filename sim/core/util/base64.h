/* base64.h - base64 (RFC 4648 section 4) for AUTH PLAIN/LOGIN and for showing students what
 * base64 hides (nothing: it is an encoding, not encryption). Strict decoder: no whitespace, no
 * characters outside the alphabet, padding required. */
#ifndef BASE64_H
#define BASE64_H

#include <stddef.h>

/* base64_encoded_len - output size for n input bytes, without the terminating NUL. */
size_t base64_encoded_len(size_t n);

/* base64_encode - writes the encoding and a NUL; returns its length, or -1 if cap is too small. */
long base64_encode(const void *in, size_t n, char *out, size_t cap);

/* base64_decode - decodes n characters into out (cap bytes, a NUL is added when room remains);
 * returns the decoded length, or -1 for malformed input or too small a buffer. */
long base64_decode(const char *in, size_t n, unsigned char *out, size_t cap);

#endif
