/* test_session.c - whole SMTP sessions: the client engine wired to the server engine in memory.
 *
 * Each test builds a client config and a server config, moves bytes between the two engines
 * until the client is done (running a pretend TLS handshake when both ask for it), and checks
 * the outcome on both sides: the client's result, what the server stored. Each session also
 * writes a readable transcript ("C: EHLO ...", "S: 250-...") that must match its golden file
 * in tests/golden/sessions/NAME.txt byte for byte. To regenerate the files after an intended
 * change, run with SMTPSIM_UPDATE_GOLDEN=1 and review the diff.
 *
 * One session in this file is not the server's own: "helo-fallback" plays an old server that
 * refuses EHLO with 502 in the harness, because the server engine always speaks ESMTP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/explain.h"
#include "core/smtp/smtp_client.h"
#include "core/smtp/smtp_server.h"

#define TRANSCRIPT_MAX (64 * 1024)
#define STORED_MAX 8192

typedef struct {
    smtp_client_config ccfg;
    smtp_server_config scfg;
    smtp_peer peer;
    smtp_client *cl;
    smtp_server *srv;
    bool old_server;       /* the harness answers EHLO with 502 (a pre-ESMTP server) */
    const char *busy_rcpt; /* on_rcpt answers 450 4.2.1 for this address */
    int accept_code;       /* on_accept answers this (0: accept) */
    int mail_code;         /* on_mail answers this (0: accept) */
    /* what the server stored */
    int n_stored;
    char stored[STORED_MAX];
    size_t stored_len;
    size_t stored_rcpts;
    char stored_body[32];
    /* the transcript */
    char tr[TRANSCRIPT_MAX];
    size_t tr_len;
    int cleartext_auth; /* client.auth_cleartext events seen */
} session;

static const char *local_domains[] = {"example.org"};
static const char *mailboxes[] = {"bob", "carol", "busy"};
static const smtp_user users[] = {{"alice", "wonderland"}};
static const char *bob_carol[] = {"bob@example.org", "carol@example.org"};

static const char short_msg[] = "From: Alice <alice@example.com>\n"
                                "To: Bob <bob@example.org>\n"
                                "Subject: Hello\n"
                                "\n"
                                "Hi Bob, lunch tomorrow?\n";

/* ---- hooks ---- */

static void hook_mail(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    session *s = ctx;
    (void)env;
    if (s->mail_code) {
        v->code = s->mail_code;
        snprintf(v->esc, sizeof v->esc, "%s", s->mail_code >= 500 ? "5.7.1" : "4.7.1");
        snprintf(v->text, sizeof v->text, "%s",
                 s->mail_code >= 500 ? "Sender rejected by policy" : "Greylisted, try later");
    }
}

static void hook_rcpt(void *ctx, const smtp_envelope *env, const char *rcpt, smtp_verdict *v)
{
    session *s = ctx;
    (void)env;
    if (s->busy_rcpt && strcmp(rcpt, s->busy_rcpt) == 0) {
        v->code = 450;
        snprintf(v->esc, sizeof v->esc, "4.2.1");
        snprintf(v->text, sizeof v->text, "Mailbox busy, try again later");
    }
}

static void hook_accept(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    session *s = ctx;
    if (s->accept_code) {
        v->code = s->accept_code;
        snprintf(v->esc, sizeof v->esc, "%s", s->accept_code >= 500 ? "5.7.1" : "4.3.0");
        snprintf(v->text, sizeof v->text, "%s",
                 s->accept_code >= 500 ? "Message refused" : "Queue full, try again later");
        return;
    }
    s->n_stored++;
    assert_true(env->data_len < STORED_MAX);
    memcpy(s->stored, env->data, env->data_len);
    s->stored_len = env->data_len;
    s->stored_rcpts = env->n_rcpts;
    snprintf(s->stored_body, sizeof s->stored_body, "%s", env->body ? env->body : "");
}

/* ---- setup ---- */

