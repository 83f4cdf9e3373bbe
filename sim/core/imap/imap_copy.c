/* imap_copy.c - messages into, between and out of the IMAP server's mailboxes: APPEND (RFC
 * 9051 6.3.12), COPY (6.4.7), MOVE (6.4.8, RFC 6851), their UID forms, EXPUNGE (6.4.3) and UID
 * EXPUNGE (RFC 4315 2.1). With UIDPLUS (RFC 4315 3) the answers carry the new UIDs:
 * APPENDUID and COPYUID.
 *
 * The work goes through the mailbox interface (mailbox_copy_uids), so the simulated mailbox
 * and the Maildir behave alike. A target that does not exist gets NO [TRYCREATE], the hint
 * that makes a mail program CREATE it and try again (RFC 9051 7.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/imap/imap_server_internal.h"

bool imap_is_append(const imap_server *srv)
{
    const char *p = srv->cmd.p;
    size_t n = srv->cmd.len, t = 0;
    if (!imap_folders_on(srv))
        return false;
    while (t < n && p[t] != ' ')
        t++;
    return n - t > 8 && retr_ieq(p + t + 1, 6, "APPEND") && p[t + 7] == ' ';
}

/* literal - "{n}" or "{n+}" CRLF and the n octets after it, in place; 0 or -1 */
static int literal(imap_cursor *c, const char **data, size_t *len)
{
    size_t i = c->i + 1, digits = 0;
    uint64_t n = 0;
    if (imap_peek(c) != '{')
        return -1;
    for (; i < c->n && c->p[i] >= '0' && c->p[i] <= '9' && digits < 10; i++, digits++)
        n = n * 10 + (uint64_t)(c->p[i] - '0');
    if (i < c->n && c->p[i] == '+')
        i++;
    if (!digits || c->n - i < 3 || memcmp(c->p + i, "}\r\n", 3) != 0 || c->n - i - 3 < n)
        return -1;
    *data = c->p + i + 3;
    *len = (size_t)n;
    c->i = i + 3 + (size_t)n;
    return 0;
}

/* date_time - a quoted RFC 9051 date-time ("17-Jul-1996 02:44:25 -0700") as seconds since
 * 1970 UTC; 0 or -1 */
static int date_time(imap_cursor *c, int64_t *t)
{
    size_t start = c->i, n;
    int64_t days;
    char s[40];
    int h, m, sec, zh, zm;
    char sign;
    if (imap_date_days(c, &days) < 0)
        return -1;
    c->i = start;
    if (imap_astring(c, s, sizeof s, &n) < 0 ||
        sscanf(s, "%*d-%*3c-%*d %2d:%2d:%2d %c%2d%2d", &h, &m, &sec, &sign, &zh, &zm) != 6 ||
        h > 23 || m > 59 || sec > 60 || (sign != '+' && sign != '-') || zh < 0 || zm < 0 ||
        zm > 59)
        return -1;
    int64_t zone = (zh * 3600 + zm * 60) * (sign == '-' ? -1 : 1);
    *t = days * 86400 + h * 3600 + m * 60 + sec - zone;
    return 0;
}

/* put_uid_set - a UID set in its short form ("4:6,9") for COPYUID; uids ascend */
static size_t put_uid_set(char *out, size_t cap, const uint32_t *uids, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n && w < cap;) {
        size_t j = i;
        while (j + 1 < n && uids[j + 1] == uids[j] + 1)
            j++;
        if (j > i)
            w += (size_t)snprintf(out + w, cap - w, "%s%u:%u", w ? "," : "", uids[i], uids[j]);
        else
            w += (size_t)snprintf(out + w, cap - w, "%s%u", w ? "," : "", uids[i]);
        i = j + 1;
    }
    return w;
}

/* open_target - the mailbox APPEND, COPY or MOVE puts messages in; 0, or -1 when answered: a
 * name we cannot store is NO [CANNOT], a missing one NO [TRYCREATE] (RFC 9051 6.3.12, 6.4.7) */
static int open_target(imap_server *srv, const char *name, mailbox *mb, bool *borrowed,
                       const char *key, const char *rfc)
{
    mailbox_fstatus st = strcmp(name, "INBOX") ? mailbox_name_check(name) : MAILBOX_F_OK;
    if (st == MAILBOX_F_NONASCII || st == MAILBOX_F_BADNAME) {
        imap_folder_no(srv, st, rfc);
        return -1;
    }
    if (imap_open_name(srv, name, mb, borrowed) != MAILBOX_OPEN_OK) {
        imap_tagged(srv, "NO", "TRYCREATE", key, rfc, "No such mailbox");
        return -1;
    }
    return 0;
}

