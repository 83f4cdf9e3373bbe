/* test_net_mailstore.c - the Maildir behind the POP3/IMAP engines: new/ to cur/, UIDs kept in
 * the state file across reopenings, flags as info letters, expunge, mail arriving while open,
 * the POP3 lock, and CRLF content with the right size. */
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
#include "net/net_mailstore.h"

static char root[256];
static const smtp_user users[] = {{"bob", "pw"}, {"carol@example.org", "pw2"}};

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/smtpsim-mailstore-test-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* deliver - one message into ROOT/bob/new as the MX does */
static void deliver(const char *subject)
{
    char msg[200];
    int n = snprintf(msg, sizeof msg, "Subject: %s\r\n\r\nHello.\r\n", subject);
    assert_int_equal(net_maildir_deliver(root, "bob", NULL, 0, msg, (size_t)n, NULL, 0), 0);
}

static int count_in(const char *sub, const char *suffix)
{
    char dir[400];
    snprintf(dir, sizeof dir, "%s/bob/%s", root, sub);
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' &&
            (!suffix || (strlen(e->d_name) >= strlen(suffix) &&
                         !strcmp(e->d_name + strlen(e->d_name) - strlen(suffix), suffix))))
            n++;
    closedir(d);
    return n;
}

static void test_uids_flags_expunge(void **state)
{
    (void)state;
    deliver("one");
    deliver("two");
    net_mailstore *st = net_mailstore_new(root, users, 2);
    mailbox_provider p = net_mailstore_provider(st);
    assert_true(p.check_password(p.ctx, "bob", "pw"));
    assert_false(p.check_password(p.ctx, "bob", "nope"));
    mailbox mb;
    assert_int_equal(p.open(p.ctx, "bob", false, &mb), MAILBOX_OPEN_OK);
    assert_int_equal(mb.ops->count(mb.ctx), 2);
    assert_int_equal(count_in("new", NULL), 0);
    assert_int_equal(count_in("cur", ":2,"), 2);
    assert_int_equal(mb.ops->uid(mb.ctx, 0), 1);
    assert_int_equal(mb.ops->uid(mb.ctx, 1), 2);
    assert_int_equal(mb.ops->uidnext(mb.ctx), 3);
    uint32_t validity = mb.ops->uidvalidity(mb.ctx);
    const char *data;
    size_t len;
    assert_int_equal(mb.ops->read(mb.ctx, 0, &data, &len), 0);
    assert_non_null(strstr(data, "Subject: one\r\n\r\nHello.\r\n"));
    assert_int_equal(mb.ops->size(mb.ctx, 0), len);
    /* \Seen is the info letter S, \Deleted T, in ASCII order */
    assert_int_equal(mb.ops->set_flags(mb.ctx, 1, MAILBOX_SEEN | MAILBOX_DELETED), 0);
    assert_int_equal(count_in("cur", ":2,ST"), 1);
    assert_int_equal(mb.ops->flags(mb.ctx, 1), MAILBOX_SEEN | MAILBOX_DELETED);
    /* new mail while open: seen at the next poll, with the next UID */
    unsigned long gen = net_mailstore_generation(st);
    deliver("three");
    net_mailstore_poll(st);
    assert_true(net_mailstore_generation(st) != gen);
    assert_int_equal(mb.ops->count(mb.ctx), 3);
    assert_int_equal(mb.ops->uid(mb.ctx, 2), 3);
    assert_int_equal(mb.ops->expunge(mb.ctx, 1), 0);
    assert_int_equal(mb.ops->count(mb.ctx), 2);
    assert_int_equal(count_in("cur", NULL), 2);
    p.close(p.ctx, &mb);
    net_mailstore_free(st);

    /* another store (a restart): same UIDVALIDITY, UIDs 1 and 3, UIDNEXT 4, flags from names */
    st = net_mailstore_new(root, users, 2);
    p = net_mailstore_provider(st);
    assert_int_equal(p.open(p.ctx, "bob", false, &mb), MAILBOX_OPEN_OK);
    assert_int_equal(mb.ops->uidvalidity(mb.ctx), validity);
    assert_int_equal(mb.ops->count(mb.ctx), 2);
    assert_int_equal(mb.ops->uid(mb.ctx, 0), 1);
    assert_int_equal(mb.ops->uid(mb.ctx, 1), 3);
    assert_int_equal(mb.ops->uidnext(mb.ctx), 4);
    assert_int_equal(mailbox_find_uid(&mb, 3), 1);
    assert_int_equal(mailbox_find_uid(&mb, 2), -1);
    p.close(p.ctx, &mb);
    net_mailstore_free(st);
}

static void test_pop3_lock_and_shared_box(void **state)
{
    (void)state;
    deliver("one");
    net_mailstore *st = net_mailstore_new(root, users, 2);
    mailbox_provider p = net_mailstore_provider(st);
    mailbox a, b, c;
    assert_int_equal(p.open(p.ctx, "bob", true, &a), MAILBOX_OPEN_OK);
    assert_int_equal(p.open(p.ctx, "bob", true, &b), MAILBOX_OPEN_IN_USE);
    assert_int_equal(p.open(p.ctx, "bob", false, &c), MAILBOX_OPEN_OK); /* IMAP shares it */
    assert_ptr_equal(a.ctx, c.ctx);
    assert_int_equal(net_mailstore_open_count(st), 1);
    p.close(p.ctx, &a);
    assert_int_equal(p.open(p.ctx, "bob", true, &b), MAILBOX_OPEN_OK);
    p.close(p.ctx, &b);
    p.close(p.ctx, &c);
    assert_int_equal(net_mailstore_open_count(st), 0);
    /* "carol@example.org" logs in to ROOT/carol, made on first use */
    assert_int_equal(p.open(p.ctx, "carol@example.org", false, &a), MAILBOX_OPEN_OK);
    assert_int_equal(a.ops->count(a.ctx), 0);
    p.close(p.ctx, &a);
    char path[400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/carol/new", root);
    assert_int_equal(stat(path, &sb), 0);
    net_mailstore_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_uids_flags_expunge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pop3_lock_and_shared_box, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