static session *new_session(smtp_role role)
{
    session *s = calloc(1, sizeof *s);
    assert_non_null(s);
    smtp_client_config_default(&s->ccfg);
    s->ccfg.helo_name = "mua.example.com";
    s->ccfg.mail_from = "alice@example.com";
    s->ccfg.rcpts = bob_carol;
    s->ccfg.n_rcpts = 2;
    s->ccfg.data = short_msg;
    s->ccfg.data_len = strlen(short_msg);
    s->ccfg.tls = SMTP_TLS_NONE;
    smtp_server_config_default(&s->scfg, role);
    s->scfg.hostname = "mx.example.org";
    s->scfg.local_domains = local_domains;
    s->scfg.n_local_domains = 1;
    s->scfg.mailboxes = mailboxes;
    s->scfg.n_mailboxes = 3;
    s->scfg.users = users;
    s->scfg.n_users = 1;
    s->scfg.tls_available = false;
    s->scfg.policy.ctx = s;
    s->scfg.policy.on_mail = hook_mail;
    s->scfg.policy.on_rcpt = hook_rcpt;
    s->scfg.policy.on_accept = hook_accept;
    snprintf(s->peer.addr, sizeof s->peer.addr, "192.0.2.10");
    return s;
}

static void free_session(session *s)
{
    smtp_client_free(s->cl);
    smtp_server_free(s->srv);
    free(s);
}

/* ---- transcript ---- */

static void tr_add(session *s, const char *text, size_t n)
{
    assert_true(s->tr_len + n < TRANSCRIPT_MAX);
    memcpy(s->tr + s->tr_len, text, n);
    s->tr_len += n;
}

static void tr_str(session *s, const char *text)
{
    tr_add(s, text, strlen(text));
}

/* tr_lines - every line of some wire bytes, "C: " or "S: " in front, CRLF dropped, bytes
 * outside printable ASCII as \xNN, a line without its line end marked " [no CRLF]". */
static void tr_lines(session *s, const char *who, const char *b, size_t n)
{
    size_t i = 0;
    while (i < n) {
        tr_str(s, who);
        while (i < n && b[i] != '\n') {
            unsigned char c = (unsigned char)b[i];
            if (c == '\r' && i + 1 < n && b[i + 1] == '\n') {
                i++;
                continue;
            }
            if (c >= 32 && c < 127) {
                tr_add(s, (const char *)&b[i], 1);
            } else {
                char hx[8];
                snprintf(hx, sizeof hx, "\\x%02X", c);
                tr_str(s, hx);
            }
            i++;
        }
        if (i < n) {
            i++; /* the LF */
        } else {
            tr_str(s, " [no CRLF]");
        }
        tr_str(s, "\n");
    }
}

static void tr_result(session *s)
{
    const smtp_client_result *r = smtp_client_result_get(s->cl);
    static const char *names[] = {"PENDING", "OK", "TEMPFAIL", "PERMFAIL"};
    char line[512];
    snprintf(line, sizeof line, "= result: %s %d %s at %s%s: %s\n", names[r->status], r->code,
             r->esc[0] ? r->esc : "-", r->stage, r->local ? " (local decision)" : "", r->text);
    tr_str(s, line);
    for (size_t i = 0; i < r->n_rcpts; i++) {
        snprintf(line, sizeof line, "= rcpt %s: %d %s %s\n", s->ccfg.rcpts[i], r->rcpt[i].code,
                 r->rcpt[i].esc[0] ? r->rcpt[i].esc : "-", r->rcpt[i].text);
        tr_str(s, line);
    }
    snprintf(line, sizeof line,
             "= accepted %zu of %zu; tls %s, auth %s, pipelining %s; server stored %d\n",
             r->n_accepted, r->n_rcpts, r->tls_used ? "yes" : "no", r->auth_used ? "yes" : "no",
             r->pipelining_used ? "yes" : "no", s->n_stored);
    tr_str(s, line);
}

/* ---- the wire ---- */

static bool contains(const char *b, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; b && i + k <= n; i++)
        if (memcmp(b + i, needle, k) == 0)
            return true;
    return false;
}

