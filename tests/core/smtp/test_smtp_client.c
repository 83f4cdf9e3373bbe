/* test_smtp_client.c - the client engine against scripted server bytes.
 *
 * Each test plays the server by hand: it feeds canned replies and checks the exact bytes the
 * client writes, the events it reports, and the result it settles on. No server engine, no
 * sockets, a virtual clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/base64.h"
#include "core/teach/explain.h"
#include "core/smtp/smtp_client.h"

#define MAX_EVENTS 256

typedef struct {
    smtp_event_kind kind;
    smtp_dir dir;
    char verb[16];
    int code;
    char esc[16];
    char key[64];
    char rfc[48];
    int rcpt_index;
    int from, to;
    char bytes[4096];
    size_t len;
    uint64_t time_ms;
} rec_event;

typedef struct {
    smtp_client *cl;
    smtp_client_config cfg;
    uint64_t now;
    char sent[65536]; /* bytes written since the last expect_sent */
    size_t sent_len;
    rec_event ev[MAX_EVENTS];
    size_t n_ev;
} harness;

static const char *two_rcpts[] = {"bob@example.org", "carol@example.org"};
static const char message[] = "Subject: hi\r\n\r\nHello Bob.\r\n";

/* drain - take the client's output and events, as a driver would after every call. */
static void drain(harness *h)
{
    const char *buf;
    size_t n = smtp_client_output(h->cl, &buf);
    assert_true(h->sent_len + n < sizeof h->sent);
    memcpy(h->sent + h->sent_len, buf, n);
    h->sent_len += n;
    smtp_client_output_consumed(h->cl, n);
    smtp_event e;
    while (smtp_client_next_event(h->cl, &e)) {
        assert_true(h->n_ev < MAX_EVENTS);
        rec_event *r = &h->ev[h->n_ev++];
        memset(r, 0, sizeof *r);
        r->kind = e.kind;
        r->dir = e.dir;
        strcpy(r->verb, e.verb);
        r->code = e.code;
        strcpy(r->esc, e.esc);
        assert_non_null(e.key);
        assert_non_null(e.rfc);
        if (!explain_find(e.key)) /* every key the engine emits has its sentence */
            fail_msg("no explanation for key %s", e.key);
        snprintf(r->key, sizeof r->key, "%s", e.key);
        snprintf(r->rfc, sizeof r->rfc, "%s", e.rfc);
        r->rcpt_index = e.rcpt_index;
        r->from = e.state_from;
        r->to = e.state_to;
        r->time_ms = e.time_ms;
        if (e.bytes) {
            assert_true(e.len < sizeof r->bytes);
            memcpy(r->bytes, e.bytes, e.len);
            r->len = e.len;
        }
    }
}

static void start(harness *h)
{
    h->now = 1000;
    h->cl = smtp_client_new(&h->cfg, h->now);
    assert_non_null(h->cl);
    drain(h);
}

static void base_cfg(harness *h)
{
    memset(h, 0, sizeof *h);
    smtp_client_config_default(&h->cfg);
    h->cfg.helo_name = "mua.example.com";
    h->cfg.mail_from = "alice@example.com";
    h->cfg.rcpts = two_rcpts;
    h->cfg.n_rcpts = 2;
    h->cfg.data = message;
    h->cfg.data_len = strlen(message);
}

static harness *new_harness(void)
{
    harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    base_cfg(h);
    return h;
}

static void end(harness *h)
{
    smtp_client_free(h->cl);
    free(h);
}

/* srv - the scripted server says something. */
static void srv(harness *h, const char *bytes)
{
    smtp_client_feed(h->cl, bytes, strlen(bytes), h->now);
    drain(h);
}

/* begin - the set-up of a case: the client starts, the scripted server says each reply in
 * turn (the list ends with NULL), and what the client sent so far is forgotten: the case
 * checks what comes next. */
static void begin(harness *h, ...)
{
    start(h);
    va_list ap;
    va_start(ap, h);
    for (const char *r; (r = va_arg(ap, const char *)) != NULL;)
        srv(h, r);
    va_end(ap);
    h->sent_len = 0;
}

/* expect_sent - exactly these bytes were written since the last check. */
static void expect_sent(harness *h, const char *want)
{
    h->sent[h->sent_len] = '\0';
    if (strcmp(h->sent, want) != 0)
        fail_msg("client sent:\n[%s]\nwanted:\n[%s]", h->sent, want);
    h->sent_len = 0;
}

static const rec_event *find_event(const harness *h, smtp_event_kind kind, const char *key)
{
    for (size_t i = 0; i < h->n_ev; i++)
        if (h->ev[i].kind == kind && (!key || strcmp(h->ev[i].key, key) == 0))
            return &h->ev[i];
    return NULL;
}

static size_t count_events(const harness *h, smtp_event_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_ev; i++)
        n += h->ev[i].kind == kind;
    return n;
}

static const smtp_client_result *res(const harness *h)
{
    return smtp_client_result_get(h->cl);
}

static const char *ehlo_plain = "250-mx.example.org Hello\r\n"
                                "250-SIZE 10485760\r\n"
                                "250-8BITMIME\r\n"
                                "250 ENHANCEDSTATUSCODES\r\n";

static const char *ehlo_pipe = "250-mx.example.org Hello\r\n"
                               "250-PIPELINING\r\n"
                               "250-SIZE 10485760\r\n"
                               "250-8BITMIME\r\n"
                               "250 ENHANCEDSTATUSCODES\r\n";

/* ---- whole transactions ---- */

