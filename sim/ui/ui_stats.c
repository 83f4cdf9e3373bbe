/* ui_stats.c - the statistics panel (see ui_stats.h). */
#include "ui/ui_stats.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* read_progress - the progress file's records, read only (a damaged file is reported by the
 * quiz, which moves it aside; a report never does). NULL when there is none or it is bad. */
static progress *read_progress(const char *path, char *note, size_t cap)
{
    FILE *f = path && path[0] ? fopen(path, "rb") : NULL;
    if (!f) {
        snprintf(note, cap, "%s", path && path[0] ? "no progress yet" : "no progress file");
        return NULL;
    }
    char *buf = malloc(PROGRESS_MAX_FILE_BYTES + 1);
    size_t len = buf ? fread(buf, 1, PROGRESS_MAX_FILE_BYTES + 1, f) : 0;
    fclose(f);
    char err[512];
    progress *p = buf && len <= PROGRESS_MAX_FILE_BYTES
                      ? progress_load_buffer(path, buf, len, err, sizeof err)
                      : NULL;
    free(buf);
    snprintf(note, cap, "%s", p ? path : "the progress file cannot be read");
    return p;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

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
    char dir[600], path[900], err[1024], note[520];
    snprintf(dir, sizeof dir, "%s/lessons", data_dir ? data_dir : ".");
    /* the files in name order, as `smtpsim stats` globs them: the same topics in the same order */
    char names[UI_STATS_MAX_LESSONS][256];
    size_t nn = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) && nn < UI_STATS_MAX_LESSONS) {
        size_t len = strlen(de->d_name);
        if (len < 6 || len >= sizeof names[0] || strcmp(de->d_name + len - 5, ".json") ||
            de->d_name[0] == '.')
            continue;
        memcpy(names[nn++], de->d_name, len + 1);
    }
    if (d)
        closedir(d);
    qsort(names, nn, sizeof names[0], cmp_name);
    for (size_t i = 0; i < nn; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        lesson *l = lesson_load(path, err, sizeof err);
        if (l)
            ls[nl++] = l;
    }
    progress *p = read_progress(progress_path, note, sizeof note);
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
