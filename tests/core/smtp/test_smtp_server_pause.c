/* test_smtp_server_pause.c - policy hooks that answer "pending" (smtp_server_resume), the
 * verdict helpers and the sticky errors of the server engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/smtp/server_harness.h"
#include "core/smtp/smtp_server.h"

static harness H; /* large: static, one test at a time */

static const char *const domains[] = {"example.org"};

/* What the hooks do: pend for one address (or every message), or answer at once. */
typedef struct {
    bool sync;          /* answer synchronously what resume would have given */
    smtp_verdict later; /* the verdict given on resume (or synchronously) */
    int mail_calls, rcpt_calls, accept_calls;
    size_t accept_len;  /* data_len seen by on_accept */
    bool pend_accept;
} hooks;

static void on_mail(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    hooks *k = ctx;
    k->mail_calls++;
    if (strcmp(env->mail_from, "slow@b.example") != 0)
        return;
    if (k->sync)
        *v = k->later;
    else
        smtp_verdict_pending(v);
}

static void on_rcpt(void *ctx, const smtp_envelope *env, const char *rcpt, smtp_verdict *v)
{
    hooks *k = ctx;
    (void)env;
    k->rcpt_calls++;
    if (strcmp(rcpt, "slow@example.org") != 0)
        return;
    if (k->sync)
        *v = k->later;
    else
        smtp_verdict_pending(v);
}

static void on_accept(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    hooks *k = ctx;
    k->accept_calls++;
    k->accept_len = env->data_len;
    if (!k->pend_accept)
        return;
    if (k->sync)
        *v = k->later;
    else
        smtp_verdict_pending(v);
}

static void start(hooks *k)
{
    smtp_server_config cfg;
    smtp_server_config_default(&cfg, SMTP_ROLE_MX);
    cfg.hostname = "mx.example.org";
    cfg.local_domains = domains;
    cfg.n_local_domains = 1;
    cfg.policy.ctx = k;
    cfg.policy.on_mail = on_mail;
    cfg.policy.on_rcpt = on_rcpt;
    cfg.policy.on_accept = on_accept;
    h_start(&H, &cfg, NULL);
    assert_true(strncmp(h_feed(&H, "EHLO c\r\n"), "250-mx.example.org\r\n", 20) == 0);
}

/* h_resume - resume and drain; returns the output. */
static const char *h_resume(const smtp_verdict *v)
{
    assert_int_equal(smtp_server_resume(H.srv, v, H.now), 0);
    h_drain(&H);
    return H.out;
}

static const char PIPELINE[] = "MAIL FROM:<a@b.example>\r\nRCPT TO:<slow@example.org>\r\n"
                               "RCPT TO:<bob@example.org>\r\nDATA\r\n";

/* A pending RCPT holds the pipelined commands behind it; accepted on resume, they follow. */
static void test_pipelined_behind_pending_rcpt(void **state)
{
    (void)state;
    hooks k = {0};
    start(&k);
    assert_string_equal(h_feed(&H, PIPELINE), "250 2.1.0 Ok\r\n");
    assert_true(smtp_server_paused(H.srv));
    assert_int_equal(k.rcpt_calls, 1); /* bob's RCPT is held, not yet looked at */
    /* more bytes while paused are kept, not answered */
    assert_string_equal(h_feed(&H, ""), "");
    assert_int_equal(smtp_server_deadline(H.srv), UINT64_MAX);
    smtp_verdict ok = {0};
    H.now += 5000;
    assert_string_equal(h_resume(&ok), "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
                                       "354 End data with <CR><LF>.<CR><LF>\r\n");
    assert_false(smtp_server_paused(H.srv));
    assert_int_equal(k.rcpt_calls, 2);
    assert_int_equal(smtp_server_envelope(H.srv)->n_rcpts, 2);
    /* the client's timeout restarts at our answer */
    assert_int_equal(smtp_server_deadline(H.srv), H.now + 5 * 60 * 1000);
    assert_string_equal(h_feed(&H, "hi\r\n.\r\n"), "250 2.0.0 Ok: queued\r\n");
    h_end(&H);
}

