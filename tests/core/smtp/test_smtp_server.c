/* test_smtp_server.c - the server engine, command by command and error path by error path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/util/base64.h"
#include "core/smtp/server_harness.h"
#include "core/smtp/smtp_server.h"

static harness H; /* large: static, one test at a time */

static const char *const domains[] = {"example.org", "lists.example.org"};
static const char *const boxes[] = {"bob", "alice"};
static const smtp_user users[] = {{"alice", "secret"}, {"bob", "hunter2"}};

static void mx_config(smtp_server_config *cfg)
{
    smtp_server_config_default(cfg, SMTP_ROLE_MX);
    cfg->hostname = "mx.example.org";
    cfg->local_domains = domains;
    cfg->n_local_domains = 2;
}

static void msa_config(smtp_server_config *cfg)
{
    smtp_server_config_default(cfg, SMTP_ROLE_MSA);
    cfg->hostname = "smtp.example.net";
    cfg->users = users;
    cfg->n_users = 2;
}

/* start - the set-up of a case: a server with cfg (NULL: the MX of mx_config), and the
 * client's `opening` commands (NULL: none) already fed, their replies in H.out */
static void start(const smtp_server_config *cfg, const char *opening)
{
    smtp_server_config mx;
    if (!cfg) {
        mx_config(&mx);
        cfg = &mx;
    }
    h_start(&H, cfg, NULL);
    if (opening)
        h_feed(&H, opening);
}

/* exchange - a command (or several) and the exact replies the server must give to it; NULL:
 * fed without a check, to move the session on */
typedef struct {
    const char *send;
    const char *want;
} exchange;

/* converse_n - play the rows in order against H, each reply compared byte for byte */
static void converse_n(const exchange *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *got = h_feed(&H, x[i].send);
        if (x[i].want && strcmp(got, x[i].want) != 0)
            fail_msg("row %zu: %s gave\n[%s]\nwanted\n[%s]", i, x[i].send, got, x[i].want);
    }
}

#define converse(rows) converse_n(rows, sizeof rows / sizeof *rows)

/* plain_ir - base64 of "\0user\0pass" */
static const char *plain_ir(const char *user, const char *pass)
{
    static char out[256];
    unsigned char raw[128];
    size_t ul = strlen(user), pl = strlen(pass);
    raw[0] = 0;
    memcpy(raw + 1, user, ul);
    raw[1 + ul] = 0;
    memcpy(raw + 2 + ul, pass, pl);
    assert_true(base64_encode(raw, 2 + ul + pl, out, sizeof out) > 0);
    return out;
}

/* ---- basic session ------------------------------------------------------------------- */

static void test_greeting(void **state)
{
    (void)state;
    start(NULL, NULL);
    assert_string_equal(H.out, "220 mx.example.org ESMTP smtpsim\r\n");
    const h_event *e = h_find(&H, SMTP_EV_STATE, NULL);
    assert_non_null(e);
    assert_int_equal(e->from, SMTP_SRV_GREETING);
    assert_int_equal(e->to, SMTP_SRV_READY);
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "greeting"));
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_READY);
    assert_int_equal(smtp_server_deadline(H.srv), 1000 + 5 * 60 * 1000);
    h_end(&H);
}

