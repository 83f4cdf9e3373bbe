/* test_pcap_dns.c - DNS messages in RFC 1035 wire format: a query, an MX and an A answer, a
 * long TXT cut into strings, NXDOMAIN, NODATA (the zone's answer for a name with names below
 * it), and the question text the world writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/export/pcap_dns.h"

static unsigned get16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

/* a query: header, one question "example.org" MX IN, recursion desired */
static void test_query(void **state)
{
    (void)state;
    unsigned char m[PCAP_DNS_MAX];
    size_t n = pcap_dns_message(m, 0x1234, "example.org", DNS_TYPE_MX, NULL);
    static const unsigned char want[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                         7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
                                         3, 'o', 'r', 'g', 0, 0, 15, 0, 1};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(m, want, sizeof want);
}

static void test_answers(void **state)
{
    (void)state;
    dns_zone *z = dns_zone_new();
    assert_non_null(z);
    assert_int_equal(dns_zone_add_mx(z, "example.org", 10, "mx.example.org"), 0);
    assert_int_equal(dns_zone_add_a(z, "mx.example.org", "203.0.113.25"), 0);
    assert_int_equal(dns_zone_add_a(z, "smtp.example.com", "192.0.2.25"), 0);
    char txt[301];
    memset(txt, 'a', 300);
    txt[300] = '\0';
    assert_int_equal(dns_zone_add_txt(z, "example.org", txt), 0);
    unsigned char m[PCAP_DNS_MAX];
    dns_answer a;

    /* MX 10 mx.example.org: owner is a pointer to the question, RDATA pref + name */
    dns_zone_query(z, "example.org", DNS_TYPE_MX, &a);
    size_t n = pcap_dns_message(m, 1, "example.org", DNS_TYPE_MX, &a);
    assert_int_equal(get16(m + 2), 0x8180); /* QR RD RA, NOERROR */
    assert_int_equal(get16(m + 6), 1);
    size_t q_end = 12 + 13 + 4;
    assert_int_equal(get16(m + q_end), 0xC00C);
    assert_int_equal(get16(m + q_end + 2), 15);
    assert_int_equal(get16(m + q_end + 10), 2 + 16); /* pref + "\2mx\7example\3org\0" */
    assert_int_equal(get16(m + q_end + 12), 10);
    assert_int_equal(n, q_end + 12 + 18);

    /* A 203.0.113.25 */
    dns_zone_query(z, "mx.example.org", DNS_TYPE_A, &a);
    n = pcap_dns_message(m, 2, "mx.example.org", DNS_TYPE_A, &a);
    static const unsigned char addr[] = {203, 0, 113, 25};
    assert_memory_equal(m + n - 4, addr, 4);

    /* a 300-octet TXT is two character-strings, 255 and 45 */
    dns_zone_query(z, "example.org", DNS_TYPE_TXT, &a);
    n = pcap_dns_message(m, 3, "example.org", DNS_TYPE_TXT, &a);
    assert_int_equal(get16(m + q_end + 10), 302);
    assert_int_equal(m[q_end + 12], 255);
    assert_int_equal(m[q_end + 12 + 256], 45);

    /* NXDOMAIN: rcode 3, no answer */
    dns_zone_query(z, "nowhere.example", DNS_TYPE_MX, &a);
    n = pcap_dns_message(m, 4, "nowhere.example", DNS_TYPE_MX, &a);
    assert_int_equal(get16(m + 2) & 0xf, 3);
    assert_int_equal(get16(m + 6), 0);

    /* NODATA: example.com has no records but smtp.example.com is below it (RFC 8020) */
    assert_int_equal(dns_zone_query(z, "example.com", DNS_TYPE_MX, &a), DNS_NOERROR);
    n = pcap_dns_message(m, 5, "example.com", DNS_TYPE_MX, &a);
    assert_int_equal(get16(m + 2), 0x8180);
    assert_int_equal(get16(m + 6), 0);
    dns_zone_free(z);
}

static void test_parse_question(void **state)
{
    (void)state;
    char name[DNS_NAME_MAX + 1];
    dns_type t;
    assert_int_equal(pcap_dns_parse_question("Example.ORG. MX ?", name, &t), 0);
    assert_string_equal(name, "example.org");
    assert_int_equal(t, DNS_TYPE_MX);
    assert_int_equal(pcap_dns_parse_question("s1._domainkey.example.com. TXT ?", name, &t), 0);
    assert_int_equal(t, DNS_TYPE_TXT);
    assert_int_equal(pcap_dns_parse_question("example.org. MX 10 mx.example.org.", name, &t), -1);
    assert_int_equal(pcap_dns_parse_question("example.org. AAAA ?", name, &t), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_parse_question),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
