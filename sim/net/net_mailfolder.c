/* net_mailfolder.c - Maildir++ folders and subscriptions on disk (net_mailfolder.h).
 *
 * Costs: listing reads the Maildir's top directory once (one stat per entry that starts with
 * '.'); the others touch one folder and, for RENAME, each of its subfolders.
 */
#define _GNU_SOURCE
#include "net/net_mailfolder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/util/file_util.h"
#include "net/net_maildir.h"

#define MF_SUBS "subscriptions"
#define MF_PATH 1400

/* folder_dir - USERDIR/.NAME; -1 when it does not fit */
static int folder_dir(char *out, size_t cap, const char *userdir, const char *name)
{
    return snprintf(out, cap, "%s/.%s", userdir, name) < (int)cap ? 0 : -1;
}

bool net_mailfolder_exists(const char *userdir, const char *name)
{
    char path[MF_PATH];
    struct stat sb;
    return snprintf(path, sizeof path, "%s/.%s/cur", userdir, name) < (int)sizeof path &&
           stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int net_mailfolder_list(const char *userdir, mailbox_names *out)
{
    DIR *d = opendir(userdir);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        const char *name = e->d_name + 1;
        if (e->d_name[0] != '.' || mailbox_name_check(name) != MAILBOX_F_OK ||
            !net_mailfolder_exists(userdir, name))
            continue;
        rc = mailbox_names_add(out, name);
    }
    closedir(d);
    return rc;
}

/* make_one - one level: the Maildir's three directories and the Maildir++ marker file */
static mailbox_fstatus make_one(const char *userdir, const char *name)
{
    char leaf[MAILBOX_NAME_MAX + 2], path[MF_PATH];
    snprintf(leaf, sizeof leaf, ".%s", name);
    if (net_maildir_ensure(userdir, leaf) != 0 ||
        snprintf(path, sizeof path, "%s/%s/maildirfolder", userdir, leaf) >= (int)sizeof path)
        return MAILBOX_F_FAIL;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return MAILBOX_F_FAIL;
    close(fd);
    return MAILBOX_F_OK;
}

/* ensure_one - a parent level, made when missing (RFC 9051 6.3.4, 6.3.6) */
static mailbox_fstatus ensure_one(void *arg, const char *name)
{
    const char *userdir = arg;
    return net_mailfolder_exists(userdir, name) ? MAILBOX_F_OK : make_one(userdir, name);
}

/* count_folders - how many folders userdir has, or -1 */
static long count_folders(const char *userdir)
{
    mailbox_names l = {0};
    long n = net_mailfolder_list(userdir, &l) == 0 ? (long)l.n : -1;
    mailbox_names_free(&l);
    return n;
}

mailbox_fstatus net_mailfolder_create(const char *userdir, const char *name)
{
    mailbox_fstatus st = mailbox_name_check(name);
    if (st != MAILBOX_F_OK)
        return st;
    if (net_mailfolder_exists(userdir, name))
        return MAILBOX_F_EXISTS;
    long n = count_folders(userdir);
    if (n < 0)
        return MAILBOX_F_FAIL;
    if (n >= MAILBOX_FOLDERS_MAX)
        return MAILBOX_F_LIMIT;
    st = mailbox_each_parent(name, ensure_one, (void *)userdir);
    return st != MAILBOX_F_OK ? st : make_one(userdir, name);
}

/* has_children - does any folder of userdir sit under name? */
static int has_children(const char *userdir, const char *name, bool *yes)
{
    mailbox_names l = {0};
    size_t n = strlen(name);
    *yes = false;
    if (net_mailfolder_list(userdir, &l) != 0) {
        mailbox_names_free(&l);
        return -1;
    }
    for (size_t i = 0; i < l.n && !*yes; i++)
        *yes = strncmp(l.v[i], name, n) == 0 && l.v[i][n] == MAILBOX_DELIM;
    mailbox_names_free(&l);
    return 0;
}

/* remove_tree - a folder directory renamed out of sight: its files, its three directories'
 * files, then the directories (two levels, as a Maildir has) */
static void remove_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[MF_PATH];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
            continue;
        struct stat sb;
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            if (depth > 0)
                remove_tree(path, depth - 1);
        } else {
            unlink(path);
        }
    }
    closedir(d);
    rmdir(dir);
}

