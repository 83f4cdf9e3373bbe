/* net_mailstore.c - a Maildir behind the mailbox_ops of the POP3 and IMAP engines
 * (net_mailstore.h).
 *
 * Costs: a scan lists new/ and cur/ and re-reads the UID list (O(n log n) for n messages);
 * it runs at open and when a directory's mtime moved, so an idle mailbox costs two stat()
 * calls per poll. Message content is read from disk on demand, one message cached.
 */
#define _GNU_SOURCE /* flock, strdup */
#include "net/net_mailstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/util/file_util.h"
#include "net/net_mailfolder.h"
#include "net/net_maildir.h"

#define MS_STATE "smtpsim-uidlist"
#define MS_LOCK ".smtpsim-lock"
#define MS_POP3_LOCK ".smtpsim-pop3-lock"
#define MS_MAX_MESSAGE (64u * 1024u * 1024u) /* larger files are not served */

typedef struct {
    char *name;      /* file name in cur/: base, then ":2,FLAGS" */
    size_t base_len; /* the unique part, before ':' */
    uint32_t uid;
    unsigned flags;
    uint64_t size; /* octets with CRLF line ends; 0 until known */
    int64_t date;
} ms_msg;

typedef struct ms_box {
    net_mailstore *st;
    char parent[1024];                /* ROOT for an INBOX, ROOT/<mailbox> for a folder */
    char leaf[MAILBOX_NAME_MAX + 2];  /* <mailbox> for an INBOX, .<folder> for a folder */
    char dir[1200];                   /* parent/leaf */
    ms_msg *msg;
    size_t n, cap;
    uint32_t uidvalidity, uidnext;
    int refs;
    bool pop3_locked;
    int pop3_fd;
    struct timespec new_mtime, cur_mtime;
    bool dirty; /* sizes learnt or messages removed: rewrite the UID list at the next scan */
    char *cache;
    size_t cache_len;
    uint32_t cache_uid;
    struct ms_box *next;
} ms_box;

struct net_mailstore {
    char root[1024];
    const smtp_user *users;
    size_t n_users;
    ms_box *boxes;
    unsigned long gen;
};

/* ---- the UID list ---------------------------------------------------------------------- */

typedef struct {
    const char *base;
    size_t base_len;
    uint32_t uid;
    uint64_t size;
} ms_known;

static int known_cmp(const void *a, const void *b)
{
    const ms_known *x = a, *y = b;
    size_t n = x->base_len < y->base_len ? x->base_len : y->base_len;
    int c = memcmp(x->base, y->base, n);
    return c ? c : (x->base_len > y->base_len) - (x->base_len < y->base_len);
}

static int msg_uid_cmp(const void *a, const void *b)
{
    const ms_msg *x = a, *y = b;
    return (x->uid > y->uid) - (x->uid < y->uid);
}

/* usec_of - the microseconds of a name "SECONDS.M<usec>P<pid>..." (the MX's and qmail's
 * form), 0 when absent: names sort by time, not by text ("M82382" is before "M329654"). */
static long usec_of(const char *name)
{
    const char *dot = strchr(name, '.');
    return dot && dot[1] == 'M' ? strtol(dot + 2, NULL, 10) : 0;
}

/* msg_arrival_cmp - arrival order: seconds, microseconds, then the whole name */
static int msg_arrival_cmp(const void *a, const void *b)
{
    const ms_msg *x = a, *y = b;
    if (x->date != y->date)
        return (x->date > y->date) - (x->date < y->date);
    long ux = usec_of(x->name), uy = usec_of(y->name);
    if (ux != uy)
        return (ux > uy) - (ux < uy);
    return strcmp(x->name, y->name);
}

/* state_read - the UID list into *known (sorted by base; strings point into *text). A
 * missing file gives a new UIDVALIDITY (the time: it grows if the file is ever recreated). */
