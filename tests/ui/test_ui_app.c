/* test_ui_app.c - render tests of the step-through window under SDL's dummy video driver with
 * the software renderer. Structural pixel checks (what colour is where, compared with where the
 * layout says things are) rather than golden images, so font hinting changes do not break
 * them. The world is a small live world built here, plus the shipped basic scenario. */
#define _DEFAULT_SOURCE /* mkdtemp, realpath */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/export/reply_style.h"
#include "core/teach/lesson.h"
#include "core/teach/progress.h"
#include "core/world/scenario.h"
#include "core/world/world.h"
#include "ui/ui_app.h"
#include "ui/ui_controls.h"
#include "ui/ui_flow.h"
#include "ui/ui_help.h"
#include "ui/ui_keys.h"
#include "ui/ui_layout.h"
#include "ui/ui_panels.h"
#include "ui/ui_quiz.h"
#include "ui/ui_theme.h"

#define W 1280
#define H 720

typedef struct {
    SDL_Window *win;
    SDL_Renderer *r;
    world *w;
    ui_app *app;
    uint32_t *pix;
} fixture;

static const char *data_dir(void)
{
    const char *d = getenv("SMTPSIM_DATA");
    return d && *d ? d : ".";
}

/* step - append one step to the live world. */
static void step(world *w, world_step_kind k, int from, int to, bool tls, const char *text,
                 int code, const char *verb, const char *sf, const char *st)
{
    static uint64_t t;
    world_step s;
    memset(&s, 0, sizeof s);
    s.kind = k;
    s.from = from;
    s.to = to;
    s.conn = 0;
    s.port = 587;
    s.tls = tls;
    s.t_send_ms = t;
    s.t_arrive_ms = t + 30;
    t += 40;
    char bytes[256];
    snprintf(bytes, sizeof bytes, "%s\r\n", text);
    s.text = text;
    s.bytes = bytes;
    s.len = strlen(bytes);
    snprintf(s.verb, sizeof s.verb, "%s", verb);
    s.code = code;
    s.rfc = "RFC 5321 4.1.1";
    s.key = "test";
    assert_int_equal(world_live_append_step(w, &s, sf, st), 0);
}