mailbox_fstatus net_mailfolder_remove(const char *userdir, const char *name)
{
    static unsigned long counter;
    char from[MF_PATH], to[MF_PATH];
    bool kids;
    if (mailbox_is_inbox(name))
        return MAILBOX_F_INBOX;
    if (mailbox_name_check(name) != MAILBOX_F_OK || !net_mailfolder_exists(userdir, name))
        return MAILBOX_F_NONEXISTENT;
    if (has_children(userdir, name, &kids) != 0)
        return MAILBOX_F_FAIL;
    if (kids)
        return MAILBOX_F_CHILDREN;
    if (folder_dir(from, sizeof from, userdir, name) != 0 ||
        snprintf(to, sizeof to, "%s/tmp/.smtpsim-deleted.%ld.%ld.%lu", userdir, (long)getpid(),
                 (long)time(NULL), ++counter) >= (int)sizeof to ||
        rename(from, to) != 0)
        return MAILBOX_F_FAIL;
    remove_tree(to, 1);
    return MAILBOX_F_OK;
}

mailbox_fstatus net_mailfolder_rename(const char *userdir, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    mailbox_fstatus st = mailbox_name_check(to);
    if (mailbox_is_inbox(from))
        return MAILBOX_F_INBOX;
    if (st != MAILBOX_F_OK)
        return st;
    if (!net_mailfolder_exists(userdir, from))
        return MAILBOX_F_NONEXISTENT;
    if (net_mailfolder_exists(userdir, to) ||
        (strncmp(to, from, fl) == 0 && to[fl] == MAILBOX_DELIM))
        return MAILBOX_F_EXISTS;
    mailbox_names l = {0};
    if (net_mailfolder_list(userdir, &l) != 0) {
        mailbox_names_free(&l);
        return MAILBOX_F_FAIL;
    }
    /* every name that moves must still fit */
    for (size_t i = 0; i < l.n; i++) {
        bool moves = !strcmp(l.v[i], from) || (!strncmp(l.v[i], from, fl) &&
                                               l.v[i][fl] == MAILBOX_DELIM);
        if (moves && tl + strlen(l.v[i]) - fl > MAILBOX_NAME_MAX)
            st = MAILBOX_F_BADNAME;
    }
    if (st == MAILBOX_F_OK)
        st = mailbox_each_parent(to, ensure_one, (void *)userdir);
    for (size_t i = 0; st == MAILBOX_F_OK && i < l.n; i++) {
        if (strcmp(l.v[i], from) && (strncmp(l.v[i], from, fl) || l.v[i][fl] != MAILBOX_DELIM))
            continue;
        char a[MF_PATH], b[MF_PATH], name[2 * MAILBOX_NAME_MAX + 2];
        snprintf(name, sizeof name, "%s%s", to, l.v[i] + fl);
        if (folder_dir(a, sizeof a, userdir, l.v[i]) != 0 ||
            folder_dir(b, sizeof b, userdir, name) != 0 || rename(a, b) != 0)
            st = MAILBOX_F_FAIL;
    }
    mailbox_names_free(&l);
    return st;
}

int net_mailfolder_subscriptions(const char *userdir, mailbox_names *out)
{
    char path[MF_PATH], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", userdir, MF_SUBS);
    if (file_read_all(path, 1024u * 1024u, &text, &len) != 0)
        return errno == ENOENT ? 0 : -1;
    int rc = 0;
    char *save = NULL;
    for (char *p = strtok_r(text, "\n", &save); p && rc == 0; p = strtok_r(NULL, "\n", &save))
        if (mailbox_names_find(out, p) < 0)
            rc = mailbox_names_add(out, p);
    free(text);
    return rc;
}

mailbox_fstatus net_mailfolder_subscribe(const char *userdir, const char *name, bool on)
{
    mailbox_names l = {0};
    mailbox_fstatus st = MAILBOX_F_FAIL;
    if (net_mailfolder_subscriptions(userdir, &l) != 0)
        goto out;
    bool has = mailbox_names_find(&l, name) >= 0;
    if (has == on) {
        st = MAILBOX_F_OK;
        goto out;
    }
    if (on ? mailbox_names_add(&l, name) != 0 : (mailbox_names_remove(&l, name), false))
        goto out;
    size_t cap = 1, len = 0;
    for (size_t i = 0; i < l.n; i++)
        cap += strlen(l.v[i]) + 1;
    char *buf = malloc(cap), path[MF_PATH];
    if (!buf)
        goto out;
    for (size_t i = 0; i < l.n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s\n", l.v[i]);
    snprintf(path, sizeof path, "%s/%s", userdir, MF_SUBS);
    st = file_write_atomic(path, buf, len, 0600, NULL) == 0 ? MAILBOX_F_OK : MAILBOX_F_FAIL;
    free(buf);
out:
    mailbox_names_free(&l);
    return st;
}
