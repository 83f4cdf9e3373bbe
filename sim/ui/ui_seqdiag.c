/* ui_seqdiag.c - rasterise the sequence diagram (see svg_export.h for the layout). */
#include "ui/ui_seqdiag.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <string.h>

#include "core/export/reply_style.h"
#include "core/export/svg_export.h"
#include "ui/ui_gfx.h"
#include "ui/ui_png.h"
#include "ui/ui_text.h"

static SDL_Color hex_colour(const char *hex)
{
    unsigned v = reply_style_rgb(hex);
    return (SDL_Color){(Uint8)(v >> 16), (Uint8)(v >> 8), (Uint8)v, 255};
}

/* shape - a reply class's shape centred on (cx, cy), with the colours of the one table. */
static void shape(SDL_Renderer *r, reply_style_class k, float cx, float cy, float size)
{
    const reply_style *st = reply_style_get(k);
    if (st)
        ui_gfx_reply_shape(r, (ui_reply_class)k, cx, cy, size, hex_colour(st->hex),
                           hex_colour(st->mark_hex));
}

/* one_line - the first line of s, cut at max_chars characters (UTF-8 aware), into buf. */
static const char *one_line(const char *s, size_t max_chars, char *buf, size_t cap)
{
    size_t o = 0, chars = 0;
    for (size_t i = 0; s && s[i] && s[i] != '\r' && s[i] != '\n' && o + 4 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80 && ++chars > max_chars) {
            memcpy(buf + o, "\xE2\x80\xA6", 3);
            o += 3;
            break;
        }
        buf[o++] = (char)(c < 0x20 ? ' ' : c);
    }
    buf[o] = '\0';
    return buf;
}

static void thick_hline(SDL_Renderer *r, int x1, int x2, int y, int width, bool dashed)
{
    int lo = x1 < x2 ? x1 : x2, hi = x1 < x2 ? x2 : x1;
    for (int k = 0; k < width; k++) {
        int yy = y - width / 2 + k;
        if (!dashed) {
            SDL_RenderDrawLine(r, lo, yy, hi, yy);
            continue;
        }
        for (int x = lo; x < hi; x += 12)
            SDL_RenderDrawLine(r, x, yy, x + 6 < hi ? x + 6 : hi, yy);
    }
}

static void arrow_head(SDL_Renderer *r, int x, int y, int dir, int size, SDL_Color c)
{
    SDL_Vertex v[3] = {
        {{(float)x, (float)y}, c, {0, 0}},
        {{(float)(x - dir * size), (float)(y - size / 2)}, c, {0, 0}},
        {{(float)(x - dir * size), (float)(y + size / 2)}, c, {0, 0}},
    };
    SDL_RenderGeometry(r, NULL, v, 3, NULL, 0);
}

