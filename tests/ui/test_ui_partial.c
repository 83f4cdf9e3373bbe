/* test_ui_partial.c - a partial frame (ui_app_set_partial: only the token, the timeline and the
 * notice redrawn over what the target already shows) gives exactly the pixels of a whole frame.
 *
 * Two windows show the same scenario on two software surfaces: one draws partially, the other
 * whole. After every frame their pixels must be identical, byte for byte, for every step of
 * every shipped scenario as the token travels, in every theme, with a notice coming and going.
 * This is what lets the browser present only the damaged rectangles. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/catalog.h"
#include "core/world/world.h"
#include "ui/ui_app.h"
#include "ui/ui_png.h"
#include "ui/ui_theme.h"

#define W 1024
#define H 640
/* a notice lasts 4 s (UI_APP_NOTICE_MS): this is past it */
#define NOTICE_GONE_MS 5000
/* phases of the token per step: leaving (a whole frame, then the layer is made), travelling
 * (partial frames), arrived (whole again: the step is done) */
static const float phases[] = {0.0f, 0.0f, 0.3f, 0.7f, 1.0f};
#define PHASES (sizeof phases / sizeof phases[0])

typedef struct {
    SDL_Surface *s;
    SDL_Renderer *r;
    ui_app *app;
} view;

static const char *data_dir(void)
{
    const char *d = getenv("SMTPSIM_DATA");
    return d && *d ? d : ".";
}

/* basic_path - the shipped basic scenario's file. */
static void basic_path(char *path, size_t cap)
{
    char err[600];
    if (catalog_resolve(data_dir(), CATALOG_SCENARIO, "basic", NULL, path, cap, err, sizeof err))
        fail_msg("%s", err);
}

static void view_open(view *v, const char *theme, const char *scenario_path, bool partial)
{
    char err[600];
    v->s = ui_png_surface_new(W, H);
    assert_non_null(v->s);
    v->r = SDL_CreateSoftwareRenderer(v->s);
    assert_non_null(v->r);
    ui_app_config cfg = {data_dir(), theme};
    v->app = ui_app_new(v->r, NULL, &cfg, err, sizeof err);
    assert_non_null(v->app);
    ui_app_set_predict(v->app, false);
    if (ui_app_load(v->app, scenario_path, err, sizeof err) != 0)
        fail_msg("%s: %s", scenario_path, err);
    ui_app_set_partial(v->app, partial);
}

static void view_close(view *v)
{
    ui_app_free(v->app);
    SDL_DestroyRenderer(v->r);
    SDL_FreeSurface(v->s);
}

/* draw_both - a frame in each; the partial one must equal the whole one. Returns the pixels
 * the partial frame said it changed. */
static long draw_both(view *part, view *whole, const char *what, size_t step, float phase)
{
    ui_app_draw(part->app);
    SDL_RenderFlush(part->r);
    ui_app_draw(whole->app);
    SDL_RenderFlush(whole->r);
    SDL_Rect d[UI_APP_MAX_DAMAGE];
    int n = ui_app_damage(part->app, d, UI_APP_MAX_DAMAGE);
    assert_true(n >= 1 && n <= UI_APP_MAX_DAMAGE);
    long area = 0;
    for (int i = 0; i < n; i++) {
        assert_true(d[i].x >= 0 && d[i].y >= 0 && d[i].x + d[i].w <= W && d[i].y + d[i].h <= H);
        area += (long)d[i].w * d[i].h;
    }
    for (int y = 0; y < H; y++) {
        const uint8_t *a = (const uint8_t *)part->s->pixels + (size_t)y * (size_t)part->s->pitch;
        const uint8_t *b = (const uint8_t *)whole->s->pixels + (size_t)y * (size_t)whole->s->pitch;
        if (memcmp(a, b, (size_t)W * 4) != 0) {
            int x = 0;
            while (((const uint32_t *)a)[x] == ((const uint32_t *)b)[x])
                x++;
            fail_msg("%s step %zu phase %.2f: partial frame differs at (%d,%d): %08x, whole %08x",
                     what, step, (double)phase, x, y, ((const uint32_t *)a)[x],
                     ((const uint32_t *)b)[x]);
        }
    }
    return area;
}

/* one scenario, every step, the token travelling: partial == whole, and the partial frames
 * change only a small part of the output */
