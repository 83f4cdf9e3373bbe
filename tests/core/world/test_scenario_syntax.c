/* test_scenario_syntax.c - the syntax rules for a scenario file's strings: ids, host names,
 * documentation addresses (RFC 5737), mail addresses, printable text, the start time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/world/scenario_syntax.h"

static bool id(const char *s) { return scenario_syntax_id(s, strlen(s), SCENARIO_ID_MAX); }

static void test_id(void **state)
{
    (void)state;
    assert_true(id("basic"));
    assert_true(id("too-large-2"));
    assert_false(id(""));
    assert_false(id("Basic"));
    assert_false(id("a_b"));
    assert_false(id("a b"));
    char long_id[SCENARIO_ID_MAX + 2];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_false(id(long_id));
    long_id[SCENARIO_ID_MAX] = '\0';
    assert_true(id(long_id));
    /* only the first n characters count: a file's base name up to its '.' */
    assert_true(scenario_syntax_id("fork.json", 4, SCENARIO_ID_MAX));
}

static void test_host(void **state)
{
    (void)state;
    assert_true(scenario_syntax_host("mx.example.org"));
    assert_true(scenario_syntax_host("s1._domainkey.example.org"));
    assert_false(scenario_syntax_host(""));
    assert_false(scenario_syntax_host(".example.org"));
    assert_false(scenario_syntax_host("example.org."));
    assert_false(scenario_syntax_host("a..b"));
    assert_false(scenario_syntax_host("a b.org"));
    char label[70];
    memset(label, 'a', 64);
    strcpy(label + 64, ".org");
    assert_false(scenario_syntax_host(label)); /* a label of 64 octets */
}

static void test_doc_ipv4(void **state)
{
    (void)state;
    assert_true(scenario_syntax_doc_ipv4("192.0.2.25"));
    assert_true(scenario_syntax_doc_ipv4("198.51.100.7"));
    assert_true(scenario_syntax_doc_ipv4("203.0.113.255"));
    assert_false(scenario_syntax_doc_ipv4("10.0.0.1"));
    assert_false(scenario_syntax_doc_ipv4("192.0.2.256"));
    assert_false(scenario_syntax_doc_ipv4("192.0.2.1x"));
    assert_false(scenario_syntax_doc_ipv4("192.0.2"));
    assert_false(scenario_syntax_doc_ipv4("+192.0.2.1"));
}

static void test_address(void **state)
{
    (void)state;
    assert_true(scenario_syntax_address("alice@example.com"));
    assert_true(scenario_syntax_address("j\xc3\xb6rg@example.org")); /* RFC 6531 */
    assert_false(scenario_syntax_address("@example.com"));
    assert_false(scenario_syntax_address("alice"));
    assert_false(scenario_syntax_address("a<b@example.com"));
    assert_false(scenario_syntax_address("a b@example.com"));
    assert_false(scenario_syntax_address("alice@bad host"));
}

static void test_printable(void **state)
{
    (void)state;
    assert_true(scenario_syntax_printable("Hello, caf\xc3\xa9"));
    assert_true(scenario_syntax_printable(""));
    assert_false(scenario_syntax_printable("two\nlines"));
    assert_false(scenario_syntax_printable("del\x7f"));
}

static void test_start(void **state)
{
    (void)state;
    int64_t t = -1;
    assert_int_equal(scenario_syntax_start("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(scenario_syntax_start("2024-03-12T09:00:00Z", &t), 0);
    assert_int_equal(t, 1710234000);
    assert_int_equal(scenario_syntax_start("2024-02-29T23:59:59Z", &t), 0);
    assert_int_equal(t, 1709251199);
    assert_int_equal(scenario_syntax_start("2024-03-12 09:00:00Z", &t), -1);
    assert_int_equal(scenario_syntax_start("2024-13-12T09:00:00Z", &t), -1);
    assert_int_equal(scenario_syntax_start("2024-03-12T09:00:00", &t), -1);
    assert_int_equal(scenario_syntax_start("1969-12-31T23:59:59Z", &t), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id),         cmocka_unit_test(test_host),
        cmocka_unit_test(test_doc_ipv4),   cmocka_unit_test(test_address),
        cmocka_unit_test(test_printable),  cmocka_unit_test(test_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
