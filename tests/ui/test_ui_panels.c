/* test_ui_panels.c - the window's panels say everything (issue 11): the bytes inspector shows
 * all of a long step and scrolls (keys, and the wheel over it), the transcript expands a
 * multi-line reply in place and scrolls back, the lesson's narration and the scenario's
 * description reach the explanation panel, Esc needs a second press to quit, F12 and Ctrl+S
 * say on screen what they saved (or why not), and the header counts "Step N of M" with M the
 * real number of steps. Dummy video driver, software renderer, the shipped basic scenario. */
#define _DEFAULT_SOURCE /* mkdtemp, realpath */
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
#include <sys/stat.h>
#include <unistd.h>

#include "core/world/world.h"
#include "ui/ui_app.h"
#include "ui/ui_keys.h"
#include "ui/ui_panels.h"
#include "ui/ui_quiz.h"

#define W 1024
#define H 768

typedef struct {
    SDL_Surface *s;
    SDL_Renderer *r;
    ui_app *a;
} fixture;

static const char *data_dir(void)
{
    const char *d = getenv("SMTPSIM_DATA");
    return d && *d ? d : ".";
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    if (!f || SDL_Init(SDL_INIT_VIDEO) != 0)
        return -1;
    f->s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_XRGB8888);
    f->r = f->s ? SDL_CreateSoftwareRenderer(f->s) : NULL;
    char err[512], scen[4096], dir[4096];
    ui_app_config cfg = {data_dir(), NULL};
    f->a = f->r ? ui_app_new(f->r, NULL, &cfg, err, sizeof err) : NULL;
    if (!f->a || !realpath(data_dir(), dir))
        return -1;
    snprintf(scen, sizeof scen, "%s/lessons/scenarios/basic.json", dir);
    if (ui_app_load(f->a, scen, err, sizeof err) != 0) {
        fprintf(stderr, "load: %s\n", err);
        return -1;
    }
    ui_app_draw(f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ui_app_free(f->a);
    SDL_DestroyRenderer(f->r);
    SDL_FreeSurface(f->s);
    free(f);
    TTF_Quit();
    SDL_Quit();
    return 0;
}

static void key_mod(ui_app *a, SDL_Keycode k, Uint16 mod)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    e.key.keysym.mod = mod;
    ui_app_event(a, &e);
}

static void key(ui_app *a, SDL_Keycode k)
{
    key_mod(a, k, KMOD_NONE);
}

static void wheel(ui_app *a, int x, int y, int dy)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEWHEEL;
    e.wheel.y = dy;
    e.wheel.mouseX = x;
    e.wheel.mouseY = y;
    ui_app_event(a, &e);
}

static void click(ui_app *a, int x, int y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = x;
    e.button.y = y;
    ui_app_event(a, &e);
}

/* view - what the panels draw at the app's current step (phase 1, no eavesdropper). */
static ui_view view(const ui_app *a)
{
    ui_view v;
    memset(&v, 0, sizeof v);
    v.w = ui_app_world(a);
    v.step = ui_app_step(a);
    v.phase = 1;
    return v;
}

/* first_step - the first step of a kind whose text starts with prefix (NULL: any). */
static size_t first_step(const world *w, world_step_kind k, const char *prefix)
{
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *st = world_step_at(w, i);
        if (st->kind == k && (!prefix || (st->text && !strncmp(st->text, prefix, strlen(prefix)))))
            return i;
    }
    fail_msg("no such step");
    return 0;
}

static size_t last_step(const world *w, world_step_kind k)
{
    size_t found = 0;
    for (size_t i = 0; i < world_step_count(w); i++)
        if (world_step_at(w, i)->kind == k)
            found = i;
    return found;
}

static uint32_t pixel(const fixture *f, int x, int y)
{
    const uint32_t *p = (const uint32_t *)((const uint8_t *)f->s->pixels + y * f->s->pitch);
    return p[x] & 0xFFFFFF;
}

/* The message content (over 400 bytes) does not fit the inspector at 1024x768: it says how
 * many lines are left, and the keys and the wheel over it scroll to the end and back. */