void imap_cmd_append(imap_server *srv, imap_cursor *c)
{
    const char *rfc = "RFC 9051 6.3.12";
    char name[IMAP_NAME_MAX + 1];
    unsigned flags = 0;
    int64_t date = -1; /* no date-time: the store's "now" (the engine has no wall clock) */
    const char *data;
    size_t len;
    if (!imap_folders_on(srv)) {
        imap_cmd_no_other_mailboxes(srv, c);
        return;
    }
    int r = imap_mailbox_name(c, name) < 0 || imap_sp(c) < 0 ? -1 : 0;
    if (!r && imap_peek(c) == '(')
        r = imap_flag_list(c, &flags) < 0 || imap_sp(c) < 0 ? -1 : 0;
    if (!r && imap_peek(c) == '"')
        r = date_time(c, &date) < 0 || imap_sp(c) < 0 ? -1 : 0;
    if (r || literal(c, &data, &len) < 0 || !imap_end(c)) {
        imap_bad(srv, "imap.append.syntax", rfc,
                 "Syntax: APPEND mailbox [(flags)] [\"date-time\"] {size}");
        return;
    }
    mailbox mb;
    bool borrowed;
    if (open_target(srv, name, &mb, &borrowed, "imap.append.trycreate", rfc) != 0)
        return;
    uint32_t uid = 0;
    r = mb.ops->append ? mb.ops->append(mb.ctx, data, len, flags, date, &uid) : -1;
    uint32_t validity = mb.ops->uidvalidity(mb.ctx);
    imap_close_name(srv, &mb, borrowed);
    if (r != 0) {
        imap_folder_no(srv, MAILBOX_F_FAIL, rfc);
        return;
    }
    /* RFC 9051 6.3.12: the selected mailbox tells of its new message (EXISTS) */
    if (borrowed)
        imap_sync_view(srv, false);
    char code[64];
    snprintf(code, sizeof code, "APPENDUID %u %u", validity, uid);
    imap_tagged(srv, "OK", code, "imap.append.ok", "RFC 4315 3", "APPEND completed");
}

/* chosen_uids - the UIDs of the view's messages in set (sequence numbers or UIDs), ascending;
 * NULL on no memory */
static uint32_t *chosen_uids(imap_server *srv, const imap_seqset *set, bool uid, size_t *n)
{
    uint32_t *v = malloc((srv->n_view ? srv->n_view : 1) * sizeof *v);
    *n = 0;
    if (!v) {
        srv->io.oom = true;
        return NULL;
    }
    for (size_t vi = 0; vi < srv->n_view; vi++)
        if (imap_seqset_has(set, uid ? srv->view[vi].uid : (uint32_t)(vi + 1)))
            v[(*n)++] = srv->view[vi].uid;
    return v;
}

/* seq_out_of_range - a sequence number past the last message (BAD, as FETCH answers) */
static bool seq_out_of_range(const imap_server *srv, const imap_seqset *set)
{
    for (size_t k = 0; k < set->n; k++)
        if (set->hi[k] > srv->n_view)
            return true;
    return false;
}

