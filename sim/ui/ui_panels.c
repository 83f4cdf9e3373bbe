/* ui_panels.c - transcript, explanation and bytes inspector (see ui_panels.h). */
#define _GNU_SOURCE /* memmem */
#include "ui/ui_panels.h"

#include <stdio.h>
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

typedef struct {
    int first, rows, y0, rh;
} window_rows;

static window_rows transcript_rows(ui_ctx *c, const ui_layout *lay, const ui_view *v)
{
    window_rows wr;
    wr.rh = row_height(c);
    wr.y0 = lay->transcript.y + header_height(c);
    wr.rows = (lay->transcript.h - header_height(c) - c->pad / 2) / wr.rh;
    if (wr.rows < 1)
        wr.rows = 1;
    long last = (long)v->step;
    wr.first = last + 1 - wr.rows > 0 ? (int)(last + 1 - wr.rows) : 0;
    return wr;
}

int ui_panels_transcript_row(ui_ctx *c, const ui_layout *lay, const ui_view *v, size_t step,
                             SDL_Rect *row)
{
    if (!v->w || step > v->step || step >= world_step_count(v->w))
        return -1;
    window_rows wr = transcript_rows(c, lay, v);
    if ((long)step < wr.first)
        return -1;
    *row = (SDL_Rect){lay->transcript.x + c->line, wr.y0 + ((int)step - wr.first) * wr.rh,
                      lay->transcript.w - 2 * c->line, wr.rh};
    return 0;
}

long ui_panels_transcript_hit(ui_ctx *c, const ui_layout *lay, const ui_view *v, int x, int y)
{
    if (!v->w || !ui_gfx_inside(lay->transcript, x, y) || world_step_count(v->w) == 0)
        return -1;
    window_rows wr = transcript_rows(c, lay, v);
    if (y < wr.y0)
        return -1;
    long step = wr.first + (y - wr.y0) / wr.rh;
    return step <= (long)v->step ? step : -1;
}

void ui_panels_transcript(ui_ctx *c, const ui_layout *lay, const ui_view *v)
{
    const ui_theme *th = c->theme;
    SDL_Rect rc = lay->transcript;
    panel_frame(c, rc, "Transcript", "C: client says   S: server replies");
    if (!v->w || world_step_count(v->w) == 0)
        return;
    window_rows wr = transcript_rows(c, lay, v);
    int idx_w = 0, tag_w = 0, hgt;
    ui_text_size(c->text, UI_FONT_MONO, c->fs_small, "#000", &idx_w, &hgt);
    ui_text_size(c->text, UI_FONT_SANS, c->fs_small, "Mailbox>Mailbox", &tag_w, &hgt);
    int mono_lh = ui_text_line_height(c->text, UI_FONT_MONO, c->fs_mono);
    for (int r = 0; r < wr.rows; r++) {
        size_t i = (size_t)(wr.first + r);
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
        int x = rc.x + c->pad;
        char buf[192];
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
        bool hidden = ui_flow_hidden(v, st);
        SDL_Color col = current ? th->highlight_text : th->text_dim;
        const char *who = "  ";
        ui_font font = UI_FONT_MONO;
        if (is_client_line(st)) {
            who = "C:";
            col = current ? th->highlight_text : th->client;
        } else if (st->kind == WORLD_STEP_REPLY) {
            who = "S:";
            col = current ? th->highlight_text : th->server;
        }
        if (current)
            font = UI_FONT_MONO_BOLD;
        int ww = ui_text_draw(c->text, font, c->fs_mono, col, who, x, cy,
                              UI_ALIGN_LEFT | UI_ALIGN_MIDDLE);
        x += ww + c->pad / 2;
        avail -= ww + c->pad / 2;
        ui_reply_class k = st->kind == WORLD_STEP_REPLY && !hidden ? ui_theme_reply_class(st->code)
                                                                    : UI_REPLY_NONE;
        if (k != UI_REPLY_NONE) {
            float sz = mono_lh * 0.7f;
            ui_gfx_reply_shape(c->r, k, x + sz / 2, (float)cy, sz, th->reply[k],
                               th->reply_text[k]);
            x += (int)sz + c->pad / 2;
            avail -= (int)sz + c->pad / 2;
        }
        ui_flow_label(v, st, buf, sizeof buf);
        ui_text_draw_fit(c->text, font, c->fs_mono, hidden ? th->text_dim : col, buf, x, cy,
                         UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, avail);
    }
}

