/* web_main.c - smtpsim in the browser: the step-through window of sim/ui, driven by the
 * browser's frame clock instead of a loop of its own.
 *
 * Only what the browser changes lives here: the main loop (emscripten_set_main_loop, one call
 * per animation frame, so the page never blocks), the deep link (the page passes
 * ?scenario=&step=&theme=&lesson=&size= as arguments), the canvas following the size the page
 * gives it, touch (a tap is a click, a swipe steps), and the functions the page's few buttons
 * call: exports as downloads, the progress file out and in, a benchmark. Scenarios, lessons and
 * fonts are packaged under WEB_DATA_DIR; the window's current directory is WEB_OUTBOX, so what
 * it saves there (F12 screenshots, Ctrl+S what-if scenarios) becomes a download.
 *
 * Speed: the window draws partially (only the token, the timeline's end and a notice move while
 * a step plays) and present() puts only those rectangles on the canvas (web_canvas). The canvas
 * has the device's pixels (CSS size times devicePixelRatio), so text is sharp on high-DPI
 * screens; SDL scales the mouse and touch positions to them.
 */
#include <SDL.h>
#include <SDL_ttf.h>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/export/pcap_export.h"
#include "core/export/svg_export.h"
#include "core/export/transcript.h"
#include "core/teach/catalog.h"
#include "core/teach/gift.h"
#include "core/teach/lesson.h"
#include "core/teach/progress.h"
#include "core/world/scenario.h"
#include "core/world/world.h"
#include "ui/ui_app.h"
#include "ui/ui_theme.h"
#include "web/web_canvas.h"
#include "web/web_download.h"
#include "web/web_storage.h"
#include "web/web_url.h"

/* Named limits and places. */
#define WEB_DATA_DIR "/data" /* lessons/ and assets/fonts, packaged with the page (index.data) */
#define WEB_DEFAULT_SCENARIO "basic"
#define WEB_MIN_W 320
#define WEB_MIN_H 240
#define WEB_MAX_SIDE 7680     /* device pixels: a 4K screen at 2x */
#define WEB_MAX_RATIO 4.0     /* devicePixelRatio beyond this is taken as this */
#define WEB_SWIPE_PX 40       /* a touch that moves further than this sideways is a swipe */
#define WEB_IDLE_MS 400       /* keep drawing this long after the last input */
#define WEB_BENCH_MAX 5000
#define WEB_TMP "/tmp/export"

static struct {
    SDL_Window *win;
    SDL_Renderer *r;
    ui_app *app;
    char scenario[64], lesson[64], theme[32];
    long step;
    int fixed_w, fixed_h; /* --size: the canvas keeps this size (tests, benchmarks) */
    double last_ms, input_ms;
    int frames; /* drawn */
    int ticks;  /* calls of the frame function, drawn or idle: events are handled in each */
    bool failed;
    float touch_x, touch_y;
    double ratio; /* device pixels per CSS pixel of the canvas */
    bool touching;
    char title[160], title_of[64]; /* the scenario's title, for the SVG */
} web;

/* ---- start -------------------------------------------------------------------------------- */

/* parse_args - the deep link, as the page passes it: --scenario ID --step N --theme NAME
 * --lesson ID --size WxH. Unknown or malformed values are ignored: a link must never fail. */
static void parse_args(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--scenario"))
            snprintf(web.scenario, sizeof web.scenario, "%s", v);
        else if (!strcmp(k, "--lesson"))
            snprintf(web.lesson, sizeof web.lesson, "%s", v);
        else if (!strcmp(k, "--theme") && ui_theme_get(v))
            snprintf(web.theme, sizeof web.theme, "%s", v);
        else if (!strcmp(k, "--step"))
            web.step = strtol(v, NULL, 10) > 0 ? strtol(v, NULL, 10) : 0;
        else if (!strcmp(k, "--size") &&
                 sscanf(v, "%dx%d", &web.fixed_w, &web.fixed_h) != 2)
            web.fixed_w = web.fixed_h = 0;
    }
    if (web.fixed_w < WEB_MIN_W || web.fixed_h < WEB_MIN_H || web.fixed_w > WEB_MAX_SIDE ||
        web.fixed_h > WEB_MAX_SIDE)
        web.fixed_w = web.fixed_h = 0;
}

