/* imap_folder.c - the IMAP server's folders: naming them, opening one by name, listing them
 * (LIST and LSUB, RFC 9051 6.3.9 and RFC 3501 6.3.9, with the RFC 6154 SPECIAL-USE attributes),
 * subscriptions (6.3.7-8), CREATE (6.3.4), DELETE (6.3.5) and RENAME (6.3.6).
 *
 * Folders exist only when the mailbox provider offers them (mailbox_provider.folders); with
 * none, INBOX is the one mailbox and the commands that would need a second one answer
 * NO [CANNOT], as this teaching server always did. The hierarchy delimiter is "." (Maildir++).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/imap/imap_server_internal.h"

/* ---- names and opening ------------------------------------------------------------------- */

bool imap_folders_on(const imap_server *srv)
{
    return srv->cfg.provider.folders != NULL;
}

int imap_mailbox_name(imap_cursor *c, char name[IMAP_NAME_MAX + 1])
{
    size_t nl;
    if (imap_sp(c) < 0 || imap_astring(c, name, IMAP_NAME_MAX + 1, &nl) < 0 || strlen(name) != nl)
        return -1;
    if (mailbox_is_inbox(name))
        strcpy(name, "INBOX"); /* RFC 9051 5.1: INBOX in any case is INBOX */
    return 0;
}

bool imap_is_current(const imap_server *srv, const char *name)
{
    return strcmp(name, srv->mb_name[0] ? srv->mb_name : "INBOX") == 0;
}

mailbox_open_status imap_open_name(imap_server *srv, const char *name, mailbox *out,
                                   bool *borrowed)
{
    *borrowed = imap_is_current(srv, name);
    if (*borrowed) {
        *out = srv->mb;
        return MAILBOX_OPEN_OK;
    }
    const mailbox_provider *p = &srv->cfg.provider;
    if (!p->folders)
        return MAILBOX_OPEN_FAIL;
    return p->folders->open(p->ctx, srv->user, name, out);
}

int imap_switch_to(imap_server *srv, const char *name)
{
    if (imap_is_current(srv, name))
        return 0;
    const mailbox_provider *p = &srv->cfg.provider;
    mailbox mb;
    mailbox_open_status st = MAILBOX_OPEN_FAIL;
    if (p->folders)
        st = p->folders->open(p->ctx, srv->user, name, &mb);
    else if (strcmp(name, "INBOX") == 0 && p->open)
        st = p->open(p->ctx, srv->user, false, &mb);
    if (st != MAILBOX_OPEN_OK)
        return -1;
    if (srv->mb_open && p->close)
        p->close(p->ctx, &srv->mb);
    srv->mb = mb;
    srv->mb_open = true;
    snprintf(srv->mb_name, sizeof srv->mb_name, "%s", strcmp(name, "INBOX") ? name : "");
    return 0;
}

/* let_go - before DELETE or RENAME of name: the session's own current mailbox, if it is name
 * or under it, goes back to INBOX; while it is selected, the answer is INUSE */
static mailbox_fstatus let_go(imap_server *srv, const char *name)
{
    size_t n = strlen(name);
    bool mine = strncmp(srv->mb_name, name, n) == 0 &&
                (srv->mb_name[n] == '\0' || srv->mb_name[n] == MAILBOX_DELIM);
    if (!mine)
        return MAILBOX_F_OK;
    if (srv->state == IMAP_SRV_SELECTED)
        return MAILBOX_F_INUSE;
    return imap_switch_to(srv, "INBOX") == 0 ? MAILBOX_F_OK : MAILBOX_F_FAIL;
}

void imap_close_name(imap_server *srv, mailbox *mb, bool borrowed)
{
    if (!borrowed && srv->cfg.provider.close)
        srv->cfg.provider.close(srv->cfg.provider.ctx, mb);
}

