/* imap_fetch.c - the message-level IMAP commands: FETCH (RFC 9051 6.4.5), STORE (6.4.6) and
 * SEARCH (6.4.4), and their UID forms (6.4.9). EXPUNGE is in imap_copy.c.
 *
 * Message content is read from the mailbox only when an item needs it, and structure
 * (ENVELOPE, BODYSTRUCTURE, sections) is computed from the stored bytes each time: cheap for a
 * teaching mailbox, and it keeps the session state small enough to snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/imap/imap_mime.h"
#include "core/imap/imap_server_internal.h"

#define FIELDS_MAX 32

typedef enum {
    IT_FLAGS, IT_UID, IT_SIZE, IT_DATE, IT_ENVELOPE, IT_BODYSTRUCTURE, IT_BODY, IT_SECTION,
    IT_RFC822, IT_RFC822_HEADER, IT_RFC822_TEXT,
} item_kind;

typedef enum { SP_NONE, SP_HEADER, SP_TEXT, SP_MIME, SP_FIELDS, SP_FIELDS_NOT } spec_kind;

typedef struct {
    item_kind kind;
    bool peek;
    uint32_t path[IMAP_SECTION_DEPTH_MAX];
    size_t depth;
    spec_kind spec;
    const char *names[FIELDS_MAX];
    size_t lens[FIELDS_MAX];
    size_t n_names;
    const char *sec; /* the section text between the brackets, echoed in the response */
    size_t sec_len;
    bool partial;
    uint32_t start, count;
} fetch_item;

/* ---- FETCH ----------------------------------------------------------------------------------- */

/* field_names - " (" name *(SP name) ")" for HEADER.FIELDS; names are atoms or quoted */
static int field_names(imap_cursor *c, fetch_item *it)
{
    if (imap_sp(c) < 0 || imap_peek(c) != '(')
        return -1;
    c->i++;
    do {
        const char *s;
        size_t n;
        if (imap_peek(c) == '"') {
            const char *q = memchr(c->p + c->i + 1, '"', c->n - c->i - 1);
            if (!q)
                return -1;
            s = c->p + c->i + 1;
            n = (size_t)(q - s);
            c->i += n + 2;
        } else if (imap_atom(c, false, &s, &n) < 0) {
            return -1;
        }
        if (it->n_names == FIELDS_MAX)
            return -1;
        it->names[it->n_names] = s;
        it->lens[it->n_names++] = n;
    } while (imap_sp(c) == 0);
    if (imap_peek(c) != ')')
        return -1;
    c->i++;
    return 0;
}

/* section - "[" section "]" ["<" start "." count ">"] (RFC 9051 9: section, partial) */
static int section(imap_cursor *c, fetch_item *it)
{
    if (imap_peek(c) != '[')
        return -1;
    c->i++;
    it->sec = c->p + c->i;
    for (;;) {
        uint32_t n;
        char ch = imap_peek(c);
        if (ch >= '0' && ch <= '9') {
            if (imap_number(c, &n) < 0 || n == 0 || it->depth == IMAP_SECTION_DEPTH_MAX)
                return -1;
            it->path[it->depth++] = n;
            if (imap_peek(c) == '.') {
                c->i++;
                continue;
            }
            break;
        }
        if (imap_lit(c, "HEADER.FIELDS.NOT") == 0) {
            it->spec = SP_FIELDS_NOT;
            if (field_names(c, it) < 0)
                return -1;
        } else if (imap_lit(c, "HEADER.FIELDS") == 0) {
            it->spec = SP_FIELDS;
            if (field_names(c, it) < 0)
                return -1;
        } else if (imap_lit(c, "HEADER") == 0) {
            it->spec = SP_HEADER;
        } else if (imap_lit(c, "TEXT") == 0) {
            it->spec = SP_TEXT;
        } else if (it->depth && imap_lit(c, "MIME") == 0) {
            it->spec = SP_MIME;
        } else if (it->depth) {
            return -1; /* "1." followed by nothing we know */
        }
        break;
    }
    if (imap_peek(c) != ']')
        return -1;
    it->sec_len = (size_t)(c->p + c->i - it->sec);
    c->i++;
    if (imap_peek(c) == '<') {
        c->i++;
        if (imap_number(c, &it->start) < 0 || imap_peek(c) != '.')
            return -1;
        c->i++;
        if (imap_number(c, &it->count) < 0 || it->count == 0 || imap_peek(c) != '>')
            return -1;
        c->i++;
        it->partial = true;
    }
    return 0;
}

