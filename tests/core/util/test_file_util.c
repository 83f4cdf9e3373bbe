/* test_file_util.c - file_mkdirs (nested, private, errors), file_read_all (limits, errors),
 * atomic writes (content, mode, nothing left behind on failure), *.json listings (order). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util/file_util.h"

static void test_creates_nested_private_dirs(void **state)
{
    (void)state;
    char base[] = "/tmp/smtpsim-fu-XXXXXX";
    assert_non_null(mkdtemp(base));
    char path[256];
    snprintf(path, sizeof path, "%s/a/b/c", base);
    assert_int_equal(file_mkdirs(path), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    /* again: an existing directory is fine */
    assert_int_equal(file_mkdirs(path), 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    assert_int_equal(system(cmd), 0);
}

static void test_refuses_through_a_file(void **state)
{
    (void)state;
    char base[] = "/tmp/smtpsim-fu-XXXXXX";
    assert_non_null(mkdtemp(base));
    char file[256], path[300];
    snprintf(file, sizeof file, "%s/file", base);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/sub", file);
    assert_int_equal(file_mkdirs(path), -1);
    assert_int_equal(errno, ENOTDIR);
    assert_int_equal(file_mkdirs(""), -1);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    assert_int_equal(system(cmd), 0);
}

static void test_read_all(void **state)
{
    (void)state;
    char base[] = "/tmp/smtpsim-fu-XXXXXX";
    assert_non_null(mkdtemp(base));
    char path[256];
    snprintf(path, sizeof path, "%s/f", base);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 100000; i++)
        fputc('a' + i % 26, f);
    fclose(f);
    char *buf;
    size_t len;
    assert_int_equal(file_read_all(path, 100000, &buf, &len), 0); /* exactly the limit */
    assert_int_equal(len, 100000);
    assert_int_equal(buf[99999], 'a' + 99999 % 26);
    assert_int_equal(buf[len], '\0');
    free(buf);
    assert_int_equal(file_read_all(path, 99999, &buf, &len), -1); /* one byte over */
    assert_int_equal(errno, EFBIG);
    assert_null(buf);
    assert_int_equal(file_read_all(path, 0, &buf, &len), -1);
    assert_int_equal(errno, EFBIG);
    snprintf(path, sizeof path, "%s/missing", base);
    assert_int_equal(file_read_all(path, 10, &buf, &len), -1);
    assert_int_equal(errno, ENOENT);
    snprintf(path, sizeof path, "%s/empty", base);
    fclose(fopen(path, "w"));
    assert_int_equal(file_read_all(path, 0, &buf, &len), 0);
    assert_int_equal(len, 0);
    free(buf);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    assert_int_equal(system(cmd), 0);
}

static void test_write_atomic(void **state)
{
    (void)state;
    char base[] = "/tmp/smtpsim-fu-XXXXXX";
    assert_non_null(mkdtemp(base));
    char path[256];
    snprintf(path, sizeof path, "%s/out.txt", base);
    const char *failed = "x";
    assert_int_equal(file_write_atomic(path, "old\n", 4, 0600, &failed), 0);
    assert_null(failed);
    assert_int_equal(file_write_atomic(path, "new text\n", 9, 0600, NULL), 0);
    char *buf;
    size_t len;
    assert_int_equal(file_read_all(path, 100, &buf, &len), 0);
    assert_string_equal(buf, "new text\n");
    free(buf);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* abort leaves the old file and no temporary one */
    file_atomic a;
    assert_int_equal(file_atomic_open(&a, path, 0644), 0);
    fputs("half", a.f);
    file_atomic_abort(&a);
    assert_int_equal(file_read_all(path, 100, &buf, &len), 0);
    assert_string_equal(buf, "new text\n");
    free(buf);
    /* a folder that does not exist: the step and errno say why */
    snprintf(path, sizeof path, "%s/no/such/dir/x", base);
    assert_int_equal(file_write_atomic(path, "x", 1, 0644, &failed), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(failed, "create a temporary file");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", base);
    FILE *p = popen(cmd, "r");
    int files = -1;
    assert_int_equal(fscanf(p, "%d", &files), 1);
    pclose(p);
    assert_int_equal(files, 1); /* out.txt only */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    assert_int_equal(system(cmd), 0);
}

static void test_json_names(void **state)
{
    (void)state;
    char base[] = "/tmp/smtpsim-fu-XXXXXX";
    assert_non_null(mkdtemp(base));
    const char *names[] = {"too-large-local.json", "b.json", "too-large.json", ".hidden.json",
                           "a.txt", "a.json", ".json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", base, names[i]);
        fclose(fopen(path, "w"));
    }
    char **v;
    long n = file_json_names(base, &v);
    assert_int_equal(n, 4);
    assert_string_equal(v[0], "a.json");
    assert_string_equal(v[1], "b.json");
    assert_string_equal(v[2], "too-large.json");
    assert_string_equal(v[3], "too-large-local.json");
    file_names_free(v, n);
    assert_int_equal(file_json_names("/nonexistent-smtpsim", &v), 0);
    assert_null(v);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_creates_nested_private_dirs),
        cmocka_unit_test(test_refuses_through_a_file),
        cmocka_unit_test(test_read_all),
        cmocka_unit_test(test_write_atomic),
        cmocka_unit_test(test_json_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