void imap_folder_no(imap_server *srv, mailbox_fstatus st, const char *rfc)
{
    static const struct {
        const char *code, *key, *text;
    } rows[] = {
        [MAILBOX_F_OK] = {NULL, "imap.folder.fail", "Internal error"},
        [MAILBOX_F_EXISTS] = {"ALREADYEXISTS", "imap.folder.exists", "Mailbox already exists"},
        [MAILBOX_F_NONEXISTENT] = {"NONEXISTENT", "imap.folder.nonexistent", "No such mailbox"},
        [MAILBOX_F_BADNAME] = {"CANNOT", "imap.folder.badname",
                               "Not a mailbox name here: printable ASCII, at most 100 octets, "
                               "no * % / \\ \" and no empty level between dots"},
        [MAILBOX_F_NONASCII] = {"CANNOT", "imap.folder.nonascii",
                                "Only ASCII mailbox names here (no modified UTF-7)"},
        [MAILBOX_F_INBOX] = {"CANNOT", "imap.folder.inbox",
                             "INBOX cannot be deleted and has no subfolders here"},
        [MAILBOX_F_INUSE] = {"INUSE", "imap.folder.inuse", "Mailbox is open in another session"},
        [MAILBOX_F_CHILDREN] = {"CANNOT", "imap.folder.children", "Delete its subfolders first"},
        [MAILBOX_F_LIMIT] = {"LIMIT", "imap.folder.limit", "Too many mailboxes"},
        [MAILBOX_F_FAIL] = {"SERVERBUG", "imap.folder.fail", "Storage error"},
    };
    size_t i = (size_t)st < sizeof rows / sizeof rows[0] ? (size_t)st : MAILBOX_F_FAIL;
    imap_tagged(srv, "NO", rows[i].code, rows[i].key, rfc, rows[i].text);
}

/* ---- LIST and LSUB ------------------------------------------------------------------------ */

/* pattern_match - LIST wildcards (RFC 9051 6.3.9): '*' matches anything, '%' anything but
 * the hierarchy delimiter. icase for INBOX, the one case-insensitive name. Recursion depth is
 * bounded by the pattern length, which the name limit bounds. */
static bool pattern_match(const char *pat, const char *name, bool icase)
{
    if (!*pat)
        return !*name;
    if (*pat == '*' || *pat == '%') {
        for (const char *n = name;; n++) {
            if (pattern_match(pat + 1, n, icase))
                return true;
            if (!*n || (*pat == '%' && *n == MAILBOX_DELIM))
                return false;
        }
    }
    char a = *pat, b = *name;
    if (icase && a >= 'a' && a <= 'z')
        a = (char)(a - 32);
    if (icase && b >= 'a' && b <= 'z')
        b = (char)(b - 32);
    return a == b && pattern_match(pat + 1, name + 1, icase);
}

/* special_use - the RFC 6154 2 attribute of a well-known top-level name, or NULL */
static const char *special_use(const char *name)
{
    static const char *const rows[][2] = {
        {"Sent", "\\Sent"},   {"Trash", "\\Trash"}, {"Drafts", "\\Drafts"},
        {"Junk", "\\Junk"},   {"Archive", "\\Archive"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (strcmp(name, rows[i][0]) == 0)
            return rows[i][1];
    return NULL;
}

/* put_name - a mailbox name: bare when it is an atom (INBOX, Sent), else quoted */
int imap_put_name(imap_server *srv, const char *name)
{
    bool atom = name[0] != '\0';
    for (const char *p = name; atom && *p; p++)
        atom = *p > ' ' && *p < 0x7f && !strchr("(){%*\"\\]", *p);
    if (atom)
        return imap_put(&srv->io, &srv->io.out, name);
    return imap_put_string(&srv->io, &srv->io.out, name, strlen(name));
}

/* list_one - "* LIST (attrs) "." name" */
static void list_one(imap_server *srv, bool lsub, const char *attrs, const char *name)
{
    size_t s = imap_untagged_begin(srv);
    int r = imap_put(&srv->io, &srv->io.out, lsub ? "LSUB (" : "LIST (");
    r |= imap_put(&srv->io, &srv->io.out, attrs);
    r |= imap_put(&srv->io, &srv->io.out, ") \".\" ");
    r |= imap_put_name(srv, name);
    if (!r)
        imap_untagged_end(srv, s, "imap.list", lsub ? "RFC 3501 7.2.3" : "RFC 9051 7.3.1", 0);
}

/* has_child - is any name in l under name? */
static bool has_child(const mailbox_names *l, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->v[i], name, n) == 0 && l->v[i][n] == MAILBOX_DELIM)
            return true;
    return false;
}

/* folder_names - INBOX and the user's folders (or subscriptions), sorted after INBOX */
static int folder_names(imap_server *srv, bool subscribed, mailbox_names *out)
{
    const mailbox_provider *p = &srv->cfg.provider;
    if (mailbox_names_add(out, "INBOX") != 0)
        return -1;
    if (!p->folders)
        return 0;
    mailbox_names more = {0};
    int r = subscribed ? p->folders->subscriptions(p->ctx, srv->user, &more)
                       : p->folders->list(p->ctx, srv->user, &more);
    mailbox_names_sort(&more);
    for (size_t i = 0; !r && i < more.n; i++)
        if (!mailbox_is_inbox(more.v[i]))
            r = mailbox_names_add(out, more.v[i]);
    mailbox_names_free(&more);
    return r;
}