/* The little world: MUA -> MSA -> MX, a submission with STARTTLS and AUTH. */
enum { N_MUA, N_MSA, N_MX };
static world *small_world(void)
{
    world *w = world_new_live();
    assert_non_null(w);
    world_node n;
    memset(&n, 0, sizeof n);
    n.kind = WORLD_NODE_MUA;
    snprintf(n.role, sizeof n.role, "MUA");
    snprintf(n.name, sizeof n.name, "Alice's client");
    snprintf(n.host, sizeof n.host, "alice.example.com");
    assert_int_equal(world_live_add_node(w, &n), N_MUA);
    n.kind = WORLD_NODE_MSA;
    n.port = 587;
    snprintf(n.role, sizeof n.role, "MSA");
    snprintf(n.name, sizeof n.name, "smtp.example.com");
    snprintf(n.host, sizeof n.host, "smtp.example.com");
    assert_int_equal(world_live_add_node(w, &n), N_MSA);
    n.kind = WORLD_NODE_MX;
    n.port = 25;
    snprintf(n.role, sizeof n.role, "MX");
    snprintf(n.name, sizeof n.name, "mx.example.org");
    snprintf(n.host, sizeof n.host, "mx.example.org");
    assert_int_equal(world_live_add_node(w, &n), N_MX);
    step(w, WORLD_STEP_CONNECT, N_MUA, N_MSA, false, "connect", 0, "", "connecting", NULL);
    step(w, WORLD_STEP_REPLY, N_MSA, N_MUA, false, "220 smtp.example.com ESMTP", 220, "",
         "waiting for EHLO", "greeted");
    step(w, WORLD_STEP_COMMAND, N_MUA, N_MSA, false, "EHLO alice.example.com", 0, "EHLO", NULL,
         NULL);
    step(w, WORLD_STEP_REPLY, N_MSA, N_MUA, false, "250 smtp.example.com", 250, "EHLO",
         "waiting for MAIL", "ready");
    step(w, WORLD_STEP_COMMAND, N_MUA, N_MSA, false, "STARTTLS", 0, "STARTTLS", NULL, NULL);
    step(w, WORLD_STEP_REPLY, N_MSA, N_MUA, false, "220 2.0.0 Ready to start TLS", 220,
         "STARTTLS", NULL, NULL);
    step(w, WORLD_STEP_TLS, N_MUA, N_MSA, true, "TLS handshake", 0, "", "TLS active",
         "TLS active");
    step(w, WORLD_STEP_COMMAND, N_MUA, N_MSA, true, "AUTH PLAIN AGFsaWNlAHNlY3JldA==", 0, "AUTH",
         NULL, NULL);
    step(w, WORLD_STEP_REPLY, N_MSA, N_MUA, true, "235 2.7.0 Authentication successful", 235,
         "AUTH", "waiting for MAIL", NULL);
    step(w, WORLD_STEP_COMMAND, N_MUA, N_MSA, true, "MAIL FROM:<alice@example.com>", 0, "MAIL",
         NULL, NULL);
    step(w, WORLD_STEP_REPLY, N_MSA, N_MUA, true, "550 5.7.1 Not allowed", 550, "MAIL",
         "waiting for MAIL", NULL);
    return w;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return -1;
    f->win = SDL_CreateWindow("test", 0, 0, W, H, 0);
    f->r = f->win ? SDL_CreateRenderer(f->win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    if (!f->r)
        return -1;
    char err[256];
    ui_app_config cfg = {data_dir(), "default"};
    f->app = ui_app_new(f->r, NULL, &cfg, err, sizeof err);
    if (!f->app) {
        fprintf(stderr, "ui_app_new: %s\n", err);
        return -1;
    }
    f->w = small_world();
    ui_app_set_world(f->app, f->w, "test world");
    f->pix = malloc((size_t)W * H * 4);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ui_app_free(f->app);
    world_free(f->w);
    free(f->pix);
    SDL_DestroyRenderer(f->r);
    SDL_DestroyWindow(f->win);
    TTF_Quit();
    SDL_Quit();
    free(f);
    return 0;
}

/* draw - draw a frame and read it back. */
static void draw(fixture *f)
{
    ui_app_draw(f->app);
    assert_int_equal(SDL_RenderReadPixels(f->r, NULL, SDL_PIXELFORMAT_XRGB8888, f->pix, W * 4), 0);
}

static uint32_t rgb(SDL_Color c)
{
    return (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
}

static uint32_t at(const fixture *f, int x, int y)
{
    assert_true(x >= 0 && x < W && y >= 0 && y < H);
    return f->pix[(size_t)y * W + (size_t)x] & 0xFFFFFF;
}

static const ui_theme *theme(void)
{
    return ui_theme_get("default");
}

/* ---- the tests ---------------------------------------------------------------------------- */

static void test_nodes_where_layout_says(void **state)
{
    fixture *f = *state;
    ui_app_set_step(f->app, 2, 1.0f);
    draw(f);
    const ui_layout *lay = ui_app_layout(f->app);
    assert_int_equal(lay->node_count, 3);
    const ui_theme *th = theme();
    for (int i = 0; i < 3; i++) {
        SDL_Rect rc = lay->node[i];
        assert_true(rc.w > 50 && rc.h > 40);
        /* inside the flow area, in the order mail travels */
        assert_true(SDL_HasIntersection(&rc, &lay->flow));
        if (i > 0)
            assert_true(rc.x > lay->node[i - 1].x + lay->node[i - 1].w);
        /* the left border mid-height is a border colour; just inside is the node fill */
        int y = rc.y + rc.h * 3 / 4; /* below the link and its token dot */
        uint32_t border = at(f, rc.x + 1, y);
        assert_true(border == rgb(th->node_border) || border == rgb(th->node_active));
        assert_int_equal(at(f, rc.x + rc.w - 8, rc.y + rc.h - 10), rgb(th->node_fill));
        /* and just above the node is background */
        assert_int_equal(at(f, rc.x + rc.w / 2, rc.y - 3), rgb(th->bg));
    }
    /* the nodes of the current step (2: MUA -> MSA) have the active border; MX does not */
    assert_int_equal(at(f, lay->node[N_MUA].x + 1, lay->node[N_MUA].y + lay->node[N_MUA].h * 3 / 4),
                     rgb(th->node_active));
    assert_int_equal(at(f, lay->node[N_MX].x + 1, lay->node[N_MX].y + lay->node[N_MX].h * 3 / 4),
                     rgb(th->node_border));
}

static void test_token_halfway(void **state)
{
    fixture *f = *state;
    const ui_theme *th = theme();
    /* step 2: EHLO, MUA -> MSA, a command token */
    ui_app_set_step(f->app, 2, 0.5f);
    draw(f);
    const ui_layout *lay = ui_app_layout(f->app);
    float x, y, x1, y1, x2, y2;
    assert_int_equal(ui_flow_token_pos(lay, f->w, 2, 0.5f, &x, &y), 0);
    ui_flow_anchor(lay, N_MUA, N_MSA, &x1, &y1);
    ui_flow_anchor(lay, N_MSA, N_MUA, &x2, &y2);
    assert_true(x > x1 + 1 && x < x2 - 1); /* strictly between the two nodes */
    assert_true(x - (x1 + x2) / 2 < 1.0f && (x1 + x2) / 2 - x < 1.0f);
    assert_true(y - (y1 + y2) / 2 < 1.0f && (y1 + y2) / 2 - y < 1.0f);
    assert_int_equal(at(f, (int)x, (int)y), rgb(th->command));
    /* its label sits above, in the lane, also in the command colour */
    SDL_Rect tok = ui_app_token_rect(f->app);
    assert_true(tok.w > 0);
    assert_true(tok.y + tok.h <= lay->node[N_MUA].y);
    assert_int_equal(at(f, tok.x + tok.w / 2, tok.y + 2), rgb(th->command));
    /* at phase 0 the dot is at the MUA's edge, and the midpoint shows only the link */
    ui_app_set_step(f->app, 2, 0.0f);
    draw(f);
    assert_int_not_equal(at(f, (int)x, (int)y), rgb(th->command));
    /* a reply token (step 3, 250) is drawn in the 2xx colour */
    ui_app_set_step(f->app, 3, 0.5f);
    draw(f);
    assert_int_equal(ui_flow_token_pos(lay, f->w, 3, 0.5f, &x, &y), 0);
    assert_int_equal(at(f, (int)x, (int)y), rgb(th->reply[UI_REPLY_2XX]));
    /* and a 550 in the 5xx colour */
    ui_app_set_step(f->app, 10, 0.5f);
    draw(f);
    assert_int_equal(ui_flow_token_pos(lay, f->w, 10, 0.5f, &x, &y), 0);
    assert_int_equal(at(f, (int)x, (int)y), rgb(th->reply[UI_REPLY_5XX]));
}

static void test_transcript_highlight(void **state)
{
    fixture *f = *state;
    const ui_theme *th = theme();
    ui_app_set_step(f->app, 5, 1.0f);
    draw(f);
    ui_ctx *c = ui_app_ctx(f->app);
    const ui_layout *lay = ui_app_layout(f->app);
    ui_view v = {f->w, 5, 1.0f, false, NULL};
    SDL_Rect row, prev;
    assert_int_equal(ui_panels_transcript_row(c, lay, &v, NULL, 5, &row), 0);
    assert_int_equal(ui_panels_transcript_row(c, lay, &v, NULL, 4, &prev), 0);
    assert_true(SDL_HasIntersection(&row, &lay->transcript));
    int x = row.x + row.w - 6;
    assert_int_equal(at(f, x, row.y + 1), rgb(th->highlight));
    assert_int_equal(at(f, x, prev.y + 1), rgb(th->panel));
    /* later steps are not in the transcript yet */
    assert_int_equal(ui_panels_transcript_row(c, lay, &v, NULL, 6, &row), -1);
    /* a click on line 4 goes to step 4 and opens its bytes */
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = prev.x + prev.w / 2;
    e.button.y = prev.y + prev.h / 2;
    ui_app_event(f->app, &e);
    assert_int_equal(ui_app_step(f->app), 4);
    ui_app_set_bytes(f->app, false);
}

static void key(fixture *f, SDL_Keycode k)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    ui_app_event(f->app, &e);
}

static void test_forward_then_back_same_pixels(void **state)
{
    fixture *f = *state;
    size_t bytes = (size_t)W * H * 4;
    uint32_t *before = malloc(bytes);
    ui_app_set_step(f->app, 7, 1.0f);
    draw(f);
    memcpy(before, f->pix, bytes);
    key(f, SDLK_RIGHT); /* step 8 starts travelling */
    assert_int_equal(ui_app_step(f->app), 8);
    ui_app_update(f->app, 100);
    draw(f);
    assert_true(memcmp(before, f->pix, bytes) != 0);
    ui_app_update(f->app, 10000); /* arrived */
    assert_true(ui_app_phase(f->app) >= 1.0f);
    key(f, SDLK_PAGEDOWN);
    ui_app_update(f->app, 10000);
    assert_int_equal(ui_app_step(f->app), 9);
    key(f, SDLK_LEFT);
    key(f, SDLK_PAGEUP);
    assert_int_equal(ui_app_step(f->app), 7);
    draw(f);
    assert_memory_equal(before, f->pix, bytes);
    free(before);
}

static void test_animation_follows_elapsed_time(void **state)
{
    fixture *f = *state;
    /* the same elapsed time in one update or in many gives the same view */
    ui_app_set_step(f->app, 0, 0.0f);
    ui_app_set_playing(f->app, true);
    ui_app_update(f->app, 2345);
    size_t s1 = ui_app_step(f->app);
    float p1 = ui_app_phase(f->app);
    ui_app_set_step(f->app, 0, 0.0f);
    ui_app_set_playing(f->app, true);
    for (int i = 0; i < 2345; i++)
        ui_app_update(f->app, 1);
    assert_int_equal(ui_app_step(f->app), s1);
    assert_true(ui_app_phase(f->app) - p1 < 0.01f && p1 - ui_app_phase(f->app) < 0.01f);
    assert_true(s1 > 0); /* it did move */
    /* playing to the end stops there */
    ui_app_update(f->app, 600000);
    assert_int_equal(ui_app_step(f->app), world_step_count(f->w) - 1);
    assert_false(ui_app_playing(f->app));
    /* Home goes back to the start, paused */
    key(f, SDLK_HOME);
    assert_int_equal(ui_app_step(f->app), 0);
    key(f, SDLK_END);
    assert_int_equal(ui_app_step(f->app), world_step_count(f->w) - 1);
}

static void test_eavesdropper_and_bytes(void **state)
{
    fixture *f = *state;
    const world_step *st = world_step_at(f->w, 7); /* AUTH PLAIN, inside TLS */
    ui_view v = {f->w, 7, 1.0f, false, NULL};
    char label[160];
    ui_flow_label(&v, st, label, sizeof label);
    assert_string_equal(label, "AUTH PLAIN AGFsaWNlAHNlY3JldA==");
    v.eaves = true;
    ui_flow_label(&v, st, label, sizeof label);
    assert_non_null(strstr(label, "TLS record (encrypted)"));
    /* before STARTTLS the eavesdropper reads everything */
    ui_flow_label(&v, world_step_at(f->w, 2), label, sizeof label);
    assert_string_equal(label, "EHLO alice.example.com");
    /* the record is deterministic and looks like TLS application data */
    unsigned char a[128], b[128];
    size_t n = ui_panels_fake_record(st->bytes, st->len, a, sizeof a);
    assert_int_equal(n, 5 + st->len + 17);
    assert_int_equal(ui_panels_fake_record(st->bytes, st->len, b, sizeof b), n);
    assert_memory_equal(a, b, n);
    assert_int_equal(a[0], 23);
    assert_int_equal(a[1], 3);
    assert_int_equal(a[2], 3);
    for (size_t i = 0; i + 4 <= n; i++)
        assert_false(!memcmp(a + i, "AUTH", 4));
    /* AUTH PLAIN decoded, NULs shown */
    char b64[128], plain[128];
    assert_int_equal(ui_panels_auth_decode(f->w, 7, b64, sizeof b64, plain, sizeof plain), 0);
    assert_string_equal(b64, "AGFsaWNlAHNlY3JldA==");
    assert_string_equal(plain, "\\0alice\\0secret");
    assert_int_equal(ui_panels_auth_decode(f->w, 2, b64, sizeof b64, plain, sizeof plain), -1);
    /* CR LF made visible */
    char esc[64];
    ui_panels_escape("QUIT\r\n", 6, esc, sizeof esc, 0);
    assert_string_equal(esc, "QUIT\\r\\n\n");
    /* the inspector and the eavesdropper view draw (with the E and B keys) */
    ui_app_set_step(f->app, 7, 1.0f);
    key(f, SDLK_e);
    key(f, SDLK_b);
    draw(f);
    key(f, SDLK_e);
    key(f, SDLK_ESCAPE); /* closes the inspector, does not quit */
    assert_false(ui_app_quit_requested(f->app));
}

static void test_text_cache_steady(void **state)
{
    fixture *f = *state;
    ui_app_set_step(f->app, 6, 0.3f);
    draw(f);
    size_t e1, r1, e2, r2;
    ui_text_stats(ui_app_ctx(f->app)->text, &e1, &r1);
    ui_app_set_step(f->app, 6, 0.6f); /* the token moves, the texts stay */
    draw(f);
    draw(f);
    ui_text_stats(ui_app_ctx(f->app)->text, &e2, &r2);
    assert_int_equal(r1, r2); /* nothing rendered again */
    assert_int_equal(e1, e2);
}

/* layouts at classroom sizes: nothing overlaps, everything is on screen */
static void check_layout(fixture *f, int w, int h, const char *th)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_XRGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    char err[256];
    ui_app_config cfg = {data_dir(), th};
    ui_app *a = ui_app_new(r, NULL, &cfg, err, sizeof err);
    assert_non_null(a);
    ui_app_set_world(a, f->w, "layout");
    ui_app_draw(a);
    const ui_layout *lay = ui_app_layout(a);
    SDL_Rect screen = {0, 0, w, h};
    SDL_Rect parts[] = {lay->header, lay->flow, lay->transcript, lay->explain, lay->timeline,
                        lay->controls};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        SDL_Rect in;
        assert_true(SDL_IntersectRect(&parts[i], &screen, &in));
        assert_memory_equal(&in, &parts[i], sizeof in);
        for (size_t j = i + 1; j < sizeof parts / sizeof parts[0]; j++)
            assert_false(SDL_HasIntersection(&parts[i], &parts[j]));
    }
    for (size_t i = 0; i < lay->node_count; i++) {
        SDL_Rect in;
        assert_true(SDL_IntersectRect(&lay->node[i], &lay->flow, &in));
        assert_memory_equal(&in, &lay->node[i], sizeof in);
        for (size_t j = i + 1; j < lay->node_count; j++)
            assert_false(SDL_HasIntersection(&lay->node[i], &lay->node[j]));
    }
    /* buttons inside the bar and apart */
    ui_controls_state cs;
    memset(&cs, 0, sizeof cs);
    cs.speed = 1;
    cs.hover = -1;
    for (int b = 0; b < UI_BTN_COUNT; b++) {
        SDL_Rect rb = ui_controls_button_rect(ui_app_ctx(a), lay, &cs, (ui_button)b);
        if (!rb.w)
            continue;
        assert_true(rb.x >= 0 && rb.x + rb.w <= w);
        for (int b2 = b + 1; b2 < UI_BTN_COUNT; b2++) {
            SDL_Rect r2 = ui_controls_button_rect(ui_app_ctx(a), lay, &cs, (ui_button)b2);
            if (r2.w)
                assert_false(SDL_HasIntersection(&rb, &r2));
        }
    }
    ui_app_free(a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

static void test_layouts(void **state)
{
    fixture *f = *state;
    check_layout(f, 1280, 720, "default");
    check_layout(f, 1920, 1080, "default");
    check_layout(f, 1280, 720, "presenter");
    check_layout(f, 1920, 1080, "presenter");
    check_layout(f, 2560, 1440, "dark"); /* HiDPI output of a 1280x720 window */
    check_layout(f, 1024, 768, "default");
}

static void test_help_lists_keys(void **state)
{
    fixture *f = *state;
    /* the help is drawn from the key table: every line fits, in every theme, at the window's
     * default size and at its smallest (800x450) */
    const char *themes[] = {"default", "presenter", "dark"};
    const int sizes[][2] = {{W, H}, {800, 450}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, sizes[s][0], sizes[s][1], 32,
                                                           SDL_PIXELFORMAT_XRGB8888);
        SDL_Renderer *r = SDL_CreateSoftwareRenderer(surf);
        for (size_t t = 0; t < sizeof themes / sizeof themes[0]; t++) {
            char err[256];
            ui_app_config cfg = {data_dir(), themes[t]};
            ui_app *a = ui_app_new(r, NULL, &cfg, err, sizeof err);
            assert_non_null(a);
            ui_app_set_world(a, f->w, "help");
            ui_app_draw(a);
            int lines = ui_help_draw(ui_app_ctx(a), ui_app_layout(a));
            if (lines != ui_keys_help_lines())
                fprintf(stderr, "help at %dx%d, %s: %d of %d lines\n", sizes[s][0],
                        sizes[s][1], themes[t], lines, ui_keys_help_lines());
            assert_int_equal(lines, ui_keys_help_lines());
            ui_app_free(a);
        }
        SDL_DestroyRenderer(r);
        SDL_FreeSurface(surf);
    }
    /* keys the window has always had; Ctrl+Q quits */
    const SDL_Keycode want[] = {SDLK_SPACE, SDLK_PAGEDOWN, SDLK_PAGEUP, SDLK_HOME, SDLK_F1,
                                SDLK_F11, SDLK_F12, SDLK_e, SDLK_t, SDLK_b, SDLK_w};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_not_equal(ui_keys_action(want[i], KMOD_NONE), UI_KEY_NONE);
    /* F1 opens the help overlay (dimming the picture), any key closes it */
    ui_app_set_step(f->app, 1, 1.0f);
    draw(f);
    uint32_t plain = at(f, 5, H / 2);
    key(f, SDLK_F1);
    draw(f);
    assert_int_not_equal(at(f, 5, H / 2), plain);
    key(f, SDLK_x);
    draw(f);
    assert_int_equal(at(f, 5, H / 2), plain);
    /* T cycles themes: the background changes */
    uint32_t bg = at(f, 2, 2);
    key(f, SDLK_t);
    draw(f);
    key(f, SDLK_t);
    draw(f);
    assert_int_not_equal(at(f, 2, 2), bg);
    key(f, SDLK_t);
    draw(f);
    assert_int_equal(at(f, 2, 2), bg);
}

