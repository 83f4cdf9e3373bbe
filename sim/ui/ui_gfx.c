/* ui_gfx.c - shapes made of triangles (see ui_gfx.h). */
#include "ui/ui_gfx.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CIRCLE_SEGMENTS 24
#define CORNER_SEGMENTS 6

void ui_gfx_scale(ui_ctx *c, float s)
{
    float ts = c->theme ? c->theme->type_scale : 1.0f;
    float ls = c->theme ? c->theme->line_scale : 1.0f;
    c->s = s;
    c->fs_small = (int)lroundf(13.0f * s * ts);
    c->fs_body = (int)lroundf(15.0f * s * ts);
    c->fs_mono = (int)lroundf(14.0f * s * ts);
    c->fs_title = (int)lroundf(19.0f * s * ts);
    c->fs_role = (int)lroundf(17.0f * s * ts);
    c->line = (int)lroundf(2.0f * s * ls);
    if (c->line < 1)
        c->line = 1;
    c->pad = (int)lroundf(10.0f * s);
    c->radius = (int)lroundf(8.0f * s);
}

static SDL_Vertex vtx(float x, float y, SDL_Color c)
{
    SDL_Vertex v = {{x, y}, c, {0, 0}};
    return v;
}

void ui_gfx_fill(SDL_Renderer *r, SDL_Rect rc, SDL_Color col)
{
    SDL_SetRenderDrawBlendMode(r, col.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, col.r, col.g, col.b, col.a);
    SDL_RenderFillRect(r, &rc);
}

void ui_gfx_triangle(SDL_Renderer *r, float x1, float y1, float x2, float y2, float x3, float y3,
                     SDL_Color col)
{
    SDL_Vertex v[3] = {vtx(x1, y1, col), vtx(x2, y2, col), vtx(x3, y3, col)};
    SDL_RenderGeometry(r, NULL, v, 3, NULL, 0);
}

void ui_gfx_circle(SDL_Renderer *r, float cx, float cy, float rad, SDL_Color col)
{
    SDL_Vertex v[CIRCLE_SEGMENTS + 1];
    int idx[CIRCLE_SEGMENTS * 3];
    v[0] = vtx(cx, cy, col);
    for (int i = 0; i < CIRCLE_SEGMENTS; i++) {
        float a = (float)i * 6.2831853f / CIRCLE_SEGMENTS;
        v[i + 1] = vtx(cx + rad * cosf(a), cy + rad * sinf(a), col);
        idx[i * 3] = 0;
        idx[i * 3 + 1] = i + 1;
        idx[i * 3 + 2] = (i + 1) % CIRCLE_SEGMENTS + 1;
    }
    SDL_RenderGeometry(r, NULL, v, CIRCLE_SEGMENTS + 1, idx, CIRCLE_SEGMENTS * 3);
}

/* quarter - a filled quarter circle of radius rad at corner centre (cx, cy), quadrant k
 * (0: bottom right, 1: bottom left, 2: top left, 3: top right). */
static void quarter(SDL_Renderer *r, float cx, float cy, float rad, int k, SDL_Color col)
{
    SDL_Vertex v[CORNER_SEGMENTS + 2];
    int idx[CORNER_SEGMENTS * 3];
    v[0] = vtx(cx, cy, col);
    for (int i = 0; i <= CORNER_SEGMENTS; i++) {
        float a = ((float)k + (float)i / CORNER_SEGMENTS) * 1.5707963f;
        v[i + 1] = vtx(cx + rad * cosf(a), cy + rad * sinf(a), col);
    }
    for (int i = 0; i < CORNER_SEGMENTS; i++) {
        idx[i * 3] = 0;
        idx[i * 3 + 1] = i + 1;
        idx[i * 3 + 2] = i + 2;
    }
    SDL_RenderGeometry(r, NULL, v, CORNER_SEGMENTS + 2, idx, CORNER_SEGMENTS * 3);
}

/* round_fill - a rounded rectangle: the bulk as plain rectangles (the software renderer fills
 * those at memset speed, while its triangles cost per pixel), the corners as small fans. */