/* safe_name - an id from a link is used in a path: letters, digits, '-' and '_' only. */
static bool safe_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

/* load_lesson - the lesson with this id (from the link), or NULL. */
static lesson *load_lesson(const char *id)
{
    char path[CATALOG_MAX_PATH], err[600];
    if (!safe_name(id) ||
        catalog_resolve(WEB_DATA_DIR, CATALOG_LESSON, id, NULL, path, sizeof path, err,
                        sizeof err) != 0)
        return NULL;
    return lesson_load(path, err, sizeof err);
}

/* load_scenario - show scenario `name` (an id); the default one when it is unknown. */
static int load_scenario(const char *name)
{
    char path[CATALOG_MAX_PATH], err[600];
    if (!safe_name(name) || catalog_resolve(WEB_DATA_DIR, CATALOG_SCENARIO, name, NULL, path,
                                            sizeof path, err, sizeof err) != 0) {
        fprintf(stderr, "smtpsim: no scenario '%s'; showing '%s'\n", name, WEB_DEFAULT_SCENARIO);
        if (catalog_resolve(WEB_DATA_DIR, CATALOG_SCENARIO, WEB_DEFAULT_SCENARIO, NULL, path,
                            sizeof path, err, sizeof err) != 0)
            return -1;
    }
    if (ui_app_load(web.app, path, err, sizeof err) != 0) {
        fprintf(stderr, "smtpsim: %s\n", err);
        return -1;
    }
    return 0;
}

EM_JS(void, js_started, (int ok), {
    if (Module.onStarted) Module.onStarted(ok);
});

EM_JS(void, js_first_frame, (void), {
    Module.firstFrameMs = performance.now(); /* from navigation start: the benchmark reads it */
});

/* start - once the browser storage is loaded: the window, the scenario, the link's view. */
static void start(void)
{
    char err[600];
    ui_app_config cfg = {WEB_DATA_DIR, web.theme[0] ? web.theme : NULL};
    web.app = ui_app_new(web.r, web.win, &cfg, err, sizeof err);
    if (!web.app) {
        fprintf(stderr, "smtpsim: %s\n", err);
        web.failed = true;
        js_started(0);
        return;
    }
    ui_app_set_progress(web.app, WEB_PROGRESS);
    ui_app_set_partial(web.app, true); /* the canvas keeps its pixels: see present() */
    /* a lesson link without a scenario opens the scenario the lesson animates */
    if (!web.scenario[0] && web.lesson[0]) {
        lesson *l = load_lesson(web.lesson);
        if (l && l->scenario)
            snprintf(web.scenario, sizeof web.scenario, "%s", l->scenario);
        lesson_free(l);
    }
    if (load_scenario(web.scenario[0] ? web.scenario : WEB_DEFAULT_SCENARIO) != 0) {
        web.failed = true;
        js_started(0);
        return;
    }
    /* the step's token has arrived, so N presses of Right from a fresh page show step N, as
     * `smtpsim shot --step N --phase 1` does */
    ui_app_set_step(web.app, (size_t)web.step, 1.0f);
    if (web.lesson[0])
        ui_app_open_quiz(web.app, false);
    js_started(1);
}

/* ---- input -------------------------------------------------------------------------------- */

/* send_key - a key press as the keyboard would make it. */
static void send_key(SDL_Keycode sym, SDL_Scancode sc)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = sym;
    e.key.keysym.scancode = sc;
    ui_app_event(web.app, &e);
    e.type = SDL_KEYUP;
    e.key.state = SDL_RELEASED;
    ui_app_event(web.app, &e);
}

/* touch - a finger that moved sideways steps (left: forward, as turning a page); one that
 * stayed put clicks where it was lifted. SDL's own touch-to-mouse events are off (main), so a
 * swipe never also drags or clicks. */
