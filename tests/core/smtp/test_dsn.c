/* test_dsn.c - delivery status notifications: structure, fields, determinism, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/smtp/dsn.h"

static const char ORIGINAL[] = "Received: from a\r\n\tby b; Tue, 12 Mar 2024 09:00:00 +0000\r\n"
                               "From: alice@example.com\r\nTo: nobody@example.org\r\n"
                               "Subject: Lunch\r\n\r\nSecret body text\r\n";

static dsn_recipient one = {"nobody@example.org", "failed", "5.1.1",
                            "550 5.1.1 <nobody@example.org>: Recipient address rejected",
                            "mx.example.org", NULL};

static dsn_input input(const dsn_recipient *r, size_t n)
{
    dsn_input in = {.reporting_mta = "out.example.com",
                    .sender = "alice@example.com",
                    .arrival_date = "Tue, 12 Mar 2024 09:00:01 +0000",
                    .date = "Tue, 12 Mar 2024 09:00:03 +0000",
                    .original = ORIGINAL,
                    .original_len = sizeof ORIGINAL - 1,
                    .rcpts = r,
                    .n_rcpts = n};
    return in;
}

static void test_structure(void **state)
{
    (void)state;
    dsn_input in = input(&one, 1);
    membuf m;
    membuf_init(&m);
    assert_int_equal(dsn_build(&in, &m), 0);
    char v[256];
    assert_true(mail_header_get(m.data, m.len, "From", 0, v, sizeof v) > 0);
    assert_string_equal(v, "Mail Delivery System <MAILER-DAEMON@out.example.com>");
    mail_header_get(m.data, m.len, "To", 0, v, sizeof v);
    assert_string_equal(v, "<alice@example.com>");
    mail_header_get(m.data, m.len, "Subject", 0, v, sizeof v);
    assert_string_equal(v, "Undelivered Mail Returned to Sender");
    mail_header_get(m.data, m.len, "Auto-Submitted", 0, v, sizeof v);
    assert_string_equal(v, "auto-replied");
    char boundary[64], ct[200];
    dsn_boundary(&in, boundary);
    mail_header_get(m.data, m.len, "Content-Type", 0, v, sizeof v);
    snprintf(ct, sizeof ct, "multipart/report; report-type=delivery-status;\tboundary=\"%s\"",
             boundary);
    assert_string_equal(v, ct);
    /* three parts and a closing delimiter, in order */
    char delim[80], close[80];
    snprintf(delim, sizeof delim, "\r\n--%s\r\n", boundary);
    snprintf(close, sizeof close, "\r\n--%s--\r\n", boundary);
    const char *p1 = strstr(m.data, delim);
    assert_non_null(p1);
    const char *p2 = strstr(p1 + 1, delim);
    assert_non_null(p2);
    const char *p3 = strstr(p2 + 1, delim);
    assert_non_null(p3);
    assert_null(strstr(p3 + 1, delim));
    const char *end = strstr(p3, close);
    assert_non_null(end);
    assert_int_equal(end + strlen(close), m.data + m.len);
    assert_non_null(strstr(p1, "Content-Type: text/plain; charset=us-ascii"));
    assert_non_null(strstr(p1, "<nobody@example.org>: host mx.example.org said: 550 5.1.1"));
    assert_non_null(strstr(p2, "Content-Type: message/delivery-status\r\n"));
    assert_non_null(strstr(p2, "\r\n\r\nReporting-MTA: dns; out.example.com\r\n"
                               "Arrival-Date: Tue, 12 Mar 2024 09:00:01 +0000\r\n"
                               "\r\n"
                               "Final-Recipient: rfc822; nobody@example.org\r\n"
                               "Action: failed\r\n"
                               "Status: 5.1.1\r\n"
                               "Remote-MTA: dns; mx.example.org\r\n"
                               "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.org>: Recipient "
                               "address rejected\r\n"));
    assert_non_null(strstr(p3, "Content-Type: text/rfc822-headers\r\n"));
    assert_non_null(strstr(p3, "\r\n\r\nReceived: from a\r\n\tby b;"));
    assert_non_null(strstr(p3, "Subject: Lunch\r\n"));
    assert_null(strstr(m.data, "Secret body text")); /* headers only */
    /* every line ends with CRLF, and none is longer than 998 (RFC 5322 2.1.1) */
    for (size_t i = 0, col = 0; i < m.len; i++, col++) {
        if (m.data[i] == '\n') {
            assert_true(i > 0 && m.data[i - 1] == '\r');
            col = 0;
        }
        assert_true(col <= 998);
    }
    membuf_free(&m);
}

