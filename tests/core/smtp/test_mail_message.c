/* test_mail_message.c - buffer, Received:/Return-Path:, header lookup, split, dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/smtp/mail_message.h"

static void test_buf_grow_prepend(void **state)
{
    (void)state;
    membuf b;
    membuf_init(&b);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(membuf_puts(&b, "0123456789"), 0);
    assert_int_equal(b.len, 10000);
    assert_int_equal(membuf_prepend(&b, "AB", 2), 0);
    assert_int_equal(b.len, 10002);
    assert_memory_equal(b.data, "AB0123", 6);
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(membuf_printf(&b, "%d-%s", 42, "x"), 0);
    assert_string_equal(b.data + 10002, "42-x");
    assert_int_equal(membuf_set(&b, "hi", 2), 0);
    assert_string_equal(b.data, "hi");
    membuf_free(&b);
    membuf_free(&b); /* twice is fine */
    membuf_free(NULL);
}

static void test_buf_limit_sticks(void **state)
{
    (void)state;
    membuf b;
    membuf_init(&b);
    assert_int_equal(membuf_reserve(&b, (size_t)MEMBUF_MAX + 1), -1);
    assert_true(b.failed);
    assert_int_equal(membuf_puts(&b, "y"), -1);
    membuf_free(&b);
}

static void test_dates(void **state)
{
    (void)state;
    char d[MAIL_DATE_MAX];
    mail_date(0, d);
    assert_string_equal(d, "Tue, 12 Mar 2024 09:00:00 +0000");
    mail_date(1500, d); /* milliseconds are dropped, not rounded */
    assert_string_equal(d, "Tue, 12 Mar 2024 09:00:01 +0000");
    mail_date((uint64_t)(15 * 3600 + 3599) * 1000, d); /* to the next day */
    assert_string_equal(d, "Wed, 13 Mar 2024 00:59:59 +0000");
    mail_date((uint64_t)295 * 86400 * 1000, d); /* 29 Feb 2024 counted: 295 days later */
    assert_string_equal(d, "Wed, 1 Jan 2025 09:00:00 +0000");
    mail_date((uint64_t)354 * 86400 * 1000, d); /* 2025 is not a leap year */
    assert_string_equal(d, "Sat, 1 Mar 2025 09:00:00 +0000");
    mail_date(UINT64_MAX, d); /* absurd clocks stay four-digit */
    assert_string_equal(d, "Fri, 31 Dec 9999 23:59:59 +0000");
}

