/* ui_text.h - fonts from assets/fonts and a cache of rendered text textures.
 *
 * Rendering text with SDL_ttf costs far more than copying a texture, so every string is
 * rendered once into a texture keyed by (font, size, colour, wrap or fit width, string) and
 * reused until it has not been drawn for a while. In a steady frame nothing is allocated:
 * a lookup hashes the key and compares it with the stored copy.
 */
#ifndef UI_TEXT_H
#define UI_TEXT_H

#include <SDL.h>
#include <stddef.h>

typedef enum {
    UI_FONT_SANS,
    UI_FONT_SANS_BOLD,
    UI_FONT_MONO,
    UI_FONT_MONO_BOLD,
    UI_FONT_COUNT
} ui_font;

/* Alignment of ui_text_draw*: horizontal (x is left, centre or right edge) | vertical. */
enum {
    UI_ALIGN_LEFT = 0,
    UI_ALIGN_CENTER = 1,
    UI_ALIGN_RIGHT = 2,
    UI_ALIGN_TOP = 0,
    UI_ALIGN_MIDDLE = 4,
    UI_ALIGN_BOTTOM = 8,
};

/* Named limits. */
#define UI_TEXT_CACHE_SLOTS 4096   /* hash slots (power of two) */
#define UI_TEXT_CACHE_KEEP 2048    /* entries kept; beyond this, stale ones are evicted */
#define UI_TEXT_STALE_FRAMES 120   /* an entry unused this many frames may be evicted */
#define UI_TEXT_MAX_SIZE 200       /* font pixel sizes are clamped to 6..this */

typedef struct ui_text ui_text;

/* ui_text_new - open the DejaVu fonts in font_dir (assets/fonts). NULL and err on failure.
 * TTF_Init must have been called. */
ui_text *ui_text_new(SDL_Renderer *r, const char *font_dir, char *err, size_t errlen);
void ui_text_free(ui_text *t);

/* ui_text_get - the texture for a string (NULL for "" or on error), its size in *w, *h.
 * wrap > 0 wraps lines at that width; fit > 0 cuts the string with "..." to fit. */
SDL_Texture *ui_text_get(ui_text *t, ui_font f, int px, SDL_Color c, const char *s, int wrap,
                         int fit, int *w, int *h);

/* ui_text_draw - draw a line at (x, y) with an alignment; returns its width (0 for ""). */
int ui_text_draw(ui_text *t, ui_font f, int px, SDL_Color c, const char *s, int x, int y,
                 int align);

/* ui_text_draw_fit - as ui_text_draw, cut with "..." to max_w; returns the width drawn. */
int ui_text_draw_fit(ui_text *t, ui_font f, int px, SDL_Color c, const char *s, int x, int y,
                     int align, int max_w);

/* ui_text_draw_wrap - a paragraph wrapped at wrap_w, clipped at max_h (0: no limit);
 * returns the height it takes. */
int ui_text_draw_wrap(ui_text *t, ui_font f, int px, SDL_Color c, const char *s, int x, int y,
                      int wrap_w, int max_h);

/* ui_text_size - width and height a line would take (renders and caches it). */
void ui_text_size(ui_text *t, ui_font f, int px, const char *s, int *w, int *h);

/* ui_text_measure - width and height of a line from the font's metrics alone: no texture is
 * rendered or cached (layout measures hundreds of strings it may never draw). */
void ui_text_measure(ui_text *t, ui_font f, int px, const char *s, int *w, int *h);

/* ui_text_line_height - the recommended line step for a font size. */
int ui_text_line_height(ui_text *t, ui_font f, int px);

/* ui_text_frame_end - call once per frame: ages the cache and evicts what went stale. */
void ui_text_frame_end(ui_text *t);

/* ui_text_clear - drop every cached texture (fonts stay open). */
void ui_text_clear(ui_text *t);

/* ui_text_stats - entries cached, and renders (cache misses) since creation. */
void ui_text_stats(const ui_text *t, size_t *entries, size_t *renders);

/* ---- the clipping report ----
 * Render tests check structure, not pixels: the drawer counts every line it had to cut with
 * "..." (ui_text_draw_fit), every paragraph whose last lines it dropped (ui_text_draw_wrap with
 * max_h), and every text drawn past the bounds of the widget being drawn (ui_text_set_bounds;
 * ui_gfx_widget_open sets them). Counting costs a compare per draw and nothing else. */
typedef struct {
    unsigned elided;    /* lines cut to fit, with "..." */
    unsigned dropped;   /* wrapped paragraphs cut short at max_h */
    unsigned overflows; /* texts drawn (partly) outside the bounds */
    char first_overflow[96]; /* the first such text, for a test's message */
} ui_text_clips;

/* ui_text_set_bounds - where text drawn from now on must lie (NULL: anywhere). */
void ui_text_set_bounds(ui_text *t, const SDL_Rect *bounds);
/* ui_text_get_clips - the counts since creation (or the last ui_text_reset_clips). */
void ui_text_get_clips(const ui_text *t, ui_text_clips *out);
void ui_text_reset_clips(ui_text *t);

/* ui_text_has_glyph - whether the font has a glyph for this code point. */
int ui_text_has_glyph(ui_text *t, ui_font f, Uint32 cp);

#endif