static void test_inspector_scrolls(void **state)
{
    fixture *f = *state;
    ui_app *a = f->a;
    const world *w = ui_app_world(a);
    size_t content = last_step(w, WORLD_STEP_DATA); /* the relay's, with the Received: */
    const world_step *st = world_step_at(w, content);
    assert_true(st->len > 400);
    ui_app_set_step(a, content, 1);
    ui_app_set_bytes(a, true);
    ui_app_draw(a);
    ui_view v = view(a);
    ui_ctx *c = ui_app_ctx(a);
    const ui_layout *lay = ui_app_layout(a);
    ui_panels_scroll sc = ui_panels_bytes_scroll(c, lay, &v, ui_app_panels(a));
    assert_int_equal(sc.top, 0);
    assert_true(sc.shown > 5);
    assert_true(sc.rows > sc.shown); /* cut: "N more lines" is shown */
    /* every byte is in the rows: hex rows alone cover the whole step */
    assert_true(sc.rows >= (int)(st->len / 16));

    /* Shift+Down scrolls one row; Down still steps */
    key_mod(a, SDLK_DOWN, KMOD_LSHIFT);
    assert_int_equal(ui_app_panels(a)->bytes_top, 1);
    assert_int_equal(ui_app_step(a), content);
    /* the wheel over the inspector scrolls it, as far as the last page and no further */
    SDL_Rect ex = lay->explain;
    for (int i = 0; i < 200; i++)
        wheel(a, ex.x + ex.w / 2, ex.y + ex.h / 2, -1);
    assert_int_equal(ui_app_step(a), content);
    ui_app_draw(a);
    sc = ui_panels_bytes_scroll(c, lay, &v, ui_app_panels(a));
    assert_int_equal(sc.top + sc.shown, sc.rows); /* the last row is shown */
    assert_int_equal(ui_app_panels(a)->bytes_top, sc.top);
    /* back up with Shift+PageUp */
    for (int i = 0; i < 50; i++)
        key_mod(a, SDLK_PAGEUP, KMOD_LSHIFT);
    assert_int_equal(ui_app_panels(a)->bytes_top, 0);
    /* a new step starts at its top */
    key_mod(a, SDLK_DOWN, KMOD_LSHIFT);
    key(a, SDLK_RIGHT);
    ui_app_draw(a);
    assert_int_equal(ui_app_panels(a)->bytes_top, 0);
    /* the wheel over the flow still moves through the steps */
    size_t before = ui_app_step(a);
    wheel(a, lay->flow.x + 5, lay->flow.y + 5, 1);
    assert_int_equal(ui_app_step(a), before - 1);
}

/* The EHLO reply's eight lines unfold in place under their first line (L or a click) and fold
 * again; the rows after it move down; the transcript scrolls back with the wheel over it. */
static void test_transcript_expands(void **state)
{
    fixture *f = *state;
    ui_app *a = f->a;
    const world *w = ui_app_world(a);
    size_t ehlo = first_step(w, WORLD_STEP_REPLY, "250-");
    int lines = ui_panels_reply_lines(world_step_at(w, ehlo));
    assert_true(lines >= 5);
    assert_int_equal(ui_panels_reply_lines(world_step_at(w, 1)), 1); /* the greeting */
    ui_app_set_bytes(a, false);
    ui_app_set_step(a, ehlo, 1);
    ui_app_draw(a);
    ui_ctx *c = ui_app_ctx(a);
    const ui_layout *lay = ui_app_layout(a);
    ui_view v = view(a);
    ui_panels_scroll folded = ui_panels_transcript_scroll(c, lay, &v, ui_app_panels(a));
    assert_int_equal(folded.rows, (int)ehlo + 1);
    key(a, SDLK_l);
    assert_int_equal(ui_app_panels(a)->expanded, (long)ehlo);
    ui_panels_scroll open = ui_panels_transcript_scroll(c, lay, &v, ui_app_panels(a));
    assert_int_equal(open.rows, (int)ehlo + lines);
    /* the next step's line comes after all of them */
    ui_app_set_step(a, ehlo + 1, 1);
    v = view(a);
    SDL_Rect r0, r1;
    assert_int_equal(ui_panels_transcript_row(c, lay, &v, ui_app_panels(a), ehlo, &r0), 0);
    assert_int_equal(ui_panels_transcript_row(c, lay, &v, ui_app_panels(a), ehlo + 1, &r1), 0);
    assert_int_equal(r1.y - r0.y, lines * r0.h);
    /* a click on one of its further lines selects the step, a click on it folds it */
    assert_int_equal(ui_panels_transcript_hit(c, lay, &v, ui_app_panels(a), r0.x + 50,
                                              r0.y + r0.h + r0.h / 2),
                     (long)ehlo);
    ui_app_draw(a);
    click(a, r0.x + r0.w / 2, r0.y + r0.h / 2);
    assert_int_equal(ui_app_step(a), ehlo);
    assert_int_equal(ui_app_panels(a)->expanded, -1);
    click(a, r0.x + r0.w / 2, r0.y + r0.h / 2);
    assert_int_equal(ui_app_panels(a)->expanded, (long)ehlo);
    key(a, SDLK_ESCAPE); /* closes the inspector the click opened */
    key(a, SDLK_ESCAPE); /* folds the reply */
    assert_int_equal(ui_app_panels(a)->expanded, -1);
    assert_false(ui_app_quit_requested(a));

    /* at the last step the transcript is full: the wheel over it scrolls back, then forward */
    ui_app_set_step(a, world_step_count(w) - 1, 1);
    ui_app_draw(a);
    v = view(a);
    ui_panels_scroll sc = ui_panels_transcript_scroll(c, lay, &v, ui_app_panels(a));
    assert_true(sc.rows > sc.shown);
    SDL_Rect tr = lay->transcript;
    wheel(a, tr.x + tr.w / 2, tr.y + tr.h / 2, 1);
    assert_int_equal(ui_app_panels(a)->transcript_back, 3);
    assert_int_equal(ui_app_step(a), world_step_count(w) - 1);
    SDL_Rect row;
    assert_int_equal(ui_panels_transcript_row(c, lay, &v, ui_app_panels(a), 0, &row),
                     sc.top - 3 <= 0 ? 0 : -1);
    wheel(a, tr.x + tr.w / 2, tr.y + tr.h / 2, -1);
    assert_int_equal(ui_app_panels(a)->transcript_back, 0);
}

