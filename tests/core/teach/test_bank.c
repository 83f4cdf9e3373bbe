/* test_bank.c - the shipped question bank (lessons/ *.json) cannot be passed by habit: no choice
 * position holds more than 35% of the right answers, the right answer is strictly the longest
 * choice in at most 40% of the choice questions (in the bank and in every lesson with at least
 * five), and 40-60% of the true/false questions are true (lessons/FORMAT.md, "Answer balance").
 *
 * The counting is written here again on purpose, apart from `smtpsim lint`'s, so that a mistake
 * in one does not hide a biased bank.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glob.h>

#include "core/teach/lesson.h"

#define MAX_POSITION_PCT 35
#define MAX_LONGEST_PCT 40
#define MIN_TRUE_PCT 40
#define MAX_TRUE_PCT 60
#define MIN_LESSON_QUESTIONS 5 /* a lesson's own longest-answer share counts from this many */

typedef struct {
    size_t choice, longest, at[LESSON_MAX_CHOICES];
    size_t singles, singles_at[LESSON_MAX_CHOICES]; /* single only, as the issue counted them */
    size_t tf_true, tf_false;
} tally;

/* chars - UTF-8 characters of s. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

static void count(const lesson *l, tally *t)
{
    for (size_t i = 0; i < l->n_questions; i++) {
        const lesson_question *q = &l->questions[i];
        if (q->kind == LESSON_Q_TRUEFALSE) {
            if (q->answer_tf)
                t->tf_true++;
            else
                t->tf_false++;
            continue;
        }
        if (!(q->kind == LESSON_Q_SINGLE || (q->kind == LESSON_Q_PREDICT && q->n_choices)))
            continue;
        assert_true(q->answer >= 1 && (size_t)q->answer <= q->n_choices);
        size_t right = chars(q->choices[q->answer - 1]), others = 0;
        for (size_t c = 0; c < q->n_choices; c++)
            if ((int)c != q->answer - 1 && chars(q->choices[c]) > others)
                others = chars(q->choices[c]);
        t->choice++;
        t->at[q->answer - 1]++;
        t->longest += right > others;
        if (q->kind == LESSON_Q_SINGLE) {
            t->singles++;
            t->singles_at[q->answer - 1]++;
        }
    }
}

static char problems[8192]; /* every problem found, reported at once after cleanup */

static void problem(const char *fmt, ...)
{
    size_t len = strlen(problems);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problems + len, sizeof problems - len, fmt, ap);
    va_end(ap);
    len = strlen(problems);
    if (len + 1 < sizeof problems)
        strcat(problems, "\n");
}

/* The whole bank, and each lesson's longest-answer share. */
static void test_bank_balance(void **state)
{
    (void)state;
    const char *root = getenv("SMTPSIM_DATA");
    char pat[4096];
    snprintf(pat, sizeof pat, "%s/lessons/*.json", root && *root ? root : ".");
    glob_t g;
    assert_int_equal(glob(pat, 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 10); /* the bank is there: a vacuous pass proves nothing */

    tally bank = {0};
    for (size_t f = 0; f < g.gl_pathc; f++) {
        char err[4096];
        lesson *l = lesson_load(g.gl_pathv[f], err, sizeof err);
        if (!l) {
            problem("%s", err);
            continue;
        }
        tally one = {0};
        count(l, &one);
        if (one.choice >= MIN_LESSON_QUESTIONS && one.longest * 100 > one.choice * MAX_LONGEST_PCT)
            problem("%s: the right answer is the longest choice in %zu of %zu", g.gl_pathv[f],
                    one.longest, one.choice);
        bank.choice += one.choice;
        bank.longest += one.longest;
        bank.singles += one.singles;
        bank.tf_true += one.tf_true;
        bank.tf_false += one.tf_false;
        for (size_t i = 0; i < LESSON_MAX_CHOICES; i++) {
            bank.at[i] += one.at[i];
            bank.singles_at[i] += one.singles_at[i];
        }
        lesson_free(l);
    }
    globfree(&g);

    assert_true(bank.choice >= 100);
    for (size_t i = 0; i < LESSON_MAX_CHOICES; i++) {
        if (bank.at[i] * 100 > bank.choice * MAX_POSITION_PCT)
            problem("choice %zu holds %zu of %zu right answers", i + 1, bank.at[i], bank.choice);
        if (bank.singles_at[i] * 100 > bank.singles * MAX_POSITION_PCT)
            problem("choice %zu holds %zu of %zu single-choice answers", i + 1,
                    bank.singles_at[i], bank.singles);
    }
    if (bank.longest * 100 > bank.choice * MAX_LONGEST_PCT)
        problem("the right answer is the longest choice in %zu of %zu", bank.longest, bank.choice);
    size_t tf = bank.tf_true + bank.tf_false;
    assert_true(tf >= 10);
    if (bank.tf_true * 100 < tf * MIN_TRUE_PCT || bank.tf_true * 100 > tf * MAX_TRUE_PCT)
        problem("true/false: %zu true of %zu", bank.tf_true, tf);
    if (problems[0])
        fail_msg("%s", problems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bank_balance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
