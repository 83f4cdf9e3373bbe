/* test_smtp_command.c - command table, command lines, paths, parameters, xtext, UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/smtp/smtp_command.h"
#include "core/smtp/smtp_server.h"
#include "core/util/utf8.h"

static const smtp_path_limits LIM = {64, 255, 256};

static void test_table(void **state)
{
    (void)state;
    for (int i = SMTP_CMD_UNKNOWN + 1; i < SMTP_CMD_COUNT; i++) {
        const smtp_command_info *info = smtp_server_command_info((smtp_command_id)i);
        assert_non_null(info);
        assert_int_equal(info->id, i);
        assert_true(strncmp(info->rfc, "RFC ", 4) == 0);
        assert_int_equal(smtp_command_lookup(info->verb, strlen(info->verb)), i);
        char key[32];
        snprintf(key, sizeof key, "cmd.%s", info->verb);
        for (char *c = key; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        assert_string_equal(info->key, key);
        assert_non_null(info->syntax);
        assert_non_null(info->what);
    }
    /* near misses of the switch in smtp_command_lookup: same length, same first letter */
    static const char *const misses[] = {"HELX", "HELQ", "EHLP", "EXPO", "RCPX", "RSEX", "MAIX",
                                         "STARTTLX", "AUTX", "QUIX", "NOOX", "VRFX", "DATX"};
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++)
        assert_int_equal(smtp_command_lookup(misses[i], strlen(misses[i])), SMTP_CMD_UNKNOWN);
    assert_null(smtp_server_command_info(SMTP_CMD_UNKNOWN));
    assert_null(smtp_server_command_info(SMTP_CMD_COUNT));
    assert_string_equal(smtp_server_command_info(SMTP_CMD_MAIL)->rfc, "RFC 5321 4.1.1.2");
    assert_string_equal(smtp_server_command_info(SMTP_CMD_STARTTLS)->rfc, "RFC 3207 4");
    assert_string_equal(smtp_server_command_info(SMTP_CMD_AUTH)->rfc, "RFC 4954 4");
    assert_int_equal(smtp_command_lookup("ehlo", 4), SMTP_CMD_EHLO);
    assert_int_equal(smtp_command_lookup("EHLOX", 5), SMTP_CMD_UNKNOWN);
    assert_int_equal(smtp_command_lookup("EHL", 3), SMTP_CMD_UNKNOWN);
}

static void test_parse_line(void **state)
{
    (void)state;
    smtp_command c;
    const char *l = "mail FROM:<a@b.example> SIZE=10  ";
    smtp_command_parse(l, strlen(l), &c);
    assert_int_equal(c.id, SMTP_CMD_MAIL);
    assert_string_equal(c.verb, "MAIL");
    assert_true(c.has_arg);
    assert_int_equal(c.arg_len, strlen("FROM:<a@b.example> SIZE=10"));
    smtp_command_parse("QUIT", 4, &c);
    assert_int_equal(c.id, SMTP_CMD_QUIT);
    assert_false(c.has_arg);
    smtp_command_parse("", 0, &c);
    assert_int_equal(c.id, SMTP_CMD_UNKNOWN);
    assert_string_equal(c.verb, "");
    const char *longverb = "ABCDEFGHIJKLMNOPQRSTUVWXYZ x";
    smtp_command_parse(longverb, strlen(longverb), &c);
    assert_int_equal(c.id, SMTP_CMD_UNKNOWN);
    assert_int_equal(strlen(c.verb), SMTP_VERB_MAX);
    smtp_command_parse("NOOP ", 5, &c);
    assert_false(c.has_arg);
}

/* parse_exact - parse a copy of s in a heap block of exactly its length (no NUL after it), so
 * that AddressSanitizer reports any read past the end of the line. */
static void parse_exact(const char *s, smtp_command *c)
{
    size_t n = strlen(s);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    memset(c, 0x55, sizeof *c); /* no help from a zeroed verb buffer either */
    smtp_command_parse(copy, n, c);
    /* arg points into the line: check it before the block goes */
    assert_true(c->arg >= copy && c->arg + c->arg_len <= copy + n + (n == 0));
    free(copy);
}

/* Short verbs and lines: a prefix of a verb ("HEL", "MAI") is unknown, a verb alone is known,
 * and no comparison reads past the end of the line or of a table verb (an ASan global-buffer-
 * overflow past "HELO" was once reported here). */
