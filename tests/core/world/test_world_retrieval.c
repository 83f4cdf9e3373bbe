/* test_world_retrieval.c - Bob reads his mail: POP3 and IMAP sessions recorded as world steps,
 * one per retrieval scenario of issue 13 (download and delete, leave on server, two devices,
 * IDLE push, login before TLS, 995 and 993, wrong password). Each checks the behaviour, that
 * every step has its explanation, and a golden transcript under tests/golden/retrieval/
 * (SMTPSIM_UPDATE_GOLDEN=1 writes them). The capture of one run goes through tshark when it is
 * installed: POP and IMAP must be dissected on 110 and 143. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/export/pcap_export.h"
#include "core/export/transcript.h"
#include "core/teach/explain.h"
#include "core/world/world_retrieval.h"

static const char MSG1[] = "From: alice@example.com\r\nTo: bob@example.org\r\n"
                           "Subject: Lunch?\r\n\r\nNoon at the usual place?\r\n";
static const char MSG2[] = "From: carol@example.net\r\nTo: bob@example.org\r\n"
                           "Subject: Slides\r\n\r\nHere are the slides.\r\n.\r\nEnd.\r\n";
static const char MSG3[] = "From: alice@example.com\r\nTo: bob@example.org\r\n"
                           "Subject: Running late\r\n\r\nTen minutes.\r\n";

typedef struct {
    world *w;
    int reader, phone, ms;
    mailbox_mem *box;
    mailbox_mem_account acct[1];
    mailbox_mem_directory dir;
    bool pushed;
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->w = world_new_live();
    assert_non_null(f->w);
    world_node n = {.kind = WORLD_NODE_READER, .role = "MUA", .name = "Bob's laptop",
                    .host = "bob-laptop.example.org", .addr = "192.0.2.30"};
    f->reader = world_live_add_node(f->w, &n);
    n = (world_node){.kind = WORLD_NODE_READER, .role = "MUA", .name = "Bob's phone",
                     .host = "bob-phone.example.org", .addr = "192.0.2.31"};
    f->phone = world_live_add_node(f->w, &n);
    n = (world_node){.kind = WORLD_NODE_MS, .role = "MS", .name = "mail.example.org",
                     .host = "mail.example.org", .addr = "198.51.100.25", .port = 143};
    f->ms = world_live_add_node(f->w, &n);
    assert_true(f->reader >= 0 && f->phone >= 0 && f->ms >= 0);
    f->box = mailbox_mem_new(1710234000u);
    mailbox_mem_add(f->box, MSG1, strlen(MSG1), 1710230000, 0);
    mailbox_mem_add(f->box, MSG2, strlen(MSG2), 1710231000, 0);
    f->acct[0] = (mailbox_mem_account){"bob", "correct-horse", f->box};
    f->dir = (mailbox_mem_directory){f->acct, 1};
}

static void teardown(fixture *f)
{
    world_free(f->w);
    mailbox_mem_free(f->box);
}

static world_retr_session session(fixture *f, world_retr_proto proto, uint16_t port)
{
    return (world_retr_session){.proto = proto, .client = f->reader, .server = f->ms,
                                .conn = 0, .port = port, .implicit_tls = port == 995 || port == 993,
                                .latency_ms = 20, .start_ms = 0,
                                .server_host = "mail.example.org",
                                .provider = mailbox_mem_provider(&f->dir), .tls_available = true};
}

/* every step carries a key with an explanation, and an RFC section when it is a line */
static void check_steps(const world *w)
{
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        if (s->kind != WORLD_STEP_COMMAND && s->kind != WORLD_STEP_REPLY)
            continue;
        if (!explain_find(s->key))
            fail_msg("step %zu (%s): key \"%s\" has no explanation", i, s->text, s->key);
        assert_true(strncmp(s->rfc, "RFC ", 4) == 0);
    }
}

/* has_text - some step's one-line text contains `what` */
static bool has_text(const world *w, const char *what)
{
    for (size_t i = 0; i < world_step_count(w); i++)
        if (strstr(world_step_at(w, i)->text, what))
            return true;
    return false;
}

