/* cmd_shot.c - `smtpsim shot SCENARIO --step N --out FILE.png`: one frame of the window as a
 * PNG, drawn with SDL's software renderer into memory, so it needs no display (for slides,
 * handouts and tests). `--bench-frames N` times the drawing of a frame instead (issue 4 asks
 * for at most 2 ms at 1920x1080 and 100 ms from process start to the first frame).
 *
 * The window (sim/ui/ui_app.h) draws into any renderer; here it is a software renderer on an
 * XRGB8888 surface from ui_png, whose pixels are then the PNG (no second 8 MB read back).
 */
#define _GNU_SOURCE /* CLOCK_BOOTTIME, to compare with the process start time in /proc */
#include <SDL.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "app/commands.h"
#include "core/teach/catalog.h"
#include "core/world/scenario.h"
#include "core/world/world.h"
#include "ui/ui_app.h"
#include "ui/ui_png.h"
#include "ui/ui_theme.h"

/* Named limits. */
#define SHOT_MIN_SIZE 320
#define SHOT_MAX_SIZE 7680
#define SHOT_MAX_BENCH 100000

typedef struct {
    const char *data_dir;  /* assets/fonts and lessons/scenarios */
    const char *scenario;  /* path of the scenario file */
    size_t step;
    float phase;           /* 0..1, where the step's token is */
    int w, h;              /* output size */
    const char *theme;     /* NULL: default */
    bool eaves, bytes;     /* eavesdropper view, bytes inspector open */
    bool quiz, predict;    /* quiz panel open; or the predict question before step + 1 */
    bool no_predict;       /* predict stops off (the window's X) */
    bool stats;            /* the statistics panel open */
    const char *out;       /* PNG file, or NULL to write none */
    int bench_frames;      /* > 0: draw this many frames and time them */
    Uint64 t_start;        /* SDL_GetPerformanceCounter() that first_frame_ms counts from */
    const char *reply;     /* non-NULL: draw the what-if fork where reply step fork_at answers
                              this ("550 5.1.1 No such user"); step is a step of the fork */
    size_t fork_at;
} shot_options;

typedef struct {
    double first_frame_ms;  /* from t_start to the first frame drawn */
    double median_ms;       /* bench: median time to draw a frame while a token travels */
    double full_median_ms;  /* bench: median for frames that redraw everything (new step) */
    double p95_ms;
    size_t steps;           /* steps in the world */
    size_t step;            /* the step drawn (clamped) */
} shot_result;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: smtpsim shot SCENARIO [--step N] [--out FILE.png] [--size WxH]\n"
            "                    [--theme NAME] [--phase P] [--eaves] [--bytes] [--quiz]\n"
            "                    [--predict] [--no-predict] [--stats] [--bench-frames N]\n"
            "                    [--fork-at N --reply TEXT]\n"
            "  Draws the window at step N (0-based, as 'smtpsim run' numbers them) with no\n"
            "  display and writes it as a PNG. --size defaults to 1920x1080; --phase 0..1 is\n"
            "  how far the step's token has travelled (default 0.5); --eaves shows the\n"
            "  eavesdropper's view, --bytes opens the bytes inspector, --quiz the quiz panel,\n"
            "  --predict the predict-the-reply question that stops before step N+1\n"
            "  (--no-predict: stops off), --stats the statistics panel.\n"
            "  Themes: %s.\n"
            "  Quiz choices are shuffled with a fixed seed, so pictures are reproducible.\n"
            "  --bench-frames N draws N frames and prints 'frame median: X ms'.\n"
            "  --fork-at N --reply TEXT draws the what-if fork where reply step N answers\n"
            "  TEXT (\"550 5.1.1 No such user\"); --step then counts in the fork (default N).\n",
            ui_theme_names());
}