static void touch(const SDL_Event *e)
{
    int w, h;
    SDL_GetWindowSize(web.win, &w, &h);
    float x = e->tfinger.x * (float)w, y = e->tfinger.y * (float)h;
    if (e->type == SDL_FINGERDOWN) {
        web.touching = true;
        web.touch_x = x;
        web.touch_y = y;
        return;
    }
    if (e->type != SDL_FINGERUP || !web.touching)
        return;
    web.touching = false;
    float dx = x - web.touch_x, dy = y - web.touch_y;
    float adx = dx < 0 ? -dx : dx, ady = dy < 0 ? -dy : dy;
    float swipe = WEB_SWIPE_PX * (float)web.ratio; /* the window counts device pixels */
    if (adx >= swipe && adx > ady * 1.5f) {
        if (dx < 0)
            send_key(SDLK_RIGHT, SDL_SCANCODE_RIGHT);
        else
            send_key(SDLK_LEFT, SDL_SCANCODE_LEFT);
    } else if (adx < swipe && ady < swipe) {
        SDL_Event m;
        memset(&m, 0, sizeof m);
        m.type = SDL_MOUSEMOTION;
        m.motion.x = (int)x;
        m.motion.y = (int)y;
        ui_app_event(web.app, &m);
        memset(&m, 0, sizeof m);
        m.type = SDL_MOUSEBUTTONDOWN;
        m.button.button = SDL_BUTTON_LEFT;
        m.button.state = SDL_PRESSED;
        m.button.clicks = 1;
        m.button.x = (int)x;
        m.button.y = (int)y;
        ui_app_event(web.app, &m);
        m.type = SDL_MOUSEBUTTONUP;
        m.button.state = SDL_RELEASED;
        ui_app_event(web.app, &m);
    }
}

/* follow_canvas - the window takes the size the page gives the canvas, in device pixels (CSS
 * pixels times devicePixelRatio): drawn at the screen's own resolution, the layout scales up
 * with it (ui_layout_scale), so a high-DPI screen shows the same picture, sharper. SDL maps
 * mouse and touch positions from CSS pixels to the window's. */
static bool follow_canvas(void)
{
    double cw = web.fixed_w, ch = web.fixed_h;
    if (!web.fixed_w && emscripten_get_element_css_size("#canvas", &cw, &ch) != 0)
        return false;
    /* below 1 (a zoomed-out page) draws at CSS pixels; beyond WEB_MAX_RATIO is taken as that */
    double ratio = emscripten_get_device_pixel_ratio();
    web.ratio = !(ratio >= 1.0) ? 1.0 : ratio > WEB_MAX_RATIO ? WEB_MAX_RATIO : ratio; /* NaN too */
    if (cw < WEB_MIN_W)
        cw = WEB_MIN_W;
    if (ch < WEB_MIN_H)
        ch = WEB_MIN_H;
    double pw = cw * web.ratio, ph = ch * web.ratio;
    int w = (int)(pw < WEB_MAX_SIDE ? pw + 0.5 : WEB_MAX_SIDE);
    int h = (int)(ph < WEB_MAX_SIDE ? ph + 0.5 : WEB_MAX_SIDE), ww, wh;
    SDL_GetWindowSize(web.win, &ww, &wh);
    if (w == ww && h == wh)
        return false;
    SDL_SetWindowSize(web.win, w, h);
    return true;
}

/* ---- the loop ----------------------------------------------------------------------------- */

/* present - the rectangles the last frame changed, onto the canvas. */
static void present(void)
{
    SDL_Rect d[UI_APP_MAX_DAMAGE];
    SDL_RenderFlush(web.r);
    web_canvas_present(web.win, d, ui_app_damage(web.app, d, UI_APP_MAX_DAMAGE));
}

