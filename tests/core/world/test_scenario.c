/* test_scenario.c - scenario loading: the good file, and every kind of bad input (syntax with
 * line:col, wrong type and out-of-range values by path, unknown fields, missing fields, huge
 * files, invalid UTF-8, bad references), plus a no-crash sweep over truncated and mangled
 * versions of a real file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/world/scenario.h"

#define BASIC "lessons/scenarios/basic.json"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* replace - basic.json with the first occurrence of `from` replaced by `to` (malloc'd). */
static char *replace(const char *from, const char *to)
{
    size_t len;
    char *b = read_all(BASIC, &len);
    char *hit = strstr(b, from);
    assert_non_null(hit);
    size_t out_len = len - strlen(from) + strlen(to);
    char *o = malloc(out_len + 1);
    assert_non_null(o);
    size_t pre = (size_t)(hit - b);
    memcpy(o, b, pre);
    memcpy(o + pre, to, strlen(to));
    strcpy(o + pre + strlen(to), hit + strlen(from));
    free(b);
    return o;
}

/* expect_error - loading text fails and the message contains `want`. */
static void expect_error(const char *text, const char *want)
{
    char err[1024] = "";
    scenario *sc = scenario_load_buffer("t.json", text, strlen(text), err, sizeof err);
    if (sc || !strstr(err, want))
        fail_msg("wanted an error containing '%s', got '%s'", want, sc ? "(loaded)" : err);
    scenario_free(sc);
}

static void expect_replace_error(const char *from, const char *to, const char *want)
{
    char *t = replace(from, to);
    expect_error(t, want);
    free(t);
}

static void test_good_file(void **state)
{
    (void)state;
    char err[512] = "";
    scenario *sc = scenario_load(BASIC, err, sizeof err);
    assert_non_null(sc);
    assert_string_equal(scenario_id(sc), "basic");
    assert_true(strlen(scenario_title(sc)) > 10);
    assert_true(strlen(scenario_description(sc)) > 10);
    const scenario_spec *sp = scenario_spec_get(sc);
    assert_int_equal(sp->n_nodes, 8);
    assert_int_equal(sp->nodes[0].kind, SCENARIO_NODE_MUA);
    assert_int_equal(sp->nodes[0].port, 587);
    assert_int_equal(sp->nodes[0].server, 1);
    assert_string_equal(sp->nodes[0].name, "alice-laptop");
    assert_int_equal(sp->nodes[1].relay_to, 2);
    assert_true(sp->nodes[1].require_auth);
    assert_int_equal(sp->nodes[5].mailbox_server, 4);
    assert_int_equal(sp->message.n_to, 1);
    assert_int_equal(sp->lan_ms, 20);
    assert_int_equal(sp->retry_first_s, 60);
    assert_false(sp->nodes[0].ignore_size); /* default: the client honours SIZE itself */
    size_t len;
    assert_non_null(scenario_source(sc, &len));
    assert_true(len > 100);
    scenario_free(sc);
    scenario_free(NULL);
}

/* "ignore_size" on the MUA: a boolean, loaded into the node. */
static void test_ignore_size(void **state)
{
    (void)state;
    char *t = replace("\"tls\": \"required\"", "\"tls\": \"required\", \"ignore_size\": true");
    char err[512] = "";
    scenario *sc = scenario_load_buffer("t.json", t, strlen(t), err, sizeof err);
    if (!sc)
        fail_msg("%s", err);
    assert_true(scenario_spec_get(sc)->nodes[0].ignore_size);
    scenario_free(sc);
    free(t);
    expect_replace_error("\"tls\": \"required\"", "\"tls\": \"required\", \"ignore_size\": 1",
                         "nodes[0].ignore_size: expected");
    /* only the client has it */
    expect_replace_error("\"port\": 587,\n     \"users\"",
                         "\"port\": 587, \"ignore_size\": true,\n     \"users\"",
                         "nodes[1].ignore_size: unknown field");
}

