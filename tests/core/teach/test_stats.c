/* test_stats.c - stats.c: due today, boxes, accuracy by topic, and the report's lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/teach/stats.h"

#define T0 1700000000LL /* 2023-11-14 22:13:20 UTC: 6826 seconds before midnight */

#define Q(id, tag)                                                                                 \
    "{\"id\": \"" id "\", \"kind\": \"truefalse\", \"prompt\": \"P\", \"answer\": true, "        \
    "\"explanation\": \"E\", \"refs\": [\"R\"], \"tags\": [\"" tag "\"]}"

static void test_stats(void **state)
{
    (void)state;
    const char *text = "{\"id\": \"t\", \"title\": \"T\", \"version\": 1, \"topics\": [\"x\"], "
                       "\"intro\": \"I\", \"questions\": [" Q("a-1", "ports") "," Q("a-2", "ports")
                       "," Q("a-3", "tls") "," Q("a-4", "tls") "]}";
    char err[1024];
    lesson *l = lesson_load_buffer("t.json", text, strlen(text), err, sizeof err);
    assert_non_null(l);
    progress *p = progress_new();
    progress_record(p, "a-1", true, T0 - 3 * PROGRESS_DAY); /* box 2, due T0 - 2 days */
    progress_record(p, "a-1", false, T0 - PROGRESS_DAY);     /* box 1, due at once */
    progress_record(p, "a-3", true, T0 - 3600);              /* box 2, due in 23 hours */
    progress_record(p, "a-3", true, T0 - 60);                /* box 3, due in 3 days */
    const lesson *ls[] = {l};
    stats s;
    stats_compute(ls, 1, p, T0, &s);
    assert_int_equal(s.questions, 4);
    assert_int_equal(s.seen, 2);
    assert_int_equal(s.boxes[0], 2);
    assert_int_equal(s.boxes[1], 1);
    assert_int_equal(s.boxes[3], 1);
    assert_int_equal(s.due_now, 1);
    assert_int_equal(s.due_today, 1);
    assert_int_equal(s.answers, 4);
    assert_int_equal(s.right, 3);
    assert_int_equal(s.n_topics, 2);
    assert_string_equal(s.topics[0].topic, "ports");
    assert_int_equal(s.topics[0].answers, 2);
    assert_int_equal(s.topics[0].right, 1);
    assert_int_equal(s.topics[1].right, 2);

    /* a day later a-3's first interval would have passed, but it moved to box 3 */
    stats_compute(ls, 1, p, T0 + PROGRESS_DAY, &s);
    assert_int_equal(s.due_today, 1);

    char lines[16][STATS_LINE];
    stats_compute(ls, 1, p, T0, &s);
    size_t n = stats_lines(&s, lines, 16);
    assert_int_equal(n, 7);
    assert_string_equal(lines[0], "Questions: 4 (2 answered, 2 new)");
    assert_string_equal(lines[1], "Due now: 1, by end of day (UTC): 1");
    assert_string_equal(lines[2], "Boxes 1-5: 1 0 1 0 0 (5: learnt)");
    assert_string_equal(lines[3], "Answers right: 3 of 4 (75%)");
    assert_string_equal(lines[5], "ports           1/2 50%      1/2");
    assert_string_equal(lines[6], "tls             2/2 100%     1/2");
    assert_int_equal(stats_lines(&s, lines, 2), 2); /* never past cap */

    /* no progress at all */
    stats_compute(ls, 1, NULL, T0, &s);
    assert_int_equal(s.boxes[0], 4);
    assert_int_equal(s.due_today, 0);
    progress_free(p);
    lesson_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