static void test_basic_one_at_a_time(void **state)
{
    (void)state;
    harness *h = new_harness();
    start(h);
    expect_sent(h, ""); /* nothing before the greeting */
    assert_int_equal(smtp_client_state_get(h->cl), SMTP_CLI_GREETING);
    srv(h, "220 mx.example.org ESMTP\r\n");
    expect_sent(h, "EHLO mua.example.com\r\n");
    assert_int_equal(smtp_client_state_get(h->cl), SMTP_CLI_EHLO);
    srv(h, ehlo_plain);
    expect_sent(h, "MAIL FROM:<alice@example.com> SIZE=27\r\n");
    srv(h, "250 2.1.0 Ok\r\n");
    expect_sent(h, "RCPT TO:<bob@example.org>\r\n");
    assert_int_equal(smtp_client_state_get(h->cl), SMTP_CLI_RCPT);
    srv(h, "250 2.1.5 Ok\r\n");
    expect_sent(h, "RCPT TO:<carol@example.org>\r\n");
    srv(h, "250 2.1.5 Ok\r\n");
    expect_sent(h, "DATA\r\n");
    assert_int_equal(smtp_client_state_get(h->cl), SMTP_CLI_DATA);
    srv(h, "354 End data with <CR><LF>.<CR><LF>\r\n");
    expect_sent(h, "Subject: hi\r\n\r\nHello Bob.\r\n.\r\n");
    assert_int_equal(smtp_client_state_get(h->cl), SMTP_CLI_CONTENT);
    assert_int_equal(res(h)->status, SMTP_RESULT_PENDING);
    srv(h, "250 2.0.0 Ok: queued as 1234\r\n");
    expect_sent(h, "QUIT\r\n");
    assert_int_equal(res(h)->status, SMTP_RESULT_OK);
    assert_false(smtp_client_done(h->cl));
    srv(h, "221 2.0.0 Bye\r\n");
    assert_true(smtp_client_done(h->cl));
    assert_int_equal(smtp_client_feed(h->cl, "x", 1, h->now), -1);

    const smtp_client_result *r = res(h);
    assert_int_equal(r->code, 250);
    assert_string_equal(r->esc, "2.0.0");
    assert_string_equal(r->text, "Ok: queued as 1234");
    assert_int_equal(r->n_accepted, 2);
    assert_int_equal(r->n_rcpts, 2);
    assert_int_equal(r->rcpt[0].code, 250);
    assert_int_equal(r->rcpt[1].code, 250);
    assert_false(r->pipelining_used);
    assert_false(r->tls_used);
    assert_false(r->local);

    /* events: every command and reply, in order, with verb, code and esc */
    const rec_event *e = find_event(h, SMTP_EV_COMMAND, "client.mail");
    assert_non_null(e);
    assert_string_equal(e->verb, "MAIL");
    assert_int_equal(e->dir, SMTP_DIR_C2S);
    assert_string_equal(e->rfc, "RFC 5321 4.1.1.2");
    assert_memory_equal(e->bytes, "MAIL FROM:<alice@example.com> SIZE=27\r\n", e->len);
    e = find_event(h, SMTP_EV_REPLY, "client.ehlo");
    assert_non_null(e);
    assert_int_equal(e->code, 250);
    assert_int_equal(e->len, strlen(ehlo_plain));
    e = find_event(h, SMTP_EV_DATA, NULL);
    assert_non_null(e);
    assert_string_equal(e->bytes, "Subject: hi\r\n\r\nHello Bob.\r\n.\r\n");
    assert_int_equal(count_events(h, SMTP_EV_COMMAND), 6);
    assert_int_equal(count_events(h, SMTP_EV_REPLY), 8);
    assert_int_equal(count_events(h, SMTP_EV_RCPT_RESULT), 4); /* at RCPT and at the end */
    assert_int_equal(count_events(h, SMTP_EV_DONE), 1);
    assert_int_equal(count_events(h, SMTP_EV_CLOSE), 1);
    e = find_event(h, SMTP_EV_DONE, NULL);
    assert_string_equal(e->key, "client.done");
    /* states: greeting -> EHLO -> MAIL -> RCPT -> DATA -> CONTENT -> QUIT -> DONE */
    int want[] = {SMTP_CLI_EHLO,    SMTP_CLI_MAIL, SMTP_CLI_RCPT, SMTP_CLI_DATA,
                  SMTP_CLI_CONTENT, SMTP_CLI_QUIT, SMTP_CLI_DONE};
    size_t k = 0;
    int prev = SMTP_CLI_GREETING;
    for (size_t i = 0; i < h->n_ev; i++) {
        if (h->ev[i].kind != SMTP_EV_STATE)
            continue;
        assert_true(k < 7);
        assert_int_equal(h->ev[i].from, prev);
        assert_int_equal(h->ev[i].to, want[k]);
        assert_string_equal(h->ev[i].key, "client.state");
        prev = want[k++];
    }
    assert_int_equal(k, 7);
    end(h);
}