static void drain_events(session *s, bool *srv_tls, bool *cli_tls)
{
    smtp_event e;
    while (smtp_server_next_event(s->srv, &e))
        if (e.kind == SMTP_EV_STARTTLS)
            *srv_tls = true;
    while (smtp_client_next_event(s->cl, &e)) {
        if (e.kind == SMTP_EV_STARTTLS)
            *cli_tls = true;
        if (strcmp(e.key, "client.auth_cleartext") == 0)
            s->cleartext_auth++;
        if (!explain_find(e.key)) /* every client event has its sentence for students */
            fail_msg("client event key without explanation: %s", e.key);
        /* the AUTH secret never shows in an event unless asked */
        if (e.kind == SMTP_EV_COMMAND && !s->ccfg.show_secrets && s->ccfg.auth_password)
            assert_false(contains(e.bytes, e.len, "AGFsaWNl"));
    }
}

/* run - move bytes until the client is done, both engines' output is flushed, or nothing
 * moves any more (bounded). */
static void run(session *s, const char *title)
{
    uint64_t now = 1000;
    s->srv = smtp_server_new(&s->scfg, &s->peer, now);
    s->cl = smtp_client_new(&s->ccfg, now);
    assert_non_null(s->srv);
    assert_non_null(s->cl);
    tr_str(s, "# ");
    tr_str(s, title);
    tr_str(s, "\n");
    bool srv_tls = false, cli_tls = false;
    for (int iter = 0; iter < 200; iter++) {
        bool moved = false;
        const char *b;
        size_t n = smtp_server_output(s->srv, &b);
        if (n > 0) {
            tr_lines(s, "S: ", b, n);
            smtp_client_feed(s->cl, b, n, now);
            smtp_server_output_consumed(s->srv, n);
            moved = true;
        }
        drain_events(s, &srv_tls, &cli_tls);
        n = smtp_client_output(s->cl, &b);
        if (n > 0) {
            if (s->old_server && n >= 5 && memcmp(b, "EHLO ", 5) == 0) {
                /* a pre-ESMTP server: "command not recognized" (RFC 5321 3.2) */
                const char *nl = memchr(b, '\n', n);
                size_t ln = nl ? (size_t)(nl - b) + 1 : n;
                tr_lines(s, "C: ", b, ln);
                smtp_client_output_consumed(s->cl, ln);
                static const char no[] = "502 5.5.2 Command not recognized\r\n";
                tr_lines(s, "S: ", no, sizeof no - 1);
                smtp_client_feed(s->cl, no, sizeof no - 1, now);
            } else {
                tr_lines(s, "C: ", b, n);
                smtp_server_feed(s->srv, b, n, now);
                smtp_client_output_consumed(s->cl, n);
            }
            moved = true;
        }
        drain_events(s, &srv_tls, &cli_tls);
        if (srv_tls && cli_tls) {
            tr_str(s, "-- TLS handshake --\n");
            smtp_server_tls_started(s->srv, now);
            smtp_client_tls_started(s->cl, now);
            srv_tls = cli_tls = false;
            moved = true;
            drain_events(s, &srv_tls, &cli_tls);
        }
        now += 10;
        if (!moved)
            break;
    }
    if (!smtp_client_done(s->cl)) {
        tr_str(s, "-- connection closed --\n");
        smtp_client_connection_lost(s->cl, now);
    }
    assert_true(smtp_client_done(s->cl));
    tr_result(s);
    if (getenv("SMTPSIM_SHOW_TRANSCRIPT"))
        fwrite(s->tr, 1, s->tr_len, stdout);
}

/* ---- goldens ---- */

