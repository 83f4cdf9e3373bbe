/* ui_panels.c - transcript, explanation and bytes inspector (see ui_panels.h). */
#define _GNU_SOURCE /* memmem */
#include "ui/ui_panels.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/base64.h"
#include "core/teach/explain.h"

#define CR_PICTURE "\xE2\x90\x8D" /* U+240D SYMBOL FOR CARRIAGE RETURN */
#define LF_PICTURE "\xE2\x90\x8A" /* U+240A SYMBOL FOR LINE FEED */

/* ---- helpers ---------------------------------------------------------------------------- */

static int row_height(ui_ctx *c)
{
    return ui_text_line_height(c->text, UI_FONT_MONO, c->fs_mono) + c->pad / 3;
}

static int header_height(ui_ctx *c)
{
    return ui_text_line_height(c->text, UI_FONT_SANS_BOLD, c->fs_body) + c->pad;
}

static void panel_frame(ui_ctx *c, SDL_Rect rc, const char *title, const char *note)
{
    const ui_theme *th = c->theme;
    ui_gfx_box(c->r, rc, c->radius, th->panel, th->panel_border, c->line > 1 ? c->line / 2 : 1);
    int hh = header_height(c);
    /* the title first, the note in what is left beside it (none when it would not fit) */
    int tw = 0, th_ = 0, nw = 0, nh = 0;
    ui_text_size(c->text, UI_FONT_SANS_BOLD, c->fs_body, title, &tw, &th_);
    int room = rc.w - 2 * c->pad;
    SDL_Rect tr = {rc.x + c->pad, rc.y + hh / 2 + 1 - th_ / 2, tw < room ? tw : room, th_};
    ui_gfx_widget_open(c, "panel title", tr);
    ui_text_draw_fit(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->title, title, tr.x,
                     rc.y + hh / 2 + 1, UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, tr.w);
    ui_gfx_widget_close(c);
    if (note)
        ui_text_size(c->text, UI_FONT_SANS, c->fs_small, note, &nw, &nh);
    if (note && tw + 2 * c->pad + nw <= room) {
        SDL_Rect nr = {rc.x + rc.w - c->pad - nw, rc.y + hh / 2 + 1 - nh / 2, nw, nh};
        ui_gfx_widget_open(c, "panel note", nr);
        ui_text_draw(c->text, UI_FONT_SANS, c->fs_small, th->text_dim, note, nr.x, nr.y,
                     UI_ALIGN_LEFT);
        ui_gfx_widget_close(c);
    }
}

static const char *role_of(const world *w, int id)
{
    if (id < 0 || (size_t)id >= world_node_count(w))
        return "?";
    return world_node_at(w, (size_t)id)->role;
}

static bool is_client_line(const world_step *st)
{
    return st->kind == WORLD_STEP_COMMAND || st->kind == WORLD_STEP_DATA;
}

/* ---- transcript ------------------------------------------------------------------------- */

/* The transcript is a list of rows: one per step up to the current one, except the expanded
 * reply, which takes one row per line of its bytes. The newest rows are shown unless the
 * student scrolled back. */

int ui_panels_reply_lines(const world_step *st)
{
    if (st->kind != WORLD_STEP_REPLY || !st->bytes)
        return 0;
    int n = 0;
    for (size_t i = 0; i < st->len; i++)
        if (st->bytes[i] == '\n' || (i + 1 == st->len))
            n++;
    return n > UI_PANELS_MAX_LINES ? UI_PANELS_MAX_LINES : n;
}

/* reply_line - line k of a reply's bytes, without CR LF, into out. */
static void reply_line(const world_step *st, int k, char *out, size_t cap)
{
    size_t i = 0;
    for (int line = 0; line < k && i < st->len; i++)
        if (st->bytes[i] == '\n')
            line++;
    size_t j = i;
    while (j < st->len && st->bytes[j] != '\n' && st->bytes[j] != '\r')
        j++;
    size_t n = j - i < cap - 1 ? j - i : cap - 1;
    memcpy(out, st->bytes + i, n);
    out[n] = 0;
}

/* expanded_lines - the rows the expanded step takes (1 when none is, or it has one line). */
static int expanded_lines(const ui_view *v, const ui_panels_state *ps)
{
    if (!ps || ps->expanded < 0 || (size_t)ps->expanded > v->step ||
        (size_t)ps->expanded >= world_step_count(v->w))
        return 1;
    const world_step *st = world_step_at(v->w, (size_t)ps->expanded);
    if (ui_flow_hidden(v, st))
        return 1; /* the eavesdropper sees one record, not the lines inside */
    int n = ui_panels_reply_lines(st);
    return n > 1 ? n : 1;
}