static void frame(void)
{
    if (web.failed || !web_storage_ready())
        return;
    if (!web.app) {
        start();
        if (web.failed)
            return;
    }
    web.ticks++;
    double now = emscripten_get_now();
    bool draw = follow_canvas() || web.frames < 2;
    if (web_canvas_restored()) {
        ui_app_redraw_whole(web.app);
        draw = true;
    }
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT)
            continue; /* closing the tab is the browser's business */
        if (e.type == SDL_FINGERDOWN || e.type == SDL_FINGERUP || e.type == SDL_FINGERMOTION)
            touch(&e);
        else
            ui_app_event(web.app, &e);
        web.input_ms = now;
    }
    double dt = web.last_ms ? now - web.last_ms : 0;
    web.last_ms = now;
    /* idle: no redraw (the canvas keeps its pixels), so a page left open costs nothing */
    if (draw || ui_app_busy(web.app) || now - web.input_ms < WEB_IDLE_MS) {
        ui_app_frame(web.app, (uint32_t)(dt > 1000 ? 1000 : dt));
        present();
        if (++web.frames == 1)
            js_first_frame();
    }
    web_download_outbox();
    web_storage_poll();
    web_url_update(ui_app_scenario_id(web.app), ui_app_step(web.app),
                   ui_app_ctx(web.app)->theme->name);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    /* Emscripten starts with a umask of 0777, which would give every file written through
     * file_atomic_open (it applies the umask) mode 0: the progress file could not be read back */
    umask(022);
    mkdir(WEB_OUTBOX, 0700);
    mkdir("/tmp", 0700);
    if (chdir(WEB_OUTBOX) != 0)
        fprintf(stderr, "smtpsim: cannot use %s\n", WEB_OUTBOX);
    web_storage_mount();
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    /* keys go to the canvas only, so the page's buttons and the upload field keep theirs */
    SDL_SetHint(SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT, "#canvas");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "smtpsim: SDL: %s\n", SDL_GetError());
        js_started(0);
        return 1;
    }
    int w = web.fixed_w ? web.fixed_w : 1280, h = web.fixed_h ? web.fixed_h : 720;
    web.ratio = 1.0;
    web.win = SDL_CreateWindow("smtpsim", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, w, h,
                               0);
    /* the software renderer, as `smtpsim shot`: the same pixels as natively, and it needs only
     * a 2D canvas */
    web.r = web.win ? SDL_CreateRenderer(web.win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    if (!web.r) {
        fprintf(stderr, "smtpsim: cannot draw: %s\n", SDL_GetError());
        js_started(0);
        return 1;
    }
    SDL_StartTextInput();
    emscripten_set_main_loop(frame, 0, 0);
    return 0;
}

/* ---- what the page's buttons call ------------------------------------------------------------ */

/* scenario_title_of - the title of the scenario shown (cached per id), for the SVG. */
static const char *scenario_title_of(const char *id)
{
    if (strcmp(web.title_of, id) != 0) {
        char path[CATALOG_MAX_PATH], err[300];
        snprintf(web.title_of, sizeof web.title_of, "%s", id);
        snprintf(web.title, sizeof web.title, "%s", id);
        if (catalog_resolve(WEB_DATA_DIR, CATALOG_SCENARIO, id, NULL, path, sizeof path, err,
                            sizeof err) == 0) {
            scenario *sc = scenario_load(path, err, sizeof err);
            if (sc)
                snprintf(web.title, sizeof web.title, "%s", scenario_title(sc));
            scenario_free(sc);
        }
    }
    return web.title;
}

/* lesson_of_scenario - the lesson to export as GIFT: the link's, else the first (in listing
 * order) that animates the scenario shown, else the full-session lesson. Caller frees. */
static lesson *lesson_of_scenario(const char *id)
{
    lesson *l = web.lesson[0] ? load_lesson(web.lesson) : NULL;
    if (!l && catalog_lessons_of(WEB_DATA_DIR, id, &l, 1) == 0)
        l = NULL;
    return l ? l : load_lesson("full-session");
}

/* web_export - kind: png, svg, pcap, transcript, gift, whatif, progress. Offers the file as a
 * download. 0, or -1 (the reason on the console). */
