/* test_explain.c - every key the engines and the world emit has a text; codes and enhanced codes
 * resolve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "core/teach/explain.h"
#include "core/world/scenario.h"
#include "core/smtp/server_harness.h"
#include "core/world/world.h"

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
        /* an RFC section, an Internet-Draft (AUTH LOGIN has no RFC), or "" for plain policy;
         * NULL when the engine's tables hold it (explain_rfc) */
        const char *rfc = explain_rfc(e->key);
        assert_true(rfc[0] == '\0' || strncmp(rfc, "RFC ", 4) == 0 ||
                    strncmp(rfc, "draft-", 6) == 0);
        /* keys are unique: the first match is this entry */
        assert_ptr_equal(explain_find(e->key), e);
    }
    assert_null(explain_at(-1));
    assert_null(explain_at(n));
    assert_null(explain_find("no.such.key"));
    assert_non_null(explain_text("no.such.key"));
    assert_string_equal(explain_rfc("mail.ok"), "RFC 5321 4.1.1.2");
    assert_null(explain_find("mail.ok")->rfc); /* one table: the engine's */
}

/* The facts the lessons fact-checker corrected stay corrected. */
static void test_fact_checked_entries(void **state)
{
    (void)state;
    static const struct {
        const char *key, *rfc, *says;
    } facts[] = {
        {"errors.soft_limit", "RFC 5321 7.8", "policy"},
        {"client.starttls_declined", "RFC 3207 4", "454"},
        {"cmd.expn", "RFC 5321 4.1.1.7", "7.3"},
        {"expn.disabled", "RFC 5321 7.3", "MUST answer 252"},
        {"cmd.vrfy", "RFC 5321 4.1.1.6", "4.5.1"},
        {"mail.rejected", "RFC 5321 4.1.1.2", "at RCPT"},
        {"helo.syntax", "RFC 5321 4.1.1.1", "Only EHLO"},
        {"mua.sent", "RFC 5321 6.1", "responsib"},
        {"auth.login_user", "draft-murchison-sasl-login", "RFC 4954 4"},
        {"auth.login_password", "draft-murchison-sasl-login", "base64"},
        {"auth.unavailable", "RFC 5321 4.2.4", "502"},
        {"auth.encryption_required", "RFC 4954 4", "504 5.5.4"},
        {"mail.size_exceeded", "RFC 1870 6.1", "RFC 3463 3.4"},
        {"data.too_big", "RFC 1870 4", "RFC 3463 3.4"},
        {"client.starttls_required", "RFC 3207 6", "RFC 8461"},
        {"client.size_exceeded", "RFC 1870 7", "RFC 3463 3.4"},
        {"greeting", "RFC 5321 3.1", "RFC 2034 3"},
        {"client.starttls_injection", "RFC 3207 4.2", "discards"},
        {"starttls.in_transaction", "", "policy"},
        {"auth.too_many_failures", "RFC 5321 3.8", "7.8"},
        {"client.smtputf8_needed", "RFC 6531 3.2", "SMTPUTF8"},
        {"client.8bit_without_8bitmime", "RFC 6152 3", "8BITMIME"},
        {"mail.utf8_required", "RFC 6531 3.5", "550 5.6.7"},
        /* RFC 6531 3.5, read 2026-12-03: MAIL gets 550 "mailbox unavailable", RCPT 553
         * "mailbox name not allowed", both X.6.7 */
        {"mail.utf8_required", "RFC 6531 3.5", "550 (mailbox unavailable) at MAIL"},
        {"rcpt.utf8_required", "RFC 6531 3.5", "553 (mailbox name not allowed)"},
    };
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        const explain_entry *e = explain_find(facts[i].key);
        if (!e)
            fail_msg("no entry for %s", facts[i].key);
        if (strcmp(explain_rfc(e->key), facts[i].rfc) != 0 || !strstr(e->text, facts[i].says))
            fail_msg("%s: rfc \"%s\" (want \"%s\"), text lacks \"%s\"", facts[i].key,
                     explain_rfc(e->key),
                     facts[i].rfc, facts[i].says);
    }
    /* no "most servers" claims: RFC 5321 says servers SHOULD support EXPN (3.5.2) */
    assert_null(strstr(explain_find("cmd.expn")->text, "almost every"));
    assert_null(strstr(explain_find("expn.disabled")->text, "most servers"));
    /* enhanced status code classes are defined in RFC 3463 2 (X.0.0 details are in 3.1) */
    assert_non_null(strstr(explain_esc("2.99.1"), "RFC 3463 2"));
    assert_non_null(strstr(explain_esc("5.9.9"), "RFC 3463 2"));
}