/* row_entry - the step and the line within it of transcript row `row`. */
static void row_entry(const ui_view *v, const ui_panels_state *ps, long row, size_t *step,
                      int *sub)
{
    int extra = expanded_lines(v, ps) - 1;
    long e = extra ? ps->expanded : -1;
    *sub = 0;
    if (e < 0 || row <= e) {
        *step = (size_t)row;
    } else if (row <= e + extra) {
        *step = (size_t)e;
        *sub = (int)(row - e);
    } else {
        *step = (size_t)(row - extra);
    }
}

/* row_of - the transcript row of a step's first line. */
static long row_of(const ui_view *v, const ui_panels_state *ps, size_t step)
{
    int extra = expanded_lines(v, ps) - 1;
    return extra && (long)step > ps->expanded ? (long)step + extra : (long)step;
}

typedef struct {
    int first, rows, y0, rh;
    long total;
} window_rows;

static window_rows transcript_rows(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                                   const ui_panels_state *ps)
{
    window_rows wr;
    wr.rh = row_height(c);
    wr.y0 = lay->transcript.y + header_height(c);
    wr.rows = (lay->transcript.h - header_height(c) - c->pad / 2) / wr.rh;
    if (wr.rows < 1)
        wr.rows = 1;
    wr.total = (long)v->step + expanded_lines(v, ps);
    long back = ps && ps->transcript_back > 0 ? ps->transcript_back : 0;
    long most = wr.total - wr.rows > 0 ? wr.total - wr.rows : 0;
    if (back > most)
        back = most;
    long first = wr.total - wr.rows - back;
    wr.first = first > 0 ? (int)first : 0;
    return wr;
}

ui_panels_scroll ui_panels_transcript_scroll(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                                             const ui_panels_state *ps)
{
    ui_panels_scroll sc = {0, 0, 0};
    if (!v->w || world_step_count(v->w) == 0)
        return sc;
    window_rows wr = transcript_rows(c, lay, v, ps);
    sc.rows = (int)wr.total;
    sc.top = wr.first;
    sc.shown = wr.total - wr.first < wr.rows ? (int)(wr.total - wr.first) : wr.rows;
    return sc;
}

int ui_panels_transcript_row(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                             const ui_panels_state *ps, size_t step, SDL_Rect *row)
{
    if (!v->w || step > v->step || step >= world_step_count(v->w))
        return -1;
    window_rows wr = transcript_rows(c, lay, v, ps);
    long r = row_of(v, ps, step);
    if (r < wr.first || r >= wr.first + wr.rows)
        return -1;
    *row = (SDL_Rect){lay->transcript.x + c->line, wr.y0 + (int)(r - wr.first) * wr.rh,
                      lay->transcript.w - 2 * c->line, wr.rh};
    return 0;
}

long ui_panels_transcript_hit(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                              const ui_panels_state *ps, int x, int y)
{
    if (!v->w || !ui_gfx_inside(lay->transcript, x, y) || world_step_count(v->w) == 0)
        return -1;
    window_rows wr = transcript_rows(c, lay, v, ps);
    if (y < wr.y0)
        return -1;
    long row = wr.first + (y - wr.y0) / wr.rh;
    if (row >= wr.total || (y - wr.y0) / wr.rh >= wr.rows)
        return -1;
    size_t step;
    int sub;
    row_entry(v, ps, row, &step, &sub);
    return step <= v->step ? (long)step : -1;
}

