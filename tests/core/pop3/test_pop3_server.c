/* test_pop3_server.c - the POP3 server engine, command by command and error path by error
 * path, over the in-memory mailbox. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/retrieval/mailbox.h"
#include "core/pop3/pop3_server.h"
#include "core/util/base64.h"
#include "../retrieval/retr_harness.h"

static struct {
    mailbox_mem *box;
    mailbox_mem_account acct[1];
    mailbox_mem_directory dir;
    pop3_server *srv;
    uint64_t now;
    retr_h_log log; /* output and events of the last call */
} T;

static const char MSG1[] = "From: alice@example.net\nTo: bob@example.org\nSubject: Hi\n\n"
                           "Hello Bob.\n.hidden dot line\nBye\n";
static const char MSG2[] = "From: carol@example.net\r\nSubject: Two\r\n\r\nSecond\r\n";

/* drain - take all output and events of the last call */
static const char *drain(void)
{
    return retr_h_drain(&T.log, &retr_engine_pop3_server, T.srv);
}

static const char *feed(const char *s)
{
    pop3_server_feed(T.srv, s, strlen(s), T.now);
    return drain();
}

static const ev_copy *find(retr_event_kind kind, const char *key)
{
    return retr_h_find(&T.log, kind, key);
}

static void start(bool tls_available, bool plaintext, bool implicit)
{
    memset(&T, 0, sizeof T);
    T.now = 1000;
    T.box = mailbox_mem_new(1700000000);
    assert_int_equal(mailbox_mem_add(T.box, MSG1, strlen(MSG1), 1700000000, 0), 0);
    assert_int_equal(mailbox_mem_add(T.box, MSG2, strlen(MSG2), 1700000100, 0), 0);
    T.acct[0] = (mailbox_mem_account){"bob", "hunter2", T.box};
    T.dir = (mailbox_mem_directory){T.acct, 1};
    pop3_server_config cfg;
    pop3_server_config_default(&cfg);
    cfg.hostname = "mail.example.org";
    cfg.provider = mailbox_mem_provider(&T.dir);
    cfg.tls_available = tls_available;
    cfg.allow_plaintext = plaintext;
    T.srv = pop3_server_new(&cfg, implicit, T.now);
    assert_non_null(T.srv);
    drain();
}

static void end(void)
{
    pop3_server_free(T.srv);
    mailbox_mem_free(T.box);
}

static void login(void)
{
    assert_string_equal(feed("USER bob\r\n"), "+OK Send PASS\r\n");
    assert_string_equal(feed("PASS hunter2\r\n"), "+OK Logged in, 2 messages (145 octets)\r\n");
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_greeting_and_capa(void **state)
{
    (void)state;
    start(true, false, false);
    /* start drained the greeting: check it on a second engine, by hand */
    pop3_server_config cfg;
    pop3_server_config_default(&cfg);
    cfg.hostname = "mail.example.org";
    pop3_server *s2 = pop3_server_new(&cfg, false, 5);
    const char *b;
    size_t n = pop3_server_output(s2, &b);
    assert_int_equal(n, strlen("+OK mail.example.org POP3 server ready\r\n"));
    assert_memory_equal(b, "+OK mail.example.org POP3 server ready\r\n", n);
    pop3_server_free(s2);

    assert_string_equal(feed("CAPA\r\n"), "+OK Capability list follows\r\n"
                                          "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
                                          "PIPELINING\r\nSTLS\r\nIMPLEMENTATION smtpsim\r\n.\r\n");
    const ev_copy *e = find(RETR_EV_RESPONSE, "pop3.capa.ok");
    assert_non_null(e);
    assert_string_equal(e->status, "+OK");
    assert_string_equal(e->verb, "CAPA");
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_AUTHORIZATION);
    end();
}

static void test_login_needs_tls_then_stls(void **state)
{
    (void)state;
    start(true, false, false);
    assert_string_equal(
        feed("USER bob\r\n"),
        "-ERR [AUTH] Plaintext authentication disallowed on non-secure connection\r\n");
    assert_string_equal(find(RETR_EV_RESPONSE, NULL)->code, "AUTH");
    /* bytes pipelined behind STLS are thrown away (RFC 2595 4, CVE-2011-0411) */
    assert_string_equal(feed("STLS\r\nUSER evil\r\n"), "+OK Begin TLS negotiation\r\n");
    assert_non_null(find(RETR_EV_STARTTLS, NULL));
    assert_non_null(find(RETR_EV_ERROR, "pop3.tls.plaintext_discarded"));
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_TLS);
    pop3_server_tls_started(T.srv, T.now);
    assert_string_equal(drain(), ""); /* no second greeting after STLS */
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_AUTHORIZATION);
    assert_string_equal(feed("CAPA\r\n"), "+OK Capability list follows\r\n"
                                          "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
                                          "PIPELINING\r\nUSER\r\nSASL PLAIN\r\n"
                                          "IMPLEMENTATION smtpsim\r\n.\r\n");
    assert_string_equal(feed("STLS\r\n"), "-ERR Command not permitted when TLS active\r\n");
    login();
    assert_string_equal(pop3_server_user(T.srv), "bob");
    end();
}