int ui_seqdiag_png(const world *w, const char *title, const char *font_dir, int scale,
                   FILE *out, char *err, size_t errlen)
{
    if (scale < 1 || scale > 4) {
        snprintf(err, errlen, "scale must be 1-4");
        return -1;
    }
    size_t nodes = world_node_count(w), steps = world_step_count(w);
    const int S = scale;
    long width = (long)(SVG_EXPORT_MARGIN * 2 + (long)(nodes + 1) * SVG_EXPORT_COL_W);
    width = (width < SVG_EXPORT_MIN_W ? SVG_EXPORT_MIN_W : width) * S;
    long height = (long)(SVG_EXPORT_TOP + (long)steps * SVG_EXPORT_ROW_H + 90) * S;
    if (width * height > UI_SEQDIAG_MAX_PIXELS) {
        snprintf(err, errlen, "diagram too large (%ldx%ld pixels)", width, height);
        return -1;
    }
    int rc = -1;
    bool ttf_started = false;
    SDL_Surface *surf = NULL;
    SDL_Renderer *r = NULL;
    ui_text *txt = NULL;

    if (!TTF_WasInit()) {
        if (TTF_Init() != 0) {
            snprintf(err, errlen, "TTF_Init: %s", TTF_GetError());
            return -1;
        }
        ttf_started = true;
    }
    surf = SDL_CreateRGBSurfaceWithFormat(0, (int)width, (int)height, 32, SDL_PIXELFORMAT_XRGB8888);
    if (!surf || !(r = SDL_CreateSoftwareRenderer(surf))) {
        snprintf(err, errlen, "software renderer: %s", SDL_GetError());
        goto done;
    }
    if (!(txt = ui_text_new(r, font_dir, err, errlen)))
        goto done;

    SDL_Color ink = {0x33, 0x33, 0x33, 255}, grey = {0x99, 0x99, 0x99, 255};
    SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
    SDL_RenderClear(r);
    char buf[512];
    ui_text_draw(txt, UI_FONT_SANS_BOLD, 18 * S, (SDL_Color){0, 0, 0, 255},
                 one_line(title ? title : "SMTP session", 120, buf, sizeof buf),
                 SVG_EXPORT_MARGIN * S, 12 * S, UI_ALIGN_LEFT);

    for (size_t i = 0; i < nodes; i++) {
        const world_node *n = world_node_at(w, i);
        int x = (SVG_EXPORT_MARGIN + SVG_EXPORT_COL_W / 2 + (int)i * SVG_EXPORT_COL_W) * S;
        SDL_SetRenderDrawColor(r, grey.r, grey.g, grey.b, 255);
        for (int y = (SVG_EXPORT_TOP - 20) * S; y < (SVG_EXPORT_TOP + (int)steps * SVG_EXPORT_ROW_H) * S;
             y += 8 * S)
            SDL_RenderDrawLine(r, x, y, x, y + 4 * S);
        SDL_Rect box = {x - (SVG_EXPORT_COL_W / 2 - 8) * S, 42 * S, (SVG_EXPORT_COL_W - 16) * S, 38 * S};
        SDL_SetRenderDrawColor(r, 0xf0, 0xf4, 0xf8, 255);
        SDL_RenderFillRect(r, &box);
        SDL_SetRenderDrawColor(r, ink.r, ink.g, ink.b, 255);
        SDL_RenderDrawRect(r, &box);
        char head[64];
        if (n->port)
            snprintf(head, sizeof head, "%s :%u", n->role, (unsigned)n->port);
        else
            snprintf(head, sizeof head, "%s", n->role);
        ui_text_draw(txt, UI_FONT_SANS_BOLD, 12 * S, ink, head, x, 46 * S, UI_ALIGN_CENTER);
        ui_text_draw_fit(txt, UI_FONT_SANS, 11 * S, ink, n->host[0] ? n->host : n->name, x, 62 * S,
                         UI_ALIGN_CENTER, (SVG_EXPORT_COL_W - 20) * S);
    }

    for (size_t i = 0; i < steps; i++) {
        const world_step *s = world_step_at(w, i);
        int y = (SVG_EXPORT_TOP + (int)i * SVG_EXPORT_ROW_H + SVG_EXPORT_ROW_H / 2) * S;
        SDL_Color c = hex_colour(svg_export_step_colour(s));
        if (s->from == s->to || s->from < 0 || s->to < 0) {
            int node = s->from >= 0 ? s->from : (s->to >= 0 ? s->to : 0);
            int x = (SVG_EXPORT_MARGIN + SVG_EXPORT_COL_W / 2 + node * SVG_EXPORT_COL_W + 6) * S;
            SDL_Rect note = {x, y - 9 * S, (SVG_EXPORT_COL_W * 2 - 20) * S, 18 * S};
            SDL_SetRenderDrawColor(r, 0xff, 0xf8, 0xdc, 255);
            SDL_RenderFillRect(r, &note);
            SDL_SetRenderDrawColor(r, 0xb8, 0xa0, 0x4a, 255);
            SDL_RenderDrawRect(r, &note);
            ui_text_draw_fit(txt, UI_FONT_SANS, 11 * S, ink, one_line(s->text, 200, buf, sizeof buf),
                             x + 6 * S, y, UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, note.w - 12 * S);
            continue;
        }
        int x1 = (SVG_EXPORT_MARGIN + SVG_EXPORT_COL_W / 2 + s->from * SVG_EXPORT_COL_W) * S;
        int x2 = (SVG_EXPORT_MARGIN + SVG_EXPORT_COL_W / 2 + s->to * SVG_EXPORT_COL_W) * S;
        bool dashed = s->kind == WORLD_STEP_DNS_QUERY || s->kind == WORLD_STEP_DNS_ANSWER ||
                      s->kind == WORLD_STEP_REFUSED;
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
        int dir = x2 > x1 ? 1 : -1;
        thick_hline(r, x1, x2 - dir * 8 * S, y, (s->tls ? 3 : 1) * S, dashed);
        arrow_head(r, x2, y, dir, 9 * S, c);
        char label[600];
        snprintf(label, sizeof label, "%s%s", s->tls ? "[TLS] " : "",
                 one_line(s->text, SVG_EXPORT_MAX_LABEL, buf, sizeof buf));
        int tx = (x1 < x2 ? x1 : x2) + 8 * S;
        reply_style_class k = reply_style_class_of_step(s);
        if (k != REPLY_STYLE_NONE) { /* the class's shape, as in the window's transcript */
            shape(r, k, tx + SVG_EXPORT_SHAPE * S / 2.0f, (float)(y - 8 * S),
                  (float)(SVG_EXPORT_SHAPE * S));
            tx += (SVG_EXPORT_SHAPE + 4) * S;
        }
        /* a white band behind the label keeps it readable where it crosses lifelines */
        int tw, th;
        if (ui_text_get(txt, UI_FONT_SANS, 12 * S, ink, label, 0, 0, &tw, &th)) {
            SDL_Rect band = {tx - 2 * S, y - 4 * S - th, tw + 4 * S, th};
            SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
            SDL_RenderFillRect(r, &band);
        }
        /* in ink, as the SVG: the arrow and the shape carry the colour */
        ui_text_draw(txt, UI_FONT_SANS, 12 * S, ink, label, tx, y - 3 * S,
                     UI_ALIGN_LEFT | UI_ALIGN_BOTTOM);
    }
    /* the legend, as the SVG's: every class with its shape and word from the one table */
    int ly = (SVG_EXPORT_TOP + (int)steps * SVG_EXPORT_ROW_H + 40) * S;
    int lx = SVG_EXPORT_MARGIN * S;
    ui_text_draw(txt, UI_FONT_SANS, 11 * S, ink, "Replies:", lx, ly,
                 UI_ALIGN_LEFT | UI_ALIGN_BOTTOM);
    lx += SVG_EXPORT_LEGEND_X * S;
    for (int k = 0; k < REPLY_STYLE_CLASSES; k++) {
        const reply_style *st = reply_style_get((reply_style_class)k);
        shape(r, st->cls, lx + SVG_EXPORT_SHAPE * S / 2.0f, (float)(ly - 4 * S),
              (float)(SVG_EXPORT_SHAPE * S));
        snprintf(buf, sizeof buf, "%dxx %s (%s)", k + 2, st->word, st->colour_name);
        ui_text_draw(txt, UI_FONT_SANS, 11 * S, ink, buf, lx + (SVG_EXPORT_SHAPE + 4) * S, ly,
                     UI_ALIGN_LEFT | UI_ALIGN_BOTTOM);
        lx += SVG_EXPORT_LEGEND_W * S;
    }
    ly += 18 * S;
    lx = (SVG_EXPORT_MARGIN + SVG_EXPORT_LEGEND_X) * S;
    SDL_Color dns = hex_colour(REPLY_STYLE_DNS_HEX);
    SDL_SetRenderDrawColor(r, dns.r, dns.g, dns.b, 255);
    thick_hline(r, lx, lx + 20 * S, ly - 4 * S, 2 * S, true);
    ui_text_draw(txt, UI_FONT_SANS, 11 * S, ink,
                 "DNS (sky blue, dashed) \xC2\xB7 thick line and [TLS]: encrypted by STARTTLS",
                 lx + 24 * S, ly, UI_ALIGN_LEFT | UI_ALIGN_BOTTOM);
    SDL_RenderPresent(r);
    if (ui_png_write(surf, out, err, errlen) != 0)
        goto done;
    rc = 0;
done:
    ui_text_free(txt);
    if (r)
        SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    if (ttf_started)
        TTF_Quit();
    return rc;
}