void ui_panels_transcript(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                          const ui_panels_state *ps)
{
    const ui_theme *th = c->theme;
    SDL_Rect rc = lay->transcript;
    window_rows wr = {0, 0, 0, 0, 0};
    bool any = v->w && world_step_count(v->w) > 0;
    if (any)
        wr = transcript_rows(c, lay, v, ps);
    char note[96];
    long below = any ? wr.total - wr.first - wr.rows : 0;
    if (below > 0) /* scrolled back: say how far, and that the newest lines are below */
        snprintf(note, sizeof note, "%ld newer lines below (wheel down)", below);
    else
        snprintf(note, sizeof note, "C: client   S: server   L: all lines");
    panel_frame(c, rc, "Transcript", note);
    if (!any)
        return;
    int idx_w = 0, tag_w = 0, hgt;
    ui_text_size(c->text, UI_FONT_MONO, c->fs_small, "#000", &idx_w, &hgt);
    ui_text_size(c->text, UI_FONT_SANS, c->fs_small, "Mailbox>Mailbox", &tag_w, &hgt);
    int mono_lh = ui_text_line_height(c->text, UI_FONT_MONO, c->fs_mono);
    int label_x = 0; /* where the first line's text started: continuation lines align there */
    for (int r = 0; r < wr.rows && wr.first + r < wr.total; r++) {
        size_t i;
        int sub;
        row_entry(v, ps, wr.first + r, &i, &sub);
        if (i > v->step)
            break;
        const world_step *st = world_step_at(v->w, i);
        int y = wr.y0 + r * wr.rh;
        int cy = y + wr.rh / 2;
        bool current = i == v->step;
        if (current) {
            SDL_Rect hl = {rc.x + c->line, y, rc.w - 2 * c->line, wr.rh};
            ui_gfx_fill(c->r, hl, th->highlight);
            SDL_Rect bar = {rc.x + c->line, y, (int)(4 * c->s) + 1, wr.rh};
            ui_gfx_fill(c->r, bar, th->node_active);
        }
        bool hidden = ui_flow_hidden(v, st);
        SDL_Color col = current ? th->highlight_text : th->server;
        ui_font font = current ? UI_FONT_MONO_BOLD : UI_FONT_MONO;
        char buf[192];
        if (sub > 0) { /* a further line of the expanded reply, under the first */
            int x = label_x ? label_x : rc.x + c->pad;
            reply_line(st, sub, buf, sizeof buf);
            ui_text_draw_fit(c->text, font, c->fs_mono, col, buf, x, cy,
                             UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, rc.x + rc.w - c->pad - x);
            continue;
        }
        int x = rc.x + c->pad;
        snprintf(buf, sizeof buf, "#%zu", i);
        ui_text_draw(c->text, UI_FONT_MONO, c->fs_small, th->text_dim, buf, x + idx_w, cy,
                     UI_ALIGN_RIGHT | UI_ALIGN_MIDDLE);
        x += idx_w + c->pad;
        snprintf(buf, sizeof buf, "%s>%s", role_of(v->w, st->from), role_of(v->w, st->to));
        if (st->from == st->to)
            snprintf(buf, sizeof buf, "%s", role_of(v->w, st->from));
        ui_text_draw_fit(c->text, UI_FONT_SANS, c->fs_small, th->text_dim, buf, x, cy,
                         UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, tag_w);
        x += tag_w + c->pad;
        int avail = rc.x + rc.w - c->pad - x;
        col = current ? th->highlight_text : th->text_dim;
        const char *who = "  ";
        if (is_client_line(st)) {
            who = "C:";
            col = current ? th->highlight_text : th->client;
        } else if (st->kind == WORLD_STEP_REPLY) {
            who = "S:";
            col = current ? th->highlight_text : th->server;
        }
        int ww = ui_text_draw(c->text, font, c->fs_mono, col, who, x, cy,
                              UI_ALIGN_LEFT | UI_ALIGN_MIDDLE);
        x += ww + c->pad / 2;
        avail -= ww + c->pad / 2;
        ui_reply_class k = st->kind == WORLD_STEP_REPLY && !hidden ? ui_theme_step_class(st)
                                                                    : UI_REPLY_NONE;
        if (k != UI_REPLY_NONE) {
            float sz = mono_lh * 0.7f;
            ui_gfx_reply_shape(c->r, k, x + sz / 2, (float)cy, sz, th->reply[k],
                               th->reply_text[k]);
            x += (int)sz + c->pad / 2;
            avail -= (int)sz + c->pad / 2;
        }
        bool open = (long)i == (ps ? ps->expanded : -1) && expanded_lines(v, ps) > 1;
        if (open) {
            reply_line(st, 0, buf, sizeof buf);
            label_x = x;
        } else {
            ui_flow_label(v, st, buf, sizeof buf);
        }
        ui_text_draw_fit(c->text, font, c->fs_mono, hidden ? th->text_dim : col, buf, x, cy,
                         UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, avail);
    }
}

/* ---- explanation ------------------------------------------------------------------------ */