EMSCRIPTEN_KEEPALIVE int web_export(const char *kind)
{
    if (!web.app)
        return -1;
    const world *w = ui_app_world(web.app);
    const char *id = ui_app_scenario_id(web.app);
    char name[160], err[600];
    bool fork = ui_app_forked(web.app);
    if (!strcmp(kind, "png")) {
        send_key(SDLK_F12, SDL_SCANCODE_F12); /* the window's own screenshot, then the outbox */
        web.input_ms = emscripten_get_now();
        return 0;
    }
    if (!strcmp(kind, "whatif")) {
        if (ui_app_save_fork(web.app, name, sizeof name, err, sizeof err) != 0) {
            fprintf(stderr, "smtpsim: %s\n", err);
            return -1;
        }
        web_download_outbox();
        return 0;
    }
    if (!strcmp(kind, "progress")) {
        struct stat st;
        if (stat(WEB_PROGRESS, &st) != 0) { /* nothing answered yet: an empty record */
            progress *p = progress_new();
            int rc = p ? progress_save(p, WEB_PROGRESS, err, sizeof err) : -1;
            progress_free(p);
            if (rc != 0)
                return -1;
        }
        return web_download(WEB_PROGRESS, "smtpsim-progress.json", "application/json");
    }
    FILE *f = fopen(WEB_TMP, "wb");
    if (!f || !w) {
        if (f)
            fclose(f);
        return -1;
    }
    int rc = -1;
    const char *mime = "text/plain";
    const char *suffix = fork ? "-whatif" : "";
    if (!strcmp(kind, "svg")) {
        rc = svg_export_world(w, scenario_title_of(id), f, err, sizeof err);
        snprintf(name, sizeof name, "%s%s.svg", id, suffix);
        mime = "image/svg+xml";
    } else if (!strcmp(kind, "pcap")) {
        rc = pcap_export_world(w, f, err, sizeof err);
        snprintf(name, sizeof name, "%s%s.pcap", id, suffix);
        mime = "application/vnd.tcpdump.pcap";
    } else if (!strcmp(kind, "transcript")) {
        /* the same text as `smtpsim export --transcript` */
        transcript_opts o = {.explain = false, .color = false};
        rc = fprintf(f, "%s - %s\n\n", id, scenario_title_of(id)) < 0 ? -1 : 0;
        if (rc == 0)
            rc = transcript_write(f, w, &o);
        snprintf(name, sizeof name, "%s%s.txt", id, suffix);
    } else if (!strcmp(kind, "gift")) {
        lesson *l = lesson_of_scenario(id);
        size_t len = 0;
        char *g = l ? gift_export(l, &len) : NULL;
        rc = g && fwrite(g, 1, len, f) == len ? 0 : -1;
        snprintf(name, sizeof name, "%s.gift.txt", l ? l->id : "lesson");
        free(g);
        lesson_free(l);
    }
    if (fclose(f) != 0)
        rc = -1;
    if (rc < 0) {
        fprintf(stderr, "smtpsim: export %s failed %s\n", kind, err);
        return -1;
    }
    return web_download(WEB_TMP, name, mime);
}

/* web_progress_import - replace the progress with the file the user uploaded (written by the
 * page at path), after checking it parses; then show the scenario again so the quiz uses it. */
EMSCRIPTEN_KEEPALIVE int web_progress_import(const char *path)
{
    char err[600];
    FILE *f = fopen(path, "rb");
    if (!f || !web.app)
        return -1;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    unlink(path);
    progress *p = n < sizeof buf ? progress_load_buffer("uploaded file", buf, n, err, sizeof err)
                                 : NULL;
    if (!p) {
        fprintf(stderr, "smtpsim: not a progress file: %s\n", n < sizeof buf ? err : "too big");
        return -1;
    }
    int rc = progress_save(p, WEB_PROGRESS, err, sizeof err); /* atomic, as on disk */
    progress_free(p);
    if (rc != 0) {
        fprintf(stderr, "smtpsim: %s\n", err);
        return -1;
    }
    size_t step = ui_app_step(web.app);
    char id[64];
    snprintf(id, sizeof id, "%s", ui_app_scenario_id(web.app));
    load_scenario(id);
    ui_app_set_step(web.app, step, 1.0f);
    web.input_ms = emscripten_get_now();
    return 0;
}

