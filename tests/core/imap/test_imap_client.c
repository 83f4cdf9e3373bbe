/* test_imap_client.c - the IMAP client engine against the IMAP server engine (joined by a
 * pump in memory), and against scripted server bytes for the odd cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/imap/imap_client.h"
#include "core/imap/imap_server.h"
#include "core/retrieval/mailbox.h"
#include "../retrieval/retr_harness.h"

static struct {
    mailbox_mem *box;
    mailbox_mem_account acct[1];
    mailbox_mem_directory dir;
    imap_server_config scfg;
    imap_client_config ccfg;
    char got[8][512]; /* downloaded messages by UID */
    size_t n_got;
    char wire[8192];  /* client commands as the events show them */
    bool deliver_during_idle, delivered;
} T;

static const char MSG1[] = "Subject: one\r\n\r\nfirst\r\n";
static const char MSG2[] = "Subject: two\r\n\r\nsecond\r\n";
static const char MSG3[] = "Subject: three\r\n\r\nthird, pushed during IDLE\r\n";

static void setup(void)
{
    memset(&T, 0, sizeof T);
    T.box = mailbox_mem_new(77);
    mailbox_mem_add(T.box, MSG1, strlen(MSG1), 0, 0);
    mailbox_mem_add(T.box, MSG2, strlen(MSG2), 0, MAILBOX_SEEN);
    T.acct[0] = (mailbox_mem_account){"bob", "hunter2", T.box};
    T.dir = (mailbox_mem_directory){T.acct, 1};
    imap_server_config_default(&T.scfg);
    T.scfg.provider = mailbox_mem_provider(&T.dir);
    imap_client_config_default(&T.ccfg);
    T.ccfg.user = "bob";
    T.ccfg.password = "hunter2";
}

/* client_event - keep messages and commands */
static void client_event(retr_h_pair *p, const retr_event *ev)
{
    (void)p;
    if (ev->kind == RETR_EV_MESSAGE && ev->msg >= 1 && ev->msg <= 8) {
        snprintf(T.got[ev->msg - 1], sizeof T.got[0], "%.*s", (int)ev->len, ev->bytes);
        T.n_got++;
    }
    if (ev->kind == RETR_EV_COMMAND) {
        size_t room = sizeof T.wire - strlen(T.wire) - 1;
        strncat(T.wire, ev->bytes, ev->len < room ? ev->len : room);
    }
}

/* stalled - in IDLE with nothing moving: new mail arrives once if asked, else the wait ends */
static bool stalled(retr_h_pair *p)
{
    if (imap_server_state_get(p->srv) != IMAP_SRV_IDLE)
        return false;
    if (T.deliver_during_idle && !T.delivered) {
        mailbox_mem_add(T.box, MSG3, strlen(MSG3), 0, 0);
        imap_server_mailbox_changed(p->srv, p->now);
        T.delivered = true;
    } else {
        p->now = imap_client_deadline(p->cl); /* nothing comes: the wait ends */
        imap_client_tick(p->cl, p->now);
    }
    return true;
}

static const imap_client_result *pump(bool implicit)
{
    uint64_t now = 1000;
    imap_server *srv = imap_server_new(&T.scfg, implicit, now);
    imap_client *cl = imap_client_new(&T.ccfg, now);
    assert_non_null(srv);
    assert_non_null(cl);
    if (implicit) {
        imap_server_tls_started(srv, now);
        imap_client_tls_started(cl, now);
    }
    T.delivered = false;
    retr_h_pair p = {&retr_engine_imap_client, &retr_engine_imap_server, cl, srv, now,
                     client_event, stalled};
    retr_h_pump(&p);
    static imap_client_result res;
    res = *imap_client_result_get(cl);
    assert_true(imap_client_done(cl));
    imap_client_free(cl);
    imap_server_free(srv);
    return &res;
}

