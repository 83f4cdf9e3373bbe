/* test_catalog.c - catalog.c: one listing order, names resolved in the documented folders
 * (next to a lesson first), errors that name the folders searched, and the lessons of a
 * scenario. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/teach/catalog.h"
#include "core/util/file_util.h"

static char base[64];

static void put(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", base, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *at(const char *rel)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", base, rel);
    return p;
}

#define LESSON(id, scen)                                                                           \
    "{\"id\": \"" id "\", \"title\": \"T\", \"version\": 1, \"topics\": [\"t\"], \"intro\": "   \
    "\"I\", " scen "\"questions\": [{\"id\": \"" id "-1\", \"kind\": \"truefalse\", "            \
    "\"prompt\": \"P\", \"answer\": true, \"explanation\": \"E\", \"refs\": [\"RFC 5321\"]}]}"

static int setup(void **state)
{
    (void)state;
    snprintf(base, sizeof base, "/tmp/smtpsim-cat-XXXXXX");
    assert_non_null(mkdtemp(base));
    assert_int_equal(file_mkdirs(at("lessons/scenarios")), 0);
    assert_int_equal(file_mkdirs(at("course/scenarios")), 0);
    put("lessons/scenarios/too-large-local.json", "{}");
    put("lessons/scenarios/too-large.json", "{}");
    put("lessons/scenarios/basic.json", "{}");
    put("lessons/scenarios/.hidden.json", "{}");
    put("lessons/scenarios/notes.txt", "x");
    put("lessons/b-second.json", LESSON("b-second", "\"scenario\": \"basic\", "));
    put("lessons/a-first.json", LESSON("a-first", "\"scenario\": \"basic\", "));
    put("lessons/c-other.json", LESSON("c-other", "\"scenario\": \"too-large\", "));
    put("lessons/d-none.json", LESSON("d-none", ""));
    put("lessons/e-broken.json", "{\"scenario\": \"basic\"");
    put("course/own.json", LESSON("own", "\"scenario\": \"local\", "));
    put("course/scenarios/local.json", "{}");
    put("course/scenarios/basic.json", "{}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : -1;
}

/* One order for everything: by id, a prefix first; hidden and non-JSON files left out. */
static void test_list_order(void **state)
{
    (void)state;
    catalog_entry *e;
    long n = catalog_list(base, CATALOG_SCENARIO, &e);
    assert_int_equal(n, 3);
    assert_string_equal(e[0].id, "basic");
    assert_string_equal(e[1].id, "too-large");
    assert_string_equal(e[2].id, "too-large-local");
    assert_string_equal(e[1].path, at("lessons/scenarios/too-large.json"));
    free(e);
    n = catalog_list(base, CATALOG_LESSON, &e);
    assert_int_equal(n, 5);
    assert_string_equal(e[0].id, "a-first");
    assert_string_equal(e[4].id, "e-broken");
    free(e);
    /* a missing folder is an empty listing */
    assert_int_equal(catalog_list(at("nowhere"), CATALOG_LESSON, &e), 0);
    assert_null(e);
}