/* Every key of the table does what its row says, with the modifiers the row asks for: the
 * window's handling and the help overlay cannot disagree. */
static void test_keys_do_what_the_table_says(void **state)
{
    fixture *f = *state;
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, 800, 450, 32, SDL_PIXELFORMAT_XRGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(surf);
    size_t n = world_step_count(f->w);
    int checked = 0;
    for (int i = 0; i < ui_keys_count(); i++) {
        const ui_key *k = ui_keys_at(i);
        if (k->key == SDLK_UNKNOWN)
            continue;
        char err[256];
        ui_app_config cfg = {data_dir(), NULL};
        ui_app *a = ui_app_new(r, NULL, &cfg, err, sizeof err);
        assert_non_null(a);
        ui_app_set_world(a, f->w, "keys");
        ui_app_set_step(a, 3, 1.0f);
        ui_app_draw(a);
        SDL_Event e;
        memset(&e, 0, sizeof e);
        e.type = SDL_KEYDOWN;
        e.key.keysym.sym = k->key;
        e.key.keysym.mod = k->mod == UI_KEYS_CTRL ? KMOD_LCTRL
                           : k->mod == UI_KEYS_SHIFT ? KMOD_LSHIFT : KMOD_NONE;
        ui_app_event(a, &e);
        switch (k->action) {
        case UI_KEY_NEXT: assert_int_equal(ui_app_step(a), 4); checked++; break;
        case UI_KEY_BACK: assert_int_equal(ui_app_step(a), 2); checked++; break;
        case UI_KEY_FIRST: assert_int_equal(ui_app_step(a), 0); checked++; break;
        case UI_KEY_LAST: assert_int_equal(ui_app_step(a), n - 1); checked++; break;
        case UI_KEY_PLAY: assert_true(ui_app_playing(a)); checked++; break;
        case UI_KEY_QUIT: assert_true(ui_app_quit_requested(a)); checked++; break;
        case UI_KEY_ESCAPE: /* nothing open: the first Esc warns, the second quits */
            assert_false(ui_app_quit_requested(a));
            assert_non_null(strstr(ui_app_notice(a), "Esc again"));
            ui_app_event(a, &e);
            assert_true(ui_app_quit_requested(a));
            checked++;
            break;
        default: /* no getter: at least nothing else happened */
            assert_int_equal(ui_app_step(a), 3);
            assert_false(ui_app_quit_requested(a));
            break;
        }
        if (k->action != UI_KEY_QUIT && k->action != UI_KEY_ESCAPE)
            assert_false(ui_app_quit_requested(a));
        ui_app_free(a);
    }
    assert_true(checked >= 14);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
}

