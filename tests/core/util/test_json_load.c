/* test_json_load.c - json_load.c: UTF-8 validation, depth limit, line:col, typed getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>

#include <cmocka.h>

#include "core/util/json_load.h"
#include "core/util/utf8.h"

static void test_utf8_valid(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_true(utf8_valid("plain ascii", 11, &bad));
    assert_true(utf8_valid("caf\xc3\xa9", 5, &bad));      /* é */
    assert_true(utf8_valid("\xe2\x82\xac", 3, &bad));     /* € */
    assert_true(utf8_valid("\xf0\x9f\x93\xa7", 4, &bad)); /* U+1F4E7 */
    assert_false(utf8_valid("ab\xe9z", 4, &bad));         /* Latin-1 é */
    assert_int_equal(bad, 2);
    assert_false(utf8_valid("\xc0\xaf", 2, &bad)); /* overlong '/' */
    assert_int_equal(bad, 0);
    assert_false(utf8_valid("x\xed\xa0\x80", 4, &bad)); /* surrogate D800 */
    assert_int_equal(bad, 1);
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4, &bad)); /* > U+10FFFF */
    assert_false(utf8_valid("ok\xe2\x82", 4, &bad));       /* truncated */
    assert_int_equal(bad, 2);
    assert_false(utf8_valid("\x80", 1, &bad)); /* lone continuation */
}

static void test_syntax_error_line_col(void **state)
{
    (void)state;
    char err[256];
    const char *j = "{\n  \"a\": 1\n  \"b\": 2\n}\n";
    cJSON *r = json_parse_buffer("f.json", j, strlen(j), err, sizeof err);
    assert_null(r);
    assert_non_null(strstr(err, "f.json:3:3:"));
    /* unterminated string: cJSON points at the string it could not finish */
    const char *u = "{\"a\": \"open";
    r = json_parse_buffer("u.json", u, strlen(u), err, sizeof err);
    assert_null(r);
    assert_string_equal(err, "u.json:1:8: JSON syntax error near 'open'");
    /* control bytes from the file never reach the message */
    const char *cb = "{\"a\": x\x01\x02}";
    r = json_parse_buffer("c.json", cb, strlen(cb), err, sizeof err);
    assert_null(r);
    for (const char *p = err; *p; p++)
        assert_true((unsigned char)*p >= 0x20);
    /* trailing garbage */
    r = json_parse_buffer("t.json", "{} x", 4, err, sizeof err);
    assert_null(r);
    assert_string_equal(err, "t.json:1:4: unexpected text after the JSON value");
}

/* A syntax error near the end of a buffer with no NUL after it: the message quotes only the
 * bytes that are there (found by tests/fuzz/fuzz_scenario; ASan saw '%.12s' read past). */
static void test_syntax_error_at_buffer_end(void **state)
{
    (void)state;
    char err[256];
    const char text[] = "[1,x";
    char *buf = malloc(sizeof text - 1);
    assert_non_null(buf);
    memcpy(buf, text, sizeof text - 1);
    assert_null(json_parse_buffer("e.json", buf, sizeof text - 1, err, sizeof err));
    assert_string_equal(err, "e.json:1:4: JSON syntax error near 'x'");
    free(buf);
}

static void test_invalid_utf8_position(void **state)
{
    (void)state;
    char err[256];
    const char *j = "{\"a\":\n\"x\xffy\"}";
    assert_null(json_parse_buffer("b.json", j, strlen(j), err, sizeof err));
    assert_string_equal(err, "b.json:2:3: invalid UTF-8");
    /* NUL bytes are refused too */
    const char nul[] = {'{', '}', '\0', ' '};
    assert_null(json_parse_buffer("n.json", nul, sizeof nul, err, sizeof err));
    assert_non_null(strstr(err, "NUL byte"));
}

static void test_depth_limit(void **state)
{
    (void)state;
    char err[256];
    size_t d = JSON_LOAD_MAX_DEPTH;
    char *buf = malloc(2 * (d + 1) + 1);
    assert_non_null(buf);
    /* exactly the limit is fine */
    memset(buf, '[', d);
    memset(buf + d, ']', d);
    cJSON *r = json_parse_buffer("d.json", buf, 2 * d, err, sizeof err);
    assert_non_null(r);
    cJSON_Delete(r);
    /* one deeper is refused before cJSON recurses */
    memset(buf, '[', d + 1);
    memset(buf + d + 1, ']', d + 1);
    assert_null(json_parse_buffer("d.json", buf, 2 * (d + 1), err, sizeof err));
    assert_non_null(strstr(err, "nested deeper than"));
    /* brackets inside strings do not count */
    const char *s =
        "[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]";
    r = json_parse_buffer("s.json", s, strlen(s), err, sizeof err);
    assert_non_null(r);
    cJSON_Delete(r);
    free(buf);
}