/* The lesson's narration at its step and the scenario's description at step 0 are drawn in
 * the explanation panel. */
static void test_narration_shown(void **state)
{
    fixture *f = *state;
    ui_app *a = f->a;
    const world *w = ui_app_world(a);
    ui_quiz *q = ui_quiz_new(data_dir(), "basic", w);
    assert_non_null(q);
    char text[1200];
    assert_true(ui_quiz_narration(q, 1, text, sizeof text) > 0);
    assert_non_null(strstr(text, "220"));
    assert_int_equal(ui_quiz_narration(NULL, 1, text, sizeof text), 0);
    assert_int_equal(ui_quiz_narration(q, 100000, text, sizeof text), 0);
    ui_quiz_free(q);

    /* the narration's accent bar (node_active) at the left of the text */
    ui_app_set_bytes(a, false);
    ui_app_set_step(a, 1, 1);
    ui_app_draw(a);
    ui_ctx *c = ui_app_ctx(a);
    const ui_layout *lay = ui_app_layout(a);
    SDL_Rect ex = lay->explain;
    SDL_Color acc = c->theme->node_active;
    uint32_t want = (uint32_t)acc.r << 16 | (uint32_t)acc.g << 8 | acc.b;
    int bar = 0, plain = 0;
    for (int y = ex.y; y < ex.y + ex.h; y++)
        bar += pixel(f, ex.x + c->pad + 1, y) == want;
    /* without the narration there is no bar (only the reply's own shape, a few pixels) */
    ui_view v = view(a);
    ui_panels_explain(c, lay, &v, NULL, NULL);
    for (int y = ex.y; y < ex.y + ex.h; y++)
        plain += pixel(f, ex.x + c->pad + 1, y) == want;
    assert_true(bar > plain + 20);
}

/* One Esc with nothing open only warns; a second within a few seconds quits; after the notice
 * expired (elapsed time, not frames) Esc warns again. Ctrl+Q quits at once. */
