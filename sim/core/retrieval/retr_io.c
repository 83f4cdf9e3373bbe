/* retr_io.c - output buffer, event queue and line assembly shared by the retrieval engines. */
#include "core/retrieval/retr_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/base64.h"

#define EVQ_INIT 16

/* buf_reserve - room for n more bytes in b; -1 and io->oom when the heap says no */
static int buf_reserve(retr_io *io, retr_buf *b, size_t n)
{
    if (io->oom)
        return -1;
    if (n <= b->cap - b->len)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) {
            io->oom = true;
            return -1;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        io->oom = true;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

/* retr_buf_append - append n bytes */
int retr_buf_append(retr_io *io, retr_buf *b, const void *bytes, size_t n)
{
    if (buf_reserve(io, b, n) < 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, bytes, n);
    b->len += n;
    return 0;
}

/* retr_io_init - nothing allocated yet: buffers grow on first use */
void retr_io_init(retr_io *io, uint64_t now_ms)
{
    memset(io, 0, sizeof *io);
    io->now = now_ms;
    io->last_activity = now_ms;
}

/* retr_io_free - release every buffer */
void retr_io_free(retr_io *io)
{
    if (!io)
        return;
    free(io->out.p);
    free(io->arena.p);
    free(io->line.p);
    free(io->evq);
    memset(io, 0, sizeof *io);
}

/* retr_io_begin - time only moves forward; the arena is reused once the queue is drained */
void retr_io_begin(retr_io *io, uint64_t now_ms)
{
    if (now_ms > io->now)
        io->now = now_ms;
    if (io->ev_count == 0) {
        io->ev_head = 0;
        io->arena.len = 0;
    }
}

/* retr_io_tls_up - what all four engines do first when the handshake is done */
bool retr_io_tls_up(retr_io *io, uint64_t now_ms, bool live)
{
    retr_io_begin(io, now_ms);
    if (!live)
        return false;
    io->last_activity = io->now;
    io->tls = true;
    retr_io_line_reset(io);
    return true;
}

/* retr_io_deadline - every engine's inactivity timer */
uint64_t retr_io_deadline(const retr_io *io, uint64_t timeout_ms)
{
    if (io->last_activity > UINT64_MAX - timeout_ms)
        return UINT64_MAX;
    return io->last_activity + timeout_ms;
}

/* retr_io_send - queue output bytes */
const char *retr_io_send(retr_io *io, const void *bytes, size_t n)
{
    size_t at = io->out.len;
    if (retr_buf_append(io, &io->out, bytes, n) < 0)
        return NULL;
    return io->out.p + at;
}

/* retr_io_event - queue one event, copying its bytes into the arena */
retr_event *retr_io_event(retr_io *io, retr_event_kind kind, retr_dir dir, const char *bytes,
                          size_t len, const char *key, const char *rfc)
{
    if (io->oom)
        return NULL;
    if (io->ev_head + io->ev_count == io->ev_cap) {
        size_t cap = io->ev_cap ? io->ev_cap * 2 : EVQ_INIT;
        retr_ev_slot *q = realloc(io->evq, cap * sizeof *q);
        if (!q) {
            io->oom = true;
            return NULL;
        }
        io->evq = q;
        io->ev_cap = cap;
    }
    size_t off = io->arena.len;
    if (bytes && retr_buf_append(io, &io->arena, bytes, len) < 0)
        return NULL;
    retr_ev_slot *s = &io->evq[io->ev_head + io->ev_count++];
    memset(&s->ev, 0, sizeof s->ev);
    s->off = bytes ? off : (size_t)-1;
    s->ev.kind = kind;
    s->ev.dir = dir;
    s->ev.len = bytes ? len : 0;
    s->ev.rfc = rfc ? rfc : "";
    s->ev.key = key ? key : "";
    s->ev.time_ms = io->now;
    return &s->ev;
}

/* retr_io_command - one COMMAND event, credentials hidden when asked: all four engines show
 * commands this way, so what "hidden" looks like is decided here once */
retr_event *retr_io_command(retr_io *io, const char *line, size_t len, bool hide, const char *tag,
                            const char *verb, const char *key, const char *rfc)
{
    char shown[64]; /* the longest: a 23-octet IMAP tag and AUTHENTICATE, 59 octets */
    if (hide) {
        bool t = tag && *tag, v = verb && *verb;
        int n = snprintf(shown, sizeof shown, "%s%s%s%s<credentials hidden>\r\n", t ? tag : "",
                         t ? " " : "", v ? verb : "", v ? " " : "");
        line = shown;
        len = n < 0 ? 0 : (size_t)n < sizeof shown ? (size_t)n : sizeof shown - 1;
    }
    retr_event *ev = retr_io_event(io, RETR_EV_COMMAND, RETR_DIR_C2S, line, len, key, rfc);
    if (ev && verb)
        snprintf(ev->verb, sizeof ev->verb, "%s", verb);
    if (ev && tag)
        snprintf(ev->tag, sizeof ev->tag, "%s", tag);
    return ev;
}

/* retr_io_state - the STATE event of an engine's transition funnel */
void retr_io_state(retr_io *io, int from, int to, const char *key, const char *rfc)
{
    retr_event *ev = retr_io_event(io, RETR_EV_STATE, RETR_DIR_NONE, NULL, 0, key, rfc);
    if (ev) {
        ev->state_from = from;
        ev->state_to = to;
    }
}

/* retr_io_done - a client's session is over: DONE with its status word, then CLOSE */
void retr_io_done(retr_io *io, const char *key, const char *status, const char *close_key,
                  const char *rfc)
{
    retr_event *ev = retr_io_event(io, RETR_EV_DONE, RETR_DIR_NONE, NULL, 0, key, rfc);
    if (ev)
        snprintf(ev->status, sizeof ev->status, "%s", status);
    retr_io_event(io, RETR_EV_CLOSE, RETR_DIR_NONE, NULL, 0, close_key, rfc);
}

/* retr_io_output - the bytes not yet sent */
size_t retr_io_output(const retr_io *io, const char **buf)
{
    *buf = io->out.p ? io->out.p + io->out_start : "";
    return io->out.len - io->out_start;
}

/* retr_io_output_consumed - n bytes went out; compact when more than half the buffer is dead */
void retr_io_output_consumed(retr_io *io, size_t n)
{
    size_t pending = io->out.len - io->out_start;
    if (n > pending)
        n = pending;
    io->out_start += n;
    if (io->out_start == io->out.len) {
        io->out_start = io->out.len = 0;
    } else if (io->out_start > io->out.cap / 2) {
        memmove(io->out.p, io->out.p + io->out_start, io->out.len - io->out_start);
        io->out.len -= io->out_start;
        io->out_start = 0;
    }
}

/* retr_io_next_event - the oldest event; its bytes point into the arena */
int retr_io_next_event(retr_io *io, retr_event *ev)
{
    if (io->ev_count == 0)
        return 0;
    retr_ev_slot *s = &io->evq[io->ev_head++];
    io->ev_count--;
    *ev = s->ev;
    ev->bytes = s->off == (size_t)-1 ? NULL : io->arena.p + s->off;
    return 1;
}

/* retr_io_line_take - collect one line, storing at most keep bytes of it */
size_t retr_io_line_take(retr_io *io, const char *b, size_t n, size_t keep, bool *complete)
{
    const char *lf = memchr(b, '\n', n);
    size_t chunk = lf ? (size_t)(lf - b) + 1 : n;
    size_t room = io->line.len < keep ? keep - io->line.len : 0;
    size_t take = chunk < room ? chunk : room;
    if (take)
        retr_buf_append(io, &io->line, b, take);
    if (lf && io->line_total + chunk > io->line.len && io->line.len) {
        /* cut short: the stored part still ends in the LF the parsers look for */
        io->line.p[io->line.len - 1] = '\n';
    }
    io->line_total += chunk;
    *complete = lf != NULL;
    return chunk;
}

/* retr_io_line_reset - forget the line just handled */
void retr_io_line_reset(retr_io *io)
{
    io->line.len = 0;
    io->line_total = 0;
}

/* retr_ieq - case-insensitive compare of a counted string with a literal */
bool retr_ieq(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n; i++) {
        char a = s[i], c = lit[i];
        if (!c)
            return false;
        if (a >= 'a' && a <= 'z')
            a = (char)(a - 32);
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (a != c)
            return false;
    }
    return lit[i] == '\0';
}