static int state_read(ms_box *b, char **text, ms_known **known, size_t *nk)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", b->dir, MS_STATE);
    size_t len = 0;
    *text = NULL;
    *known = NULL;
    *nk = 0;
    if (file_read_all(path, 256u * 1024u * 1024u, text, &len) != 0) {
        if (errno != ENOENT)
            return -1;
        /* the time, but above the last one this process gave, so a folder deleted and made
         * again within a second still gets a new UIDVALIDITY (RFC 9051 2.3.1.1) */
        static uint32_t last_validity;
        uint32_t v = (uint32_t)time(NULL);
        b->uidvalidity = last_validity = v > last_validity ? v : last_validity + 1;
        b->uidnext = 1;
        return 0;
    }
    unsigned long v = 0, nx = 0;
    char *p = *text;
    if (sscanf(p, "smtpsim-uidlist 1 V%lu N%lu", &v, &nx) != 2 || v == 0 || nx == 0)
        return -1;
    b->uidvalidity = (uint32_t)v;
    b->uidnext = (uint32_t)nx;
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += (*text)[i] == '\n';
    *known = calloc(lines + 1, sizeof **known);
    if (!*known)
        return -1;
    p = strchr(p, '\n');
    while (p && *++p) {
        char *eol = strchr(p, '\n');
        if (!eol)
            break;
        *eol = '\0';
        unsigned long uid;
        unsigned long long size;
        int off = 0;
        if (sscanf(p, "%lu %llu %n", &uid, &size, &off) == 2 && off > 0 && p[off] && uid &&
            uid < b->uidnext) {
            ms_known *k = &(*known)[(*nk)++];
            k->base = p + off;
            k->base_len = strlen(p + off);
            k->uid = (uint32_t)uid;
            k->size = size;
        }
        p = eol;
    }
    if (*nk)
        qsort(*known, *nk, sizeof **known, known_cmp);
    return 0;
}

/* state_write - replace the UID list atomically (fsync, rename, fsync of the folder). */
static int state_write(ms_box *b)
{
    size_t cap = 64 + b->n * 40, len = 0;
    for (size_t i = 0; i < b->n; i++)
        cap += b->msg[i].base_len;
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    len += (size_t)snprintf(buf, cap, "smtpsim-uidlist 1 V%lu N%lu\n",
                            (unsigned long)b->uidvalidity, (unsigned long)b->uidnext);
    for (size_t i = 0; i < b->n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%lu %llu %.*s\n",
                                (unsigned long)b->msg[i].uid, (unsigned long long)b->msg[i].size,
                                (int)b->msg[i].base_len, b->msg[i].name);
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", b->dir, MS_STATE);
    int rc = file_write_atomic(path, buf, len, 0600, NULL);
    free(buf);
    if (rc == 0)
        b->dirty = false;
    return rc;
}

/* ---- scanning -------------------------------------------------------------------------- */

static unsigned flags_from_info(const char *name)
{
    const char *info = strstr(name, ":2,");
    unsigned f = 0;
    if (!info)
        return 0;
    for (const char *p = info + 3; *p; p++)
        f |= *p == 'S'   ? MAILBOX_SEEN
             : *p == 'R' ? MAILBOX_ANSWERED
             : *p == 'F' ? MAILBOX_FLAGGED
             : *p == 'T' ? MAILBOX_DELETED
             : *p == 'D' ? MAILBOX_DRAFT
                         : 0u;
    return f;
}

/* move_new - new/X becomes cur/X:2, ; a file that vanished was moved by another process. */
static void move_new(ms_box *b)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/new", b->dir);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char from[1400], to[1400];
        snprintf(from, sizeof from, "%s/new/%s", b->dir, e->d_name);
        snprintf(to, sizeof to, "%s/cur/%s%s", b->dir, e->d_name,
                 strchr(e->d_name, ':') ? "" : ":2,");
        if (rename(from, to) != 0 && errno != ENOENT)
            continue; /* left in new/: tried again at the next scan */
    }
    closedir(d);
}