static void test_transaction(void **state)
{
    (void)state;
    start(false, true, false);
    login();
    const ev_copy *a = find(RETR_EV_AUTH, NULL);
    assert_non_null(a);
    assert_string_equal(a->status, "+OK");
    /* the password never shows in events */
    for (size_t i = 0; i < T.log.n_ev; i++)
        assert_null(strstr(T.log.ev[i].bytes, "hunter2"));
    assert_non_null(strstr(T.log.ev[0].bytes, "PASS <credentials hidden>"));
    assert_string_equal(feed("STAT\r\n"), "+OK 2 145\r\n");
    assert_string_equal(feed("LIST\r\n"), "+OK 2 messages\r\n1 96\r\n2 49\r\n.\r\n");
    assert_string_equal(feed("LIST 2\r\n"), "+OK 2 49\r\n");
    assert_string_equal(feed("LIST 3\r\n"), "-ERR No such message\r\n");
    assert_string_equal(feed("UIDL\r\n"),
                        "+OK 2 messages\r\n1 1700000000.1\r\n2 1700000000.2\r\n.\r\n");
    assert_string_equal(feed("UIDL 1\r\n"), "+OK 1 1700000000.1\r\n");
    /* RETR: CRLF line ends and the '.' line stuffed (RFC 1939 3) */
    assert_string_equal(feed("RETR 1\r\n"),
                        "+OK 96 octets\r\nFrom: alice@example.net\r\nTo: bob@example.org\r\n"
                        "Subject: Hi\r\n\r\nHello Bob.\r\n..hidden dot line\r\nBye\r\n.\r\n");
    assert_int_equal(find(RETR_EV_RESPONSE, NULL)->msg, 1);
    assert_string_equal(feed("TOP 1 0\r\n"),
                        "+OK Top of message follows\r\nFrom: alice@example.net\r\n"
                        "To: bob@example.org\r\nSubject: Hi\r\n\r\n.\r\n");
    assert_string_equal(feed("TOP 1 1\r\n"),
                        "+OK Top of message follows\r\nFrom: alice@example.net\r\n"
                        "To: bob@example.org\r\nSubject: Hi\r\n\r\nHello Bob.\r\n.\r\n");
    assert_string_equal(feed("TOP 1 x\r\n"), "-ERR Number of lines must be a number\r\n");
    assert_string_equal(feed("DELE 1\r\n"), "+OK Message 1 marked for deletion\r\n");
    assert_string_equal(feed("DELE 1\r\n"), "-ERR Message already deleted\r\n");
    assert_string_equal(feed("RETR 1\r\n"), "-ERR Message already deleted\r\n");
    assert_string_equal(feed("STAT\r\n"), "+OK 1 49\r\n");
    assert_string_equal(feed("LIST\r\n"), "+OK 1 message\r\n2 49\r\n.\r\n");
    assert_string_equal(feed("RSET\r\n"), "+OK 2 messages\r\n");
    assert_string_equal(feed("STAT\r\n"), "+OK 2 145\r\n");
    assert_string_equal(feed("NOOP\r\n"), "+OK\r\n");
    assert_string_equal(feed("USER bob\r\n"), "-ERR Command not valid in this state\r\n");
    assert_string_equal(feed("DELE 2\r\n"), "+OK Message 2 marked for deletion\r\n");
    /* still there until QUIT (RFC 1939 6) */
    mailbox mb = mailbox_mem_get(T.box);
    assert_int_equal(mb.ops->count(mb.ctx), 2);
    assert_true(mailbox_mem_locked(T.box));
    assert_string_equal(feed("QUIT\r\n"), "+OK Bye (1 message left)\r\n");
    assert_non_null(find(RETR_EV_CLOSE, NULL));
    const ev_copy *st = find(RETR_EV_STATE, NULL);
    assert_non_null(st);
    assert_int_equal(st->to, POP3_SRV_UPDATE);
    assert_int_equal(mb.ops->count(mb.ctx), 1);
    assert_int_equal(mb.ops->uid(mb.ctx, 0), 1);
    assert_false(mailbox_mem_locked(T.box));
    assert_true(pop3_server_done(T.srv));
    assert_int_equal(pop3_server_feed(T.srv, "NOOP\r\n", 6, T.now), -1);
    end();
}