void ui_panels_explain(ui_ctx *c, const ui_layout *lay, const ui_view *v, const char *about,
                       const char *narration)
{
    const ui_theme *th = c->theme;
    SDL_Rect rc = lay->explain;
    panel_frame(c, rc, "What is happening", "B: exact bytes");
    if (!v->w || world_step_count(v->w) == 0) {
        if (about && about[0]) /* live mode before the first session: how to start one */
            ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_body, th->text, about,
                              rc.x + c->pad, rc.y + header_height(c), rc.w - 2 * c->pad,
                              rc.h - header_height(c) - c->pad / 2);
        return;
    }
    const world_step *st = world_step_at(v->w, v->step);
    int x = rc.x + c->pad, y = rc.y + header_height(c), w = rc.w - 2 * c->pad;
    int bottom = rc.y + rc.h - c->pad / 2;
    char buf[512];
    /* who talks to whom */
    if (st->from == st->to)
        snprintf(buf, sizeof buf, "#%zu: %s at the %s", v->step,
                 world_step_kind_name(st->kind), role_of(v->w, st->from));
    else
        snprintf(buf, sizeof buf, "#%zu: %s, %s \xE2\x86\x92 %s", v->step,
                 world_step_kind_name(st->kind), role_of(v->w, st->from), role_of(v->w, st->to));
    y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->text_dim, buf, x, y, w, 0);
    /* the line itself */
    ui_flow_label(v, st, buf, sizeof buf);
    y += ui_text_draw_wrap(c->text, UI_FONT_MONO_BOLD, c->fs_mono, th->text, buf, x, y, w,
                           bottom - y);
    y += c->pad / 2;
    if (about && about[0] && y < bottom) {
        y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->text_dim, about, x, y, w,
                               bottom - y);
        y += c->pad / 2;
    }
    if (narration && narration[0] && y < bottom) {
        /* the lesson's own words at this step come first, marked as the teacher's voice */
        int bar = (int)(4 * c->s) + 1;
        int h = ui_text_draw_wrap(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->text, narration,
                                  x + bar + c->pad / 2, y, w - bar - c->pad / 2, bottom - y);
        ui_gfx_fill(c->r, (SDL_Rect){x, y, bar, h}, th->node_active);
        y += h + c->pad / 2;
    }
    if (ui_flow_hidden(v, st)) {
        y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_body, th->text,
                               "An eavesdropper on this link sees only an encrypted TLS record: "
                               "the command inside cannot be read without the session keys "
                               "(RFC 3207, RFC 8446). Press E to see the plain text again.",
                               x, y, w, bottom - y);
        return;
    }
    y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_body, th->text, explain_text(st->key), x,
                           y, w, bottom - y);
    y += c->pad / 2;
    ui_reply_class k = ui_theme_step_class(st);
    if (st->code && y < bottom) {
        int lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_body);
        int ix = x;
        if (k != UI_REPLY_NONE) {
            float sz = lh * 0.75f;
            ui_gfx_reply_shape(c->r, k, x + sz / 2, y + lh / 2.0f, sz, th->reply[k],
                               th->reply_text[k]);
            ix += (int)sz + c->pad / 2;
            snprintf(buf, sizeof buf, "%dxx %s. %s", st->code / 100, ui_theme_reply_label(k),
                     explain_reply_code(st->code));
        } else {
            snprintf(buf, sizeof buf, "%s", explain_reply_code(st->code));
        }
        y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_body, th->text, buf, ix, y,
                               w - (ix - x), bottom - y);
    }
    if (st->esc[0] && y < bottom) { /* an enhanced code (SMTP), or a POP3/IMAP status word */
        if (st->code)
            snprintf(buf, sizeof buf, "%s: %s", st->esc, explain_esc(st->esc));
        else
            snprintf(buf, sizeof buf, "Status %s: %s", st->esc,
                     k != UI_REPLY_NONE ? ui_theme_reply_label(k) : "information");
        y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_body, th->text, buf, x, y, w,
                               bottom - y);
    }
    if (st->tls && y < bottom) {
        int lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_small);
        ui_gfx_padlock(c->r, x + lh / 2.0f, y + lh / 2.0f, (float)lh * 0.9f, th->link_tls,
                       th->panel);
        y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->link_tls,
                               "Sent inside TLS (press E for the eavesdropper's view)",
                               x + lh + c->pad / 2, y, w - lh - c->pad / 2, bottom - y);
    }
    const char *rfc = st->rfc && st->rfc[0] ? st->rfc : NULL;
    if (!rfc && explain_rfc(st->key)[0])
        rfc = explain_rfc(st->key);
    if (rfc && y < bottom) {
        snprintf(buf, sizeof buf, "Defined in %s", rfc);
        y += ui_text_draw_wrap(c->text, UI_FONT_SANS_BOLD, c->fs_small, th->text_dim, buf, x, y,
                               w, bottom - y);
    }
    /* the longer story when there is one: a DNS answer, the message as delivered, ... */
    if (st->detail && st->detail[0] && y + c->pad < bottom) {
        /* CR LF to a line break, tabs (folded headers) to spaces */
        char detail[1600];
        size_t dn = 0;
        for (const char *p = st->detail; *p && dn + 5 < sizeof detail; p++) {
            if (*p == '\r')
                continue;
            if (*p == '\t') {
                memcpy(detail + dn, "    ", 4);
                dn += 4;
            } else {
                detail[dn++] = *p;
            }
        }
        detail[dn] = 0;
        y += c->pad / 2;
        ui_gfx_fill(c->r, (SDL_Rect){x, y, w, 1}, th->panel_border);
        y += c->pad / 2;
        ui_text_draw_wrap(c->text, UI_FONT_MONO, c->fs_small, th->text, detail, x, y, w,
                          bottom - y);
    }
}

/* ---- bytes inspector -------------------------------------------------------------------- */

