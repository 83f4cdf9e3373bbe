/* imap_mailbox.c - the mailbox-level IMAP commands of the authenticated state: SELECT and
 * EXAMINE (RFC 9051 6.3.2-3) and STATUS (6.3.11) of INBOX or any folder, ENABLE (6.3.1),
 * NAMESPACE (6.3.10), and the polite NO for the commands that would need a second mailbox
 * when the provider has no folders. LIST, CREATE and the other folder commands are in
 * imap_folder.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/imap/imap_server_internal.h"

/* ---- commands: authenticated --------------------------------------------------------------- */

static void cmd_select(imap_server *srv, imap_cursor *c, bool examine)
{
    const char *rfc = examine ? "RFC 9051 6.3.3" : "RFC 9051 6.3.2";
    char name[IMAP_NAME_MAX + 1];
    if (imap_mailbox_name(c, name) < 0 || !imap_end(c)) {
        imap_bad(srv, "imap.select.syntax", rfc, "Syntax: SELECT mailbox");
        return;
    }
    /* RFC 9051 6.3.2: a SELECT closes the selected mailbox first, without expunging */
    srv->n_view = 0;
    if (srv->state == IMAP_SRV_SELECTED)
        imap_set_state(srv, IMAP_SRV_AUTH);
    if (imap_switch_to(srv, name) != 0) {
        imap_tagged(srv, "NO", "NONEXISTENT", "imap.select.no_such", rfc,
                    imap_folders_on(srv) ? "No such mailbox" : "Only INBOX exists here");
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
    if (srv->rev2) {
        /* RFC 9051 6.3.2: the name as the server spells it */
        size_t s = imap_untagged_begin(srv);
        if (imap_put(&srv->io, &srv->io.out, "LIST () \".\" ") == 0 &&
            imap_put_name(srv, name) == 0)
            imap_untagged_end(srv, s, "imap.list", "RFC 9051 6.3.2", 0);
    }
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

void imap_cmd_status(imap_server *srv, imap_cursor *c)
{
    char name[IMAP_NAME_MAX + 1];
    if (imap_mailbox_name(c, name) < 0 || imap_sp(c) < 0 || imap_peek(c) != '(') {
        imap_bad(srv, "imap.status.syntax", "RFC 9051 6.3.11", "Syntax: STATUS mailbox (items)");
        return;
    }
    c->i++;
    mailbox mb;
    bool borrowed;
    if (imap_open_name(srv, name, &mb, &borrowed) != MAILBOX_OPEN_OK) {
        imap_tagged(srv, "NO", "NONEXISTENT", "imap.select.no_such", "RFC 9051 6.3.11",
                    imap_folders_on(srv) ? "No such mailbox" : "Only INBOX exists here");
        return;
    }
    const mailbox_ops *o = mb.ops;
    size_t n = o->count(mb.ctx), unseen = 0, deleted = 0;
    uint64_t size = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned f = o->flags(mb.ctx, i);
        unseen += !(f & MAILBOX_SEEN);
        deleted += (f & MAILBOX_DELETED) != 0;
        size += o->size(mb.ctx, i);
    }
    uint32_t uidnext = o->uidnext(mb.ctx), uidvalidity = o->uidvalidity(mb.ctx);
    imap_close_name(srv, &mb, borrowed);
    char line[512] = "";
    size_t w = 0;
    for (int k = 0; k < 8 && imap_peek(c) != ')'; k++) {
        const char *a;
        size_t al;
        if ((k && imap_sp(c) < 0) || imap_atom(c, false, &a, &al) < 0)
            break;
        uint64_t v;
        const char *item;
        if (retr_ieq(a, al, "MESSAGES")) item = "MESSAGES", v = n;
        else if (retr_ieq(a, al, "UIDNEXT")) item = "UIDNEXT", v = uidnext;
        else if (retr_ieq(a, al, "UIDVALIDITY")) item = "UIDVALIDITY", v = uidvalidity;
        else if (retr_ieq(a, al, "UNSEEN")) item = "UNSEEN", v = unseen;
        else if (retr_ieq(a, al, "RECENT")) item = "RECENT", v = 0;
        else if (retr_ieq(a, al, "DELETED")) item = "DELETED", v = deleted;
        else if (retr_ieq(a, al, "SIZE")) item = "SIZE", v = size;
        else {
            imap_bad(srv, "imap.status.syntax", "RFC 9051 6.3.11", "Unknown STATUS item");
            return;
        }
        w += (size_t)snprintf(line + w, sizeof line - w, "%s%s %llu", k ? " " : "", item,
                              (unsigned long long)v);
    }
    if (imap_peek(c) != ')' || (c->i++, !imap_end(c))) {
        imap_bad(srv, "imap.status.syntax", "RFC 9051 6.3.11", "Syntax: STATUS mailbox (items)");
        return;
    }
    size_t s = imap_untagged_begin(srv);
    retr_buf *out = &srv->io.out;
    if (imap_put(&srv->io, out, "STATUS ") == 0 && imap_put_name(srv, name) == 0 &&
        imap_put(&srv->io, out, " (") == 0 && imap_put(&srv->io, out, line) == 0 &&
        imap_put(&srv->io, out, ")") == 0)
        imap_untagged_end(srv, s, "imap.status", "RFC 9051 7.3.3", 0);
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
    imap_untagged(srv, "imap.namespace", "RFC 9051 7.3.2", "NAMESPACE ((\"\" \".\")) NIL NIL");
    imap_tagged(srv, "OK", NULL, "imap.namespace.ok", "RFC 9051 6.3.10", "NAMESPACE completed");
}

void imap_cmd_no_other_mailboxes(imap_server *srv, imap_cursor *c)
{
    (void)c;
    /* CREATE, DELETE, RENAME, APPEND, COPY, MOVE when the provider has no folders */
    imap_tagged(srv, "NO", "CANNOT", "imap.mailbox.cannot", "RFC 5530 3", "Only INBOX exists here");
}

