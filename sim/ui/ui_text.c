/* ui_text.c - font loading and the text texture cache (see ui_text.h).
 *
 * Fonts are opened per pixel size from one read-only mapping of each file, made on first use:
 * FreeType then reads glyphs with memcpy instead of a seek and a read system call per glyph
 * (SDL's file streams seek for every read), which was most of the cost of the first frame, and
 * only the pages of the file that are used are ever touched. The cache is a
 * chained hash table; entries remember the frame they were last drawn in, and ui_text_frame_end
 * frees stale ones only when the cache holds more than UI_TEXT_CACHE_KEEP, so a steady picture
 * costs one hash and one string compare per string and no allocation.
 */
#include "ui/ui_text.h"

#include <SDL_ttf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FONT_SIZES_MAX 64
#define ELLIPSIS "\xE2\x80\xA6"

static const char *const font_files[UI_FONT_COUNT] = {
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"};

typedef struct entry {
    struct entry *next;
    uint32_t hash;
    ui_font font;
    int px, wrap, fit;
    uint32_t rgba;
    unsigned long last_frame;
    SDL_Texture *tex;
    int w, h;
    int cut;  /* the string was cut with "..." to fit */
    char s[]; /* the key string */
} entry;

typedef struct {
    ui_font font;
    int px;
    TTF_Font *ttf;
} sized_font;

struct ui_text {
    SDL_Renderer *r;
    char path[UI_FONT_COUNT][512]; /* opened per size; FreeType reads only the tables it needs */
    void *map[UI_FONT_COUNT];      /* the file mapped read-only, NULL until first used */
    size_t map_len[UI_FONT_COUNT];
    sized_font fonts[FONT_SIZES_MAX];
    int font_count;
    entry *slots[UI_TEXT_CACHE_SLOTS];
    SDL_Rect bounds; /* ui_text_set_bounds; w = 0: none */
    ui_text_clips clips;
    size_t entries;
    size_t renders;
    unsigned long frame;
};

ui_text *ui_text_new(SDL_Renderer *r, const char *font_dir, char *err, size_t errlen)
{
    ui_text *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->r = r;
    for (int i = 0; i < UI_FONT_COUNT; i++) {
        int n = snprintf(t->path[i], sizeof t->path[i], "%s/%s", font_dir, font_files[i]);
        FILE *f = n > 0 && (size_t)n < sizeof t->path[i] ? fopen(t->path[i], "rb") : NULL;
        if (!f) {
            snprintf(err, errlen, "cannot read font %s/%s", font_dir, font_files[i]);
            ui_text_free(t);
            return NULL;
        }
        fclose(f);
    }
    return t;
}

static void drop_fonts(ui_text *t)
{
    for (int i = 0; i < t->font_count; i++)
        TTF_CloseFont(t->fonts[i].ttf);
    t->font_count = 0;
}

void ui_text_clear(ui_text *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < UI_TEXT_CACHE_SLOTS; i++) {
        entry *e = t->slots[i];
        while (e) {
            entry *next = e->next;
            SDL_DestroyTexture(e->tex);
            free(e);
            e = next;
        }
        t->slots[i] = NULL;
    }
    t->entries = 0;
}

void ui_text_free(ui_text *t)
{
    if (!t)
        return;
    ui_text_clear(t);
    drop_fonts(t);
    for (int i = 0; i < UI_FONT_COUNT; i++)
        if (t->map[i])
            munmap(t->map[i], t->map_len[i]);
    free(t);
}

static int clamp_px(int px)
{
    return px < 6 ? 6 : px > UI_TEXT_MAX_SIZE ? UI_TEXT_MAX_SIZE : px;
}

/* font_at - the font opened at a pixel size; opened on first use. */
static TTF_Font *font_at(ui_text *t, ui_font f, int px)
{
    px = clamp_px(px);
    for (int i = 0; i < t->font_count; i++)
        if (t->fonts[i].font == f && t->fonts[i].px == px)
            return t->fonts[i].ttf;
    if (t->font_count == FONT_SIZES_MAX)
        drop_fonts(t); /* only after many resizes; textures stay valid */
    if (!t->map[f]) {
        int fd = open(t->path[f], O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
            void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m != MAP_FAILED) {
                t->map[f] = m;
                t->map_len[f] = (size_t)st.st_size;
            }
        }
        if (fd >= 0)
            close(fd);
    }
    /* from the mapping when there is one (the stream is freed with the font), else the file */
    SDL_RWops *rw = t->map[f] ? SDL_RWFromConstMem(t->map[f], (int)t->map_len[f]) : NULL;
    TTF_Font *ttf = rw ? TTF_OpenFontRW(rw, 1, px) : TTF_OpenFont(t->path[f], px);
    if (!ttf)
        return NULL;
    t->fonts[t->font_count++] = (sized_font){f, px, ttf};
    return ttf;
}

