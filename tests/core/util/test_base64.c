/* test_base64.c - RFC 4648 test vectors and the strict decoder's refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "core/util/base64.h"

static void test_rfc4648_vectors(void **state)
{
    (void)state;
    /* RFC 4648 section 10 */
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char enc[32];
        unsigned char dec[32];
        assert_int_equal(base64_encode(in[i], strlen(in[i]), enc, sizeof enc), strlen(out[i]));
        assert_string_equal(enc, out[i]);
        assert_int_equal(base64_encoded_len(strlen(in[i])), strlen(out[i]));
        assert_int_equal(base64_decode(out[i], strlen(out[i]), dec, sizeof dec), strlen(in[i]));
        assert_memory_equal(dec, in[i], strlen(in[i]));
    }
}

static void test_auth_strings(void **state)
{
    (void)state;
    unsigned char dec[64];
    assert_int_equal(base64_decode("VXNlcm5hbWU6", 12, dec, sizeof dec), 9);
    assert_string_equal((char *)dec, "Username:");
    assert_int_equal(base64_decode("UGFzc3dvcmQ6", 12, dec, sizeof dec), 9);
    assert_string_equal((char *)dec, "Password:");
    /* AUTH PLAIN: NUL bytes survive */
    assert_int_equal(base64_decode("AGFsaWNlAHNlY3JldA==", 20, dec, sizeof dec), 13);
    assert_memory_equal(dec, "\0alice\0secret", 13);
    unsigned char bin[256];
    for (int i = 0; i < 256; i++)
        bin[i] = (unsigned char)i;
    char enc[400];
    unsigned char back[256];
    long n = base64_encode(bin, sizeof bin, enc, sizeof enc);
    assert_true(n > 0);
    assert_int_equal(base64_decode(enc, (size_t)n, back, sizeof back), 256);
    assert_memory_equal(back, bin, 256);
}

static void test_refusals(void **state)
{
    (void)state;
    unsigned char dec[64];
    char enc[8];
    assert_int_equal(base64_decode("Zm9", 3, dec, sizeof dec), -1);      /* not a multiple of 4 */
    assert_int_equal(base64_decode("Zm9v\n", 5, dec, sizeof dec), -1);   /* whitespace */
    assert_int_equal(base64_decode("Zm 9v", 4, dec, sizeof dec), -1);
    assert_int_equal(base64_decode("Z===", 4, dec, sizeof dec), -1);     /* too much padding */
    assert_int_equal(base64_decode("Zg==Zg==", 8, dec, sizeof dec), -1); /* padding inside */
    assert_int_equal(base64_decode("Zm9v", 4, dec, 2), -1);              /* too small */
    assert_int_equal(base64_decode("Zm-v", 4, dec, sizeof dec), -1);     /* URL alphabet */
    assert_int_equal(base64_encode("foobar", 6, enc, sizeof enc), -1);   /* needs 9 bytes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_auth_strings),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
