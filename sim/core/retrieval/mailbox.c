/* mailbox.c - the in-memory mailbox behind the mailbox_ops interface, and what every provider
 * shares: folder-name rules, name lists, copying messages between mailboxes.
 *
 * Messages live in one array in delivery order, so index order is UID order as RFC 9051
 * 2.3.1.1 requires. Expunge is O(n) (a memmove): a teaching mailbox holds few messages.
 * An account's folders hang off its INBOX: a small array of (name, mailbox_mem), linear
 * search (MAILBOX_FOLDERS_MAX bounds it).
 */
#include "core/retrieval/mailbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len;
    uint32_t uid;
    unsigned flags;
    int64_t date;
} mem_msg;

typedef struct {
    char *name;
    mailbox_mem *box;
} mem_folder;

struct mailbox_mem {
    mem_msg *msg;
    size_t n, cap;
    uint32_t uidvalidity, uidnext;
    bool locked;
    /* INBOX only: the account's folders and subscriptions */
    mem_folder *folders;
    size_t n_folders;
    mailbox_names subs;
    uint32_t next_validity; /* a new folder's UIDVALIDITY: never one used before (2.3.1.1) */
};

/* mailbox_mem_new - UIDs start at 1 (RFC 9051 2.3.1.1: nonzero) */
mailbox_mem *mailbox_mem_new(uint32_t uidvalidity)
{
    mailbox_mem *mb = calloc(1, sizeof *mb);
    if (!mb)
        return NULL;
    mb->uidvalidity = uidvalidity ? uidvalidity : 1;
    mb->uidnext = 1;
    return mb;
}

void mailbox_mem_free(mailbox_mem *mb)
{
    if (!mb)
        return;
    for (size_t i = 0; i < mb->n; i++)
        free(mb->msg[i].data);
    for (size_t i = 0; i < mb->n_folders; i++) {
        free(mb->folders[i].name);
        mailbox_mem_free(mb->folders[i].box);
    }
    free(mb->folders);
    mailbox_names_free(&mb->subs);
    free(mb->msg);
    free(mb);
}

/* mailbox_mem_add - store a copy with CRLF line ends */
int mailbox_mem_add(mailbox_mem *mb, const char *data, size_t len, int64_t date, unsigned flags)
{
    if (mb->uidnext == UINT32_MAX || len > (SIZE_MAX - 1) / 2)
        return -1;
    if (mb->n == mb->cap) {
        size_t cap = mb->cap ? mb->cap * 2 : 8;
        mem_msg *m = realloc(mb->msg, cap * sizeof *m);
        if (!m)
            return -1;
        mb->msg = m;
        mb->cap = cap;
    }
    char *copy = malloc(len * 2 + 1);
    if (!copy)
        return -1;
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
            copy[w++] = '\r';
        copy[w++] = data[i];
    }
    copy[w] = '\0';
    mem_msg *m = &mb->msg[mb->n++];
    m->data = copy;
    m->len = w;
    m->uid = mb->uidnext++;
    m->flags = flags & MAILBOX_FLAGS_ALL;
    m->date = date;
    return 0;
}

/* ---- what every provider shares ------------------------------------------------------------- */

int mailbox_names_add(mailbox_names *l, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    size_t len = strlen(name);
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, name, len + 1);
    l->v[l->n++] = copy;
    return 0;
}

long mailbox_names_find(const mailbox_names *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], name) == 0)
            return (long)i;
    return -1;
}

void mailbox_names_remove(mailbox_names *l, const char *name)
{
    long i = mailbox_names_find(l, name);
    if (i < 0)
        return;
    free(l->v[i]);
    memmove(&l->v[i], &l->v[i + 1], (l->n - (size_t)i - 1) * sizeof l->v[0]);
    l->n--;
}

static int names_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void mailbox_names_sort(mailbox_names *l)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof l->v[0], names_cmp);
}

void mailbox_names_free(mailbox_names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

bool mailbox_is_inbox(const char *name)
{
    static const char inbox[] = "INBOX";
    for (size_t i = 0; i < 5; i++)
        if (!name[i] || (name[i] & ~0x20) != inbox[i])
            return false;
    return name[5] == '\0';
}

mailbox_fstatus mailbox_name_check(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > MAILBOX_NAME_MAX)
        return MAILBOX_F_BADNAME;
    if (mailbox_is_inbox(name))
        return MAILBOX_F_INBOX;
    /* "INBOX.x": INBOX has no subfolders here (a Maildir++ INBOX is the folder root) */
    if (n > 5 && name[5] == MAILBOX_DELIM) {
        char head[6];
        memcpy(head, name, 5);
        head[5] = '\0';
        if (mailbox_is_inbox(head))
            return MAILBOX_F_INBOX;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch >= 0x80 || ch == '&')
            return MAILBOX_F_NONASCII;
        if (ch < 0x20 || ch == 0x7f || strchr("*%/\\\"", ch))
            return MAILBOX_F_BADNAME;
        if (ch == MAILBOX_DELIM && (i == 0 || i == n - 1 || name[i + 1] == MAILBOX_DELIM))
            return MAILBOX_F_BADNAME;
    }
    return MAILBOX_F_OK;
}