static uint32_t key_hash(ui_font f, int px, uint32_t rgba, int wrap, int fit, const char *s)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 16777619u;
    uint32_t parts[5] = {(uint32_t)f, (uint32_t)px, rgba, (uint32_t)wrap, (uint32_t)fit};
    for (int i = 0; i < 5; i++)
        h = (h ^ parts[i]) * 16777619u;
    return h;
}

/* cut_to_fit - copy into out the longest prefix of s that fits max_w with an ellipsis. */
static void cut_to_fit(TTF_Font *font, const char *s, int max_w, char *out, size_t cap)
{
    int ew = 0, eh = 0, extent = 0, count = 0;
    TTF_SizeUTF8(font, ELLIPSIS, &ew, &eh);
    if (TTF_MeasureUTF8(font, s, max_w - ew > 0 ? max_w - ew : 0, &extent, &count) != 0)
        count = 0;
    /* count is in characters: walk that many UTF-8 sequences */
    size_t i = 0;
    for (int c = 0; c < count && s[i]; c++) {
        i++;
        while (s[i] && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    while (i > 0 && s[i - 1] == ' ')
        i--;
    if (i + sizeof ELLIPSIS > cap)
        i = cap > sizeof ELLIPSIS ? cap - sizeof ELLIPSIS : 0;
    memcpy(out, s, i);
    memcpy(out + i, ELLIPSIS, sizeof ELLIPSIS);
}

/* get_entry - the cache entry for a key, rendered on a miss; NULL for "" or on error. */
static entry *get_entry(ui_text *t, ui_font f, int px, SDL_Color c, const char *s, int wrap,
                        int fit)
{
    if (!s || !*s)
        return NULL;
    px = clamp_px(px);
    uint32_t rgba = (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a;
    uint32_t hash = key_hash(f, px, rgba, wrap, fit, s);
    entry **slot = &t->slots[hash & (UI_TEXT_CACHE_SLOTS - 1)];
    for (entry *e = *slot; e; e = e->next) {
        if (e->hash == hash && e->font == f && e->px == px && e->rgba == rgba && e->wrap == wrap &&
            e->fit == fit && !strcmp(e->s, s)) {
            e->last_frame = t->frame;
            return e;
        }
    }
    /* miss: render it */
    TTF_Font *font = font_at(t, f, px);
    if (!font)
        return NULL;
    SDL_Surface *surf = NULL;
    int cut = 0;
    if (wrap > 0) {
        surf = TTF_RenderUTF8_Blended_Wrapped(font, s, c, (Uint32)wrap);
    } else if (fit > 0) {
        int sw = 0, sh = 0;
        TTF_SizeUTF8(font, s, &sw, &sh);
        if (sw <= fit) {
            surf = TTF_RenderUTF8_Blended(font, s, c);
        } else {
            size_t n = strlen(s) + sizeof ELLIPSIS;
            char *short_s = malloc(n);
            if (!short_s)
                return NULL;
            cut_to_fit(font, s, fit, short_s, n);
            surf = TTF_RenderUTF8_Blended(font, short_s, c);
            free(short_s);
            cut = 1;
        }
    } else {
        surf = TTF_RenderUTF8_Blended(font, s, c);
    }
    if (!surf)
        return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(t->r, surf);
    int sw = surf->w, sh = surf->h;
    SDL_FreeSurface(surf);
    if (!tex)
        return NULL;
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    size_t len = strlen(s);
    entry *e = malloc(sizeof *e + len + 1);
    if (!e) {
        SDL_DestroyTexture(tex);
        return NULL;
    }
    *e = (entry){*slot, hash, f, px, wrap, fit, rgba, t->frame, tex, sw, sh, cut};
    memcpy(e->s, s, len + 1);
    *slot = e;
    t->entries++;
    t->renders++;
    return e;
}

SDL_Texture *ui_text_get(ui_text *t, ui_font f, int px, SDL_Color c, const char *s, int wrap,
                         int fit, int *w, int *h)
{
    entry *e = get_entry(t, f, px, c, s, wrap, fit);
    if (w)
        *w = e ? e->w : 0;
    if (h)
        *h = e ? e->h : 0;
    return e ? e->tex : NULL;
}

static void place(int *x, int *y, int w, int h, int align)
{
    if (align & UI_ALIGN_CENTER)
        *x -= w / 2;
    else if (align & UI_ALIGN_RIGHT)
        *x -= w;
    if (align & UI_ALIGN_MIDDLE)
        *y -= h / 2;
    else if (align & UI_ALIGN_BOTTOM)
        *y -= h;
}

/* check_bounds - count a text drawn at dst that leaves the current bounds. */
static void check_bounds(ui_text *t, SDL_Rect dst, const char *s)
{
    SDL_Rect b = t->bounds;
    if (!b.w || (dst.x >= b.x && dst.y >= b.y && dst.x + dst.w <= b.x + b.w &&
                 dst.y + dst.h <= b.y + b.h))
        return;
    if (!t->clips.overflows++)
        snprintf(t->clips.first_overflow, sizeof t->clips.first_overflow, "%s", s);
}

void ui_text_set_bounds(ui_text *t, const SDL_Rect *bounds)
{
    t->bounds = bounds ? *bounds : (SDL_Rect){0, 0, 0, 0};
}

void ui_text_get_clips(const ui_text *t, ui_text_clips *out)
{
    *out = t->clips;
}

void ui_text_reset_clips(ui_text *t)
{
    memset(&t->clips, 0, sizeof t->clips);
}

int ui_text_draw(ui_text *t, ui_font f, int px, SDL_Color c, const char *s, int x, int y,
                 int align)
{
    return ui_text_draw_fit(t, f, px, c, s, x, y, align, 0);
}

int ui_text_draw_fit(ui_text *t, ui_font f, int px, SDL_Color c, const char *s, int x, int y,
                     int align, int max_w)
{
    if (max_w < 0)
        return 0;
    entry *e = get_entry(t, f, px, c, s, 0, max_w);
    if (!e)
        return 0;
    int w = e->w, h = e->h;
    place(&x, &y, w, h, align);
    SDL_Rect dst = {x, y, w, h};
    t->clips.elided += (unsigned)e->cut;
    check_bounds(t, dst, s);
    SDL_RenderCopy(t->r, e->tex, NULL, &dst);
    return w;
}

int ui_text_draw_wrap(ui_text *t, ui_font f, int px, SDL_Color c, const char *s, int x, int y,
                      int wrap_w, int max_h)
{
    int w, h;
    if (wrap_w <= 0)
        return 0;
    SDL_Texture *tex = ui_text_get(t, f, px, c, s, wrap_w, 0, &w, &h);
    if (!tex)
        return 0;
    if (max_h > 0 && h > max_h) {
        /* clip whole lines only, so no half-cut line is shown */
        int lh = ui_text_line_height(t, f, px);
        int keep = lh > 0 ? (max_h / lh) * lh : max_h;
        SDL_Rect src = {0, 0, w, keep};
        SDL_Rect dst = {x, y, w, keep};
        if (h - keep > lh / 2) /* a whole line lost, not just the last line's descent */
            t->clips.dropped++;
        check_bounds(t, dst, s);
        SDL_RenderCopy(t->r, tex, &src, &dst);
        return keep;
    }
    SDL_Rect dst = {x, y, w, h};
    check_bounds(t, dst, s);
    SDL_RenderCopy(t->r, tex, NULL, &dst);
    return h;
}

void ui_text_size(ui_text *t, ui_font f, int px, const char *s, int *w, int *h)
{
    SDL_Color black = {0, 0, 0, 255};
    ui_text_get(t, f, px, black, s, 0, 0, w, h);
}

void ui_text_measure(ui_text *t, ui_font f, int px, const char *s, int *w, int *h)
{
    TTF_Font *font = font_at(t, f, px);
    *w = *h = 0;
    if (font && s && *s && TTF_SizeUTF8(font, s, w, h) != 0)
        *w = *h = 0;
}

int ui_text_line_height(ui_text *t, ui_font f, int px)
{
    TTF_Font *font = font_at(t, f, px);
    return font ? TTF_FontLineSkip(font) : px;
}

void ui_text_frame_end(ui_text *t)
{
    t->frame++;
    if (t->entries <= UI_TEXT_CACHE_KEEP)
        return;
    for (size_t i = 0; i < UI_TEXT_CACHE_SLOTS; i++) {
        entry **pp = &t->slots[i];
        while (*pp) {
            entry *e = *pp;
            if (t->frame - e->last_frame > UI_TEXT_STALE_FRAMES ||
                t->entries > 2 * UI_TEXT_CACHE_KEEP) {
                *pp = e->next;
                SDL_DestroyTexture(e->tex);
                free(e);
                t->entries--;
            } else {
                pp = &e->next;
            }
        }
    }
}

void ui_text_stats(const ui_text *t, size_t *entries, size_t *renders)
{
    if (entries)
        *entries = t->entries;
    if (renders)
        *renders = t->renders;
}

int ui_text_has_glyph(ui_text *t, ui_font f, Uint32 cp)
{
    TTF_Font *font = font_at(t, f, 16);
    return font && TTF_GlyphIsProvided32(font, cp);
}
