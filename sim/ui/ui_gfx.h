/* ui_gfx.h - the drawing context shared by the window's parts, and the shapes they draw
 * with (rounded boxes, circles, thick lines, arrowheads, the padlock, the reply-class shapes).
 *
 * Everything is drawn with SDL_RenderGeometry triangles, so it looks the same on the software
 * renderer (tests, shots) and on the GPU.
 */
#ifndef UI_GFX_H
#define UI_GFX_H

#include <SDL.h>

#include "ui/ui_text.h"
#include "ui/ui_theme.h"

/* ---- widgets, for render tests ----
 * While a ui_widgets record is attached to the context, every part of the window says what it
 * drew and where (a panel, a node, a button, a label), and which part contains it. A test then
 * checks structure instead of pixels: siblings never intersect, a child lies inside its parent,
 * and no text was drawn past the widget it belongs to (ui_text's clipping report, per widget).
 * With no record attached (the window, shots) these calls cost one pointer test. */
#define UI_WIDGETS_MAX 512

typedef struct {
    SDL_Rect r;
    int parent;         /* index of the containing widget, -1: the window */
    char name[32];      /* "node MX", "button Next", "panel title", ... */
    unsigned elided;    /* lines cut with "..." while it was being drawn */
    unsigned overflows; /* texts drawn past its bounds */
    unsigned dropped;   /* wrapped paragraphs cut short */
} ui_widget;

typedef struct {
    ui_widget w[UI_WIDGETS_MAX];
    int n;
    int open;           /* the widget being drawn into, -1: none */
    ui_text_clips at_open[8]; /* the text drawer's counts when each open widget opened */
    int depth;
} ui_widgets;

/* The drawing context: renderer, text cache, theme, and sizes derived from the scale. */
typedef struct {
    ui_widgets *widgets; /* NULL unless a test records them */
    SDL_Renderer *r;
    ui_text *text;
    const ui_theme *theme;
    float s;      /* pixels per design unit (1.0 at 1280x720, zoom 1, default theme) */
    int fs_small; /* font sizes in pixels */
    int fs_body;
    int fs_mono;
    int fs_title;
    int fs_role;
    int line;     /* line width */
    int pad;      /* inner padding of panels */
    int radius;   /* corner radius */
} ui_ctx;

/* ui_gfx_scale - set s and every size from it (and the theme's type and line scale). */
void ui_gfx_scale(ui_ctx *c, float s);

void ui_gfx_fill(SDL_Renderer *r, SDL_Rect rc, SDL_Color col);
/* ui_gfx_box - a rounded box: fill, and a border of `thick` pixels (0: none). */
void ui_gfx_box(SDL_Renderer *r, SDL_Rect rc, int radius, SDL_Color fill, SDL_Color border,
                int thick);
void ui_gfx_circle(SDL_Renderer *r, float cx, float cy, float rad, SDL_Color col);
void ui_gfx_triangle(SDL_Renderer *r, float x1, float y1, float x2, float y2, float x3, float y3,
                     SDL_Color col);
void ui_gfx_line(SDL_Renderer *r, float x1, float y1, float x2, float y2, float width,
                 SDL_Color col);
/* ui_gfx_dashed - a dashed line (used for links that are not in use yet). */
void ui_gfx_dashed(SDL_Renderer *r, float x1, float y1, float x2, float y2, float width,
                   float dash, SDL_Color col);
/* ui_gfx_arrowhead - a filled arrowhead with its tip at (x, y) pointing along (dx, dy). */
void ui_gfx_arrowhead(SDL_Renderer *r, float x, float y, float dx, float dy, float size,
                      SDL_Color col);
/* ui_gfx_padlock - a closed padlock centred on (cx, cy), `size` pixels high. */
void ui_gfx_padlock(SDL_Renderer *r, float cx, float cy, float size, SDL_Color body,
                    SDL_Color hole);
/* ui_gfx_reply_shape - the shape of a reply class (circle, triangle, diamond, square with a
 * cross) centred on (cx, cy), `size` pixels across. */
void ui_gfx_reply_shape(SDL_Renderer *r, ui_reply_class k, float cx, float cy, float size,
                        SDL_Color col, SDL_Color mark);

/* ui_gfx_widgets_reset - empty the record (call before drawing a frame). */
void ui_gfx_widgets_reset(ui_widgets *ws);
/* ui_gfx_widget - note a part drawn inside the open widget; its index, or -1. */
int ui_gfx_widget(ui_ctx *c, const char *name, SDL_Rect r);
/* ui_gfx_widget_open - note a part and draw into it: texts must stay inside r until the
 * matching ui_gfx_widget_close, which records what the text drawer cut or let overflow. */
void ui_gfx_widget_open(ui_ctx *c, const char *name, SDL_Rect r);
void ui_gfx_widget_close(ui_ctx *c);

/* ui_gfx_inside - whether (x, y) is inside rc. */
int ui_gfx_inside(SDL_Rect rc, int x, int y);

#endif