static void test_basic_session(void **state)
{
    (void)state;
    start(NULL, NULL);
    const char *r = h_feed(&H, "EHLO client.example.net\r\n");
    assert_string_equal(r, "250-mx.example.org\r\n"
                           "250-PIPELINING\r\n"
                           "250-SIZE 10485760\r\n"
                           "250-STARTTLS\r\n"
                           "250-ENHANCEDSTATUSCODES\r\n"
                           "250-8BITMIME\r\n"
                           "250-DSN\r\n"
                           "250 SMTPUTF8\r\n");
    const h_event *c = h_find(&H, SMTP_EV_COMMAND, "cmd.ehlo");
    assert_non_null(c);
    assert_string_equal(c->verb, "EHLO");
    assert_string_equal(c->bytes, "EHLO client.example.net\r\n");
    assert_string_equal(h_feed(&H, "MAIL FROM:<alice@example.net>\r\n"), "250 2.1.0 Ok\r\n");
    const h_event *rep = h_find(&H, SMTP_EV_REPLY, "mail.ok");
    assert_non_null(rep);
    assert_int_equal(rep->code, 250);
    assert_string_equal(rep->esc, "2.1.0");
    assert_string_equal(rep->verb, "MAIL");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_MAIL);
    assert_string_equal(h_feed(&H, "RCPT TO:<bob@example.org>\r\n"), "250 2.1.5 Ok\r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_RCPT);
    assert_string_equal(h_feed(&H, "DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_DATA);
    const char *msg = "Subject: hi\r\n\r\n..leading dot\r\nbody\r\n.\r\n";
    assert_string_equal(h_feed(&H, msg), "250 2.0.0 Ok: queued\r\n");
    assert_non_null(h_find(&H, SMTP_EV_MESSAGE, NULL));
    /* the envelope still describes the message while the driver handles SMTP_EV_MESSAGE */
    const smtp_envelope *env = smtp_server_envelope(H.srv);
    assert_int_equal(env->n_rcpts, 1);
    assert_string_equal(env->rcpts[0], "bob@example.org");
    assert_string_equal(env->mail_from, "alice@example.net");
    assert_int_equal(env->data_len, strlen("Subject: hi\r\n\r\n.leading dot\r\nbody\r\n"));
    assert_memory_equal(env->data, "Subject: hi\r\n\r\n.leading dot\r\nbody\r\n", env->data_len);
    const h_event *d = h_find(&H, SMTP_EV_DATA, NULL);
    assert_non_null(d);
    assert_int_equal(d->len, strlen(msg));
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_IDLE);
    assert_string_equal(h_feed(&H, "QUIT\r\n"), "221 2.0.0 Bye\r\n");
    assert_non_null(h_find(&H, SMTP_EV_CLOSE, NULL));
    assert_true(smtp_server_done(H.srv));
    assert_int_equal(smtp_server_feed(H.srv, "NOOP\r\n", 6, H.now), -1);
    h_end(&H);
}

/* the envelope seen by on_accept */
typedef struct {
    int calls;
    char from[64];
    char rcpt0[64];
    char notify0[32];
    char data[256];
    size_t n_rcpts;
    int reject_code;
} accept_log;

static void on_accept(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    accept_log *log = ctx;
    log->calls++;
    snprintf(log->from, sizeof log->from, "%s", env->mail_from);
    log->n_rcpts = env->n_rcpts;
    if (env->n_rcpts) {
        snprintf(log->rcpt0, sizeof log->rcpt0, "%s", env->rcpts[0]);
        snprintf(log->notify0, sizeof log->notify0, "%s", env->rcpt_notify[0]);
    }
    snprintf(log->data, sizeof log->data, "%.*s", (int)env->data_len, env->data);
    if (log->reject_code) {
        v->code = log->reject_code;
        strcpy(v->esc, "5.7.1");
        strcpy(v->text, "Message content rejected");
    }
}

/* logged_mx - the MX, its on_accept hook writing each envelope it accepts into log */
static void logged_mx(smtp_server_config *cfg, accept_log *log)
{
    mx_config(cfg);
    cfg->policy.ctx = log;
    cfg->policy.on_accept = on_accept;
}

static void test_dot_stuffing_split_bytes(void **state)
{
    (void)state;
    smtp_server_config cfg;
    accept_log log = {0};
    logged_mx(&cfg, &log);
    start(&cfg, "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    const char *msg = "A\r\n..B\r\n.C\r\n\r\n.\r\n";
    char all[256] = "";
    for (size_t i = 0; msg[i]; i++) {
        strcat(all, h_feedn(&H, msg + i, 1));
    }
    assert_string_equal(all, "250 2.0.0 Ok: queued\r\n");
    assert_int_equal(log.calls, 1);
    assert_string_equal(log.data, "A\r\n.B\r\nC\r\n\r\n");
    assert_string_equal(log.from, "a@b.example");
    assert_string_equal(log.rcpt0, "bob@example.org");
    h_end(&H);
}

/* a 50 KB message with dot-started lines, in chunks of every size from 1 to 977 octets */
static void test_large_message_chunks(void **state)
{
    (void)state;
    static char wire[60000], want[60000];
    size_t wl = 0, cl = 0;
    for (int i = 0; wl < 50000; i++) {
        char line[100];
        int n = snprintf(line, sizeof line, "%sline %d of the message, with some text\r\n",
                         i % 7 == 0 ? "." : "", i);
        if (i % 7 == 0)
            wire[wl++] = '.'; /* dot-stuffing */
        memcpy(wire + wl, line, (size_t)n);
        wl += (size_t)n;
        memcpy(want + cl, line, (size_t)n);
        cl += (size_t)n;
    }
    memcpy(wire + wl, ".\r\n", 3);
    wl += 3;
    static char got[60000];
    for (size_t chunk = 1; chunk <= 977; chunk += 138) {
        smtp_server_config cfg;
        mx_config(&cfg);
        smtp_server *srv = smtp_server_new(&cfg, NULL, 0);
        const char *pre = "EHLO c\r\nMAIL FROM:<a@b.example>\r\n"
                          "RCPT TO:<bob@example.org>\r\nDATA\r\n";
        smtp_server_feed(srv, pre, strlen(pre), 0);
        size_t got_len = 0;
        bool done = false;
        for (size_t off = 0; off < wl; off += chunk) {
            size_t n = wl - off < chunk ? wl - off : chunk;
            smtp_server_feed(srv, wire + off, n, 0);
            smtp_event ev;
            while (smtp_server_next_event(srv, &ev)) {
                if (ev.kind == SMTP_EV_MESSAGE) {
                    const smtp_envelope *env = smtp_server_envelope(srv);
                    memcpy(got, env->data, env->data_len);
                    got_len = env->data_len;
                    done = true;
                }
            }
        }
        assert_true(done);
        assert_int_equal(got_len, cl);
        assert_memory_equal(got, want, cl);
        const char *out;
        size_t n = smtp_server_output(srv, &out);
        assert_true(n > 22);
        assert_memory_equal(out + n - 22, "250 2.0.0 Ok: queued\r\n", 22);
        smtp_server_free(srv);
    }
}

static void test_empty_message_and_pipelined_quit(void **state)
{
    (void)state;
    start(NULL, NULL);
    const char *r = h_feed(&H, "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"
                               ".\r\nQUIT\r\n");
    assert_string_equal(r, "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n"
                           "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
                           "250-DSN\r\n250 SMTPUTF8\r\n"
                           "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
                           "354 End data with <CR><LF>.<CR><LF>\r\n"
                           "250 2.0.0 Ok: queued\r\n221 2.0.0 Bye\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "mail.null_sender"));
    h_end(&H);
}

static void test_helo_plain_smtp(void **state)
{
    (void)state;
    start(NULL, NULL);
    static const exchange x[] = {
        {"HELO client\r\n", "250 mx.example.org\r\n"},
        {"MAIL FROM:<a@b.example> SIZE=10\r\n", "555 5.5.4 Unsupported parameter\r\n"},
        {"MAIL FROM:<a@b.example>\r\n", "250 2.1.0 Ok\r\n"},
        {"HELO\r\n", "501 Syntax: HELO hostname\r\n"},
        {"EHLO two words\r\n", "501 Syntax: EHLO hostname\r\n"},
        /* a new EHLO resets the transaction (RFC 5321 4.1.4) */
        {"EHLO again\r\n", NULL},
        {"RCPT TO:<bob@example.org>\r\n", "503 5.5.1 Need MAIL before RCPT\r\n"},
    };
    converse(x);
    h_end(&H);
}

/* ---- sequencing and syntax ------------------------------------------------------------- */

static void test_sequence_errors(void **state)
{
    (void)state;
    start(NULL, NULL);
    assert_string_equal(h_feed(&H, "MAIL FROM:<a@b.example>\r\n"),
                        "503 5.5.1 Send HELO/EHLO first\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "seq.need_helo"));
    static const exchange x[] = {
        {"EHLO c\r\n", NULL},
        {"RCPT TO:<bob@example.org>\r\n", "503 5.5.1 Need MAIL before RCPT\r\n"},
        {"DATA\r\n", "503 5.5.1 Need RCPT before DATA\r\n"},
        {"MAIL FROM:<a@b.example>\r\n", NULL},
        {"MAIL FROM:<a@b.example>\r\n", "503 5.5.1 Nested MAIL command\r\n"},
        {"DATA\r\n", "554 5.5.1 No valid recipients\r\n"},
        {"RSET\r\n", "250 2.0.0 Ok\r\n"},
    };
    converse(x);
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_IDLE);
    h_end(&H);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    start(NULL, "EHLO c\r\n");
    static const exchange x[] = {
        {"FOO bar\r\n", "500 5.5.2 Command unrecognized\r\n"},
        {"\r\n", "500 5.5.2 Empty command\r\n"},
        {"MAIL TO:<a@b.example>\r\n", "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"},
        {"MAIL\r\n", "501 5.5.4 Syntax error: argument required\r\n"},
        {"MAIL FROM:a@b.example\r\n", "501 5.1.7 Bad sender address syntax\r\n"},
        {"MAIL FROM:<a..b@example.org>\r\n", "501 5.1.7 Bad sender address syntax\r\n"},
        {"MAIL FROM:<a@-bad.example>\r\n", "501 5.1.7 Bad sender address syntax\r\n"},
        {"mail from: <a@b.example>\r\n", "250 2.1.0 Ok\r\n"},
        {"RCPT TO:<>\r\n", "501 5.1.3 Bad recipient address syntax\r\n"},
        {"RCPT TO:<bob@example.org>x\r\n", "501 5.1.3 Bad recipient address syntax\r\n"},
        {"RSET now\r\n", "501 5.5.4 Syntax error: no arguments allowed\r\n"},
        {"DATA x\r\n", "501 5.5.4 Syntax error: no arguments allowed\r\n"},
        {"NOOP anything\r\n", "250 2.0.0 Ok\r\n"},
    };
    converse(x);
    h_end(&H);
}

static void test_vrfy_help_expn(void **state)
{
    (void)state;
    start(NULL, NULL);
    static const exchange x[] = {
        {"VRFY bob\r\n",
         "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery\r\n"},
        {"VRFY\r\n", "501 5.5.4 Syntax error: argument required\r\n"},
        /* RFC 5321 7.3: a site that disables EXPN for security MUST answer 252 */
        {"EXPN staff\r\n", "252 2.0.0 EXPN disabled: list members are not disclosed\r\n"},
    };
    converse(x);
    const char *r = h_feed(&H, "HELP\r\n");
    assert_true(strncmp(r, "214-2.0.0 Commands: HELO", 24) == 0);
    assert_non_null(strstr(r, "\r\n214 2.0.0 End of HELP info\r\n"));
    h_end(&H);
}

static void test_paths(void **state)
{
    (void)state;
    smtp_server_config cfg;
    mx_config(&cfg);
    cfg.mailboxes = boxes;
    cfg.n_mailboxes = 2;
    start(&cfg, "EHLO c\r\nMAIL FROM:<@relay.example:a@b.example>\r\n");
    assert_string_equal(H.out, "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n"
                               "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
                               "250-DSN\r\n250 SMTPUTF8\r\n250 2.1.0 Ok\r\n");
    assert_string_equal(smtp_server_envelope(H.srv)->mail_from, "a@b.example");
    assert_string_equal(h_feed(&H, "RCPT TO:<Postmaster>\r\n"), "250 2.1.5 Ok\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "rcpt.postmaster"));
    assert_string_equal(h_feed(&H, "RCPT TO:<postmaster@EXAMPLE.org>\r\n"), "250 2.1.5 Ok\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<carol@example.org>\r\n"),
                        "550 5.1.1 User unknown in local recipient table\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "rcpt.unknown_user"));
    assert_string_equal(h_feed(&H, "RCPT TO:<BOB@Example.ORG>\r\n"), "250 2.1.5 Ok\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<\"bob\"@example.org>\r\n"),
                        "550 5.1.1 User unknown in local recipient table\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<bob@[192.0.2.1]>\r\n"),
                        "554 5.7.1 Relay access denied\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<\"unterminated@example.org>\r\n"),
                        "501 5.1.3 Bad recipient address syntax\r\n");
    const smtp_envelope *env = smtp_server_envelope(H.srv);
    assert_int_equal(env->n_rcpts, 3);
    assert_string_equal(env->rcpts[0], "Postmaster");
    assert_string_equal(env->rcpts[2], "BOB@Example.ORG");
    h_end(&H);

    /* quoted local-parts with spaces and escapes, when every local-part exists */
    start(NULL, "EHLO c\r\nMAIL FROM:<\"john q\\\"x\"@b.example>\r\n");
    assert_non_null(strstr(H.out, "250 2.1.0 Ok\r\n"));
    assert_string_equal(h_feed(&H, "RCPT TO:<\"john doe\"@example.org>\r\n"), "250 2.1.5 Ok\r\n");
    h_end(&H);
}

static void test_path_limits(void **state)
{
    (void)state;
    start(NULL, "EHLO c\r\n");
    char line[700];
    char local[80];
    memset(local, 'a', 65);
    local[65] = '\0';
    snprintf(line, sizeof line, "MAIL FROM:<%s@b.example>\r\n", local);
    assert_string_equal(h_feed(&H, line), "501 5.5.4 Local-part too long\r\n");
    local[64] = '\0';
    snprintf(line, sizeof line, "MAIL FROM:<%s@b.example>\r\n", local);
    assert_string_equal(h_feed(&H, line), "250 2.1.0 Ok\r\n");
    /* a domain of 256 octets made of valid labels: "aaaaaaaaa." x 25 + "abcdef" */
    char dom[300] = "";
    for (int i = 0; i < 25; i++)
        strcat(dom, "aaaaaaaaa.");
    strcat(dom, "abcdef");
    assert_int_equal(strlen(dom), 256);
    snprintf(line, sizeof line, "RCPT TO:<x@%s>\r\n", dom);
    assert_string_equal(h_feed(&H, line), "501 5.5.4 Domain too long\r\n");
    dom[252] = '\0'; /* <x@...> is then exactly 256 octets */
    snprintf(line, sizeof line, "RCPT TO:<x@%s>\r\n", dom);
    assert_string_equal(h_feed(&H, line), "554 5.7.1 Relay access denied\r\n");
    /* path over 256 octets with a legal local-part and domain */
    dom[249] = '\0';
    snprintf(line, sizeof line, "RCPT TO:<%s@%s>\r\n", local, dom);
    assert_string_equal(h_feed(&H, line), "501 5.5.4 Path too long\r\n");
    h_end(&H);
}

static void test_line_too_long(void **state)
{
    (void)state;
    start(NULL, NULL);
    char line[700];
    memset(line, 'x', 600);
    memcpy(line, "NOOP ", 5);
    strcpy(line + 600, "\r\n");
    assert_string_equal(h_feed(&H, line), "500 5.5.6 Line too long\r\n");
    assert_non_null(h_find(&H, SMTP_EV_ERROR, "line.too_long"));
    /* exactly 512 octets with CRLF is fine */
    memset(line, 'x', 510);
    memcpy(line, "NOOP ", 5);
    strcpy(line + 510, "\r\n");
    assert_string_equal(h_feed(&H, line), "250 2.0.0 Ok\r\n");
    line[510] = 'x';
    strcpy(line + 511, "\r\n");
    assert_string_equal(h_feed(&H, line), "500 5.5.6 Line too long\r\n");
    /* the session goes on */
    assert_string_equal(h_feed(&H, "NOOP\r\n"), "250 2.0.0 Ok\r\n");
    h_end(&H);
}

static void test_bare_lf_command(void **state)
{
    (void)state;
    start(NULL, NULL);
    assert_string_equal(h_feed(&H, "EHLO c\n"),
                        "500 5.5.2 Bare LF received, lines must end with CRLF\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "line.bare_lf"));
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_READY);
    h_end(&H);
}

/* ---- data: smuggling, sizes, lines ---------------------------------------------------- */

static void open_data(void)
{
    h_feed(&H, "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_DATA);
}

static void test_bare_lf_in_data(void **state)
{
    (void)state;
    accept_log log = {0};
    smtp_server_config cfg;
    logged_mx(&cfg, &log);
    start(&cfg, NULL);
    open_data();
    /* "\n.\n" and "\r\n.\n" and "\n.\r\n" must not end the message */
    assert_string_equal(h_feed(&H, "one\n.\ntwo\r\n.\nthree\n.\r\nMAIL FROM:<evil@x.example>\r\n"),
                        "");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_DATA);
    assert_string_equal(h_feed(&H, "\r\n.\r\n"),
                        "550 5.6.0 Message refused: bare CR or LF in message (RFC 5321 2.3.8)\r\n");
    assert_non_null(h_find(&H, SMTP_EV_ERROR, "data.bare_lf"));
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "data.bare_lf"));
    assert_int_equal(log.calls, 0);
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_IDLE);
    /* bare CR */
    h_feed(&H, "MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    assert_string_equal(h_feed(&H, "x\r.\r\r\n.\r\n"),
                        "550 5.6.0 Message refused: bare CR or LF in message (RFC 5321 2.3.8)\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "data.bare_cr"));
    h_end(&H);
}

