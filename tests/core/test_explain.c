/* test_explain.c - every key the server emits has a text; codes and enhanced codes resolve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "core/explain.h"
#include "core/server_harness.h"

static void test_table_well_formed(void **state)
{
    (void)state;
    int n = explain_count();
    assert_true(n > 50);
    for (int i = 0; i < n; i++) {
        const explain_entry *e = explain_at(i);
        assert_non_null(e);
        assert_true(strlen(e->key) > 0);
        assert_true(strlen(e->text) > 10);
        /* an RFC section, or "" for plain server policy */
        assert_true(e->rfc[0] == '\0' || strncmp(e->rfc, "RFC ", 4) == 0);
        /* keys are unique: the first match is this entry */
        assert_ptr_equal(explain_find(e->key), e);
    }
    assert_null(explain_at(-1));
    assert_null(explain_at(n));
    assert_null(explain_find("no.such.key"));
    assert_non_null(explain_text("no.such.key"));
    assert_string_equal(explain_find("mail.ok")->rfc, "RFC 5321 4.1.1.2");
}

static void test_reply_codes(void **state)
{
    (void)state;
    assert_true(strncmp(explain_reply_code(250), "250: Requested mail action okay", 31) == 0);
    assert_non_null(strstr(explain_reply_code(538), "Encryption required"));
    assert_non_null(strstr(explain_reply_code(452), "4.5.3.1.10"));
    assert_true(strncmp(explain_reply_code(299), "2yz", 3) == 0);
    assert_true(strncmp(explain_reply_code(459), "4yz", 3) == 0);
    assert_string_equal(explain_reply_code(99), "Not an SMTP reply code");
}

static void test_esc(void **state)
{
    (void)state;
    assert_true(strncmp(explain_esc("5.1.1"), "Bad destination mailbox address", 31) == 0);
    assert_non_null(strstr(explain_esc("5.7.8"), "credentials invalid"));
    assert_non_null(strstr(explain_esc("4.5.3"), "Too many recipients"));
    assert_non_null(strstr(explain_esc("5.6.7"), "Non-ASCII"));
    assert_non_null(strstr(explain_esc("5.7.99"), "Security or policy status"));
    assert_non_null(strstr(explain_esc("4.9.9"), "transient"));
    assert_non_null(strstr(explain_esc("3.0.0"), "Not an enhanced"));
    assert_non_null(strstr(explain_esc("5.1"), "Not an enhanced"));
    assert_non_null(strstr(explain_esc("5.1.1x"), "Not an enhanced"));
    assert_non_null(strstr(explain_esc(NULL), "Not an enhanced"));
}

static harness H;

/* every key in every event of a long varied session is explained */
static void test_server_keys_covered(void **state)
{
    (void)state;
    static const char *const doms[] = {"example.org"};
    static const char *const boxes[] = {"bob"};
    static const smtp_user users[] = {{"alice", "secret"}};
    smtp_server_config cfg;
    smtp_server_config_default(&cfg, SMTP_ROLE_MX);
    cfg.local_domains = doms;
    cfg.n_local_domains = 1;
    cfg.mailboxes = boxes;
    cfg.n_mailboxes = 1;
    cfg.users = users;
    cfg.n_users = 1;
    cfg.allow_plain_auth = true;
    smtp_limits_set(&cfg.limits, SMTP_LIMIT_HARD_ERRORS, 1000);
    smtp_limits_set(&cfg.limits, SMTP_LIMIT_AUTH_FAILURES, 100);
    const char *script[] = {
        "MAIL FROM:<a@b.example>\r\n", "HELO\r\n", "EHLO c\r\n", "FOO\r\n", "\r\n", "NOOP\n",
        "VRFY x\r\n", "EXPN x\r\n", "HELP\r\n", "RSET x\r\n", "RCPT TO:<x@example.org>\r\n",
        "DATA\r\n", "AUTH PLAIN\r\n", "*\r\n", "AUTH LOGIN\r\n", "Ym9i\r\n", "eA==\r\n",
        "AUTH PLAIN !\r\n", "AUTH XYZ\r\n", "MAIL FROM:<>\r\n", "MAIL FROM:<>\r\n",
        "RCPT TO:<postmaster>\r\n", "RCPT TO:<nobody@example.org>\r\n",
        "RCPT TO:<x@far.example>\r\n", "RCPT TO:<bob@example.org> FOO=1\r\n",
        "RCPT TO:<bob@example.org> NOTIFY=x\r\n", "RCPT TO:<\xc3\xa9@example.org>\r\n",
        "RCPT TO:bad\r\n", "STARTTLS\r\n", "DATA\r\n", "a\nb\r\n.\r\n", "RSET\r\n",
        "MAIL FROM:<a@b.example> SIZE=999999999999\r\n", "MAIL FROM:<a@b.example> X=1\r\n",
        "MAIL FROM:<a@b.example> SIZE=x\r\n", "MAIL FROM:<\xc3\xa9@b.example>\r\n", "RSET\r\n",
        "STARTTLS\r\n",
    };
    h_start(&H, &cfg, NULL);
    int checked = 0;
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        h_feed(&H, script[i]);
        for (size_t k = 0; k < H.n_ev; k++) {
            if (!explain_find(H.ev[k].key))
                fail_msg("no explanation for key \"%s\"", H.ev[k].key);
            checked++;
        }
    }
    smtp_server_tls_started(H.srv, H.now);
    h_drain(&H);
    smtp_server_tick(H.srv, H.now + 10000000);
    h_drain(&H);
    for (size_t k = 0; k < H.n_ev; k++)
        if (!explain_find(H.ev[k].key))
            fail_msg("no explanation for key \"%s\"", H.ev[k].key);
    assert_true(checked > 80);
    h_end(&H);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_well_formed),
        cmocka_unit_test(test_reply_codes),
        cmocka_unit_test(test_esc),
        cmocka_unit_test(test_server_keys_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