/* scan_cur - the files of cur/ as messages (uid 0 for now), in arrival order. */
static int scan_cur(ms_box *b, ms_msg **out, size_t *n_out)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/cur", b->dir);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    ms_msg *m = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            ms_msg *g = realloc(m, cap * sizeof *g);
            if (!g)
                goto fail;
            m = g;
        }
        ms_msg *x = &m[n];
        memset(x, 0, sizeof *x);
        x->name = strdup(e->d_name);
        if (!x->name)
            goto fail;
        n++;
        x->base_len = strcspn(x->name, ":");
        x->flags = flags_from_info(x->name);
        x->date = strtoll(x->name, NULL, 10); /* the MX names files TIME.M...P...Q... */
    }
    closedir(d);
    if (n)
        qsort(m, n, sizeof *m, msg_arrival_cmp);
    *out = m;
    *n_out = n;
    return 0;
fail:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(m[i].name);
    free(m);
    return -1;
}

static void msgs_free(ms_msg *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i].name);
    free(m);
}

static void dir_mtimes(const ms_box *b, struct timespec *nw, struct timespec *cur)
{
    char path[1200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/new", b->dir);
    *nw = stat(path, &sb) == 0 ? sb.st_mtim : (struct timespec){0, 0};
    snprintf(path, sizeof path, "%s/cur", b->dir);
    *cur = stat(path, &sb) == 0 ? sb.st_mtim : (struct timespec){0, 0};
}

/* box_scan - bring the in-memory list in line with the disk, under the cross-process lock:
 * known base names keep their UIDs, new ones get the next UIDs in name (arrival) order, and
 * the UID list is written before anyone sees them. 0 or -1 (the old list is kept). */
static int box_scan(ms_box *b)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", b->dir, MS_LOCK);
    int lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lfd < 0 || flock(lfd, LOCK_EX) != 0) {
        if (lfd >= 0)
            close(lfd);
        return -1;
    }
    int rc = -1;
    char *text = NULL;
    ms_known *known = NULL;
    ms_msg *m = NULL;
    size_t nk = 0, n = 0;
    uint32_t old_validity = b->uidvalidity;
    dir_mtimes(b, &b->new_mtime, &b->cur_mtime); /* before listing: a later change rescans */
    if (state_read(b, &text, &known, &nk) != 0)
        goto out;
    move_new(b);
    if (scan_cur(b, &m, &n) != 0)
        goto out;
    bool changed = n != b->n || old_validity != b->uidvalidity;
    size_t fresh = 0;
    for (size_t i = 0; i < n; i++) {
        ms_known key = {m[i].name, m[i].base_len, 0, 0};
        ms_known *k = nk ? bsearch(&key, known, nk, sizeof *known, known_cmp) : NULL;
        if (k) {
            m[i].uid = k->uid;
            m[i].size = k->size;
        } else {
            fresh++;
        }
    }
    if (fresh) {
        if ((uint64_t)b->uidnext + fresh >= UINT32_MAX)
            goto out;
        for (size_t i = 0; i < n; i++) /* in arrival order */
            if (!m[i].uid)
                m[i].uid = b->uidnext++;
        changed = true;
    }
    if (n)
        qsort(m, n, sizeof *m, msg_uid_cmp);
    for (size_t i = 0; !changed && i < n; i++)
        changed = m[i].uid != b->msg[i].uid || m[i].flags != b->msg[i].flags;
    /* sizes we learnt and the old list still knows */
    for (size_t i = 0, j = 0; i < n && j < b->n;) {
        if (m[i].uid == b->msg[j].uid) {
            if (!m[i].size && b->msg[j].size) {
                m[i].size = b->msg[j].size;
                b->dirty = true;
            }
            i++;
            j++;
        } else if (m[i].uid < b->msg[j].uid) {
            i++;
        } else {
            j++;
        }
    }
    ms_msg *old = b->msg;
    size_t old_n = b->n;
    b->msg = m;
    b->n = b->cap = n;
    m = NULL;
    n = 0;
    /* a new list is written even for an empty mailbox, so its UIDVALIDITY stays put */
    if ((fresh || nk != n || b->dirty || !text) && state_write(b) != 0) {
        /* the new UIDs are not durable: nobody may see them */
        msgs_free(b->msg, b->n);
        b->msg = old;
        b->n = b->cap = old_n;
        b->uidnext -= (uint32_t)fresh;
        goto out;
    }
    msgs_free(old, old_n);
    if (changed)
        b->st->gen++;
    rc = 0;