static void check_golden(const world *w, const char *name)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    transcript_opts o = {.explain = true, .color = false};
    assert_int_equal(transcript_write(m, w, &o), 0);
    fclose(m);
    const char *root = getenv("SMTPSIM_DATA");
    char path[512];
    snprintf(path, sizeof path, "%s/tests/golden/retrieval/%s.txt", root ? root : ".", name);
    if (getenv("SMTPSIM_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(buf, 1, len, f);
        fclose(f);
        free(buf);
        return;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("missing golden %s (run with SMTPSIM_UPDATE_GOLDEN=1)", path);
    static char want[1 << 17];
    size_t n = fread(want, 1, sizeof want, f);
    fclose(f);
    if (n != len || memcmp(want, buf, n) != 0) {
        size_t i = 0, line = 1;
        while (i < n && i < len && want[i] == buf[i])
            line += buf[i++] == '\n';
        free(buf);
        fail_msg("%s differs from its golden at line %zu", name, line);
    }
    free(buf);
}

/* pop3_bob / imap_bob - Bob's client settings: his password, TLS as asked */
static pop3_client_config pop3_bob(pop3_client_tls tls)
{
    pop3_client_config c;
    pop3_client_config_default(&c);
    c.user = "bob", c.password = "correct-horse";
    c.tls = tls, c.tls_available = true;
    return c;
}

static imap_client_config imap_bob(imap_client_tls tls)
{
    imap_client_config c;
    imap_client_config_default(&c);
    c.user = "bob", c.password = "correct-horse";
    c.tls = tls, c.tls_available = true;
    return c;
}

/* assert_all_encrypted - the eavesdropper sees no command or response in clear */
static void assert_all_encrypted(const world *w)
{
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *st = world_step_at(w, i);
        if (st->kind == WORLD_STEP_COMMAND || st->kind == WORLD_STEP_REPLY)
            assert_true(st->tls);
    }
}

/* tshark_fields - export the capture and let tshark print one field of the packets a display
 * filter keeps, space-separated. false when tshark is not installed (the check is skipped). */
static bool tshark_fields(const world *w, const char *filter, const char *field, char *out,
                          size_t cap)
{
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        return false;
    char path[] = "/tmp/smtpsim-retr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    char err[256];
    assert_int_equal(pcap_export_world(w, f, err, sizeof err), 0);
    fclose(f);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "tshark -r %s -Y %s -T fields -e %s 2>/dev/null | tr '\\n' ' '",
             path, filter, field);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    pclose(p);
    unlink(path);
    return true;
}

static void test_pop3_download(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    pop3_client_config c = pop3_bob(POP3_CLI_TLS_REQUIRED);
    c.delete_after = true;
    world_retr_session s = session(&f, WORLD_RETR_POP3, 110);
    s.pop3 = &c;
    world_retr_result r;
    assert_int_equal(world_retrieval_run(f.w, &s, &r), 0);
    assert_true(r.ok);
    assert_true(r.tls_used);
    assert_int_equal(r.downloaded, 2);
    mailbox mb = mailbox_mem_get(f.box);
    assert_int_equal(mb.ops->count(mb.ctx), 0); /* download and delete: the mailbox empties */
    assert_true(has_text(f.w, "STLS"));
    assert_true(has_text(f.w, "DELE 2"));
    check_steps(f.w);
    check_golden(f.w, "pop3-download");

    /* the capture: tshark dissects the plain part as POP on port 110; the rest is TLS */
    char got[256];
    if (tshark_fields(f.w, "pop.request", "pop.request.command", got, sizeof got))
        assert_string_equal(got, "CAPA STLS ");
    teardown(&f);
}

static void test_pop3_leave_on_server(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    pop3_client_config c = pop3_bob(POP3_CLI_TLS_REQUIRED);
    world_retr_session s = session(&f, WORLD_RETR_POP3, 110);
    s.pop3 = &c;
    world_retr_result r;
    assert_int_equal(world_retrieval_run(f.w, &s, &r), 0);
    assert_true(r.ok);
    assert_int_equal(r.downloaded, 2);
    /* the second visit knows the first message's unique id and takes only the new one */
    mailbox_mem_add(f.box, MSG3, strlen(MSG3), 1710235000, 0);
    mailbox mb = mailbox_mem_get(f.box);
    assert_int_equal(mb.ops->count(mb.ctx), 3); /* nothing was deleted */
    static char uid1[80], uid2[80];
    snprintf(uid1, sizeof uid1, "%u.%u", 1710234000u, 1u);
    snprintf(uid2, sizeof uid2, "%u.%u", 1710234000u, 2u);
    const char *known[] = {uid1, uid2};
    c.known_uids = known, c.n_known = 2;
    s.conn = 1, s.start_ms = r.end_ms + 60000;
    assert_int_equal(world_retrieval_run(f.w, &s, &r), 0);
    assert_true(r.ok);
    assert_true(has_text(f.w, "UIDL"));
    assert_int_equal(r.downloaded, 1); /* only the new one */
    check_steps(f.w);
    check_golden(f.w, "pop3-leave-on-server");
    teardown(&f);
}

static void test_pop3_wrong_password(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    pop3_client_config c = pop3_bob(POP3_CLI_TLS_REQUIRED);
    c.password = "wrong";
    world_retr_session s = session(&f, WORLD_RETR_POP3, 110);
    s.pop3 = &c;
    world_retr_result r;
    assert_int_equal(world_retrieval_run(f.w, &s, &r), 0);
    assert_false(r.ok);
    assert_int_equal(r.downloaded, 0);
    assert_true(has_text(f.w, "-ERR"));
    check_steps(f.w);
    check_golden(f.w, "pop3-wrong-password");
    teardown(&f);
}