/* fetch_att - one fetch attribute (RFC 9051 9 fetch-att); macros expand to several */
static int fetch_att(imap_cursor *c, fetch_item *items, size_t *n)
{
    static const struct {
        const char *name;
        item_kind kind;
    } simple[] = {
        {"FLAGS", IT_FLAGS}, {"UID", IT_UID}, {"RFC822.SIZE", IT_SIZE},
        {"INTERNALDATE", IT_DATE}, {"ENVELOPE", IT_ENVELOPE},
        {"BODYSTRUCTURE", IT_BODYSTRUCTURE}, {"RFC822.HEADER", IT_RFC822_HEADER},
        {"RFC822.TEXT", IT_RFC822_TEXT}, {"RFC822", IT_RFC822},
    };
    static const item_kind fast[] = {IT_FLAGS, IT_DATE, IT_SIZE, IT_ENVELOPE, IT_BODY};
    size_t macro = 0;
    if (imap_lit(c, "ALL") == 0)
        macro = 4;
    else if (imap_lit(c, "FAST") == 0)
        macro = 3;
    else if (imap_lit(c, "FULL") == 0)
        macro = 5;
    if (macro) {
        for (size_t k = 0; k < macro; k++) {
            if (*n == IMAP_FETCH_ITEMS_MAX)
                return -1;
            memset(&items[*n], 0, sizeof items[0]);
            items[(*n)++].kind = fast[k];
        }
        return 0;
    }
    if (*n == IMAP_FETCH_ITEMS_MAX)
        return -1;
    fetch_item *it = &items[*n];
    memset(it, 0, sizeof *it);
    /* the name ends at '[' too (an ATOM-CHAR): BODY[...] and BODY.PEEK[...] go on with a
     * section */
    size_t save = c->i, j = c->i;
    while (j < c->n && c->p[j] != '[' && c->p[j] > 0x20 && c->p[j] < 0x7f &&
           !strchr("(){%*\"\\]", c->p[j]))
        j++;
    const char *a = c->p + c->i;
    size_t al = j - c->i;
    if (al == 0)
        return -1;
    c->i = j;
    if (retr_ieq(a, al, "BODY") || retr_ieq(a, al, "BODY.PEEK")) {
        it->peek = al == 9;
        if (imap_peek(c) == '[') {
            it->kind = IT_SECTION;
            if (section(c, it) < 0)
                return -1;
        } else if (!it->peek) {
            it->kind = IT_BODY;
        } else {
            return -1;
        }
        (*n)++;
        return 0;
    }
    for (size_t k = 0; k < sizeof simple / sizeof simple[0]; k++)
        if (retr_ieq(a, al, simple[k].name)) {
            it->kind = simple[k].kind;
            (*n)++;
            return 0;
        }
    c->i = save;
    return -1;
}

/* put_literal - "{n}\r\n" and the bytes: message content always goes as a literal */
static int put_literal(imap_server *srv, const char *b, size_t n)
{
    char head[32];
    int w = snprintf(head, sizeof head, "{%zu}\r\n", n);
    if (retr_buf_append(&srv->io, &srv->io.out, head, (size_t)w) < 0)
        return -1;
    return retr_buf_append(&srv->io, &srv->io.out, b, n);
}

/* put_section - BODY[section]<partial> of one message (RFC 9051 6.4.5) */
static int put_section(imap_server *srv, const fetch_item *it, const char *data, size_t len)
{
    retr_io *io = &srv->io;
    retr_buf *o = &io->out;
    int r = imap_put(io, o, "BODY[");
    r |= retr_buf_append(io, o, it->sec, it->sec_len);
    r |= imap_put(io, o, "]");
    if (it->partial) {
        r |= imap_put(io, o, "<");
        r |= imap_put_u32(io, o, it->start);
        r |= imap_put(io, o, ">");
    }
    r |= imap_put(io, o, " ");
    const char *ent;
    size_t elen;
    bool is_msg;
    if (r || imap_mime_section(data, len, it->path, it->depth, &ent, &elen, &is_msg) < 0)
        return r ? -1 : imap_put(io, o, "NIL");
    size_t ehl = imap_mime_header_len(ent, elen);
    /* the message the HEADER/TEXT specs apply to: the whole one, or an encapsulated one */
    const char *m = it->depth ? ent + ehl : ent;
    size_t ml = it->depth ? elen - ehl : elen;
    size_t mhl = imap_mime_header_len(m, ml);
    const char *b = NULL;
    size_t bl = 0;
    srv->scratch.len = 0;
    switch (it->spec) {
    case SP_NONE:
        b = it->depth ? ent + ehl : ent;
        bl = it->depth ? elen - ehl : elen;
        break;
    case SP_MIME:
        b = ent;
        bl = ehl;
        break;
    case SP_HEADER:
    case SP_TEXT:
    case SP_FIELDS:
    case SP_FIELDS_NOT:
        if (!is_msg)
            return imap_put(io, o, "\"\"");
        if (it->spec == SP_HEADER) {
            b = m;
            bl = mhl;
        } else if (it->spec == SP_TEXT) {
            b = m + mhl;
            bl = ml - mhl;
        } else {
            if (imap_mime_fields(io, &srv->scratch, m, mhl, it->names, it->lens, it->n_names,
                                 it->spec == SP_FIELDS_NOT) < 0)
                return -1;
            b = srv->scratch.p;
            bl = srv->scratch.len;
        }
        break;
    }
    if (it->partial) {
        size_t s = it->start < bl ? it->start : bl;
        size_t cnt = bl - s < it->count ? bl - s : it->count;
        b += s;
        bl = cnt;
    }
    return put_literal(srv, b ? b : "", bl);
}