enum { SEL_SUBSCRIBED = 1, SEL_SPECIAL = 2, RET_SUBSCRIBED = 4 };

/* list_options - "(OPTION ...)", the selection options before the reference or the RETURN
 * options after the pattern (RFC 9051 6.3.9, part of IMAP4rev2; SPECIAL-USE from RFC 6154):
 * the bits we act on. CHILDREN and SPECIAL-USE attributes are always returned, and REMOTE and
 * RECURSIVEMATCH change nothing here (no remote mailboxes; children of subscribed names are
 * listed by name). 0, or -1 for an unknown option. */
static int list_options(imap_cursor *c, bool ret, unsigned *bits)
{
    if (imap_peek(c) != '(')
        return -1;
    c->i++;
    while (imap_peek(c) != ')') {
        const char *a;
        size_t al;
        if (imap_atom(c, false, &a, &al) < 0)
            return -1;
        if (retr_ieq(a, al, "SUBSCRIBED"))
            *bits |= ret ? RET_SUBSCRIBED : SEL_SUBSCRIBED | RET_SUBSCRIBED;
        else if (retr_ieq(a, al, "SPECIAL-USE"))
            *bits |= ret ? 0u : SEL_SPECIAL;
        else if (!retr_ieq(a, al, ret ? "CHILDREN" : "REMOTE") &&
                 !retr_ieq(a, al, ret ? "SPECIAL-USE" : "RECURSIVEMATCH"))
            return -1;
        if (imap_peek(c) == ' ')
            c->i++;
    }
    c->i++;
    return 0;
}

static void cmd_list(imap_server *srv, imap_cursor *c, bool lsub)
{
    const char *rfc = lsub ? "RFC 3501 6.3.9" : "RFC 9051 6.3.9";
    char ref[IMAP_NAME_MAX + 1], pat[IMAP_NAME_MAX + 1];
    size_t rl, pl;
    unsigned opt = 0;
    int r = imap_sp(c);
    if (!r && !lsub && imap_peek(c) == '(')
        r = list_options(c, false, &opt) < 0 || imap_sp(c) < 0 ? -1 : 0;
    /* list-mailbox also allows the wildcards, which astring does not: read an atom with them */
    if (r || imap_astring(c, ref, sizeof ref, &rl) < 0 || imap_sp(c) < 0) {
        imap_bad(srv, "imap.list.syntax", rfc, "Syntax: LIST reference pattern");
        return;
    }
    size_t j = c->i;
    while (j < c->n && c->p[j] != ' ' && c->p[j] != '\r' && c->p[j] != '"' && c->p[j] != '{')
        j++;
    if (j > c->i && j - c->i <= IMAP_NAME_MAX) {
        memcpy(pat, c->p + c->i, j - c->i);
        pat[j - c->i] = '\0';
        c->i = j;
    } else if (imap_astring(c, pat, sizeof pat, &pl) < 0) {
        imap_bad(srv, "imap.list.syntax", rfc, "Syntax: LIST reference pattern");
        return;
    }
    if (!lsub && !imap_end(c) &&
        (imap_sp(c) < 0 || imap_lit(c, "RETURN") < 0 || imap_sp(c) < 0 ||
         list_options(c, true, &opt) < 0)) {
        imap_bad(srv, "imap.list.syntax", rfc, "Syntax: LIST reference pattern");
        return;
    }
    if (!imap_end(c)) {
        imap_bad(srv, "imap.list.syntax", rfc, "Syntax: LIST reference pattern");
        return;
    }
    if (!pat[0]) {
        /* RFC 9051 6.3.9: an empty pattern asks for the delimiter */
        imap_untagged(srv, "imap.list", rfc, lsub ? "LSUB (\\Noselect) \".\" \"\""
                                             : "LIST (\\Noselect) \".\" \"\"");
        imap_tagged(srv, "OK", NULL, "imap.list.ok", rfc, lsub ? "LSUB completed"
                                                                : "LIST completed");
        return;
    }
    /* RFC 3501 6.3.8: the reference and the pattern are read as one name */
    char full[2 * IMAP_NAME_MAX + 2];
    snprintf(full, sizeof full, "%s%s", ref, pat);
    mailbox_names all = {0}, subs = {0};
    bool want_subs = lsub || (opt & RET_SUBSCRIBED);
    if (folder_names(srv, false, &all) != 0 || (want_subs && folder_names(srv, true, &subs))) {
        mailbox_names_free(&all);
        mailbox_names_free(&subs);
        imap_folder_no(srv, MAILBOX_F_FAIL, rfc);
        return;
    }
    const mailbox_names *shown = lsub || (opt & SEL_SUBSCRIBED) ? &subs : &all;
    for (size_t i = 0; i < shown->n; i++) {
        const char *name = shown->v[i];
        bool inbox = i == 0; /* folder_names puts INBOX first */
        const char *use = special_use(name);
        if (!pattern_match(full, name, inbox) || ((opt & SEL_SPECIAL) && !use))
            continue;
        bool exists = mailbox_names_find(&all, name) >= 0;
        char attrs[96] = "";
        if (lsub) {
            /* RFC 3501 6.3.9: a subscribed name may no longer exist */
            if (!exists)
                strcpy(attrs, "\\Noselect");
        } else if (imap_folders_on(srv)) {
            /* RFC 9051 7.3.1: \NonExistent for a subscribed name that is gone */
            bool sub = (opt & RET_SUBSCRIBED) && mailbox_names_find(&subs, name) >= 0;
            snprintf(attrs, sizeof attrs, "%s%s%s%s",
                     !exists ? "\\NonExistent" : has_child(&all, name) ? "\\HasChildren"
                                                                     : "\\HasNoChildren",
                     sub ? " \\Subscribed" : "", use ? " " : "", use ? use : "");
        }
        list_one(srv, lsub, attrs, name);
    }
    mailbox_names_free(&all);
    mailbox_names_free(&subs);
    imap_tagged(srv, "OK", NULL, "imap.list.ok", rfc, lsub ? "LSUB completed" : "LIST completed");
}

