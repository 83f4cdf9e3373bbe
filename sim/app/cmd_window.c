/* cmd_window.c - `smtpsim` and `smtpsim window [SCENARIO]`: the step-through window.
 *
 * With no display (no DISPLAY and no WAYLAND_DISPLAY, or SDL cannot open a window) it says so
 * on stderr and prints the scenario's transcript instead, so a learner on SSH still gets the
 * session. The UI itself lives in sim/ui; this file only finds the data, opens the window and
 * hands over (sim/ui does not know about sim/app).
 */
#include <SDL.h>
#include <SDL_ttf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "app/commands.h"
#include "core/teach/catalog.h"
#include "core/teach/lesson.h"
#include "core/world/scenario.h"
#include "core/export/transcript.h"
#include "core/world/world.h"
#include "ui/ui_app.h"
#include "ui/ui_theme.h"

#define DEFAULT_SCENARIO "basic"
#define WINDOW_W 1280
#define WINDOW_H 720

static void usage(FILE *out)
{
    fprintf(out,
            "usage: smtpsim window [SCENARIO | --lesson LESSON] [--theme NAME] [--step N]\n"
            "                      [--frames N] [--progress FILE] [--no-predict]\n"
            "  Opens the step-through window (default scenario: %s). Themes: %s.\n"
            "  --lesson LESSON opens the scenario that lesson animates.\n"
            "  The quiz panel keeps progress in the same file as 'smtpsim quiz'\n"
            "  ($XDG_DATA_HOME/smtpsim/progress.json, or --progress FILE).\n"
            "  W on a reply step: what if the server had answered otherwise?\n"
            "  --no-predict: no predict-the-reply stops (X in the window toggles them).\n"
            "  Press F1 or ? in the window for every key. --frames N quits after N frames\n"
            "  (for tests). With no display, prints the transcript instead.\n",
            DEFAULT_SCENARIO, ui_theme_names());
}

/* print_transcript - the terminal fallback: every step, who talks to whom, and what. */
static int print_transcript(const char *path)
{
    char err[512];
    scenario *sc = scenario_load(path, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "smtpsim: %s\n", err);
        return 2;
    }
    world *w = world_new(sc, err, sizeof err);
    if (!w) {
        fprintf(stderr, "smtpsim: %s\n", err);
        scenario_free(sc);
        return 2;
    }
    printf("%s\n\n", scenario_title(sc));
    /* the same text as `smtpsim run --explain`, coloured when stdout is a terminal */
    transcript_opts o = {.explain = true, .color = isatty(STDOUT_FILENO) != 0};
    int rc = transcript_write(stdout, w, &o) < 0 ? 1 : 0;
    world_free(w);
    scenario_free(sc);
    return rc;
}

/* window_place - where the window opens: WINDOW_W x WINDOW_H centred in the first display's
 * usable bounds (without panels and docks), shrunk to fit them, so on a 1024x768 projector the
 * window is never pushed off the left edge (a centred 1280-wide window would start at x=-128). */
static void window_place(SDL_Rect *out)
{
    SDL_Rect u;
    *out = (SDL_Rect){SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, WINDOW_W, WINDOW_H};
    if (SDL_GetDisplayUsableBounds(0, &u) != 0 || u.w <= 0 || u.h <= 0)
        return;
    /* leave room for the title bar the window manager adds above the client area */
    int deco = u.h > 400 ? 32 : 0;
    out->w = WINDOW_W < u.w ? WINDOW_W : u.w;
    out->h = WINDOW_H < u.h - deco ? WINDOW_H : u.h - deco;
    out->x = u.x + (u.w - out->w) / 2;
    out->y = u.y + deco + (u.h - deco - out->h) / 2;
}

/* scenario_of_lesson - for --lesson: the lesson's file in lesson_path (PATH_MAX) and the id of
 * the scenario it animates in *scenario_id (kept alive for the process). 0, or -1 after saying
 * why; nothing to do without --lesson. */
static int scenario_of_lesson(const char *data, const char *name, const char **scenario_id,
                              char *lesson_path)
{
    static char id[CATALOG_MAX_ID];
    char err[CATALOG_MAX_PATH * 2 + 64];
    if (!name)
        return 0;
    if (*scenario_id) {
        fprintf(stderr, "smtpsim window: a SCENARIO or --lesson, not both\n");
        return -1;
    }
    if (catalog_resolve(data, CATALOG_LESSON, name, NULL, lesson_path, PATH_MAX, err,
                        sizeof err) != 0) {
        fprintf(stderr, "smtpsim window: %s\n", err);
        return -1;
    }
    static char lerr[8192];
    lesson *l = lesson_load(lesson_path, lerr, sizeof lerr);
    if (!l) {
        fputs(lerr, stderr);
        return -1;
    }
    int rc = 0;
    if (!l->scenario || strlen(l->scenario) >= sizeof id) {
        fprintf(stderr, "smtpsim window: lesson '%s' animates no scenario\n", l->id);
        rc = -1;
    } else {
        snprintf(id, sizeof id, "%s", l->scenario);
        *scenario_id = id;
    }
    lesson_free(l);
    return rc;
}

static bool have_display(void)
{
    const char *d = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    const char *drv = getenv("SDL_VIDEODRIVER");
    if ((d && *d) || (wl && *wl))
        return true;
    /* a console driver (kmsdrm) chosen on purpose works without X or Wayland */
    return drv && *drv && strcmp(drv, "dummy") && strcmp(drv, "offscreen");
}