/* retr_parse_u32 - strict decimal number, no overflow */
int retr_parse_u32(const char *s, size_t n, bool nonzero, uint32_t *out)
{
    if (n == 0 || n > 10)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX || (nonzero && v == 0))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* retr_dot_stuff - RFC 1939 3: byte-stuff the lines of a multi-line response. One pass; the
 * buffer is sized once for the worst case, twice the input plus a final CRLF (".\n" lines
 * grow to "..\r\n", bare LFs to CRLF; nothing grows more). */
int retr_dot_stuff(retr_io *io, retr_buf *b, const char *data, size_t len)
{
    if (len > (SIZE_MAX - 8) / 2 || buf_reserve(io, b, len * 2 + 4) < 0)
        return -1;
    char *w = b->p + b->len;
    bool bol = true;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (bol && c == '.')
            *w++ = '.';
        bol = false;
        if (c == '\n') {
            if (i == 0 || data[i - 1] != '\r')
                *w++ = '\r';
            bol = true;
        }
        *w++ = c;
    }
    if (!bol) {
        /* RFC 1939 3: the terminating ".\r\n" must be on a line of its own */
        if (len && data[len - 1] == '\r')
            *w++ = '\n';
        else {
            *w++ = '\r';
            *w++ = '\n';
        }
    }
    b->len = (size_t)(w - b->p);
    return 0;
}

