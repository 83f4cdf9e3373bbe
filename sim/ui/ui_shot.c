/* ui_shot.c - saving frames as PNG, and drawing a frame with no display (see ui_shot.h).
 *
 * Offscreen frames are drawn by SDL's software renderer into an XRGB8888 surface (XRGB, not
 * ARGB: blended text on an ARGB target would leave alpha below 255 in the file).
 *
 * Big pixel buffers come from big_surface: SDL clears a new surface with memset, which on a
 * 1920x1080 frame touches 2,025 fresh pages, and on a virtual machine each page fault costs tens
 * of microseconds (50 ms in all, measured). Anonymous memory is already zero, and with
 * transparent huge pages (madvise mode) the same 8 MB arrive in four faults.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_HUGEPAGE */
#include "ui/ui_shot.h"

#include <SDL_image.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ui/ui_app.h"

/* Named limits. */
#define SHOT_MIN_SIZE 320
#define SHOT_MAX_SIZE 7680
#define SHOT_MAX_BENCH 100000

#define HUGE_PAGE ((size_t)2 << 20)

/* big_surface - an XRGB8888 surface over zeroed anonymous memory (huge pages when the kernel
 * gives them); free with big_surface_free. NULL when it cannot be made. */
static SDL_Surface *big_surface(int w, int h)
{
    size_t pitch = (size_t)w * 4, len = pitch * (size_t)h;
    size_t span = (len + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    /* map one huge page more, then keep the aligned part: THP needs 2 MB-aligned ranges */
    uint8_t *m = mmap(NULL, span + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (m == MAP_FAILED)
        return NULL;
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

static void big_surface_free(SDL_Surface *s)
{
    if (!s)
        return;
    void *p = s->pixels;
    size_t len = (size_t)s->pitch * (size_t)s->h;
    size_t span = (len + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    SDL_FreeSurface(s); /* does not free pixels it was given */
    munmap(p, span);
}

static int save_surface(SDL_Surface *s, const char *path, char *err, size_t errlen)
{
    if (IMG_SavePNG(s, path) != 0) {
        snprintf(err, errlen, "writing %s: %s", path, IMG_GetError());
        return -1;
    }
    return 0;
}

int ui_shot_save(SDL_Renderer *r, const char *path, char *err, size_t errlen)
{
    int w, h;
    if (SDL_GetRendererOutputSize(r, &w, &h) != 0) {
        snprintf(err, errlen, "%s", SDL_GetError());
        return -1;
    }
    SDL_Surface *s = big_surface(w, h);
    if (!s) {
        snprintf(err, errlen, "%s", SDL_GetError());
        return -1;
    }
    int rc = -1;
    if (SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_XRGB8888, s->pixels, s->pitch) != 0)
        snprintf(err, errlen, "reading pixels: %s", SDL_GetError());
    else
        rc = save_surface(s, path, err, errlen);
    big_surface_free(s);
    return rc;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double ms_since(Uint64 t0)
{
    return (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 /
           (double)SDL_GetPerformanceFrequency();
}

int ui_shot_render(const ui_shot_options *o, ui_shot_result *res, char *err, size_t errlen)
{
    Uint64 t0 = o->t_start ? o->t_start : SDL_GetPerformanceCounter();
    memset(res, 0, sizeof *res);
    if (o->w < SHOT_MIN_SIZE || o->h < SHOT_MIN_SIZE || o->w > SHOT_MAX_SIZE ||
        o->h > SHOT_MAX_SIZE) {
        snprintf(err, errlen, "size %dx%d out of range (%d..%d)", o->w, o->h, SHOT_MIN_SIZE,
                 SHOT_MAX_SIZE);
        return -1;
    }
    if (o->bench_frames < 0 || o->bench_frames > SHOT_MAX_BENCH) {
        snprintf(err, errlen, "--bench-frames must be 0..%d", SHOT_MAX_BENCH);
        return -1;
    }
    SDL_Surface *target = big_surface(o->w, o->h);
    SDL_Renderer *r = target ? SDL_CreateSoftwareRenderer(target) : NULL;
    ui_app *a = NULL;
    double *times = NULL;
    int rc = -1;
    if (!r) {
        snprintf(err, errlen, "software renderer: %s", SDL_GetError());
        goto fail;
    }
    ui_app_config cfg = {o->data_dir, o->theme};
    a = ui_app_new(r, NULL, &cfg, err, errlen);
    if (!a || ui_app_load(a, o->scenario, err, errlen) != 0)
        goto fail;
    if (o->reply && ui_app_fork(a, o->fork_at, o->reply, err, errlen) != 0)
        goto fail;
    res->steps = world_step_count(ui_app_world(a));
    ui_app_set_step(a, o->step, o->phase);
    res->step = ui_app_step(a);
    ui_app_set_eaves(a, o->eaves);
    ui_app_set_bytes(a, o->bytes);
    if ((o->quiz || o->predict) && ui_app_open_quiz(a, o->predict) != 0) {
        snprintf(err, errlen, "%s", o->predict ? "no predict question stops before the next step"
                                               : "no lesson animates this scenario");
        goto fail;
    }
    ui_app_draw(a);
    SDL_RenderFlush(r);
    res->first_frame_ms = ms_since(t0);
    /* the frame is already in target's pixels: no second 8 MB buffer to read it back into */
    if (o->out && save_surface(target, o->out, err, errlen) != 0)
        goto fail;
    if (o->bench_frames > 0) {
        times = malloc((size_t)o->bench_frames * sizeof *times);
        if (!times) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        /* the token moves every frame, as when playing */
        for (int i = 0; i < o->bench_frames; i++) {
            ui_app_set_step(a, o->step, (float)i / (float)o->bench_frames);
            Uint64 t = SDL_GetPerformanceCounter();
            ui_app_draw(a);
            SDL_RenderFlush(r);
            times[i] = ms_since(t);
        }
        qsort(times, (size_t)o->bench_frames, sizeof *times, cmp_double);
        res->median_ms = times[o->bench_frames / 2];
        res->p95_ms = times[(o->bench_frames * 95) / 100];
        /* frames where the step changes and everything is drawn again */
        size_t s0 = ui_app_step(a);
        for (int i = 0; i < o->bench_frames; i++) {
            ui_app_set_step(a, i % 2 && s0 > 0 ? s0 - 1 : s0, 1.0f);
            Uint64 t = SDL_GetPerformanceCounter();
            ui_app_draw(a);
            SDL_RenderFlush(r);
            times[i] = ms_since(t);
        }
        qsort(times, (size_t)o->bench_frames, sizeof *times, cmp_double);
        res->full_median_ms = times[o->bench_frames / 2];
    }
    rc = 0;
fail:
    free(times);
    ui_app_free(a);
    if (r)
        SDL_DestroyRenderer(r);
    big_surface_free(target);
    return rc;
}