size_t ui_panels_escape(const char *bytes, size_t len, char *out, size_t cap, int pictures)
{
    size_t n = 0;
    if (!cap)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)bytes[i];
        char tmp[8];
        const char *piece = tmp;
        if (ch == '\r')
            piece = pictures ? CR_PICTURE : "\\r";
        else if (ch == '\n')
            piece = pictures ? LF_PICTURE "\n" : "\\n\n";
        else if (ch < 0x20 || ch == 0x7f)
            snprintf(tmp, sizeof tmp, "\\x%02X", ch);
        else {
            tmp[0] = (char)ch;
            tmp[1] = 0;
        }
        size_t pl = strlen(piece);
        if (n + pl + 1 > cap)
            break;
        memcpy(out + n, piece, pl);
        n += pl;
    }
    out[n] = 0;
    return n;
}

size_t ui_panels_fake_record(const char *bytes, size_t len, unsigned char *out, size_t cap)
{
    /* record = type 23 (application data), version 0x0303, length; content = the bytes,
     * the inner content type and a 16-byte AEAD tag (RFC 8446 5.2) */
    size_t body = len + 1 + 16;
    size_t total = 5 + body;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)bytes[i]) * 16777619u;
    uint32_t x = h ? h : 0x9E3779B9u;
    for (size_t i = 0; i < total && i < cap; i++) {
        if (i == 0)
            out[i] = 23;
        else if (i == 1 || i == 2)
            out[i] = 3;
        else if (i == 3)
            out[i] = (unsigned char)(body >> 8);
        else if (i == 4)
            out[i] = (unsigned char)body;
        else {
            x ^= x << 13; /* xorshift32: deterministic noise */
            x ^= x >> 17;
            x ^= x << 5;
            out[i] = (unsigned char)(x >> 24);
        }
    }
    return total;
}

/* copy_decoded - base64 text to readable plain text, NUL bytes as "\0". */
static int copy_decoded(const char *b64, size_t n, char *plain, size_t cap)
{
    unsigned char raw[512];
    long got = base64_decode(b64, n, raw, sizeof raw);
    if (got < 0)
        return -1;
    size_t k = 0;
    for (long i = 0; i < got && k + 5 < cap; i++) {
        if (raw[i] == 0) {
            plain[k++] = '\\';
            plain[k++] = '0';
        } else if (raw[i] < 0x20) {
            k += (size_t)snprintf(plain + k, cap - k, "\\x%02X", raw[i]);
        } else {
            plain[k++] = (char)raw[i];
        }
    }
    plain[k] = 0;
    return 0;
}

/* trim_line - the line without CR LF and surrounding spaces, as (start, length). */
static size_t trim_line(const char *s, size_t len, const char **start)
{
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
    while (len && *s == ' ') {
        s++;
        len--;
    }
    *start = s;
    return len;
}

int ui_panels_auth_decode(const world *w, size_t step, char *b64, size_t b64cap, char *plain,
                          size_t plaincap)
{
    if (!w || step >= world_step_count(w))
        return -1;
    const world_step *st = world_step_at(w, step);
    const char *line = st->bytes ? st->bytes : st->text;
    size_t len = st->bytes ? st->len : (st->text ? strlen(st->text) : 0);
    if (!line)
        return -1;
    const char *s;
    len = trim_line(line, len, &s);
    const char *part = NULL;
    size_t plen = 0;
    if (st->kind == WORLD_STEP_COMMAND && !strcmp(st->verb, "AUTH")) {
        /* AUTH PLAIN <initial response> (RFC 4954 4) */
        const char *sp = memchr(s, ' ', len);
        const char *sp2 = sp ? memchr(sp + 1, ' ', len - (size_t)(sp + 1 - s)) : NULL;
        if (sp2) {
            part = sp2 + 1;
            plen = len - (size_t)(part - s);
        }
    } else if (st->kind == WORLD_STEP_REPLY && st->code == 334 && len > 4) {
        part = s + 4; /* the server's challenge is base64 too */
        plen = len - 4;
    } else if (st->kind == WORLD_STEP_COMMAND && step > 0) {
        const world_step *prev = world_step_at(w, step - 1);
        if (prev->kind == WORLD_STEP_REPLY && prev->code == 334) {
            part = s;
            plen = len;
        }
    }
    if (!part || !plen || plen + 1 > b64cap || (plen == 1 && *part == '='))
        return -1;
    memcpy(b64, part, plen);
    b64[plen] = 0;
    return copy_decoded(part, plen, plain, plaincap);
}

static void close_button(ui_ctx *c, const ui_layout *lay, SDL_Rect *close)
{
    int hh = header_height(c);
    int sz = hh - c->pad / 2;
    *close = (SDL_Rect){lay->explain.x + lay->explain.w - sz - c->pad / 2,
                        lay->explain.y + (hh - sz) / 2 + 1, sz, sz};
}

