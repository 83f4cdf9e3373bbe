/* test_progress.c - progress.c: the Leitner schedule, round trips, atomic saving, damaged
 * files moved aside, missing directories, unwritable locations. Times are virtual. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/teach/progress.h"

#define T0 1700000000LL /* a virtual clock */
#define DAY PROGRESS_DAY

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/test_progress_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+w %s; rm -rf %s", dir, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *in_dir(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_leitner(void **state)
{
    (void)state;
    progress *p = progress_new();
    assert_non_null(p);
    assert_null(progress_get(p, "q1"));
    assert_true(progress_is_due(p, "q1", T0)); /* new questions are due */

    progress_record(p, "q1", true, T0);
    const progress_entry *e = progress_get(p, "q1");
    assert_non_null(e);
    assert_int_equal(e->box, 2);
    assert_int_equal(e->due, T0 + 1 * DAY);
    assert_false(progress_is_due(p, "q1", T0 + DAY - 1));
    assert_true(progress_is_due(p, "q1", T0 + DAY));

    progress_record(p, "q1", true, T0 + DAY);
    e = progress_get(p, "q1");
    assert_int_equal(e->box, 3);
    assert_int_equal(e->due, T0 + DAY + 3 * DAY);
    progress_record(p, "q1", true, T0 + 4 * DAY);
    progress_record(p, "q1", true, T0 + 11 * DAY);
    e = progress_get(p, "q1");
    assert_int_equal(e->box, 5);
    assert_int_equal(e->due, T0 + 11 * DAY + 21 * DAY);
    progress_record(p, "q1", true, T0 + 40 * DAY); /* the top box stays the top box */
    e = progress_get(p, "q1");
    assert_int_equal(e->box, 5);
    assert_int_equal(e->seen, 5);
    assert_int_equal(e->right, 5);
    assert_true(e->last_ok);

    /* a miss goes back to box 1, due at once: it comes back sooner */
    progress_record(p, "q1", false, T0 + 60 * DAY);
    e = progress_get(p, "q1");
    assert_int_equal(e->box, 1);
    assert_int_equal(e->due, T0 + 60 * DAY);
    assert_false(e->last_ok);
    assert_int_equal(e->seen, 6);
    assert_int_equal(e->right, 5);
    assert_true(progress_is_due(p, "q1", T0 + 60 * DAY));

    /* a first answer that is wrong: box 1 */
    progress_record(p, "q2", false, T0);
    assert_int_equal(progress_get(p, "q2")->box, 1);
    assert_int_equal(progress_count(p), 2);
    assert_int_equal(progress_interval(0), 0);
    assert_int_equal(progress_interval(99), 21 * DAY);
    progress_free(p);
    progress_free(NULL);
}

