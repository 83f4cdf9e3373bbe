/* test_pop3_client.c - the POP3 client engine, against the server engine (both sans-I/O, so
 * a pump in memory joins them) and against scripted server bytes for the odd cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/retrieval/mailbox.h"
#include "core/pop3/pop3_client.h"
#include "core/pop3/pop3_server.h"
#include "../retrieval/retr_harness.h"

#define MAX_MSGS 8

static struct {
    mailbox_mem *box;
    mailbox_mem_account acct[1];
    mailbox_mem_directory dir;
    pop3_server_config scfg;
    pop3_client_config ccfg;
    char got[MAX_MSGS][512]; /* downloaded messages by number */
    char uid[MAX_MSGS][72];
    size_t n_got;
    char wire[16384];        /* client commands as sent, for checks */
    int starttls;
} T;

static const char MSG1[] = "Subject: one\r\n\r\nfirst\r\n.dot\r\n";
static const char MSG2[] = "Subject: two\r\n\r\nsecond\r\n";
static const char MSG3[] = "Subject: three\r\n\r\nthird\r\n";

static void setup_box(void)
{
    memset(&T, 0, sizeof T);
    T.box = mailbox_mem_new(7);
    mailbox_mem_add(T.box, MSG1, strlen(MSG1), 0, 0);
    mailbox_mem_add(T.box, MSG2, strlen(MSG2), 0, 0);
    mailbox_mem_add(T.box, MSG3, strlen(MSG3), 0, 0);
    T.acct[0] = (mailbox_mem_account){"bob", "hunter2", T.box};
    T.dir = (mailbox_mem_directory){T.acct, 1};
    pop3_server_config_default(&T.scfg);
    T.scfg.hostname = "mail.example.org";
    T.scfg.provider = mailbox_mem_provider(&T.dir);
    pop3_client_config_default(&T.ccfg);
    T.ccfg.user = "bob";
    T.ccfg.password = "hunter2";
}

/* client_event - keep downloaded messages and commands; count STARTTLS */
static void client_event(retr_h_pair *p, const retr_event *ev)
{
    if (ev->kind == RETR_EV_MESSAGE && ev->msg >= 1 && ev->msg <= MAX_MSGS) {
        snprintf(T.got[ev->msg - 1], sizeof T.got[0], "%.*s", (int)ev->len, ev->bytes);
        snprintf(T.uid[ev->msg - 1], sizeof T.uid[0], "%s",
                 pop3_client_message_uid(p->cl, ev->msg));
        T.n_got++;
    }
    if (ev->kind == RETR_EV_COMMAND)
        strncat(T.wire, ev->bytes ? ev->bytes : "", ev->len < sizeof T.wire - strlen(T.wire) - 1
                                                        ? ev->len
                                                        : sizeof T.wire - strlen(T.wire) - 1);
    if (ev->kind == RETR_EV_STARTTLS)
        T.starttls++;
}

/* pump - run client and server until the client is done (or nothing moves) */
static const pop3_client_result *pump(bool implicit)
{
    uint64_t now = 1000;
    pop3_server *srv = pop3_server_new(&T.scfg, implicit, now);
    pop3_client *cl = pop3_client_new(&T.ccfg, now);
    assert_non_null(srv);
    assert_non_null(cl);
    if (implicit) {
        pop3_server_tls_started(srv, now);
        pop3_client_tls_started(cl, now);
    }
    retr_h_pair p = {&retr_engine_pop3_client, &retr_engine_pop3_server, cl, srv, now,
                     client_event, NULL};
    retr_h_pump(&p);
    static pop3_client_result res;
    res = *pop3_client_result_get(cl);
    assert_true(pop3_client_done(cl));
    pop3_client_free(cl);
    pop3_server_free(srv);
    return &res;
}

static size_t box_count(void)
{
    mailbox mb = mailbox_mem_get(T.box);
    return mb.ops->count(mb.ctx);
}