/* ---- the inspector's rows -----------------------------------------------------------------
 * Under a few fixed notes (the TLS record, what base64 decodes to) the inspector scrolls a list
 * of monospace rows: the bytes as text, each line cut into rows that fit the panel, an empty
 * row, then the hex dump. Rows are computed, not stored, so a 64 KiB message costs one escape
 * per draw and an array of row starts. */

typedef struct {
    const unsigned char *data;
    size_t n;
    char *text;      /* the bytes escaped (CR LF as pictures); NULL in the eavesdropper view */
    size_t *start;   /* where each text row starts in text */
    size_t *len;     /* and how many bytes it takes */
    int text_rows;
    int per;         /* bytes per hex row */
    int hex_rows;
    int lh_text, lh_hex;
    unsigned char rec[UI_PANELS_MAX_SHOWN_BYTES + 64]; /* the eavesdropper's record */
} bytes_doc;

/* doc_rows - all the scrolling rows. */
static int doc_rows(const bytes_doc *d)
{
    return d->text_rows + (d->text_rows ? 1 : 0) + d->hex_rows;
}

/* split_rows - cut the escaped text into rows of at most cols characters, at its line breaks
 * and wherever a line is longer than the panel. */
static void split_rows(bytes_doc *d, int cols)
{
    size_t tn = strlen(d->text), cap = 64;
    d->start = malloc(cap * sizeof *d->start);
    d->len = malloc(cap * sizeof *d->len);
    if (!d->start || !d->len)
        return;
    size_t i = 0;
    while (i < tn) {
        size_t j = i;
        int chars = 0;
        while (j < tn && d->text[j] != '\n' && chars < cols) {
            j++;
            while (j < tn && ((unsigned char)d->text[j] & 0xC0) == 0x80)
                j++; /* a whole UTF-8 character (the CR and LF pictures) */
            chars++;
        }
        if ((size_t)d->text_rows == cap) {
            cap *= 2;
            size_t *s2 = realloc(d->start, cap * sizeof *s2);
            if (s2)
                d->start = s2;
            size_t *l2 = s2 ? realloc(d->len, cap * sizeof *l2) : NULL;
            if (!l2)
                return;
            d->len = l2;
        }
        d->start[d->text_rows] = i;
        d->len[d->text_rows] = j - i;
        d->text_rows++;
        i = j < tn && d->text[j] == '\n' ? j + 1 : j;
    }
}

/* doc_build - the rows of a step's bytes for a panel w pixels wide. */
static void doc_build(ui_ctx *c, const ui_view *v, const world_step *st, int w, bytes_doc *d)
{
    memset(d, 0, offsetof(bytes_doc, rec));
    d->lh_text = ui_text_line_height(c->text, UI_FONT_MONO_BOLD, c->fs_mono);
    d->lh_hex = ui_text_line_height(c->text, UI_FONT_MONO, c->fs_small);
    if (!st->bytes)
        return;
    d->data = (const unsigned char *)st->bytes;
    d->n = st->len > UI_PANELS_MAX_SHOWN_BYTES ? UI_PANELS_MAX_SHOWN_BYTES : st->len;
    int cw, ch;
    if (ui_flow_hidden(v, st)) {
        d->n = ui_panels_fake_record(st->bytes, st->len, d->rec, sizeof d->rec);
        d->n = d->n > sizeof d->rec ? sizeof d->rec : d->n;
        d->data = d->rec;
    } else {
        int pictures = ui_text_has_glyph(c->text, UI_FONT_MONO, 0x240D) &&
                       ui_text_has_glyph(c->text, UI_FONT_MONO, 0x240A);
        size_t cap = d->n * 4 + 8; /* "\xNN" is the longest escape of one byte */
        d->text = malloc(cap);
        if (d->text) {
            ui_panels_escape((const char *)d->data, d->n, d->text, cap, pictures);
            ui_text_size(c->text, UI_FONT_MONO_BOLD, c->fs_mono, "0", &cw, &ch);
            split_rows(d, cw > 0 && w / cw > 8 ? w / cw : 8);
        }
    }
    ui_text_size(c->text, UI_FONT_MONO, c->fs_small, "0", &cw, &ch);
    /* 6 + 3 per byte + 1 + 1 per byte characters per row */
    d->per = 16;
    while (d->per > 4 && (6 + 4 * d->per + 1) * cw > w)
        d->per /= 2;
    d->hex_rows = (int)((d->n + (size_t)d->per - 1) / (size_t)d->per);
}

static void doc_free(bytes_doc *d)
{
    free(d->text);
    free(d->start);
    free(d->len);
}

