/* test_explain_retr.c - every key the POP3 and IMAP engines emit has a sentence and an RFC
 * section for students: scripted sessions against both servers, and each client pumped against
 * its server, with and without TLS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/imap/imap_client.h"
#include "core/imap/imap_server.h"
#include "core/retrieval/mailbox.h"
#include "core/pop3/pop3_client.h"
#include "core/pop3/pop3_server.h"
#include "core/teach/explain.h"
#include "core/teach/explain_retr.h"

static int n_checked;
static const char *seen[400]; /* distinct keys met (the engines' keys are static strings) */
static int n_seen;

/* check_event - the event's key resolves, with an RFC section unless the engine cites none */
static void check_event(const retr_event *ev)
{
    const explain_entry *e = explain_find(ev->key);
    if (!e)
        fail_msg("no explanation for key \"%s\" (%s)", ev->key, ev->rfc);
    if (ev->rfc[0] && !e->rfc[0])
        fail_msg("key \"%s\": the engine cites %s, the explanation none", ev->key, ev->rfc);
    n_checked++;
    for (int i = 0; i < n_seen; i++)
        if (strcmp(seen[i], ev->key) == 0)
            return;
    if (n_seen < 400)
        seen[n_seen++] = ev->key;
}

static mailbox_mem *box;
static mailbox_mem_account acct[1];
static mailbox_mem_directory dir;
static const char MSG1[] = "Subject: one\r\n\r\nfirst\r\n.dot line\r\n";
static const char MSG2[] = "Subject: two\r\n\r\nsecond\r\n";

static void setup_box(void)
{
    box = mailbox_mem_new(77);
    mailbox_mem_add(box, MSG1, strlen(MSG1), 0, 0);
    mailbox_mem_add(box, MSG2, strlen(MSG2), 0, MAILBOX_SEEN);
    acct[0] = (mailbox_mem_account){"bob", "hunter2", box};
    dir = (mailbox_mem_directory){acct, 1};
}

/* pop3_script - feed each line to a POP3 server and check every event */
static void pop3_script(const char *const *lines, size_t n, bool tls_avail, bool plain_ok)
{
    pop3_server_config cfg;
    pop3_server_config_default(&cfg);
    cfg.provider = mailbox_mem_provider(&dir);
    cfg.tls_available = tls_avail;
    cfg.allow_plaintext = plain_ok;
    uint64_t now = 1000;
    pop3_server *srv = pop3_server_new(&cfg, false, now);
    assert_non_null(srv);
    retr_event ev;
    for (size_t i = 0; i <= n; i++) {
        while (pop3_server_next_event(srv, &ev)) {
            check_event(&ev);
            if (ev.kind == RETR_EV_STARTTLS)
                pop3_server_tls_started(srv, now);
        }
        const char *b;
        size_t len;
        while ((len = pop3_server_output(srv, &b)) > 0)
            pop3_server_output_consumed(srv, len);
        if (i < n)
            pop3_server_feed(srv, lines[i], strlen(lines[i]), now += 10);
    }
    pop3_server_tick(srv, now + POP3_TIMEOUT_MS + 1);
    while (pop3_server_next_event(srv, &ev))
        check_event(&ev);
    pop3_server_free(srv);
}

static void test_pop3_server_keys(void **state)
{
    (void)state;
    setup_box();
    static const char *const plain[] = {
        "CAPA\r\n", "USER bob\r\n", "NOOP\r\n", "PASS x\r\n", "AUTH\r\n", "STLS\r\n",
        "BOGUS\r\n", "QUIT\r\n"};
    pop3_script(plain, sizeof plain / sizeof plain[0], false, false);
    char longline[400];
    memset(longline, 'A', sizeof longline);
    memcpy(longline + sizeof longline - 3, "\r\n", 3);
    const char *const session[] = {
        "CAPA\r\n", "PASS x\r\n", "USER bob\r\n", "PASS wrong\r\n", "STLS\r\n", "STLS\r\n",
        "AUTH\r\n", "AUTH CRAM-MD5\r\n", "AUTH PLAIN\r\n", "*\r\n", "AUTH PLAIN\r\n", "!!\r\n",
        "AUTH PLAIN\r\n", "Ym9i\r\n", "STAT\r\n", "USER bob\r\n", "PASS hunter2\r\n",
        "STAT\r\n", "LIST\r\n", "LIST 1\r\n", "LIST 9\r\n", "UIDL\r\n", "UIDL 2\r\n",
        "UIDL 9\r\n", "TOP 1 0\r\n", "TOP 1 x\r\n", "TOP 9 1\r\n", "RETR 1\r\n", "RETR 9\r\n",
        "DELE 1\r\n", "DELE 1\r\n", "RETR 1\r\n", "RSET\r\n", "NOOP\r\n", "STAT 1\r\n",
        "bare\n", longline, "USER bob\r\n", "DELE 2\r\n", "QUIT\r\n"};
    pop3_script(session, sizeof session / sizeof session[0], true, false);
    static const char *const idle[] = {"USER bob\r\n"};
    pop3_script(idle, 1, false, true);
    static const char *const guess[] = {"USER bob\r\n", "PASS a\r\n", "PASS b\r\n",
                                        "USER bob\r\n", "PASS c\r\n", "USER bob\r\n",
                                        "PASS d\r\n"};
    pop3_script(guess, sizeof guess / sizeof guess[0], false, true);
    mailbox_mem_free(box);
}