static void test_no_update_without_quit(void **state)
{
    (void)state;
    start(false, true, false);
    login();
    feed("DELE 1\r\nDELE 2\r\n");
    /* the connection drops: nothing is removed (RFC 1939 6) and the lock goes */
    pop3_server_free(T.srv);
    mailbox mb = mailbox_mem_get(T.box);
    assert_int_equal(mb.ops->count(mb.ctx), 2);
    assert_false(mailbox_mem_locked(T.box));
    mailbox_mem_free(T.box);
}

static void test_timeout(void **state)
{
    (void)state;
    start(false, true, false);
    login();
    feed("DELE 1\r\n");
    assert_int_equal(pop3_server_deadline(T.srv), T.now + POP3_TIMEOUT_MS);
    pop3_server_tick(T.srv, T.now + POP3_TIMEOUT_MS - 1);
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_TRANSACTION);
    pop3_server_tick(T.srv, T.now + POP3_TIMEOUT_MS);
    /* RFC 1939 3: closed without a response and without UPDATE */
    assert_string_equal(drain(), "");
    assert_non_null(find(RETR_EV_CLOSE, "pop3.timeout"));
    mailbox mb = mailbox_mem_get(T.box);
    assert_int_equal(mb.ops->count(mb.ctx), 2);
    end();
}

static void test_wrong_password(void **state)
{
    (void)state;
    start(false, true, false);
    assert_string_equal(feed("PASS x\r\n"), "-ERR USER first\r\n");
    feed("USER bob\r\n");
    assert_string_equal(feed("PASS wrong\r\n"), "-ERR [AUTH] Invalid user name or password\r\n");
    const ev_copy *a = find(RETR_EV_AUTH, NULL);
    assert_non_null(a);
    assert_string_equal(a->status, "-ERR");
    /* USER again is needed after a failure */
    assert_string_equal(feed("PASS hunter2\r\n"), "-ERR USER first\r\n");
    feed("USER mallory\r\n");
    feed("PASS hunter2\r\n");
    feed("USER bob\r\n");
    assert_string_equal(feed("PASS nope\r\n"), "-ERR [AUTH] Invalid user name or password\r\n"
                                               "-ERR [AUTH] Too many failed logins\r\n");
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_CLOSED);
    end();
}

static void test_in_use(void **state)
{
    (void)state;
    start(false, true, false);
    login();
    pop3_server_config cfg;
    pop3_server_config_default(&cfg);
    cfg.provider = mailbox_mem_provider(&T.dir);
    cfg.allow_plaintext = true;
    pop3_server *s2 = pop3_server_new(&cfg, false, T.now);
    const char *b;
    pop3_server_output_consumed(s2, pop3_server_output(s2, &b));
    pop3_server_feed(s2, "USER bob\r\nPASS hunter2\r\n", 24, T.now);
    size_t n = pop3_server_output(s2, &b);
    const char *want =
        "+OK Send PASS\r\n-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(b, want, n);
    pop3_server_free(s2);
    assert_true(mailbox_mem_locked(T.box)); /* the first session still holds it */
    end();
}

/* plain - base64 of authzid NUL user NUL pass */
static const char *plain(const char *z, const char *user, const char *pass)
{
    static char out[256];
    unsigned char raw[128];
    size_t zl = strlen(z), ul = strlen(user), pl = strlen(pass);
    memcpy(raw, z, zl);
    raw[zl] = 0;
    memcpy(raw + zl + 1, user, ul);
    raw[zl + 1 + ul] = 0;
    memcpy(raw + zl + 2 + ul, pass, pl);
    assert_true(base64_encode(raw, zl + 2 + ul + pl, out, sizeof out) > 0);
    return out;
}

static void test_auth_plain(void **state)
{
    (void)state;
    char line[300];
    start(false, true, false);
    assert_string_equal(feed("AUTH\r\n"), "+OK Mechanisms follow\r\nPLAIN\r\n.\r\n");
    assert_string_equal(feed("AUTH CRAM-MD5\r\n"), "-ERR Unsupported mechanism\r\n");
    /* with a continuation, then cancelled */
    assert_string_equal(feed("AUTH PLAIN\r\n"), "+ \r\n");
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_SASL);
    assert_string_equal(feed("*\r\n"), "-ERR AUTH cancelled\r\n");
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_AUTHORIZATION);
    assert_string_equal(feed("AUTH PLAIN\r\n"), "+ \r\n");
    assert_string_equal(feed("!!!\r\n"), "-ERR Invalid base64 in AUTH response\r\n");
    /* another user's authzid is refused */
    snprintf(line, sizeof line, "AUTH PLAIN %s\r\n", plain("alice", "bob", "hunter2"));
    assert_string_equal(feed(line), "-ERR [AUTH] Invalid user name or password\r\n");
    snprintf(line, sizeof line, "AUTH PLAIN %s\r\n", plain("", "bob", "hunter2"));
    assert_string_equal(feed(line), "+OK Logged in, 2 messages (145 octets)\r\n");
    assert_non_null(strstr(T.log.ev[0].bytes, "AUTH <credentials hidden>"));
    end();

    start(false, true, false);
    feed("AUTH PLAIN\r\n");
    snprintf(line, sizeof line, "%s\r\n", plain("bob", "bob", "hunter2"));
    assert_string_equal(feed(line), "+OK Logged in, 2 messages (145 octets)\r\n");
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_TRANSACTION);
    end();
}