/* ---- explanation ------------------------------------------------------------------------ */

void ui_panels_explain(ui_ctx *c, const ui_layout *lay, const ui_view *v)
{
    const ui_theme *th = c->theme;
    SDL_Rect rc = lay->explain;
    panel_frame(c, rc, "What is happening", "B: exact bytes");
    if (!v->w || world_step_count(v->w) == 0)
        return;
    const world_step *st = world_step_at(v->w, v->step);
    int x = rc.x + c->pad, y = rc.y + header_height(c), w = rc.w - 2 * c->pad;
    int bottom = rc.y + rc.h - c->pad / 2;
    char buf[512];
    /* who talks to whom */
    if (st->from == st->to)
        snprintf(buf, sizeof buf, "Step %zu: %s at the %s", v->step,
                 world_step_kind_name(st->kind), role_of(v->w, st->from));
    else
        snprintf(buf, sizeof buf, "Step %zu: %s, %s \xE2\x86\x92 %s", v->step,
                 world_step_kind_name(st->kind), role_of(v->w, st->from), role_of(v->w, st->to));
    y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->text_dim, buf, x, y, w, 0);
    /* the line itself */
    ui_flow_label(v, st, buf, sizeof buf);
    y += ui_text_draw_wrap(c->text, UI_FONT_MONO_BOLD, c->fs_mono, th->text, buf, x, y, w,
                           bottom - y);
    y += c->pad / 2;
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
    ui_reply_class k = ui_theme_reply_class(st->code);
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
    if (st->esc[0] && y < bottom) {
        snprintf(buf, sizeof buf, "%s: %s", st->esc, explain_esc(st->esc));
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

static int hex_rows(ui_ctx *c, const unsigned char *data, size_t n, int x, int y, int w,
                    int bottom, SDL_Color col, SDL_Color dim)
{
    int cw, ch;
    ui_text_size(c->text, UI_FONT_MONO, c->fs_small, "0", &cw, &ch);
    int lh = ui_text_line_height(c->text, UI_FONT_MONO, c->fs_small);
    /* 6 + 3 per byte + 1 + 1 per byte characters per row */
    int per = 16;
    while (per > 4 && (6 + 4 * per + 1) * cw > w)
        per /= 2;
    int y0 = y;
    char row[160];
    for (size_t off = 0; off < n; off += (size_t)per) {
        if (y + 2 * lh > bottom && off + (size_t)per < n) {
            snprintf(row, sizeof row, "... %zu more bytes", n - off);
            ui_text_draw(c->text, UI_FONT_MONO, c->fs_small, dim, row, x, y, UI_ALIGN_LEFT);
            return y + lh - y0;
        }
        int k = snprintf(row, sizeof row, "%04zx  ", off);
        for (int i = 0; i < per; i++)
            k += off + (size_t)i < n ? snprintf(row + k, sizeof row - (size_t)k, "%02x ",
                                                data[off + (size_t)i])
                                     : snprintf(row + k, sizeof row - (size_t)k, "   ");
        k += snprintf(row + k, sizeof row - (size_t)k, " ");
        for (int i = 0; i < per && off + (size_t)i < n; i++) {
            unsigned char b = data[off + (size_t)i];
            row[k++] = b >= 0x20 && b < 0x7f ? (char)b : '.';
        }
        row[k] = 0;
        ui_text_draw(c->text, UI_FONT_MONO, c->fs_small, col, row, x, y, UI_ALIGN_LEFT);
        y += lh;
    }
    return y - y0;
}

void ui_panels_bytes(ui_ctx *c, const ui_layout *lay, const ui_view *v, SDL_Rect *close)
{
    const ui_theme *th = c->theme;
    SDL_Rect rc = lay->explain;
    close_button(c, lay, close);
    if (!v->w || world_step_count(v->w) == 0) {
        panel_frame(c, rc, "Bytes on the wire", NULL);
        return;
    }
    const world_step *st = world_step_at(v->w, v->step);
    bool hidden = ui_flow_hidden(v, st);
    char title[96];
    static unsigned char rec[UI_PANELS_MAX_SHOWN_BYTES + 64];
    const unsigned char *data = (const unsigned char *)st->bytes;
    size_t n = st->bytes ? st->len : 0;
    if (hidden) {
        n = ui_panels_fake_record(st->bytes ? st->bytes : "", st->bytes ? st->len : 0, rec,
                                  sizeof rec);
        data = rec;
        snprintf(title, sizeof title, "Eavesdropper's view, step %zu (%zu bytes)", v->step, n);
    } else {
        snprintf(title, sizeof title, "Bytes on the wire, step %zu (%zu bytes)", v->step, n);
    }
    panel_frame(c, rc, title, NULL);
    ui_gfx_box(c->r, *close, c->radius / 2, th->button, th->panel_border, 1);
    ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->button_text, "\xC3\x97",
                 close->x + close->w / 2, close->y + close->h / 2,
                 UI_ALIGN_CENTER | UI_ALIGN_MIDDLE);
    int x = rc.x + c->pad, y = rc.y + header_height(c), w = rc.w - 2 * c->pad;
    int bottom = rc.y + rc.h - c->pad / 2;
    if (!data) {
        ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_body, th->text_dim,
                          "Nothing crosses the wire in this step: it happens inside a node.", x,
                          y, w, bottom - y);
        return;
    }
    char text[UI_PANELS_MAX_SHOWN_BYTES * 4 + 8];
    if (hidden) {
        y += ui_text_draw_wrap(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->text,
                               "TLS record (encrypted)", x, y, w, 0);
        y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->text_dim,
                               "Type 23 (application data), version 3.3, then ciphertext and "
                               "an authentication tag: without the session keys nobody on the "
                               "path can read the command or the password.",
                               x, y, w, 0);
    } else {
        int pictures = ui_text_has_glyph(c->text, UI_FONT_MONO, 0x240D) &&
                       ui_text_has_glyph(c->text, UI_FONT_MONO, 0x240A);
        size_t shown = n > UI_PANELS_MAX_SHOWN_BYTES ? UI_PANELS_MAX_SHOWN_BYTES : n;
        ui_panels_escape((const char *)data, shown, text, sizeof text, pictures);
        /* at most a third of the panel for the text, the rest for hex and notes */
        int lim = (bottom - y) / 3;
        y += ui_text_draw_wrap(c->text, UI_FONT_MONO_BOLD, c->fs_mono, th->text, text, x, y, w,
                               lim);
        char b64[256], plain[256];
        bool masked = (!strcmp(st->verb, "AUTH") || st->code == 334 ||
                       (v->step > 0 && world_step_at(v->w, v->step - 1)->code == 334)) &&
                      memmem(data, n, "********", 8);
        if (masked) {
            y += c->pad / 3;
            y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->text,
                                   "This scenario masks the credentials (********). On a real "
                                   "wire they are only base64, an encoding and not encryption: "
                                   "anyone who sees these bytes can decode the password. With "
                                   "\"show_secrets\": true on the client node, this panel "
                                   "decodes them.",
                                   x, y, w, 0);
        } else if (ui_panels_auth_decode(v->w, v->step, b64, sizeof b64, plain, sizeof plain) ==
                   0) {
            char note[700];
            snprintf(note, sizeof note, "base64 \"%s\" decodes to: %s", b64, plain);
            y += c->pad / 3;
            y += ui_text_draw_wrap(c->text, UI_FONT_MONO_BOLD, c->fs_small, th->reply[3], note, x,
                                   y, w, 0);
            y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->text,
                                   "Base64 is an encoding, not encryption: anyone who sees these "
                                   "bytes can decode them. That is why AUTH belongs inside TLS.",
                                   x, y, w, 0);
        }
    }
    y += c->pad / 2;
    hex_rows(c, data, n, x, y, w, bottom, th->text, th->text_dim);
}
