/* imap_mailbox.c - the mailbox-level IMAP commands of the authenticated state: SELECT and
 * EXAMINE (RFC 9051 6.3.2-3), LIST and LSUB (6.3.9, RFC 3501 6.3.9), STATUS (6.3.11), ENABLE
 * (6.3.1), NAMESPACE (6.3.10), SUBSCRIBE/UNSUBSCRIBE, and the polite NO for the commands that
 * would need a second mailbox. This teaching server has one mailbox: INBOX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/imap/imap_server_internal.h"

/* ---- commands: authenticated --------------------------------------------------------------- */

/* mailbox_arg - " INBOX" (any case, RFC 9051 5.1: INBOX is case-insensitive); 0 or -1 */
static int mailbox_arg(imap_cursor *c, bool *inbox)
{
    char name[IMAP_NAME_MAX + 1];
    size_t nl;
    if (imap_sp(c) < 0 || imap_astring(c, name, sizeof name, &nl) < 0)
        return -1;
    *inbox = retr_ieq(name, nl, "INBOX");
    return 0;
}

static void cmd_select(imap_server *srv, imap_cursor *c, bool examine)
{
    const char *rfc = examine ? "RFC 9051 6.3.3" : "RFC 9051 6.3.2";
    bool inbox;
    if (mailbox_arg(c, &inbox) < 0 || !imap_end(c)) {
        imap_bad(srv, "imap.select.syntax", rfc, "Syntax: SELECT mailbox");
        return;
    }
    /* RFC 9051 6.3.2: a SELECT closes the selected mailbox first, without expunging */
    srv->n_view = 0;
    if (srv->state == IMAP_SRV_SELECTED)
        imap_set_state(srv, IMAP_SRV_AUTH);
    if (!inbox) {
        imap_tagged(srv, "NO", "NONEXISTENT", "imap.select.no_such", rfc,
                    "Only INBOX exists here");
        return;
    }
    const mailbox_ops *o = srv->mb.ops;
    size_t n = o->count(srv->mb.ctx);
    if (imap_view_reserve(srv, n) < 0)
        return;
    size_t first_unseen = 0;
    for (size_t i = 0; i < n; i++) {
        srv->view[i] = (imap_view_msg){o->uid(srv->mb.ctx, i), o->flags(srv->mb.ctx, i)};
        if (!first_unseen && !(srv->view[i].flags & MAILBOX_SEEN))
            first_unseen = i + 1;
    }
    srv->n_view = n;
    srv->readonly = examine;
    imap_set_state(srv, IMAP_SRV_SELECTED);
    char line[128];
    snprintf(line, sizeof line, "%zu EXISTS", n);
    imap_untagged(srv, "imap.exists", "RFC 9051 7.4.1", line);
    if (!srv->rev2)
        imap_untagged(srv, "imap.recent", "RFC 3501 7.3.2", "0 RECENT");
    imap_untagged(srv, "imap.flags", "RFC 9051 7.3.5",
             "FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
    imap_respond(srv, RETR_EV_UNTAGGED, "*", "OK",
            examine ? "PERMANENTFLAGS ()"
                    : "PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
            "imap.select.permanentflags", "RFC 9051 7.1", "Flags permitted");
    snprintf(line, sizeof line, "UIDVALIDITY %u", o->uidvalidity(srv->mb.ctx));
    imap_respond(srv, RETR_EV_UNTAGGED, "*", "OK", line, "imap.select.uidvalidity",
                 "RFC 9051 2.3.1.1", "UIDs valid");
    snprintf(line, sizeof line, "UIDNEXT %u", o->uidnext(srv->mb.ctx));
    imap_respond(srv, RETR_EV_UNTAGGED, "*", "OK", line, "imap.select.uidnext", "RFC 9051 2.3.1.1",
            "Predicted next UID");
    if (!srv->rev2 && first_unseen) {
        snprintf(line, sizeof line, "UNSEEN %zu", first_unseen);
        imap_respond(srv, RETR_EV_UNTAGGED, "*", "OK", line, "imap.select.unseen", "RFC 3501 6.3.1",
                "First unseen");
    }
    if (srv->rev2)
        imap_untagged(srv, "imap.list", "RFC 9051 6.3.2", "LIST () \"/\" INBOX");
    imap_tagged(srv, "OK", examine ? "READ-ONLY" : "READ-WRITE", "imap.select.ok", rfc,
                examine ? "EXAMINE completed" : "SELECT completed");
}

void imap_cmd_select(imap_server *srv, imap_cursor *c)
{
    cmd_select(srv, c, false);
}

void imap_cmd_examine(imap_server *srv, imap_cursor *c)
{
    cmd_select(srv, c, true);
}

/* pattern_match - LIST wildcards (RFC 9051 6.3.9): '*' matches anything, '%' anything but
 * the hierarchy delimiter; INBOX compares case-insensitively. Recursion depth is bounded by
 * the pattern length, which the line limit bounds. */
static bool pattern_match(const char *pat, const char *name)
{
    if (!*pat)
        return !*name;
    if (*pat == '*' || *pat == '%') {
        for (const char *n = name;; n++) {
            if (pattern_match(pat + 1, n))
                return true;
            if (!*n || (*pat == '%' && *n == '/'))
                return false;
        }
    }
    char a = *pat, b = *name;
    if (a >= 'a' && a <= 'z')
        a = (char)(a - 32);
    if (b >= 'a' && b <= 'z')
        b = (char)(b - 32);
    return a == b && pattern_match(pat + 1, name + 1);
}

static void cmd_list(imap_server *srv, imap_cursor *c, bool lsub)
{
    const char *rfc = lsub ? "RFC 3501 6.3.9" : "RFC 9051 6.3.9";
    char ref[IMAP_NAME_MAX + 1], pat[IMAP_NAME_MAX + 1];
    size_t rl, pl;
    /* list-mailbox also allows the wildcards, which astring does not: read an atom with them */
    if (imap_sp(c) < 0 || imap_astring(c, ref, sizeof ref, &rl) < 0 || imap_sp(c) < 0) {
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
    if (!imap_end(c)) {
        imap_bad(srv, "imap.list.syntax", rfc, "Syntax: LIST reference pattern");
        return;
    }
    if (!pat[0]) {
        /* RFC 9051 6.3.9: an empty pattern asks for the delimiter */
        imap_untagged(srv, "imap.list", rfc, lsub ? "LSUB (\\Noselect) \"/\" \"\""
                                             : "LIST (\\Noselect) \"/\" \"\"");
    } else if (pattern_match(pat, "INBOX") || (rl && pattern_match(pat, ref))) {
        imap_untagged(srv, "imap.list", rfc, lsub ? "LSUB () \"/\" INBOX" : "LIST () \"/\" INBOX");
    }
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

void imap_cmd_status(imap_server *srv, imap_cursor *c)
{
    bool inbox;
    if (mailbox_arg(c, &inbox) < 0 || imap_sp(c) < 0 || imap_peek(c) != '(') {
        imap_bad(srv, "imap.status.syntax", "RFC 9051 6.3.11", "Syntax: STATUS mailbox (items)");
        return;
    }
    c->i++;
    const mailbox_ops *o = srv->mb.ops;
    size_t n = o->count(srv->mb.ctx), unseen = 0, deleted = 0;
    uint64_t size = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned f = o->flags(srv->mb.ctx, i);
        unseen += !(f & MAILBOX_SEEN);
        deleted += (f & MAILBOX_DELETED) != 0;
        size += o->size(srv->mb.ctx, i);
    }
    char line[512] = "STATUS INBOX (";
    size_t w = strlen(line);
    for (int k = 0; k < 8 && imap_peek(c) != ')'; k++) {
        const char *a;
        size_t al;
        if ((k && imap_sp(c) < 0) || imap_atom(c, false, &a, &al) < 0)
            break;
        uint64_t v;
        const char *name;
        if (retr_ieq(a, al, "MESSAGES")) name = "MESSAGES", v = n;
        else if (retr_ieq(a, al, "UIDNEXT")) name = "UIDNEXT", v = o->uidnext(srv->mb.ctx);
        else if (retr_ieq(a, al, "UIDVALIDITY"))
            name = "UIDVALIDITY", v = o->uidvalidity(srv->mb.ctx);
        else if (retr_ieq(a, al, "UNSEEN")) name = "UNSEEN", v = unseen;
        else if (retr_ieq(a, al, "RECENT")) name = "RECENT", v = 0;
        else if (retr_ieq(a, al, "DELETED")) name = "DELETED", v = deleted;
        else if (retr_ieq(a, al, "SIZE")) name = "SIZE", v = size;
        else {
            imap_bad(srv, "imap.status.syntax", "RFC 9051 6.3.11", "Unknown STATUS item");
            return;
        }
        w += (size_t)snprintf(line + w, sizeof line - w, "%s%s %llu", k ? " " : "", name,
                              (unsigned long long)v);
    }
    if (imap_peek(c) != ')' || (c->i++, !imap_end(c))) {
        imap_bad(srv, "imap.status.syntax", "RFC 9051 6.3.11", "Syntax: STATUS mailbox (items)");
        return;
    }
    if (!inbox) {
        imap_tagged(srv, "NO", "NONEXISTENT", "imap.select.no_such", "RFC 9051 6.3.11",
                    "Only INBOX exists here");
        return;
    }
    snprintf(line + w, sizeof line - w, ")");
    imap_untagged(srv, "imap.status", "RFC 9051 7.3.3", line);
    imap_tagged(srv, "OK", NULL, "imap.status.ok", "RFC 9051 6.3.11", "STATUS completed");
}

void imap_cmd_enable(imap_server *srv, imap_cursor *c)
{
    char enabled[64] = "ENABLED";
    bool any = false;
    while (imap_sp(c) == 0) {
        const char *a;
        size_t al;
        if (imap_atom(c, false, &a, &al) < 0)
            break;
        any = true;
        if (retr_ieq(a, al, "IMAP4rev2") && !srv->rev2) {
            srv->rev2 = true; /* RFC 9051 6.3.1: only extensions newly enabled are listed */
            strcat(enabled, " IMAP4rev2");
        }
    }
    if (!any || !imap_end(c)) {
        imap_bad(srv, "imap.enable.syntax", "RFC 9051 6.3.1", "Syntax: ENABLE capability");
        return;
    }
    imap_untagged(srv, "imap.enabled", "RFC 9051 7.2.1", enabled);
    imap_tagged(srv, "OK", NULL, "imap.enable.ok", "RFC 9051 6.3.1", "ENABLE completed");
}

void imap_cmd_namespace(imap_server *srv, imap_cursor *c)
{
    (void)c;
    imap_untagged(srv, "imap.namespace", "RFC 9051 7.3.2", "NAMESPACE ((\"\" \"/\")) NIL NIL");
    imap_tagged(srv, "OK", NULL, "imap.namespace.ok", "RFC 9051 6.3.10", "NAMESPACE completed");
}

void imap_cmd_subscribe(imap_server *srv, imap_cursor *c)
{
    bool inbox;
    if (mailbox_arg(c, &inbox) < 0 || !imap_end(c)) {
        imap_bad(srv, "imap.subscribe.syntax", "RFC 9051 6.3.7", "Syntax: SUBSCRIBE mailbox");
        return;
    }
    /* INBOX is always subscribed; there is nothing else to subscribe to */
    if (inbox)
        imap_tagged(srv, "OK", NULL, "imap.subscribe.ok", "RFC 9051 6.3.7", "Completed");
    else
        imap_tagged(srv, "NO", "NONEXISTENT", "imap.select.no_such", "RFC 9051 6.3.7",
                    "Only INBOX exists here");
}

void imap_cmd_no_other_mailboxes(imap_server *srv, imap_cursor *c)
{
    (void)c;
    /* CREATE, DELETE, RENAME, APPEND, COPY, MOVE: this teaching server has INBOX only */
    imap_tagged(srv, "NO", "CANNOT", "imap.mailbox.cannot", "RFC 5530 3", "Only INBOX exists here");
}

