/* smtp_server_data.c - the server's DATA reader and the end of a message (RFC 5321 4.1.1.4).
 *
 * After 354 every byte is message content until CRLF.CRLF. The reader removes the dot of
 * dot-stuffed lines (4.5.2), measures the size (RFC 1870) and the longest line (4.5.3.1.6), and
 * notes any bare CR or LF (2.3.8) so that the message is refused at its end (SMTP smuggling).
 * At the end: the checks, then the on_accept hook, which may store the message before the 250
 * is queued, or answer pending while a disk flush completes (smtp_server_resume).
 */
#include <string.h>

#include "core/smtp/smtp_server_internal.h"

/* srv_data_start - a new message follows the 354 */
void srv_data_start(smtp_server *srv)
{
    memset(&srv->d, 0, sizeof srv->d);
    srv->d.line_start = true; /* the CRLF of "DATA" is the first CRLF of CRLF.CRLF */
    srv->data.len = 0;
}

/* data_append - message content. Storing stops a little past the size limit (the final
 * CRLF of the dot line is stored, then taken back); the verdict is made at the end. */
static void data_append(smtp_server *srv, const char *b, size_t n)
{
    data_scan_state *d = &srv->d;
    d->size += n;
    if (d->too_big)
        return;
    if (d->size > srv->cfg.limits.value[SMTP_LIMIT_MESSAGE_SIZE] + 2) {
        d->too_big = true;
        return;
    }
    srv_sbuf_append(srv, &srv->data, b, n);
}

/* has_cr - is there a CR in p[0..n)? (memchr is vectorised; measured faster than a
 * word-at-a-time loop for 70-octet lines) */
static bool has_cr(const char *p, size_t n)
{
    return n && memchr(p, '\r', n) != NULL;
}

/* line_end - a CRLF ended the current line. Returns true when it was the final "." line. */
static bool line_end(smtp_server *srv, size_t text_limit)
{
    data_scan_state *d = &srv->d;
    if (d->dot_line && d->line_len == 1)
        return true;
    /* RFC 5321 4.5.3.1.6: 1000 octets with CRLF, "not counting the leading dot duplicated
     * for transparency" */
    if (d->line_len - (d->dot_line ? 1 : 0) + 2 > text_limit)
        d->line_too_long = true;
    d->line_len = 0;
    d->line_start = true;
    d->dot_line = false;
    return false;
}

/* srv_data_scan - message bytes after 354 (RFC 5321 4.1.1.4, 4.5.2). Returns the bytes used; sets
 * *ended after the final CRLF.CRLF. Only CRLF ends a line: a bare CR or LF is content, and is
 * remembered so the message can be refused (RFC 5321 2.3.8; SMTP smuggling).
 * Cost: one memchr for LF and one has_cr pass per line. The content is the wire bytes minus
 * the first dot of dot-started lines, so it is copied in runs between such dots. */