static void test_starttls_plain_fetch_seen(void **state)
{
    (void)state;
    setup();
    T.scfg.tls_available = true;
    T.ccfg.tls_available = true;
    const imap_client_result *r = pump(false);
    assert_int_equal(r->status, IMAP_RESULT_OK);
    assert_true(r->tls_used);
    assert_int_equal(r->exists, 2);
    assert_int_equal(r->uidvalidity, 77);
    assert_int_equal(r->downloaded, 1); /* unseen only */
    assert_string_equal(T.got[0], MSG1);
    mailbox mb = mailbox_mem_get(T.box);
    assert_int_equal(mb.ops->flags(mb.ctx, 0), MAILBOX_SEEN);
    /* LOGINDISABLED before TLS; after it AUTH=PLAIN with SASL-IR */
    assert_non_null(strstr(T.wire, "a1 STARTTLS\r\na2 CAPABILITY\r\n"
                                   "a3 AUTHENTICATE <credentials hidden>\r\na4 SELECT INBOX\r\n"
                                   "a5 UID SEARCH UNSEEN\r\na6 UID FETCH 1 (UID BODY.PEEK[])\r\n"
                                   "a7 UID STORE 1 +FLAGS.SILENT (\\Seen)\r\na8 LOGOUT\r\n"));
    mailbox_mem_free(T.box);
}

static void test_logindisabled_without_tls(void **state)
{
    (void)state;
    setup();
    const imap_client_result *r = pump(false);
    assert_int_equal(r->status, IMAP_RESULT_PERMFAIL);
    assert_true(r->local);
    assert_string_equal(r->stage, "login");
    assert_null(strstr(T.wire, "LOGIN"));
    assert_null(strstr(T.wire, "AUTHENTICATE"));
    mailbox_mem_free(T.box);
}

static void test_wrong_password(void **state)
{
    (void)state;
    setup();
    T.scfg.allow_plaintext = true;
    T.ccfg.password = "nope";
    const imap_client_result *r = pump(false);
    assert_int_equal(r->status, IMAP_RESULT_PERMFAIL);
    assert_string_equal(r->code, "AUTHENTICATIONFAILED");
    mailbox_mem_free(T.box);
}

static void test_idle_push(void **state)
{
    (void)state;
    setup();
    T.scfg.allow_plaintext = true;
    T.ccfg.tls = IMAP_CLI_TLS_IMPLICIT;
    T.ccfg.unseen_only = false;
    T.ccfg.mark_seen = false;
    T.ccfg.idle_ms = 60000;
    T.deliver_during_idle = true;
    const imap_client_result *r = pump(true);
    assert_int_equal(r->status, IMAP_RESULT_OK);
    assert_true(r->idle_news);
    assert_int_equal(r->downloaded, 3);
    assert_string_equal(T.got[2], MSG3);
    assert_non_null(strstr(T.wire, "IDLE\r\nDONE\r\na7 UID SEARCH UID 3:*\r\n"
                                   "a8 UID FETCH 3 (UID BODY.PEEK[])\r\na9 LOGOUT\r\n"));
    mailbox mb = mailbox_mem_get(T.box);
    assert_int_equal(mb.ops->flags(mb.ctx, 0), 0); /* PEEK, no STORE */
    mailbox_mem_free(T.box);
}

static void test_idle_timeout(void **state)
{
    (void)state;
    setup();
    T.scfg.allow_plaintext = true;
    T.ccfg.idle_ms = 60000;
    const imap_client_result *r = pump(false);
    assert_int_equal(r->status, IMAP_RESULT_OK);
    assert_false(r->idle_news);
    assert_non_null(strstr(T.wire, "IDLE\r\nDONE\r\na7 LOGOUT\r\n"));
    mailbox_mem_free(T.box);
}

static imap_client *scripted(void)
{
    imap_client_config c;
    imap_client_config_default(&c);
    c.user = "bob";
    c.password = "p\"w";
    c.tls = IMAP_CLI_TLS_NONE;
    c.unseen_only = false;
    c.mark_seen = false;
    return imap_client_new(&c, 0);
}

static const char *out(imap_client *cl)
{
    static char buf[1024];
    const char *b;
    size_t n = imap_client_output(cl, &b);
    snprintf(buf, sizeof buf, "%.*s", (int)n, b);
    imap_client_output_consumed(cl, n);
    return buf;
}