/* retr_text_ok - printable ASCII only, so no CR or LF can end a line early */
bool retr_text_ok(const char *t)
{
    for (; *t; t++)
        if ((unsigned char)*t < 0x20 || (unsigned char)*t > 0x7e)
            return false;
    return true;
}

/* retr_plain_decode - RFC 4616 2; an authzid is accepted only when it names the user itself */
retr_plain_status retr_plain_decode(const char *b64, size_t len, char *user, char *pass)
{
    if (len == 1 && b64[0] == '*')
        return RETR_PLAIN_CANCEL;
    unsigned char m[3 * RETR_CRED_MAX + 8];
    long n = len == 1 && b64[0] == '=' ? 0 : base64_decode(b64, len, m, sizeof m);
    if (n < 0)
        return RETR_PLAIN_BASE64;
    const unsigned char *n1 = memchr(m, 0, (size_t)n);
    const unsigned char *n2 = n1 ? memchr(n1 + 1, 0, (size_t)n - (size_t)(n1 + 1 - m)) : NULL;
    retr_plain_status st = RETR_PLAIN_MALFORMED;
    if (n2) {
        size_t zl = (size_t)(n1 - m), ul = (size_t)(n2 - n1 - 1);
        size_t pl = (size_t)n - (size_t)(n2 + 1 - m);
        if (ul == 0 || ul > RETR_CRED_MAX || pl > RETR_CRED_MAX || memchr(n2 + 1, 0, pl)) {
            st = RETR_PLAIN_MALFORMED;
        } else if (zl && (zl != ul || memcmp(m, n1 + 1, ul) != 0)) {
            st = RETR_PLAIN_AUTHZ;
        } else {
            memcpy(user, n1 + 1, ul);
            user[ul] = '\0';
            memcpy(pass, n2 + 1, pl);
            pass[pl] = '\0';
            st = RETR_PLAIN_OK;
        }
    }
    memset(m, 0, sizeof m);
    return st;
}