/* Resumed with 4xx and 5xx: the refusal goes out under rcpt.rejected, the rest follows. */
static void test_resume_refusals(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *esc, *text, *want;
    } cases[] = {
        {450, "4.7.1", "Try again in %d s", "450 4.7.1 Try again in 30 s\r\n"},
        {550, "5.1.1", "No such user here", "550 5.1.1 No such user here\r\n"},
        {550, "", "", "550 Rejected by policy\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hooks k = {0};
        start(&k);
        h_feed(&H, PIPELINE);
        smtp_verdict v;
        smtp_verdict_set(&v, cases[i].code, cases[i].esc, cases[i].text, 30);
        char want[200];
        snprintf(want, sizeof want, "%s250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n",
                 cases[i].want);
        assert_string_equal(h_resume(&v), want);
        assert_non_null(h_find(&H, SMTP_EV_REPLY, "rcpt.rejected"));
        assert_int_equal(smtp_server_envelope(H.srv)->n_rcpts, 1);
        h_end(&H);
    }
}

/* Pending and synchronous hooks give the same bytes for the same verdict. */
static void test_same_as_synchronous(void **state)
{
    (void)state;
    static const char script[] = "MAIL FROM:<slow@b.example>\r\nRCPT TO:<slow@example.org>\r\n"
                                 "RCPT TO:<bob@example.org>\r\nDATA\r\n";
    for (int refuse = 0; refuse < 2; refuse++) {
        char sync_out[4096], async_out[4096] = "";
        hooks k = {.sync = true, .pend_accept = true};
        if (refuse)
            smtp_verdict_set(&k.later, 451, "4.7.1", "Greylisted");
        start(&k);
        snprintf(sync_out, sizeof sync_out, "%s", h_feed(&H, script));
        strncat(sync_out, h_feed(&H, "x\r\n.\r\nQUIT\r\n"), sizeof sync_out - strlen(sync_out) - 1);
        h_end(&H);

        hooks a = {.pend_accept = true};
        a.later = k.later;
        start(&a);
        strcat(async_out, h_feed(&H, script));
        for (int guard = 0; smtp_server_paused(H.srv) && guard < 5; guard++)
            strcat(async_out, h_resume(&a.later));
        strcat(async_out, h_feed(&H, "x\r\n.\r\nQUIT\r\n"));
        for (int guard = 0; smtp_server_paused(H.srv) && guard < 5; guard++)
            strcat(async_out, h_resume(&a.later));
        assert_string_equal(async_out, sync_out);
        assert_true(smtp_server_done(H.srv));
        h_end(&H);
    }
}

