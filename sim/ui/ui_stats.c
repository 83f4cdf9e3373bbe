/* ui_stats.c - the statistics panel (see ui_stats.h). */
#include "ui/ui_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/catalog.h"
#include "core/teach/lesson.h"
#include "core/teach/progress.h"
#include "core/teach/stats.h"
#include "ui/ui_text.h"

#define UI_STATS_MAX_LESSONS 64
#define UI_STATS_MAX_LINES (8 + STATS_MAX_TOPICS)

struct ui_stats {
    char head[STATS_LINE];
    char lines[UI_STATS_MAX_LINES][STATS_LINE];
    size_t n;
};

ui_stats *ui_stats_open(const char *data_dir, const char *progress_path, int64_t now)
{
    ui_stats *s = calloc(1, sizeof *s);
    stats *st = calloc(1, sizeof *st);
    lesson *ls[UI_STATS_MAX_LESSONS];
    size_t nl = 0;
    if (!s || !st) {
        free(s);
        free(st);
        return NULL;
    }
    /* the catalog's lessons in its order, as `smtpsim stats` lists them: the same topics */
    catalog_entry *e;
    long n = catalog_list(data_dir, CATALOG_LESSON, &e);
    char err[1024];
    for (long i = 0; i < n && nl < UI_STATS_MAX_LESSONS; i++) {
        lesson *l = lesson_load(e[i].path, err, sizeof err);
        if (l)
            ls[nl++] = l;
    }
    free(e);
    /* read only: a damaged file is moved aside by the quiz, never by a report */
    progress *p = NULL;
    const char *note = "no progress file";
    if (progress_path && progress_path[0]) {
        progress_status ps = progress_read(progress_path, &p, err, sizeof err);
        note = ps == PROGRESS_LOADED ? progress_path
               : ps == PROGRESS_NEW  ? "no progress yet"
                                     : "the progress file cannot be read";
    }
    stats_compute((const lesson *const *)ls, nl, p, now, st);
    snprintf(s->head, sizeof s->head, "Statistics: %zu lessons (%s)", nl, note);
    s->n = stats_lines(st, s->lines, UI_STATS_MAX_LINES);
    progress_free(p);
    for (size_t i = 0; i < nl; i++)
        lesson_free(ls[i]);
    free(st);
    return s;
}

void ui_stats_free(ui_stats *s)
{
    free(s);
}

void ui_stats_draw(const ui_stats *s, ui_ctx *c, SDL_Rect area)
{
    const ui_theme *th = c->theme;
    ui_gfx_box(c->r, area, c->radius, th->panel, th->node_active, c->line);
    int x = area.x + c->pad, y = area.y + c->pad / 2, w = area.w - 2 * c->pad;
    int bottom = area.y + area.h - c->pad / 2;
    y += ui_text_draw_wrap(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->title, s->head, x, y, w,
                           bottom - y);
    /* monospace keeps the topic table's columns */
    int lh = ui_text_line_height(c->text, UI_FONT_MONO, c->fs_mono);
    size_t fit = y + lh <= bottom - lh ? (size_t)((bottom - lh - y) / lh) : 0;
    for (size_t i = 0; i < s->n && i < fit; i++, y += lh) {
        char more[STATS_LINE];
        const char *line = s->lines[i];
        if (i + 1 == fit && s->n > fit) { /* never cut silently */
            snprintf(more, sizeof more, "... %zu more lines (smtpsim stats shows all)",
                     s->n - i);
            line = more;
        }
        ui_text_draw_fit(c->text, UI_FONT_MONO, c->fs_mono, th->text, line, x, y, UI_ALIGN_LEFT,
                         w);
    }
    ui_text_draw_fit(c->text, UI_FONT_SANS, c->fs_small, th->text_dim,
                     "Esc or I closes (also: smtpsim stats)", x,
                     bottom - lh, UI_ALIGN_LEFT, w);
}