static void test_parse_short_lines(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        smtp_command_id id;
        const char *verb;
        bool has_arg;
    } cases[] = {
        {"", SMTP_CMD_UNKNOWN, "", false},
        {"H", SMTP_CMD_UNKNOWN, "H", false},
        {"HE", SMTP_CMD_UNKNOWN, "HE", false},
        {"HEL", SMTP_CMD_UNKNOWN, "HEL", false},
        {"hel", SMTP_CMD_UNKNOWN, "HEL", false},
        {"HELO", SMTP_CMD_HELO, "HELO", false},
        {"HELOS", SMTP_CMD_UNKNOWN, "HELOS", false},
        {"HELOSTARTTLS", SMTP_CMD_UNKNOWN, "HELOSTARTTLS", false},
        {"MAI", SMTP_CMD_UNKNOWN, "MAI", false},
        {"M", SMTP_CMD_UNKNOWN, "M", false},
        {"RCPT", SMTP_CMD_RCPT, "RCPT", false},
        {"RCPT T", SMTP_CMD_RCPT, "RCPT", true},
        {"RCPT ", SMTP_CMD_RCPT, "RCPT", false},
        {"RCP T", SMTP_CMD_UNKNOWN, "RCP", true},
        {" ", SMTP_CMD_UNKNOWN, "", false},
        {" HELO", SMTP_CMD_UNKNOWN, "", true},
        {"S", SMTP_CMD_UNKNOWN, "S", false},
        {"STARTTL", SMTP_CMD_UNKNOWN, "STARTTL", false},
        {"STARTTLS", SMTP_CMD_STARTTLS, "STARTTLS", false},
        {"STARTTLSX", SMTP_CMD_UNKNOWN, "STARTTLSX", false},
        {"ABCDEFGHIJKLMNO", SMTP_CMD_UNKNOWN, "ABCDEFGHIJKLMNO", false}, /* SMTP_VERB_MAX */
        {"ABCDEFGHIJKLMNOP", SMTP_CMD_UNKNOWN, "ABCDEFGHIJKLMNO", false},
    };
    smtp_command c;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        parse_exact(cases[i].line, &c);
        if (c.id != cases[i].id || strcmp(c.verb, cases[i].verb) != 0 ||
            c.has_arg != cases[i].has_arg)
            fail_msg("\"%s\": id %d verb \"%s\" has_arg %d", cases[i].line, (int)c.id, c.verb,
                     (int)c.has_arg);
    }
    /* every prefix of every verb, lower and upper case: only the whole verb is known */
    for (int v = SMTP_CMD_UNKNOWN + 1; v < SMTP_CMD_COUNT; v++) {
        const char *verb = smtp_server_command_info((smtp_command_id)v)->verb;
        char buf[SMTP_VERB_MAX + 1];
        for (size_t n = 0; n <= strlen(verb); n++) {
            for (int lower = 0; lower < 2; lower++) {
                for (size_t k = 0; k < n; k++)
                    buf[k] = lower ? (char)(verb[k] | 0x20) : verb[k];
                buf[n] = '\0';
                parse_exact(buf, &c);
                assert_int_equal(c.id, n == strlen(verb) ? v : SMTP_CMD_UNKNOWN);
                assert_int_equal(smtp_command_lookup(buf, n),
                                 n == strlen(verb) ? v : SMTP_CMD_UNKNOWN);
            }
        }
    }
}

static smtp_path_status parse(const char *s, bool null_ok, bool pm_ok, smtp_path *p, size_t *used)
{
    return smtp_path_parse(s, strlen(s), null_ok, pm_ok, &LIM, p, used);
}

static void test_paths(void **state)
{
    (void)state;
    smtp_path p;
    size_t used;
    assert_int_equal(parse("<alice@example.org> SIZE=1", false, false, &p, &used), SMTP_PATH_OK);
    assert_string_equal(p.addr, "alice@example.org");
    assert_int_equal(p.local_len, 5);
    assert_string_equal(p.addr + p.domain_off, "example.org");
    assert_int_equal(used, 19);
    assert_int_equal(parse("<>", true, false, &p, &used), SMTP_PATH_OK);
    assert_true(p.null_path);
    assert_string_equal(p.addr, "");
    assert_int_equal(parse("<>", false, false, &p, &used), SMTP_PATH_SYNTAX);
    assert_int_equal(parse("<postMaster>", false, true, &p, &used), SMTP_PATH_OK);
    assert_true(p.postmaster);
    assert_int_equal(parse("<postmaster>", false, false, &p, &used), SMTP_PATH_SYNTAX);
    assert_int_equal(parse("<bob>", false, true, &p, &used), SMTP_PATH_SYNTAX);
    assert_int_equal(parse("<\"a b\\\"c\"@x.example>", false, false, &p, &used), SMTP_PATH_OK);
    assert_string_equal(p.addr, "\"a b\\\"c\"@x.example");
    assert_int_equal(parse("<@r1.example,@r2.example:u@x.example>", false, false, &p, &used),
                     SMTP_PATH_OK);
    assert_string_equal(p.addr, "u@x.example");
    assert_int_equal(parse("<u@[192.0.2.1]>", false, false, &p, &used), SMTP_PATH_OK);
    assert_int_equal(parse("<u@[IPv6:2001:db8::1]>", false, false, &p, &used), SMTP_PATH_OK);
    const char *bad[] = {"u@x.example", "<u@x.example", "<u x@x.example>", "<.u@x.example>",
                         "<u.@x.example>", "<u@>", "<@x.example>", "<u@x..example>",
                         "<u@-x.example>", "<u@x-.example>", "<u@x_y.example>", "<u@[]>",
                         "<\"u@x.example>", "<u@x.example>>", "<u@x.exa mple>", "<u\x01@x.example>",
                         "<u@[1.2\\3]>", "<>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        smtp_path_status st = parse(bad[i], false, false, &p, &used);
        if (st == SMTP_PATH_OK && used != strlen(bad[i]))
            continue; /* "<u@x.example>>": the path parses, the trailing '>' is the caller's */
        assert_int_not_equal(st, SMTP_PATH_OK);
    }
}