static void round_fill(SDL_Renderer *r, float x, float y, float w, float h, float rad,
                       SDL_Color col)
{
    if (w <= 0 || h <= 0)
        return;
    if (rad > w / 2)
        rad = w / 2;
    if (rad > h / 2)
        rad = h / 2;
    rad = floorf(rad);
    SDL_SetRenderDrawBlendMode(r, col.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, col.r, col.g, col.b, col.a);
    if (rad < 1) {
        SDL_FRect rc = {x, y, w, h};
        SDL_RenderFillRectF(r, &rc);
        return;
    }
    SDL_FRect mid = {x + rad, y, w - 2 * rad, h};
    /* the side strips reach one pixel into the corners: triangle fill rules leave out the
     * row where two corner fans meet */
    SDL_FRect sides[2] = {{x, y + rad - 1, rad, h - 2 * rad + 2},
                          {x + w - rad, y + rad - 1, rad, h - 2 * rad + 2}};
    SDL_RenderFillRectF(r, &mid);
    SDL_RenderFillRectsF(r, sides, 2);
    quarter(r, x + w - rad, y + h - rad, rad, 0, col);
    quarter(r, x + rad, y + h - rad, rad, 1, col);
    quarter(r, x + rad, y + rad, rad, 2, col);
    quarter(r, x + w - rad, y + rad, rad, 3, col);
}

void ui_gfx_box(SDL_Renderer *r, SDL_Rect rc, int radius, SDL_Color fill, SDL_Color border,
                int thick)
{
    if (thick > 0) {
        round_fill(r, (float)rc.x, (float)rc.y, (float)rc.w, (float)rc.h, (float)radius, border);
        round_fill(r, (float)(rc.x + thick), (float)(rc.y + thick), (float)(rc.w - 2 * thick),
                   (float)(rc.h - 2 * thick), (float)(radius - thick), fill);
    } else {
        round_fill(r, (float)rc.x, (float)rc.y, (float)rc.w, (float)rc.h, (float)radius, fill);
    }
}

void ui_gfx_line(SDL_Renderer *r, float x1, float y1, float x2, float y2, float width,
                 SDL_Color col)
{
    float dx = x2 - x1, dy = y2 - y1;
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 0.01f)
        return;
    float nx = -dy / len * width / 2, ny = dx / len * width / 2;
    SDL_Vertex v[4] = {vtx(x1 + nx, y1 + ny, col), vtx(x2 + nx, y2 + ny, col),
                       vtx(x2 - nx, y2 - ny, col), vtx(x1 - nx, y1 - ny, col)};
    int idx[6] = {0, 1, 2, 0, 2, 3};
    SDL_RenderGeometry(r, NULL, v, 4, idx, 6);
}

void ui_gfx_dashed(SDL_Renderer *r, float x1, float y1, float x2, float y2, float width,
                   float dash, SDL_Color col)
{
    float dx = x2 - x1, dy = y2 - y1;
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 0.01f || dash < 1)
        return;
    for (float t = 0; t < len; t += 2 * dash) {
        float e = t + dash < len ? t + dash : len;
        ui_gfx_line(r, x1 + dx * t / len, y1 + dy * t / len, x1 + dx * e / len, y1 + dy * e / len,
                    width, col);
    }
}

void ui_gfx_arrowhead(SDL_Renderer *r, float x, float y, float dx, float dy, float size,
                      SDL_Color col)
{
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 0.01f)
        return;
    dx /= len;
    dy /= len;
    float bx = x - dx * size, by = y - dy * size;
    float nx = -dy * size * 0.55f, ny = dx * size * 0.55f;
    ui_gfx_triangle(r, x, y, bx + nx, by + ny, bx - nx, by - ny, col);
}

void ui_gfx_padlock(SDL_Renderer *r, float cx, float cy, float size, SDL_Color body,
                    SDL_Color hole)
{
    float bw = size * 0.8f, bh = size * 0.55f;
    float top = cy - size / 2;
    /* shackle: a thick arch above the body */
    float sr = size * 0.26f, st = size * 0.11f;
    float scy = top + sr + st / 2;
    for (int i = 0; i < 12; i++) {
        float a0 = 3.14159265f + (float)i * 3.14159265f / 12;
        float a1 = 3.14159265f + (float)(i + 1) * 3.14159265f / 12;
        ui_gfx_line(r, cx + sr * cosf(a0), scy + sr * sinf(a0), cx + sr * cosf(a1),
                    scy + sr * sinf(a1), st, body);
    }
    float by = cy + size / 2 - bh;
    ui_gfx_line(r, cx - sr, scy, cx - sr, by + 1, st, body);
    ui_gfx_line(r, cx + sr, scy, cx + sr, by + 1, st, body);
    round_fill(r, cx - bw / 2, by, bw, bh, size * 0.08f, body);
    ui_gfx_circle(r, cx, by + bh * 0.42f, size * 0.08f, hole);
    ui_gfx_line(r, cx, by + bh * 0.42f, cx, by + bh * 0.75f, size * 0.07f, hole);
}