mailbox_fstatus mailbox_each_parent(const char *name,
                                    mailbox_fstatus (*fn)(void *arg, const char *parent),
                                    void *arg)
{
    char part[MAILBOX_NAME_MAX + 1];
    for (const char *d = strchr(name, MAILBOX_DELIM); d; d = strchr(d + 1, MAILBOX_DELIM)) {
        if ((size_t)(d - name) >= sizeof part)
            return MAILBOX_F_BADNAME;
        memcpy(part, name, (size_t)(d - name));
        part[d - name] = '\0';
        mailbox_fstatus st = fn(arg, part);
        if (st != MAILBOX_F_OK)
            return st;
    }
    return MAILBOX_F_OK;
}

long mailbox_copy_uids(const mailbox *src, const mailbox *dst, const uint32_t *uids, size_t n,
                       uint32_t *new_uids)
{
    const mailbox_ops *so = src->ops, *dop = dst->ops;
    long copied = 0;
    size_t k = 0;
    if (!dop->append)
        return -1;
    for (; k < n; k++) {
        new_uids[k] = 0;
        long i = mailbox_find_uid(src, uids[k]);
        if (i < 0)
            continue;
        const char *data;
        size_t len;
        unsigned flags = so->flags(src->ctx, (size_t)i);
        int64_t date = so->date(src->ctx, (size_t)i);
        if (so->read(src->ctx, (size_t)i, &data, &len) != 0 ||
            dop->append(dst->ctx, data, len, flags, date, &new_uids[k]) != 0)
            goto fail;
        copied++;
    }
    return copied;
fail:
    /* undo: the destination must not keep half a COPY */
    while (k-- > 0) {
        long j = new_uids[k] ? mailbox_find_uid(dst, new_uids[k]) : -1;
        if (j >= 0)
            dop->expunge(dst->ctx, (size_t)j);
        new_uids[k] = 0;
    }
    return -1;
}