static void test_syntax_error_line_col(void **state)
{
    (void)state;
    expect_error("{\n  \"id\": \"x\",\n  oops\n}\n", "t.json:3:");
    expect_error("", "t.json:");
    expect_error("{\"id\": \"a\",}", "t.json:1:");
}

static void test_wrong_type_by_path(void **state)
{
    (void)state;
    expect_replace_error("\"port\": 587,\n     \"users\"", "\"port\": \"587\",\n     \"users\"",
                         "t.json: nodes[1].port: expected an integer 1-65535");
    expect_replace_error("\"seed\": 1", "\"seed\": \"one\"", "seed: expected an integer");
    expect_replace_error("\"to\": [\"bob@example.org\"]", "\"to\": \"bob@example.org\"",
                         "message.to: expected an array");
    expect_replace_error("\"tls\": \"required\"", "\"tls\": \"maybe\"", "nodes[0].tls: expected one of");
}

static void test_out_of_range(void **state)
{
    (void)state;
    expect_replace_error("\"port\": 587,\n     \"users\"", "\"port\": 70000,\n     \"users\"",
                         "nodes[1].port: expected an integer 1-65535");
    expect_replace_error("\"port\": 587,\n     \"users\"", "\"port\": 0,\n     \"users\"",
                         "nodes[1].port: expected an integer 1-65535");
    expect_replace_error("\"seed\": 1", "\"seed\": 1, \"network\": {\"lan_ms\": -5}",
                         "network.lan_ms: expected an integer 0-10000");
    expect_replace_error("\"seed\": 1", "\"seed\": 1.5", "seed: expected an integer");
}

static void test_unknown_fields(void **state)
{
    (void)state;
    expect_replace_error("\"port\": 587,\n     \"users\"", "\"prot\": 587,\n     \"users\"",
                         "nodes[1].prot: unknown field");
    expect_replace_error("\"seed\": 1", "\"seed\": 1, \"colour\": 3", "colour: unknown field");
    /* a field of another node kind */
    expect_replace_error("\"domains\": [\"example.org\"]",
                         "\"domains\": [\"example.org\"], \"relay_to\": \"mta\"",
                         "nodes[4].relay_to: not allowed for an mx");
}

static void test_missing_required(void **state)
{
    (void)state;
    expect_replace_error("\"id\": \"basic\",", "", "id: missing");
    expect_replace_error("\"from\": \"alice@example.com\",", "", "message.from: missing");
    expect_replace_error("\"server\": \"msa\", ", "", "nodes[0].server: missing");
    expect_replace_error("\"domains\": [\"example.org\"]", "\"site\": \"x\"",
                         "nodes[4].domains: missing");
}

static void test_bad_values(void **state)
{
    (void)state;
    expect_replace_error("\"addr\": \"192.0.2.10\"", "\"addr\": \"10.0.0.1\"",
                         "nodes[0].addr: expected an IPv4 address");
    expect_replace_error("\"addr\": \"192.0.2.10\"", "\"addr\": \"192.0.2.300\"",
                         "nodes[0].addr");
    expect_replace_error("\"host\": \"smtp.example.com\"", "\"host\": \"smtp example.com\"",
                         "nodes[1].host: expected a host name");
    expect_replace_error("\"from\": \"alice@example.com\"", "\"from\": \"alice\"",
                         "message.from: expected a mail address");
    expect_replace_error("\"server\": \"msa\"", "\"server\": \"nope\"",
                         "nodes[0].server: expected the id of an msa, mta or mx node");
    expect_replace_error("\"id\": \"mta\"", "\"id\": \"msa\"", "duplicate id 'msa'");
    expect_replace_error("\"address\": \"bob@example.org\"", "\"address\": \"bob@example.net\"",
                         "does not serve the domain");
    expect_replace_error("\"type\": \"MX\"", "\"type\": \"AAAA\"", "dns[0].type");
    expect_replace_error("\"seed\": 1", "\"seed\": 1, \"faults\": [{\"kind\": \"reply\", "
                                        "\"node\": \"mx\", \"verb\": \"RCPT\", \"reply\": \"250 5.1.1 x\"}]",
                         "faults[0].reply");
    expect_replace_error("\"seed\": 1", "\"seed\": 1, \"faults\": [{\"kind\": \"down\", "
                                        "\"node\": \"alice\", \"until_ms\": 5}]",
                         "faults[0].node");
    expect_replace_error("\"seed\": 1", "\"seed\": 1, \"start\": \"yesterday\"", "start:");
}