static void test_resolve(void **state)
{
    (void)state;
    char out[CATALOG_MAX_PATH], err[2 * CATALOG_MAX_PATH + 64], want[600];
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "basic", NULL, out, sizeof out, err,
                                     sizeof err),
                     0);
    assert_string_equal(out, at("lessons/scenarios/basic.json"));
    assert_int_equal(catalog_resolve(base, CATALOG_LESSON, "a-first", NULL, out, sizeof out, err,
                                     sizeof err),
                     0);
    assert_string_equal(out, at("lessons/a-first.json"));
    /* a path is taken as it is, when it is there */
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, at("course/scenarios/local.json"),
                                     NULL, out, sizeof out, err, sizeof err),
                     0);
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "../etc/passwd", NULL, out,
                                     sizeof out, err, sizeof err),
                     -1);
    assert_string_equal(err, "no file '../etc/passwd'");
    /* next to the lesson first, then the data folder */
    const char *own = at("course/own.json");
    char own_copy[512];
    snprintf(own_copy, sizeof own_copy, "%s", own);
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "basic", own_copy, out, sizeof out,
                                     err, sizeof err),
                     0);
    assert_string_equal(out, at("course/scenarios/basic.json"));
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "too-large", own_copy, out,
                                     sizeof out, err, sizeof err),
                     0);
    assert_string_equal(out, at("lessons/scenarios/too-large.json"));
    /* errors name the folders searched, once each */
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "nope", own_copy, out, sizeof out,
                                     err, sizeof err),
                     -1);
    snprintf(want, sizeof want, "no scenario 'nope' (looked in %s/course/scenarios and "
             "%s/lessons/scenarios)", base, base);
    assert_string_equal(err, want);
    char in_data[512];
    snprintf(in_data, sizeof in_data, "%s", at("lessons/a-first.json"));
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "nope", in_data, out, sizeof out,
                                     err, sizeof err),
                     -1);
    snprintf(want, sizeof want, "no scenario 'nope' (looked in %s/lessons/scenarios)", base);
    assert_string_equal(err, want);
    assert_int_equal(catalog_resolve(base, CATALOG_LESSON, "Bad Name", NULL, out, sizeof out, err,
                                     sizeof err),
                     -1);
    assert_string_equal(err, "no lesson 'Bad Name' (not an id or a path)");
    assert_int_equal(catalog_resolve(base, CATALOG_LESSON, "", NULL, out, sizeof out, err,
                                     sizeof err),
                     -1);
}

/* A near miss names the one close id ("did you mean"), in the folders searched only; far or
 * ambiguous names get no guess. */
static void test_did_you_mean(void **state)
{
    (void)state;
    char out[512], err[1024], want[1024];
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "basci", NULL, out, sizeof out, err,
                                     sizeof err),
                     -1);
    snprintf(want, sizeof want, "no scenario 'basci' (looked in %s/lessons/scenarios); did you "
             "mean 'basic'?", base);
    assert_string_equal(err, want);
    char own[512];
    snprintf(own, sizeof own, "%s", at("course/own.json"));
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "locl", own, out, sizeof out, err,
                                     sizeof err),
                     -1);
    assert_non_null(strstr(err, "; did you mean 'local'?")); /* next to the lesson too */
    assert_int_equal(catalog_resolve(base, CATALOG_LESSON, "a-frist", NULL, out, sizeof out, err,
                                     sizeof err),
                     -1);
    assert_non_null(strstr(err, "; did you mean 'a-first'?"));
    assert_int_equal(catalog_resolve(base, CATALOG_LESSON, "Basic", NULL, out, sizeof out, err,
                                     sizeof err),
                     -1);
    assert_null(strstr(err, "did you mean")); /* lessons/ has no 'basic' */
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "Basic", NULL, out, sizeof out, err,
                                     sizeof err),
                     -1);
    assert_non_null(strstr(err, "(not an id or a path); did you mean 'basic'?"));
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "zzzzzz", NULL, out, sizeof out, err,
                                     sizeof err),
                     -1);
    assert_null(strstr(err, "did you mean"));
    /* notes.txt and .hidden.json are not names */
    assert_int_equal(catalog_resolve(base, CATALOG_SCENARIO, "hidden", NULL, out, sizeof out, err,
                                     sizeof err),
                     -1);
    assert_null(strstr(err, "did you mean"));
}

/* The lessons that animate a scenario, in listing order; broken and other lessons left out. */
static void test_lessons_of(void **state)
{
    (void)state;
    lesson *l[8];
    size_t n = catalog_lessons_of(base, "basic", l, 8);
    assert_int_equal(n, 2);
    assert_string_equal(l[0]->id, "a-first");
    assert_string_equal(l[1]->id, "b-second");
    for (size_t i = 0; i < n; i++)
        lesson_free(l[i]);
    n = catalog_lessons_of(base, "basic", l, 1); /* at most cap */
    assert_int_equal(n, 1);
    lesson_free(l[0]);
    assert_int_equal(catalog_lessons_of(base, "too-large", l, 8), 1);
    lesson_free(l[0]);
    assert_int_equal(catalog_lessons_of(base, "nothing", l, 8), 0);
    assert_int_equal(catalog_lessons_of(base, "", l, 8), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_order),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_did_you_mean),
        cmocka_unit_test(test_lessons_of),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