static void check_golden(session *s, const char *name)
{
    const char *root = getenv("SMTPSIM_DATA");
    char path[512];
    snprintf(path, sizeof path, "%s/tests/golden/sessions/%s.txt", root ? root : ".", name);
    if (getenv("SMTPSIM_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(s->tr, 1, s->tr_len, f);
        fclose(f);
        return;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("missing golden %s (run with SMTPSIM_UPDATE_GOLDEN=1)", path);
    static char want[TRANSCRIPT_MAX];
    size_t n = fread(want, 1, sizeof want, f);
    fclose(f);
    if (n == s->tr_len && memcmp(want, s->tr, n) == 0)
        return;
    /* the first line that differs */
    size_t i = 0, line = 1, start = 0;
    while (i < n && i < s->tr_len && want[i] == s->tr[i]) {
        if (want[i] == '\n') {
            line++;
            start = i + 1;
        }
        i++;
    }
    const char *we = memchr(want + start, '\n', n - start);
    const char *ge = memchr(s->tr + start, '\n', s->tr_len - start);
    int wl = we ? (int)(we - (want + start)) : (int)(n - start);
    int gl = ge ? (int)(ge - (s->tr + start)) : (int)(s->tr_len - start);
    fail_msg("%s differs at line %zu:\n  golden: %.*s\n  got:    %.*s", path, line, wl,
             want + start, gl, s->tr + start);
}

/* ---- sessions ---- */

/* Every case runs the same way (run_case): a session from new_session(role), changed by the
 * case's prepare function, run to its end; then the client's result status, the count of
 * stored messages, the case's own checks and its golden transcript. */
typedef struct {
    const char *name;   /* the cmocka test's name */
    const char *golden; /* tests/golden/sessions/GOLDEN.txt, or NULL: no golden */
    smtp_role role;
    const char *title;            /* the transcript's first line */
    void (*prepare)(session *s);  /* the configuration beyond the defaults, or NULL */
    smtp_result_status status;    /* the client's result */
    int stored;                   /* messages the server stored, or ANY_STORED */
    void (*check)(const session *s, const smtp_client_result *r); /* more checks, or NULL */
} session_case;

#define ANY_STORED (-1)

static void run_case(void **state)
{
    const session_case *c = *state;
    session *s = new_session(c->role);
    if (c->prepare)
        c->prepare(s);
    run(s, c->title);
    const smtp_client_result *r = smtp_client_result_get(s->cl);
    assert_int_equal(r->status, c->status);
    if (c->stored != ANY_STORED)
        assert_int_equal(s->n_stored, c->stored);
    if (c->check)
        c->check(s, r);
    if (c->golden)
        check_golden(s, c->golden);
    free_session(s);
}

/* ---- what the cases change ---- */

static void one_at_a_time(session *s)
{
    s->ccfg.use_pipelining = false;
}

/* msa_tls - an MSA offering STARTTLS, and a client that requires TLS and can do it */
static void msa_tls(session *s)
{
    s->scfg.tls_available = true;
    s->scfg.hostname = "smtp.example.com";
    s->ccfg.tls = SMTP_TLS_REQUIRED;
    s->ccfg.tls_available = true;
}

static const char *far_rcpt[] = {"dave@example.net"};

static void prepare_starttls_auth(session *s)
{
    msa_tls(s);
    s->ccfg.auth_user = "alice";
    s->ccfg.auth_password = "wonderland";
    s->ccfg.rcpts = far_rcpt;
    s->ccfg.n_rcpts = 1;
}

static void prepare_auth_login_wrong(session *s)
{
    msa_tls(s);
    s->ccfg.auth_user = "alice";
    s->ccfg.auth_password = "guess";
    s->ccfg.auth_mech = "LOGIN";
}

static void prepare_tls_required(session *s) /* the server cannot do TLS */
{
    s->ccfg.tls = SMTP_TLS_REQUIRED;
    s->ccfg.tls_available = true;
}

static void prepare_old_server(session *s)
{
    s->old_server = true;
}

static void prepare_tempfail_rcpt(session *s)
{
    static const char *r1[] = {"busy@example.org"};
    s->ccfg.rcpts = r1;
    s->ccfg.n_rcpts = 1;
    s->busy_rcpt = "busy@example.org";
    s->ccfg.use_pipelining = false;
}

static void prepare_partial(session *s)
{
    static const char *r3[] = {"bob@example.org", "nobody@example.org", "busy@example.org"};
    s->ccfg.rcpts = r3;
    s->ccfg.n_rcpts = 3;
    s->busy_rcpt = "busy@example.org";
}

static void prepare_all_refused(session *s)
{
    static const char *r2[] = {"nobody@example.org", "ghost@example.org"};
    s->ccfg.rcpts = r2;
    s->ccfg.n_rcpts = 2;
}

/* prepare_too_big - the server's SIZE is 1024, the message about 2 KB */
static void prepare_too_big(session *s)
{
    assert_int_equal(smtp_limits_set(&s->scfg.limits, SMTP_LIMIT_MESSAGE_SIZE, 1024), 0);
    static char big[2100];
    memset(big, 'x', sizeof big);
    for (size_t i = 70; i < sizeof big; i += 72)
        big[i] = '\n';
    memcpy(big, "Subject: big\n\n", 14);
    s->ccfg.data = big;
    s->ccfg.data_len = sizeof big;
}

/* The same message with a client that declares SIZE= anyway (ignore_advertised_size): the
 * server engine itself refuses MAIL with 552 5.3.4 (RFC 1870 6.1) and nothing is stored. */
static void prepare_too_big_declared(session *s)
{
    prepare_too_big(s);
    s->ccfg.ignore_advertised_size = true;
}

static void prepare_dots(session *s)
{
    static const char msg[] = "Subject: dots\n"
                              "\n"
                              ".a line starting with a dot\n"
                              "..two dots\n"
                              ".\n"
                              "the line above was a single dot\r\n"
                              "no newline at the end";
    s->ccfg.data = msg;
    s->ccfg.data_len = strlen(msg);
}

static void prepare_8bit(session *s)
{
    static const char msg[] = "Subject: caf\xc3\xa9\nContent-Type: text/plain; charset=utf-8\n"
                              "Content-Transfer-Encoding: 8bit\n\nd\xc3\xa9j\xc3\xa0 vu\n";
    s->ccfg.data = msg;
    s->ccfg.data_len = strlen(msg);
    static const char *r1[] = {"bob@example.org"};
    s->ccfg.rcpts = r1;
    s->ccfg.n_rcpts = 1;
    s->ccfg.dsn_notify = "FAILURE";
    s->ccfg.dsn_ret = "HDRS";
}

static void prepare_mail_refused(session *s)
{
    s->mail_code = 550;
}

static void prepare_final_tempfail(session *s)
{
    s->accept_code = 451;
}

static void prepare_starttls_mx(session *s)
{
    s->scfg.tls_available = true;
    s->ccfg.tls = SMTP_TLS_OPPORTUNISTIC;
    s->ccfg.tls_available = true;
}

/* 110 recipients, not more: the server counts each 452 as a client error and ends the session
 * with 421 after 20 of them (reported as a server issue), which would lose all 100 */
enum { MANY_RCPTS = 110 };

static void prepare_many_rcpts(session *s)
{
    s->scfg.mailboxes = NULL; /* every local-part exists */
    static char addrs[MANY_RCPTS][32];
    static const char *list[MANY_RCPTS];
    for (int i = 0; i < MANY_RCPTS; i++) {
        snprintf(addrs[i], sizeof addrs[i], "user%d@example.org", i);
        list[i] = addrs[i];
    }
    s->ccfg.rcpts = list;
    s->ccfg.n_rcpts = MANY_RCPTS;
}

static void prepare_smtputf8(session *s)
{
    s->scfg.mailboxes = NULL;
    static const char *r1[] = {"j\xc3\xb6rg@example.org"};
    s->ccfg.rcpts = r1;
    s->ccfg.n_rcpts = 1;
}

static void prepare_null_sender(session *s)
{
    s->ccfg.mail_from = "";
}

/* 130 + 245 octets: base64 of "\0user\0password" is 504 characters, too long for a 512-octet
 * command line with "AUTH PLAIN " in front (RFC 4954 4), short enough for the server, which
 * refuses response lines over 512 octets (reported: RFC 4954 4 asks for whatever the
 * mechanism needs, 12288 octets in practice) */
static void prepare_long_plain(session *s)
{
    static char longuser[131], longpw[246];
    memset(longuser, 'u', sizeof longuser - 1);
    memset(longpw, 'p', sizeof longpw - 1);
    static smtp_user u[1];
    u[0].name = longuser;
    u[0].password = longpw;
    s->scfg.users = u;
    s->scfg.tls_available = true;
    s->ccfg.tls = SMTP_TLS_REQUIRED;
    s->ccfg.tls_available = true;
    s->ccfg.auth_user = longuser;
    s->ccfg.auth_password = longpw;
    s->ccfg.rcpts = far_rcpt;
    s->ccfg.n_rcpts = 1;
}

static void prepare_exact_size(session *s)
{
    assert_int_equal(smtp_limits_set(&s->scfg.limits, SMTP_LIMIT_MESSAGE_SIZE, 1024), 0);
    static char msg[1024];
    memset(msg, 'y', sizeof msg);
    for (size_t i = 60; i < sizeof msg; i += 62) {
        msg[i] = '\r';
        msg[i + 1] = '\n';
    }
    msg[sizeof msg - 2] = '\r';
    msg[sizeof msg - 1] = '\n';
    s->ccfg.data = msg;
    s->ccfg.data_len = sizeof msg;
}

/* ---- what the cases check beyond status and storage ---- */

static void check_basic(const session *s, const smtp_client_result *r)
{
    assert_int_equal(r->n_accepted, 2);
    assert_int_equal(s->stored_rcpts, 2);
    /* the server stored exactly our message, with CRLF line ends */
    static const char want[] = "From: Alice <alice@example.com>\r\n"
                               "To: Bob <bob@example.org>\r\n"
                               "Subject: Hello\r\n"
                               "\r\n"
                               "Hi Bob, lunch tomorrow?\r\n";
    assert_int_equal(s->stored_len, sizeof want - 1);
    assert_memory_equal(s->stored, want, sizeof want - 1);
    assert_true(smtp_server_done(s->srv));
}

static void check_pipelined(const session *s, const smtp_client_result *r)
{
    (void)s;
    assert_true(r->pipelining_used);
}

static void check_starttls_auth(const session *s, const smtp_client_result *r)
{
    assert_true(r->tls_used);
    assert_true(r->auth_used);
    assert_int_equal(s->cleartext_auth, 0); /* AUTH came after TLS */
}

static void check_auth_failed(const session *s, const smtp_client_result *r)
{
    (void)s;
    assert_string_equal(r->stage, "AUTH");
    assert_int_equal(r->code, 535);
}

static void check_tls_required(const session *s, const smtp_client_result *r)
{
    assert_true(r->local);
    assert_null(strstr(s->tr, "C: MAIL"));
}

static void check_helo_fallback(const session *s, const smtp_client_result *r)
{
    (void)s;
    assert_false(r->pipelining_used);
}

static void check_tempfail_rcpt(const session *s, const smtp_client_result *r)
{
    (void)s;
    assert_int_equal(r->rcpt[0].code, 450);
}

static void check_partial(const session *s, const smtp_client_result *r)
{
    assert_int_equal(r->n_accepted, 1);
    assert_int_equal(r->rcpt[0].code, 250);
    assert_int_equal(r->rcpt[1].code / 100, 5);
    assert_int_equal(r->rcpt[2].code, 450);
    assert_int_equal(s->stored_rcpts, 1);
}

static void check_stage_rcpt(const session *s, const smtp_client_result *r)
{
    (void)s;
    assert_string_equal(r->stage, "RCPT");
}

static void check_size_refused(const session *s, const smtp_client_result *r)
{
    assert_int_equal(r->code, 552);
    assert_true(r->local);
    assert_null(strstr(s->tr, "C: MAIL"));
}

static void check_size_refused_by_server(const session *s, const smtp_client_result *r)
{
    assert_int_equal(r->code, 552);
    assert_string_equal(r->esc, "5.3.4");
    assert_string_equal(r->stage, "MAIL");
    assert_false(r->local);
    assert_non_null(strstr(s->tr, "C: MAIL FROM:<alice@example.com> SIZE="));
    assert_non_null(strstr(s->tr, "S: 552 5.3.4 "));
    assert_null(strstr(s->tr, "C: Subject: big")); /* not a byte of content */
}

static void check_dots(const session *s, const smtp_client_result *r)
{
    (void)r;
    static const char want[] = "Subject: dots\r\n"
                               "\r\n"
                               ".a line starting with a dot\r\n"
                               "..two dots\r\n"
                               ".\r\n"
                               "the line above was a single dot\r\n"
                               "no newline at the end\r\n";
    /* what the server stored is the message, not the stuffing */
    assert_int_equal(s->stored_len, sizeof want - 1);
    assert_memory_equal(s->stored, want, sizeof want - 1);
}

static void check_8bit(const session *s, const smtp_client_result *r)
{
    (void)r;
    assert_string_equal(s->stored_body, "8BITMIME");
}

static void check_mail_refused(const session *s, const smtp_client_result *r)
{
    (void)s;
    assert_string_equal(r->stage, "MAIL");
    assert_int_equal(r->rcpt[0].code, 550);
}

static void check_final_tempfail(const session *s, const smtp_client_result *r)
{
    (void)s;
    assert_string_equal(r->stage, "end of data");
    assert_int_equal(r->n_accepted, 0);
}

static void check_starttls_mx(const session *s, const smtp_client_result *r)
{
    (void)s;
    assert_true(r->tls_used);
    assert_true(r->pipelining_used);
}

static void check_many_rcpts(const session *s, const smtp_client_result *r)
{
    /* RFC 5321 4.5.3.1.10: the server takes 100 and says 452 to the rest, which the client
     * keeps for another transaction (TEMPFAIL per recipient) */
    assert_int_equal(r->n_accepted, 100);
    assert_int_equal(s->stored_rcpts, 100);
    for (int i = 100; i < MANY_RCPTS; i++)
        assert_int_equal(r->rcpt[i].code, 452);
}

static void check_smtputf8(const session *s, const smtp_client_result *r)
{
    (void)r;
    assert_non_null(strstr(s->tr, "C: MAIL FROM:<alice@example.com> SIZE=103 SMTPUTF8"));
}

static void check_null_sender(const session *s, const smtp_client_result *r)
{
    (void)r;
    assert_non_null(strstr(s->tr, "C: MAIL FROM:<> SIZE="));
}

static void check_long_plain(const session *s, const smtp_client_result *r)
{
    assert_true(r->auth_used);
    assert_non_null(strstr(s->tr, "C: AUTH PLAIN\nS: 334"));
}

static void check_exact_size(const session *s, const smtp_client_result *r)
{
    (void)r;
    assert_int_equal(s->stored_len, 1024);
}

/* ---- the cases ---- */

static const session_case cases[] = {
    {"test_basic", "basic", SMTP_ROLE_MX,
     "basic: MUA-style client to an MX, one command at a time, two recipients", one_at_a_time,
     SMTP_RESULT_OK, 1, check_basic},
    {"test_pipelining", "pipelining", SMTP_ROLE_MX,
     "pipelining: MAIL, both RCPTs and DATA in one write (RFC 2920)", NULL, SMTP_RESULT_OK, 1,
     check_pipelined},
    {"test_starttls_auth", "starttls-auth", SMTP_ROLE_MSA,
     "starttls-auth: MUA to MSA on 587, STARTTLS then EHLO again, AUTH PLAIN",
     prepare_starttls_auth, SMTP_RESULT_OK, 1, check_starttls_auth},
    {"test_auth_login_wrong_password", "auth-failed", SMTP_ROLE_MSA,
     "auth-failed: AUTH LOGIN with a wrong password", prepare_auth_login_wrong,
     SMTP_RESULT_PERMFAIL, 0, check_auth_failed},
    {"test_tls_required_not_offered", "tls-required", SMTP_ROLE_MX,
     "tls-required: the client requires TLS, the server offers no STARTTLS",
     prepare_tls_required, SMTP_RESULT_TEMPFAIL, 0, check_tls_required},
    {"test_helo_fallback", "helo-fallback", SMTP_ROLE_MX,
     "helo-fallback: an old server answers EHLO with 502; the client says HELO",
     prepare_old_server, SMTP_RESULT_OK, 1, check_helo_fallback},
    {"test_tempfail_rcpt", "tempfail-rcpt", SMTP_ROLE_MX,
     "tempfail-rcpt: the only recipient gets 450; no DATA, RSET, the message stays queued",
     prepare_tempfail_rcpt, SMTP_RESULT_TEMPFAIL, 0, check_tempfail_rcpt},
    {"test_partial_recipients", "partial", SMTP_ROLE_MX,
     "partial: one recipient accepted, one unknown (5xx), one busy (4xx)", prepare_partial,
     SMTP_RESULT_OK, 1, check_partial},
    {"test_all_refused_pipelined", "all-refused", SMTP_ROLE_MX,
     "all-refused: every RCPT refused under pipelining; DATA refused; RSET, QUIT",
     prepare_all_refused, SMTP_RESULT_PERMFAIL, 0, check_stage_rcpt},
    {"test_size_refused", "size-refused", SMTP_ROLE_MX,
     "size-refused: the server's SIZE is 1024, the message 2 KB: not sent at all",
     prepare_too_big, SMTP_RESULT_PERMFAIL, ANY_STORED, check_size_refused},
    {"test_size_refused_by_server", "size-refused-by-server", SMTP_ROLE_MX,
     "size-refused-by-server: SIZE 1024 offered, the client declares SIZE= anyway",
     prepare_too_big_declared, SMTP_RESULT_PERMFAIL, 0, check_size_refused_by_server},
    {"test_dot_stuffing", "dot-stuffing", SMTP_ROLE_MX,
     "dot-stuffing: lines starting with '.', a lone '.', mixed LF/CRLF, no final LF",
     prepare_dots, SMTP_RESULT_OK, ANY_STORED, check_dots},
    {"test_8bit_message", "8bitmime-dsn", SMTP_ROLE_MX,
     "8bitmime-dsn: an 8-bit body declared with BODY=8BITMIME, DSN parameters", prepare_8bit,
     SMTP_RESULT_OK, ANY_STORED, check_8bit},
    {"test_mail_refused", "mail-refused", SMTP_ROLE_MX,
     "mail-refused: MAIL refused under pipelining; the RCPT and DATA replies are read",
     prepare_mail_refused, SMTP_RESULT_PERMFAIL, ANY_STORED, check_mail_refused},
    {"test_final_tempfail", "final-tempfail", SMTP_ROLE_MX,
     "final-tempfail: the server answers the final dot with 451: retry later",
     prepare_final_tempfail, SMTP_RESULT_TEMPFAIL, ANY_STORED, check_final_tempfail},
    {"test_opportunistic_tls_mx", "starttls-mx", SMTP_ROLE_MX,
     "starttls-mx: MTA to MX with opportunistic STARTTLS and pipelining after it",
     prepare_starttls_mx, SMTP_RESULT_OK, ANY_STORED, check_starttls_mx},
    {"test_many_recipients", NULL, SMTP_ROLE_MX,
     "many recipients: more than the server's 100 per transaction", prepare_many_rcpts,
     SMTP_RESULT_OK, ANY_STORED, check_many_rcpts},
    {"test_smtputf8_session", NULL, SMTP_ROLE_MX,
     "smtputf8: a non-ASCII local-part, SMTPUTF8 offered and used", prepare_smtputf8,
     SMTP_RESULT_OK, ANY_STORED, check_smtputf8},
    {"test_null_sender_bounce", NULL, SMTP_ROLE_MX,
     "null reverse-path: a bounce is sent with MAIL FROM:<>", prepare_null_sender,
     SMTP_RESULT_OK, ANY_STORED, check_null_sender},
    {"test_auth_plain_without_initial_response", NULL, SMTP_ROLE_MSA,
     "AUTH PLAIN too long for one line: initial response after an empty 334",
     prepare_long_plain, SMTP_RESULT_OK, ANY_STORED, check_long_plain},
    {"test_exact_size_limit", NULL, SMTP_ROLE_MX,
     "a message of exactly SIZE octets is sent and accepted", prepare_exact_size,
     SMTP_RESULT_OK, ANY_STORED, check_exact_size},
};

int main(void)
{
    /* one cmocka test per case, under the case's own name */
    struct CMUnitTest tests[sizeof cases / sizeof *cases];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, (void *)&cases[i]};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