static void test_round_trip(void **state)
{
    (void)state;
    char err[512];
    progress *p = progress_new();
    progress_record(p, "zeta-1", true, T0);
    progress_record(p, "alpha-1", false, T0 + 5);
    progress_record(p, "alpha-1", true, T0 + 10);
    const char *path = in_dir("progress.json");
    assert_int_equal(progress_save(p, path, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* sorted by id: alpha before zeta */
    char *text = read_text(path);
    assert_non_null(text);
    assert_true(strstr(text, "alpha-1") < strstr(text, "zeta-1"));

    progress *q = NULL;
    assert_int_equal(progress_load(path, &q, err, sizeof err), PROGRESS_LOADED);
    assert_int_equal(progress_count(q), 2);
    const progress_entry *a = progress_get(q, "alpha-1");
    assert_non_null(a);
    assert_int_equal(a->box, 2);
    assert_int_equal(a->due, T0 + 10 + DAY);
    assert_int_equal(a->last, T0 + 10);
    assert_true(a->last_ok);
    assert_int_equal(a->seen, 2);
    assert_int_equal(a->right, 1);
    progress_free(q);

    /* saving again replaces the file and leaves no temporary behind */
    progress_record(p, "zeta-1", false, T0 + 20);
    assert_int_equal(progress_save(p, path, err, sizeof err), 0);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int files = 0;
    for (struct dirent *de; (de = readdir(d));)
        if (de->d_name[0] != '.') {
            files++;
            assert_null(strstr(de->d_name, ".tmp-"));
        }
    closedir(d);
    assert_int_equal(files, 1);
    assert_int_equal(progress_load(path, &q, err, sizeof err), PROGRESS_LOADED);
    assert_false(progress_get(q, "zeta-1")->last_ok);
    progress_free(q);
    progress_free(p);
}

static void test_missing_file_and_dir(void **state)
{
    (void)state;
    char err[512];
    progress *p = NULL;
    assert_int_equal(progress_load(in_dir("none.json"), &p, err, sizeof err), PROGRESS_NEW);
    assert_non_null(p);
    assert_int_equal(progress_count(p), 0);
    progress_record(p, "x-1", true, T0);
    /* directories that do not exist are created, private */
    const char *deep = in_dir("a/b/c/progress.json");
    assert_int_equal(progress_save(p, deep, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(in_dir("a/b"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(in_dir("a/b/c"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    progress *q = NULL;
    assert_int_equal(progress_load(deep, &q, err, sizeof err), PROGRESS_LOADED);
    assert_non_null(progress_get(q, "x-1"));
    progress_free(q);
    progress_free(p);
}

static void test_damaged_moved_aside(void **state)
{
    (void)state;
    char err[1024];
    const char *path = in_dir("progress.json");
    const char *garbage = "{\"version\": 1, \"questions\": {\"a\": {\"box\": 2,";
    write_text(path, garbage);
    progress *p = NULL;
    assert_int_equal(progress_load(path, &p, err, sizeof err), PROGRESS_DAMAGED);
    assert_non_null(p);
    assert_int_equal(progress_count(p), 0);
    /* a clear message: what, where, and where the old file went */
    assert_non_null(strstr(err, "damaged"));
    assert_non_null(strstr(err, "progress.json:1:"));
    assert_non_null(strstr(err, "progress.json.broken-1"));
    assert_int_equal(access(path, F_OK), -1);
    char *kept = read_text(in_dir("progress.json.broken-1"));
    assert_non_null(kept);
    assert_string_equal(kept, garbage); /* kept byte for byte */
    progress_free(p);

    /* a second damaged file does not overwrite the first one kept */
    write_text(path, "{\"version\": 1, \"questions\": {\"a\": {\"box\": 9, \"due\": 0}}}");
    assert_int_equal(progress_load(path, &p, err, sizeof err), PROGRESS_DAMAGED);
    assert_non_null(strstr(err, "questions.a.box: expected an integer 1-5"));
    assert_non_null(strstr(err, "progress.json.broken-2"));
    assert_string_equal(read_text(in_dir("progress.json.broken-1")), garbage);
    progress_free(p);

    /* other kinds of damage */
    static const char *const bad[] = {
        "",
        "[]",
        "{\"version\": 1}",
        "{\"version\": 1, \"questions\": {\"a\": {\"box\": 1, \"due\": 0, \"seen\": 1, \"right\": "
        "2}}}",
        "{\"version\": 1, \"questions\": {\"a\": {\"box\": 1, \"due\": \"soon\"}}}",
        "{\"version\": 1, \"questions\": {\"a\": {\"box\": 1, \"due\": 0},"
        " \"a\": {\"box\": 1, \"due\": 0}}}",
        "\xff\xfe{}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(path, bad[i]);
        progress_status s = progress_load(path, &p, err, sizeof err);
        if (s != PROGRESS_DAMAGED)
            fail_msg("case %zu: status %d: %s", i, (int)s, err);
        progress_free(p);
    }
    assert_int_equal(access(in_dir("progress.json.broken-9"), F_OK), 0);

    /* a file from a newer smtpsim is not damage: refused, and left exactly where it is */
    const char *future = "{\"version\": 2, \"questions\": {}, \"streaks\": []}";
    write_text(path, future);
    assert_int_equal(progress_load(path, &p, err, sizeof err), PROGRESS_ERROR);
    assert_null(p);
    assert_non_null(strstr(err, "newer smtpsim (format version 2"));
    assert_string_equal(read_text(path), future);
    assert_int_equal(access(in_dir("progress.json.broken-10"), F_OK), -1);
}

static void test_unwritable(void **state)
{
    (void)state;
    char err[1024];
    progress *p = progress_new();
    progress_record(p, "x-1", true, T0);
    /* a path through a regular file can never be written (this holds even for root) */
    write_text(in_dir("plainfile"), "x");
    const char *path = in_dir("plainfile/sub/progress.json");
    assert_int_equal(progress_save(p, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot save progress to"));
    assert_non_null(strstr(err, "Not a directory"));
    if (geteuid() != 0) { /* permissions do not stop root */
        assert_int_equal(mkdir(in_dir("ro"), 0500), 0);
        assert_int_equal(progress_save(p, in_dir("ro/progress.json"), err, sizeof err), -1);
        assert_non_null(strstr(err, "Permission denied"));
    }
    /* a directory where the file should be: not readable as progress, and left alone */
    assert_int_equal(mkdir(in_dir("isdir.json"), 0700), 0);
    progress *q = NULL;
    assert_int_equal(progress_load(in_dir("isdir.json"), &q, err, sizeof err), PROGRESS_ERROR);
    assert_null(q);
    assert_int_equal(access(in_dir("isdir.json.broken-1"), F_OK), -1);
    assert_int_equal(progress_save(p, in_dir("isdir.json"), err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot replace the file"));
    progress_free(p);
}

/* the probe made before the first question: a real failure under a regular file (root can
 * write anywhere else) and in /proc; nothing left behind when it works */
static void test_check_writable(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(progress_check_writable(in_dir("sub/p.json"), err, sizeof err), 0);
    DIR *d = opendir(in_dir("sub"));
    assert_non_null(d);
    struct dirent *de;
    size_t files = 0;
    while ((de = readdir(d)))
        files += de->d_name[0] != '.';
    closedir(d);
    assert_int_equal(files, 0); /* the probe is removed */
    FILE *f = fopen(in_dir("plain"), "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(progress_check_writable(in_dir("plain/p.json"), err, sizeof err), -1);
    assert_non_null(strstr(err, in_dir("plain/p.json")));
    assert_non_null(strstr(err, "Not a directory"));
    assert_int_equal(progress_check_writable("/proc/smtpsim-progress.json", err, sizeof err), -1);
    assert_non_null(strstr(err, "/proc/smtpsim-progress.json"));
    assert_int_equal(progress_check_writable("", err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leitner),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file_and_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_moved_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_writable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
