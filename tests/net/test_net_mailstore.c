/* test_net_mailstore.c - the Maildir behind the POP3/IMAP engines: new/ to cur/, UIDs kept in
 * the state file across reopenings, flags as info letters, expunge, mail arriving while open,
 * the POP3 lock, CRLF content with the right size, and Maildir++ folders (create, append,
 * copy, rename, delete, subscriptions). */
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

/* exists - is ROOT/bob/REL there? */
static bool exists(const char *rel)
{
    char path[400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/bob/%s", root, rel);
    return stat(path, &sb) == 0;
}

static void test_folders(void **state)
{
    (void)state;
    deliver("one");
    net_mailstore *st = net_mailstore_new(root, users, 2);
    mailbox_provider p = net_mailstore_provider(st);
    const mailbox_folder_ops *f = p.folders;
    assert_non_null(f);
    assert_int_equal(f->create(p.ctx, "bob", "Sent"), MAILBOX_F_OK);
    assert_int_equal(f->create(p.ctx, "bob", "Sent"), MAILBOX_F_EXISTS);
    assert_int_equal(f->create(p.ctx, "bob", "Archive.2026"), MAILBOX_F_OK);
    assert_int_equal(f->create(p.ctx, "bob", "../x"), MAILBOX_F_BADNAME);
    assert_int_equal(f->create(p.ctx, "bob", "caf\xc3\xa9"), MAILBOX_F_NONASCII);
    assert_true(exists(".Sent/cur") && exists(".Sent/new") && exists(".Sent/tmp"));
    assert_true(exists(".Sent/maildirfolder") && exists(".Archive/cur"));
    mailbox_names l = {0};
    assert_int_equal(f->list(p.ctx, "bob", &l), 0);
    mailbox_names_sort(&l);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0], "Archive");
    assert_string_equal(l.v[1], "Archive.2026");
    assert_string_equal(l.v[2], "Sent");
    mailbox_names_free(&l);

    /* APPEND: a file in .Sent/cur with its flags and date, a UID in the folder's own list */
    mailbox sent, in;
    assert_int_equal(f->open(p.ctx, "bob", "Sent", &sent), MAILBOX_OPEN_OK);
    assert_int_equal(f->open(p.ctx, "bob", "Nope", &in), MAILBOX_OPEN_FAIL);
    uint32_t uid = 0;
    assert_int_equal(sent.ops->append(sent.ctx, "Subject: s\r\n\r\nx\r\n", 17,
                                      MAILBOX_SEEN | MAILBOX_DRAFT, 1796119200, &uid), 0);
    assert_int_equal(uid, 1);
    assert_int_equal(sent.ops->count(sent.ctx), 1);
    assert_int_equal(sent.ops->flags(sent.ctx, 0), MAILBOX_SEEN | MAILBOX_DRAFT);
    assert_int_equal(sent.ops->date(sent.ctx, 0), 1796119200);
    assert_int_equal(sent.ops->size(sent.ctx, 0), 17);
    assert_int_equal(count_in(".Sent/cur", ":2,DS"), 1);
    assert_true(exists(".Sent/smtpsim-uidlist"));

    /* COPY from INBOX keeps the content; the folder in use cannot be deleted or renamed */
    assert_int_equal(f->open(p.ctx, "bob", "inbox", &in), MAILBOX_OPEN_OK);
    uint32_t from = in.ops->uid(in.ctx, 0), to = 0;
    assert_int_equal(mailbox_copy_uids(&in, &sent, &from, 1, &to), 1);
    assert_int_equal(to, 2);
    const char *data;
    size_t len;
    assert_int_equal(sent.ops->read(sent.ctx, 1, &data, &len), 0);
    assert_non_null(strstr(data, "Subject: one"));
    assert_int_equal(f->remove(p.ctx, "bob", "Sent"), MAILBOX_F_INUSE);
    assert_int_equal(f->rename(p.ctx, "bob", "Sent", "Old"), MAILBOX_F_INUSE);
    p.close(p.ctx, &sent);
    p.close(p.ctx, &in);

    /* RENAME moves the folder and its UID list; subfolders go with it */
    assert_int_equal(f->rename(p.ctx, "bob", "Sent", "Old"), MAILBOX_F_OK);
    assert_int_equal(f->rename(p.ctx, "bob", "Archive", "Keep.Archive"), MAILBOX_F_OK);
    assert_true(exists(".Old/cur") && !exists(".Sent"));
    assert_true(exists(".Keep/cur") && exists(".Keep.Archive.2026/cur") && !exists(".Archive"));
    assert_int_equal(f->rename(p.ctx, "bob", "Nope", "X"), MAILBOX_F_NONEXISTENT);
    assert_int_equal(f->rename(p.ctx, "bob", "INBOX", "X"), MAILBOX_F_INBOX);
    assert_int_equal(f->open(p.ctx, "bob", "Old", &sent), MAILBOX_OPEN_OK);
    assert_int_equal(sent.ops->count(sent.ctx), 2);
    assert_int_equal(sent.ops->uid(sent.ctx, 1), 2);
    p.close(p.ctx, &sent);

    /* DELETE: refused with subfolders, then the whole directory goes */
    assert_int_equal(f->remove(p.ctx, "bob", "Keep"), MAILBOX_F_CHILDREN);
    assert_int_equal(f->remove(p.ctx, "bob", "Keep.Archive.2026"), MAILBOX_F_OK);
    assert_int_equal(f->remove(p.ctx, "bob", "Old"), MAILBOX_F_OK);
    assert_false(exists(".Old"));
    assert_int_equal(f->remove(p.ctx, "bob", "Old"), MAILBOX_F_NONEXISTENT);
    assert_int_equal(f->remove(p.ctx, "bob", "INBOX"), MAILBOX_F_INBOX);
    assert_int_equal(count_in("tmp", NULL), 0);

    /* an empty folder keeps its UIDVALIDITY; made again, it gets a new one at once */
    assert_int_equal(f->create(p.ctx, "bob", "Empty"), MAILBOX_F_OK);
    assert_int_equal(f->open(p.ctx, "bob", "Empty", &sent), MAILBOX_OPEN_OK);
    uint32_t v1 = sent.ops->uidvalidity(sent.ctx);
    p.close(p.ctx, &sent);
    assert_int_equal(f->open(p.ctx, "bob", "Empty", &sent), MAILBOX_OPEN_OK);
    assert_int_equal(sent.ops->uidvalidity(sent.ctx), v1);
    p.close(p.ctx, &sent);
    assert_int_equal(f->remove(p.ctx, "bob", "Empty"), MAILBOX_F_OK);
    assert_int_equal(f->create(p.ctx, "bob", "Empty"), MAILBOX_F_OK);
    assert_int_equal(f->open(p.ctx, "bob", "Empty", &sent), MAILBOX_OPEN_OK);
    assert_true(sent.ops->uidvalidity(sent.ctx) > v1);
    p.close(p.ctx, &sent);

    /* subscriptions survive the store (a file, replaced atomically) */
    assert_int_equal(f->subscribe(p.ctx, "bob", "Keep", true), MAILBOX_F_OK);
    assert_int_equal(f->subscribe(p.ctx, "bob", "Keep.Archive", true), MAILBOX_F_OK);
    assert_int_equal(f->subscribe(p.ctx, "bob", "Keep", false), MAILBOX_F_OK);
    net_mailstore_free(st);
    st = net_mailstore_new(root, users, 2);
    p = net_mailstore_provider(st);
    assert_int_equal(p.folders->subscriptions(p.ctx, "bob", &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0], "Keep.Archive");
    mailbox_names_free(&l);
    assert_int_equal(net_mailstore_open_count(st), 0);
    net_mailstore_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_uids_flags_expunge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pop3_lock_and_shared_box, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folders, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