static void test_themes(void **state)
{
    (void)state;
    assert_int_equal(ui_theme_reply_class(250), UI_REPLY_2XX);
    assert_int_equal(ui_theme_reply_class(354), UI_REPLY_3XX);
    assert_int_equal(ui_theme_reply_class(451), UI_REPLY_4XX);
    assert_int_equal(ui_theme_reply_class(554), UI_REPLY_5XX);
    assert_int_equal(ui_theme_reply_class(0), UI_REPLY_NONE);
    const ui_theme *d = ui_theme_get("default"), *p = ui_theme_get("presenter");
    assert_non_null(d);
    assert_non_null(p);
    assert_null(ui_theme_get("nope"));
    assert_true(p->type_scale > d->type_scale);
    assert_ptr_equal(ui_theme_next(ui_theme_next(ui_theme_next(d))), d);
    /* every class has its own colour and its own word */
    for (int i = 0; i < UI_REPLY_CLASSES; i++)
        for (int j = i + 1; j < UI_REPLY_CLASSES; j++) {
            assert_int_not_equal(rgb(d->reply[i]), rgb(d->reply[j]));
            assert_string_not_equal(ui_theme_reply_label(i), ui_theme_reply_label(j));
        }
    /* the light themes draw the classes in the colours the exports use, with the same words
     * (one table: reply_style.c), so a handout and the projected window agree */
    const ui_theme *light[] = {d, p};
    for (size_t t = 0; t < 2; t++)
        for (int i = 0; i < UI_REPLY_CLASSES; i++) {
            const reply_style *st = reply_style_get((reply_style_class)i);
            assert_int_equal(rgb(light[t]->reply[i]), reply_style_rgb(st->hex));
            assert_int_equal(rgb(light[t]->reply_text[i]), reply_style_rgb(st->mark_hex));
            assert_string_equal(ui_theme_reply_label(i), st->word);
        }
}

