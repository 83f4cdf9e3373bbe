/* test_net_maildir.c - Maildir delivery: atomic (tmp then new), LF line ends, safe names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/net_maildir.h"

static char root[256];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/smtpsim-maildir-test-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static void mailbox_names_are_safe(void **state)
{
    (void)state;
    char out[80];
    assert_int_equal(net_maildir_mailbox_name("Alice", out, sizeof out), 0);
    assert_string_equal(out, "alice");
    assert_int_equal(net_maildir_mailbox_name("../etc", out, sizeof out), 0);
    assert_string_equal(out, "_._etc");
    assert_int_equal(net_maildir_mailbox_name("a/b c", out, sizeof out), 0);
    assert_string_equal(out, "a_b_c");
    assert_int_equal(net_maildir_mailbox_name("", out, sizeof out), -1);
    char big[100];
    memset(big, 'x', 99);
    big[99] = '\0';
    assert_int_equal(net_maildir_mailbox_name(big, out, sizeof out), -1);
}

static void delivery_is_whole_and_lf(void **state)
{
    (void)state;
    const char *hdr = "Return-Path: <a@x.org>\r\nReceived: from x by y; date\r\n";
    const char *data = "Subject: hi\r\n\r\nline one\r\n.dot\r\n";
    char path[1024];
    assert_int_equal(
        net_maildir_deliver(root, "bob", hdr, strlen(hdr), data, strlen(data), path, sizeof path),
        0);
    char d[512];
    snprintf(d, sizeof d, "%s/bob/new", root);
    assert_int_equal(count_files(d), 1);
    snprintf(d, sizeof d, "%s/bob/tmp", root);
    assert_int_equal(count_files(d), 0);
    snprintf(d, sizeof d, "%s/bob/cur", root);
    assert_int_equal(count_files(d), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[512];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, "Return-Path: <a@x.org>\nReceived: from x by y; date\n"
                             "Subject: hi\n\nline one\n.dot\n");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void pending_is_invisible_until_commit(void **state)
{
    (void)state;
    net_maildir_pending a, b, c;
    assert_int_equal(net_maildir_begin(root, "carol", "", 0, "A\r\n", 3, &a), 0);
    assert_int_equal(net_maildir_begin(root, "carol", "", 0, "B\r\n", 3, &b), 0);
    assert_int_equal(net_maildir_begin(root, "dave", "", 0, "C\r\n", 3, &c), 0);
    assert_string_not_equal(a.new_path, b.new_path); /* unique names */
    char d[512];
    snprintf(d, sizeof d, "%s/carol/new", root);
    assert_int_equal(count_files(d), 0); /* written, but not delivered */
    net_maildir_abort(&b);               /* e.g. the client vanished */
    net_maildir_pending *list[2] = {&a, &c};
    bool ok[2];
    assert_int_equal(net_maildir_commit_batch(list, 2, ok), 2);
    assert_true(ok[0] && ok[1]);
    assert_int_equal(count_files(d), 1);
    snprintf(d, sizeof d, "%s/carol/tmp", root);
    assert_int_equal(count_files(d), 0);
    snprintf(d, sizeof d, "%s/dave/new", root);
    assert_int_equal(count_files(d), 1);
}

static void prepared_messages_written_by_commit(void **state)
{
    (void)state;
    net_maildir_pending a, b;
    assert_int_equal(net_maildir_prepare(root, "erin", "H: 1\r\n", 6, "A\r\n", 3, &a), 0);
    assert_int_equal(net_maildir_prepare(root, "erin", "", 0, "B\r\n", 3, &b), 0);
    char d[512];
    snprintf(d, sizeof d, "%s/erin", root);
    struct stat st;
    assert_int_not_equal(stat(d, &st), 0); /* prepared only: nothing on disk yet */
    net_maildir_abort(&b);
    net_maildir_pending *list[1] = {&a};
    bool ok[1];
    assert_int_equal(net_maildir_commit_batch(list, 1, ok), 1);
    FILE *f = fopen(a.new_path, "rb");
    assert_non_null(f);
    char buf[64];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, "H: 1\nA\n");
    snprintf(d, sizeof d, "%s/erin/new", root);
    assert_int_equal(count_files(d), 1);
}

/* The two halves a server pipelines: files then directories, two batches interleaved as the
 * server runs them (batch 2's files while batch 1's directories are flushed). */
static void commit_in_two_stages(void **state)
{
    (void)state;
    net_maildir_pending a, b, c;
    assert_int_equal(net_maildir_prepare(root, "fay", "", 0, "A\r\n", 3, &a), 0);
    assert_int_equal(net_maildir_prepare(root, "gus", "", 0, "B\r\n", 3, &b), 0);
    assert_int_equal(net_maildir_prepare(root, "fay", "", 0, "C\r\n", 3, &c), 0);
    net_maildir_pending *one[2] = {&a, &b}, *two[1] = {&c};
    bool ok1[2] = {false, false}, ok2[1] = {false};
    net_maildir_commit_files(one, 2, ok1);
    assert_true(ok1[0] && ok1[1]);
    char d[512];
    snprintf(d, sizeof d, "%s/fay/new", root);
    assert_int_equal(count_files(d), 1); /* renamed into new/ (not yet durable there) */
    snprintf(d, sizeof d, "%s/fay/tmp", root);
    assert_int_equal(count_files(d), 0);
    net_maildir_commit_files(two, 1, ok2);
    assert_int_equal(net_maildir_commit_dirs(one, 2, ok1), 2);
    assert_int_equal(net_maildir_commit_dirs(two, 1, ok2), 1);
    assert_true(ok1[0] && ok1[1] && ok2[0]);
    snprintf(d, sizeof d, "%s/fay/new", root);
    assert_int_equal(count_files(d), 2);
    snprintf(d, sizeof d, "%s/gus/new", root);
    assert_int_equal(count_files(d), 1);
}

static void failure_leaves_nothing(void **state)
{
    (void)state;
    char bad[300];
    snprintf(bad, sizeof bad, "%s/file", root);
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fclose(f);
    /* the root is a regular file: cannot create the mailbox */
    assert_int_equal(net_maildir_deliver(bad, "x", "", 0, "A\r\n", 3, NULL, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mailbox_names_are_safe),
        cmocka_unit_test_setup_teardown(delivery_is_whole_and_lf, setup, teardown),
        cmocka_unit_test_setup_teardown(pending_is_invisible_until_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(prepared_messages_written_by_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(commit_in_two_stages, setup, teardown),
        cmocka_unit_test_setup_teardown(failure_leaves_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
