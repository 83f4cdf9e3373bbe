/* test_dkim.c - DKIM: relaxed canonicalisation (RFC 6376 3.4.5 example), body hash, and the
 * simulated signature: sign/verify, body and header tampering, whitespace tolerance, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/world/dkim.h"
#include "core/smtp/mail_message.h"

static const char MSG[] = "From: Alice <alice@example.com>\r\n"
                          "To: Bob <bob@example.org>\r\n"
                          "Subject: Lunch on Friday?\r\n"
                          "Date: Tue, 12 Mar 2024 09:00:00 +0000\r\n"
                          "Message-ID: <1@example.com>\r\n"
                          "\r\n"
                          "Hi Bob,\r\n"
                          "\r\n"
                          "Are you free for lunch on Friday?\r\n"
                          "\r\n"
                          "Alice\r\n";
static const char SECRET[] = "example.com dkim secret";

static dns_zone *zone;

static int setup(void **state)
{
    (void)state;
    zone = dns_zone_new();
    char rec[512];
    assert_true(dkim_key_record(SECRET, strlen(SECRET), rec, sizeof rec) > 0);
    assert_int_equal(dns_zone_add_txt(zone, "s1._domainkey.example.com", rec), 0);
    assert_int_equal(dns_zone_add_txt(zone, "rsa._domainkey.example.com",
                                      "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ"),
                     0);
    assert_int_equal(dns_zone_add_txt(zone, "revoked._domainkey.example.com", "v=DKIM1; k=sim; p="),
                     0);
    assert_int_equal(dns_zone_add_servfail(zone, "down._domainkey.example.com"), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dns_zone_free(zone);
    return 0;
}

/* signed_msg - MSG (or another message) with a signature by selector sel prepended. */
static void signed_msg(membuf *m, const char *msg, const char *sel)
{
    char sig[DKIM_SIGNATURE_MAX];
    long n = dkim_sign(msg, strlen(msg), "example.com", sel, SECRET, strlen(SECRET), NULL, 0, sig,
                       sizeof sig);
    assert_true(n > 0);
    membuf_init(m);
    membuf_puts(m, sig);
    membuf_puts(m, msg);
}

static dkim_result verify(const membuf *m, dkim_outcome *o)
{
    return dkim_verify(m->data, m->len, dns_zone_lookup, zone, o);
}

/* replace - copy of m with the first `from` replaced by `to`. */
static void replace(membuf *m, const char *from, const char *to)
{
    char *p = strstr(m->data, from);
    assert_non_null(p);
    membuf out;
    membuf_init(&out);
    membuf_append(&out, m->data, (size_t)(p - m->data));
    membuf_puts(&out, to);
    membuf_puts(&out, p + strlen(from));
    membuf_free(m);
    *m = out;
}

static void test_rfc6376_example(void **state)
{
    (void)state;
    char out[128];
    /* RFC 6376 3.4.5 */
    assert_int_equal(dkim_canon_header_relaxed("A: X\r\n", 6, out, sizeof out), 5);
    assert_string_equal(out, "a:X\r\n");
    const char *b = "B : Y\t\r\n\tZ  \r\n";
    assert_true(dkim_canon_header_relaxed(b, strlen(b), out, sizeof out) > 0);
    assert_string_equal(out, "b:Y Z\r\n");
    const char *body = " C \r\nD \t E\r\n\r\n\r\n";
    assert_true(dkim_canon_body_relaxed(body, strlen(body), out, sizeof out) > 0);
    assert_string_equal(out, " C\r\nD E\r\n");
    /* empty body stays empty; a body without a final line end gets one; bare LF is a line end */
    assert_int_equal(dkim_canon_body_relaxed("", 0, out, sizeof out), 0);
    assert_int_equal(dkim_canon_body_relaxed("\r\n\r\n", 4, out, sizeof out), 0);
    assert_int_equal(dkim_canon_body_relaxed("x", 1, out, sizeof out), 3);
    assert_string_equal(out, "x\r\n");
    assert_true(dkim_canon_body_relaxed("a  b \n\nc\n\n", 10, out, sizeof out) > 0);
    assert_string_equal(out, "a b\r\n\r\nc\r\n");
    assert_int_equal(dkim_canon_body_relaxed("abcdef", 6, out, 4), -1);
}

