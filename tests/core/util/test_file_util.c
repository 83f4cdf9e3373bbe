/* test_file_util.c - file_mkdirs: nested creation, existing paths, private mode, errors. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_creates_nested_private_dirs),
        cmocka_unit_test(test_refuses_through_a_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