out:
    msgs_free(m, n);
    free(known);
    free(text);
    flock(lfd, LOCK_UN);
    close(lfd);
    return rc;
}

/* ---- mailbox_ops ----------------------------------------------------------------------- */

static size_t op_count(void *ctx)
{
    return ((ms_box *)ctx)->n;
}

/* load - message i's content with CRLF line ends into the one-message cache. */
static int load(ms_box *b, size_t i)
{
    if (b->cache && b->cache_uid == b->msg[i].uid)
        return 0;
    char path[1400], *raw = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/cur/%s", b->dir, b->msg[i].name);
    if (file_read_all(path, MS_MAX_MESSAGE, &raw, &len) != 0)
        return -1;
    size_t lf = 0;
    for (size_t k = 0; k < len; k++)
        lf += raw[k] == '\n' && (k == 0 || raw[k - 1] != '\r');
    char *crlf = malloc(len + lf + 1);
    if (!crlf) {
        free(raw);
        return -1;
    }
    size_t w = 0;
    for (size_t k = 0; k < len; k++) {
        if (raw[k] == '\n' && (k == 0 || raw[k - 1] != '\r'))
            crlf[w++] = '\r';
        crlf[w++] = raw[k];
    }
    crlf[w] = '\0';
    free(raw);
    free(b->cache);
    b->cache = crlf;
    b->cache_len = w;
    b->cache_uid = b->msg[i].uid;
    if (b->msg[i].size != w) {
        b->msg[i].size = w;
        b->dirty = true;
    }
    return 0;
}

static uint64_t op_size(void *ctx, size_t i)
{
    ms_box *b = ctx;
    if (!b->msg[i].size && load(b, i) != 0)
        return 0;
    return b->msg[i].size;
}

static uint32_t op_uid(void *ctx, size_t i)
{
    return ((ms_box *)ctx)->msg[i].uid;
}

static uint32_t op_uidvalidity(void *ctx)
{
    return ((ms_box *)ctx)->uidvalidity;
}

static uint32_t op_uidnext(void *ctx)
{
    return ((ms_box *)ctx)->uidnext;
}

static unsigned op_flags(void *ctx, size_t i)
{
    return ((ms_box *)ctx)->msg[i].flags;
}

static int64_t op_date(void *ctx, size_t i)
{
    return ((ms_box *)ctx)->msg[i].date;
}

static int op_read(void *ctx, size_t i, const char **data, size_t *len)
{
    ms_box *b = ctx;
    if (load(b, i) != 0)
        return -1;
    *data = b->cache;
    *len = b->cache_len;
    return 0;
}

/* info_letters - the Maildir info letters of flags, in ASCII order */
static void info_letters(unsigned flags, char info[8])
{
    char *p = info;
    if (flags & MAILBOX_DRAFT)
        *p++ = 'D';
    if (flags & MAILBOX_FLAGGED)
        *p++ = 'F';
    if (flags & MAILBOX_ANSWERED)
        *p++ = 'R';
    if (flags & MAILBOX_SEEN)
        *p++ = 'S';
    if (flags & MAILBOX_DELETED)
        *p++ = 'T';
    *p = '\0';
}