size_t srv_data_scan(smtp_server *srv, const char *b, size_t n, bool *ended)
{
    data_scan_state *d = &srv->d;
    size_t text_limit = (size_t)srv->cfg.limits.value[SMTP_LIMIT_TEXT_LINE];
    size_t i = 0, run = 0;
    *ended = false;
    while (i < n) {
        if (d->cr_pending) {
            /* a CR ended the previous feed */
            d->cr_pending = false;
            if (b[i] == '\n') {
                i++;
                if (line_end(srv, text_limit))
                    goto end_of_data;
                continue;
            }
            d->bare_cr = true;
            d->line_len++;
        }
        if (d->line_start) {
            d->line_start = false;
            if (b[i] == '.') {
                /* transparency (4.5.2): drop the first dot of a line */
                data_append(srv, b + run, i - run);
                run = ++i;
                d->dot_line = true;
                d->line_len = 1;
                continue;
            }
        }
        const char *p = memchr(b + i, '\n', n - i);
        if (!p) {
            /* the line goes on in the next feed; a CR at the very end may be half a CRLF */
            size_t stop = b[n - 1] == '\r' ? n - 1 : n;
            if (has_cr(b + i, stop - i))
                d->bare_cr = true;
            d->line_len += stop - i;
            d->cr_pending = stop < n;
            i = n;
            break;
        }
        size_t lf = (size_t)(p - b);
        bool crlf = lf > i && b[lf - 1] == '\r';
        size_t stop = crlf ? lf - 1 : lf;
        if (has_cr(b + i, stop - i))
            d->bare_cr = true;
        d->line_len += stop - i;
        i = lf + 1;
        if (!crlf) {
            d->bare_lf = true; /* content, not a line end */
            d->line_len++;
            continue;
        }
        if (line_end(srv, text_limit))
            goto end_of_data;
    }
    data_append(srv, b + run, i - run);
    return i;
end_of_data:
    /* "." CRLF after CRLF. Its CRLF is not content; it may have been stored by an earlier
     * feed, so it is taken back here. */
    data_append(srv, b + run, i - run);
    if (!d->too_big)
        srv->data.len -= 2;
    d->size -= 2;
    *ended = true;
    return i;
}

/* end_message - after the verdict: report or refuse, then back to idle. */
static void end_message(smtp_server *srv, const smtp_verdict *v)
{
    if (v->code != 0) {
        srv_reply_verdict(srv, R_DATA_REJECTED, v);
    } else {
        smtp_event *ev = srv_ev_push(srv, SMTP_EV_MESSAGE, SMTP_DIR_NONE, NULL, 0,
                                     "data.message", "RFC 5321 4.1.1.4");
        if (ev)
            strcpy(ev->verb, "DATA");
        srv_reply(srv, R_DATA_OK);
    }
    /* The transaction stays readable (smtp_server_envelope) while the driver drains
     * SMTP_EV_MESSAGE; the next MAIL, RSET, HELO/EHLO or STARTTLS clears it. */
    srv->in_mail = false;
    srv_set_state(srv, srv_idle_state(srv));
}

/* srv_finish_message - CRLF.CRLF seen: decide (RFC 5321 4.1.1.4), then back to idle, unless
 * the on_accept hook answers pending (the session then stays in DATA, paused). */
int srv_finish_message(smtp_server *srv)
{
    data_scan_state *d = &srv->d;
    strcpy(srv->verb, "DATA");
    reply_id refuse = R_COUNT;
    if (d->bare_lf || d->bare_cr) {
        refuse = d->bare_lf ? R_DATA_BARE_LF : R_DATA_BARE_CR;
        srv_ev_error(srv, srv_reply_row(refuse)->key, "RFC 5321 2.3.8", NULL, 0);
    } else if (d->too_big || d->size > srv->cfg.limits.value[SMTP_LIMIT_MESSAGE_SIZE]) {
        refuse = R_DATA_TOO_BIG;
    } else if (d->line_too_long) {
        refuse = R_DATA_LINE_TOO_LONG;
    }
    if (refuse != R_COUNT) {
        srv_reply(srv, refuse);
        srv->in_mail = false;
        srv_set_state(srv, srv_idle_state(srv));
        return CHECK_FAIL;
    }
    smtp_verdict v = {0};
    srv_env_sync(srv);
    if (srv->cfg.policy.on_accept)
        srv->cfg.policy.on_accept(srv->cfg.policy.ctx, &srv->env, &v);
    if (v.code == SMTP_VERDICT_PENDING) {
        srv->paused = PAUSE_ACCEPT;
        return CHECK_PENDING;
    }
    end_message(srv, &v);
    return v.code != 0 ? CHECK_FAIL : CHECK_OK;
}

/* srv_resume_accept - the on_accept hook's late verdict */
void srv_resume_accept(smtp_server *srv, const smtp_verdict *v)
{
    strcpy(srv->verb, "DATA");
    end_message(srv, v);
}