static void test_pop3s_995(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    pop3_client_config c = pop3_bob(POP3_CLI_TLS_IMPLICIT);
    world_retr_session s = session(&f, WORLD_RETR_POP3, 995);
    s.pop3 = &c;
    world_retr_result r;
    assert_int_equal(world_retrieval_run(f.w, &s, &r), 0);
    assert_true(r.ok && r.tls_used);
    assert_false(has_text(f.w, "STLS")); /* TLS from the first byte: nothing to upgrade */
    assert_all_encrypted(f.w);
    check_steps(f.w);
    check_golden(f.w, "pop3s-995");
    teardown(&f);
}

static void test_imaps_993(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    imap_client_config c = imap_bob(IMAP_CLI_TLS_IMPLICIT);
    world_retr_session s = session(&f, WORLD_RETR_IMAP, 993);
    s.imap = &c;
    world_retr_result r;
    assert_int_equal(world_retrieval_run(f.w, &s, &r), 0);
    assert_true(r.ok && r.tls_used);
    assert_int_equal(r.downloaded, 2);
    assert_all_encrypted(f.w);
    check_steps(f.w);
    check_golden(f.w, "imaps-993");
    teardown(&f);
}

static void test_imap_login_before_tls(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    imap_client_config c = imap_bob(IMAP_CLI_TLS_OPPORTUNISTIC);
    world_retr_session s = session(&f, WORLD_RETR_IMAP, 143);
    s.imap = &c;
    world_retr_result r;
    assert_int_equal(world_retrieval_run(f.w, &s, &r), 0);
    assert_true(r.ok && r.tls_used);
    assert_true(has_text(f.w, "LOGINDISABLED")); /* advertised before TLS ... */
    assert_true(has_text(f.w, "STARTTLS"));      /* ... so the client upgrades first */
    /* the password never crosses the link in clear */
    for (size_t i = 0; i < world_step_count(f.w); i++) {
        const world_step *st = world_step_at(f.w, i);
        if (st->kind == WORLD_STEP_COMMAND && !st->tls)
            assert_null(strstr(st->text, "LOGIN"));
    }
    check_steps(f.w);
    check_golden(f.w, "imap-login-before-tls");
    char got[256]; /* tshark dissects the plain part as IMAP on port 143 */
    if (tshark_fields(f.w, "imap.request", "imap.request", got, sizeof got))
        assert_string_equal(got, "a1 STARTTLS ");
    teardown(&f);
}

static void test_imap_two_devices(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    imap_client_config c = imap_bob(IMAP_CLI_TLS_REQUIRED);
    c.unseen_only = true, c.mark_seen = true;
    world_retr_session s = session(&f, WORLD_RETR_IMAP, 143);
    s.imap = &c;
    world_retr_result r;
    assert_int_equal(world_retrieval_run(f.w, &s, &r), 0); /* the laptop reads both */
    assert_true(r.ok);
    assert_int_equal(r.downloaded, 2);
    s.client = f.phone, s.conn = 1, s.start_ms = r.end_ms + 30000;
    assert_int_equal(world_retrieval_run(f.w, &s, &r), 0); /* the phone: \Seen on both */
    assert_true(r.ok);
    assert_int_equal(r.downloaded, 0);
    check_steps(f.w);
    check_golden(f.w, "imap-two-devices");
    teardown(&f);
}

/* deliver_once - the MX delivers a message while the client idles */
static bool deliver_once(void *ctx, world *w, uint64_t *now)
{
    (void)w, (void)now;
    fixture *f = ctx;
    if (f->pushed)
        return false;
    f->pushed = true;
    mailbox_mem_add(f->box, MSG3, strlen(MSG3), 1710235000, 0);
    return true;
}

static void test_imap_idle_push(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    imap_client_config c = imap_bob(IMAP_CLI_TLS_REQUIRED);
    c.idle_ms = 10 * 60 * 1000;
    world_retr_session s = session(&f, WORLD_RETR_IMAP, 143);
    s.imap = &c;
    s.on_idle = deliver_once, s.ctx = &f;
    world_retr_result r;
    assert_int_equal(world_retrieval_run(f.w, &s, &r), 0);
    assert_true(r.ok);
    assert_true(f.pushed);
    assert_true(r.idle_news);
    assert_true(has_text(f.w, "3 EXISTS")); /* appears at once, inside the IDLE */
    check_steps(f.w);
    check_golden(f.w, "imap-idle-push");
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pop3_download),       cmocka_unit_test(test_pop3_leave_on_server),
        cmocka_unit_test(test_pop3_wrong_password), cmocka_unit_test(test_pop3s_995),
        cmocka_unit_test(test_imaps_993),           cmocka_unit_test(test_imap_login_before_tls),
        cmocka_unit_test(test_imap_two_devices),    cmocka_unit_test(test_imap_idle_push),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