static void test_download_and_delete(void **state)
{
    (void)state;
    setup_box();
    T.scfg.tls_available = true;
    T.ccfg.tls_available = true;
    T.ccfg.delete_after = true;
    const pop3_client_result *r = pump(false);
    assert_int_equal(r->status, POP3_RESULT_OK);
    assert_true(r->tls_used);
    assert_int_equal(T.starttls, 1);
    assert_int_equal(r->messages, 3);
    assert_int_equal(r->downloaded, 3);
    assert_int_equal(r->deleted, 3);
    assert_string_equal(T.got[0], MSG1); /* byte-stuffing undone */
    assert_string_equal(T.got[2], MSG3);
    assert_string_equal(T.uid[1], "7.2");
    assert_int_equal(box_count(), 0);
    /* CAPA, STLS, CAPA again (RFC 2595 4), then AUTH PLAIN since SASL PLAIN is offered */
    assert_non_null(strstr(T.wire, "CAPA\r\nSTLS\r\nCAPA\r\nAUTH <credentials hidden>\r\nSTAT\r\n"
                                   "UIDL\r\nRETR 1\r\nDELE 1\r\nRETR 2\r\n"));
    assert_null(strstr(T.wire, "hunter2"));
    mailbox_mem_free(T.box);
}

static void test_leave_on_server(void **state)
{
    (void)state;
    setup_box();
    T.scfg.allow_plaintext = true;
    T.ccfg.auth = POP3_CLI_AUTH_USER;
    const char *known[] = {"7.1", "7.3"};
    T.ccfg.known_uids = known;
    T.ccfg.n_known = 2;
    const pop3_client_result *r = pump(false);
    assert_int_equal(r->status, POP3_RESULT_OK);
    assert_false(r->tls_used);
    assert_int_equal(r->downloaded, 1);
    assert_int_equal(r->skipped, 2);
    assert_int_equal(r->deleted, 0);
    assert_string_equal(T.got[1], MSG2);
    assert_string_equal(T.got[0], "");
    assert_int_equal(box_count(), 3);
    assert_non_null(strstr(T.wire, "USER bob\r\nPASS <credentials hidden>\r\n"));
    mailbox_mem_free(T.box);
}

static void test_tls_required_not_offered(void **state)
{
    (void)state;
    setup_box();
    T.scfg.allow_plaintext = true;
    T.ccfg.tls = POP3_CLI_TLS_REQUIRED;
    T.ccfg.tls_available = true;
    const pop3_client_result *r = pump(false);
    assert_int_equal(r->status, POP3_RESULT_PERMFAIL);
    assert_true(r->local);
    assert_string_equal(r->stage, "STLS");
    assert_null(strstr(T.wire, "PASS"));
    assert_null(strstr(T.wire, "AUTH"));
    mailbox_mem_free(T.box);
}

static void test_wrong_password_and_in_use(void **state)
{
    (void)state;
    setup_box();
    T.scfg.allow_plaintext = true;
    T.ccfg.password = "wrong";
    const pop3_client_result *r = pump(false);
    assert_int_equal(r->status, POP3_RESULT_PERMFAIL);
    assert_string_equal(r->code, "AUTH");
    assert_string_equal(r->stage, "login");
    /* the refused login still ends with QUIT, not a dropped connection (RFC 1939 4) */
    size_t wl = strlen(T.wire);
    assert_true(wl >= 6 && strcmp(T.wire + wl - 6, "QUIT\r\n") == 0);

    /* another session holds the maildrop: [IN-USE] is temporary */
    T.ccfg.password = "hunter2";
    mailbox held;
    assert_int_equal(T.scfg.provider.open(T.scfg.provider.ctx, "bob", true, &held),
                     MAILBOX_OPEN_OK);
    r = pump(false);
    assert_int_equal(r->status, POP3_RESULT_TEMPFAIL);
    assert_string_equal(r->code, "IN-USE");
    T.scfg.provider.close(T.scfg.provider.ctx, &held);
    mailbox_mem_free(T.box);
}

static void test_implicit_tls(void **state)
{
    (void)state;
    setup_box();
    T.ccfg.tls = POP3_CLI_TLS_IMPLICIT;
    T.ccfg.delete_after = true;
    const pop3_client_result *r = pump(true);
    assert_int_equal(r->status, POP3_RESULT_OK);
    assert_true(r->tls_used);
    assert_int_equal(T.starttls, 0);
    assert_int_equal(box_count(), 0);
    mailbox_mem_free(T.box);
}

/* scripted - feed server bytes by hand */
static pop3_client *scripted(void)
{
    pop3_client_config c;
    pop3_client_config_default(&c);
    c.user = "bob";
    c.password = "pw";
    c.tls = POP3_CLI_TLS_NONE;
    c.auth = POP3_CLI_AUTH_USER;
    return pop3_client_new(&c, 0);
}