/* Every key the simulated world gives its own steps (world.c, and cmd_live.c for the live
 * view), with the RFC each one must cite. A new world key needs a row here and in explain.c. */
static void test_world_keys(void **state)
{
    (void)state;
    static const struct {
        const char *key, *rfc_prefix;
    } keys[] = {
        {"conn.connect", "RFC 5321 3.1"},     {"conn.refused", "RFC 5321 4.5.4.1"},
        {"conn.close", "RFC 5321 3.8"},       {"conn.shutdown_tls", "RFC 5321 3.8"},
        {"mx.implicit", "RFC 5321 5.1"},      {"tls.handshake", "RFC 3207"},
        {"tls.implicit", "RFC 8314"},         {"tls.layer_wait", "RFC 8314"},
        {"tls.layer_timeout", "RFC 8314"},    {"tls.not_tls", "RFC 8314"},
        {"dns.mx_query", "RFC 5321 5.1"},     {"dns.mx_answer", "RFC 5321 5.1"},
        {"dns.a_query", "RFC 5321 5.1"},      {"dns.a_answer", "RFC 5321 5.1"},
        {"dns.txt_query", "RFC 7208"},        {"dns.txt_answer", "RFC 7208"},
        {"dns.query", "RFC 1035"},            {"dns.answer", "RFC 1035"},
        {"queue.handoff", "RFC 6409"},        {"queue.queued", "RFC 5321 6.1"},
        {"queue.deferred", "RFC 5321 4.5.4.1"}, {"queue.retry", "RFC 5321 4.5.4.1"},
        {"queue.done", "RFC 5321"},           {"deliver.mailbox", "RFC 5321 4.4"},
        {"bounce.dsn", "RFC 3464"},           {"bounce.double", "RFC 5321"},
        {"spf.pass", "RFC 7208"},             {"spf.fail", "RFC 7208"},
        {"spf.other", "RFC 7208"},            {"dkim.sign", "RFC 6376"},
        {"dkim.pass", "RFC 6376"},            {"dkim.other", "RFC 6376"},
        {"greylist.defer", "RFC 6647"},       {"greylist.pass", "RFC 6647"},
        {"mua.sent", "RFC 5321 6.1"},         {"mua.partial", "RFC 5321"},
        {"mua.failed", "RFC 6409"},           {"whatif.reply", ""},
        {"whatif.note", ""},                  {"world.limit", ""},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const explain_entry *e = explain_find(keys[i].key);
        if (!e)
            fail_msg("world key \"%s\" has no explanation", keys[i].key);
        const char *rfc = explain_rfc(e->key);
        if (strncmp(rfc, keys[i].rfc_prefix, strlen(keys[i].rfc_prefix)) != 0 ||
            (keys[i].rfc_prefix[0] && !rfc[0]))
            fail_msg("world key \"%s\" cites \"%s\", want \"%s...\"", keys[i].key, rfc,
                     keys[i].rfc_prefix);
        assert_true(strlen(e->text) > 30);
    }
    /* the facts a student should get from the DNS and delivery steps */
    assert_non_null(strstr(explain_text("dns.mx_answer"), "address record"));
    assert_non_null(strstr(explain_text("deliver.mailbox"), "Return-Path:"));
    assert_non_null(strstr(explain_text("deliver.mailbox"), "Received:"));
    assert_non_null(strstr(explain_text("bounce.dsn"), "MAIL FROM:<>"));
}

/* Every key the client engine emits (smtp_client.c: its command table, decisions and errors). */
static void test_client_keys(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "client.state", "client.greeting", "client.greeting_refused", "client.ehlo",
        "client.helo", "client.helo_fallback", "client.starttls", "client.tls_restart",
        "client.starttls_required", "client.starttls_declined", "client.starttls_injection",
        "client.auth", "client.auth_cleartext", "client.auth_failed", "client.pipelining",
        "client.mail", "client.rcpt", "client.data", "client.data_pipelined", "client.content",
        "client.accepted",
        "client.no_recipients", "client.rset", "client.quit", "client.close", "client.done",
        "client.tempfail", "client.permfail", "client.size_exceeded", "client.smtputf8_needed",
        "client.8bit_without_8bitmime", "client.server_closing", "client.timeout",
        "client.connection_lost", "client.closed_after_accept", "client.malformed_reply",
        "client.line_too_long", "client.unexpected_reply",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!explain_find(keys[i]))
            fail_msg("client key \"%s\" has no explanation", keys[i]);
}

