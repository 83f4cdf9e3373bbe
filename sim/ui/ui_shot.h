/* ui_shot.h - frames to PNG files: F12 in the window, and `smtpsim shot` which renders a
 * chosen step with no display at all (a software renderer drawing into a memory surface).
 */
#ifndef UI_SHOT_H
#define UI_SHOT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

/* ui_shot_save - what the renderer has drawn so far (call before SDL_RenderPresent) to a PNG
 * file. 0, or -1 and err. */
int ui_shot_save(SDL_Renderer *r, const char *path, char *err, size_t errlen);

typedef struct {
    const char *data_dir;  /* assets/fonts and lessons/scenarios */
    const char *scenario;  /* path of the scenario file */
    size_t step;
    float phase;           /* 0..1, where the step's token is */
    int w, h;              /* output size */
    const char *theme;     /* NULL: default */
    bool eaves, bytes;     /* eavesdropper view, bytes inspector open */
    bool quiz, predict;    /* quiz panel open; or the predict question before step + 1 */
    const char *out;       /* PNG file, or NULL to write none */
    int bench_frames;      /* > 0: draw this many frames and time them */
    Uint64 t_start;        /* SDL_GetPerformanceCounter() that first_frame_ms counts from;
                              0: the call of ui_shot_render */
    const char *reply;     /* non-NULL: draw the what-if fork where reply step fork_at answers
                              this ("550 5.1.1 No such user"); step is a step of the fork */
    size_t fork_at;
} ui_shot_options;

typedef struct {
    double first_frame_ms;  /* from t_start to the first frame drawn */
    double median_ms;       /* bench: median time to draw a frame while a token travels */
    double full_median_ms;  /* bench: median for frames that redraw everything (new step) */
    double p95_ms;
    size_t steps;           /* steps in the world */
    size_t step;            /* the step drawn (clamped) */
} ui_shot_result;

/* ui_shot_render - load, draw and save one frame offscreen. 0, or -1 and err. */
int ui_shot_render(const ui_shot_options *o, ui_shot_result *res, char *err, size_t errlen);

#endif