void ui_gfx_reply_shape(SDL_Renderer *r, ui_reply_class k, float cx, float cy, float size,
                        SDL_Color col, SDL_Color mark)
{
    float h = size / 2;
    switch (k) {
    case UI_REPLY_2XX: /* circle with a tick */
        ui_gfx_circle(r, cx, cy, h, col);
        ui_gfx_line(r, cx - h * 0.5f, cy, cx - h * 0.12f, cy + h * 0.4f, size * 0.13f, mark);
        ui_gfx_line(r, cx - h * 0.12f, cy + h * 0.4f, cx + h * 0.55f, cy - h * 0.42f,
                    size * 0.13f, mark);
        break;
    case UI_REPLY_3XX: /* triangle pointing on: "go on" */
        ui_gfx_triangle(r, cx - h * 0.8f, cy - h, cx - h * 0.8f, cy + h, cx + h, cy, col);
        break;
    case UI_REPLY_4XX: /* diamond with a pause: "try later" */
        ui_gfx_triangle(r, cx, cy - h, cx + h, cy, cx, cy + h, col);
        ui_gfx_triangle(r, cx, cy - h, cx - h, cy, cx, cy + h, col);
        ui_gfx_line(r, cx - h * 0.2f, cy - h * 0.35f, cx - h * 0.2f, cy + h * 0.35f,
                    size * 0.1f, mark);
        ui_gfx_line(r, cx + h * 0.2f, cy - h * 0.35f, cx + h * 0.2f, cy + h * 0.35f,
                    size * 0.1f, mark);
        break;
    case UI_REPLY_5XX: { /* square with a cross */
        SDL_Rect rc = {(int)(cx - h * 0.85f), (int)(cy - h * 0.85f), (int)(size * 0.85f),
                       (int)(size * 0.85f)};
        ui_gfx_fill(r, rc, col);
        ui_gfx_line(r, cx - h * 0.45f, cy - h * 0.45f, cx + h * 0.45f, cy + h * 0.45f,
                    size * 0.13f, mark);
        ui_gfx_line(r, cx - h * 0.45f, cy + h * 0.45f, cx + h * 0.45f, cy - h * 0.45f,
                    size * 0.13f, mark);
        break;
    }
    default:
        break;
    }
}

int ui_gfx_inside(SDL_Rect rc, int x, int y)
{
    return x >= rc.x && x < rc.x + rc.w && y >= rc.y && y < rc.y + rc.h;
}

/* ---- widgets ------------------------------------------------------------------------------ */

void ui_gfx_widgets_reset(ui_widgets *ws)
{
    ws->n = 0;
    ws->open = -1;
    ws->depth = 0;
}

int ui_gfx_widget(ui_ctx *c, const char *name, SDL_Rect r)
{
    ui_widgets *ws = c->widgets;
    if (!ws || ws->n >= UI_WIDGETS_MAX)
        return -1;
    ui_widget *w = &ws->w[ws->n];
    memset(w, 0, sizeof *w);
    w->r = r;
    w->parent = ws->open;
    snprintf(w->name, sizeof w->name, "%s", name);
    return ws->n++;
}

void ui_gfx_widget_open(ui_ctx *c, const char *name, SDL_Rect r)
{
    int i = ui_gfx_widget(c, name, r);
    ui_widgets *ws = c->widgets;
    if (i < 0 || ws->depth >= (int)(sizeof ws->at_open / sizeof ws->at_open[0]))
        return;
    ui_text_get_clips(c->text, &ws->at_open[ws->depth++]);
    c->widgets->open = i;
    ui_text_set_bounds(c->text, &r);
}

void ui_gfx_widget_close(ui_ctx *c)
{
    ui_widgets *ws = c->widgets;
    if (!ws || ws->open < 0 || ws->depth == 0)
        return;
    ui_widget *w = &ws->w[ws->open];
    ui_text_clips now, *then = &ws->at_open[--ws->depth];
    ui_text_get_clips(c->text, &now);
    w->elided = now.elided - then->elided;
    w->overflows = now.overflows - then->overflows;
    w->dropped = now.dropped - then->dropped;
    ws->open = w->parent;
    ui_text_set_bounds(c->text, ws->open >= 0 ? &ws->w[ws->open].r : NULL);
}
