/* test_dns_zone.c - the simulated DNS: answers, rcodes, MX order, implicit and null MX, text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/world/dns_zone.h"

static dns_zone *sample(void)
{
    dns_zone *z = dns_zone_new();
    assert_non_null(z);
    assert_int_equal(dns_zone_add_mx(z, "example.org", 20, "backup.example.org"), 0);
    assert_int_equal(dns_zone_add_mx(z, "Example.ORG.", 10, "MX.example.org."), 0);
    assert_int_equal(dns_zone_add_mx(z, "example.org", 20, "backup2.example.org"), 0);
    assert_int_equal(dns_zone_add_a(z, "mx.example.org", "192.0.2.25"), 0);
    assert_int_equal(dns_zone_add_txt(z, "example.org", "v=spf1 mx -all"), 0);
    assert_int_equal(dns_zone_add_a(z, "plain.example", "198.51.100.7"), 0);
    assert_int_equal(dns_zone_add_mx(z, "nomail.example", 0, "."), 0);
    assert_int_equal(dns_zone_add_servfail(z, "broken.example"), 0);
    return z;
}

static void test_mx_sorted_case_insensitive(void **state)
{
    (void)state;
    dns_zone *z = sample();
    dns_answer a;
    assert_int_equal(dns_zone_query(z, "EXAMPLE.org.", DNS_TYPE_MX, &a), DNS_NOERROR);
    assert_int_equal(a.n, 3);
    assert_int_equal(a.rr[0].pref, 10);
    assert_string_equal(a.rr[0].value, "mx.example.org");
    assert_string_equal(a.rr[1].value, "backup.example.org"); /* stable among equals */
    assert_string_equal(a.rr[2].value, "backup2.example.org");
    assert_int_equal(dns_zone_count(z), 7);
    dns_zone_free(z);
}

static void test_rcodes(void **state)
{
    (void)state;
    dns_zone *z = sample();
    dns_answer a;
    assert_int_equal(dns_zone_query(z, "nowhere.example", DNS_TYPE_A, &a), DNS_NXDOMAIN);
    assert_int_equal(a.n, 0);
    /* the name exists with other types: NOERROR, empty ("NODATA") */
    assert_int_equal(dns_zone_query(z, "mx.example.org", DNS_TYPE_MX, &a), DNS_NOERROR);
    assert_int_equal(a.n, 0);
    assert_int_equal(dns_zone_query(z, "broken.example", DNS_TYPE_TXT, &a), DNS_SERVFAIL);
    assert_int_equal(dns_zone_query(z, "bad..name", DNS_TYPE_A, &a), DNS_NXDOMAIN);
    assert_int_equal(dns_zone_query(z, "", DNS_TYPE_A, &a), DNS_NXDOMAIN);
    assert_int_equal(dns_zone_query(NULL, "x", DNS_TYPE_A, &a), DNS_NXDOMAIN);
    assert_int_equal(dns_zone_lookup(z, "example.org", DNS_TYPE_TXT, &a), DNS_NOERROR);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.rr[0].value, "v=spf1 mx -all");
    dns_zone_free(z);
}

static void test_mail_hosts(void **state)
{
    (void)state;
    dns_zone *z = sample();
    dns_answer a;
    bool null_mx = true;
    assert_int_equal(dns_zone_mail_hosts(z, "example.org", &a, &null_mx), DNS_NOERROR);
    assert_false(null_mx);
    assert_int_equal(a.n, 3);
    assert_false(a.rr[0].implicit);
    /* RFC 5321 5.1: no MX, but an A record: the domain is its own mail server */
    assert_int_equal(dns_zone_mail_hosts(z, "Plain.Example.", &a, &null_mx), DNS_NOERROR);
    assert_int_equal(a.n, 1);
    assert_true(a.rr[0].implicit);
    assert_string_equal(a.rr[0].value, "plain.example");
    assert_int_equal(a.rr[0].pref, 0);
    /* no MX, no A: nowhere to deliver */
    assert_int_equal(dns_zone_mail_hosts(z, "mx.example.org", &a, NULL), DNS_NOERROR);
    assert_int_equal(dns_zone_mail_hosts(z, "nomail.example", &a, &null_mx), DNS_NOERROR);
    assert_true(null_mx);
    assert_int_equal(a.n, 0);
    assert_int_equal(dns_zone_mail_hosts(z, "nowhere.example", &a, NULL), DNS_NXDOMAIN);
    assert_int_equal(dns_zone_mail_hosts(z, "broken.example", &a, NULL), DNS_SERVFAIL);
    dns_zone_free(z);
}