/* op_set_flags - rename cur/BASE:2,OLD to cur/BASE:2,NEW. */
static int op_set_flags(void *ctx, size_t i, unsigned flags)
{
    ms_box *b = ctx;
    ms_msg *m = &b->msg[i];
    flags &= MAILBOX_FLAGS_ALL;
    if (flags == m->flags)
        return 0;
    char info[8];
    info_letters(flags, info);
    size_t nl = m->base_len + 4 + strlen(info);
    char *name = malloc(nl);
    if (!name)
        return -1;
    snprintf(name, nl, "%.*s:2,%s", (int)m->base_len, m->name, info);
    char from[1400], to[1400];
    snprintf(from, sizeof from, "%s/cur/%s", b->dir, m->name);
    snprintf(to, sizeof to, "%s/cur/%s", b->dir, name);
    if (rename(from, to) != 0) {
        free(name);
        return -1;
    }
    free(m->name);
    m->name = name;
    m->flags = flags;
    b->st->gen++;
    return 0;
}

static int op_expunge(void *ctx, size_t i)
{
    ms_box *b = ctx;
    char path[1400];
    snprintf(path, sizeof path, "%s/cur/%s", b->dir, b->msg[i].name);
    if (unlink(path) != 0 && errno != ENOENT)
        return -1;
    free(b->msg[i].name);
    memmove(&b->msg[i], &b->msg[i + 1], (b->n - i - 1) * sizeof *b->msg);
    b->n--;
    b->dirty = true;
    b->st->gen++;
    return 0;
}

/* op_append - APPEND and COPY: the message is written as the MX writes one (tmp/, fsync,
 * rename into new/, fsync of the directory), then renamed into cur/ with its flags and with
 * the INTERNALDATE as the name's time, and a scan gives it its UID. */
static int op_append(void *ctx, const char *data, size_t len, unsigned flags, int64_t date,
                     uint32_t *uid)
{
    ms_box *b = ctx;
    char path[1400], to[1400], info[8];
    if (net_maildir_deliver(b->parent, b->leaf, NULL, 0, data, len, path, sizeof path) != 0)
        return -1;
    const char *name = strrchr(path, '/') + 1, *rest = strchr(name, '.');
    info_letters(flags, info);
    long long t = date >= 0 ? (long long)date : strtoll(name, NULL, 10);
    int n = snprintf(to, sizeof to, "%s/cur/%lld%.*s:2,%s", b->dir, t,
                     (int)strcspn(rest ? rest : "", ":"), rest ? rest : "", info);
    size_t base_len = strcspn(to + strlen(b->dir) + 5, ":");
    char base[600];
    snprintf(base, sizeof base, "%.*s", (int)base_len, to + strlen(b->dir) + 5);
    if (n >= (int)sizeof to || rename(path, to) != 0) {
        /* another reader's scan may have moved it to cur/NAME:2, first */
        char moved[1400];
        snprintf(moved, sizeof moved, "%s/cur/%s:2,", b->dir, name);
        if (n >= (int)sizeof to || rename(moved, to) != 0) {
            unlink(path);
            unlink(moved);
            return -1;
        }
    }
    snprintf(path, sizeof path, "%s/cur", b->dir);
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* the rename into cur/ is durable before we answer OK */
        close(dfd);
    }
    if (box_scan(b) != 0)
        return -1;
    for (size_t i = 0; i < b->n; i++)
        if (b->msg[i].base_len == base_len && !memcmp(b->msg[i].name, base, base_len)) {
            *uid = b->msg[i].uid;
            return 0;
        }
    return -1;
}

static const mailbox_ops ms_ops = {op_count, op_size,    op_uid,     op_uidvalidity,
                                   op_uidnext, op_flags, op_date,    op_read,
                                   op_set_flags, op_expunge, op_append};

/* ---- provider -------------------------------------------------------------------------- */

static const smtp_user *find_user(const net_mailstore *st, const char *user)
{
    for (size_t i = 0; i < st->n_users; i++)
        if (!strcmp(st->users[i].name, user))
            return &st->users[i];
    return NULL;
}

static bool pv_check(void *ctx, const char *user, const char *password)
{
    const smtp_user *u = find_user(ctx, user);
    return u && !strcmp(u->password, password);
}