static void test_custom_epoch(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(mail_parse_utc("2024-03-12T09:00:00Z", &t), 0);
    assert_int_equal(t, MAIL_EPOCH_UNIX);
    assert_int_equal(mail_parse_utc("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(mail_parse_utc("2000-02-29T23:59:59Z", &t), 0);
    char d[MAIL_DATE_MAX];
    mail_date_from(t, 1000, d);
    assert_string_equal(d, "Wed, 1 Mar 2000 00:00:00 +0000");
    assert_int_equal(mail_parse_utc("2023-02-29T00:00:00Z", &t), -1);
    assert_int_equal(mail_parse_utc("2024-13-01T00:00:00Z", &t), -1);
    assert_int_equal(mail_parse_utc("2024-03-12T24:00:00Z", &t), -1);
    assert_int_equal(mail_parse_utc("2024-03-12 09:00:00Z", &t), -1);
    assert_int_equal(mail_parse_utc("2024-03-12T09:00:00+01:00", &t), -1);
    assert_int_equal(mail_parse_utc("1969-12-31T23:59:59Z", &t), -1);
    assert_int_equal(mail_parse_utc(NULL, &t), -1);
    mail_date_from(-5, 0, d);
    assert_string_equal(d, "Thu, 1 Jan 1970 00:00:00 +0000");
}

static void test_with_protocol(void **state)
{
    (void)state;
    assert_string_equal(mail_with_protocol(false, true, true), "SMTP");
    assert_string_equal(mail_with_protocol(true, false, false), "ESMTP");
    assert_string_equal(mail_with_protocol(true, true, false), "ESMTPS");
    assert_string_equal(mail_with_protocol(true, false, true), "ESMTPA");
    assert_string_equal(mail_with_protocol(true, true, true), "ESMTPSA");
    assert_string_equal(mail_with_protocol_utf8(true, true, true, true), "UTF8SMTPSA");
    assert_string_equal(mail_with_protocol_utf8(true, true, false, true), "UTF8SMTPS");
    assert_string_equal(mail_with_protocol_utf8(true, false, true, true), "UTF8SMTPA");
    assert_string_equal(mail_with_protocol_utf8(true, false, false, true), "UTF8SMTP");
    assert_string_equal(mail_with_protocol_utf8(false, true, true, true), "SMTP");
    assert_string_equal(mail_with_protocol_utf8(true, true, false, false), "ESMTPS");
}

static void test_received_and_return_path(void **state)
{
    (void)state;
    membuf m;
    membuf_init(&m);
    membuf_puts(&m, "Subject: hi\r\n\r\nbody\r\n");
    mail_received r = {.helo = "client.example.com",
                       .peer_name = "client.example.com",
                       .peer_addr = "192.0.2.10",
                       .by = "smtp.example.com",
                       .with = mail_with_protocol(true, true, true),
                       .id = "A1B2C3",
                       .rcpt = "bob@example.org",
                       .date = "Tue, 12 Mar 2024 09:00:00 +0000"};
    assert_int_equal(mail_prepend_received(&m, &r), 0);
    assert_int_equal(mail_prepend_return_path(&m, "alice@example.com"), 0);
    assert_string_equal(m.data, "Return-Path: <alice@example.com>\r\n"
                                "Received: from client.example.com (client.example.com [192.0.2.10])\r\n"
                                "\tby smtp.example.com with ESMTPSA id A1B2C3\r\n"
                                "\tfor <bob@example.org>; Tue, 12 Mar 2024 09:00:00 +0000\r\n"
                                "Subject: hi\r\n\r\nbody\r\n");
    char v[256];
    long vl = mail_header_get(m.data, m.len, "received", 0, v, sizeof v);
    assert_int_equal(vl, (long)strlen(v));
    assert_string_equal(v, "from client.example.com (client.example.com [192.0.2.10])\tby "
                           "smtp.example.com with ESMTPSA id A1B2C3\tfor <bob@example.org>; "
                           "Tue, 12 Mar 2024 09:00:00 +0000");
    membuf_free(&m);
}

static void test_received_hostile_helo_and_no_rcpt(void **state)
{
    (void)state;
    membuf m;
    membuf_init(&m);
    mail_received r = {.helo = "evil\r\nX-Injected: yes\x80",
                       .peer_addr = "2001:db8::1",
                       .by = "mx.example.org",
                       .with = "ESMTP",
                       .date = "Tue, 12 Mar 2024 09:00:00 +0000"};
    assert_int_equal(mail_prepend_received(&m, &r), 0);
    assert_string_equal(m.data, "Received: from evil??X-Injected: yes? ([IPv6:2001:db8::1])\r\n"
                                "\tby mx.example.org with ESMTP;\r\n"
                                "\tTue, 12 Mar 2024 09:00:00 +0000\r\n");
    assert_int_equal(mail_header_count(m.data, m.len, "X-Injected"), 0);
    r.by = NULL;
    assert_int_equal(mail_prepend_received(&m, &r), -1);
    /* UTF-8 addresses stay readable (SMTPUTF8, RFC 6532); broken UTF-8 does not pass */
    membuf_set(&m, "", 0);
    r.by = "mx.example.org";
    r.helo = "h\xc3\xa9\xc3";
    r.rcpt = "jos\xc3\xa9@example.org";
    assert_int_equal(mail_prepend_received(&m, &r), 0);
    assert_non_null(strstr(m.data, "from h\xc3\xa9? ("));
    assert_non_null(strstr(m.data, "for <jos\xc3\xa9@example.org>;"));
    assert_int_equal(mail_prepend_return_path(&m, "\xed\xa0\x80@x"), 0); /* a surrogate */
    assert_memory_equal(m.data, "Return-Path: <???@x>\r\n", 22);
    membuf_free(&m);
}

static void test_prepend_header_rules(void **state)
{
    (void)state;
    membuf m;
    membuf_init(&m);
    assert_int_equal(mail_prepend_header(&m, "X-Test", "a\r\n b"), 0);
    assert_int_equal(mail_prepend_header(&m, "X-Bad", "a\r\nb"), -1);
    assert_int_equal(mail_prepend_header(&m, "X-Bad", "a\nb"), -1);
    assert_int_equal(mail_prepend_header(&m, "X Bad", "a"), -1);
    assert_int_equal(mail_prepend_header(&m, "X:Bad", "a"), -1);
    assert_string_equal(m.data, "X-Test: a\r\n b\r\n");
    membuf_free(&m);
}

static void test_header_get(void **state)
{
    (void)state;
    const char *msg = "From: Alice <alice@example.com>\r\n"
                      "SUBJECT :   Hello\r\n"
                      "  folded   world  \r\n"
                      "X-Two: first\n"
                      "x-two: second\r\n"
                      "\r\n"
                      "Subject: not a header, body\r\n";
    size_t len = strlen(msg);
    char v[64];
    assert_int_equal(mail_header_get(msg, len, "subject", 0, v, sizeof v), 21);
    assert_string_equal(v, "Hello  folded   world");
    assert_int_equal(mail_header_get(msg, len, "x-TWO", 1, v, sizeof v), 6);
    assert_string_equal(v, "second");
    assert_int_equal(mail_header_get(msg, len, "X-Two", 2, v, sizeof v), -1);
    assert_int_equal(mail_header_get(msg, len, "Subj", 0, v, sizeof v), -1);
    assert_int_equal(mail_header_count(msg, len, "subject"), 1);
    assert_int_equal(mail_header_count(msg, len, "x-two"), 2);
    char small[6];
    assert_int_equal(mail_header_get(msg, len, "from", 0, small, sizeof small), 25);
    assert_string_equal(small, "Alice");
}

static void test_split(void **state)
{
    (void)state;
    size_t h, b;
    const char *m1 = "A: 1\r\nB: 2\r\n\r\nbody";
    assert_true(mail_split(m1, strlen(m1), &h, &b));
    assert_int_equal(h, 12);
    assert_string_equal(m1 + b, "body");
    const char *m2 = "A: 1\nB: 2\n\nbody\n";
    assert_true(mail_split(m2, strlen(m2), &h, &b));
    assert_int_equal(h, 10);
    assert_string_equal(m2 + b, "body\n");
    const char *m3 = "A: 1\r\nno blank line";
    assert_false(mail_split(m3, strlen(m3), &h, &b));
    assert_int_equal(h, strlen(m3));
    assert_int_equal(b, strlen(m3));
    const char *m4 = "\r\nonly body";
    assert_true(mail_split(m4, strlen(m4), &h, &b));
    assert_int_equal(h, 0);
    assert_int_equal(b, 2);
    assert_false(mail_split("", 0, &h, &b));
}

static void test_hostile_bytes(void **state)
{
    (void)state;
    /* every prefix of a nasty message: nothing may read out of bounds (ASan watches) */
    const char nasty[] = "\r\r\n:\n \t\nA\r:\r\n\tx\0y: z\r\n\r";
    char v[8];
    for (size_t n = 0; n <= sizeof nasty - 1; n++) {
        char *copy = n ? malloc(n) : NULL;
        if (n)
            memcpy(copy, nasty, n);
        size_t h, b;
        mail_split(copy, n, &h, &b);
        assert_true(h <= n && b <= n);
        mail_header_get(copy, n, "a", 0, v, sizeof v);
        mail_header_get(copy, n, "y", 0, v, sizeof v);
        mail_header_count(copy, n, "");
        free(copy);
    }
}

/* test_random_bytes - random messages: split, header lookup and trace fields stay in bounds. */
static void test_random_bytes(void **state)
{
    (void)state;
    static const char alphabet[] = "ab: \t\r\n\r\n:xX\x80\xc3\xa9-";
    uint32_t x = 7;
    for (int round = 0; round < 3000; round++) {
        x = x * 1103515245u + 12345u;
        size_t n = (x >> 16) % 200;
        char *buf = malloc(n ? n : 1);
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
        }
        size_t h, b;
        mail_split(buf, n, &h, &b);
        assert_true(h <= b && b <= n);
        char v[16];
        long l = mail_header_get(buf, n, "ab", 0, v, sizeof v);
        assert_true(l < 0 || strlen(v) <= (size_t)l);
        mail_header_count(buf, n, "x");
        membuf m;
        membuf_init(&m);
        char *helo = malloc(n + 1);
        memcpy(helo, buf, n);
        helo[n] = '\0';
        mail_received r = {.helo = helo, .peer_addr = "192.0.2.1", .by = "mx.example.org",
                           .with = "ESMTP", .date = "Tue, 12 Mar 2024 09:00:00 +0000"};
        assert_int_equal(mail_prepend_received(&m, &r), 0);
        /* the helo can never add a line: exactly three CRLFs */
        size_t crlf = 0;
        for (size_t i = 0; i + 1 < m.len; i++)
            crlf += m.data[i] == '\r' && m.data[i + 1] == '\n';
        assert_int_equal(crlf, 3);
        membuf_free(&m);
        free(helo);
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grow_prepend),
        cmocka_unit_test(test_buf_limit_sticks),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_custom_epoch),
        cmocka_unit_test(test_with_protocol),
        cmocka_unit_test(test_received_and_return_path),
        cmocka_unit_test(test_received_hostile_helo_and_no_rcpt),
        cmocka_unit_test(test_prepend_header_rules),
        cmocka_unit_test(test_header_get),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_hostile_bytes),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