static void test_load_file_limits(void **state)
{
    (void)state;
    char err[512], path[] = "/tmp/test_json_load_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* empty file */
    assert_null(json_load_file(path, 0, err, sizeof err));
    assert_non_null(strstr(err, ":1:1: empty file"));
    /* larger than the limit given */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("{\"k\": \"0123456789012345678901234567890123456789\"}", f);
    fclose(f);
    assert_null(json_load_file(path, 16, err, sizeof err));
    assert_non_null(strstr(err, "larger than 16 bytes"));
    cJSON *r = json_load_file(path, 0, err, sizeof err);
    assert_non_null(r);
    cJSON_Delete(r);
    unlink(path);
    /* missing file */
    assert_null(json_load_file(path, 0, err, sizeof err));
    assert_non_null(strstr(err, "No such file"));
}

static void test_getters(void **state)
{
    (void)state;
    char err[256];
    const char *j =
        "{\"name\": \"mx\", \"port\": 25, \"tls\": true, \"nodes\": [{\"port\": 70000}],"
        " \"s\": 3, \"f\": 2.5}";
    cJSON *r = json_parse_buffer("g.json", j, strlen(j), err, sizeof err);
    assert_non_null(r);
    json_check c;
    json_check_init(&c, "g.json");
    assert_string_equal(json_string(&c, r, "", "name", true, 10, NULL), "mx");
    assert_int_equal(json_int(&c, r, "", "port", true, 1, 65535, 0), 25);
    assert_true(json_bool(&c, r, "", "tls", false));
    assert_false(json_bool(&c, r, "", "absent", false));
    assert_string_equal(json_string(&c, r, "", "absent", false, 10, "def"), "def");
    assert_false(c.failed);
    const cJSON *nodes = json_array(&c, r, "", "nodes", true, 4);
    assert_non_null(nodes);
    char p[64];
    json_path(p, sizeof p, "nodes", NULL, 0);
    assert_string_equal(p, "nodes[0]");
    json_int(&c, nodes->child, p, "port", true, 1, 65535, 0);
    assert_true(c.failed);
    assert_string_equal(c.err, "g.json: nodes[0].port: expected an integer 1-65535");
    /* the first error sticks */
    json_string(&c, r, "", "port", true, 10, NULL);
    assert_string_equal(c.err, "g.json: nodes[0].port: expected an integer 1-65535");

    /* a number beyond long's range is refused before any conversion (fuzz_progress found UB) */
    const char *big = "{\"n\": 1e300, \"m\": -1e300}";
    cJSON *rb = json_parse_buffer("b.json", big, strlen(big), err, sizeof err);
    assert_non_null(rb);
    json_check_init(&c, "b.json");
    assert_int_equal(json_int(&c, rb, "", "n", true, LONG_MIN, LONG_MAX, 7), 7);
    assert_non_null(strstr(c.err, "b.json: n: expected an integer"));
    json_check_init(&c, "b.json");
    assert_int_equal(json_int(&c, rb, "", "m", true, LONG_MIN, LONG_MAX, 7), 7);
    assert_true(c.failed);
    cJSON_Delete(rb);

    json_check_init(&c, "g.json");
    json_string(&c, r, "", "s", true, 10, NULL);
    assert_string_equal(c.err, "g.json: s: expected a string");
    json_check_init(&c, "g.json");
    json_int(&c, r, "", "f", true, 0, 10, 0);
    assert_true(c.failed); /* 2.5 is not an integer */
    json_check_init(&c, "g.json");
    json_string(&c, r, "", "name", true, 1, NULL);
    assert_string_equal(c.err, "g.json: name: longer than 1 bytes");
    json_check_init(&c, "g.json");
    json_string(&c, r, "", "missing", true, 10, NULL);
    assert_string_equal(c.err, "g.json: missing: missing (required)");
    json_check_init(&c, "g.json");
    json_array(&c, r, "", "name", true, 0);
    assert_string_equal(c.err, "g.json: name: expected an array");

    static const char *const known[] = {"name", "port", "tls", "nodes", "s", NULL};
    json_check_init(&c, "g.json");
    json_unknown_fields(&c, r, "", known);
    assert_string_equal(c.err, "g.json: f: unknown field");
    cJSON_Delete(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_syntax_error_line_col),
        cmocka_unit_test(test_syntax_error_at_buffer_end),
        cmocka_unit_test(test_invalid_utf8_position),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_load_file_limits),
        cmocka_unit_test(test_getters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