/* For the page and the tests: frames drawn, frame calls, the step shown, writes to IndexedDB. */
EMSCRIPTEN_KEEPALIVE int web_frames(void)
{
    return web.frames;
}

EMSCRIPTEN_KEEPALIVE int web_ticks(void)
{
    return web.ticks;
}

EMSCRIPTEN_KEEPALIVE int web_step(void)
{
    return web.app ? (int)ui_app_step(web.app) : -1;
}

EMSCRIPTEN_KEEPALIVE int web_step_count(void)
{
    const world *w = web.app ? ui_app_world(web.app) : NULL;
    return w ? (int)world_step_count(w) : -1;
}

/* web_phase - how far the step's token has travelled, in thousandths (1000: arrived). */
EMSCRIPTEN_KEEPALIVE int web_phase(void)
{
    return web.app ? (int)(ui_app_phase(web.app) * 1000.0f + 0.5f) : -1;
}

/* web_redraw_whole - draw the current state again as a whole frame and put all of it on the
 * canvas: the tests compare it with what the partial frames left there. */
EMSCRIPTEN_KEEPALIVE void web_redraw_whole(void)
{
    if (!web.app)
        return;
    ui_app_redraw_whole(web.app);
    ui_app_draw(web.app);
    present();
}

/* web_timeline - the timeline's rectangle in window pixels (which: 0 x, 1 y, 2 w, 3 h), for
 * the tests' clicks. */
EMSCRIPTEN_KEEPALIVE int web_timeline(int which)
{
    if (!web.app)
        return -1;
    SDL_Rect r = ui_app_layout(web.app)->timeline;
    return which == 0 ? r.x : which == 1 ? r.y : which == 2 ? r.w : r.h;
}

EMSCRIPTEN_KEEPALIVE int web_saves(void)
{
    return web_storage_saves();
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* web_bench - draw and present `frames` frames as the window does while a step plays: the
 * current step's token travels (whole = 0; partial frames, as `smtpsim shot --bench-frames`
 * times natively), or the step changes every frame and everything is drawn and put on the
 * canvas again (whole = 1). The median in microseconds; web_bench_copy_us: of which the median
 * present (the copy to the canvas; SDL's software renderer draws when flushed, so the rest is
 * the drawing itself); web_bench_p95_us: the 95th percentile frame. */
static int bench_copy_us = -1, bench_p95_us = -1;

EMSCRIPTEN_KEEPALIVE int web_bench(int frames, int whole)
{
    if (!web.app || frames < 1 || frames > WEB_BENCH_MAX)
        return -1;
    static double t[WEB_BENCH_MAX], copy[WEB_BENCH_MAX];
    size_t step = ui_app_step(web.app);
    for (int i = 0; i < frames; i++) {
        if (whole)
            ui_app_set_step(web.app, i % 2 && step > 0 ? step - 1 : step, 1.0f);
        else
            ui_app_set_step(web.app, step, (float)i / (float)frames);
        double t0 = emscripten_get_now();
        ui_app_draw(web.app);
        SDL_RenderFlush(web.r);
        double t1 = emscripten_get_now();
        present();
        t[i] = emscripten_get_now() - t0;
        copy[i] = t[i] - (t1 - t0);
    }
    ui_app_set_step(web.app, step, 1.0f);
    qsort(t, (size_t)frames, sizeof t[0], cmp_double);
    qsort(copy, (size_t)frames, sizeof copy[0], cmp_double);
    bench_copy_us = (int)(copy[frames / 2] * 1000.0);
    bench_p95_us = (int)(t[(frames * 95) / 100] * 1000.0);
    return (int)(t[frames / 2] * 1000.0);
}

EMSCRIPTEN_KEEPALIVE int web_bench_p95_us(void)
{
    return bench_p95_us;
}

EMSCRIPTEN_KEEPALIVE int web_bench_copy_us(void)
{
    return bench_copy_us;
}