static void test_pipelining_one_write(void **state)
{
    (void)state;
    harness *h = new_harness();
    start(h);
    srv(h, "220 mx.example.org ESMTP\r\n");
    expect_sent(h, "EHLO mua.example.com\r\n");
    srv(h, ehlo_pipe);
    /* RFC 2920 3.1: MAIL, every RCPT and DATA in one write */
    expect_sent(h, "MAIL FROM:<alice@example.com> SIZE=27\r\n"
                   "RCPT TO:<bob@example.org>\r\n"
                   "RCPT TO:<carol@example.org>\r\n"
                   "DATA\r\n");
    assert_int_equal(smtp_client_state_get(h->cl), SMTP_CLI_MAIL);
    srv(h, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
    assert_int_equal(smtp_client_state_get(h->cl), SMTP_CLI_RCPT);
    expect_sent(h, "");
    srv(h, "550 5.1.1 <carol@example.org>: User unknown\r\n354 go ahead\r\n");
    expect_sent(h, "Subject: hi\r\n\r\nHello Bob.\r\n.\r\n");
    srv(h, "250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n");
    expect_sent(h, "QUIT\r\n");
    assert_true(smtp_client_done(h->cl));
    const smtp_client_result *r = res(h);
    assert_int_equal(r->status, SMTP_RESULT_OK);
    assert_true(r->pipelining_used);
    assert_int_equal(r->n_accepted, 1);
    assert_int_equal(r->rcpt[1].code, 550);
    assert_string_equal(r->rcpt[1].esc, "5.1.1");
    assert_string_equal(r->rcpt[1].text, "<carol@example.org>: User unknown");
    const rec_event *e = find_event(h, SMTP_EV_COMMAND, "client.pipelining");
    assert_non_null(e);
    assert_string_equal(e->verb, "MAIL");
    assert_string_equal(e->rfc, "RFC 5321 4.1.1.2"); /* the command's own RFC */
    e = find_event(h, SMTP_EV_COMMAND, "client.data_pipelined");
    assert_non_null(e);
    assert_string_equal(e->verb, "DATA");
    assert_string_equal(e->rfc, "RFC 5321 4.1.1.4");
    end(h);
}

static void test_pipelining_off_by_config(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.use_pipelining = false;
    begin(h, "220 mx ESMTP\r\n", ehlo_pipe, NULL);
    srv(h, "250 2.1.0 Ok\r\n");
    expect_sent(h, "RCPT TO:<bob@example.org>\r\n");
    assert_false(res(h)->pipelining_used);
    end(h);
}

static void test_helo_fallback(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 old.example.org SMTP\r\n", NULL);
    srv(h, "502 5.5.1 Command not implemented\r\n");
    expect_sent(h, "HELO mua.example.com\r\n");
    const rec_event *e = find_event(h, SMTP_EV_COMMAND, "client.helo_fallback");
    assert_non_null(e);
    assert_string_equal(e->verb, "HELO");
    srv(h, "250 old.example.org\r\n");
    /* no extensions after HELO: no SIZE, no pipelining */
    expect_sent(h, "MAIL FROM:<alice@example.com>\r\n");
    end(h);
}

static void test_helo_fallback_500(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 old.example.org SMTP\r\n", NULL);
    srv(h, "500 Syntax error, command unrecognized\r\n");
    expect_sent(h, "HELO mua.example.com\r\n");
    end(h);
}

static void test_greeting_554(void **state)
{
    (void)state;
    harness *h = new_harness();
    start(h);
    srv(h, "554 5.3.2 No SMTP service here\r\n");
    expect_sent(h, "QUIT\r\n"); /* RFC 5321 3.1: no EHLO, but QUIT */
    assert_int_equal(res(h)->status, SMTP_RESULT_PERMFAIL);
    assert_int_equal(res(h)->code, 554);
    assert_string_equal(res(h)->stage, "greeting");
    assert_non_null(find_event(h, SMTP_EV_REPLY, "client.greeting_refused"));
    srv(h, "221 Bye\r\n");
    assert_true(smtp_client_done(h->cl));
    assert_int_equal(res(h)->status, SMTP_RESULT_PERMFAIL);
    end(h);
}

static void test_greeting_421_closes(void **state)
{
    (void)state;
    harness *h = new_harness();
    start(h);
    srv(h, "421 4.3.2 Service not available\r\n");
    expect_sent(h, "");
    assert_true(smtp_client_done(h->cl));
    assert_int_equal(res(h)->status, SMTP_RESULT_TEMPFAIL);
    assert_non_null(find_event(h, SMTP_EV_CLOSE, NULL));
    end(h);
}

/* ---- STARTTLS ---- */

static void test_starttls_opportunistic(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.tls_available = true;
    begin(h, "220 mx ESMTP\r\n", NULL);
    srv(h, "250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
    expect_sent(h, "STARTTLS\r\n");
    assert_int_equal(smtp_client_state_get(h->cl), SMTP_CLI_STARTTLS);
    srv(h, "220 2.0.0 Ready to start TLS\r\n");
    expect_sent(h, "");
    assert_non_null(find_event(h, SMTP_EV_STARTTLS, NULL));
    assert_int_equal(smtp_client_deadline(h->cl), UINT64_MAX); /* the driver's handshake */
    smtp_client_tls_started(h->cl, h->now);
    drain(h);
    expect_sent(h, "EHLO mua.example.com\r\n"); /* RFC 3207 4.2 */
    const rec_event *e = find_event(h, SMTP_EV_COMMAND, "client.tls_restart");
    assert_non_null(e);
    assert_string_equal(e->rfc, "RFC 3207 4.2");
    /* after TLS the server offers no PIPELINING: the client must have forgotten it */
    srv(h, "250-mx\r\n250 SIZE 1000\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com> SIZE=27\r\n");
    assert_true(res(h)->tls_used);
    assert_false(res(h)->pipelining_used);
    end(h);
}

static void test_starttls_not_without_tls_available(void **state)
{
    (void)state;
    harness *h = new_harness(); /* tls_available false */
    begin(h, "220 mx ESMTP\r\n", NULL);
    srv(h, "250-mx\r\n250 STARTTLS\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com>\r\n");
    end(h);
}

static void test_starttls_required_not_offered(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.tls = SMTP_TLS_REQUIRED;
    h->cfg.tls_available = true;
    begin(h, "220 msa ESMTP\r\n", NULL);
    srv(h, "250-msa\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n");
    /* RFC 3207 4 / RFC 8314: no mail in the clear; QUIT instead */
    expect_sent(h, "QUIT\r\n");
    const smtp_client_result *r = res(h);
    assert_int_equal(r->status, SMTP_RESULT_TEMPFAIL); /* deferred, not bounced */
    assert_int_equal(r->code, 454);
    assert_string_equal(r->esc, "4.7.10");
    assert_true(r->local);
    assert_string_equal(r->stage, "STARTTLS");
    assert_non_null(strstr(r->text, "does not offer STARTTLS"));
    assert_non_null(find_event(h, SMTP_EV_ERROR, "client.starttls_required"));
    srv(h, "221 Bye\r\n");
    assert_true(smtp_client_done(h->cl));
    end(h);
}

static void test_starttls_required_refused(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.tls = SMTP_TLS_REQUIRED;
    h->cfg.tls_available = true;
    begin(h, "220 msa ESMTP\r\n", "250-msa\r\n250 STARTTLS\r\n", NULL);
    srv(h, "454 4.7.0 TLS not available due to temporary reason\r\n");
    expect_sent(h, "QUIT\r\n");
    assert_int_equal(res(h)->status, SMTP_RESULT_TEMPFAIL);
    assert_string_equal(res(h)->esc, "4.7.0");
    end(h);
}

static void test_starttls_opportunistic_refused_continues(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.tls_available = true;
    begin(h, "220 mx ESMTP\r\n", "250-mx\r\n250 STARTTLS\r\n", NULL);
    srv(h, "454 4.7.0 TLS not available\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com>\r\n"); /* in the clear */
    assert_non_null(find_event(h, SMTP_EV_REPLY, "client.starttls_declined"));
    end(h);
}

static void test_starttls_injection_discarded(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.tls_available = true;
    begin(h, "220 mx ESMTP\r\n", "250-mx\r\n250 STARTTLS\r\n", NULL);
    /* a man in the middle appends a reply to the 220: it must not be taken as the answer to
     * anything sent under TLS */
    srv(h, "220 Ready\r\n250-evil\r\n250 AUTH PLAIN\r\n");
    assert_non_null(find_event(h, SMTP_EV_ERROR, "client.starttls_injection"));
    smtp_client_tls_started(h->cl, h->now);
    drain(h);
    expect_sent(h, "EHLO mua.example.com\r\n");
    srv(h, "250-mx\r\n250 8BITMIME\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com>\r\n");
    end(h);
}

static void test_implicit_tls(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.tls = SMTP_TLS_IMPLICIT;
    h->cfg.tls_available = true;
    start(h);
    smtp_client_tls_started(h->cl, h->now); /* port 465: TLS before the greeting */
    drain(h);
    expect_sent(h, "");
    srv(h, "220 smtp ESMTP\r\n");
    expect_sent(h, "EHLO mua.example.com\r\n");
    srv(h, "250-smtp\r\n250 STARTTLS\r\n"); /* a confused server: never STARTTLS twice */
    expect_sent(h, "MAIL FROM:<alice@example.com>\r\n");
    assert_true(res(h)->tls_used);
    assert_null(find_event(h, SMTP_EV_STARTTLS, NULL));
    end(h);
}

static void test_starttls_offered_again_after_tls(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.tls_available = true;
    begin(h, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "220 go\r\n", NULL);
    smtp_client_tls_started(h->cl, h->now);
    drain(h);
    h->sent_len = 0;
    srv(h, "250-mx\r\n250 STARTTLS\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com>\r\n");
    end(h);
}

static void test_bytes_during_handshake_dropped(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.tls_available = true;
    /* the last reply comes during the handshake: the driver should not do this; the engine
     * copes */
    begin(h, "220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n", "220 go\r\n", "250 sneaky\r\n", NULL);
    assert_non_null(find_event(h, SMTP_EV_ERROR, "client.starttls_injection"));
    assert_false(smtp_client_done(h->cl));
    smtp_client_tls_started(h->cl, h->now);
    drain(h);
    h->sent_len = 0;
    srv(h, "250 mx\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com>\r\n");
    end(h);
}

/* ---- AUTH ---- */

static void auth_start(harness *h, const char *ehlo)
{
    h->cfg.auth_user = "alice";
    h->cfg.auth_password = "s3cret";
    begin(h, "220 msa ESMTP\r\n", NULL);
    srv(h, ehlo);
}

static void test_auth_plain(void **state)
{
    (void)state;
    harness *h = new_harness();
    auth_start(h, "250-msa\r\n250 AUTH LOGIN PLAIN\r\n");
    /* base64("\0alice\0s3cret") */
    char b64[64];
    base64_encode("\0alice\0s3cret", 13, b64, sizeof b64);
    char want[128];
    snprintf(want, sizeof want, "AUTH PLAIN %s\r\n", b64);
    expect_sent(h, want);
    assert_string_equal(b64, "AGFsaWNlAHMzY3JldA==");
    /* the event hides the secret */
    const rec_event *e = find_event(h, SMTP_EV_COMMAND, "client.auth");
    assert_non_null(e);
    assert_string_equal(e->bytes, "AUTH PLAIN ********\r\n");
    assert_null(strstr(e->bytes, b64));
    /* no TLS here: the client says the password crossed in the clear */
    assert_non_null(find_event(h, SMTP_EV_ERROR, "client.auth_cleartext"));
    srv(h, "235 2.7.0 Authentication successful\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com>\r\n");
    assert_true(res(h)->auth_used);
    e = find_event(h, SMTP_EV_AUTH, NULL);
    assert_non_null(e);
    assert_int_equal(e->code, 235);
    end(h);
}

static void test_auth_plain_show_secrets(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.show_secrets = true;
    auth_start(h, "250-msa\r\n250 AUTH PLAIN\r\n");
    const rec_event *e = find_event(h, SMTP_EV_COMMAND, "client.auth");
    assert_non_null(e);
    assert_string_equal(e->bytes, "AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n");
    end(h);
}

static void test_auth_login(void **state)
{
    (void)state;
    harness *h = new_harness();
    auth_start(h, "250-msa\r\n250 AUTH=LOGIN\r\n");
    expect_sent(h, "AUTH LOGIN\r\n");
    srv(h, "334 VXNlcm5hbWU6\r\n");
    expect_sent(h, "YWxpY2U=\r\n"); /* alice */
    srv(h, "334 UGFzc3dvcmQ6\r\n");
    expect_sent(h, "czNjcmV0\r\n"); /* s3cret */
    /* the user name is shown, the password is not */
    size_t masked = 0;
    for (size_t i = 0; i < h->n_ev; i++) {
        if (h->ev[i].kind != SMTP_EV_COMMAND)
            continue;
        assert_null(strstr(h->ev[i].bytes, "czNjcmV0"));
        masked += strcmp(h->ev[i].bytes, "********\r\n") == 0;
    }
    assert_int_equal(masked, 1);
    srv(h, "235 2.7.0 Ok\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com>\r\n");
    end(h);
}

static void test_auth_mech_forced(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.auth_mech = "login"; /* any case */
    auth_start(h, "250-msa\r\n250 AUTH PLAIN LOGIN\r\n");
    expect_sent(h, "AUTH LOGIN\r\n");
    end(h);
    h = new_harness();
    h->cfg.auth_mech = "CRAM-MD5"; /* not ours: PLAIN is chosen from what is offered */
    auth_start(h, "250-msa\r\n250 AUTH LOGIN PLAIN\r\n");
    assert_memory_equal(h->sent, "AUTH PLAIN ", 11);
    end(h);
    h = new_harness();
    h->cfg.auth_mech = "PLAIN"; /* asked for, but not offered: give up, do not downgrade */
    auth_start(h, "250-msa\r\n250 AUTH LOGIN\r\n");
    expect_sent(h, "QUIT\r\n");
    assert_int_equal(res(h)->status, SMTP_RESULT_PERMFAIL);
    assert_true(res(h)->local);
    end(h);
}

static void test_auth_failed(void **state)
{
    (void)state;
    harness *h = new_harness();
    auth_start(h, "250-msa\r\n250 AUTH PLAIN\r\n");
    h->sent_len = 0;
    srv(h, "535 5.7.8 Authentication credentials invalid\r\n");
    expect_sent(h, "QUIT\r\n");
    assert_int_equal(res(h)->status, SMTP_RESULT_PERMFAIL);
    assert_string_equal(res(h)->stage, "AUTH");
    assert_string_equal(res(h)->esc, "5.7.8");
    assert_false(res(h)->auth_used);
    const rec_event *e = find_event(h, SMTP_EV_AUTH, "client.auth_failed");
    assert_non_null(e);
    assert_int_equal(e->code, 535);
    end(h);
}

static void test_auth_not_offered_skipped(void **state)
{
    (void)state;
    harness *h = new_harness();
    auth_start(h, "250-mx\r\n250 8BITMIME\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com>\r\n");
    end(h);
}

/* ---- MAIL parameters ---- */

static void test_size_exceeded_not_sent(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx ESMTP\r\n", NULL);
    srv(h, "250-mx\r\n250 SIZE 20\r\n"); /* our message is 27 octets */
    expect_sent(h, "QUIT\r\n");
    const smtp_client_result *r = res(h);
    assert_int_equal(r->status, SMTP_RESULT_PERMFAIL);
    assert_int_equal(r->code, 552);
    assert_string_equal(r->esc, "5.3.4");
    assert_true(r->local);
    assert_non_null(find_event(h, SMTP_EV_ERROR, "client.size_exceeded"));
    end(h);
}

/* ignore_advertised_size: the client declares SIZE= anyway and the server's 552 decides. */
static void test_size_ignored_server_refuses(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.ignore_advertised_size = true;
    begin(h, "220 mx ESMTP\r\n", NULL);
    srv(h, "250-mx\r\n250 SIZE 20\r\n"); /* our message is 27 octets */
    expect_sent(h, "MAIL FROM:<alice@example.com> SIZE=27\r\n");
    assert_null(find_event(h, SMTP_EV_ERROR, "client.size_exceeded"));
    srv(h, "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
    expect_sent(h, "QUIT\r\n"); /* no RCPT, no DATA: the transaction is over */
    const smtp_client_result *r = res(h);
    assert_int_equal(r->status, SMTP_RESULT_PERMFAIL);
    assert_int_equal(r->code, 552);
    assert_string_equal(r->esc, "5.3.4");
    assert_string_equal(r->stage, "MAIL");
    assert_false(r->local); /* the server said it, not the client */
    assert_int_equal(r->n_accepted, 0);
    srv(h, "221 2.0.0 Bye\r\n");
    assert_true(smtp_client_done(h->cl));
    end(h);
}

/* The same, pipelined (RFC 2920 3.1): RCPT and DATA already went out with MAIL; their replies
 * (503, no transaction) are read and the server's 552 to MAIL stays the reason. */
static void test_size_ignored_pipelined(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.ignore_advertised_size = true;
    h->cfg.n_rcpts = 1;
    begin(h, "220 mx ESMTP\r\n", NULL);
    srv(h, "250-mx\r\n250-PIPELINING\r\n250 SIZE 20\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com> SIZE=27\r\n"
                   "RCPT TO:<bob@example.org>\r\n"
                   "DATA\r\n");
    srv(h, "552 5.3.4 Message size exceeds fixed maximum message size\r\n"
           "503 5.5.1 Error: need MAIL command\r\n"
           "503 5.5.1 Error: need RCPT command\r\n");
    expect_sent(h, "QUIT\r\n");
    const smtp_client_result *r = res(h);
    assert_int_equal(r->status, SMTP_RESULT_PERMFAIL);
    assert_int_equal(r->code, 552);
    assert_string_equal(r->esc, "5.3.4");
    assert_false(r->local);
    end(h);
}

static void test_size_zero_means_no_limit(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx ESMTP\r\n", NULL);
    srv(h, "250-mx\r\n250 SIZE\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com> SIZE=27\r\n");
    end(h);
}

static void test_8bitmime_smtputf8_dsn(void **state)
{
    (void)state;
    harness *h = new_harness();
    static const char body[] = "Subject: caf\xc3\xa9\n\ncaf\xc3\xa9\n";
    static const char *rc[] = {"b\xc3\xb6rje@example.org"};
    h->cfg.data = body;
    h->cfg.data_len = strlen(body);
    h->cfg.rcpts = rc;
    h->cfg.n_rcpts = 1;
    h->cfg.dsn_ret = "HDRS";
    h->cfg.dsn_envid = "id+1=x";
    h->cfg.dsn_notify = "FAILURE,DELAY";
    begin(h, "220 mx ESMTP\r\n", NULL);
    srv(h, "250-mx\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-DSN\r\n250 SIZE 1000\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com> SIZE=25 BODY=8BITMIME SMTPUTF8 RET=HDRS "
                   "ENVID=id+2B1+3Dx\r\n");
    srv(h, "250 Ok\r\n");
    expect_sent(h, "RCPT TO:<b\xc3\xb6rje@example.org> NOTIFY=FAILURE,DELAY\r\n");
    end(h);
}

static void test_smtputf8_needed_not_offered(void **state)
{
    (void)state;
    harness *h = new_harness();
    static const char *rc[] = {"b\xc3\xb6rje@example.org"};
    h->cfg.rcpts = rc;
    h->cfg.n_rcpts = 1;
    begin(h, "220 mx ESMTP\r\n", NULL);
    srv(h, "250-mx\r\n250 8BITMIME\r\n");
    expect_sent(h, "QUIT\r\n");
    assert_int_equal(res(h)->status, SMTP_RESULT_PERMFAIL);
    assert_string_equal(res(h)->esc, "5.6.7");
    assert_non_null(find_event(h, SMTP_EV_ERROR, "client.smtputf8_needed"));
    end(h);
}

static void test_smtputf8_asked_but_not_needed(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.smtputf8 = true;
    begin(h, "220 mx ESMTP\r\n", NULL);
    srv(h, "250-mx\r\n250 SMTPUTF8\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com> SMTPUTF8\r\n");
    end(h);
}

static void test_null_reverse_path(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cfg.mail_from = "";
    begin(h, "220 mx ESMTP\r\n", NULL);
    srv(h, "250 mx\r\n");
    expect_sent(h, "MAIL FROM:<>\r\n");
    end(h);
}

/* ---- message content ---- */

static void run_to_354(harness *h)
{
    begin(h, "220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "250 ok\r\n", "250 ok\r\n", NULL);
    srv(h, "354 go\r\n");
}

/* expect_content - with this message (len octets), the client sends exactly `want` after
 * the 354 */
static void expect_content(const char *body, size_t len, const char *want)
{
    harness *h = new_harness();
    h->cfg.data = body;
    h->cfg.data_len = len;
    run_to_354(h);
    expect_sent(h, want);
    end(h);
}

static void test_dot_stuffing_and_crlf(void **state)
{
    (void)state;
    static const char body[] = "a\n.b\r\n..c\n.\nlast";
    /* lone LF -> CRLF; leading dots doubled (RFC 5321 4.5.2); CRLF added; CRLF.CRLF */
    expect_content(body, strlen(body), "a\r\n..b\r\n...c\r\n..\r\nlast\r\n.\r\n");
}

static void test_bare_cr_becomes_crlf(void **state)
{
    (void)state;
    static const char body[] = "a\rb\r\r\n.c\rend\r";
    /* RFC 5321 2.3.8: never a CR without its LF; a new line after a CR is stuffed too */
    expect_content(body, strlen(body), "a\r\nb\r\n\r\n..c\r\nend\r\n.\r\n");
}

static void test_empty_message_and_trailing_crlf(void **state)
{
    (void)state;
    expect_content("", 0, ".\r\n");
    expect_content("x\r\n", 3, "x\r\n.\r\n");
}

static void test_size_counts_crlf_not_stuffing(void **state)
{
    (void)state;
    harness *h = new_harness();
    static const char body[] = ".a\n.b\n"; /* CRLF: 4 + 4 = 8 octets; stuffing not counted */
    h->cfg.data = body;
    h->cfg.data_len = strlen(body);
    begin(h, "220 mx\r\n", NULL);
    srv(h, "250-mx\r\n250 SIZE 100\r\n");
    expect_sent(h, "MAIL FROM:<alice@example.com> SIZE=8\r\n");
    end(h);
}

/* ---- failures and recipients ---- */

static void test_partial_recipients(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "450 4.2.1 Mailbox busy, try later\r\n",
          NULL);
    srv(h, "250 2.1.5 ok\r\n");
    expect_sent(h, "DATA\r\n");
    srv(h, "354 go\r\n");
    srv(h, "250 2.0.0 queued\r\n");
    const smtp_client_result *r = res(h);
    assert_int_equal(r->status, SMTP_RESULT_OK);
    assert_int_equal(r->n_accepted, 1);
    assert_int_equal(r->rcpt[0].code, 450);
    assert_string_equal(r->rcpt[0].esc, "4.2.1");
    assert_int_equal(r->rcpt[1].code, 250);
    assert_string_equal(r->rcpt[1].text, "queued");
    const rec_event *e = find_event(h, SMTP_EV_RCPT_RESULT, "client.tempfail");
    assert_non_null(e);
    assert_int_equal(e->rcpt_index, 0);
    assert_int_equal(e->code, 450);
    end(h);
}

static void test_all_rcpts_refused_rset_quit(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "550 5.1.1 no such user\r\n", NULL);
    srv(h, "452 4.5.3 Too many recipients\r\n");
    expect_sent(h, "RSET\r\n"); /* never DATA without an accepted recipient */
    srv(h, "250 ok\r\n");
    expect_sent(h, "QUIT\r\n");
    srv(h, "221 bye\r\n");
    assert_true(smtp_client_done(h->cl));
    const smtp_client_result *r = res(h);
    assert_int_equal(r->status, SMTP_RESULT_TEMPFAIL); /* one of them may work later */
    assert_int_equal(r->code, 452);
    assert_string_equal(r->stage, "RCPT");
    assert_int_equal(r->n_accepted, 0);
    end(h);
}

static void test_all_rcpts_permfail(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "550 5.1.1 no such user\r\n",
          "550 5.1.1 no such user\r\n", NULL);
    assert_int_equal(res(h)->status, SMTP_RESULT_PERMFAIL);
    assert_int_equal(res(h)->code, 550);
    end(h);
}

static void test_pipelined_all_refused_data_rejected(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx\r\n", ehlo_pipe, NULL);
    srv(h, "250 ok\r\n550 5.1.1 no\r\n550 5.1.1 no\r\n554 5.5.1 No valid recipients\r\n");
    expect_sent(h, "RSET\r\n"); /* RFC 2920 3.1 */
    srv(h, "250 ok\r\n");
    expect_sent(h, "QUIT\r\n");
    assert_int_equal(res(h)->status, SMTP_RESULT_PERMFAIL);
    assert_string_equal(res(h)->stage, "RCPT");
    end(h);
}

static void test_pipelined_all_refused_data_354(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx\r\n", ehlo_pipe, NULL);
    srv(h, "250 ok\r\n550 5.1.1 no\r\n550 5.1.1 no\r\n354 go ahead\r\n");
    expect_sent(h, ".\r\n"); /* RFC 2920 3.1: a lone dot, not the message */
    srv(h, "554 no valid recipients\r\n");
    expect_sent(h, "QUIT\r\n");
    assert_int_equal(res(h)->status, SMTP_RESULT_PERMFAIL);
    end(h);
}

static void test_pipelined_mail_refused(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx\r\n", ehlo_pipe, NULL);
    srv(h, "550 5.7.1 Sender rejected\r\n503 5.5.1 need MAIL\r\n");
    expect_sent(h, "");
    srv(h, "503 5.5.1 need MAIL\r\n503 5.5.1 need MAIL\r\n");
    expect_sent(h, "QUIT\r\n");
    const smtp_client_result *r = res(h);
    assert_int_equal(r->status, SMTP_RESULT_PERMFAIL);
    assert_int_equal(r->code, 550);
    assert_string_equal(r->stage, "MAIL");
    assert_int_equal(r->rcpt[0].code, 550); /* MAIL's answer, not the 503 */
    assert_int_equal(r->rcpt[1].code, 550);
    end(h);
}

static void test_mail_tempfail_one_at_a_time(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx\r\n", "250 mx\r\n", NULL);
    srv(h, "451 4.7.1 Greylisted, try again later\r\n");
    expect_sent(h, "QUIT\r\n");
    assert_int_equal(res(h)->status, SMTP_RESULT_TEMPFAIL);
    assert_string_equal(res(h)->esc, "4.7.1");
    assert_string_equal(res(h)->text, "Greylisted, try again later");
    assert_non_null(find_event(h, SMTP_EV_REPLY, "client.tempfail"));
    end(h);
}

static void test_final_reply_tempfail(void **state)
{
    (void)state;
    harness *h = new_harness();
    run_to_354(h);
    h->sent_len = 0;
    srv(h, "451 4.3.0 Queue write error\r\n");
    expect_sent(h, "QUIT\r\n");
    const smtp_client_result *r = res(h);
    assert_int_equal(r->status, SMTP_RESULT_TEMPFAIL);
    assert_string_equal(r->stage, "end of data");
    assert_int_equal(r->n_accepted, 0);
    assert_int_equal(r->rcpt[0].code, 451);
    assert_int_equal(r->rcpt[1].code, 451);
    end(h);
}

static void test_final_reply_permfail(void **state)
{
    (void)state;
    harness *h = new_harness();
    run_to_354(h);
    srv(h, "554 5.7.1 Spam\r\n");
    assert_int_equal(res(h)->status, SMTP_RESULT_PERMFAIL);
    end(h);
}

static void test_421_mid_session(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx\r\n", "250 mx\r\n", NULL);
    srv(h, "421 4.7.0 Too many errors, closing\r\n");
    expect_sent(h, ""); /* RFC 5321 3.8: no QUIT to a closing server */
    assert_true(smtp_client_done(h->cl));
    assert_int_equal(res(h)->status, SMTP_RESULT_TEMPFAIL);
    assert_non_null(find_event(h, SMTP_EV_REPLY, "client.server_closing"));
    end(h);
}

static void test_connection_lost_before_final(void **state)
{
    (void)state;
    harness *h = new_harness();
    run_to_354(h);
    smtp_client_connection_lost(h->cl, h->now);
    drain(h);
    assert_true(smtp_client_done(h->cl));
    assert_int_equal(res(h)->status, SMTP_RESULT_TEMPFAIL);
    assert_string_equal(res(h)->text, "connection lost");
    assert_string_equal(res(h)->stage, "end of data");
    assert_non_null(find_event(h, SMTP_EV_ERROR, "client.connection_lost"));
    end(h);
}

static void test_connection_lost_after_accept_is_ok(void **state)
{
    (void)state;
    harness *h = new_harness();
    run_to_354(h);
    srv(h, "250 queued\r\n");
    smtp_client_connection_lost(h->cl, h->now); /* no 221: the mail is still delivered */
    drain(h);
    assert_true(smtp_client_done(h->cl));
    assert_int_equal(res(h)->status, SMTP_RESULT_OK);
    end(h);
}

/* ---- timeouts (RFC 5321 4.5.3.2) on the virtual clock ---- */

static void test_timeouts(void **state)
{
    (void)state;
    harness *h = new_harness();
    start(h);
    assert_int_equal(smtp_client_deadline(h->cl), 1000 + 5 * 60 * 1000);
    srv(h, "220 mx\r\n");
    srv(h, "250 mx\r\n");
    srv(h, "250 ok\r\n");
    srv(h, "250 ok\r\n");
    h->now = 5000;
    srv(h, "250 ok\r\n");
    /* DATA sent: 2 minutes for the 354 (4.5.3.2.4) */
    assert_int_equal(smtp_client_deadline(h->cl), 5000 + 2 * 60 * 1000);
    h->now = 6000;
    srv(h, "354 go\r\n");
    /* h's drain consumed the content at once: now 10 minutes (4.5.3.2.6) from the last
     * known time */
    assert_int_equal(smtp_client_deadline(h->cl), 6000 + 10 * 60 * 1000);
    smtp_client_tick(h->cl, 6000 + 10 * 60 * 1000 - 1);
    drain(h);
    assert_false(smtp_client_done(h->cl));
    smtp_client_tick(h->cl, 6000 + 10 * 60 * 1000);
    drain(h);
    assert_true(smtp_client_done(h->cl));
    const smtp_client_result *r = res(h);
    assert_int_equal(r->status, SMTP_RESULT_TEMPFAIL);
    assert_int_equal(r->code, 0);
    assert_non_null(strstr(r->text, "4.5.3.2.6"));
    const rec_event *e = find_event(h, SMTP_EV_ERROR, "client.timeout");
    assert_non_null(e);
    assert_string_equal(e->rfc, "RFC 5321 4.5.3.2.6");
    assert_int_equal(smtp_client_deadline(h->cl), UINT64_MAX);
    end(h);
}

static void test_data_block_timeout_while_sending(void **state)
{
    (void)state;
    harness *h = new_harness();
    start(h);
    const char *rs[] = {"220 mx\r\n", "250 mx\r\n", "250 ok\r\n",
                        "250 ok\r\n", "250 ok\r\n", "354 go\r\n"};
    for (size_t i = 0; i < 6; i++)
        smtp_client_feed(h->cl, rs[i], strlen(rs[i]), 2000);
    /* content queued but not consumed: 3 minutes per block (4.5.3.2.5) */
    assert_int_equal(smtp_client_deadline(h->cl), 2000 + 3 * 60 * 1000);
    drain(h);
    assert_int_equal(smtp_client_deadline(h->cl), 2000 + 10 * 60 * 1000);
    end(h);
}

static void test_greeting_timeout(void **state)
{
    (void)state;
    harness *h = new_harness();
    start(h);
    smtp_client_tick(h->cl, 1000 + 5 * 60 * 1000);
    drain(h);
    assert_true(smtp_client_done(h->cl));
    assert_int_equal(res(h)->status, SMTP_RESULT_TEMPFAIL);
    assert_string_equal(res(h)->stage, "greeting");
    assert_non_null(strstr(res(h)->text, "4.5.3.2.1"));
    end(h);
}

/* ---- robustness against a broken or hostile server ---- */

static void test_reply_split_byte_by_byte(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220 mx\r\n", NULL);
    for (const char *p = ehlo_pipe; *p; p++) {
        smtp_client_feed(h->cl, p, 1, h->now);
        drain(h);
    }
    expect_sent(h, "MAIL FROM:<alice@example.com> SIZE=27\r\n"
                   "RCPT TO:<bob@example.org>\r\n"
                   "RCPT TO:<carol@example.org>\r\n"
                   "DATA\r\n");
    end(h);
}

static void test_bare_lf_and_code_only_lines(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "220\n", NULL);
    srv(h, "250-mx\n250 SIZE 100\n");
    expect_sent(h, "MAIL FROM:<alice@example.com> SIZE=27\r\n");
    end(h);
}

