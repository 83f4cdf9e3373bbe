/* test_ui_seqdiag.c - the PNG sequence diagram draws each reply class in the colour the window
 * and the SVG use (one table, reply_style.c): a 354 arrow is the 3xx orange, not green. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/export/reply_style.h"
#include "core/export/svg_export.h"
#include "ui/ui_seqdiag.h"

static const char *font_dir(char *buf, size_t cap)
{
    const char *d = getenv("SMTPSIM_DATA");
    snprintf(buf, cap, "%s/assets/fonts", d && *d ? d : ".");
    return buf;
}

static uint32_t pixel(SDL_Surface *s, int x, int y)
{
    Uint8 r, g, b;
    const Uint8 *p = (const Uint8 *)s->pixels + y * s->pitch + x * s->format->BytesPerPixel;
    Uint32 v = 0;
    memcpy(&v, p, s->format->BytesPerPixel > 4 ? 4 : s->format->BytesPerPixel);
    SDL_GetRGB(v, s->format, &r, &g, &b);
    return (uint32_t)r << 16 | (uint32_t)g << 8 | b;
}

static void test_reply_classes_coloured_as_the_window(void **state)
{
    (void)state;
    world *w = world_new_live();
    world_node a = {.kind = WORLD_NODE_MUA, .role = "MUA", .name = "c", .host = "a.example"};
    world_node b = {.kind = WORLD_NODE_MSA, .role = "MSA", .name = "s", .host = "s.example"};
    assert_true(world_live_add_node(w, &a) >= 0);
    assert_true(world_live_add_node(w, &b) >= 0);
    const int codes[] = {250, 354, 451, 550};
    for (size_t i = 0; i < 4; i++) {
        char text[32];
        snprintf(text, sizeof text, "%d reply", codes[i]);
        world_step rep = {.kind = WORLD_STEP_REPLY, .from = 1, .to = 0, .conn = 0, .port = 587,
                          .text = text, .code = codes[i], .verb = "DATA", .rfc = "", .key = ""};
        assert_int_equal(world_live_append_step(w, &rep, NULL, NULL), 0);
    }
    char *buf = NULL, err[256], fonts[512];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(ui_seqdiag_png(w, "t", font_dir(fonts, sizeof fonts), 1, f, err, sizeof err),
                     0);
    fclose(f);
    SDL_Surface *img = IMG_Load_RW(SDL_RWFromConstMem(buf, (int)len), 1);
    assert_non_null(img);
    assert_int_equal(img->w, SVG_EXPORT_MIN_W); /* two lifelines: room for the legend */
    /* the middle of each arrow, between the two lifelines */
    int x = SVG_EXPORT_MARGIN + SVG_EXPORT_COL_W;
    for (int i = 0; i < 4; i++) {
        int y = SVG_EXPORT_TOP + i * SVG_EXPORT_ROW_H + SVG_EXPORT_ROW_H / 2;
        const reply_style *st = reply_style_get((reply_style_class)i);
        assert_int_equal(pixel(img, x, y), reply_style_rgb(st->hex));
    }
    SDL_FreeSurface(img);
    free(buf);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_classes_coloured_as_the_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