static void test_deterministic(void **state)
{
    (void)state;
    dsn_input in = input(&one, 1);
    membuf a, b;
    membuf_init(&a);
    membuf_init(&b);
    assert_int_equal(dsn_build(&in, &a), 0);
    assert_int_equal(dsn_build(&in, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    /* different input, different boundary and Message-ID */
    char b1[64], b2[64];
    dsn_boundary(&in, b1);
    in.date = "Tue, 12 Mar 2024 09:00:04 +0000";
    dsn_boundary(&in, b2);
    assert_string_not_equal(b1, b2);
    membuf_free(&a);
    membuf_free(&b);
}

static void test_several_and_delayed(void **state)
{
    (void)state;
    dsn_recipient r[2] = {
        {"carol@example.org", "delayed", "4.7.1", "451 4.7.1 Greylisted, try again later",
         "mx.example.org", NULL},
        {"dave@example.org", "delayed", "4.4.1", NULL, NULL, "no route to example.org yet"},
    };
    dsn_input in = input(r, 2);
    membuf m;
    membuf_init(&m);
    assert_int_equal(dsn_build(&in, &m), 0);
    assert_non_null(strstr(m.data, "Subject: Delayed Mail (still being retried)\r\n"));
    assert_non_null(strstr(m.data, "Final-Recipient: rfc822; carol@example.org\r\nAction: delayed"));
    assert_non_null(strstr(m.data, "Final-Recipient: rfc822; dave@example.org\r\nAction: delayed\r\n"
                                   "Status: 4.4.1\r\n\r\n"));
    /* no remote reply: the reason for people, and no Diagnostic-Code (RFC 3464 2.3.6) */
    assert_non_null(strstr(m.data, "<dave@example.org>: no route to example.org yet\r\n"));
    membuf_free(&m);
}

static void test_utf8_and_hostile(void **state)
{
    (void)state;
    dsn_recipient r = {"jos\xc3\xa9@example.org", "failed", "5.1.1",
                       "550 evil\r\nX-Injected: 1\x01", "mx.example.org", NULL};
    dsn_input in = input(&r, 1);
    in.original = "no blank line\nbare LF\n";
    in.original_len = strlen(in.original);
    membuf m;
    membuf_init(&m);
    assert_int_equal(dsn_build(&in, &m), 0);
    assert_non_null(strstr(m.data, "Content-Type: message/global-delivery-status"));
    assert_non_null(strstr(m.data, "Final-Recipient: utf-8; jos\xc3\xa9@example.org"));
    assert_non_null(strstr(m.data, "Diagnostic-Code: smtp; 550 evil??X-Injected: 1?\r\n"));
    assert_null(strstr(m.data, "\r\nX-Injected"));
    assert_non_null(strstr(m.data, "no blank line\r\nbare LF\r\n"));
    membuf_free(&m);
}

static void test_bad_input(void **state)
{
    (void)state;
    membuf m;
    membuf_init(&m);
    dsn_input in = input(&one, 1);
    in.sender = "";
    assert_int_equal(dsn_build(&in, &m), -1); /* a bounce of a bounce: never */
    in = input(&one, 0);
    assert_int_equal(dsn_build(&in, &m), -1);
    in = input(&one, 1);
    in.reporting_mta = "a\r\nb";
    assert_int_equal(dsn_build(&in, &m), -1);
    dsn_recipient bad = one;
    bad.status = "5.1";
    in = input(&bad, 1);
    assert_int_equal(dsn_build(&in, &m), -1);
    bad = one;
    bad.status = "3.1.1";
    in = input(&bad, 1);
    assert_int_equal(dsn_build(&in, &m), -1);
    bad = one;
    bad.action = "bounced";
    in = input(&bad, 1);
    assert_int_equal(dsn_build(&in, &m), -1);
    assert_int_equal(dsn_build(NULL, &m), -1);
    assert_int_equal(m.len, 0);
    in = input(&one, 1);
    in.original = NULL;
    in.original_len = 0;
    assert_int_equal(dsn_build(&in, &m), 0);
    assert_string_equal(DSN_REVERSE_PATH, "");
    membuf_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_several_and_delayed),
        cmocka_unit_test(test_utf8_and_hostile),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
