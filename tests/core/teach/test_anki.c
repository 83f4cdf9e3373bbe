/* test_anki.c - anki.c: Anki's header lines, one quoted row per question, quotes doubled,
 * line breaks kept inside the quotes, tags without spaces, fronts that never give the answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/teach/anki.h"

static void test_anki(void **state)
{
    (void)state;
    const char *text =
        "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, \"topics\": [\"x\"], \"intro\": \"I\","
        " \"questions\": ["
        "{\"id\": \"t-1\", \"kind\": \"single\", \"prompt\": \"Say \\\"hi\\\"?\", \"choices\": "
        "[\"yes, \\\"hi\\\"\", \"no\"], \"answer\": 1, \"explanation\": \"Line one\\nline two\","
        " \"refs\": [\"RFC 5321 1\"], \"tags\": [\"reply codes\", \"basics\"]},"
        "{\"id\": \"t-2\", \"kind\": \"order\", \"prompt\": \"Order\", \"items\": [\"zulu\", "
        "\"alpha\", \"mike\"], \"explanation\": \"E\", \"refs\": [\"R\"]}]}";
    char err[1024];
    lesson *l = lesson_load_buffer("t.json", text, strlen(text), err, sizeof err);
    assert_non_null(l);
    size_t len = 0;
    char *csv = anki_export(l, &len);
    assert_non_null(csv);
    assert_int_equal(strlen(csv), len);
    const char *want =
        "#separator:Comma\n#html:false\n#columns:Front,Back,Tags\n#tags column:3\n"
        "\"Say \"\"hi\"\"?\n1. yes, \"\"hi\"\"\n2. no\",\"1. yes, \"\"hi\"\"\n\nLine one\nline "
        "two\n\nSee: RFC 5321 1\",\"t reply_codes basics\"\n"
        "\"Order\nPut in order:\n- alpha\n- mike\n- zulu\",\"zulu, alpha, mike\n\nE\n\nSee: R\","
        "\"t x\"\n";
    assert_string_equal(csv, want);
    free(csv);
    lesson_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anki),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