static void expect_give_up(const char *bytes, size_t len, const char *key)
{
    harness *h = new_harness();
    begin(h, "220 mx\r\n", NULL);
    assert_int_equal(smtp_client_last_error(h->cl), SMTP_CLIENT_OK);
    smtp_client_feed(h->cl, bytes, len, h->now);
    drain(h);
    assert_true(smtp_client_done(h->cl));
    expect_sent(h, ""); /* out of sync: close without QUIT */
    assert_int_equal(res(h)->status, SMTP_RESULT_TEMPFAIL);
    /* a sticky error the driver can read, never an abort or a print */
    assert_int_equal(smtp_client_last_error(h->cl), SMTP_CLIENT_ERR_PROTOCOL);
    assert_string_equal(res(h)->stage, "EHLO");
    assert_non_null(strstr(res(h)->text, "protocol error"));
    assert_non_null(find_event(h, SMTP_EV_ERROR, key));
    assert_non_null(find_event(h, SMTP_EV_CLOSE, NULL));
    end(h);
}

static void test_malformed_replies(void **state)
{
    (void)state;
    expect_give_up("hello there\r\n", 13, "client.malformed_reply");
    expect_give_up("25\r\n", 4, "client.malformed_reply");
    expect_give_up("250x\r\n", 6, "client.malformed_reply");
    expect_give_up("650 what\r\n", 10, "client.malformed_reply");
    expect_give_up("250-a\r\n251 b\r\n", 14, "client.malformed_reply");
    expect_give_up("250 a\0b\r\n", 9, "client.malformed_reply");
    expect_give_up("\xff\xfe\x00\x01\n", 5, "client.malformed_reply");
    expect_give_up("354 go ahead\r\n", 14, "client.unexpected_reply");
}