/* fetch_one - "* k FETCH (...)" for the message at view index vi */
static void fetch_one(imap_server *srv, size_t vi, const fetch_item *items, size_t n, bool uid)
{
    imap_view_msg *v = &srv->view[vi];
    long mi = imap_locate(srv, v->uid);
    if (mi < 0)
        return; /* expunged elsewhere: reported at the next NOOP (RFC 9051 7.5.1) */
    const mailbox_ops *o = srv->mb.ops;
    void *ctx = srv->mb.ctx;
    bool need_data = false, sets_seen = false, has_flags = false, has_uid = false;
    for (size_t k = 0; k < n; k++) {
        item_kind kd = items[k].kind;
        need_data |= kd >= IT_ENVELOPE;
        sets_seen |= (kd == IT_SECTION && !items[k].peek) || kd == IT_RFC822 ||
                     kd == IT_RFC822_TEXT;
        has_flags |= kd == IT_FLAGS;
        has_uid |= kd == IT_UID;
    }
    const char *data = "";
    size_t len = 0;
    if (need_data && o->read(ctx, (size_t)mi, &data, &len) < 0)
        return;
    unsigned flags = o->flags(ctx, (size_t)mi);
    bool flags_changed = false;
    if (sets_seen && !srv->readonly && !(flags & MAILBOX_SEEN)) {
        /* RFC 9051 6.4.5: BODY[] (not BODY.PEEK[]) sets \Seen */
        if (o->set_flags(ctx, (size_t)mi, flags | MAILBOX_SEEN) == 0) {
            flags |= MAILBOX_SEEN;
            flags_changed = true;
        }
    }
    v->flags = flags;
    retr_io *io = &srv->io;
    retr_buf *out = &io->out;
    size_t start = imap_untagged_begin(srv);
    int r = imap_put_u32(io, out, vi + 1);
    r |= imap_put(io, out, " FETCH (");
    bool first = true;
    if (uid && !has_uid) { /* RFC 9051 6.4.9: UID FETCH always returns UID */
        r |= imap_put(io, out, "UID ");
        r |= imap_put_u32(io, out, v->uid);
        first = false;
    }
    char date[32];
    for (size_t k = 0; k < n && !r; k++) {
        const fetch_item *it = &items[k];
        r |= first ? 0 : imap_put(io, out, " ");
        first = false;
        switch (it->kind) {
        case IT_FLAGS: r |= imap_put_flags(srv, flags); break;
        case IT_UID:
            r |= imap_put(io, out, "UID ");
            r |= imap_put_u32(io, out, v->uid);
            break;
        case IT_SIZE:
            r |= imap_put(io, out, "RFC822.SIZE ");
            r |= imap_put_u32(io, out, o->size(ctx, (size_t)mi));
            break;
        case IT_DATE:
            imap_date(o->date(ctx, (size_t)mi), date);
            r |= imap_put(io, out, "INTERNALDATE \"");
            r |= imap_put(io, out, date);
            r |= imap_put(io, out, "\"");
            break;
        case IT_ENVELOPE:
            r |= imap_put(io, out, "ENVELOPE ");
            r |= imap_mime_envelope(io, out, data, len);
            break;
        case IT_BODYSTRUCTURE:
        case IT_BODY:
            r |= imap_put(io, out, it->kind == IT_BODY ? "BODY " : "BODYSTRUCTURE ");
            r |= imap_mime_bodystructure(io, out, data, len, it->kind == IT_BODYSTRUCTURE);
            break;
        case IT_SECTION: r |= put_section(srv, it, data, len); break;
        case IT_RFC822:
            r |= imap_put(io, out, "RFC822 ");
            r |= put_literal(srv, data, len);
            break;
        case IT_RFC822_HEADER:
            r |= imap_put(io, out, "RFC822.HEADER ");
            r |= put_literal(srv, data, imap_mime_header_len(data, len));
            break;
        case IT_RFC822_TEXT: {
            size_t hl = imap_mime_header_len(data, len);
            r |= imap_put(io, out, "RFC822.TEXT ");
            r |= put_literal(srv, data + hl, len - hl);
            break;
        }
        }
    }
    if (flags_changed && !has_flags) {
        /* RFC 9051 6.4.5: a \Seen set this way is reported in the same response */
        r |= imap_put(io, out, " ");
        r |= imap_put_flags(srv, flags);
    }
    r |= imap_put(io, out, ")");
    if (!r)
        imap_untagged_end(srv, start, "imap.fetch", "RFC 9051 7.5.2", (uint32_t)(vi + 1));
}