static void test_size(void **state)
{
    (void)state;
    smtp_server_config cfg;
    mx_config(&cfg);
    smtp_limits_set(&cfg.limits, SMTP_LIMIT_MESSAGE_SIZE, 1024);
    start(&cfg, NULL);
    const char *r = h_feed(&H, "EHLO c\r\n");
    assert_non_null(strstr(r, "250-SIZE 1024\r\n"));
    static const exchange x[] = {
        {"MAIL FROM:<a@b.example> SIZE=1025\r\n",
         "552 5.3.4 Message size exceeds fixed maximum message size\r\n"},
        {"MAIL FROM:<a@b.example> SIZE=12x\r\n", "501 5.5.4 Bad SIZE parameter\r\n"},
        {"MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n", "501 5.5.4 Bad SIZE parameter\r\n"},
        {"MAIL FROM:<a@b.example> SIZE=99999999999999999999999\r\n",
         "501 5.5.4 Bad SIZE parameter\r\n"},
        {"MAIL FROM:<a@b.example> SIZE=1000\r\n", "250 2.1.0 Ok\r\n"},
    };
    converse(x);
    assert_int_equal(smtp_server_envelope(H.srv)->declared_size, 1000);
    h_feed(&H, "RCPT TO:<bob@example.org>\r\nDATA\r\n");
    char body[1200];
    memset(body, 'y', sizeof body);
    for (size_t i = 78; i < sizeof body; i += 80) {
        body[i] = '\r';
        body[i + 1] = '\n';
    }
    h_feedn(&H, body, sizeof body);
    assert_string_equal(h_feed(&H, "\r\n.\r\n"),
                        "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "data.too_big"));
    h_end(&H);
}

static void test_text_line_limit(void **state)
{
    (void)state;
    start(NULL, NULL);
    open_data();
    char line[1100];
    memset(line, 'z', 999);
    strcpy(line + 998, "\r\n"); /* 1000 with CRLF: fine */
    h_feed(&H, line);
    assert_string_equal(h_feed(&H, ".\r\n"), "250 2.0.0 Ok: queued\r\n");
    h_feed(&H, "MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    memset(line, 'z', 1000);
    strcpy(line + 999, "\r\n"); /* 1001 */
    h_feed(&H, line);
    assert_string_equal(h_feed(&H, ".\r\n"),
                        "550 5.6.0 Message refused: text line longer than the limit\r\n");
    /* the dot added for transparency does not count (RFC 5321 4.5.3.1.6): 1 + 998 + CRLF */
    h_feed(&H, "MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    memset(line, 'z', 1000);
    line[0] = line[1] = '.';
    strcpy(line + 999, "\r\n");
    h_feed(&H, line);
    assert_string_equal(h_feed(&H, ".\r\n"), "250 2.0.0 Ok: queued\r\n");
    h_end(&H);
}

/* ---- ESMTP parameters --------------------------------------------------------------------- */

static void test_body_and_unknown_params(void **state)
{
    (void)state;
    start(NULL, "EHLO c\r\n");
    static const exchange x[] = {
        {"MAIL FROM:<a@b.example> BODY=9BIT\r\n", "501 5.5.4 Bad BODY parameter\r\n"},
        {"MAIL FROM:<a@b.example> FOO=1\r\n", "555 5.5.4 Unsupported parameter\r\n"},
        {"MAIL FROM:<a@b.example> =x\r\n", "501 5.5.4 Bad parameter syntax\r\n"},
        {"MAIL FROM:<a@b.example> BODY=8bitmime\r\n", "250 2.1.0 Ok\r\n"},
    };
    converse(x);
    assert_string_equal(smtp_server_envelope(H.srv)->body, "8BITMIME");
    assert_string_equal(h_feed(&H, "RCPT TO:<bob@example.org> FOO=bar\r\n"),
                        "555 5.5.4 Unsupported parameter\r\n");
    h_end(&H);
}

static void test_smtputf8(void **state)
{
    (void)state;
    start(NULL, "EHLO c\r\n");
    static const exchange x[] = {
        /* RFC 6531 3.5: 550 for a sender, 553 for a recipient */
        {"MAIL FROM:<j\xc3\xb6rg@b.example>\r\n",
         "550 5.6.7 Non-ASCII address requires SMTPUTF8\r\n"},
        {"MAIL FROM:<j\xc3\xb6rg@b.example> SMTPUTF8=yes\r\n",
         "501 5.5.4 SMTPUTF8 takes no value\r\n"},
        {"MAIL FROM:<bad\xc3@b.example> SMTPUTF8\r\n", "501 5.1.7 Bad sender address syntax\r\n"},
        {"MAIL FROM:<a@b.example>\r\n", "250 2.1.0 Ok\r\n"},
        {"RCPT TO:<j\xc3\xb6rg@example.org>\r\n",
         "553 5.6.7 Non-ASCII address requires SMTPUTF8\r\n"},
        {"RSET\r\n", NULL},
        {"MAIL FROM:<j\xc3\xb6rg@b.example> SMTPUTF8\r\n", "250 2.1.0 Ok\r\n"},
    };
    converse(x);
    assert_true(smtp_server_envelope(H.srv)->smtputf8);
    assert_string_equal(h_feed(&H, "RCPT TO:<j\xc3\xb6rg@example.org>\r\n"), "250 2.1.5 Ok\r\n");
    h_end(&H);
}

static void test_dsn_params(void **state)
{
    (void)state;
    accept_log log = {0};
    smtp_server_config cfg;
    logged_mx(&cfg, &log);
    start(&cfg, "EHLO c\r\n");
    static const exchange mail[] = {
        {"MAIL FROM:<a@b.example> RET=ALL\r\n", "501 5.5.4 Bad RET parameter\r\n"},
        {"MAIL FROM:<a@b.example> ENVID=a+zz\r\n", "501 5.5.4 Bad ENVID parameter\r\n"},
        {"MAIL FROM:<a@b.example> RET=hdrs ENVID=QQ+2Bx\r\n", "250 2.1.0 Ok\r\n"},
    };
    converse(mail);
    const smtp_envelope *env = smtp_server_envelope(H.srv);
    assert_string_equal(env->dsn_ret, "HDRS");
    assert_string_equal(env->dsn_envid, "QQ+2Bx");
    static const exchange rcpt[] = {
        {"RCPT TO:<bob@example.org> NOTIFY=NEVER,SUCCESS\r\n",
         "501 5.5.4 Bad NOTIFY parameter\r\n"},
        {"RCPT TO:<bob@example.org> NOTIFY=SUCCESS,SUCCESS\r\n",
         "501 5.5.4 Bad NOTIFY parameter\r\n"},
        {"RCPT TO:<bob@example.org> ORCPT=rfc822\r\n", "501 5.5.4 Bad ORCPT parameter\r\n"},
        {"RCPT TO:<bob@example.org> NOTIFY=success,Delay ORCPT=rfc822;bob@example.org\r\n",
         "250 2.1.5 Ok\r\n"},
        {"DATA\r\nhi\r\n.\r\n", NULL},
    };
    converse(rcpt);
    assert_int_equal(log.calls, 1);
    assert_string_equal(log.notify0, "SUCCESS,DELAY");
    h_end(&H);
}

static void test_recipient_limit(void **state)
{
    (void)state;
    smtp_server_config cfg;
    mx_config(&cfg);
    smtp_limits_set(&cfg.limits, SMTP_LIMIT_RECIPIENTS, 2);
    start(&cfg, "EHLO c\r\nMAIL FROM:<a@b.example>\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<bob@example.org>\r\nRCPT TO:<alice@example.org>\r\n"
                                   "RCPT TO:<carol@example.org>\r\n"),
                        "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n452 4.5.3 Too many recipients\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "rcpt.too_many"));
    h_end(&H);
}

static void test_many_recipients_storage(void **state)
{
    (void)state;
    start(NULL, "EHLO c\r\nMAIL FROM:<a@b.example>\r\n");
    char line[64];
    for (int i = 0; i < 100; i++) {
        snprintf(line, sizeof line, "RCPT TO:<user%d@example.org>\r\n", i);
        assert_string_equal(h_feed(&H, line), "250 2.1.5 Ok\r\n");
    }
    assert_string_equal(h_feed(&H, "RCPT TO:<x@example.org>\r\n"),
                        "452 4.5.3 Too many recipients\r\n");
    const smtp_envelope *env = smtp_server_envelope(H.srv);
    assert_int_equal(env->n_rcpts, 100);
    assert_string_equal(env->rcpts[0], "user0@example.org");
    assert_string_equal(env->rcpts[99], "user99@example.org");
    h_end(&H);
}

/* ---- recipients past the limit (RFC 5321 4.5.3.1.10) ----------------------------------- */

/* count_str - how many times needle occurs in hay */
static size_t count_str(const char *hay, const char *needle)
{
    size_t n = 0, l = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + l, needle))
        n++;
    return n;
}

/* A pipelining client sends 120 recipients, DATA and the message in one write: 100 are
 * accepted, 20 get 452 4.5.3, and the transaction goes on for the 100 (the client sends the
 * rest later). The 452s are not errors: the default hard limit (20) must not end the session. */
static void test_too_many_recipients_not_an_error(void **state)
{
    (void)state;
    start(NULL, "EHLO c\r\n");
    static char feed[120 * 40 + 256];
    size_t n = (size_t)snprintf(feed, sizeof feed, "MAIL FROM:<a@b.example>\r\n");
    for (int i = 0; i < 120; i++)
        n += (size_t)snprintf(feed + n, sizeof feed - n, "RCPT TO:<user%d@example.org>\r\n", i);
    n += (size_t)snprintf(feed + n, sizeof feed - n, "DATA\r\nSubject: hi\r\n\r\nhello\r\n.\r\n");
    const char *out = h_feed(&H, feed);
    assert_int_equal(count_str(out, "250 2.1.5 Ok\r\n"), 100);
    assert_int_equal(count_str(out, "452 4.5.3 Too many recipients\r\n"), 20);
    assert_null(strstr(out, "421"));
    assert_null(h_find(&H, SMTP_EV_ERROR, "errors.soft_limit"));
    assert_non_null(strstr(out, "354 End data with <CR><LF>.<CR><LF>\r\n"));
    assert_non_null(strstr(out, "250 2.0.0 Ok: queued\r\n"));
    assert_non_null(h_find(&H, SMTP_EV_MESSAGE, NULL));
    const smtp_envelope *env = smtp_server_envelope(H.srv);
    assert_int_equal(env->n_rcpts, 100);
    assert_string_equal(env->rcpts[99], "user99@example.org");
    /* the client sends the other 20 in a second transaction, on the same session */
    n = (size_t)snprintf(feed, sizeof feed, "MAIL FROM:<a@b.example>\r\n");
    for (int i = 100; i < 120; i++)
        n += (size_t)snprintf(feed + n, sizeof feed - n, "RCPT TO:<user%d@example.org>\r\n", i);
    n += (size_t)snprintf(feed + n, sizeof feed - n, "DATA\r\nhello\r\n.\r\nQUIT\r\n");
    out = h_feed(&H, feed);
    assert_int_equal(count_str(out, "250 2.1.5 Ok\r\n"), 20);
    assert_non_null(strstr(out, "250 2.0.0 Ok: queued\r\n221 2.0.0 Bye\r\n"));
    h_end(&H);
}

/* Far past the limit, a client is misbehaving (RFC 5321 7.8): 452s beyond recipient_overshoot
 * count as errors again, and the hard error limit applies. */
static void test_recipient_overshoot_limit(void **state)
{
    (void)state;
    smtp_server_config cfg;
    mx_config(&cfg);
    assert_int_equal(cfg.limits.value[SMTP_LIMIT_RECIPIENT_OVERSHOOT], 1000);
    assert_int_equal(smtp_limits_set(&cfg.limits, SMTP_LIMIT_RECIPIENTS, 2), 0);
    assert_int_equal(smtp_limits_set(&cfg.limits, SMTP_LIMIT_RECIPIENT_OVERSHOOT, 3), 0);
    assert_int_equal(smtp_limits_set(&cfg.limits, SMTP_LIMIT_HARD_ERRORS, 2), 0);
    start(&cfg, "EHLO c\r\nMAIL FROM:<a@b.example>\r\n");
    const char *ok = "RCPT TO:<bob@example.org>\r\n";
    assert_string_equal(h_feed(&H, ok), "250 2.1.5 Ok\r\n");
    assert_string_equal(h_feed(&H, ok), "250 2.1.5 Ok\r\n");
    for (int i = 0; i < 3; i++) /* the overshoot allowance: not counted */
        assert_string_equal(h_feed(&H, ok), "452 4.5.3 Too many recipients\r\n");
    assert_string_equal(h_feed(&H, ok), "452 4.5.3 Too many recipients\r\n"); /* error 1 */
    assert_string_equal(h_feed(&H, ok), "452 4.5.3 Too many recipients\r\n"
                                        "421 4.7.0 Too many errors, closing connection\r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_CLOSED);
    h_end(&H);
}

/* ---- AUTH lines up to 12288 octets (RFC 4954 4) ------------------------------------------- */

static char long_pass[9300];
static smtp_user long_users[] = {{"alice", long_pass}};

/* long_auth_start - an MSA allowing AUTH in the clear, alice's password `plen` octets long */
static void long_auth_start(size_t plen)
{
    memset(long_pass, 'p', plen);
    long_pass[plen] = '\0';
    smtp_server_config cfg;
    smtp_server_config_default(&cfg, SMTP_ROLE_MSA);
    cfg.hostname = "smtp.example.net";
    cfg.users = long_users;
    cfg.n_users = 1;
    cfg.allow_plain_auth = true;
    start(&cfg, "EHLO c\r\n");
}

/* plain_b64 - base64 of "\0alice\0" + plen 'p' (or 'q' when wrong) into out */
static size_t plain_b64(size_t plen, bool wrong, char *out, size_t cap)
{
    static unsigned char raw[9400];
    memcpy(raw, "\0alice\0", 7);
    memset(raw + 7, wrong ? 'q' : 'p', plen);
    long n = base64_encode(raw, 7 + plen, out, cap);
    assert_true(n > 0);
    return (size_t)n;
}

static void test_auth_long_lines(void **state)
{
    (void)state;
    static char line[13000];
    /* an initial response on the AUTH line itself, far past 512 octets */
    long_auth_start(6000);
    size_t n = (size_t)snprintf(line, sizeof line, "AUTH PLAIN ");
    n += plain_b64(6000, false, line + n, sizeof line - n);
    memcpy(line + n, "\r\n", 3);
    assert_true(strlen(line) > 8000);
    assert_string_equal(h_feed(&H, line), "235 2.7.0 Authentication successful\r\n");
    assert_null(h_find(&H, SMTP_EV_ERROR, "line.too_long"));
    assert_string_equal(h_find(&H, SMTP_EV_COMMAND, "cmd.auth")->bytes,
                        "AUTH PLAIN <credentials hidden>\r\n");
    /* ordinary commands keep the 512-octet limit, even with the bigger buffer */
    static char noop[600];
    memset(noop, 'x', 520);
    memcpy(noop, "NOOP ", 5);
    strcpy(noop + 520, "\r\n");
    assert_string_equal(h_feed(&H, noop), "500 5.5.6 Line too long\r\n");
    h_end(&H);

    /* after a 334: a 12286-octet response (with CRLF), fed in small pieces */
    long_auth_start(9206); /* 7 + 9206 = 9213 octets -> 12284 base64 characters */
    assert_string_equal(h_feed(&H, "AUTH PLAIN\r\n"), "334 \r\n");
    n = plain_b64(9206, true, line, sizeof line);
    assert_int_equal(n, 12284);
    memcpy(line + n, "\r\n", 3);
    for (size_t off = 0; off < n + 2; off += 700) {
        size_t k = n + 2 - off < 700 ? n + 2 - off : 700;
        h_feedn(&H, line + off, k);
    }
    assert_string_equal(H.out, "535 5.7.8 Authentication credentials invalid\r\n");
    assert_string_equal(h_find(&H, SMTP_EV_COMMAND, "auth.response")->bytes,
                        "<credentials hidden>\r\n");
    /* the right password, same length: accepted */
    assert_string_equal(h_feed(&H, "AUTH PLAIN\r\n"), "334 \r\n");
    n = plain_b64(9206, false, line, sizeof line);
    memcpy(line + n, "\r\n", 3);
    assert_string_equal(h_feed(&H, line), "235 2.7.0 Authentication successful\r\n");
    h_end(&H);

    /* exactly 12288 octets with CRLF is within the limit (answered by the mechanism: not
     * base64 here), one more is "500 5.5.6" (RFC 4954 4) and the session goes on */
    long_auth_start(10);
    assert_string_equal(h_feed(&H, "AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
    memset(line, 'A', 12286);
    memcpy(line + 12286, "\r\n", 3);
    assert_string_equal(h_feed(&H, line), "501 5.5.2 Cannot decode response\r\n");
    assert_string_equal(h_feed(&H, "AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
    memset(line, 'A', 12287);
    memcpy(line + 12287, "\r\n", 3);
    assert_string_equal(h_feed(&H, line), "500 5.5.6 Authentication exchange line is too long\r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_IDLE);
    /* an AUTH command line over the limit fails the same way */
    memcpy(line, "AUTH PLAIN ", 11);
    assert_string_equal(h_feed(&H, line), "500 5.5.6 Authentication exchange line is too long\r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_IDLE);
    assert_string_equal(h_feed(&H, "NOOP\r\n"), "250 2.0.0 Ok\r\n");
    h_end(&H);
}

/* ---- pipelining ---------------------------------------------------------------------------- */

static void test_pipelining_order(void **state)
{
    (void)state;
    smtp_server_config cfg;
    mx_config(&cfg);
    cfg.mailboxes = boxes;
    cfg.n_mailboxes = 2;
    start(&cfg, "EHLO c\r\n");
    assert_string_equal(h_feed(&H, "MAIL FROM:<a@b.example>\r\nRCPT TO:<nobody@example.org>\r\n"
                                   "RCPT TO:<bob@example.org>\r\nDATA\r\nhello\r\n.\r\n"),
                        "250 2.1.0 Ok\r\n"
                        "550 5.1.1 User unknown in local recipient table\r\n"
                        "250 2.1.5 Ok\r\n"
                        "354 End data with <CR><LF>.<CR><LF>\r\n"
                        "250 2.0.0 Ok: queued\r\n");
    /* events in wire order: command, reply, command, reply ... */
    int last_cmd = -1, last_rep = -1, n = 0;
    for (size_t i = 0; i < H.n_ev; i++) {
        if (H.ev[i].kind == SMTP_EV_COMMAND) {
            assert_true(last_rep >= last_cmd);
            last_cmd = (int)i;
            n++;
        } else if (H.ev[i].kind == SMTP_EV_REPLY) {
            last_rep = (int)i;
        }
    }
    assert_int_equal(n, 4);
    h_end(&H);
}

/* ---- STARTTLS ------------------------------------------------------------------------------ */

static void test_starttls(void **state)
{
    (void)state;
    start(NULL, "EHLO c\r\n");
    assert_string_equal(h_feed(&H, "STARTTLS\r\n"), "220 2.0.0 Ready to start TLS\r\n");
    assert_non_null(h_find(&H, SMTP_EV_STARTTLS, NULL));
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_TLS);
    smtp_server_tls_started(H.srv, H.now);
    h_drain(&H);
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_READY);
    assert_true(smtp_server_envelope(H.srv)->tls);
    /* RFC 3207 4.2: the EHLO must be repeated; STARTTLS is no longer offered */
    assert_string_equal(h_feed(&H, "MAIL FROM:<a@b.example>\r\n"),
                        "503 5.5.1 Send HELO/EHLO first\r\n");
    const char *r = h_feed(&H, "EHLO c\r\n");
    assert_null(strstr(r, "STARTTLS"));
    assert_string_equal(h_feed(&H, "STARTTLS\r\n"), "503 5.5.1 TLS already active\r\n");
    h_end(&H);
}

static void test_starttls_smuggling(void **state)
{
    (void)state;
    start(NULL, "EHLO c\r\n");
    /* CVE-2011-0411: the injected MAIL must never run inside TLS */
    assert_string_equal(h_feed(&H, "STARTTLS\r\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<bob@ex"),
                        "220 2.0.0 Ready to start TLS\r\n");
    const h_event *d = h_find(&H, SMTP_EV_ERROR, "starttls.discarded");
    assert_non_null(d);
    assert_string_equal(d->bytes, "MAIL FROM:<evil@x.example>\r\nRCPT TO:<bob@ex");
    assert_null(h_find(&H, SMTP_EV_COMMAND, "cmd.mail"));
    smtp_server_tls_started(H.srv, H.now);
    h_drain(&H);
    h_feed(&H, "EHLO c\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<bob@example.org>\r\n"),
                        "503 5.5.1 Need MAIL before RCPT\r\n");
    assert_null(smtp_server_envelope(H.srv)->mail_from[0] ? "x" : NULL);
    h_end(&H);
}

static void test_starttls_errors(void **state)
{
    (void)state;
    smtp_server_config cfg;
    mx_config(&cfg);
    cfg.tls_available = false;
    start(&cfg, NULL);
    const char *r = h_feed(&H, "EHLO c\r\n");
    assert_null(strstr(r, "STARTTLS"));
    assert_string_equal(h_feed(&H, "STARTTLS\r\n"),
                        "454 4.7.0 TLS not available due to temporary reason\r\n");
    h_end(&H);
    start(NULL, "EHLO c\r\nMAIL FROM:<a@b.example>\r\n");
    assert_string_equal(h_feed(&H, "STARTTLS\r\n"), "503 5.5.1 MAIL transaction in progress\r\n");
    assert_string_equal(h_feed(&H, "STARTTLS now\r\n"),
                        "501 5.5.4 Syntax error: no arguments allowed\r\n");
    h_end(&H);
}

static void test_implicit_tls(void **state)
{
    (void)state;
    smtp_server_config cfg;
    mx_config(&cfg);
    smtp_peer peer = {.addr = "192.0.2.7", .implicit_tls = true};
    h_start(&H, &cfg, &peer);
    assert_string_equal(H.out, "");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_GREETING);
    smtp_server_tls_started(H.srv, H.now);
    h_drain(&H);
    assert_string_equal(H.out, "220 mx.example.org ESMTP smtpsim\r\n");
    assert_null(strstr(h_feed(&H, "EHLO c\r\n"), "STARTTLS"));
    assert_string_equal(smtp_server_envelope(H.srv)->peer->addr, "192.0.2.7");
    h_end(&H);
}

static void test_require_tls(void **state)
{
    (void)state;
    smtp_server_config cfg;
    msa_config(&cfg);
    cfg.require_tls = true;
    start(&cfg, "EHLO c\r\n");
    static const exchange x[] = {
        {"MAIL FROM:<alice@example.net>\r\n", "530 5.7.0 Must issue a STARTTLS command first\r\n"},
        {"AUTH PLAIN\r\n", "530 5.7.0 Must issue a STARTTLS command first\r\n"},
        {"NOOP\r\n", "250 2.0.0 Ok\r\n"},
    };
    converse(x);
    h_end(&H);
}

/* ---- AUTH ---------------------------------------------------------------------------------- */

static void test_msa_auth_plain(void **state)
{
    (void)state;
    smtp_server_config cfg;
    msa_config(&cfg);
    start(&cfg, NULL);
    /* before TLS: AUTH not offered, and refused */
    assert_null(strstr(h_feed(&H, "EHLO c\r\n"), "AUTH"));
    char line[300];
    snprintf(line, sizeof line, "AUTH PLAIN %s\r\n", plain_ir("alice", "secret"));
    /* RFC 4954 4: a mechanism that requires an encryption layer is invalid here: 504 5.5.4
     * (538 is historical, RFC 4954 6) */
    assert_string_equal(
        h_feed(&H, line),
        "504 5.5.4 Authentication mechanism requires an encryption layer: STARTTLS first\r\n");
    assert_string_equal(h_feed(&H, "MAIL FROM:<alice@example.net>\r\n"),
                        "530 5.7.0 Authentication required\r\n");
    h_feed(&H, "STARTTLS\r\n");
    smtp_server_tls_started(H.srv, H.now);
    h_drain(&H);
    assert_non_null(strstr(h_feed(&H, "EHLO c\r\n"), "250-AUTH PLAIN LOGIN\r\n"));
    assert_string_equal(h_feed(&H, line), "235 2.7.0 Authentication successful\r\n");
    const h_event *c = h_find(&H, SMTP_EV_COMMAND, "cmd.auth");
    assert_non_null(c);
    assert_string_equal(c->bytes, "AUTH PLAIN <credentials hidden>\r\n");
    assert_null(strstr(c->bytes, plain_ir("alice", "secret")));
    const h_event *a = h_find(&H, SMTP_EV_AUTH, NULL);
    assert_non_null(a);
    assert_int_equal(a->code, 235);
    assert_string_equal(smtp_server_envelope(H.srv)->auth_user, "alice");
    assert_string_equal(h_feed(&H, line), "503 5.5.1 Already authenticated\r\n");
    /* MSA relays anywhere once authenticated */
    assert_string_equal(h_feed(&H, "MAIL FROM:<alice@example.net>\r\n"), "250 2.1.0 Ok\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<someone@far.example>\r\n"), "250 2.1.5 Ok\r\n");
    h_end(&H);
}

static void test_auth_plain_challenge_and_failures(void **state)
{
    (void)state;
    smtp_server_config cfg;
    msa_config(&cfg);
    cfg.allow_plain_auth = true;
    start(&cfg, NULL);
    assert_non_null(strstr(h_feed(&H, "EHLO c\r\n"), "250-AUTH PLAIN LOGIN\r\n"));
    assert_string_equal(h_feed(&H, "AUTH PLAIN\r\n"), "334 \r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_AUTH);
    char line[300];
    snprintf(line, sizeof line, "%s\r\n", plain_ir("alice", "wrong"));
    assert_string_equal(h_feed(&H, line), "535 5.7.8 Authentication credentials invalid\r\n");
    const h_event *c = h_find(&H, SMTP_EV_COMMAND, "auth.response");
    assert_non_null(c);
    assert_string_equal(c->bytes, "<credentials hidden>\r\n");
    assert_int_equal(h_find(&H, SMTP_EV_AUTH, NULL)->code, 535);
    assert_string_equal(h_feed(&H, "AUTH PLAIN !!!!\r\n"), "501 5.5.2 Cannot decode response\r\n");
    assert_string_equal(h_feed(&H, "AUTH CRAM-MD5\r\n"),
                        "504 5.5.4 Unrecognized authentication type\r\n");
    snprintf(line, sizeof line, "AUTH PLAIN %s\r\n", plain_ir("bob", "nope"));
    assert_string_equal(h_feed(&H, line), "535 5.7.8 Authentication credentials invalid\r\n");
    snprintf(line, sizeof line, "AUTH PLAIN %s\r\n", plain_ir("eve", "x"));
    assert_string_equal(h_feed(&H, line),
                        "535 5.7.8 Authentication credentials invalid\r\n"
                        "421 4.7.0 Too many authentication failures, closing connection\r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_CLOSED);
    h_end(&H);
}

static void test_auth_login(void **state)
{
    (void)state;
    smtp_server_config cfg;
    msa_config(&cfg);
    cfg.allow_plain_auth = true;
    start(&cfg, "EHLO c\r\n");
    assert_string_equal(h_feed(&H, "AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
    assert_string_equal(h_feed(&H, "*\r\n"), "501 5.0.0 Authentication cancelled\r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_IDLE);
    assert_string_equal(h_feed(&H, "AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
    assert_string_equal(h_feed(&H, "Ym9i\r\n"), "334 UGFzc3dvcmQ6\r\n"); /* bob */
    const h_event *u = h_find(&H, SMTP_EV_COMMAND, "auth.response");
    assert_string_equal(u->bytes, "Ym9i\r\n"); /* the user name is not secret */
    assert_string_equal(h_feed(&H, "aHVudGVyMg==\r\n"), "235 2.7.0 Authentication successful\r\n");
    assert_string_equal(h_find(&H, SMTP_EV_COMMAND, "auth.response")->bytes,
                        "<credentials hidden>\r\n");
    assert_string_equal(smtp_server_envelope(H.srv)->auth_user, "bob");
    h_end(&H);
    /* initial response with LOGIN carries the user name */
    start(&cfg, "EHLO c\r\n");
    assert_string_equal(h_feed(&H, "AUTH LOGIN YWxpY2U=\r\n"), "334 UGFzc3dvcmQ6\r\n");
    assert_string_equal(h_feed(&H, "c2VjcmV0\r\n"), "235 2.7.0 Authentication successful\r\n");
    h_end(&H);
}

static void test_auth_show_secrets_and_sequence(void **state)
{
    (void)state;
    smtp_server_config cfg;
    msa_config(&cfg);
    cfg.allow_plain_auth = true;
    cfg.show_secrets = true;
    start(&cfg, NULL);
    char line[300];
    snprintf(line, sizeof line, "AUTH PLAIN %s\r\n", plain_ir("alice", "secret"));
    assert_string_equal(h_feed(&H, line), "503 5.5.1 Send HELO/EHLO first\r\n");
    h_feed(&H, "EHLO c\r\n");
    assert_string_equal(h_feed(&H, line), "235 2.7.0 Authentication successful\r\n");
    assert_string_equal(h_find(&H, SMTP_EV_COMMAND, "cmd.auth")->bytes, line);
    h_end(&H);
    /* AUTH during a transaction, AUTH on a server without users */
    smtp_server_config mx;
    mx_config(&mx);
    start(&mx, "EHLO c\r\n");
    assert_string_equal(h_feed(&H, "AUTH PLAIN\r\n"), "502 5.5.1 AUTH not available\r\n");
    h_end(&H);
    mx.users = users;
    mx.n_users = 2;
    mx.allow_plain_auth = true;
    start(&mx, "EHLO c\r\nMAIL FROM:<a@b.example>\r\n");
    assert_string_equal(h_feed(&H, "AUTH PLAIN\r\n"),
                        "503 5.5.1 AUTH not permitted during a mail transaction\r\n");
    h_end(&H);
}

static bool hook_password(void *ctx, const char *user, const char *pass)
{
    int *calls = ctx;
    (*calls)++;
    return strcmp(user, "hook") == 0 && strcmp(pass, "pw") == 0;
}

static void test_check_password_hook(void **state)
{
    (void)state;
    int calls = 0;
    smtp_server_config cfg;
    smtp_server_config_default(&cfg, SMTP_ROLE_MTA);
    cfg.allow_plain_auth = true;
    cfg.policy.ctx = &calls;
    cfg.policy.check_password = hook_password;
    start(&cfg, NULL);
    assert_non_null(strstr(h_feed(&H, "EHLO c\r\n"), "AUTH PLAIN LOGIN"));
    char line[300];
    snprintf(line, sizeof line, "AUTH PLAIN %s\r\n", plain_ir("hook", "pw"));
    assert_string_equal(h_feed(&H, line), "235 2.7.0 Authentication successful\r\n");
    assert_int_equal(calls, 1);
    h_end(&H);
}

/* ---- roles ---------------------------------------------------------------------------------- */

static void test_mx_relay_denied(void **state)
{
    (void)state;
    start(NULL, "EHLO c\r\nMAIL FROM:<a@b.example>\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<victim@elsewhere.example>\r\n"),
                        "554 5.7.1 Relay access denied\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "rcpt.relay_denied"));
    assert_string_equal(h_feed(&H, "RCPT TO:<anyone@LISTS.example.org>\r\n"), "250 2.1.5 Ok\r\n");
    h_end(&H);
}

static void test_mta_trusted_and_untrusted(void **state)
{
    (void)state;
    accept_log log = {0};
    smtp_server_config cfg;
    smtp_server_config_default(&cfg, SMTP_ROLE_MTA);
    cfg.hostname = "relay.example.net";
    cfg.policy.ctx = &log;
    cfg.policy.on_accept = on_accept;
    start(&cfg, "EHLO c\r\nMAIL FROM:<a@b.example>\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<bob@example.org>\r\n"),
                        "554 5.7.1 Relay access denied\r\n");
    h_end(&H);
    smtp_peer peer = {.addr = "10.0.0.5", .trusted = true};
    h_start(&H, &cfg, &peer);
    h_feed(&H, "EHLO c\r\nMAIL FROM:<a@b.example>\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<bob@example.org>\r\n"), "250 2.1.5 Ok\r\n");
    assert_string_equal(h_feed(&H, "DATA\r\nx\r\n.\r\n"),
                        "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued\r\n");
    assert_int_equal(log.calls, 1);
    assert_string_equal(log.data, "x\r\n");
    h_end(&H);
}

static void test_config_defaults(void **state)
{
    (void)state;
    smtp_server_config cfg;
    smtp_server_config_default(&cfg, SMTP_ROLE_MSA);
    assert_true(cfg.require_auth);
    assert_false(cfg.allow_plain_auth);
    assert_true(cfg.pipelining && cfg.eightbitmime && cfg.smtputf8 && cfg.dsn);
    assert_true(cfg.enhancedstatuscodes);
    assert_int_equal(cfg.limits.value[SMTP_LIMIT_COMMAND_LINE], 512);
    smtp_server_config_default(&cfg, SMTP_ROLE_MX);
    assert_false(cfg.require_auth);
    assert_int_equal(cfg.role, SMTP_ROLE_MX);
}

/* ---- hooks ---------------------------------------------------------------------------------- */

static void greylist(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    (void)ctx;
    if (strcmp(env->mail_from, "new@b.example") == 0) {
        v->code = 451;
        strcpy(v->esc, "4.7.1");
        strcpy(v->text, "Greylisted, try again later");
    }
}

static void rcpt_hook(void *ctx, const smtp_envelope *env, const char *rcpt, smtp_verdict *v)
{
    (void)ctx;
    (void)env;
    if (strcmp(rcpt, "full@example.org") == 0) {
        v->code = 452;
        strcpy(v->esc, "4.2.2");
        strcpy(v->text, "Mailbox full");
    } else if (strcmp(rcpt, "broken@example.org") == 0) {
        v->code = 250; /* not a refusal: a driver bug */
        strcpy(v->text, "bad\r\nline");
    }
}

static void test_hooks(void **state)
{
    (void)state;
    accept_log log = {.reject_code = 554};
    smtp_server_config cfg;
    logged_mx(&cfg, &log);
    cfg.policy.on_mail = greylist;
    cfg.policy.on_rcpt = rcpt_hook;
    start(&cfg, "EHLO c\r\n");
    assert_string_equal(h_feed(&H, "MAIL FROM:<new@b.example>\r\n"),
                        "451 4.7.1 Greylisted, try again later\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "mail.rejected"));
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_IDLE);
    assert_string_equal(h_feed(&H, "MAIL FROM:<old@b.example>\r\n"), "250 2.1.0 Ok\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<full@example.org>\r\n"), "452 4.2.2 Mailbox full\r\n");
    assert_string_equal(h_feed(&H, "RCPT TO:<broken@example.org>\r\n"),
                        "451 4.3.0 Local policy error, try again later\r\n");
    assert_non_null(h_find(&H, SMTP_EV_ERROR, "policy.bad_verdict"));
    h_feed(&H, "RCPT TO:<bob@example.org>\r\nDATA\r\n");
    assert_string_equal(h_feed(&H, "spam\r\n.\r\n"), "554 5.7.1 Message content rejected\r\n");
    assert_null(h_find(&H, SMTP_EV_MESSAGE, NULL));
    assert_int_equal(log.calls, 1);
    h_end(&H);
}

/* ---- limits, timeouts, shutdown ---------------------------------------------------------- */

static void test_error_limits(void **state)
{
    (void)state;
    smtp_server_config cfg;
    mx_config(&cfg);
    smtp_limits_set(&cfg.limits, SMTP_LIMIT_SOFT_ERRORS, 2);
    smtp_limits_set(&cfg.limits, SMTP_LIMIT_HARD_ERRORS, 3);
    start(&cfg, "BAD1\r\n");
    assert_null(h_find(&H, SMTP_EV_ERROR, "errors.soft_limit"));
    h_feed(&H, "BAD2\r\n");
    assert_non_null(h_find(&H, SMTP_EV_ERROR, "errors.soft_limit"));
    assert_string_equal(h_feed(&H, "BAD3\r\nNOOP\r\n"),
                        "500 5.5.2 Command unrecognized\r\n"
                        "421 4.7.0 Too many errors, closing connection\r\n");
    assert_int_equal(smtp_server_state_get(H.srv), SMTP_SRV_CLOSED);
    assert_non_null(h_find(&H, SMTP_EV_CLOSE, NULL));
    h_end(&H);
}

static void test_timeouts(void **state)
{
    (void)state;
    start(NULL, NULL);
    uint64_t dl = smtp_server_deadline(H.srv);
    assert_int_equal(dl, 1000 + 300000);
    smtp_server_tick(H.srv, dl - 1);
    h_drain(&H);
    assert_string_equal(H.out, "");
    H.now = 400000;
    h_feed(&H, "EHLO c\r\n");
    assert_int_equal(smtp_server_deadline(H.srv), 400000 + 300000);
    smtp_server_tick(H.srv, 699999);
    h_drain(&H);
    assert_string_equal(H.out, "");
    smtp_server_tick(H.srv, 700000);
    h_drain(&H);
    assert_string_equal(H.out, "421 4.4.2 Error: timeout exceeded, closing connection\r\n");
    assert_non_null(h_find(&H, SMTP_EV_REPLY, "session.timeout"));
    assert_int_equal(smtp_server_deadline(H.srv), UINT64_MAX);
    assert_true(smtp_server_done(H.srv));
    h_end(&H);

    /* the DATA timeout is separate */
    smtp_server_config cfg;
    mx_config(&cfg);
    smtp_limits_set(&cfg.limits, SMTP_LIMIT_TIMEOUT_DATA, 2000);
    start(&cfg, NULL);
    open_data();
    assert_int_equal(smtp_server_deadline(H.srv), 1000 + 2000);
    smtp_server_tick(H.srv, 3000);
    h_drain(&H);
    assert_string_equal(H.out, "421 4.4.2 Error: timeout exceeded, closing connection\r\n");
    h_end(&H);
}

static void test_shutdown(void **state)
{
    (void)state;
    start(NULL, NULL);
    smtp_server_shutdown(H.srv, 2000);
    h_drain(&H);
    assert_string_equal(H.out, "421 4.3.2 Service shutting down, closing connection\r\n");
    assert_true(smtp_server_done(H.srv));
    h_end(&H);
}

static void test_no_enhanced_codes(void **state)
{
    (void)state;
    smtp_server_config cfg;
    mx_config(&cfg);
    cfg.enhancedstatuscodes = false;
    start(&cfg, NULL);
    assert_null(strstr(h_feed(&H, "EHLO c\r\n"), "ENHANCEDSTATUSCODES"));
    assert_string_equal(h_feed(&H, "MAIL FROM:<a@b.example>\r\n"), "250 Ok\r\n");
    h_end(&H);
}

static void test_state_events_and_names(void **state)
{
    (void)state;
    start(NULL, "EHLO c\r\n");
    const h_event *e = h_find(&H, SMTP_EV_STATE, NULL);
    assert_non_null(e);
    assert_int_equal(e->from, SMTP_SRV_READY);
    assert_int_equal(e->to, SMTP_SRV_IDLE);
    assert_string_equal(e->key, "state.idle");
    assert_string_equal(smtp_server_state_name(SMTP_SRV_READY), "waiting for EHLO");
    assert_string_equal(smtp_server_state_name(SMTP_SRV_IDLE), "waiting for MAIL");
    assert_string_equal(smtp_server_state_name(SMTP_SRV_RCPT), "waiting for RCPT or DATA");
    assert_string_equal(smtp_server_state_name(SMTP_SRV_DATA), "receiving message (DATA)");
    assert_string_equal(smtp_server_state_name(SMTP_SRV_TLS), "TLS handshake");
    assert_string_equal(smtp_server_state_name(SMTP_SRV_CLOSED), "closed");
    h_end(&H);
    smtp_server_free(NULL);
}

static void test_events_survive_undrained_calls(void **state)
{
    (void)state;
    smtp_server_config cfg;
    mx_config(&cfg);
    smtp_server *srv = smtp_server_new(&cfg, NULL, 0);
    assert_non_null(srv);
    /* feed several times without draining: nothing is lost, order kept */
    for (int i = 0; i < 50; i++)
        smtp_server_feed(srv, "NOOP\r\n", 6, (uint64_t)i);
    smtp_event ev;
    int replies = 0, commands = 0;
    while (smtp_server_next_event(srv, &ev)) {
        if (ev.kind == SMTP_EV_REPLY && ev.code == 250) {
            assert_memory_equal(ev.bytes, "250 2.0.0 Ok\r\n", ev.len);
            replies++;
        }
        if (ev.kind == SMTP_EV_COMMAND) {
            assert_memory_equal(ev.bytes, "NOOP\r\n", 6);
            commands++;
        }
    }
    assert_int_equal(replies, 50);
    assert_int_equal(commands, 50);
    const char *out;
    size_t n = smtp_server_output(srv, &out);
    assert_int_equal(n, strlen("220 mx.example.org ESMTP smtpsim\r\n") + 50 * 14);
    smtp_server_output_consumed(srv, 4);
    n = smtp_server_output(srv, &out);
    assert_memory_equal(out, "mx.example.org ESMTP", 20);
    smtp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greeting),
        cmocka_unit_test(test_basic_session),
        cmocka_unit_test(test_dot_stuffing_split_bytes),
        cmocka_unit_test(test_large_message_chunks),
        cmocka_unit_test(test_empty_message_and_pipelined_quit),
        cmocka_unit_test(test_helo_plain_smtp),
        cmocka_unit_test(test_sequence_errors),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_vrfy_help_expn),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_path_limits),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_bare_lf_command),
        cmocka_unit_test(test_bare_lf_in_data),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_text_line_limit),
        cmocka_unit_test(test_body_and_unknown_params),
        cmocka_unit_test(test_smtputf8),
        cmocka_unit_test(test_dsn_params),
        cmocka_unit_test(test_recipient_limit),
        cmocka_unit_test(test_many_recipients_storage),
        cmocka_unit_test(test_too_many_recipients_not_an_error),
        cmocka_unit_test(test_recipient_overshoot_limit),
        cmocka_unit_test(test_auth_long_lines),
        cmocka_unit_test(test_pipelining_order),
        cmocka_unit_test(test_starttls),
        cmocka_unit_test(test_starttls_smuggling),
        cmocka_unit_test(test_starttls_errors),
        cmocka_unit_test(test_implicit_tls),
        cmocka_unit_test(test_require_tls),
        cmocka_unit_test(test_msa_auth_plain),
        cmocka_unit_test(test_auth_plain_challenge_and_failures),
        cmocka_unit_test(test_auth_login),
        cmocka_unit_test(test_auth_show_secrets_and_sequence),
        cmocka_unit_test(test_check_password_hook),
        cmocka_unit_test(test_mx_relay_denied),
        cmocka_unit_test(test_mta_trusted_and_untrusted),
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_hooks),
        cmocka_unit_test(test_error_limits),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_shutdown),
        cmocka_unit_test(test_no_enhanced_codes),
        cmocka_unit_test(test_state_events_and_names),
        cmocka_unit_test(test_events_survive_undrained_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
