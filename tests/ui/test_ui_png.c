/* test_ui_png.c - frames to PNG files: what is saved loads back pixel for pixel, and a file
 * that cannot be written is refused with its name and the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ui/ui_png.h"

static uint32_t pixel(SDL_Surface *s, int x, int y)
{
    return ((uint32_t *)((uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch))[x] & 0xFFFFFF;
}

/* draw - a red square on blue, through a software renderer on s. */
static SDL_Renderer *draw(SDL_Surface *s)
{
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    assert_non_null(r);
    SDL_SetRenderDrawColor(r, 0, 0, 255, 255);
    SDL_RenderClear(r);
    SDL_SetRenderDrawColor(r, 255, 0, 0, 255);
    SDL_RenderFillRect(r, &(SDL_Rect){10, 10, 20, 20});
    SDL_RenderFlush(r);
    return r;
}

static void check_file(const char *path, int w, int h)
{
    SDL_Surface *l = IMG_Load(path);
    assert_non_null(l);
    assert_int_equal(l->w, w);
    assert_int_equal(l->h, h);
    SDL_Surface *c = SDL_ConvertSurfaceFormat(l, SDL_PIXELFORMAT_XRGB8888, 0);
    assert_non_null(c);
    assert_int_equal(pixel(c, 0, 0), 0x0000FF);
    assert_int_equal(pixel(c, 15, 15), 0xFF0000);
    SDL_FreeSurface(c);
    SDL_FreeSurface(l);
}

static void test_surface_save_load(void **state)
{
    (void)state;
    SDL_Surface *s = ui_png_surface_new(1920, 1080);
    assert_non_null(s);
    assert_int_equal(s->format->format, SDL_PIXELFORMAT_XRGB8888);
    assert_int_equal(pixel(s, 1919, 1079), 0); /* starts zeroed */
    SDL_Renderer *r = draw(s);
    char path[256], err[512] = "";
    snprintf(path, sizeof path, "/tmp/smtpsim-test-png-%d.png", (int)getpid());
    assert_int_equal(ui_png_save(s, path, err, sizeof err), 0);
    check_file(path, 1920, 1080);
    /* the renderer's pixels read back give the same file */
    char path2[300];
    snprintf(path2, sizeof path2, "%s.2.png", path);
    assert_int_equal(ui_png_save_renderer(r, path2, err, sizeof err), 0);
    check_file(path2, 1920, 1080);
    unlink(path);
    unlink(path2);
    SDL_DestroyRenderer(r);
    ui_png_surface_free(s);
    ui_png_surface_free(NULL);
}

static void test_write_to_stream(void **state)
{
    (void)state;
    SDL_Surface *s = ui_png_surface_new(64, 48);
    SDL_Renderer *r = draw(s);
    char path[256], err[256];
    snprintf(path, sizeof path, "/tmp/smtpsim-test-png-stream-%d.png", (int)getpid());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(ui_png_write(s, f, err, sizeof err), 0);
    assert_true(ftell(f) > 8);               /* the PNG went through f ... */
    assert_int_equal(fputc(0, f), 0);        /* ... which is still open */
    assert_int_equal(fclose(f), 0);
    check_file(path, 64, 48);
    unlink(path);
    SDL_DestroyRenderer(r);
    ui_png_surface_free(s);
}

static void test_unwritable_path(void **state)
{
    (void)state;
    SDL_Surface *s = ui_png_surface_new(32, 32);
    char err[512] = "";
    const char *path = "/nonexistent-smtpsim-dir/x.png";
    assert_int_equal(ui_png_save(s, path, err, sizeof err), -1);
    /* the name given and the reason, nothing else */
    char want[512];
    snprintf(want, sizeof want, "%s: %s", path, strerror(ENOENT));
    assert_string_equal(err, want);
    ui_png_surface_free(s);
}

int main(void)
{
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_surface_save_load),
        cmocka_unit_test(test_write_to_stream),
        cmocka_unit_test(test_unwritable_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