void imap_cmd_list(imap_server *srv, imap_cursor *c)
{
    cmd_list(srv, c, false);
}

void imap_cmd_lsub(imap_server *srv, imap_cursor *c)
{
    cmd_list(srv, c, true);
}

/* folder_arg - the one mailbox argument of CREATE or DELETE; false when already answered (no
 * folders here, or BAD syntax) */
static bool folder_arg(imap_server *srv, imap_cursor *c, char name[IMAP_NAME_MAX + 1],
                       const char *key, const char *rfc, const char *syntax)
{
    if (!imap_folders_on(srv)) {
        imap_cmd_no_other_mailboxes(srv, c);
        return false;
    }
    if (imap_mailbox_name(c, name) < 0 || !imap_end(c)) {
        imap_bad(srv, key, rfc, syntax);
        return false;
    }
    return true;
}

/* folder_done - the tagged answer: OK, or the NO that st calls for */
static void folder_done(imap_server *srv, mailbox_fstatus st, const char *key, const char *rfc,
                        const char *text)
{
    if (st != MAILBOX_F_OK)
        imap_folder_no(srv, st, rfc);
    else
        imap_tagged(srv, "OK", NULL, key, rfc, text);
}

/* ---- SUBSCRIBE, UNSUBSCRIBE ------------------------------------------------------------ */

void imap_cmd_subscribe(imap_server *srv, imap_cursor *c)
{
    bool on = strcmp(srv->verb, "SUBSCRIBE") == 0;
    const char *rfc = on ? "RFC 9051 6.3.7" : "RFC 9051 6.3.8";
    char name[IMAP_NAME_MAX + 1];
    if (imap_mailbox_name(c, name) < 0 || !imap_end(c)) {
        imap_bad(srv, "imap.subscribe.syntax", rfc, "Syntax: SUBSCRIBE mailbox");
        return;
    }
    const mailbox_provider *p = &srv->cfg.provider;
    /* INBOX is always subscribed; we subscribe only to names that exist (6.3.7 allows
     * checking), and unsubscribing any name is fine */
    if (strcmp(name, "INBOX") == 0) {
        imap_tagged(srv, "OK", NULL, "imap.subscribe.ok", rfc, "Completed");
        return;
    }
    if (!p->folders) {
        imap_tagged(srv, "NO", "NONEXISTENT", "imap.select.no_such", rfc,
                    "Only INBOX exists here");
        return;
    }
    mailbox_names all = {0};
    if (on && (p->folders->list(p->ctx, srv->user, &all) != 0 ||
               mailbox_names_find(&all, name) < 0)) {
        mailbox_names_free(&all);
        imap_folder_no(srv, MAILBOX_F_NONEXISTENT, rfc);
        return;
    }
    mailbox_names_free(&all);
    folder_done(srv, p->folders->subscribe(p->ctx, srv->user, name, on), "imap.subscribe.ok", rfc,
                "Completed");
}

/* ---- CREATE, DELETE, RENAME -------------------------------------------------------------- */