/* imap_script - feed each line to an IMAP server and check every event */
static void imap_script(const char *const *lines, size_t n, bool tls_avail, bool plain_ok,
                        bool deliver)
{
    imap_server_config cfg;
    imap_server_config_default(&cfg);
    cfg.provider = mailbox_mem_provider(&dir);
    cfg.tls_available = tls_avail;
    cfg.allow_plaintext = plain_ok;
    uint64_t now = 1000;
    imap_server *srv = imap_server_new(&cfg, false, now);
    assert_non_null(srv);
    retr_event ev;
    for (size_t i = 0; i <= n; i++) {
        while (imap_server_next_event(srv, &ev)) {
            check_event(&ev);
            if (ev.kind == RETR_EV_STARTTLS)
                imap_server_tls_started(srv, now);
        }
        const char *b;
        size_t len;
        while ((len = imap_server_output(srv, &b)) > 0)
            imap_server_output_consumed(srv, len);
        if (deliver && imap_server_state_get(srv) == IMAP_SRV_IDLE) {
            deliver = false;
            mailbox_mem_add(box, MSG2, strlen(MSG2), 0, 0);
            imap_server_mailbox_changed(srv, now);
            i--; /* drain the push before the next line */
            continue;
        }
        if (i < n)
            imap_server_feed(srv, lines[i], strlen(lines[i]), now += 10);
    }
    imap_server_tick(srv, now + IMAP_TIMEOUT_MS + 1);
    while (imap_server_next_event(srv, &ev))
        check_event(&ev);
    imap_server_free(srv);
}

static void test_imap_server_keys(void **state)
{
    (void)state;
    setup_box();
    static const char *const before_tls[] = {
        "a1 CAPABILITY\r\n", "a2 LOGIN bob hunter2\r\n", "a3 AUTHENTICATE PLAIN\r\n",
        "a4 SELECT INBOX\r\n", "a5 STARTTLS\r\n", "a6 NOOP\r\n", "a7 LOGOUT\r\n"};
    imap_script(before_tls, sizeof before_tls / sizeof before_tls[0], false, false, false);
    char longtag[80];
    memset(longtag, 'T', sizeof longtag);
    memcpy(longtag + sizeof longtag - 9, " NOOP\r\n", 8);
    const char *const session[] = {
        "a1 STARTTLS\r\n", "a1b STARTTLS\r\n", "a2 CAPABILITY x\r\n", "a3 LOGIN bob\r\n",
        "a4 LOGIN bob wrong\r\n", "a5 AUTHENTICATE\r\n", "a6 AUTHENTICATE CRAM-MD5\r\n",
        "a7 AUTHENTICATE PLAIN\r\n", "*\r\n", "a8 AUTHENTICATE PLAIN\r\n", "Ym9i\r\n",
        "a9 FETCH 1 FLAGS\r\n", "b1 LOGIN bob hunter2\r\n", "b2 ENABLE\r\n",
        "b3 ENABLE CONDSTORE\r\n", "b4 NAMESPACE\r\n", "b5 LIST\r\n", "b6 LIST \"\" \"\"\r\n",
        "b7 LIST \"\" *\r\n", "b8 LSUB \"\" *\r\n", "b9 STATUS INBOX (MESSAGES UNSEEN)\r\n",
        "c1 STATUS Junk (MESSAGES)\r\n", "c2 STATUS INBOX (BOGUS)\r\n", "c3 SUBSCRIBE INBOX\r\n",
        "c4 SUBSCRIBE\r\n", "c5 CREATE Junk\r\n", "c6 SELECT Junk\r\n", "c7 SELECT\r\n",
        "c8 EXAMINE INBOX\r\n", "c9 STORE 1 +FLAGS (\\Seen)\r\n", "d1 EXPUNGE\r\n",
        "d2 SELECT INBOX\r\n", "d3 FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)\r\n",
        "d4 FETCH 9 FLAGS\r\n", "d5 FETCH\r\n", "d6 UID FETCH 1:* (BODY[])\r\n",
        "d7 SEARCH UNSEEN\r\n", "d8 SEARCH CHARSET KOI8-R ALL\r\n", "d9 SEARCH (\r\n",
        "e1 UID SEARCH ALL\r\n", "e2 UID BOGUS\r\n", "e3 STORE 1 +FLAGS (\\Deleted)\r\n",
        "e4 STORE x\r\n", "e5 UID STORE 2 -FLAGS (\\Seen)\r\n", "e6 CHECK\r\n",
        "e7 EXPUNGE\r\n", "e8 IDLE\r\n", "DONE\r\n", "e9 IDLE\r\n", "NOTDONE\r\n",
        "f1 APPEND INBOX {3}\r\n", "abc\r\n", "f2 APPEND INBOX {999999}\r\n", "f3 BOGUS\r\n",
        "bare\n", longtag, "f4 UNSELECT\r\n", "f5 SELECT INBOX\r\n", "f6 CLOSE\r\n",
        "f7 FETCH 1 FLAGS\r\n", "f8 LOGOUT\r\n"};
    imap_script(session, sizeof session / sizeof session[0], true, false, true);
    static const char *const guess[] = {"a LOGIN bob a\r\n", "b LOGIN bob b\r\n",
                                        "c LOGIN bob c\r\n", "d LOGIN bob d\r\n"};
    imap_script(guess, sizeof guess / sizeof guess[0], false, true, false);
    static const char *const idle[] = {"a NOOP\r\n"};
    imap_script(idle, 1, false, true, false);
    mailbox_mem_free(box);
}