static void test_esc_twice(void **state)
{
    fixture *f = *state;
    ui_app *a = f->a;
    ui_app_set_bytes(a, false);
    ui_app_set_step(a, 0, 1);
    key(a, SDLK_ESCAPE);
    assert_false(ui_app_quit_requested(a));
    assert_non_null(strstr(ui_app_notice(a), "Esc again"));
    /* many frames, little time: the warning stays */
    for (int i = 0; i < 100; i++)
        ui_app_frame(a, 1);
    assert_non_null(strstr(ui_app_notice(a), "Esc again"));
    ui_app_frame(a, 5000); /* five seconds later: gone, and Esc only warns again */
    assert_string_equal(ui_app_notice(a), "");
    key(a, SDLK_ESCAPE);
    assert_false(ui_app_quit_requested(a));
    key(a, SDLK_RIGHT); /* another key in between: the next Esc only warns again */
    assert_string_equal(ui_app_notice(a), "");
    key(a, SDLK_ESCAPE);
    assert_false(ui_app_quit_requested(a));
    ui_app_frame(a, 500);
    key(a, SDLK_ESCAPE);
    assert_true(ui_app_quit_requested(a));
    /* with the inspector open, Esc closes it and quits nothing */
    char err[256];
    ui_app_config cfg = {data_dir(), NULL};
    ui_app *b = ui_app_new(f->r, NULL, &cfg, err, sizeof err);
    ui_app_set_world(b, ui_app_world(a), "esc");
    ui_app_set_bytes(b, true);
    key(b, SDLK_ESCAPE);
    key(b, SDLK_ESCAPE);
    assert_false(ui_app_quit_requested(b)); /* closed, then warned */
    key_mod(b, SDLK_q, KMOD_LCTRL);
    assert_true(ui_app_quit_requested(b));
    ui_app_free(b);
}

/* F12 and Ctrl+S confirm on screen with the file name, or say why nothing was saved. */
static void test_save_notices(void **state)
{
    fixture *f = *state;
    char err[512], dir[] = "/tmp/smtpsim-notice-XXXXXX", old[4096];
    ui_app_config cfg = {data_dir(), NULL};
    ui_app *a = ui_app_new(f->r, NULL, &cfg, err, sizeof err);
    char scen[4096], root[4096];
    assert_non_null(realpath(data_dir(), root));
    snprintf(scen, sizeof scen, "%s/lessons/scenarios/basic.json", root);
    assert_int_equal(ui_app_load(a, scen, err, sizeof err), 0);
    assert_non_null(getcwd(old, sizeof old));
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chdir(dir), 0);

    key(a, SDLK_F12);
    ui_app_frame(a, 16);
    assert_non_null(strstr(ui_app_notice(a), "saved screenshot: smtpsim-basic-step0.png"));
    struct stat sb;
    assert_int_equal(stat("smtpsim-basic-step0.png", &sb), 0);
    ui_app_frame(a, 16); /* the notice is drawn over the next frame */
    remove("smtpsim-basic-step0.png");

    /* Ctrl+S with no what-if says what it is for */
    key_mod(a, SDLK_s, KMOD_LCTRL);
    assert_non_null(strstr(ui_app_notice(a), "press W"));
    /* with one: the file's name */
    size_t at = 0;
    const world *w = ui_app_world(a);
    for (size_t i = 0; i < world_step_count(w); i++)
        if (world_step_at(w, i)->kind == WORLD_STEP_REPLY && world_step_at(w, i)->code == 354)
            at = i;
    assert_int_equal(ui_app_fork(a, at, "554 5.6.0 no", err, sizeof err), 0);
    key_mod(a, SDLK_s, KMOD_LCTRL);
    char name[128];
    snprintf(name, sizeof name, "saved what-if scenario: basic-whatif-step%zu.json", at);
    assert_non_null(strstr(ui_app_notice(a), name));
    remove(name + strlen("saved what-if scenario: "));

    /* a directory that is gone: the screenshot's notice names the file and the error */
    assert_int_equal(rmdir(dir), 0);
    key(a, SDLK_F12);
    ui_app_frame(a, 16);
    assert_non_null(strstr(ui_app_notice(a), "not saved"));
    assert_non_null(strstr(ui_app_notice(a), ".png"));
    assert_int_equal(chdir(old), 0);
    ui_app_free(a);
}

/* "Step N of M" with M the real number of steps (it said "Step 0 of 49" for 50), N numbered
 * from 0 as run, --step and the transcript number them. */
static void test_step_counter(void **state)
{
    fixture *f = *state;
    char label[64], want[64];
    size_t n = world_step_count(ui_app_world(f->a));
    ui_app_set_step(f->a, 0, 1);
    ui_app_step_label(f->a, label, sizeof label);
    snprintf(want, sizeof want, "Step 0 of %zu (0-%zu)", n, n - 1);
    assert_string_equal(label, want);
    ui_app_set_step(f->a, n - 1, 1);
    ui_app_step_label(f->a, label, sizeof label);
    snprintf(want, sizeof want, "Step %zu of %zu (0-%zu)", n - 1, n, n - 1);
    assert_string_equal(label, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_inspector_scrolls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transcript_expands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_narration_shown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_esc_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_notices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_step_counter, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