/* user_dir - ROOT/<mailbox>, the user's Maildir (made when missing); 0 or -1 */
static int user_dir(const net_mailstore *st, const char *user, char *out, size_t cap)
{
    char local[256], name[128];
    snprintf(local, sizeof local, "%.*s", (int)strcspn(user, "@"), user);
    if (net_maildir_mailbox_name(local, name, sizeof name) != 0 ||
        net_maildir_ensure(st->root, name) != 0)
        return -1;
    return snprintf(out, cap, "%s/%s", st->root, name) < (int)cap ? 0 : -1;
}

/* box_get - the shared mailbox of this user's INBOX (folder NULL) or folder, scanned when
 * first opened. NULL when the folder does not exist. */
static ms_box *box_get(net_mailstore *st, const char *user, const char *folder)
{
    char udir[1024], dir[1200];
    if (user_dir(st, user, udir, sizeof udir) != 0)
        return NULL;
    if (folder && (mailbox_name_check(folder) != MAILBOX_F_OK ||
                   !net_mailfolder_exists(udir, folder)))
        return NULL;
    snprintf(dir, sizeof dir, "%s%s%s", udir, folder ? "/." : "", folder ? folder : "");
    for (ms_box *b = st->boxes; b; b = b->next)
        if (!strcmp(b->dir, dir))
            return b;
    ms_box *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->st = st;
    b->pop3_fd = -1;
    if (folder) {
        snprintf(b->parent, sizeof b->parent, "%s", udir);
        snprintf(b->leaf, sizeof b->leaf, ".%s", folder);
    } else {
        snprintf(b->parent, sizeof b->parent, "%s", st->root);
        snprintf(b->leaf, sizeof b->leaf, "%s", udir + strlen(st->root) + 1);
    }
    snprintf(b->dir, sizeof b->dir, "%s", dir);
    if (box_scan(b) != 0) {
        free(b);
        return NULL;
    }
    b->next = st->boxes;
    st->boxes = b;
    return b;
}

static void box_release(net_mailstore *st, ms_box *b)
{
    if (--b->refs > 0)
        return;
    if (b->dirty)
        box_scan(b); /* sizes and removals into the UID list */
    for (ms_box **pp = &st->boxes; *pp; pp = &(*pp)->next)
        if (*pp == b) {
            *pp = b->next;
            break;
        }
    msgs_free(b->msg, b->n);
    free(b->cache);
    free(b);
}

/* box_open - a reference on the mailbox; one already open elsewhere is rescanned first */
static ms_box *box_open(net_mailstore *st, const char *user, const char *folder)
{
    ms_box *b = box_get(st, user, folder);
    if (!b)
        return NULL;
    b->refs++;
    if (b->refs > 1 && box_scan(b) != 0) {
        box_release(st, b);
        return NULL;
    }
    return b;
}

static mailbox_open_status pv_open(void *ctx, const char *user, bool exclusive, mailbox *out)
{
    net_mailstore *st = ctx;
    ms_box *b = box_open(st, user, NULL);
    if (!b)
        return MAILBOX_OPEN_FAIL;
    if (exclusive) {
        /* RFC 1939 8: one POP3 session per maildrop, in this process and in any other */
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", b->dir, MS_POP3_LOCK);
        int fd = b->pop3_locked ? -1 : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
            if (fd >= 0)
                close(fd);
            box_release(st, b);
            return MAILBOX_OPEN_IN_USE;
        }
        b->pop3_locked = true;
        b->pop3_fd = fd;
    }
    *out = (mailbox){&ms_ops, b, exclusive};
    return MAILBOX_OPEN_OK;
}

static void pv_close(void *ctx, mailbox *mb)
{
    ms_box *b = mb->ctx;
    if (mb->exclusive && b->pop3_locked) {
        close(b->pop3_fd); /* releases the flock */
        b->pop3_fd = -1;
        b->pop3_locked = false;
    }
    box_release(ctx, b);
}

/* ---- folders (Maildir++, net_mailfolder.c) ---------------------------------------------- */

static int fo_list(void *ctx, const char *user, mailbox_names *out)
{
    char udir[1024];
    return user_dir(ctx, user, udir, sizeof udir) == 0 ? net_mailfolder_list(udir, out) : -1;
}