long mailbox_find_uid(const mailbox *mb, uint32_t uid)
{
    size_t lo = 0, hi = mb->ops->count(mb->ctx);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t u = mb->ops->uid(mb->ctx, mid);
        if (u == uid)
            return (long)mid;
        if (u < uid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- the ops -------------------------------------------------------------------------------- */

static size_t mem_count(void *ctx)
{
    return ((mailbox_mem *)ctx)->n;
}

static uint64_t mem_size(void *ctx, size_t i)
{
    mailbox_mem *mb = ctx;
    return i < mb->n ? mb->msg[i].len : 0;
}

static uint32_t mem_uid(void *ctx, size_t i)
{
    mailbox_mem *mb = ctx;
    return i < mb->n ? mb->msg[i].uid : 0;
}

static uint32_t mem_uidvalidity(void *ctx)
{
    return ((mailbox_mem *)ctx)->uidvalidity;
}

static uint32_t mem_uidnext(void *ctx)
{
    return ((mailbox_mem *)ctx)->uidnext;
}

static unsigned mem_flags(void *ctx, size_t i)
{
    mailbox_mem *mb = ctx;
    return i < mb->n ? mb->msg[i].flags : 0;
}

static int64_t mem_date(void *ctx, size_t i)
{
    mailbox_mem *mb = ctx;
    return i < mb->n ? mb->msg[i].date : 0;
}

static int mem_read(void *ctx, size_t i, const char **data, size_t *len)
{
    mailbox_mem *mb = ctx;
    if (i >= mb->n)
        return -1;
    *data = mb->msg[i].data;
    *len = mb->msg[i].len;
    return 0;
}

static int mem_set_flags(void *ctx, size_t i, unsigned flags)
{
    mailbox_mem *mb = ctx;
    if (i >= mb->n)
        return -1;
    mb->msg[i].flags = flags & MAILBOX_FLAGS_ALL;
    return 0;
}

static int mem_expunge(void *ctx, size_t i)
{
    mailbox_mem *mb = ctx;
    if (i >= mb->n)
        return -1;
    free(mb->msg[i].data);
    memmove(&mb->msg[i], &mb->msg[i + 1], (mb->n - i - 1) * sizeof mb->msg[0]);
    mb->n--;
    return 0;
}

static int mem_append(void *ctx, const char *data, size_t len, unsigned flags, int64_t date,
                      uint32_t *uid)
{
    mailbox_mem *mb = ctx;
    /* no clock in the core: "now" is the newest date this mailbox has seen */
    if (date < 0)
        date = mb->n ? mb->msg[mb->n - 1].date : 0;
    if (mailbox_mem_add(mb, data, len, date, flags) != 0)
        return -1;
    *uid = mb->msg[mb->n - 1].uid;
    return 0;
}

static const mailbox_ops mem_ops = {
    .count = mem_count,
    .size = mem_size,
    .uid = mem_uid,
    .uidvalidity = mem_uidvalidity,
    .uidnext = mem_uidnext,
    .flags = mem_flags,
    .date = mem_date,
    .read = mem_read,
    .set_flags = mem_set_flags,
    .expunge = mem_expunge,
    .append = mem_append,
};

mailbox mailbox_mem_get(mailbox_mem *mb)
{
    mailbox m = {&mem_ops, mb, false};
    return m;
}

bool mailbox_mem_locked(const mailbox_mem *mb)
{
    return mb->locked;
}

/* ---- the provider ---------------------------------------------------------------------------- */

/* find - the account of a user name (exact match: user names are case-sensitive here) */
static const mailbox_mem_account *find(mailbox_mem_directory *dir, const char *user)
{
    for (size_t i = 0; i < dir->n; i++)
        if (dir->accounts[i].user && strcmp(dir->accounts[i].user, user) == 0)
            return &dir->accounts[i];
    return NULL;
}

static bool dir_check_password(void *ctx, const char *user, const char *password)
{
    const mailbox_mem_account *a = find(ctx, user);
    return a && a->password && strcmp(a->password, password) == 0;
}

static mailbox_open_status dir_open(void *ctx, const char *user, bool exclusive, mailbox *out)
{
    const mailbox_mem_account *a = find(ctx, user);
    if (!a || !a->box)
        return MAILBOX_OPEN_FAIL;
    if (exclusive && a->box->locked)
        return MAILBOX_OPEN_IN_USE;
    *out = mailbox_mem_get(a->box);
    if (exclusive) {
        a->box->locked = true;
        out->exclusive = true;
    }
    return MAILBOX_OPEN_OK;
}

static void dir_close(void *ctx, mailbox *mb)
{
    (void)ctx;
    if (mb->exclusive)
        ((mailbox_mem *)mb->ctx)->locked = false;
    mb->exclusive = false;
}

/* ---- folders ------------------------------------------------------------------------------- */

/* folder_index - the folder called name in the account's INBOX, or -1 */
static long folder_index(const mailbox_mem *in, const char *name)
{
    for (size_t i = 0; i < in->n_folders; i++)
        if (strcmp(in->folders[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* inbox_of - the account's INBOX, or NULL */
static mailbox_mem *inbox_of(void *ctx, const char *user)
{
    const mailbox_mem_account *a = find(ctx, user);
    return a ? a->box : NULL;
}

static int mf_list(void *ctx, const char *user, mailbox_names *out)
{
    mailbox_mem *in = inbox_of(ctx, user);
    if (!in)
        return -1;
    for (size_t i = 0; i < in->n_folders; i++)
        if (mailbox_names_add(out, in->folders[i].name) != 0)
            return -1;
    return 0;
}

static int mf_subscriptions(void *ctx, const char *user, mailbox_names *out)
{
    mailbox_mem *in = inbox_of(ctx, user);
    if (!in)
        return -1;
    for (size_t i = 0; i < in->subs.n; i++)
        if (mailbox_names_add(out, in->subs.v[i]) != 0)
            return -1;
    return 0;
}

static mailbox_fstatus mf_subscribe(void *ctx, const char *user, const char *name, bool on)
{
    mailbox_mem *in = inbox_of(ctx, user);
    if (!in)
        return MAILBOX_F_FAIL;
    if (!on)
        mailbox_names_remove(&in->subs, name);
    else if (mailbox_names_find(&in->subs, name) < 0 && mailbox_names_add(&in->subs, name) != 0)
        return MAILBOX_F_FAIL;
    return MAILBOX_F_OK;
}

/* create_one - one folder level, which must not exist yet */
static mailbox_fstatus create_one(mailbox_mem *in, const char *name)
{
    if (in->n_folders >= MAILBOX_FOLDERS_MAX)
        return MAILBOX_F_LIMIT;
    mem_folder *f = realloc(in->folders, (in->n_folders + 1) * sizeof *f);
    if (!f)
        return MAILBOX_F_FAIL;
    in->folders = f;
    if (!in->next_validity)
        in->next_validity = in->uidvalidity + 1;
    mailbox_mem *box = mailbox_mem_new(in->next_validity);
    size_t len = strlen(name);
    char *copy = malloc(len + 1);
    if (!box || !copy) {
        mailbox_mem_free(box);
        free(copy);
        return MAILBOX_F_FAIL;
    }
    in->next_validity++;
    memcpy(copy, name, len + 1);
    in->folders[in->n_folders++] = (mem_folder){copy, box};
    return MAILBOX_F_OK;
}

/* ensure_one - a parent level, made when missing */
static mailbox_fstatus ensure_one(void *arg, const char *name)
{
    mailbox_mem *in = arg;
    return folder_index(in, name) >= 0 ? MAILBOX_F_OK : create_one(in, name);
}

static mailbox_fstatus mf_create(void *ctx, const char *user, const char *name)
{
    mailbox_mem *in = inbox_of(ctx, user);
    mailbox_fstatus st = mailbox_name_check(name);
    if (!in || st != MAILBOX_F_OK)
        return in ? st : MAILBOX_F_FAIL;
    if (folder_index(in, name) >= 0)
        return MAILBOX_F_EXISTS;
    /* the parent levels first (RFC 9051 6.3.4: superiors the name needs are created) */
    st = mailbox_each_parent(name, ensure_one, in);
    return st != MAILBOX_F_OK ? st : create_one(in, name);
}

/* is_child - is name under parent ("a.b" under "a")? */
static bool is_child(const char *name, const char *parent)
{
    size_t pl = strlen(parent);
    return strncmp(name, parent, pl) == 0 && name[pl] == MAILBOX_DELIM;
}

static mailbox_fstatus mf_remove(void *ctx, const char *user, const char *name)
{
    mailbox_mem *in = inbox_of(ctx, user);
    if (!in)
        return MAILBOX_F_FAIL;
    if (mailbox_is_inbox(name))
        return MAILBOX_F_INBOX;
    long i = folder_index(in, name);
    if (i < 0)
        return MAILBOX_F_NONEXISTENT;
    for (size_t k = 0; k < in->n_folders; k++)
        if (is_child(in->folders[k].name, name))
            return MAILBOX_F_CHILDREN;
    free(in->folders[i].name);
    mailbox_mem_free(in->folders[i].box);
    memmove(&in->folders[i], &in->folders[i + 1],
            (in->n_folders - (size_t)i - 1) * sizeof in->folders[0]);
    in->n_folders--;
    return MAILBOX_F_OK;
}

static mailbox_fstatus mf_rename(void *ctx, const char *user, const char *from, const char *to)
{
    mailbox_mem *in = inbox_of(ctx, user);
    mailbox_fstatus st = mailbox_name_check(to);
    if (!in)
        return MAILBOX_F_FAIL;
    if (mailbox_is_inbox(from))
        return MAILBOX_F_INBOX;
    if (st != MAILBOX_F_OK)
        return st;
    if (folder_index(in, from) < 0)
        return MAILBOX_F_NONEXISTENT;
    if (folder_index(in, to) >= 0 || is_child(to, from))
        return MAILBOX_F_EXISTS;
    size_t fl = strlen(from), tl = strlen(to);
    char name[2 * MAILBOX_NAME_MAX + 2];
    for (size_t k = 0; k < in->n_folders; k++) {
        const char *old = in->folders[k].name;
        if (strcmp(old, from) != 0 && !is_child(old, from))
            continue;
        if (tl + strlen(old) - fl > MAILBOX_NAME_MAX)
            return MAILBOX_F_BADNAME;
    }
    /* the new parents, then every name under from moves under to (RFC 9051 6.3.6) */
    if ((st = mailbox_each_parent(to, ensure_one, in)) != MAILBOX_F_OK)
        return st;
    for (size_t k = 0; k < in->n_folders; k++) {
        char *old = in->folders[k].name;
        if (strcmp(old, from) != 0 && !is_child(old, from))
            continue;
        snprintf(name, sizeof name, "%s%s", to, old + fl);
        size_t len = strlen(name);
        char *copy = malloc(len + 1);
        if (!copy)
            return MAILBOX_F_FAIL;
        memcpy(copy, name, len + 1);
        free(old);
        in->folders[k].name = copy;
    }
    return MAILBOX_F_OK;
}

static mailbox_open_status mf_open(void *ctx, const char *user, const char *name, mailbox *out)
{
    mailbox_mem *in = inbox_of(ctx, user);
    if (!in)
        return MAILBOX_OPEN_FAIL;
    if (mailbox_is_inbox(name))
        return dir_open(ctx, user, false, out);
    long i = folder_index(in, name);
    if (i < 0)
        return MAILBOX_OPEN_FAIL;
    *out = mailbox_mem_get(in->folders[i].box);
    return MAILBOX_OPEN_OK;
}

const mailbox_folder_ops mailbox_mem_folder_ops = {
    mf_list, mf_subscriptions, mf_subscribe, mf_create, mf_remove, mf_rename, mf_open,
};

mailbox_provider mailbox_mem_provider(mailbox_mem_directory *dir)
{
    mailbox_provider p = {dir, dir_check_password, dir_open, dir_close, NULL};
    return p;
}