/* doc_row_height - the height of scrolling row r. */
static int doc_row_height(const bytes_doc *d, int r)
{
    return r < d->text_rows ? d->lh_text : d->lh_hex;
}

/* doc_draw_row - scrolling row r at y. */
static void doc_draw_row(ui_ctx *c, const bytes_doc *d, int r, int x, int y)
{
    const ui_theme *th = c->theme;
    char row[200];
    if (r < d->text_rows) {
        size_t n = d->len[r] < sizeof row - 1 ? d->len[r] : sizeof row - 1;
        memcpy(row, d->text + d->start[r], n);
        row[n] = 0;
        ui_text_draw(c->text, UI_FONT_MONO_BOLD, c->fs_mono, th->text, row, x, y, UI_ALIGN_LEFT);
        return;
    }
    r -= d->text_rows + (d->text_rows ? 1 : 0);
    if (r < 0)
        return; /* the empty row between the text and the hex dump */
    size_t off = (size_t)r * (size_t)d->per;
    int k = snprintf(row, sizeof row, "%04zx  ", off);
    for (int i = 0; i < d->per; i++)
        k += off + (size_t)i < d->n ? snprintf(row + k, sizeof row - (size_t)k, "%02x ",
                                               d->data[off + (size_t)i])
                                    : snprintf(row + k, sizeof row - (size_t)k, "   ");
    k += snprintf(row + k, sizeof row - (size_t)k, " ");
    for (int i = 0; i < d->per && off + (size_t)i < d->n; i++) {
        unsigned char b = d->data[off + (size_t)i];
        row[k++] = b >= 0x20 && b < 0x7f ? (char)b : '.';
    }
    row[k] = 0;
    ui_text_draw(c->text, UI_FONT_MONO, c->fs_small, th->text, row, x, y, UI_ALIGN_LEFT);
}

/* paragraph - a wrapped paragraph drawn at y, or only measured; its height either way. */
static int paragraph(ui_ctx *c, bool draw, ui_font f, int px, SDL_Color col, const char *s,
                     int x, int y, int w)
{
    if (draw)
        return ui_text_draw_wrap(c->text, f, px, col, s, x, y, w, 0);
    int tw = 0, h = 0;
    ui_text_get(c->text, f, px, col, s, w, 0, &tw, &h);
    return h;
}

/* notes - the fixed part above the rows: what a TLS record is, or what base64 decodes to.
 * Drawn when draw is true; returns the height either way. */
static int notes(ui_ctx *c, bool draw, const ui_view *v, const world_step *st, int x, int y,
                 int w)
{
    const ui_theme *th = c->theme;
    int y0 = y;
    if (ui_flow_hidden(v, st)) {
        y += paragraph(c, draw, UI_FONT_SANS_BOLD, c->fs_body, th->text,
                       "TLS record (encrypted)", x, y, w);
        y += paragraph(c, draw, UI_FONT_SANS, c->fs_small, th->text_dim,
                       "Type 23 (application data), version 3.3, then ciphertext and an "
                       "authentication tag: without the session keys nobody on the path can "
                       "read the command or the password.",
                       x, y, w);
        return y - y0 + c->pad / 2;
    }
    char b64[256], plain[256];
    bool masked = (!strcmp(st->verb, "AUTH") || st->code == 334 ||
                   (v->step > 0 && world_step_at(v->w, v->step - 1)->code == 334)) &&
                  memmem(st->bytes, st->len, "********", 8);
    if (masked) {
        y += paragraph(c, draw, UI_FONT_SANS, c->fs_small, th->text,
                       "This scenario masks the credentials (********). On a real wire they "
                       "are only base64, an encoding and not encryption: anyone who sees these "
                       "bytes can decode the password. With \"show_secrets\": true on the client "
                       "node, this panel decodes them.",
                       x, y, w);
    } else if (ui_panels_auth_decode(v->w, v->step, b64, sizeof b64, plain, sizeof plain) == 0) {
        char note[700];
        snprintf(note, sizeof note, "base64 \"%s\" decodes to: %s", b64, plain);
        y += paragraph(c, draw, UI_FONT_MONO_BOLD, c->fs_small, th->reply[3], note, x, y, w);
        y += paragraph(c, draw, UI_FONT_SANS, c->fs_small, th->text,
                       "Base64 is an encoding, not encryption: anyone who sees these bytes can "
                       "decode them. That is why AUTH belongs inside TLS.",
                       x, y, w);
    }
    return y > y0 ? y - y0 + c->pad / 2 : 0;
}

/* bytes_geometry - the inspector's text area and how its rows fit: the scroll clamped, how many
 * rows are shown from it, and the height left for the "more lines" footer. */
