/* test_sha256.c - SHA-256 against the FIPS 180-2 / NIST example vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/util/sha256.h"

static void check_hex(const void *data, size_t n, const char *want)
{
    unsigned char d[SHA256_DIGEST_LEN];
    char hex[SHA256_HEX_LEN + 1];
    sha256(data, n, d);
    sha256_hex(d, hex);
    assert_string_equal(hex, want);
}

static void test_abc(void **state)
{
    (void)state;
    check_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_empty(void **state)
{
    (void)state;
    check_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_hex(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_448_bits(void **state)
{
    (void)state;
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_hex(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void **state)
{
    (void)state;
    const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                    "klmnopqrlmnopqrsmnopqrstnopqrstu";
    check_hex(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a_streaming(void **state)
{
    (void)state;
    /* fed in odd-sized pieces so the block-boundary code paths are all taken */
    char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    sha256_ctx ctx;
    sha256_init(&ctx);
    size_t left = 1000000;
    size_t step = 1;
    while (left > 0) {
        size_t n = step < left ? step : left;
        sha256_update(&ctx, chunk, n);
        left -= n;
        step = (step * 7 + 3) % sizeof chunk + 1;
    }
    unsigned char d[SHA256_DIGEST_LEN];
    char hex[SHA256_HEX_LEN + 1];
    sha256_final(&ctx, d);
    sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_padding_edges(void **state)
{
    (void)state;
    /* 55, 56 and 64 bytes straddle the padding boundary: streaming must equal one-shot */
    char m[130];
    memset(m, 'x', sizeof m);
    for (size_t n = 50; n <= sizeof m; n++) {
        unsigned char a[32], b[32];
        sha256(m, n, a);
        sha256_ctx ctx;
        sha256_init(&ctx);
        for (size_t i = 0; i < n; i++)
            sha256_update(&ctx, m + i, 1);
        sha256_final(&ctx, b);
        assert_memory_equal(a, b, 32);
    }
    unsigned char x[32], y[32];
    sha256(m, 55, x);
    sha256(m, 56, y);
    assert_memory_not_equal(x, y, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abc),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_448_bits),
        cmocka_unit_test(test_896_bits),
        cmocka_unit_test(test_million_a_streaming),
        cmocka_unit_test(test_padding_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