int cmd_window(int argc, char **argv)
{
    enum { O_THEME = 1, O_PROGRESS, O_STEP, O_FRAMES, O_LESSON, O_NO_PREDICT };
    static const app_opt opts[] = {
        {"theme", 0, true, O_THEME},   {"progress", 0, true, O_PROGRESS},
        {"step", 0, true, O_STEP},     {"frames", 0, true, O_FRAMES},
        {"lesson", 0, true, O_LESSON}, {"no-predict", 0, false, O_NO_PREDICT},
        {NULL, 0, false, 0},
    };
    const char *name = NULL, *theme = NULL, *progress = NULL, *lesson_name = NULL;
    long step = 0, frames = 0;
    bool no_predict = false;
    app_opts p;
    app_opts_init(&p, "smtpsim window", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        const char *v = p.arg;
        char *end;
        switch (c) {
        case APP_OPTS_HELP:
            usage(stdout);
            return 0;
        case O_THEME:
            theme = v;
            break;
        case O_PROGRESS:
            progress = v;
            break;
        case O_LESSON:
            lesson_name = v;
            break;
        case O_NO_PREDICT:
            no_predict = true;
            break;
        case O_STEP:
            step = strtol(v, &end, 10);
            if (!*v || *end || step < 0)
                return app_opts_usage_error(&p, "--step wants a number >= 0");
            break;
        case O_FRAMES:
            frames = strtol(v, &end, 10);
            if (!*v || *end || frames < 1)
                return app_opts_usage_error(&p, "--frames wants a number >= 1");
            break;
        case APP_OPTS_OPERAND:
            if (name)
                return app_opts_usage_error(&p, "one scenario only");
            name = v;
            break;
        default:
            return 2;
        }
    }
    if (theme && !ui_theme_get(theme)) {
        fprintf(stderr, "smtpsim window: unknown theme '%s' (themes: %s)\n", theme,
                ui_theme_names());
        return 2;
    }
    const char *data = app_data_dir();
    /* the same default as `smtpsim quiz`, so both keep one record of what the learner knows */
    char ppath[PATH_MAX];
    if (!progress) {
        char dir[PATH_MAX - 32];
        if (app_user_data_dir(dir, sizeof dir) == 0) {
            snprintf(ppath, sizeof ppath, "%s/progress.json", dir);
            progress = ppath;
        }
    }
    char path[PATH_MAX], lpath[PATH_MAX], rerr[CATALOG_MAX_PATH * 2 + 64];
    if (scenario_of_lesson(data, lesson_name, &name, lpath) != 0)
        return 2;
    if (catalog_resolve(data, CATALOG_SCENARIO, name ? name : DEFAULT_SCENARIO,
                        lesson_name ? lpath : NULL, path, sizeof path, rerr, sizeof rerr) != 0) {
        fprintf(stderr, "smtpsim: %s\n", rerr);
        return 2;
    }
    /* --frames with the dummy driver runs the real loop invisibly (tests) */
    const char *drv = getenv("SDL_VIDEODRIVER");
    bool test_run = frames > 0 && drv && !strcmp(drv, "dummy");
    if (!have_display() && !test_run) {
        fprintf(stderr, "smtpsim: no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so "
                        "no window; here is the transcript instead.\n\n");
        return print_transcript(path);
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "smtpsim: cannot open a window (%s); here is the transcript instead.\n\n",
                SDL_GetError());
        return print_transcript(path);
    }
    /* When DISPLAY names no reachable server, SDL quietly falls back to drawing offscreen:
     * an invisible window that would run until killed. */
    const char *used = SDL_GetCurrentVideoDriver();
    if (!test_run && used && (!strcmp(used, "offscreen") || !strcmp(used, "dummy"))) {
        SDL_Quit();
        fprintf(stderr, "smtpsim: no usable display (SDL could only draw offscreen), so no "
                        "window; here is the transcript instead.\n\n");
        return print_transcript(path);
    }
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "1");
    SDL_Rect place;
    window_place(&place);
    SDL_Window *win = SDL_CreateWindow("smtpsim", place.x, place.y, place.w, place.h,
                                       SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    SDL_Renderer *r = NULL;
    if (win) {
        r = SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
        if (!r)
            r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!win || !r) {
        fprintf(stderr, "smtpsim: cannot open a window (%s); here is the transcript instead.\n\n",
                SDL_GetError());
        if (win)
            SDL_DestroyWindow(win);
        SDL_Quit();
        return print_transcript(path);
    }
    SDL_SetWindowMinimumSize(win, place.w < 800 ? place.w : 800, place.h < 450 ? place.h : 450);
    char err[512];
    int rc = 0;
    ui_app_config cfg = {data, theme};
    ui_app *app = ui_app_new(r, win, &cfg, err, sizeof err);
    if (app) {
        ui_app_set_progress(app, progress);
        ui_app_set_predict(app, !no_predict);
    }
    if (!app) {
        fprintf(stderr, "smtpsim: %s\n", err);
        rc = 1;
    } else if (ui_app_load(app, path, err, sizeof err) != 0) {
        fprintf(stderr, "smtpsim: %s\n", err);
        rc = 2; /* a scenario that does not load is bad input, as in `run` */
    } else {
        ui_app_set_step(app, (size_t)step, step ? 1.0f : 0.0f);
        if (frames > 0) {
            /* a bounded run: play, a few frames at a fixed pace, then quit */
            ui_app_set_playing(app, true);
            for (long f = 0; f < frames && !ui_app_quit_requested(app); f++) {
                SDL_Event e;
                while (SDL_PollEvent(&e))
                    ui_app_event(app, &e);
                ui_app_update(app, 16);
                ui_app_draw(app);
                SDL_RenderPresent(r);
            }
        } else {
            rc = ui_app_run(app) == 0 ? 0 : 1;
        }
    }
    ui_app_free(app);
    SDL_DestroyRenderer(r);
    SDL_DestroyWindow(win);
    TTF_Quit();
    SDL_Quit();
    return rc;
}