/* pump_pop3 - a POP3 client against a POP3 server, every event checked */
static void pump_pop3(const pop3_client_config *ccfg, bool implicit, bool tls_avail)
{
    pop3_server_config scfg;
    pop3_server_config_default(&scfg);
    scfg.provider = mailbox_mem_provider(&dir);
    scfg.tls_available = tls_avail;
    uint64_t now = 1000;
    pop3_server *srv = pop3_server_new(&scfg, implicit, now);
    pop3_client *cl = pop3_client_new(ccfg, now);
    assert_non_null(srv);
    assert_non_null(cl);
    if (implicit) {
        pop3_server_tls_started(srv, now);
        pop3_client_tls_started(cl, now);
    }
    for (int round = 0; round < 1000 && !pop3_client_done(cl); round++) {
        const char *b;
        size_t n;
        bool moved = false, tls_s = false, tls_c = false;
        retr_event ev;
        while ((n = pop3_server_output(srv, &b)) > 0) {
            pop3_client_feed(cl, b, n, now);
            pop3_server_output_consumed(srv, n);
            moved = true;
        }
        while ((n = pop3_client_output(cl, &b)) > 0) {
            pop3_server_feed(srv, b, n, now);
            pop3_client_output_consumed(cl, n);
            moved = true;
        }
        while (pop3_client_next_event(cl, &ev)) {
            check_event(&ev);
            tls_c |= ev.kind == RETR_EV_STARTTLS;
        }
        while (pop3_server_next_event(srv, &ev)) {
            check_event(&ev);
            tls_s |= ev.kind == RETR_EV_STARTTLS;
        }
        if (tls_s)
            pop3_server_tls_started(srv, now);
        if (tls_c)
            pop3_client_tls_started(cl, now);
        if (!moved && !tls_s && !tls_c)
            break;
        now += 10;
    }
    retr_event ev;
    while (pop3_client_next_event(cl, &ev))
        check_event(&ev);
    pop3_client_free(cl);
    pop3_server_free(srv);
}

static void test_pop3_client_keys(void **state)
{
    (void)state;
    setup_box();
    pop3_client_config c;
    pop3_client_config_default(&c);
    c.user = "bob";
    c.password = "hunter2";
    c.tls = POP3_CLI_TLS_OPPORTUNISTIC;
    c.tls_available = true;
    pump_pop3(&c, false, true);
    c.auth = POP3_CLI_AUTH_USER;
    c.delete_after = true;
    pump_pop3(&c, false, true);
    c.tls = POP3_CLI_TLS_IMPLICIT;
    c.password = "wrong";
    pump_pop3(&c, true, true);
    c.tls = POP3_CLI_TLS_REQUIRED;
    pump_pop3(&c, false, false);
    mailbox_mem_free(box);
}