static void test_bad_input(void **state)
{
    (void)state;
    start(false, true, false);
    assert_string_equal(feed("FROB\r\n"), "-ERR Unknown command\r\n");
    assert_string_equal(feed("\r\n"), "-ERR Unknown command\r\n");
    assert_string_equal(feed("NOOP\n"), "-ERR Lines must end with CRLF\r\n");
    assert_string_equal(feed("STAT\r\n"), "-ERR Command not valid in this state\r\n");
    assert_string_equal(feed("quit x\r\n"), "-ERR Wrong arguments\r\n");
    char big[600];
    memset(big, 'A', sizeof big);
    memcpy(big + sizeof big - 3, "\r\n", 3);
    assert_string_equal(feed(big), "-ERR Line too long\r\n");
    assert_non_null(find(RETR_EV_ERROR, "pop3.line.too_long"));
    /* split across feeds byte by byte */
    const char *cmd = "CAPA\r\n";
    for (size_t i = 0; cmd[i]; i++)
        pop3_server_feed(T.srv, cmd + i, 1, T.now);
    assert_non_null(strstr(drain(), "+OK Capability list follows"));
    assert_string_equal(feed("qUiT\r\n"), "+OK Bye\r\n");
    end();
}

static void test_error_limit(void **state)
{
    (void)state;
    start(false, true, false);
    for (int i = 0; i < POP3_MAX_ERRORS - 1; i++)
        feed("BAD\r\n");
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_AUTHORIZATION);
    assert_string_equal(feed("BAD\r\n"),
                        "-ERR Unknown command\r\n-ERR Too many errors, closing connection\r\n");
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_CLOSED);
    end();
}

static void test_implicit_tls(void **state)
{
    (void)state;
    start(false, false, true);
    assert_string_equal(T.log.out, "");
    assert_int_equal(pop3_server_state_get(T.srv), POP3_SRV_GREETING);
    pop3_server_tls_started(T.srv, T.now);
    assert_string_equal(drain(), "+OK mail.example.org POP3 server ready\r\n");
    login(); /* under TLS: plaintext passwords are fine */
    end();
}

/* a whole session as a readable transcript, golden style: every event in order */
static void test_transcript(void **state)
{
    (void)state;
    start(false, true, false);
    char log[4096] = "";
    const char *script[] = {"USER bob\r\n", "PASS hunter2\r\n", "DELE 2\r\n", "QUIT\r\n"};
    for (size_t s = 0; s < 4; s++) {
        feed(script[s]);
        for (size_t i = 0; i < T.log.n_ev; i++) {
            char row[320];
            const ev_copy *e = &T.log.ev[i];
            if (e->kind == RETR_EV_STATE)
                snprintf(row, sizeof row, "state %d->%d %s\n", e->from, e->to, e->key);
            else
                snprintf(row, sizeof row, "%s %s %s\n", retr_event_kind_name(e->kind), e->key,
                         e->status);
            strncat(log, row, sizeof log - strlen(log) - 1);
        }
    }
    assert_string_equal(log, "command pop3.cmd.user \n"
                             "response pop3.user.ok +OK\n"
                             "command pop3.cmd.pass \n"
                             "state 1->4 pop3.state.transaction\n"
                             "response pop3.auth.ok +OK\n"
                             "auth pop3.auth.ok +OK\n"
                             "command pop3.cmd.dele \n"
                             "response pop3.dele.ok +OK\n"
                             "command pop3.cmd.quit \n"
                             "state 4->5 pop3.state.update\n"
                             "response pop3.quit.update +OK\n"
                             "state 5->6 pop3.state.closed\n"
                             "close pop3.quit.update \n");
    end();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greeting_and_capa),
        cmocka_unit_test(test_login_needs_tls_then_stls),
        cmocka_unit_test(test_transaction),
        cmocka_unit_test(test_no_update_without_quit),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_in_use),
        cmocka_unit_test(test_auth_plain),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_error_limit),
        cmocka_unit_test(test_implicit_tls),
        cmocka_unit_test(test_transcript),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