static void check_scenario(const char *theme, const char *id, const char *path, long *partial_area,
                           long *partial_frames)
{
    view part, whole;
    view_open(&part, theme, path, true);
    view_open(&whole, theme, path, false);
    size_t n = world_step_count(ui_app_world(part.app));
    char what[200];
    snprintf(what, sizeof what, "%s (%s)", id, theme ? theme : "default");
    for (size_t s = 0; s < n; s++) {
        for (size_t p = 0; p < PHASES; p++) {
            ui_app_set_step(part.app, s, phases[p]);
            ui_app_set_step(whole.app, s, phases[p]);
            long area = draw_both(&part, &whole, what, s, phases[p]);
            if (area < (long)W * H) {
                (*partial_area) += area;
                (*partial_frames)++;
            }
        }
    }
    view_close(&part);
    view_close(&whole);
}

static void test_every_scenario_partial_equals_whole(void **state)
{
    (void)state;
    catalog_entry *list = NULL;
    long count = catalog_list(data_dir(), CATALOG_SCENARIO, &list);
    assert_true(count > 10);
    long area = 0, frames = 0;
    for (long i = 0; i < count; i++)
        check_scenario(NULL, list[i].id, list[i].path, &area, &frames);
    free(list);
    /* most frames were partial, and a partial frame touches a small part of the output */
    assert_true(frames > 0);
    long mean = area / frames;
    print_message("partial frames: %ld, mean area %ld px (%.1f%% of the output)\n", frames, mean,
                  100.0 * (double)mean / ((double)W * H));
    assert_true(mean < (long)W * H / 8);
}

static void test_themes_partial_equals_whole(void **state)
{
    (void)state;
    char path[CATALOG_MAX_PATH];
    basic_path(path, sizeof path);
    static const char *const themes[] = {"default", "presenter", "dark"};
    for (size_t t = 0; t < sizeof themes / sizeof themes[0]; t++) {
        assert_non_null(ui_theme_get(themes[t]));
        long area = 0, frames = 0;
        check_scenario(themes[t], "basic", path, &area, &frames);
        assert_true(frames > 0);
    }
}

/* a notice (the first Esc) comes over the header and goes after its time: both partial */
static void test_notice_partial_equals_whole(void **state)
{
    (void)state;
    char path[CATALOG_MAX_PATH];
    basic_path(path, sizeof path);
    view part, whole;
    view_open(&part, NULL, path, true);
    view_open(&whole, NULL, path, false);
    view *both[2] = {&part, &whole};
    for (int i = 0; i < 2; i++)
        ui_app_set_step(both[i]->app, 3, 0.5f);
    draw_both(&part, &whole, "before the notice", 3, 0.5f);
    draw_both(&part, &whole, "before the notice", 3, 0.5f);
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = SDLK_ESCAPE;
    e.key.keysym.scancode = SDL_SCANCODE_ESCAPE;
    for (int i = 0; i < 2; i++)
        ui_app_event(both[i]->app, &e);
    assert_true(ui_app_notice(part.app)[0] != 0);
    draw_both(&part, &whole, "with the notice", 3, 0.5f);
    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < 2; i++) {
            ui_app_update(both[i]->app, NOTICE_GONE_MS);
            ui_app_set_step(both[i]->app, 3, 0.6f + 0.1f * (float)f);
        }
        draw_both(&part, &whole, "the notice gone", 3, 0.6f);
    }
    assert_true(ui_app_notice(part.app)[0] == 0);
    view_close(&part);
    view_close(&whole);
}

/* without ui_app_set_partial every frame is whole */
static void test_damage_is_whole_by_default(void **state)
{
    (void)state;
    char path[CATALOG_MAX_PATH];
    basic_path(path, sizeof path);
    view v;
    view_open(&v, NULL, path, false);
    for (int f = 0; f < 4; f++) {
        ui_app_set_step(v.app, 2, 0.25f * (float)f);
        ui_app_draw(v.app);
        SDL_Rect d[UI_APP_MAX_DAMAGE];
        assert_int_equal(ui_app_damage(v.app, d, UI_APP_MAX_DAMAGE), 1);
        assert_int_equal(d[0].x, 0);
        assert_int_equal(d[0].y, 0);
        assert_int_equal(d[0].w, W);
        assert_int_equal(d[0].h, H);
    }
    view_close(&v);
}

int main(void)
{
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    if (SDL_Init(SDL_INIT_VIDEO) != 0 || TTF_Init() != 0) {
        fprintf(stderr, "SDL: %s\n", SDL_GetError());
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damage_is_whole_by_default),
        cmocka_unit_test(test_notice_partial_equals_whole),
        cmocka_unit_test(test_themes_partial_equals_whole),
        cmocka_unit_test(test_every_scenario_partial_equals_whole),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    TTF_Quit();
    SDL_Quit();
    return rc;
}