/* process_age_ms - milliseconds since this process started (10 ms resolution), or -1. */
static double process_age_ms(void)
{
#ifdef CLOCK_BOOTTIME
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f)
        return -1;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may contain spaces */
    if (!p)
        return -1;
    unsigned long long start = 0;
    /* after ")": state is field 3; starttime is field 22 */
    int field = 2;
    for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
        if (++field == 22) {
            start = strtoull(tok, NULL, 10);
            break;
        }
    }
    struct timespec ts;
    long hz = sysconf(_SC_CLK_TCK);
    if (field != 22 || hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
        return -1;
    double now = (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
    return now - (double)start * 1000.0 / (double)hz;
#else
    return -1;
#endif
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
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

/* time_frames - draw o->bench_frames frames, their times sorted into times. The token moves
 * every frame as when playing, or (new_step) the step changes and everything is drawn again. */
static void time_frames(ui_app *a, SDL_Renderer *r, const shot_options *o, double *times,
                        bool new_step)
{
    size_t s0 = ui_app_step(a);
    for (int i = 0; i < o->bench_frames; i++) {
        if (new_step)
            ui_app_set_step(a, i % 2 && s0 > 0 ? s0 - 1 : s0, 1.0f);
        else
            ui_app_set_step(a, o->step, (float)i / (float)o->bench_frames);
        Uint64 t = SDL_GetPerformanceCounter();
        ui_app_draw(a);
        SDL_RenderFlush(r);
        times[i] = ms_since(t);
    }
    qsort(times, (size_t)o->bench_frames, sizeof *times, cmp_double);
}

/* bench - time o->bench_frames frames while the token travels, then as many where the step
 * changes and everything is drawn again. 0, or -1 and err. */
static int bench(ui_app *a, SDL_Renderer *r, const shot_options *o, shot_result *res, char *err,
                 size_t errlen)
{
    double *times = malloc((size_t)o->bench_frames * sizeof *times);
    if (!times) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    time_frames(a, r, o, times, false);
    res->median_ms = times[o->bench_frames / 2];
    res->p95_ms = times[(o->bench_frames * 95) / 100];
    time_frames(a, r, o, times, true);
    res->full_median_ms = times[o->bench_frames / 2];
    free(times);
    return 0;
}

/* render - load, draw and save one frame offscreen (and bench). Returns the exit status: 0,
 * 2 for bad input (a scenario that does not load, a what-if that does not apply, an output
 * file that cannot be written) or 1 for anything else, with err. */
static int render(const shot_options *o, shot_result *res, char *err, size_t errlen)
{
    Uint64 t0 = o->t_start ? o->t_start : SDL_GetPerformanceCounter();
    memset(res, 0, sizeof *res);
    SDL_Surface *target = ui_png_surface_new(o->w, o->h);
    SDL_Renderer *r = target ? SDL_CreateSoftwareRenderer(target) : NULL;
    ui_app *a = NULL;
    int rc = 1;
    if (!r) {
        snprintf(err, errlen, "software renderer: %s", SDL_GetError());
        goto fail;
    }
    ui_app_config cfg = {o->data_dir, o->theme};
    a = ui_app_new(r, NULL, &cfg, err, errlen);
    if (!a)
        goto fail;
    ui_app_set_quiz_seed(a, 1); /* the same shuffled choices in every picture */
    ui_app_set_predict(a, !o->no_predict);
    if (ui_app_load(a, o->scenario, err, errlen) != 0) {
        rc = 2;
        goto fail;
    }
    if (o->reply && ui_app_fork(a, o->fork_at, o->reply, err, errlen) != 0) {
        rc = 2; /* not a reply step, or not a reply: as `run --fork-at` says */
        goto fail;
    }
    res->steps = world_step_count(ui_app_world(a));
    ui_app_set_step(a, o->step, o->phase);
    res->step = ui_app_step(a);
    ui_app_set_eaves(a, o->eaves);
    ui_app_set_bytes(a, o->bytes);
    if (o->stats)
        ui_app_toggle_stats(a);
    if ((o->quiz || o->predict) && ui_app_open_quiz(a, o->predict) != 0) {
        snprintf(err, errlen, "%s", o->predict ? "no predict question stops before the next step"
                                               : "no lesson animates this scenario");
        goto fail;
    }
    ui_app_draw(a);
    SDL_RenderFlush(r);
    res->first_frame_ms = ms_since(t0);
    /* the frame is already in target's pixels: no second 8 MB buffer to read it back into */
    if (o->out && ui_png_save(target, o->out, err, errlen) != 0) {
        rc = 2;
        goto fail;
    }
    if (o->bench_frames > 0 && bench(a, r, o, res, err, errlen) != 0)
        goto fail;
    rc = 0;
fail:
    ui_app_free(a);
    if (r)
        SDL_DestroyRenderer(r);
    ui_png_surface_free(target);
    return rc;
}

int cmd_shot(int argc, char **argv)
{
    double age0 = process_age_ms(); /* how long the process ran before this command */
    Uint64 t_cmd = SDL_GetPerformanceCounter();
    const char *name = NULL, *out = NULL, *theme = NULL;
    long step = -1, frames = 0, w = 1920, h = 1080, fork_at = -1;
    const char *reply = NULL;
    double phase = 0.5;
    int eaves = 0, bytes = 0, quiz = 0, predict = 0, no_predict = 0, stats = 0;
    enum { O_EAVES = 1, O_BYTES, O_QUIZ, O_PREDICT, O_NO_PREDICT, O_STATS, O_STEP, O_FORK_AT,
           O_REPLY, O_OUT, O_THEME, O_PHASE, O_SIZE, O_BENCH_FRAMES };
    static const app_opt opts[] = {
        {"eaves", 0, false, O_EAVES},
        {"bytes", 0, false, O_BYTES},
        {"quiz", 0, false, O_QUIZ},
        {"predict", 0, false, O_PREDICT},
        {"no-predict", 0, false, O_NO_PREDICT},
        {"stats", 0, false, O_STATS},
        {"step", 0, true, O_STEP},
        {"fork-at", 0, true, O_FORK_AT},
        {"reply", 0, true, O_REPLY},
        {"out", 0, true, O_OUT},
        {"theme", 0, true, O_THEME},
        {"phase", 0, true, O_PHASE},
        {"size", 0, true, O_SIZE},
        {"bench-frames", 0, true, O_BENCH_FRAMES},
        {NULL, 0, false, 0},
    };
    app_opts p;
    app_opts_init(&p, "smtpsim shot", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        const char *v = p.arg;
        switch (c) {
        case APP_OPTS_HELP:
            usage(stdout);
            return 0;
        case O_EAVES:
            eaves = 1;
            break;
        case O_BYTES:
            bytes = 1;
            break;
        case O_QUIZ:
            quiz = 1;
            break;
        case O_PREDICT:
            predict = 1;
            break;
        case O_NO_PREDICT:
            no_predict = 1;
            break;
        case O_STATS:
            stats = 1;
            break;
        case O_STEP:
            if (parse_int(v, 0, LONG_MAX, &step) != 0)
                return app_opts_usage_error(&p, "--step wants a number >= 0, not '%s'", v);
            break;
        case O_FORK_AT:
            if (parse_int(v, 0, LONG_MAX, &fork_at) != 0)
                return app_opts_usage_error(&p, "--fork-at wants a step number >= 0, not '%s'",
                                            v);
            break;
        case O_REPLY:
            reply = v;
            break;
        case O_OUT:
            out = v;
            break;
        case O_THEME:
            theme = v;
            break;
        case O_PHASE: {
            char *end;
            phase = strtod(v, &end);
            if (!*v || *end || phase < 0 || phase > 1)
                return app_opts_usage_error(&p, "--phase wants a number 0..1, not '%s'", v);
            break;
        }
        case O_SIZE: {
            int n = 0;
            if (sscanf(v, "%ldx%ld%n", &w, &h, &n) != 2 || v[n] || w <= 0 || h <= 0)
                return app_opts_usage_error(&p, "--size wants WxH, like 1280x720, not '%s'", v);
            if (w < SHOT_MIN_SIZE || h < SHOT_MIN_SIZE || w > SHOT_MAX_SIZE || h > SHOT_MAX_SIZE)
                return app_opts_usage_error(&p, "--size %ldx%ld out of range (%d..%d each)", w, h,
                                            SHOT_MIN_SIZE, SHOT_MAX_SIZE);
            break;
        }
        case O_BENCH_FRAMES:
            if (parse_int(v, 1, SHOT_MAX_BENCH, &frames) != 0)
                return app_opts_usage_error(&p, "--bench-frames wants 1..%d, not '%s'",
                                            SHOT_MAX_BENCH, v);
            break;
        case APP_OPTS_OPERAND:
            if (name)
                return app_opts_usage_error(&p, "one scenario only ('%s' and '%s')", name, v);
            name = v;
            break;
        default:
            return 2;
        }
    }
    if (!name || (!out && !frames)) {
        usage(stderr);
        return 2;
    }
    if ((fork_at >= 0) != (reply != NULL)) {
        fprintf(stderr, "smtpsim shot: --fork-at and --reply go together\n");
        return 2;
    }
    if (fork_at >= 0 && step < 0)
        step = fork_at; /* the changed reply on its way */
    if (theme && !ui_theme_get(theme)) {
        fprintf(stderr, "smtpsim shot: unknown theme '%s' (themes: %s)\n", theme,
                ui_theme_names());
        return 2;
    }
    const char *data = app_data_dir();
    char path[PATH_MAX], rerr[CATALOG_MAX_PATH * 2 + 64];
    if (catalog_resolve(data, CATALOG_SCENARIO, name, NULL, path, sizeof path, rerr,
                        sizeof rerr) != 0) {
        fprintf(stderr, "smtpsim shot: %s\n", rerr);
        return 2;
    }
    /* no display needed: the dummy driver, and a software renderer on a memory surface */
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "smtpsim shot: SDL: %s\n", SDL_GetError());
        return 1;
    }
    shot_options o = {
        .data_dir = data,
        .scenario = path,
        .step = step < 0 ? (frames ? SIZE_MAX : 0) : (size_t)step,
        .phase = (float)phase,
        .w = (int)w,
        .h = (int)h,
        .theme = theme,
        .eaves = eaves,
        .bytes = bytes,
        .quiz = quiz,
        .predict = predict,
        .no_predict = no_predict,
        .stats = stats,
        .out = out,
        .bench_frames = (int)frames,
        .t_start = t_cmd,
        .reply = reply,
        .fork_at = fork_at >= 0 ? (size_t)fork_at : 0,
    };
    shot_result res;
    char err[512];
    int rc = render(&o, &res, err, sizeof err);
    SDL_Quit();
    if (rc != 0) {
        fprintf(stderr, "smtpsim shot: %s\n", err);
        return rc;
    }
    if (step >= 0 && (size_t)step != res.step)
        fprintf(stderr, "smtpsim shot: the scenario has steps 0-%zu; drew step %zu\n",
                res.steps ? res.steps - 1 : 0, res.step);
    if (out) {
        char pos[64];
        printf("wrote %s (%ldx%ld): %s\n", out, w, h,
               world_step_position(res.step, res.steps, pos, sizeof pos));
    }
    if (frames) {
        printf("frame median: %.3f ms (p95 %.3f ms, %ld frames at %ldx%ld, software renderer, "
               "step %zu)\n",
               res.median_ms, res.p95_ms, frames, w, h, res.step);
        printf("full redraw median: %.3f ms (frames where the step changes)\n",
               res.full_median_ms);
        if (age0 >= 0)
            printf("startup to first frame: %.1f ms (from process start, +-10 ms: %.1f ms "
                   "starting the process and loading its libraries, %.1f ms from there)\n",
                   age0 + res.first_frame_ms, age0, res.first_frame_ms);
        else
            printf("startup to first frame: %.1f ms (from the command's start)\n",
                   res.first_frame_ms);
    }
    return 0;
}