/* A live world grows while it is shown (smtpsim live): new nodes get a place and a state. */
static void test_live_world_grows(void **state)
{
    fixture *f = *state;
    world *w = world_new_live();
    world_node n;
    memset(&n, 0, sizeof n);
    n.kind = WORLD_NODE_MUA;
    snprintf(n.role, sizeof n.role, "MUA");
    assert_int_equal(world_live_add_node(w, &n), 0);
    ui_app_set_world(f->app, w, "live");
    draw(f);
    assert_int_equal(ui_app_layout(f->app)->node_count, 1);
    n.kind = WORLD_NODE_MSA;
    snprintf(n.role, sizeof n.role, "MSA");
    assert_int_equal(world_live_add_node(w, &n), 1);
    n.kind = WORLD_NODE_MX;
    snprintf(n.role, sizeof n.role, "MX");
    assert_int_equal(world_live_add_node(w, &n), 2);
    step(w, WORLD_STEP_CONNECT, 0, 1, false, "connect", 0, "", "connecting", "greeting");
    step(w, WORLD_STEP_REPLY, 1, 0, false, "220 ready", 220, "", "waiting for EHLO", NULL);
    ui_app_set_step(f->app, 1, 0.5f);
    draw(f);
    assert_int_equal(ui_app_layout(f->app)->node_count, 3);
    assert_true(ui_app_layout(f->app)->node[2].w > 0);
    ui_app_set_world(f->app, f->w, "test world"); /* back to the fixture's world */
    world_free(w);
}