void imap_cmd_fetch(imap_server *srv, imap_cursor *c, bool uid)
{
    const char *rfc = uid ? "RFC 9051 6.4.9" : "RFC 9051 6.4.5";
    imap_seqset set;
    fetch_item items[IMAP_FETCH_ITEMS_MAX];
    size_t n = 0;
    uint32_t star = uid ? imap_max_uid(srv) : (uint32_t)srv->n_view;
    int r = imap_sp(c) < 0 || imap_seqset_parse(c, star, &set) < 0 || imap_sp(c) < 0 ? -1 : 0;
    if (!r && imap_peek(c) == '(') {
        c->i++;
        do
            r = fetch_att(c, items, &n);
        while (!r && imap_sp(c) == 0);
        if (!r && imap_peek(c) == ')')
            c->i++;
        else
            r = -1;
    } else if (!r) {
        r = fetch_att(c, items, &n);
    }
    if (r || !imap_end(c)) {
        imap_bad(srv, "imap.fetch.syntax", rfc, "Syntax: FETCH sequence-set items");
        return;
    }
    if (!uid && set.n && set.hi[set.n - 1] > srv->n_view && srv->n_view) {
        /* RFC 9051 6.4.5 leaves it open; like Dovecot we say so instead of ignoring it */
        bool any_bad = false;
        for (size_t k = 0; k < set.n; k++)
            any_bad |= set.hi[k] > srv->n_view;
        if (any_bad) {
            imap_bad(srv, "imap.fetch.no_such", rfc, "Invalid message sequence number");
            return;
        }
    }
    for (size_t vi = 0; vi < srv->n_view; vi++)
        if (imap_seqset_has(&set, uid ? srv->view[vi].uid : (uint32_t)(vi + 1)))
            fetch_one(srv, vi, items, n, uid);
    imap_tagged(srv, "OK", NULL, "imap.fetch.ok", rfc, uid ? "UID FETCH completed"
                                                           : "FETCH completed");
}

/* ---- STORE ----------------------------------------------------------------------------------- */

/* flag_bit - a system flag's bit; 0 for keywords and \Recent (accepted, not stored); -1 for
 * an unknown system flag */
static int flag_bit(const char *s, size_t n)
{
    static const char *const names[] = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted",
                                        "\\Draft"};
    for (int i = 0; i < 5; i++)
        if (retr_ieq(s, n, names[i]))
            return 1 << i;
    if (n && s[0] == '\\' && !retr_ieq(s, n, "\\Recent"))
        return -1;
    return 0;
}

/* imap_flag_list - "(" [flag *(SP flag)] ")" or flag *(SP flag) (RFC 9051 6.4.6) */
int imap_flag_list(imap_cursor *c, unsigned *flags)
{
    bool paren = imap_peek(c) == '(';
    if (paren)
        c->i++;
    *flags = 0;
    if (paren && imap_peek(c) == ')') {
        c->i++;
        return 0;
    }
    do {
        size_t s = c->i;
        if (imap_peek(c) == '\\')
            c->i++;
        const char *a;
        size_t al;
        if (imap_atom(c, false, &a, &al) < 0)
            return -1;
        int b = flag_bit(c->p + s, c->i - s);
        if (b < 0)
            return -1;
        *flags |= (unsigned)b;
    } while (imap_sp(c) == 0);
    if (paren) {
        if (imap_peek(c) != ')')
            return -1;
        c->i++;
    }
    return 0;
}

