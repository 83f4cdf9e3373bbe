/* ui_png.c - frames in memory and as PNG files (see ui_png.h).
 *
 * Frames are XRGB8888, not ARGB: blended text on an ARGB target would leave alpha below 255 in
 * the file.
 *
 * Big pixel buffers come from ui_png_surface_new: SDL clears a new surface with memset, which
 * on a 1920x1080 frame touches 2,025 fresh pages, and on a virtual machine each page fault
 * costs tens of microseconds (50 ms in all, measured). Anonymous memory is already zero, and
 * with transparent huge pages (madvise mode) the same 8 MB arrive in four faults.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_HUGEPAGE */
#include "ui/ui_png.h"

#include <SDL_image.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

SDL_Surface *ui_png_surface_new(int w, int h)
{
    size_t pitch = (size_t)w * 4, len = pitch * (size_t)h;
    size_t span = (len + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    /* map one huge page more, then keep the aligned part: THP needs 2 MB-aligned ranges */
    uint8_t *m = mmap(NULL, span + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (m == MAP_FAILED) {
        SDL_SetError("%s", strerror(errno));
        return NULL;
    }
    uint8_t *p = (uint8_t *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (p > m)
        munmap(m, (size_t)(p - m));
    size_t tail = (size_t)(m + span + HUGE_PAGE - (p + span));
    if (tail)
        munmap(p + span, tail);
#ifdef MADV_HUGEPAGE
    madvise(p, span, MADV_HUGEPAGE); /* advice only: 4 KB pages still work */
#endif
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormatFrom(p, w, h, 32, (int)pitch,
                                                        SDL_PIXELFORMAT_XRGB8888);
    if (!s)
        munmap(p, span);
    return s;
}

void ui_png_surface_free(SDL_Surface *s)
{
    if (!s)
        return;
    void *p = s->pixels;
    size_t len = (size_t)s->pitch * (size_t)s->h;
    size_t span = (len + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    SDL_FreeSurface(s); /* does not free pixels it was given */
    munmap(p, span);
}

int ui_png_write(SDL_Surface *s, FILE *f, char *err, size_t errlen)
{
    SDL_RWops *rw = SDL_RWFromFP(f, SDL_FALSE);
    if (!rw) {
        snprintf(err, errlen, "%s", SDL_GetError());
        return -1;
    }
    /* IMG_SavePNG_RW frees rw (freedst = 1) but leaves f open: SDL_RWFromFP was told so */
    if (IMG_SavePNG_RW(s, rw, 1) != 0) {
        snprintf(err, errlen, "%s", IMG_GetError());
        return -1;
    }
    return 0;
}

int ui_png_save(SDL_Surface *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char why[256];
    int rc = ui_png_write(s, f, why, sizeof why);
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", path, why);
    if (fclose(f) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        remove(path); /* no half a PNG */
    return rc;
}

int ui_png_save_renderer(SDL_Renderer *r, const char *path, char *err, size_t errlen)
{
    int w, h;
    if (SDL_GetRendererOutputSize(r, &w, &h) != 0) {
        snprintf(err, errlen, "%s", SDL_GetError());
        return -1;
    }
    SDL_Surface *s = ui_png_surface_new(w, h);
    if (!s) {
        snprintf(err, errlen, "%s", SDL_GetError());
        return -1;
    }
    int rc = -1;
    if (SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_XRGB8888, s->pixels, s->pitch) != 0)
        snprintf(err, errlen, "reading pixels: %s", SDL_GetError());
    else
        rc = ui_png_save(s, path, err, errlen);
    ui_png_surface_free(s);
    return rc;
}