/* A pending MAIL refused later: the RCPT held behind it meets no transaction. */
static void test_pending_mail(void **state)
{
    (void)state;
    hooks k = {0};
    start(&k);
    assert_string_equal(h_feed(&H, "MAIL FROM:<slow@b.example>\r\nRCPT TO:<bob@example.org>\r\n"),
                        "");
    assert_true(smtp_server_paused(H.srv));
    smtp_verdict v;
    smtp_verdict_set(&v, 451, "4.7.1", "Greylisted, try again later");
    assert_string_equal(h_resume(&v), "451 4.7.1 Greylisted, try again later\r\n"
                                      "503 5.5.1 Need MAIL before RCPT\r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_IDLE);
    assert_string_equal(smtp_server_envelope(H.srv)->mail_from, "");
    h_end(&H);
}

/* A pending end of DATA (a disk flush): the envelope stays readable, 250 only on resume. */
static void test_pending_accept(void **state)
{
    (void)state;
    hooks k = {.pend_accept = true};
    start(&k);
    h_feed(&H, "MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    assert_string_equal(h_feed(&H, "Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n"), "");
    assert_true(smtp_server_paused(H.srv));
    assert_int_equal(k.accept_len, strlen("Subject: x\r\n\r\nbody\r\n"));
    assert_int_equal(smtp_server_envelope(H.srv)->data_len, k.accept_len);
    assert_null(h_find(&H, SMTP_EV_MESSAGE, NULL));
    smtp_verdict ok = {0};
    assert_string_equal(h_resume(&ok), "250 2.0.0 Ok: queued\r\n221 2.0.0 Bye\r\n");
    assert_non_null(h_find(&H, SMTP_EV_MESSAGE, NULL));
    assert_true(smtp_server_done(H.srv));
    h_end(&H);

    /* a failed write answered 451 4.3.0: the session goes on */
    start(&k);
    h_feed(&H, "MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nx\r\n.\r\n");
    smtp_verdict v;
    smtp_verdict_set(&v, 451, "4.3.0", "Local error in processing");
    assert_string_equal(h_resume(&v), "451 4.3.0 Local error in processing\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "data.rejected"));
    assert_string_equal(h_feed(&H, "NOOP\r\n"), "250 2.0.0 Ok\r\n");
    h_end(&H);
}

/* No timeout runs while paused; shutdown while paused answers 421 and drops the verdict. */
static void test_timeout_and_shutdown_while_paused(void **state)
{
    (void)state;
    hooks k = {0};
    start(&k);
    h_feed(&H, PIPELINE);
    H.now += 3600 * 1000;
    smtp_server_tick(H.srv, H.now);
    h_drain(&H);
    assert_string_equal(H.out, "");
    assert_true(smtp_server_paused(H.srv));
    smtp_server_shutdown(H.srv, H.now);
    h_drain(&H);
    assert_string_equal(H.out, "421 4.3.2 Service shutting down, closing connection\r\n");
    assert_false(smtp_server_paused(H.srv));
    smtp_verdict ok = {0};
    assert_int_equal(smtp_server_resume(H.srv, &ok, H.now), -1);
    assert_int_equal(smtp_server_feed(H.srv, "NOOP\r\n", 6, H.now), -1);
    h_end(&H);
}

/* Resume is refused when not paused or with a pending verdict; the hold buffer has a limit. */
static void test_resume_misuse_and_overflow(void **state)
{
    (void)state;
    hooks k = {0};
    start(&k);
    smtp_verdict ok = {0}, pend;
    smtp_verdict_pending(&pend);
    assert_int_equal(smtp_server_resume(H.srv, &ok, H.now), -1);
    h_feed(&H, PIPELINE);
    assert_int_equal(smtp_server_resume(H.srv, &pend, H.now), -1);
    assert_true(smtp_server_paused(H.srv));
    static char junk[SMTP_SERVER_HOLD_MAX];
    memset(junk, 'x', sizeof junk);
    h_feedn(&H, junk, sizeof junk);
    assert_int_equal(smtp_server_last_error(H.srv), SMTP_SERVER_ERR_HOLD_OVERFLOW);
    assert_string_equal(h_resume(&ok), "250 2.1.5 Ok\r\n"
                                       "421 4.7.0 Too much pipelined input, closing connection\r\n");
    assert_true(smtp_server_done(H.srv));
    h_end(&H);
}

/* A bad verdict is a sticky error and 451 4.3.0, never an abort or a print. */
static void test_sticky_errors(void **state)
{
    (void)state;
    hooks k = {0};
    start(&k);
    assert_int_equal(smtp_server_last_error(H.srv), SMTP_SERVER_OK);
    h_feed(&H, PIPELINE);
    smtp_verdict bad;
    smtp_verdict_set(&bad, 250, "", "not a refusal");
    assert_string_equal(h_resume(&bad), "451 4.3.0 Local policy error, try again later\r\n"
                                        "250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    assert_int_equal(smtp_server_last_error(H.srv), SMTP_SERVER_ERR_BAD_VERDICT);
    /* sticky: a later good session step does not clear it */
    h_feed(&H, "x\r\n.\r\n");
    assert_int_equal(smtp_server_last_error(H.srv), SMTP_SERVER_ERR_BAD_VERDICT);
    assert_string_equal(smtp_server_error_name(SMTP_SERVER_ERR_BAD_VERDICT),
                        "malformed verdict from a policy hook");
    h_end(&H);
}

/* smtp_verdict_set truncates a long text instead of overflowing. */
static void test_verdict_set(void **state)
{
    (void)state;
    smtp_verdict v;
    char long_text[400];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    smtp_verdict_set(&v, 554, "5.7.1", "%s", long_text);
    assert_int_equal(v.code, 554);
    assert_string_equal(v.esc, "5.7.1");
    assert_int_equal(strlen(v.text), sizeof v.text - 1);
    smtp_verdict_set(&v, 451, NULL, "x");
    assert_string_equal(v.esc, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipelined_behind_pending_rcpt),
        cmocka_unit_test(test_resume_refusals),
        cmocka_unit_test(test_same_as_synchronous),
        cmocka_unit_test(test_pending_mail),
        cmocka_unit_test(test_pending_accept),
        cmocka_unit_test(test_timeout_and_shutdown_while_paused),
        cmocka_unit_test(test_resume_misuse_and_overflow),
        cmocka_unit_test(test_sticky_errors),
        cmocka_unit_test(test_verdict_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