static void test_huge_and_utf8(void **state)
{
    (void)state;
    size_t n = SCENARIO_MAX_FILE_BYTES + 10;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    char err[512] = "";
    assert_null(scenario_load_buffer("big.json", big, n, err, sizeof err));
    assert_non_null(strstr(err, "larger than"));
    free(big);
    expect_replace_error("Lunch on Friday?", "Lunch \xff\xfe", "t.json");
    expect_replace_error("Lunch on Friday?", "Lunch \xc0\xaf", "t.json"); /* overlong '/' */
    /* deep nesting is refused, not a stack overflow */
    char deep[400];
    memset(deep, '[', 300);
    deep[300] = '\0';
    expect_error(deep, "t.json");
}

static void test_no_crash_sweep(void **state)
{
    (void)state;
    size_t len;
    char *b = read_all(BASIC, &len);
    char err[512];
    /* every prefix: each must fail cleanly (only the whole file loads) */
    for (size_t i = 0; i < len; i++) {
        scenario *sc = scenario_load_buffer("p.json", b, i, err, sizeof err);
        if (sc) {
            /* a prefix that is still complete JSON must be the whole object */
            assert_true(i >= len - 2);
            scenario_free(sc);
        }
    }
    /* flip bytes one at a time (deterministic pattern): never crash */
    char *m = malloc(len + 1);
    assert_non_null(m);
    uint32_t x = 12345;
    for (int round = 0; round < 3000; round++) {
        memcpy(m, b, len + 1);
        for (int k = 0; k < 3; k++) {
            x = x * 1103515245u + 12345u;
            size_t pos = (x >> 8) % len;
            x = x * 1103515245u + 12345u;
            static const char alphabet[] = "{}[]\",:0123456789-.e truefalsnul\\\x80\xff";
            m[pos] = alphabet[(x >> 8) % (sizeof alphabet - 1)];
        }
        scenario *sc = scenario_load_buffer("m.json", m, len, err, sizeof err);
        scenario_free(sc);
    }
    free(m);
    free(b);
}

static void test_resolve_and_reply(void **state)
{
    (void)state;
    /* resolving names to files: tests/core/teach/test_catalog.c */
    int code;
    char esc[16], text[200];
    assert_int_equal(scenario_parse_reply("550 5.1.1 No such user", &code, esc, text), 0);
    assert_int_equal(code, 550);
    assert_string_equal(esc, "5.1.1");
    assert_string_equal(text, "No such user");
    assert_int_equal(scenario_parse_reply("451 try later", &code, esc, text), 0);
    assert_string_equal(esc, "");
    assert_int_equal(scenario_parse_reply("250", &code, esc, text), 0);
    assert_int_equal(scenario_parse_reply("150 x", &code, esc, text), -1);
    assert_int_equal(scenario_parse_reply("550 4.1.1 mismatch", &code, esc, text), -1);
    assert_int_equal(scenario_parse_reply("55 x", &code, esc, text), -1);
    assert_int_equal(scenario_parse_reply("550 bad\r\nline", &code, esc, text), -1);
    assert_int_equal(scenario_parse_reply(NULL, &code, esc, text), -1);
}

/* with_readers - basic.json plus a mailbox server and the given readers (JSON array text) */
static char *with_readers(const char *ms, const char *readers)
{
    char to[2048];
    snprintf(to, sizeof to, "\"seed\": 1, \"mailbox_server\": %s, \"readers\": %s", ms, readers);
    return replace("\"seed\": 1", to);
}