static void text_input(ui_app *a, const char *t)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_TEXTINPUT;
    snprintf(e.text.text, sizeof e.text.text, "%s", t);
    ui_app_event(a, &e);
}

static void app_key(ui_app *a, SDL_Keycode k)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    ui_app_event(a, &e);
}

/* The basic scenario has lessons with predict-the-reply questions: playing stops just before
 * the server answers, and goes on once the student has answered or skipped. */
static void test_quiz_predict_stops(void **state)
{
    (void)state;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_XRGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    char err[512], scen[512];
    ui_app_config cfg = {data_dir(), NULL};
    ui_app *a = ui_app_new(r, NULL, &cfg, err, sizeof err);
    assert_non_null(a);
    snprintf(scen, sizeof scen, "%s/lessons/scenarios/basic.json", data_dir());
    assert_int_equal(ui_app_load(a, scen, err, sizeof err), 0);
    const world *w = ui_app_world(a);
    size_t n = world_step_count(w);
    ui_app_set_playing(a, true);
    ui_app_update(a, 600000);
    size_t stop = ui_app_step(a);
    assert_true(stop + 1 < n); /* stopped early */
    assert_false(ui_app_playing(a));
    const world_step *next = world_step_at(w, stop + 1);
    assert_int_equal(next->kind, WORLD_STEP_REPLY); /* before a reply */
    ui_app_draw(a);
    /* stepping on is refused until answered */
    app_key(a, SDLK_RIGHT);
    assert_int_equal(ui_app_step(a), stop);
    /* answer: type the code the world will give (or pick the choice starting with it) */
    char code[8];
    snprintf(code, sizeof code, "%d", next->code);
    text_input(a, code); /* a typed answer (ignored when the question has choices) */
    app_key(a, SDLK_1);  /* a choice answers at once (a typed answer takes it as text) */
    app_key(a, SDLK_RETURN);
    ui_app_draw(a);
    if (ui_app_step(a) == stop)
        app_key(a, SDLK_RETURN); /* continue: the reply travels */
    assert_int_equal(ui_app_step(a), stop + 1);
    ui_app_update(a, 600000); /* an answered question does not stop again */
    assert_true(ui_app_step(a) > stop + 1 || ui_app_phase(a) >= 1.0f);
    /* the next stop can be skipped with Esc */
    ui_app_set_playing(a, true);
    ui_app_update(a, 600000);
    size_t stop2 = ui_app_step(a);
    if (stop2 + 1 < n) {
        assert_true(stop2 > stop);
        app_key(a, SDLK_ESCAPE);
        assert_int_equal(ui_app_step(a), stop2 + 1);
        assert_false(ui_app_quit_requested(a));
    }
    /* the Q key opens the lesson's questions; 1 answers a choice question, Esc closes */
    ui_app_set_step(a, 0, 1);
    app_key(a, SDLK_q);
    ui_app_draw(a);
    app_key(a, SDLK_1);
    text_input(a, "1");
    app_key(a, SDLK_RETURN);
    ui_app_draw(a);
    app_key(a, SDLK_ESCAPE);
    assert_false(ui_app_quit_requested(a));
    ui_app_free(a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

/* A presenter with a clicker: PageDown at a predict stop shows the answer, the next PageDown
 * lets the reply travel; X (or --no-predict) turns the stops off; I opens the statistics and
 * Esc closes them without quitting. */
static void test_quiz_presenter(void **state)
{
    (void)state;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_XRGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    char err[512], scen[512];
    ui_app_config cfg = {data_dir(), NULL};
    ui_app *a = ui_app_new(r, NULL, &cfg, err, sizeof err);
    assert_non_null(a);
    ui_app_set_quiz_seed(a, 7);
    snprintf(scen, sizeof scen, "%s/lessons/scenarios/basic.json", data_dir());
    assert_int_equal(ui_app_load(a, scen, err, sizeof err), 0);
    size_t n = world_step_count(ui_app_world(a));
    ui_app_set_playing(a, true);
    ui_app_update(a, 600000);
    size_t stop = ui_app_step(a);
    assert_true(stop + 1 < n);
    app_key(a, SDLK_PAGEDOWN); /* reveal */
    ui_app_draw(a);
    assert_int_equal(ui_app_step(a), stop);
    app_key(a, SDLK_PAGEDOWN); /* continue */
    assert_int_equal(ui_app_step(a), stop + 1);

    /* X: no more stops, the run plays to its end */
    app_key(a, SDLK_x);
    ui_app_set_playing(a, true);
    for (int i = 0; i < 50 && ui_app_step(a) + 1 < n; i++)
        ui_app_update(a, 600000);
    assert_int_equal(ui_app_step(a), n - 1);

    /* statistics: I opens, Esc closes, the window stays */
    app_key(a, SDLK_i);
    ui_app_draw(a);
    app_key(a, SDLK_ESCAPE);
    ui_app_draw(a);
    assert_false(ui_app_quit_requested(a));
    ui_app_free(a);

    /* started with the stops off (window/shot --no-predict) */
    a = ui_app_new(r, NULL, &cfg, err, sizeof err);
    ui_app_set_predict(a, false);
    assert_int_equal(ui_app_load(a, scen, err, sizeof err), 0);
    ui_app_set_playing(a, true);
    for (int i = 0; i < 50 && ui_app_step(a) + 1 < n; i++)
        ui_app_update(a, 600000);
    assert_int_equal(ui_app_step(a), n - 1);
    ui_app_free(a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

/* ---- what if? (issue 7) ------------------------------------------------------------------- */

static void ctrl_key(ui_app *a, SDL_Keycode k)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    e.key.keysym.mod = KMOD_LCTRL;
    ui_app_event(a, &e);
}

static void type_text(ui_app *a, const char *s)
{
    for (; *s; s++) {
        char one[2] = {*s, 0};
        text_input(a, one);
    }
}

/* last_reply_to - the last reply answering `verb` (in basic: the MX's reply to the relay). */
static size_t last_reply_to(const world *w, const char *verb)
{
    size_t found = SIZE_MAX;
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        if (s->kind == WORLD_STEP_REPLY && !strcmp(s->verb, verb))
            found = i;
    }
    assert_true(found != SIZE_MAX);
    return found;
}

static bool has_kind_after(const world *w, world_step_kind k, size_t from)
{
    for (size_t i = from; i < world_step_count(w); i++)
        if (world_step_at(w, i)->kind == k)
            return true;
    return false;
}

static void read_all(SDL_Renderer *r, uint32_t *pix)
{
    assert_int_equal(SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_XRGB8888, pix, W * 4), 0);
}

/* A student stops at the MX's answer to RCPT, presses W, types another reply and Enter: the
 * window shows world_new_fork's world, whose later steps come from the engines (a bounce, no
 * delivery); W returns to the original with the same pixels; Ctrl+S writes a scenario file
 * that reproduces the fork. */
static void test_whatif_fork(void **state)
{
    (void)state;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_XRGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    char err[512], scen[4096], cwd[4096], dir[] = "/tmp/smtpsim-whatif-XXXXXX";
    ui_app_config cfg = {data_dir(), NULL};
    ui_app *a = ui_app_new(r, NULL, &cfg, err, sizeof err);
    assert_non_null(a);
    assert_non_null(realpath(data_dir(), cwd));
    snprintf(scen, sizeof scen, "%s/lessons/scenarios/basic.json", cwd);
    assert_int_equal(ui_app_load(a, scen, err, sizeof err), 0);
    const world *orig = ui_app_world(a);
    size_t at = last_reply_to(orig, "RCPT");
    assert_true(has_kind_after(orig, WORLD_STEP_DELIVER, at));
    assert_false(has_kind_after(orig, WORLD_STEP_BOUNCE, 0));
    size_t bytes = (size_t)W * H * 4;
    uint32_t *before = malloc(bytes), *pix = malloc(bytes);

    /* not a reply step: W explains, Enter closes, nothing forks */
    ui_app_set_step(a, 0, 1);
    app_key(a, SDLK_w);
    assert_true(ui_app_whatif_editing(a));
    assert_non_null(strstr(ui_app_whatif_message(a), "reply"));
    app_key(a, SDLK_RETURN);
    assert_false(ui_app_whatif_editing(a));
    assert_false(ui_app_forked(a));

    ui_app_set_step(a, at, 1);
    ui_app_draw(a);
    read_all(r, before);

    /* W opens the field with the current reply; the W's own text event is not typed */
    app_key(a, SDLK_w);
    text_input(a, "w");
    assert_true(ui_app_whatif_editing(a));
    assert_string_equal(ui_app_whatif_text(a), "250 2.1.5 Ok");
    ui_app_draw(a);
    read_all(r, pix);
    assert_true(memcmp(before, pix, bytes) != 0); /* the field is drawn */
    /* stepping keys type nothing and do not step */
    app_key(a, SDLK_RIGHT);
    assert_int_equal(ui_app_step(a), at);

    /* a malformed reply is refused with a message in the field */
    ctrl_key(a, SDLK_BACKSPACE);
    assert_string_equal(ui_app_whatif_text(a), "");
    type_text(a, "hello");
    app_key(a, SDLK_RETURN);
    assert_true(ui_app_whatif_editing(a));
    assert_false(ui_app_forked(a));
    assert_non_null(strstr(ui_app_whatif_message(a), "3-digit code"));
    ctrl_key(a, SDLK_u);
    type_text(a, "650 nope");
    app_key(a, SDLK_RETURN);
    assert_false(ui_app_forked(a));
    for (int i = 0; i < 8; i++)
        app_key(a, SDLK_BACKSPACE);
    assert_string_equal(ui_app_whatif_text(a), "");
    /* Esc cancels */
    app_key(a, SDLK_ESCAPE);
    assert_false(ui_app_whatif_editing(a));
    assert_false(ui_app_quit_requested(a));

    /* the button opens it too; the real reply this time */
    ui_controls_state cs;
    memset(&cs, 0, sizeof cs);
    cs.quiz_available = true;
    cs.whatif_available = true;
    cs.speed = 1;
    cs.hover = -1;
    SDL_Rect b = ui_controls_button_rect(ui_app_ctx(a), ui_app_layout(a), &cs, UI_BTN_WHATIF);
    assert_true(b.w > 0);
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = b.x + b.w / 2;
    e.button.y = b.y + b.h / 2;
    ui_app_event(a, &e);
    assert_true(ui_app_whatif_editing(a));
    ctrl_key(a, SDLK_u);
    type_text(a, "550 5.1.1 No such user");
    app_key(a, SDLK_RETURN);
    assert_false(ui_app_whatif_editing(a));
    assert_true(ui_app_forked(a));
    const world *fw = ui_app_world(a);
    assert_ptr_not_equal(fw, orig);
    assert_int_equal(ui_app_step(a), at);
    const world_step *changed = world_step_at(fw, at);
    assert_int_equal(changed->code, 550);
    assert_string_equal(changed->esc, "5.1.1");
    /* the rest is the engines' doing: the relay bounces, and only the bounce is delivered
     * (to Alice, through example.com's implicit MX) */
    assert_true(has_kind_after(fw, WORLD_STEP_BOUNCE, at));
    for (size_t i = at; i < world_step_count(fw); i++)
        if (world_step_at(fw, i)->kind == WORLD_STEP_DELIVER)
            assert_non_null(strstr(world_step_at(fw, i)->text, "alice@example.com"));
    /* playing on walks the fork's own steps to its end */
    ui_app_set_playing(a, true);
    ui_app_update(a, 6000000);
    assert_int_equal(ui_app_step(a), world_step_count(fw) - 1);
    ui_app_set_step(a, at, 1);
    ui_app_draw(a);
    read_all(r, pix);
    assert_true(memcmp(before, pix, bytes) != 0); /* banner and the new reply */

    /* Ctrl+S: a scenario file in the current directory that replays the fork */
    assert_non_null(mkdtemp(dir));
    char old[4096];
    assert_non_null(getcwd(old, sizeof old));
    assert_int_equal(chdir(dir), 0);
    char name[256];
    assert_int_equal(ui_app_save_fork(a, name, sizeof name, err, sizeof err), 0);
    char name2[256];
    assert_int_equal(ui_app_save_fork(a, name2, sizeof name2, err, sizeof err), 0);
    assert_string_not_equal(name, name2); /* never overwrites */
    scenario *sc = scenario_load(name, err, sizeof err);
    assert_non_null(sc);
    world *saved = world_new(sc, err, sizeof err);
    assert_non_null(saved);
    assert_int_equal(world_step_count(saved), world_step_count(fw));
    assert_true(has_kind_after(saved, WORLD_STEP_BOUNCE, at));
    world_free(saved);
    scenario_free(sc);
    remove(name);
    remove(name2);
    assert_int_equal(chdir(old), 0);
    rmdir(dir);

    /* Esc leaves the fork too, without quitting; then W forks and W goes back */
    app_key(a, SDLK_ESCAPE);
    assert_false(ui_app_forked(a));
    assert_false(ui_app_quit_requested(a));
    assert_int_equal(ui_app_fork(a, at, "550 5.1.1 No such user", err, sizeof err), 0);
    assert_true(ui_app_forked(a));
    /* W goes back: the original world, the same step, the same pixels */
    app_key(a, SDLK_w);
    assert_false(ui_app_forked(a));
    assert_ptr_equal(ui_app_world(a), orig);
    assert_int_equal(ui_app_step(a), at);
    ui_app_draw(a);
    read_all(r, pix);
    assert_memory_equal(before, pix, bytes);
    /* not in a fork: nothing to save */
    assert_int_equal(ui_app_save_fork(a, name, sizeof name, err, sizeof err), -1);
    /* a fork at a step that is no reply is refused */
    assert_int_equal(ui_app_fork(a, 0, "550 5.1.1 No such user", err, sizeof err), -1);
    assert_false(ui_app_forked(a));

    free(before);
    free(pix);
    ui_app_free(a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

/* ---- the window quiz keeps progress (issue 5) --------------------------------------------- */

static void test_window_quiz_progress(void **state)
{
    (void)state;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_XRGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    char err[512], scen[4096], dir[] = "/tmp/smtpsim-progress-XXXXXX", path[4200];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sub/progress.json", dir); /* directories are created */
    ui_app_config cfg = {data_dir(), NULL};
    ui_app *a = ui_app_new(r, NULL, &cfg, err, sizeof err);
    assert_non_null(a);
    ui_app_set_progress(a, path);
    snprintf(scen, sizeof scen, "%s/lessons/scenarios/basic.json", data_dir());
    assert_int_equal(ui_app_load(a, scen, err, sizeof err), 0);
    /* answer the first two questions of the session, whatever their kind */
    app_key(a, SDLK_q);
    for (int i = 0; i < 2; i++) {
        ui_app_draw(a);
        app_key(a, SDLK_1);
        text_input(a, "1");
        app_key(a, SDLK_RETURN); /* submits a typed answer, or goes on after a choice */
        app_key(a, SDLK_RETURN);
    }
    progress *p = NULL;
    assert_int_equal(progress_load(path, &p, err, sizeof err), PROGRESS_LOADED);
    assert_true(progress_count(p) >= 1);
    size_t first = progress_count(p);
    unsigned seen = progress_at(p, 0)->seen;
    char id[80];
    snprintf(id, sizeof id, "%s", progress_at(p, 0)->id);
    progress_free(p);
    ui_app_free(a);

    /* a new window reads it back and adds to it */
    a = ui_app_new(r, NULL, &cfg, err, sizeof err);
    ui_app_set_progress(a, path);
    assert_int_equal(ui_app_load(a, scen, err, sizeof err), 0);
    app_key(a, SDLK_q);
    for (int i = 0; i < 3; i++) {
        ui_app_draw(a);
        app_key(a, SDLK_1);
        text_input(a, "1");
        app_key(a, SDLK_RETURN);
        app_key(a, SDLK_RETURN);
    }
    assert_int_equal(progress_load(path, &p, err, sizeof err), PROGRESS_LOADED);
    assert_true(progress_count(p) >= first);
    const progress_entry *pe = progress_get(p, id);
    assert_non_null(pe);
    assert_true(pe->seen >= seen);
    unsigned total = 0;
    for (size_t i = 0; i < progress_count(p); i++)
        total += progress_at(p, i)->seen;
    assert_true(total >= 3); /* both windows' answers are there */
    progress_free(p);
    ui_app_free(a);
    remove(path);
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    rmdir(sub);
    rmdir(dir);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodes_where_layout_says),
        cmocka_unit_test(test_token_halfway),
        cmocka_unit_test(test_transcript_highlight),
        cmocka_unit_test(test_forward_then_back_same_pixels),
        cmocka_unit_test(test_animation_follows_elapsed_time),
        cmocka_unit_test(test_eavesdropper_and_bytes),
        cmocka_unit_test(test_text_cache_steady),
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_help_lists_keys),
        cmocka_unit_test(test_keys_do_what_the_table_says),
        cmocka_unit_test(test_themes),
        cmocka_unit_test(test_quiz_predict_stops),
        cmocka_unit_test(test_quiz_presenter),
        cmocka_unit_test(test_live_world_grows),
        cmocka_unit_test(test_whatif_fork),
        cmocka_unit_test(test_window_quiz_progress),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