static void test_path_limits_and_utf8(void **state)
{
    (void)state;
    smtp_path p;
    size_t used;
    char buf[600];
    char local[70];
    memset(local, 'l', 65);
    local[65] = '\0';
    snprintf(buf, sizeof buf, "<%s@x.example>", local);
    assert_int_equal(parse(buf, false, false, &p, &used), SMTP_PATH_LOCAL_TOO_LONG);
    local[64] = '\0';
    snprintf(buf, sizeof buf, "<%s@x.example>", local);
    assert_int_equal(parse(buf, false, false, &p, &used), SMTP_PATH_OK);
    assert_int_equal(parse("<j\xc3\xb6rg@b\xc3\xbc.example>", false, false, &p, &used),
                     SMTP_PATH_OK);
    assert_true(p.non_ascii);
    assert_int_equal(parse("<j\xc3rg@x.example>", false, false, &p, &used), SMTP_PATH_SYNTAX);
    assert_int_equal(parse("<alice@x.example>", false, false, &p, &used), SMTP_PATH_OK);
    assert_false(p.non_ascii);
}

static void test_params(void **state)
{
    (void)state;
    const char *s = " SIZE=100 BODY=8BITMIME SMTPUTF8";
    size_t len = strlen(s);
    const char *k, *v;
    size_t kl, vl;
    bool hv;
    assert_int_equal(smtp_param_next(&s, &len, &k, &kl, &v, &vl, &hv), 1);
    assert_true(kl == 4 && memcmp(k, "SIZE", 4) == 0 && hv && vl == 3);
    assert_int_equal(smtp_param_next(&s, &len, &k, &kl, &v, &vl, &hv), 1);
    assert_true(kl == 4 && vl == 8);
    assert_int_equal(smtp_param_next(&s, &len, &k, &kl, &v, &vl, &hv), 1);
    assert_true(kl == 8 && !hv);
    assert_int_equal(smtp_param_next(&s, &len, &k, &kl, &v, &vl, &hv), 0);
    const char *bads[] = {" =x", " A=", " A=b=c", " -A", " A\x01"};
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        s = bads[i];
        len = strlen(s);
        assert_int_equal(smtp_param_next(&s, &len, &k, &kl, &v, &vl, &hv), -1);
    }
}

static void test_xtext_utf8_domain(void **state)
{
    (void)state;
    assert_true(smtp_xtext_valid("abc+2Bdef", 9));
    assert_false(smtp_xtext_valid("abc+2b", 6));
    assert_false(smtp_xtext_valid("abc+2", 5));
    assert_false(smtp_xtext_valid("a=b", 3));
    assert_false(smtp_xtext_valid("a b", 3));
    assert_true(utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, NULL));
    assert_false(utf8_valid("\xc0\xaf", 2, NULL));         /* overlong */
    assert_false(utf8_valid("\xed\xa0\x80", 3, NULL));     /* surrogate */
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4, NULL)); /* > U+10FFFF */
    assert_false(utf8_valid("\xe2\x82", 2, NULL));         /* truncated */
    assert_true(smtp_domain_valid("mx1.example.org", 15, false));
    assert_false(smtp_domain_valid("b\xc3\xbc.example", 11, false));
    assert_true(smtp_domain_valid("b\xc3\xbc.example", 11, true));
    char label[80];
    memset(label, 'a', 64);
    assert_false(smtp_domain_valid(label, 64, false));
    assert_true(smtp_domain_valid(label, 63, false));
    assert_true(smtp_ieq("Example", 7, "eXAMPLE"));
    assert_false(smtp_ieq("Example", 6, "example"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),  cmocka_unit_test(test_parse_line),
        cmocka_unit_test(test_parse_short_lines),
        cmocka_unit_test(test_paths),  cmocka_unit_test(test_path_limits_and_utf8),
        cmocka_unit_test(test_params), cmocka_unit_test(test_xtext_utf8_domain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