#define MS_OK "{\"of\": \"mx\", \"accounts\": [{\"name\": \"bob\", \"password\": \"pw\", " \
              "\"mailbox\": \"bob\"}]}"
#define READER(extra) "[{\"id\": \"bob-laptop\", \"host\": \"bob-laptop.example.org\", " \
                      "\"addr\": \"198.51.100.30\", \"user\": \"bob\", \"password\": \"pw\"" extra "}]"

static void expect_readers_error(const char *ms, const char *readers, const char *want)
{
    char *t = with_readers(ms, readers);
    expect_error(t, want);
    free(t);
}

/* readers and the mailbox server: loaded with defaults, every mistake named by its path */
static void test_readers(void **state)
{
    (void)state;
    char *t = with_readers(MS_OK, READER(", \"protocol\": \"imap\", \"port\": 993"));
    char err[512] = "";
    scenario *sc = scenario_load_buffer("t.json", t, strlen(t), err, sizeof err);
    if (!sc)
        fail_msg("%s", err);
    const scenario_retrieval *rt = &scenario_spec_get(sc)->retrieval;
    assert_true(rt->present && rt->tls && !rt->allow_plaintext);
    assert_int_equal(rt->n_accounts, 1);
    assert_int_equal(rt->n_readers, 1);
    assert_int_equal(rt->readers[0].proto, SCENARIO_RETR_IMAP);
    assert_int_equal(rt->readers[0].tls, 3); /* implicit on 993 */
    assert_int_equal(rt->readers[0].action, SCENARIO_READ_MARK_SEEN);
    scenario_free(sc);
    free(t);

    expect_readers_error(MS_OK, READER(", \"protocol\": \"smtp\""), "readers[0].protocol: expected");
    expect_readers_error(MS_OK, READER(", \"protocol\": \"pop3\", \"port\": 143"),
                         "readers[0].port: expected 110 or 995");
    expect_readers_error(MS_OK, READER(", \"protocol\": \"pop3\", \"port\": 995, \"tls\": \"required\""),
                         "readers[0].tls: implicit TLS");
    expect_readers_error(MS_OK, READER(", \"protocol\": \"pop3\", \"action\": \"idle\""),
                         "readers[0].action: POP3 has no flags");
    expect_readers_error(MS_OK, READER(", \"protocol\": \"imap\", \"action\": \"download-and-delete\""),
                         "readers[0].action: an IMAP reader");
    expect_readers_error(MS_OK, READER(", \"protocol\": \"imap\", \"colour\": 1"),
                         "readers[0].colour: unknown field");
    expect_readers_error("{\"of\": \"msa\", \"accounts\": []}", "[]",
                         "mailbox_server.of: expected the id of an mx node");
    expect_readers_error("{\"of\": \"mx\", \"accounts\": [{\"name\": \"bob\", \"password\": \"x\", "
                         "\"mailbox\": \"mx\"}]}", "[]",
                         "mailbox_server.accounts[0].mailbox: expected the id of a mailbox node");
    t = replace("\"seed\": 1", "\"seed\": 1, \"readers\": []");
    expect_error(t, "readers: readers need a \"mailbox_server\"");
    free(t);
    t = with_readers(MS_OK, "[{\"id\": \"mx\", \"host\": \"a.example.org\", \"addr\": \"198.51.100.3\", "
                            "\"user\": \"u\", \"password\": \"p\", \"protocol\": \"pop3\"}]");
    expect_error(t, "readers[0]: id \"mx\" is already a node's");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_ignore_size),
        cmocka_unit_test(test_syntax_error_line_col),
        cmocka_unit_test(test_wrong_type_by_path),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_unknown_fields),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_huge_and_utf8),
        cmocka_unit_test(test_no_crash_sweep),
        cmocka_unit_test(test_resolve_and_reply),
        cmocka_unit_test(test_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