static void test_line_too_long(void **state)
{
    (void)state;
    char *big = malloc(SMTP_CLIENT_REPLY_LINE_MAX + 10);
    memset(big, 'a', SMTP_CLIENT_REPLY_LINE_MAX + 10);
    memcpy(big, "250 ", 4);
    expect_give_up(big, SMTP_CLIENT_REPLY_LINE_MAX + 10, "client.line_too_long");
    /* exactly at the limit is fine */
    harness *h = new_harness();
    begin(h, "220 mx\r\n", NULL);
    memcpy(big + SMTP_CLIENT_REPLY_LINE_MAX - 2, "\r\n", 2);
    smtp_client_feed(h->cl, big, SMTP_CLIENT_REPLY_LINE_MAX, h->now);
    drain(h);
    assert_false(smtp_client_done(h->cl));
    assert_int_equal(smtp_client_state_get(h->cl), SMTP_CLI_MAIL);
    end(h);
    free(big);
}

static void test_too_many_lines(void **state)
{
    (void)state;
    size_t n = SMTP_CLIENT_REPLY_LINES_MAX + 1;
    char *buf = malloc(n * 8 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(buf + i * 8, "250-XY\r\n", 8);
    expect_give_up(buf, n * 8, "client.malformed_reply");
    free(buf);
}

static void test_unsolicited_reply_after_quit(void **state)
{
    (void)state;
    harness *h = new_harness();
    begin(h, "554 no\r\n", "221 bye\r\n250 extra\r\n", NULL);
    assert_true(smtp_client_done(h->cl));
    assert_int_equal(res(h)->status, SMTP_RESULT_PERMFAIL);
    end(h);
}

/* random garbage, in random pieces, at every stage: never a crash, always an end */
static void test_garbage_never_crashes(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    char buf[700];
    for (int round = 0; round < 2000; round++) {
        harness *h = new_harness();
        h->cfg.tls_available = round % 3 == 0;
        h->cfg.auth_user = round % 2 ? "u" : NULL;
        h->cfg.auth_password = "p";
        start(h);
        const char *prefix[] = {"220 mx\r\n", "250-mx\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n",
                                "250 ok\r\n", "334 x\r\n", "354 go\r\n"};
        int steps = round % 6;
        for (int i = 0; i < steps && i < 5; i++)
            smtp_client_feed(h->cl, prefix[i], strlen(prefix[i]), h->now);
        drain(h);
        for (int k = 0; k < 8 && !smtp_client_done(h->cl); k++) {
            size_t n = 0;
            seed = seed * 1103515245u + 12345u;
            size_t want = (seed >> 16) % sizeof buf;
            for (; n < want; n++) {
                seed = seed * 1103515245u + 12345u;
                uint32_t r = seed >> 16;
                /* mostly reply-shaped bytes, some garbage */
                const char alpha[] = "2345-  \r\n0123456789abc.";
                buf[n] = r % 7 == 0 ? (char)(r >> 3) : alpha[r % (sizeof alpha - 1)];
            }
            smtp_client_feed(h->cl, buf, n, h->now);
            drain(h);
            if (h->n_ev > MAX_EVENTS - 40)
                h->n_ev = 0;
            h->sent_len = 0;
        }
        smtp_client_connection_lost(h->cl, h->now);
        drain(h);
        assert_true(smtp_client_done(h->cl));
        assert_int_not_equal(res(h)->status, SMTP_RESULT_PENDING);
        end(h);
    }
}

/* ---- engine reuse ---- */

static void test_reset_reuses_engine(void **state)
{
    (void)state;
    harness *h = new_harness();
    start(h);
    for (int round = 0; round < 3; round++) {
        if (round > 0) {
            assert_int_equal(smtp_client_reset(h->cl, &h->cfg, h->now), 0);
            h->n_ev = 0;
            h->sent_len = 0;
            drain(h);
            expect_sent(h, "");
        }
        srv(h, "220 mx\r\n");
        srv(h, ehlo_pipe);
        srv(h, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
        h->sent_len = 0;
        srv(h, "250 queued\r\n");
        expect_sent(h, "QUIT\r\n");
        srv(h, "221 bye\r\n");
        assert_true(smtp_client_done(h->cl));
        assert_int_equal(res(h)->status, SMTP_RESULT_OK);
        assert_int_equal(res(h)->n_accepted, 2);
    }
    end(h);
}

static void test_config_strings_copied(void **state)
{
    (void)state;
    harness *h = new_harness();
    char from[32] = "alice@example.com";
    char r0[32] = "bob@example.org";
    const char *rc[] = {r0};
    char body[16] = "hi\n";
    h->cfg.mail_from = from;
    h->cfg.rcpts = rc;
    h->cfg.n_rcpts = 1;
    h->cfg.data = body;
    h->cfg.data_len = 3;
    start(h);
    strcpy(from, "XXXX");
    strcpy(r0, "YYYY");
    strcpy(body, "ZZZ");
    srv(h, "220 mx\r\n");
    srv(h, "250 mx\r\n");
    srv(h, "250 ok\r\n");
    srv(h, "250 ok\r\n");
    h->sent_len = 0;
    srv(h, "354 go\r\n");
    expect_sent(h, "hi\r\n.\r\n");
    assert_non_null(find_event(h, SMTP_EV_COMMAND, "client.mail"));
    assert_memory_equal(find_event(h, SMTP_EV_COMMAND, "client.mail")->bytes,
                        "MAIL FROM:<alice@example.com>", 29);
    end(h);
}

/* a driver that feeds several times before it drains: every queued event keeps its bytes */
static void test_events_survive_until_drained(void **state)
{
    (void)state;
    harness *h = new_harness();
    h->cl = smtp_client_new(&h->cfg, 1000);
    assert_non_null(h->cl);
    const char *r[] = {"220 mx.example.org ESMTP\r\n", "250-mx\r\n250 PIPELINING\r\n",
                       "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n"};
    for (size_t i = 0; i < 3; i++)
        smtp_client_feed(h->cl, r[i], strlen(r[i]), 1000);
    drain(h);
    const rec_event *e = find_event(h, SMTP_EV_REPLY, "client.greeting");
    assert_non_null(e);
    assert_string_equal(e->bytes, r[0]);
    e = find_event(h, SMTP_EV_COMMAND, "client.ehlo");
    assert_non_null(e);
    assert_string_equal(e->bytes, "EHLO mua.example.com\r\n");
    e = find_event(h, SMTP_EV_DATA, NULL);
    assert_non_null(e);
    assert_string_equal(e->bytes, "Subject: hi\r\n\r\nHello Bob.\r\n.\r\n");
    end(h);
}

static void test_state_names(void **state)
{
    (void)state;
    for (int s = SMTP_CLI_GREETING; s <= SMTP_CLI_DONE; s++) {
        const char *n = smtp_client_state_name((smtp_client_state)s);
        assert_non_null(n);
        assert_string_not_equal(n, "unknown");
    }
    smtp_client_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_one_at_a_time),
        cmocka_unit_test(test_pipelining_one_write),
        cmocka_unit_test(test_pipelining_off_by_config),
        cmocka_unit_test(test_helo_fallback),
        cmocka_unit_test(test_helo_fallback_500),
        cmocka_unit_test(test_greeting_554),
        cmocka_unit_test(test_greeting_421_closes),
        cmocka_unit_test(test_starttls_opportunistic),
        cmocka_unit_test(test_starttls_not_without_tls_available),
        cmocka_unit_test(test_starttls_required_not_offered),
        cmocka_unit_test(test_starttls_required_refused),
        cmocka_unit_test(test_starttls_opportunistic_refused_continues),
        cmocka_unit_test(test_starttls_injection_discarded),
        cmocka_unit_test(test_implicit_tls),
        cmocka_unit_test(test_starttls_offered_again_after_tls),
        cmocka_unit_test(test_bytes_during_handshake_dropped),
        cmocka_unit_test(test_auth_plain),
        cmocka_unit_test(test_auth_plain_show_secrets),
        cmocka_unit_test(test_auth_login),
        cmocka_unit_test(test_auth_mech_forced),
        cmocka_unit_test(test_auth_failed),
        cmocka_unit_test(test_auth_not_offered_skipped),
        cmocka_unit_test(test_size_exceeded_not_sent),
        cmocka_unit_test(test_size_ignored_server_refuses),
        cmocka_unit_test(test_size_ignored_pipelined),
        cmocka_unit_test(test_size_zero_means_no_limit),
        cmocka_unit_test(test_8bitmime_smtputf8_dsn),
        cmocka_unit_test(test_smtputf8_needed_not_offered),
        cmocka_unit_test(test_smtputf8_asked_but_not_needed),
        cmocka_unit_test(test_null_reverse_path),
        cmocka_unit_test(test_dot_stuffing_and_crlf),
        cmocka_unit_test(test_bare_cr_becomes_crlf),
        cmocka_unit_test(test_empty_message_and_trailing_crlf),
        cmocka_unit_test(test_size_counts_crlf_not_stuffing),
        cmocka_unit_test(test_partial_recipients),
        cmocka_unit_test(test_all_rcpts_refused_rset_quit),
        cmocka_unit_test(test_all_rcpts_permfail),
        cmocka_unit_test(test_pipelined_all_refused_data_rejected),
        cmocka_unit_test(test_pipelined_all_refused_data_354),
        cmocka_unit_test(test_pipelined_mail_refused),
        cmocka_unit_test(test_mail_tempfail_one_at_a_time),
        cmocka_unit_test(test_final_reply_tempfail),
        cmocka_unit_test(test_final_reply_permfail),
        cmocka_unit_test(test_421_mid_session),
        cmocka_unit_test(test_connection_lost_before_final),
        cmocka_unit_test(test_connection_lost_after_accept_is_ok),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_data_block_timeout_while_sending),
        cmocka_unit_test(test_greeting_timeout),
        cmocka_unit_test(test_reply_split_byte_by_byte),
        cmocka_unit_test(test_bare_lf_and_code_only_lines),
        cmocka_unit_test(test_malformed_replies),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_too_many_lines),
        cmocka_unit_test(test_unsolicited_reply_after_quit),
        cmocka_unit_test(test_garbage_never_crashes),
        cmocka_unit_test(test_reset_reuses_engine),
        cmocka_unit_test(test_config_strings_copied),
        cmocka_unit_test(test_events_survive_until_drained),
        cmocka_unit_test(test_state_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