static void test_bad_records_refused(void **state)
{
    (void)state;
    dns_zone *z = dns_zone_new();
    assert_int_equal(dns_zone_add_a(z, "a.example", "256.1.1.1"), -1);
    assert_int_equal(dns_zone_add_a(z, "a.example", "1.2.3"), -1);
    assert_int_equal(dns_zone_add_a(z, "a.example", "1.2.3.4.5"), -1);
    assert_int_equal(dns_zone_add_a(z, "a.example", "01.2.3.4"), -1);
    assert_int_equal(dns_zone_add_a(z, "a.example", "1.2.3.4 "), -1);
    assert_int_equal(dns_zone_add_a(z, "a .example", "1.2.3.4"), -1);
    assert_int_equal(dns_zone_add_a(z, ".", "1.2.3.4"), -1);
    assert_int_equal(dns_zone_add_mx(z, "a.example", 70000, "mx.a.example"), -1);
    assert_int_equal(dns_zone_add_mx(z, "a.example", 1, "bad_name!"), -1);
    assert_int_equal(dns_zone_add_txt(z, "a.example", "line\nbreak"), -1);
    char label[80];
    memset(label, 'a', 64);
    strcpy(label + 64, ".example");
    assert_int_equal(dns_zone_add_a(z, label, "1.2.3.4"), -1); /* 64-octet label */
    strcpy(label + 63, ".example"); /* 63 octets: the longest label */
    assert_int_equal(dns_zone_add_a(z, label, "1.2.3.4"), 0);
    assert_int_equal(dns_zone_count(z), 1);
    dns_zone_free(z);
    dns_zone_free(NULL);
}

static void test_format(void **state)
{
    (void)state;
    dns_zone *z = sample();
    char line[DNS_LINE_MAX];
    dns_answer a;
    assert_true(dns_format_question(line, sizeof line, "Example.org", DNS_TYPE_MX) > 0);
    assert_string_equal(line, "example.org. MX ?");
    dns_zone_query(z, "example.org", DNS_TYPE_MX, &a);
    assert_true(dns_format_record(line, sizeof line, &a.rr[0]) > 0);
    assert_string_equal(line, "example.org. MX 10 mx.example.org.");
    assert_true(dns_format_answer(line, sizeof line, "example.org", DNS_TYPE_MX, &a) > 0);
    assert_string_equal(line, "example.org. MX 10 mx.example.org.; example.org. MX 20 "
                              "backup.example.org.; example.org. MX 20 backup2.example.org.");
    dns_zone_query(z, "mx.example.org", DNS_TYPE_A, &a);
    dns_format_answer(line, sizeof line, "mx.example.org", DNS_TYPE_A, &a);
    assert_string_equal(line, "mx.example.org. A 192.0.2.25");
    dns_zone_query(z, "example.org", DNS_TYPE_TXT, &a);
    dns_format_answer(line, sizeof line, "example.org", DNS_TYPE_TXT, &a);
    assert_string_equal(line, "example.org. TXT \"v=spf1 mx -all\"");
    dns_zone_query(z, "nowhere.example", DNS_TYPE_MX, &a);
    dns_format_answer(line, sizeof line, "nowhere.example", DNS_TYPE_MX, &a);
    assert_string_equal(line, "nowhere.example. MX: NXDOMAIN");
    dns_zone_query(z, "mx.example.org", DNS_TYPE_TXT, &a);
    dns_format_answer(line, sizeof line, "mx.example.org", DNS_TYPE_TXT, &a);
    assert_string_equal(line, "mx.example.org. TXT: no records (NOERROR)");
    dns_zone_mail_hosts(z, "plain.example", &a, NULL);
    dns_format_record(line, sizeof line, &a.rr[0]);
    assert_string_equal(line, "plain.example. MX 0 plain.example. (implicit MX: no MX record, A "
                              "record used, RFC 5321 5.1)");
    /* a short buffer cuts with "..." and stays terminated */
    dns_zone_query(z, "example.org", DNS_TYPE_MX, &a);
    char small[30];
    long n = dns_format_answer(small, sizeof small, "example.org", DNS_TYPE_MX, &a);
    assert_int_equal(n, (long)strlen(small));
    assert_true(n < 30);
    assert_string_equal(small + n - 3, "...");
    assert_int_equal(dns_format_question(small, 5, "example.org", DNS_TYPE_MX), -1);
    dns_zone_free(z);
}

static void test_txt_escape_and_many(void **state)
{
    (void)state;
    dns_zone *z = dns_zone_new();
    assert_int_equal(dns_zone_add_txt(z, "q.example", "say \"hi\" \\o/"), 0);
    for (int i = 0; i < DNS_ANSWER_MAX + 3; i++)
        assert_int_equal(dns_zone_add_a(z, "many.example", "192.0.2.1"), 0);
    dns_answer a;
    dns_zone_query(z, "many.example", DNS_TYPE_A, &a);
    assert_int_equal(a.n, DNS_ANSWER_MAX);
    assert_true(a.truncated);
    dns_zone_query(z, "q.example", DNS_TYPE_TXT, &a);
    char line[DNS_LINE_MAX];
    dns_format_record(line, sizeof line, &a.rr[0]);
    assert_string_equal(line, "q.example. TXT \"say \\\"hi\\\" \\\\o/\"");
    dns_zone_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mx_sorted_case_insensitive),
        cmocka_unit_test(test_rcodes),
        cmocka_unit_test(test_mail_hosts),
        cmocka_unit_test(test_bad_records_refused),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_txt_escape_and_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