void imap_cmd_store(imap_server *srv, imap_cursor *c, bool uid)
{
    const char *rfc = uid ? "RFC 9051 6.4.9" : "RFC 9051 6.4.6";
    imap_seqset set;
    uint32_t star = uid ? imap_max_uid(srv) : (uint32_t)srv->n_view;
    int mode = 0; /* 0 replace, 1 add, -1 remove */
    bool silent = false;
    unsigned flags;
    int r = imap_sp(c) < 0 || imap_seqset_parse(c, star, &set) < 0 || imap_sp(c) < 0 ? -1 : 0;
    if (!r) {
        if (imap_peek(c) == '+' || imap_peek(c) == '-')
            mode = c->p[c->i++] == '+' ? 1 : -1;
        r = imap_lit(c, "FLAGS");
        if (!r && imap_lit(c, ".SILENT") == 0)
            silent = true;
        if (!r)
            r = imap_sp(c) < 0 || imap_flag_list(c, &flags) < 0 ? -1 : 0;
    }
    if (r || !imap_end(c)) {
        imap_bad(srv, "imap.store.syntax", rfc, "Syntax: STORE sequence-set [+-]FLAGS (flags)");
        return;
    }
    if (srv->readonly) {
        imap_tagged(srv, "NO", NULL, "imap.store.read_only", rfc, "Mailbox is read-only");
        return;
    }
    const mailbox_ops *o = srv->mb.ops;
    for (size_t vi = 0; vi < srv->n_view; vi++) {
        imap_view_msg *v = &srv->view[vi];
        if (!imap_seqset_has(&set, uid ? v->uid : (uint32_t)(vi + 1)))
            continue;
        long mi = imap_locate(srv, v->uid);
        if (mi < 0)
            continue;
        unsigned f = o->flags(srv->mb.ctx, (size_t)mi);
        f = mode > 0 ? f | flags : mode < 0 ? f & ~flags : flags;
        if (o->set_flags(srv->mb.ctx, (size_t)mi, f) < 0)
            continue;
        v->flags = f;
        if (silent)
            continue;
        size_t s = imap_untagged_begin(srv);
        int w = imap_put_u32(&srv->io, &srv->io.out, vi + 1);
        w |= imap_put(&srv->io, &srv->io.out, " FETCH (");
        w |= imap_put_flags(srv, f);
        if (uid) {
            w |= imap_put(&srv->io, &srv->io.out, " UID ");
            w |= imap_put_u32(&srv->io, &srv->io.out, v->uid);
        }
        w |= imap_put(&srv->io, &srv->io.out, ")");
        if (!w)
            imap_untagged_end(srv, s, "imap.store.fetch", "RFC 9051 6.4.6", (uint32_t)(vi + 1));
    }
    imap_tagged(srv, "OK", NULL, "imap.store.ok", rfc, uid ? "UID STORE completed"
                                                           : "STORE completed");
}

/* ---- SEARCH ------------------------------------------------------------------------------------
 */

typedef enum {
    K_ALL, K_NONE, K_FLAG_SET, K_FLAG_CLEAR, K_HEADER, K_BODY, K_TEXT, K_LARGER, K_SMALLER,
    K_UIDSET, K_SEQSET, K_BEFORE, K_ON, K_SINCE, K_NOT, K_OR, K_AND,
} key_kind;

typedef struct {
    key_kind kind;
    unsigned flag;
    char name[64];
    char str[256];
    size_t str_len;
    int64_t num;
    imap_seqset *set;
    int a, b;
} search_key;

typedef struct {
    search_key *k;
    size_t n;
    imap_seqset sets[4];
    size_t n_sets;
    uint32_t star_seq, star_uid;
} search_prog;

/* imap_date_days - "1-Feb-1994" (RFC 9051 9 date), quoted or not: days since 1970; a
 * quoted date-time ("17-Jul-1996 02:44:25 -0700") gives its day too */