static int fo_subscriptions(void *ctx, const char *user, mailbox_names *out)
{
    char udir[1024];
    return user_dir(ctx, user, udir, sizeof udir) == 0 ? net_mailfolder_subscriptions(udir, out)
                                                       : -1;
}

static mailbox_fstatus fo_subscribe(void *ctx, const char *user, const char *name, bool on)
{
    char udir[1024];
    if (user_dir(ctx, user, udir, sizeof udir) != 0)
        return MAILBOX_F_FAIL;
    return net_mailfolder_subscribe(udir, name, on);
}

static mailbox_fstatus fo_create(void *ctx, const char *user, const char *name)
{
    char udir[1024];
    if (user_dir(ctx, user, udir, sizeof udir) != 0)
        return MAILBOX_F_FAIL;
    return net_mailfolder_create(udir, name);
}

/* in_use - is folder name, or one under it, open in a session of this process? */
static bool in_use(const net_mailstore *st, const char *udir, const char *name)
{
    char dir[1200];
    size_t n = (size_t)snprintf(dir, sizeof dir, "%s/.%s", udir, name);
    for (const ms_box *b = st->boxes; b; b = b->next)
        if (!strncmp(b->dir, dir, n) && (b->dir[n] == '\0' || b->dir[n] == MAILBOX_DELIM))
            return true;
    return false;
}

static mailbox_fstatus fo_remove(void *ctx, const char *user, const char *name)
{
    char udir[1024];
    if (user_dir(ctx, user, udir, sizeof udir) != 0)
        return MAILBOX_F_FAIL;
    if (in_use(ctx, udir, name))
        return MAILBOX_F_INUSE;
    return net_mailfolder_remove(udir, name);
}

static mailbox_fstatus fo_rename(void *ctx, const char *user, const char *from, const char *to)
{
    char udir[1024];
    if (user_dir(ctx, user, udir, sizeof udir) != 0)
        return MAILBOX_F_FAIL;
    if (in_use(ctx, udir, from))
        return MAILBOX_F_INUSE;
    return net_mailfolder_rename(udir, from, to);
}

static mailbox_open_status fo_open(void *ctx, const char *user, const char *name, mailbox *out)
{
    if (mailbox_is_inbox(name))
        return pv_open(ctx, user, false, out);
    ms_box *b = box_open(ctx, user, name);
    if (!b)
        return MAILBOX_OPEN_FAIL;
    *out = (mailbox){&ms_ops, b, false};
    return MAILBOX_OPEN_OK;
}

static const mailbox_folder_ops fo_ops = {fo_list,   fo_subscriptions, fo_subscribe, fo_create,
                                          fo_remove, fo_rename,        fo_open};

mailbox_provider net_mailstore_provider(net_mailstore *st)
{
    return (mailbox_provider){st, pv_check, pv_open, pv_close, &fo_ops};
}

net_mailstore *net_mailstore_new(const char *root, const smtp_user *users, size_t n_users)
{
    net_mailstore *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    snprintf(st->root, sizeof st->root, "%s", root);
    st->users = users;
    st->n_users = n_users;
    return st;
}

void net_mailstore_free(net_mailstore *st)
{
    free(st);
}

void net_mailstore_poll(net_mailstore *st)
{
    for (ms_box *b = st->boxes; b; b = b->next) {
        struct timespec nw, cur;
        dir_mtimes(b, &nw, &cur);
        if (b->dirty || nw.tv_sec != b->new_mtime.tv_sec || nw.tv_nsec != b->new_mtime.tv_nsec ||
            cur.tv_sec != b->cur_mtime.tv_sec || cur.tv_nsec != b->cur_mtime.tv_nsec)
            box_scan(b);
    }
}

unsigned long net_mailstore_generation(const net_mailstore *st)
{
    return st->gen;
}

size_t net_mailstore_open_count(const net_mailstore *st)
{
    size_t n = 0;
    for (const ms_box *b = st->boxes; b; b = b->next)
        n++;
    return n;
}
