/* mailbox.c - the in-memory mailbox behind the mailbox_ops interface.
 *
 * Messages live in one array in delivery order, so index order is UID order as RFC 9051
 * 2.3.1.1 requires. Expunge is O(n) (a memmove): a teaching mailbox holds few messages.
 */
#include "core/retrieval/mailbox.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len;
    uint32_t uid;
    unsigned flags;
    int64_t date;
} mem_msg;

struct mailbox_mem {
    mem_msg *msg;
    size_t n, cap;
    uint32_t uidvalidity, uidnext;
    bool locked;
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

mailbox_provider mailbox_mem_provider(mailbox_mem_directory *dir)
{
    mailbox_provider p = {dir, dir_check_password, dir_open, dir_close};
    return p;
}