int imap_date_days(imap_cursor *c, int64_t *days)
{
    static const char mons[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    char s[32];
    size_t n;
    if (imap_astring(c, s, sizeof s, &n) < 0)
        return -1;
    int d, y;
    char m[4];
    if (sscanf(s, "%2d-%3c-%4d", &d, m, &y) != 3 || d < 1 || d > 31 || y < 1970 || y > 9999)
        return -1;
    m[3] = '\0';
    for (int i = 0; i < 3; i++)
        if (m[i] >= 'A' && m[i] <= 'Z')
            m[i] = (char)(m[i] + 32);
    const char *f = strstr(mons, m);
    if (!f || (f - mons) % 3)
        return -1;
    int mo = (int)(f - mons) / 3 + 1;
    /* days from civil (the inverse of imap_date) */
    int64_t yy = mo <= 2 ? y - 1 : y;
    int64_t era = yy / 400, yoe = yy - era * 400;
    int64_t doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = era * 146097 + doe - 719468;
    return 0;
}

static int search_key_parse(imap_cursor *c, search_prog *p, int depth);

/* new_key - a node in the program, or -1 when full */
static int new_key(search_prog *p, key_kind k)
{
    if (p->n == IMAP_SEARCH_KEYS_MAX)
        return -1;
    memset(&p->k[p->n], 0, sizeof p->k[0]);
    p->k[p->n].kind = k;
    return (int)p->n++;
}

/* key_list - keys separated by spaces up to the end or ')': an AND chain */
static int key_list(imap_cursor *c, search_prog *p, int depth, bool paren)
{
    int first = search_key_parse(c, p, depth);
    if (first < 0)
        return -1;
    while (imap_sp(c) == 0) {
        int next = search_key_parse(c, p, depth);
        int and_ = next < 0 ? -1 : new_key(p, K_AND);
        if (and_ < 0)
            return -1;
        p->k[and_].a = first;
        p->k[and_].b = next;
        first = and_;
    }
    if (paren && imap_peek(c) != ')')
        return -1;
    return first;
}

static int search_key_parse(imap_cursor *c, search_prog *p, int depth)
{
    static const struct {
        const char *name;
        key_kind kind;
        unsigned flag;
    } words[] = {
        {"ALL", K_ALL, 0}, {"OLD", K_ALL, 0}, {"NEW", K_NONE, 0}, {"RECENT", K_NONE, 0},
        {"ANSWERED", K_FLAG_SET, MAILBOX_ANSWERED}, {"DELETED", K_FLAG_SET, MAILBOX_DELETED},
        {"DRAFT", K_FLAG_SET, MAILBOX_DRAFT}, {"FLAGGED", K_FLAG_SET, MAILBOX_FLAGGED},
        {"SEEN", K_FLAG_SET, MAILBOX_SEEN}, {"UNANSWERED", K_FLAG_CLEAR, MAILBOX_ANSWERED},
        {"UNDELETED", K_FLAG_CLEAR, MAILBOX_DELETED}, {"UNDRAFT", K_FLAG_CLEAR, MAILBOX_DRAFT},
        {"UNFLAGGED", K_FLAG_CLEAR, MAILBOX_FLAGGED}, {"UNSEEN", K_FLAG_CLEAR, MAILBOX_SEEN},
    };
    static const char *const headers[] = {"FROM", "TO", "CC", "BCC", "SUBJECT"};
    if (depth > 16)
        return -1;
    char ch = imap_peek(c);
    if (ch == '(') {
        c->i++;
        int k = key_list(c, p, depth + 1, true);
        if (k >= 0)
            c->i++;
        return k;
    }
    if ((ch >= '0' && ch <= '9') || ch == '*') {
        if (p->n_sets == 4)
            return -1;
        imap_seqset *set = &p->sets[p->n_sets];
        if (imap_seqset_parse(c, p->star_seq, set) < 0)
            return -1;
        int k = new_key(p, K_SEQSET);
        if (k >= 0) {
            p->k[k].set = set;
            p->n_sets++;
        }
        return k;
    }
    const char *a;
    size_t al;
    if (imap_atom(c, false, &a, &al) < 0)
        return -1;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (retr_ieq(a, al, words[i].name)) {
            int k = new_key(p, words[i].kind);
            if (k >= 0)
                p->k[k].flag = words[i].flag;
            return k;
        }
    int k;
    if (retr_ieq(a, al, "NOT")) {
        int x = imap_sp(c) < 0 ? -1 : search_key_parse(c, p, depth + 1);
        if (x < 0 || (k = new_key(p, K_NOT)) < 0)
            return -1;
        p->k[k].a = x;
        return k;
    }
    if (retr_ieq(a, al, "OR")) {
        int x = imap_sp(c) < 0 ? -1 : search_key_parse(c, p, depth + 1);
        int y = x < 0 || imap_sp(c) < 0 ? -1 : search_key_parse(c, p, depth + 1);
        if (y < 0 || (k = new_key(p, K_OR)) < 0)
            return -1;
        p->k[k].a = x;
        p->k[k].b = y;
        return k;
    }
    if (retr_ieq(a, al, "UID")) {
        if (p->n_sets == 4 || imap_sp(c) < 0 ||
            imap_seqset_parse(c, p->star_uid, &p->sets[p->n_sets]) < 0 ||
            (k = new_key(p, K_UIDSET)) < 0)
            return -1;
        p->k[k].set = &p->sets[p->n_sets++];
        return k;
    }
    if (retr_ieq(a, al, "LARGER") || retr_ieq(a, al, "SMALLER")) {
        uint32_t v;
        if (imap_sp(c) < 0 || imap_number(c, &v) < 0 ||
            (k = new_key(p, al == 6 ? K_LARGER : K_SMALLER)) < 0)
            return -1;
        p->k[k].num = v;
        return k;
    }
    static const struct {
        const char *name;
        key_kind kind;
    } dates[] = {{"BEFORE", K_BEFORE}, {"ON", K_ON}, {"SINCE", K_SINCE},
                 {"SENTBEFORE", K_BEFORE}, {"SENTON", K_ON}, {"SENTSINCE", K_SINCE}};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
        if (retr_ieq(a, al, dates[i].name)) {
            /* SENT* compare the internal date too: close enough for a teaching server */
            int64_t days;
            if (imap_sp(c) < 0 || imap_date_days(c, &days) < 0 ||
                (k = new_key(p, dates[i].kind)) < 0)
                return -1;
            p->k[k].num = days;
            return k;
        }
    if (retr_ieq(a, al, "KEYWORD") || retr_ieq(a, al, "UNKEYWORD")) {
        const char *kw;
        size_t kl;
        if (imap_sp(c) < 0 || imap_atom(c, false, &kw, &kl) < 0)
            return -1;
        return new_key(p, al == 7 ? K_NONE : K_ALL); /* no keywords are ever stored */
    }
    key_kind kind = K_HEADER;
    const char *hname = NULL;
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++)
        if (retr_ieq(a, al, headers[i]))
            hname = headers[i];
    if (!hname && retr_ieq(a, al, "BODY"))
        kind = K_BODY;
    else if (!hname && retr_ieq(a, al, "TEXT"))
        kind = K_TEXT;
    else if (!hname && !retr_ieq(a, al, "HEADER"))
        return -1;
    if ((k = new_key(p, kind)) < 0 || imap_sp(c) < 0)
        return -1;
    search_key *sk = &p->k[k];
    size_t nl;
    if (hname)
        strcpy(sk->name, hname);
    else if (kind == K_HEADER &&
             (imap_astring(c, sk->name, sizeof sk->name, &nl) < 0 || imap_sp(c) < 0))
        return -1;
    if (imap_astring(c, sk->str, sizeof sk->str, &sk->str_len) < 0)
        return -1;
    return k;
}