static void test_body_hash_known(void **state)
{
    (void)state;
    char bh[64];
    /* relaxed empty body: SHA-256 of nothing (RFC 6376 3.4.4 + 3.7) */
    assert_int_equal(dkim_body_hash("", 0, bh, sizeof bh), 0);
    assert_string_equal(bh, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    assert_int_equal(dkim_body_hash("\r\n \r\n", 5, bh, sizeof bh), 0);
    assert_string_equal(bh, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    /* relaxed "x  " is "x\r\n": checked with printf "x\r\n" | sha256sum */
    assert_int_equal(dkim_body_hash("x  ", 3, bh, sizeof bh), 0);
    assert_string_equal(bh, "s14J+iztnrytnRYzb7lhFG/jS/vrxWJnnahfijFMnco=");
    assert_int_equal(dkim_body_hash("x", 1, bh, 10), -1);
}

static void test_sign_then_verify(void **state)
{
    (void)state;
    membuf m;
    signed_msg(&m, MSG, "s1");
    assert_non_null(strstr(m.data, "DKIM-Signature: v=1; a=sim-sha256; c=relaxed/relaxed; "
                                   "d=example.com;\r\n\ts=s1; h=from:to:subject:date:message-id;"));
    assert_non_null(strstr(m.data, "bh="));
    /* no line longer than 78 + CRLF in the signature field */
    size_t hdr, body;
    mail_split(m.data, m.len, &hdr, &body);
    for (const char *p = m.data, *e; (e = strstr(p, "\r\n")) && p < m.data + hdr; p = e + 2)
        assert_true(e - p <= 78);
    dkim_outcome o;
    assert_int_equal(verify(&m, &o), DKIM_PASS);
    assert_string_equal(o.domain, "example.com");
    assert_string_equal(o.selector, "s1");
    assert_non_null(strstr(o.reason, DKIM_SIMULATED_NOTE));
    /* deterministic: the same message signs the same */
    membuf m2;
    signed_msg(&m2, MSG, "s1");
    assert_string_equal(m.data, m2.data);
    membuf_free(&m2);
    /* later hops prepend trace headers: still passes */
    mail_prepend_header(&m, "Received", "from x by y; Tue, 12 Mar 2024 09:00:01 +0000");
    mail_prepend_return_path(&m, "alice@example.com");
    assert_int_equal(verify(&m, &o), DKIM_PASS);
    membuf_free(&m);
}

static void test_body_change_fails(void **state)
{
    (void)state;
    membuf m;
    signed_msg(&m, MSG, "s1");
    replace(&m, "lunch", "dinner");
    dkim_outcome o;
    assert_int_equal(verify(&m, &o), DKIM_FAIL);
    assert_non_null(strstr(o.reason, "body hash mismatch"));
    membuf_free(&m);
}

static void test_subject_change_fails(void **state)
{
    (void)state;
    membuf m;
    signed_msg(&m, MSG, "s1");
    replace(&m, "Subject: Lunch", "Subject: Dinner");
    dkim_outcome o;
    assert_int_equal(verify(&m, &o), DKIM_FAIL);
    assert_non_null(strstr(o.reason, "signature mismatch"));
    membuf_free(&m);

    /* an added second Subject below is what a verifier picks (bottom up): fails too */
    signed_msg(&m, MSG, "s1");
    replace(&m, "\r\n\r\nHi Bob", "\r\nSubject: spoofed\r\n\r\nHi Bob");
    assert_int_equal(verify(&m, &o), DKIM_FAIL);
    membuf_free(&m);

    /* tampering with the signature's own d= is caught too */
    signed_msg(&m, MSG, "s1");
    replace(&m, "c=relaxed/relaxed; d=example.com;", "c=relaxed/relaxed;  d=example.com;");
    assert_int_equal(verify(&m, &o), DKIM_PASS); /* whitespace only: relaxed tolerates it */
    membuf_free(&m);
}

static void test_relaxed_tolerates_whitespace(void **state)
{
    (void)state;
    membuf m;
    signed_msg(&m, MSG, "s1");
    replace(&m, "Subject: Lunch on Friday?", "SUBJECT:   Lunch   on\r\n\tFriday?  ");
    replace(&m, "Are you free for lunch", "Are  you\tfree for lunch   ");
    replace(&m, "Alice\r\n", "Alice\r\n\r\n\r\n");
    dkim_outcome o;
    assert_int_equal(verify(&m, &o), DKIM_PASS);
    /* LF-only transport of the same text passes as well */
    membuf lf;
    membuf_init(&lf);
    for (size_t i = 0; i < m.len; i++)
        if (m.data[i] != '\r')
            membuf_append(&lf, &m.data[i], 1);
    assert_int_equal(dkim_verify(lf.data, lf.len, dns_zone_lookup, zone, &o), DKIM_PASS);
    membuf_free(&lf);
    membuf_free(&m);
}

static void test_keys_and_errors(void **state)
{
    (void)state;
    dkim_outcome o;
    assert_int_equal(dkim_verify(MSG, strlen(MSG), dns_zone_lookup, zone, &o), DKIM_NONE);
    membuf m;
    signed_msg(&m, MSG, "nokey");
    assert_int_equal(verify(&m, &o), DKIM_PERMERROR);
    assert_non_null(strstr(o.reason, "nokey._domainkey.example.com"));
    membuf_free(&m);
    signed_msg(&m, MSG, "rsa");
    assert_int_equal(verify(&m, &o), DKIM_PERMERROR);
    membuf_free(&m);
    signed_msg(&m, MSG, "revoked");
    assert_int_equal(verify(&m, &o), DKIM_PERMERROR);
    assert_non_null(strstr(o.reason, "revoked"));
    membuf_free(&m);
    signed_msg(&m, MSG, "down");
    assert_int_equal(verify(&m, &o), DKIM_TEMPERROR);
    membuf_free(&m);
    /* a wrong secret in DNS: signature mismatch, body hash fine */
    dns_zone *z = dns_zone_new();
    dns_zone_add_txt(z, "s1._domainkey.example.com", "v=DKIM1; k=sim; p=b3RoZXI=");
    signed_msg(&m, MSG, "s1");
    assert_int_equal(dkim_verify(m.data, m.len, dns_zone_lookup, z, &o), DKIM_FAIL);
    assert_non_null(strstr(o.reason, "signature mismatch"));
    dns_zone_free(z);
    membuf_free(&m);
    /* From must be signed */
    static const char *const hs[] = {"subject"};
    char sig[DKIM_SIGNATURE_MAX];
    assert_true(dkim_sign(MSG, strlen(MSG), "example.com", "s1", SECRET, strlen(SECRET), hs, 1, sig,
                          sizeof sig) > 0);
    assert_non_null(strstr(sig, "h=subject:from;"));
    /* bad arguments */
    assert_int_equal(dkim_sign(MSG, strlen(MSG), "bad..domain", "s1", SECRET, 6, NULL, 0, sig,
                               sizeof sig), -1);
    assert_int_equal(dkim_sign(MSG, strlen(MSG), "example.com", "s 1", SECRET, 6, NULL, 0, sig,
                               sizeof sig), -1);
    assert_int_equal(dkim_sign(MSG, strlen(MSG), "example.com", "s1", SECRET, 0, NULL, 0, sig,
                               sizeof sig), -1);
    assert_int_equal(dkim_sign(MSG, strlen(MSG), "example.com", "s1", SECRET, 6, NULL, 0, sig, 20),
                     -1);
    assert_string_equal(dkim_result_name(DKIM_FAIL), "fail");
}

static void test_hostile_signatures(void **state)
{
    (void)state;
    static const char *const sigs[] = {
        "DKIM-Signature:\r\n", "DKIM-Signature: ;;;;\r\n", "DKIM-Signature: v=1; v=1\r\n",
        "DKIM-Signature: =\r\n", "DKIM-Signature: v=1; a=rsa-sha256; b=x; bh=y; d=e; h=from; s=s\r\n",
        "DKIM-Signature: v=1; a=sim-sha256; b=x; bh=y; d=example.com; h=to; s=s1\r\n",
        "DKIM-Signature: v=2; a=sim-sha256; b=x; bh=y; d=example.com; h=from; s=s1\r\n",
        "DKIM-Signature: v=1; a=sim-sha256; b=x; bh=y; d=..; h=from; s=s1\r\n",
        "DKIM-Signature: v=1; a=sim-sha256; b=x; bh=y; d=example.com; h=from; s=s1; l=5\r\n",
        "DKIM-Signature: v=1; a=sim-sha256; b=x; bh=y; d=example.com; h=from; s=s1\r\n",
        "DKIM-Signature: v=1; a=sim-sha256; c=simple/simple; b=x; bh=y; d=example.com; h=from; s=s1\r\n",
        "DKIM-Signature\r\n",
    };
    static const dkim_result want[] = {DKIM_PERMERROR, DKIM_PERMERROR, DKIM_PERMERROR,
                                       DKIM_PERMERROR, DKIM_PERMERROR, DKIM_PERMERROR,
                                       DKIM_PERMERROR, DKIM_PERMERROR, DKIM_PERMERROR,
                                       DKIM_FAIL,      DKIM_PERMERROR, DKIM_NONE};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        membuf m;
        membuf_init(&m);
        membuf_puts(&m, sigs[i]);
        membuf_puts(&m, MSG);
        dkim_outcome o;
        dkim_result r = dkim_verify(m.data, m.len, dns_zone_lookup, zone, &o);
        if (r != want[i])
            fail_msg("signature %zu: got %s (%s)", i, dkim_result_name(r), o.reason);
        membuf_free(&m);
    }
    dkim_outcome o;
    assert_int_equal(dkim_verify(NULL, 5, dns_zone_lookup, zone, &o), DKIM_NONE);
}

/* test_mutations - thousands of damaged copies of a signed message (bytes flipped, cut short):
 * verification never crashes and a changed body byte is never a pass. Fixed LCG, no rand(). */
static void test_mutations(void **state)
{
    (void)state;
    membuf m;
    signed_msg(&m, MSG, "s1");
    uint32_t x = 12345;
    size_t body_at = strstr(m.data, "Hi Bob") - m.data;
    for (int round = 0; round < 3000; round++) {
        membuf c;
        membuf_init(&c);
        membuf_append(&c, m.data, m.len);
        x = x * 1103515245u + 12345u;
        size_t pos = (x >> 8) % c.len;
        x = x * 1103515245u + 12345u;
        unsigned char v = (unsigned char)(x >> 16);
        if (round % 3 == 2)
            c.len = pos; /* cut short */
        else
            c.data[pos] = (char)v;
        dkim_outcome o;
        dkim_result r = dkim_verify(c.data, c.len, dns_zone_lookup, zone, &o);
        assert_true(r >= DKIM_NONE && r <= DKIM_TEMPERROR);
        /* a different visible character in the body must fail (WSP/CR/LF may canonicalise away) */
        if (round % 3 != 2 && pos >= body_at && v > ' ' && v < 0x7f && (char)v != m.data[pos])
            assert_int_equal(r, DKIM_FAIL);
        membuf_free(&c);
    }
    membuf_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6376_example),
        cmocka_unit_test(test_body_hash_known),
        cmocka_unit_test(test_sign_then_verify),
        cmocka_unit_test(test_body_change_fails),
        cmocka_unit_test(test_subject_change_fails),
        cmocka_unit_test(test_relaxed_tolerates_whitespace),
        cmocka_unit_test(test_keys_and_errors),
        cmocka_unit_test(test_hostile_signatures),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