void imap_cmd_copy(imap_server *srv, imap_cursor *c, bool uid, bool move)
{
    const char *rfc = uid ? "RFC 9051 6.4.9" : move ? "RFC 9051 6.4.8" : "RFC 9051 6.4.7";
    const char *done = move ? "MOVE completed" : "COPY completed";
    imap_seqset set;
    char name[IMAP_NAME_MAX + 1];
    if (!imap_folders_on(srv)) {
        imap_cmd_no_other_mailboxes(srv, c);
        return;
    }
    uint32_t star = uid ? imap_max_uid(srv) : (uint32_t)srv->n_view;
    if (imap_sp(c) < 0 || imap_seqset_parse(c, star, &set) < 0 || imap_mailbox_name(c, name) < 0 ||
        !imap_end(c)) {
        imap_bad(srv, "imap.copy.syntax", rfc, move ? "Syntax: MOVE sequence-set mailbox"
                                                    : "Syntax: COPY sequence-set mailbox");
        return;
    }
    if (!uid && seq_out_of_range(srv, &set)) {
        imap_bad(srv, "imap.copy.no_such", rfc, "Invalid message sequence number");
        return;
    }
    if (move && srv->readonly) {
        imap_tagged(srv, "NO", NULL, "imap.expunge.read_only", "RFC 6851 3.3",
                    "Mailbox is read-only");
        return;
    }
    mailbox dst;
    bool borrowed;
    if (open_target(srv, name, &dst, &borrowed, "imap.copy.trycreate", rfc) != 0)
        return;
    size_t n;
    uint32_t *uids = chosen_uids(srv, &set, uid, &n);
    uint32_t *fresh = uids ? calloc(n ? n : 1, sizeof *fresh) : NULL;
    long copied = fresh ? mailbox_copy_uids(&srv->mb, &dst, uids, n, fresh) : -1;
    uint32_t validity = dst.ops->uidvalidity(dst.ctx);
    imap_close_name(srv, &dst, borrowed);
    if (copied < 0) {
        free(uids);
        free(fresh);
        imap_folder_no(srv, MAILBOX_F_FAIL, rfc);
        return;
    }
    /* COPYUID pairs each source UID still there with its copy (RFC 4315 3) */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (fresh[i]) {
            uids[k] = uids[i];
            fresh[k++] = fresh[i];
        }
    size_t cap = 40 + k * 24;
    char *code = k ? malloc(cap) : NULL;
    if (code) {
        size_t w = (size_t)snprintf(code, cap, "COPYUID %u ", validity);
        w += put_uid_set(code + w, cap - w, uids, k);
        w += (size_t)snprintf(code + w, cap - w, " ");
        put_uid_set(code + w, cap - w, fresh, k);
    }
    if (move) {
        /* RFC 9051 6.4.8: COPYUID comes untagged, before the EXPUNGEs */
        if (code)
            imap_respond(srv, RETR_EV_UNTAGGED, "*", "OK", code, "imap.move.copyuid",
                         "RFC 9051 6.4.8", "Moved");
        imap_expunge_uids(srv, true, uids, k, false);
        imap_tagged(srv, "OK", NULL, "imap.move.ok", rfc, done);
    } else {
        if (borrowed)
            imap_sync_view(srv, false);
        imap_tagged(srv, "OK", code, "imap.copy.ok", rfc, done);
    }
    free(code);
    free(uids);
    free(fresh);
}

void imap_cmd_uid_expunge(imap_server *srv, imap_cursor *c)
{
    imap_seqset set;
    if (imap_sp(c) < 0 || imap_seqset_parse(c, imap_max_uid(srv), &set) < 0 || !imap_end(c)) {
        imap_bad(srv, "imap.uid_expunge.syntax", "RFC 4315 2.1", "Syntax: UID EXPUNGE uid-set");
        return;
    }
    if (srv->readonly) {
        imap_tagged(srv, "NO", NULL, "imap.expunge.read_only", "RFC 9051 6.4.3",
                    "Mailbox is read-only");
        return;
    }
    size_t n;
    uint32_t *uids = chosen_uids(srv, &set, true, &n);
    if (!uids)
        return;
    imap_expunge_uids(srv, true, uids, n, true);
    free(uids);
    imap_tagged(srv, "OK", NULL, "imap.expunge.ok", "RFC 4315 2.1", "UID EXPUNGE completed");
}

/* ---- EXPUNGE -----------------------------------------------------------------------------------
 */

static int uid_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void imap_expunge_deleted(imap_server *srv, bool loud)
{
    imap_expunge_uids(srv, loud, NULL, 0, true);
}

void imap_expunge_uids(imap_server *srv, bool loud, const uint32_t *uids, size_t n,
                       bool deleted_only)
{
    const mailbox_ops *o = srv->mb.ops;
    /* from the end, so every reported number is right when it is sent (RFC 9051 7.5.1) */
    for (size_t vi = srv->n_view; vi-- > 0;) {
        long mi = imap_locate(srv, srv->view[vi].uid);
        if (mi < 0 || (uids && !bsearch(&srv->view[vi].uid, uids, n, sizeof *uids, uid_cmp)) ||
            (deleted_only && !(o->flags(srv->mb.ctx, (size_t)mi) & MAILBOX_DELETED)) ||
            o->expunge(srv->mb.ctx, (size_t)mi) < 0)
            continue;
        memmove(&srv->view[vi], &srv->view[vi + 1], (srv->n_view - vi - 1) * sizeof srv->view[0]);
        srv->n_view--;
        if (loud) {
            size_t s = imap_untagged_begin(srv);
            imap_put_u32(&srv->io, &srv->io.out, vi + 1);
            imap_put(&srv->io, &srv->io.out, " EXPUNGE");
            imap_untagged_end(srv, s, "imap.expunge", "RFC 9051 7.5.1", (uint32_t)(vi + 1));
        }
    }
}

void imap_cmd_expunge(imap_server *srv, imap_cursor *c)
{
    (void)c;
    if (srv->readonly) {
        imap_tagged(srv, "NO", NULL, "imap.expunge.read_only", "RFC 9051 6.4.3",
                    "Mailbox is read-only");
        return;
    }
    imap_expunge_deleted(srv, true);
    imap_tagged(srv, "OK", NULL, "imap.expunge.ok", "RFC 9051 6.4.3", "EXPUNGE completed");
}