typedef struct {
    imap_server *srv;
    size_t vi;
    long mi;
    const char *data;
    size_t len;
    bool loaded;
} search_msg;

static bool eval(const search_prog *p, int k, search_msg *m)
{
    const search_key *sk = &p->k[k];
    const mailbox_ops *o = m->srv->mb.ops;
    void *ctx = m->srv->mb.ctx;
    if (sk->kind >= K_HEADER && sk->kind <= K_TEXT && !m->loaded) {
        m->loaded = true;
        if (o->read(ctx, (size_t)m->mi, &m->data, &m->len) < 0) {
            m->data = "";
            m->len = 0;
        }
    }
    switch (sk->kind) {
    case K_ALL: return true;
    case K_NONE: return false;
    case K_FLAG_SET: return (o->flags(ctx, (size_t)m->mi) & sk->flag) != 0;
    case K_FLAG_CLEAR: return (o->flags(ctx, (size_t)m->mi) & sk->flag) == 0;
    case K_HEADER: {
        char v[IMAP_HEADER_VALUE_MAX];
        size_t hl = imap_mime_header_len(m->data, m->len);
        if (!imap_mime_field(m->data, hl, sk->name, v, sizeof v))
            return false;
        return imap_mime_contains(v, strlen(v), sk->str, sk->str_len);
    }
    case K_BODY: {
        size_t hl = imap_mime_header_len(m->data, m->len);
        return imap_mime_contains(m->data + hl, m->len - hl, sk->str, sk->str_len);
    }
    case K_TEXT: return imap_mime_contains(m->data, m->len, sk->str, sk->str_len);
    case K_LARGER: return o->size(ctx, (size_t)m->mi) > (uint64_t)sk->num;
    case K_SMALLER: return o->size(ctx, (size_t)m->mi) < (uint64_t)sk->num;
    case K_UIDSET: return imap_seqset_has(sk->set, m->srv->view[m->vi].uid);
    case K_SEQSET: return imap_seqset_has(sk->set, (uint32_t)(m->vi + 1));
    case K_BEFORE: case K_ON: case K_SINCE: {
        int64_t t = o->date(ctx, (size_t)m->mi), day = (t < 0 ? t - 86399 : t) / 86400;
        return sk->kind == K_BEFORE ? day < sk->num : sk->kind == K_ON ? day == sk->num
                                                                       : day >= sk->num;
    }
    case K_NOT: return !eval(p, sk->a, m);
    case K_OR: return eval(p, sk->a, m) || eval(p, sk->b, m);
    case K_AND: return eval(p, sk->a, m) && eval(p, sk->b, m);
    }
    return false;
}