/* Run every lesson scenario through the world (client, servers, DNS, queue, delivery) and
 * check that every step's key is explained: this catches keys no list above knows about. */
static void test_scenario_steps_explained(void **state)
{
    (void)state;
    const char *dir = "lessons/scenarios";
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s (run from the repository root)", dir);
    struct dirent *de;
    int scenarios = 0;
    size_t steps = 0;
    char missing[600] = ""; /* the first unexplained step, reported after cleaning up */
    while (!missing[0] && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        char path[512], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        /* a scenario that does not load is test_scenario's and lint's business, not ours */
        scenario *sc = scenario_load(path, err, sizeof err);
        if (!sc) {
            print_message("skipped %s: %s\n", path, err);
            continue;
        }
        world *w = world_new(sc, err, sizeof err);
        if (!w) {
            print_message("skipped %s: %s\n", path, err);
            scenario_free(sc);
            continue;
        }
        for (size_t i = 0; i < world_step_count(w); i++) {
            const world_step *s = world_step_at(w, i);
            if (!s->key || !s->key[0])
                continue; /* a step without a key shows its own text */
            if (!explain_find(s->key)) {
                snprintf(missing, sizeof missing, "%s: step %zu (%.200s) has key \"%s\" without "
                         "an explanation", path, i, s->text ? s->text : "", s->key);
                break;
            }
            steps++;
        }
        world_free(w);
        scenario_free(sc);
        scenarios++;
    }
    closedir(d);
    if (missing[0])
        fail_msg("%s", missing);
    assert_true(scenarios >= 10);
    assert_true(steps > 200);
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

/* same_or_parent - is section a the same as b, or a section that contains it ("RFC 3461 4"
 * contains "RFC 3461 4.1")? */
static bool same_or_parent(const char *a, const char *b)
{
    size_t n = strlen(a);
    return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '.');
}

/* test_tables_agree - one table per fact: every key of the server's command and reply tables
 * has an explanation that keeps no RFC section of its own (NULL) and cites the engine's
 * (explain_rfc), so the transcript and the explanation panel can never disagree. */
static void test_tables_agree(void **state)
{
    (void)state;
    int bad = 0;
    for (int id = SMTP_CMD_UNKNOWN + 1; id < SMTP_CMD_COUNT; id++) {
        const smtp_command_info *c = smtp_server_command_info((smtp_command_id)id);
        const explain_entry *e = explain_find(c->key);
        if (!e || e->rfc || strcmp(explain_rfc(c->key), c->rfc) != 0)
            bad++, print_message("command %s: key %s keeps \"%s\", cites \"%s\", the table "
                                 "\"%s\"\n", c->verb, c->key, e && e->rfc ? e->rfc : "(none)",
                                 explain_rfc(c->key), c->rfc);
    }
    int n = smtp_server_reply_count();
    assert_true(n > 50);
    for (int i = 0; i < n; i++) {
        const smtp_server_reply_info *r = smtp_server_reply_at(i);
        const explain_entry *e = explain_find(r->key);
        if (!e || e->rfc) {
            bad++, print_message("reply %d %s: key %s %s\n", r->code, r->esc, r->key,
                                 e ? "keeps its own RFC section" : "has no explanation");
            continue;
        }
        /* a key shared by rows citing different sections cites one of them */
        bool cited = false;
        for (int j = 0; j < n; j++) {
            const smtp_server_reply_info *o = smtp_server_reply_at(j);
            cited |= strcmp(o->key, r->key) == 0 && same_or_parent(explain_rfc(r->key), o->rfc);
        }
        for (int id = SMTP_CMD_UNKNOWN + 1; id < SMTP_CMD_COUNT; id++) {
            const smtp_command_info *c = smtp_server_command_info((smtp_command_id)id);
            cited |= strcmp(c->key, r->key) == 0;
        }
        if (!cited)
            bad++, print_message("reply %d %s: key %s explained with \"%s\", the table cites "
                                 "\"%s\"\n", r->code, r->esc, r->key, explain_rfc(r->key),
                                 r->rfc);
        assert_true(r->code >= 200 && r->code <= 555);
    }
    assert_null(smtp_server_reply_at(n));
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_well_formed),
        cmocka_unit_test(test_fact_checked_entries),
        cmocka_unit_test(test_world_keys),
        cmocka_unit_test(test_client_keys),
        cmocka_unit_test(test_scenario_steps_explained),
        cmocka_unit_test(test_reply_codes),
        cmocka_unit_test(test_esc),
        cmocka_unit_test(test_server_keys_covered),
        cmocka_unit_test(test_tables_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