void imap_cmd_create(imap_server *srv, imap_cursor *c)
{
    const char *rfc = "RFC 9051 6.3.4";
    char name[IMAP_NAME_MAX + 1];
    if (!folder_arg(srv, c, name, "imap.create.syntax", rfc, "Syntax: CREATE mailbox"))
        return;
    /* RFC 9051 6.3.4: a trailing delimiter only says the name will have children */
    size_t n = strlen(name);
    if (n > 1 && name[n - 1] == MAILBOX_DELIM)
        name[n - 1] = '\0';
    const mailbox_provider *p = &srv->cfg.provider;
    mailbox_fstatus st = strcmp(name, "INBOX") == 0 ? MAILBOX_F_EXISTS : mailbox_name_check(name);
    if (st == MAILBOX_F_OK)
        st = p->folders->create(p->ctx, srv->user, name);
    folder_done(srv, st, "imap.create.ok", rfc, "CREATE completed");
}

void imap_cmd_delete(imap_server *srv, imap_cursor *c)
{
    const char *rfc = "RFC 9051 6.3.5";
    char name[IMAP_NAME_MAX + 1];
    if (!folder_arg(srv, c, name, "imap.delete.syntax", rfc, "Syntax: DELETE mailbox"))
        return;
    const mailbox_provider *p = &srv->cfg.provider;
    mailbox_fstatus st = MAILBOX_F_INBOX;
    if (strcmp(name, "INBOX") != 0 && (st = let_go(srv, name)) == MAILBOX_F_OK)
        st = p->folders->remove(p->ctx, srv->user, name);
    folder_done(srv, st, "imap.delete.ok", rfc, "DELETE completed");
}

/* rename_inbox - RFC 9051 6.3.6: renaming INBOX moves all its messages into a new mailbox
 * of that name and leaves INBOX, empty, where it was */
static mailbox_fstatus rename_inbox(imap_server *srv, const char *to)
{
    const mailbox_provider *p = &srv->cfg.provider;
    mailbox_fstatus st = p->folders->create(p->ctx, srv->user, to);
    if (st != MAILBOX_F_OK)
        return st;
    mailbox in, dst;
    bool in_b, dst_b;
    if (imap_open_name(srv, "INBOX", &in, &in_b) != MAILBOX_OPEN_OK)
        return MAILBOX_F_FAIL;
    if (imap_open_name(srv, to, &dst, &dst_b) != MAILBOX_OPEN_OK) {
        imap_close_name(srv, &in, in_b);
        return MAILBOX_F_FAIL;
    }
    size_t n = in.ops->count(in.ctx);
    uint32_t *uids = calloc(n ? 2 * n : 1, sizeof *uids);
    long copied = -1;
    if (uids) {
        for (size_t i = 0; i < n; i++)
            uids[i] = in.ops->uid(in.ctx, i);
        copied = mailbox_copy_uids(&in, &dst, uids, n, uids + n);
    }
    for (size_t i = n; copied >= 0 && i-- > 0;) {
        long k = mailbox_find_uid(&in, uids[i]);
        if (k >= 0)
            in.ops->expunge(in.ctx, (size_t)k);
    }
    free(uids);
    imap_close_name(srv, &dst, dst_b);
    imap_close_name(srv, &in, in_b);
    return copied < 0 ? MAILBOX_F_FAIL : MAILBOX_F_OK;
}

void imap_cmd_rename(imap_server *srv, imap_cursor *c)
{
    char from[IMAP_NAME_MAX + 1], to[IMAP_NAME_MAX + 1];
    if (!imap_folders_on(srv)) {
        imap_cmd_no_other_mailboxes(srv, c);
        return;
    }
    if (imap_mailbox_name(c, from) < 0 || imap_mailbox_name(c, to) < 0 || !imap_end(c)) {
        imap_bad(srv, "imap.rename.syntax", "RFC 9051 6.3.6", "Syntax: RENAME from to");
        return;
    }
    const mailbox_provider *p = &srv->cfg.provider;
    mailbox_fstatus st = strcmp(to, "INBOX") == 0 ? MAILBOX_F_EXISTS : mailbox_name_check(to);
    if (st == MAILBOX_F_OK && strcmp(from, "INBOX") == 0)
        st = rename_inbox(srv, to);
    else if (st == MAILBOX_F_OK && (st = let_go(srv, from)) == MAILBOX_F_OK)
        st = p->folders->rename(p->ctx, srv->user, from, to);
    folder_done(srv, st, "imap.rename.ok", "RFC 9051 6.3.6", "RENAME completed");
}