/* put_set - numbers as a compact sequence set ("1:3,7"), for ESEARCH (RFC 9051 7.3.4) */
static int put_set(imap_server *srv, const uint32_t *v, size_t n)
{
    int r = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && v[j + 1] == v[j] + 1)
            j++;
        r |= i ? imap_put(&srv->io, &srv->io.out, ",") : 0;
        r |= imap_put_u32(&srv->io, &srv->io.out, v[i]);
        if (j > i) {
            r |= imap_put(&srv->io, &srv->io.out, ":");
            r |= imap_put_u32(&srv->io, &srv->io.out, v[j]);
        }
        i = j + 1;
    }
    return r;
}

void imap_cmd_search(imap_server *srv, imap_cursor *c, bool uid)
{
    const char *rfc = uid ? "RFC 9051 6.4.9" : "RFC 9051 6.4.4";
    search_prog *p = calloc(1, sizeof *p);
    search_key *keys = calloc(IMAP_SEARCH_KEYS_MAX, sizeof *keys);
    uint32_t *hits = calloc(srv->n_view ? srv->n_view : 1, sizeof *hits);
    if (!p || !keys || !hits) {
        free(p);
        free(keys);
        free(hits);
        imap_tagged(srv, "NO", "SERVERBUG", "imap.search.no_memory", rfc, "Out of memory");
        return;
    }
    p->k = keys;
    p->star_seq = (uint32_t)srv->n_view;
    p->star_uid = imap_max_uid(srv);
    int root = imap_sp(c) < 0 ? -1 : 0;
    bool bad_charset = false;
    if (!root && imap_lit(c, "RETURN (") == 0) {
        /* RFC 9051 6.4.4: only the default, ALL, is supported here */
        if (imap_lit(c, "ALL") < 0 && imap_peek(c) != ')')
            root = -1;
        if (!root && (imap_peek(c) != ')' || (c->i++, imap_sp(c) < 0)))
            root = -1;
    }
    if (!root && imap_lit(c, "CHARSET ") == 0) {
        char cs[32];
        size_t cl;
        if (imap_astring(c, cs, sizeof cs, &cl) < 0 || imap_sp(c) < 0)
            root = -1;
        else
            bad_charset = !retr_ieq(cs, cl, "UTF-8") && !retr_ieq(cs, cl, "US-ASCII");
    }
    if (!root)
        root = key_list(c, p, 0, false);
    if (root < 0 || !imap_end(c)) {
        imap_bad(srv, "imap.search.syntax", rfc, "Syntax: SEARCH keys");
    } else if (bad_charset) {
        imap_tagged(srv, "NO", "BADCHARSET (UTF-8 US-ASCII)", "imap.search.charset", rfc,
                    "Unsupported charset");
    } else {
        size_t n = 0;
        for (size_t vi = 0; vi < srv->n_view; vi++) {
            search_msg m = {srv, vi, imap_locate(srv, srv->view[vi].uid), NULL, 0, false};
            if (m.mi >= 0 && eval(p, root, &m))
                hits[n++] = uid ? srv->view[vi].uid : (uint32_t)(vi + 1);
        }
        size_t s = imap_untagged_begin(srv);
        int r = 0;
        if (srv->rev2) {
            /* RFC 9051 7.3.4: ESEARCH (TAG "t") [UID] [ALL set] */
            r |= imap_put(&srv->io, &srv->io.out, "ESEARCH (TAG ");
            r |= imap_put_string(&srv->io, &srv->io.out, srv->tag, strlen(srv->tag));
            r |= imap_put(&srv->io, &srv->io.out, uid ? ") UID" : ")");
            if (n) {
                r |= imap_put(&srv->io, &srv->io.out, " ALL ");
                r |= put_set(srv, hits, n);
            }
        } else {
            r |= imap_put(&srv->io, &srv->io.out, "SEARCH");
            for (size_t i = 0; i < n; i++) {
                r |= imap_put(&srv->io, &srv->io.out, " ");
                r |= imap_put_u32(&srv->io, &srv->io.out, hits[i]);
            }
        }
        if (!r)
            imap_untagged_end(srv, s, "imap.search", "RFC 9051 7.3.4", 0);
        imap_tagged(srv, "OK", NULL, "imap.search.ok", rfc, uid ? "UID SEARCH completed"
                                                                : "SEARCH completed");
    }
    free(p);
    free(keys);
    free(hits);
}