typedef struct {
    int x, y, w, bottom;
    ui_panels_scroll sc;
} bytes_geom;

static bytes_geom bytes_place(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                              const world_step *st, const ui_panels_state *ps,
                              const bytes_doc *d)
{
    bytes_geom g;
    SDL_Rect rc = lay->explain;
    g.x = rc.x + c->pad;
    g.w = rc.w - 2 * c->pad;
    g.y = rc.y + header_height(c);
    g.bottom = rc.y + rc.h - c->pad / 2;
    if (st->bytes)
        g.y += notes(c, false, v, st, g.x, g.y, g.w);
    int total = doc_rows(d);
    int footer = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_small);
    /* how many rows fit from row `top`, keeping room for the footer unless all fit */
    int top = ps && ps->bytes_top > 0 ? ps->bytes_top : 0;
    int fit_all = 0, hsum = 0;
    for (int r = total - 1; r >= 0; r--) { /* the last page: the largest useful top */
        hsum += doc_row_height(d, r);
        if (hsum > g.bottom - g.y - footer)
            break;
        fit_all = total - r;
    }
    int max_top = total - fit_all > 0 ? total - fit_all : 0;
    if (top > max_top)
        top = max_top;
    int shown = 0, y = g.y;
    for (int r = top; r < total; r++) {
        int h = doc_row_height(d, r);
        bool last = r + 1 == total;
        if (y + h > g.bottom - (last ? 0 : footer))
            break;
        y += h;
        shown++;
    }
    g.sc = (ui_panels_scroll){total, top, shown};
    return g;
}

static const world_step *bytes_step(const ui_view *v)
{
    return v->w && world_step_count(v->w) > 0 ? world_step_at(v->w, v->step) : NULL;
}

ui_panels_scroll ui_panels_bytes_scroll(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                                        const ui_panels_state *ps)
{
    const world_step *st = bytes_step(v);
    if (!st)
        return (ui_panels_scroll){0, 0, 0};
    static bytes_doc d; /* large (the record buffer): not on the stack */
    doc_build(c, v, st, lay->explain.w - 2 * c->pad, &d);
    bytes_geom g = bytes_place(c, lay, v, st, ps, &d);
    doc_free(&d);
    return g.sc;
}

void ui_panels_bytes(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                     const ui_panels_state *ps, SDL_Rect *close)
{
    const ui_theme *th = c->theme;
    SDL_Rect rc = lay->explain;
    close_button(c, lay, close);
    const world_step *st = bytes_step(v);
    if (!st) {
        panel_frame(c, rc, "Bytes on the wire", NULL);
        return;
    }
    static bytes_doc d;
    doc_build(c, v, st, rc.w - 2 * c->pad, &d);
    char title[96];
    if (ui_flow_hidden(v, st))
        snprintf(title, sizeof title, "Eavesdropper's view, step #%zu (%zu bytes)", v->step, d.n);
    else
        snprintf(title, sizeof title, "Bytes on the wire, step #%zu (%zu bytes)", v->step,
                 st->bytes ? st->len : 0);
    panel_frame(c, rc, title, NULL);
    ui_gfx_box(c->r, *close, c->radius / 2, th->button, th->panel_border, 1);
    ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->button_text, "\xC3\x97",
                 close->x + close->w / 2, close->y + close->h / 2,
                 UI_ALIGN_CENTER | UI_ALIGN_MIDDLE);
    bytes_geom g = bytes_place(c, lay, v, st, ps, &d);
    int x = rc.x + c->pad, y = rc.y + header_height(c);
    if (!st->bytes) {
        ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_body, th->text_dim,
                          "Nothing crosses the wire in this step: it happens inside a node.", x,
                          y, g.w, g.bottom - y);
        doc_free(&d);
        return;
    }
    notes(c, true, v, st, x, y, g.w);
    y = g.y;
    for (int r = g.sc.top; r < g.sc.top + g.sc.shown; r++) {
        doc_draw_row(c, &d, r, x, y);
        y += doc_row_height(&d, r);
    }
    int below = g.sc.rows - g.sc.top - g.sc.shown;
    if (below > 0 || g.sc.top > 0) {
        char more[160];
        if (below > 0)
            snprintf(more, sizeof more, "%d more line%s: wheel or Shift+Down%s", below,
                     below == 1 ? "" : "s", g.sc.top ? " (more above)" : "");
        else
            snprintf(more, sizeof more, "%d line%s above: wheel up or Shift+Up", g.sc.top,
                     g.sc.top == 1 ? "" : "s");
        ui_text_draw_fit(c->text, UI_FONT_SANS_BOLD, c->fs_small, th->node_active, more, x,
                         g.bottom, UI_ALIGN_LEFT | UI_ALIGN_BOTTOM, g.w);
    }
    doc_free(&d);
}