static void feed(imap_client *cl, const char *s)
{
    imap_client_feed(cl, s, strlen(s), 0);
}

static void test_scripted(void **state)
{
    (void)state;
    imap_client *cl = scripted();
    feed(cl, "* OK hello\r\n");
    assert_string_equal(out(cl), "a1 CAPABILITY\r\n");
    feed(cl, "* CAPABILITY IMAP4rev1\r\na1 OK done\r\n");
    assert_string_equal(out(cl), "a2 LOGIN \"bob\" \"p\\\"w\"\r\n");
    feed(cl, "a2 OK in\r\n");
    assert_string_equal(out(cl), "a3 SELECT INBOX\r\n");
    feed(cl, "* 1 EXISTS\r\n* OK [UIDVALIDITY 5] ok\r\na3 OK [READ-WRITE] done\r\n");
    assert_string_equal(out(cl), "a4 UID SEARCH ALL\r\n");
    feed(cl, "* SEARCH 9\r\na4 OK done\r\n");
    assert_string_equal(out(cl), "a5 UID FETCH 9 (UID BODY.PEEK[])\r\n");
    /* a body that contains "BODY[]" itself, the response split byte by byte */
    const char *resp = "* 1 FETCH (FLAGS (\\Seen) BODY[] {13}\r\nBODY[] {99}\r\n UID 9)\r\n"
                       "a5 OK done\r\n";
    char msg[64] = "";
    retr_event ev;
    for (size_t i = 0; resp[i]; i++) {
        imap_client_feed(cl, resp + i, 1, 0);
        while (imap_client_next_event(cl, &ev))
            if (ev.kind == RETR_EV_MESSAGE) {
                snprintf(msg, sizeof msg, "%.*s", (int)ev.len, ev.bytes);
                assert_int_equal(ev.msg, 9);
            }
    }
    assert_string_equal(msg, "BODY[] {99}\r\n");
    assert_string_equal(out(cl), "a6 LOGOUT\r\n");
    feed(cl, "* BYE bye\r\na6 OK done\r\n");
    assert_true(imap_client_done(cl));
    assert_int_equal(imap_client_result_get(cl)->status, IMAP_RESULT_OK);
    assert_int_equal(imap_client_result_get(cl)->uidvalidity, 5);
    assert_int_equal(imap_client_feed(cl, "x", 1, 0), -1);
    imap_client_free(cl);

    cl = scripted();
    feed(cl, "* BYE go away\r\n");
    assert_int_equal(imap_client_result_get(cl)->status, IMAP_RESULT_TEMPFAIL);
    assert_string_equal(imap_client_result_get(cl)->stage, "greeting");
    imap_client_free(cl);

    cl = scripted();
    feed(cl, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    assert_string_equal(out(cl), "a1 LOGIN \"bob\" \"p\\\"w\"\r\n"); /* no SASL-IR: LOGIN */
    feed(cl, "zz OK what\r\n");
    assert_int_equal(imap_client_result_get(cl)->status, IMAP_RESULT_PERMFAIL);
    imap_client_free(cl);

    cl = scripted();
    assert_int_equal(imap_client_deadline(cl), IMAP_CLIENT_TIMEOUT_MS);
    imap_client_tick(cl, IMAP_CLIENT_TIMEOUT_MS);
    assert_int_equal(imap_client_result_get(cl)->status, IMAP_RESULT_TEMPFAIL);
    imap_client_free(cl);

    imap_client_config c;
    imap_client_config_default(&c);
    c.user = "bob\r\na9 DELETE INBOX";
    c.password = "x";
    cl = imap_client_new(&c, 0);
    assert_true(imap_client_done(cl));
    assert_string_equal(out(cl), "");
    imap_client_free(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starttls_plain_fetch_seen),
        cmocka_unit_test(test_logindisabled_without_tls),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_idle_push),
        cmocka_unit_test(test_idle_timeout),
        cmocka_unit_test(test_scripted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