/* pump_imap - an IMAP client against an IMAP server, every event checked */
static void pump_imap(const imap_client_config *ccfg, bool implicit, bool deliver)
{
    imap_server_config scfg;
    imap_server_config_default(&scfg);
    scfg.provider = mailbox_mem_provider(&dir);
    scfg.tls_available = true;
    uint64_t now = 1000;
    imap_server *srv = imap_server_new(&scfg, implicit, now);
    imap_client *cl = imap_client_new(ccfg, now);
    assert_non_null(srv);
    assert_non_null(cl);
    if (implicit) {
        imap_server_tls_started(srv, now);
        imap_client_tls_started(cl, now);
    }
    for (int round = 0; round < 1000 && !imap_client_done(cl); round++) {
        const char *b;
        size_t n;
        bool moved = false, tls_s = false, tls_c = false;
        retr_event ev;
        while ((n = imap_server_output(srv, &b)) > 0) {
            imap_client_feed(cl, b, n, now);
            imap_server_output_consumed(srv, n);
            moved = true;
        }
        while ((n = imap_client_output(cl, &b)) > 0) {
            imap_server_feed(srv, b, n, now);
            imap_client_output_consumed(cl, n);
            moved = true;
        }
        while (imap_client_next_event(cl, &ev)) {
            check_event(&ev);
            tls_c |= ev.kind == RETR_EV_STARTTLS;
        }
        while (imap_server_next_event(srv, &ev)) {
            check_event(&ev);
            tls_s |= ev.kind == RETR_EV_STARTTLS;
        }
        if (tls_s)
            imap_server_tls_started(srv, now);
        if (tls_c)
            imap_client_tls_started(cl, now);
        if (imap_server_state_get(srv) == IMAP_SRV_IDLE && !moved) {
            if (deliver) {
                deliver = false;
                mailbox_mem_add(box, MSG1, strlen(MSG1), 0, 0);
                imap_server_mailbox_changed(srv, now);
            } else {
                now = imap_client_deadline(cl);
                imap_client_tick(cl, now);
            }
            continue;
        }
        if (!moved && !tls_s && !tls_c)
            break;
        now += 10;
    }
    retr_event ev;
    while (imap_client_next_event(cl, &ev))
        check_event(&ev);
    imap_client_free(cl);
    imap_server_free(srv);
}

static void test_imap_client_keys(void **state)
{
    (void)state;
    setup_box();
    imap_client_config c;
    imap_client_config_default(&c);
    c.user = "bob";
    c.password = "hunter2";
    c.tls = IMAP_CLI_TLS_OPPORTUNISTIC;
    c.tls_available = true;
    c.mark_seen = true;
    c.idle_ms = 60000;
    pump_imap(&c, false, true);
    c.tls = IMAP_CLI_TLS_IMPLICIT;
    c.idle_ms = 0;
    c.password = "wrong";
    pump_imap(&c, true, false);
    mailbox_mem_free(box);
}

/* The retrieval rows are well formed, and reachable through explain.h. */
static void test_retr_table(void **state)
{
    (void)state;
    int n = explain_retr_count();
    assert_true(n >= 260);
    for (int i = 0; i < n; i++) {
        const explain_entry *e = explain_retr_at(i);
        assert_true(strncmp(e->key, "pop3", 4) == 0 || strncmp(e->key, "imap", 4) == 0 ||
                    strncmp(e->key, "retr.", 5) == 0);
        assert_ptr_equal(explain_find(e->key), e);
        assert_true(strlen(e->text) > 20 && strlen(e->text) < 300);
        assert_true(e->rfc[0] == '\0' || strncmp(e->rfc, "RFC ", 4) == 0);
    }
    assert_null(explain_retr_at(n));
    assert_string_equal(explain_find("pop3.dele.ok")->rfc, "RFC 1939 5");
    assert_string_equal(explain_find("imap.cmd.idle")->rfc, "RFC 2177 3");
    assert_non_null(strstr(explain_find("pop3.cmd.dele")->text, "QUIT"));
    assert_non_null(strstr(explain_find("imap.login.disabled")->text, "LOGINDISABLED"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retr_table),
        cmocka_unit_test(test_pop3_server_keys),
        cmocka_unit_test(test_imap_server_keys),
        cmocka_unit_test(test_pop3_client_keys),
        cmocka_unit_test(test_imap_client_keys),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    printf("retrieval events checked against explain: %d, distinct keys %d of %d rows\n",
           n_checked, n_seen, explain_retr_count());
    return rc;
}