static const char *out(pop3_client *cl)
{
    static char buf[1024];
    const char *b;
    size_t n = pop3_client_output(cl, &b);
    snprintf(buf, sizeof buf, "%.*s", (int)n, b);
    pop3_client_output_consumed(cl, n);
    retr_event ev;
    while (pop3_client_next_event(cl, &ev))
        ;
    return buf;
}

static void feed(pop3_client *cl, const char *s)
{
    pop3_client_feed(cl, s, strlen(s), 0);
}

static void test_old_server_and_split_feeds(void **state)
{
    (void)state;
    pop3_client *cl = scripted();
    feed(cl, "+OK hello\r\n");
    assert_string_equal(out(cl), "CAPA\r\n");
    feed(cl, "-ERR what?\r\n"); /* an RFC 1939-only server */
    assert_string_equal(out(cl), "USER bob\r\n");
    feed(cl, "+OK\r\n");
    assert_string_equal(out(cl), "PASS pw\r\n");
    feed(cl, "+OK in\r\n");
    assert_string_equal(out(cl), "STAT\r\n");
    feed(cl, "+OK 1 20\r\n");
    assert_string_equal(out(cl), "UIDL\r\n"); /* no CAPA: try UIDL anyway */
    feed(cl, "-ERR no\r\n");
    assert_string_equal(out(cl), "RETR 1\r\n");
    /* the response split at every awkward place */
    const char *resp = "+OK 20 octets\r\nA: b\r\n\r\n..x\r\n.\r\n";
    retr_event ev;
    char msg[64] = "";
    for (size_t i = 0; resp[i]; i++) {
        pop3_client_feed(cl, resp + i, 1, 0);
        while (pop3_client_next_event(cl, &ev))
            if (ev.kind == RETR_EV_MESSAGE)
                snprintf(msg, sizeof msg, "%.*s", (int)ev.len, ev.bytes);
    }
    assert_string_equal(msg, "A: b\r\n\r\n.x\r\n");
    assert_string_equal(out(cl), "QUIT\r\n");
    feed(cl, "+OK bye\r\n");
    assert_true(pop3_client_done(cl));
    assert_int_equal(pop3_client_result_get(cl)->status, POP3_RESULT_OK);
    assert_int_equal(pop3_client_feed(cl, "x", 1, 0), -1);
    pop3_client_free(cl);
}

static void test_bad_server(void **state)
{
    (void)state;
    pop3_client *cl = scripted();
    feed(cl, "HELLO\r\n");
    assert_true(pop3_client_done(cl));
    assert_int_equal(pop3_client_result_get(cl)->status, POP3_RESULT_PERMFAIL);
    pop3_client_free(cl);

    cl = scripted();
    char big[POP3_CLIENT_LINE_MAX + 10];
    memset(big, 'x', sizeof big);
    big[0] = '+';
    memcpy(big + sizeof big - 3, "\r\n", 3);
    feed(cl, big);
    assert_true(pop3_client_done(cl));
    pop3_client_free(cl);

    cl = scripted();
    assert_int_equal(pop3_client_deadline(cl), POP3_CLIENT_TIMEOUT_MS);
    pop3_client_tick(cl, POP3_CLIENT_TIMEOUT_MS);
    assert_int_equal(pop3_client_result_get(cl)->status, POP3_RESULT_TEMPFAIL);
    pop3_client_free(cl);

    cl = scripted();
    feed(cl, "+OK\r\n");
    pop3_client_connection_lost(cl, 5);
    assert_int_equal(pop3_client_result_get(cl)->status, POP3_RESULT_TEMPFAIL);
    assert_string_equal(pop3_client_result_get(cl)->stage, "CAPA");
    pop3_client_free(cl);

    /* credentials that cannot be sent are refused before anything goes out */
    pop3_client_config c;
    pop3_client_config_default(&c);
    c.user = "bob\r\nDELE 1";
    c.password = "pw";
    cl = pop3_client_new(&c, 0);
    assert_true(pop3_client_done(cl));
    assert_true(pop3_client_result_get(cl)->local);
    assert_string_equal(out(cl), "");
    pop3_client_free(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_download_and_delete),
        cmocka_unit_test(test_leave_on_server),
        cmocka_unit_test(test_tls_required_not_offered),
        cmocka_unit_test(test_wrong_password_and_in_use),
        cmocka_unit_test(test_implicit_tls),
        cmocka_unit_test(test_old_server_and_split_feeds),
        cmocka_unit_test(test_bad_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
