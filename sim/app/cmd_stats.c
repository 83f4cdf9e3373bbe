/* cmd_stats.c - `smtpsim stats`: what the progress file says, in the terminal: questions due
 * today, accuracy by topic, Leitner box counts. The lines come from stats.h, the same lines the
 * window's statistics panel draws. Reads only: the progress file is never written.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_opts.h"
#include "app/commands.h"
#include "core/teach/lesson.h"
#include "core/teach/progress.h"
#include "core/teach/stats.h"

#define STATS_MAX_LESSONS 256
#define STATS_MAX_LINES (8 + STATS_MAX_TOPICS)

static int stats_usage(FILE *out)
{
    fprintf(out, "usage: smtpsim stats [LESSON...] [--progress FILE] [--now UNIXTIME]\n"
                 "\n"
                 "  LESSON          a lesson id or file; none: every lesson\n"
                 "  --progress FILE progress file (default $XDG_DATA_HOME/smtpsim/progress.json)\n"
                 "  --now T         pretend the time is T (Unix seconds)\n");
    return out == stdout ? 0 : 2;
}

int cmd_stats(int argc, char **argv)
{
    const char *names[STATS_MAX_LESSONS];
    size_t n_names = 0;
    const char *progress_path = NULL;
    int64_t now = (int64_t)time(NULL);
    enum { O_PROGRESS = 1, O_NOW };
    static const app_opt opts[] = {
        {"progress", 0, true, O_PROGRESS}, {"now", 0, true, O_NOW}, {NULL, 0, false, 0}};
    app_opts p;
    app_opts_init(&p, "smtpsim stats", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        const char *val = p.arg;
        if (c == APP_OPTS_HELP) {
            return stats_usage(stdout);
        } else if (c == O_PROGRESS) {
            progress_path = val;
        } else if (c == O_NOW) {
            char *end = NULL;
            errno = 0;
            long long v = strtoll(val, &end, 10);
            if (errno || !end || *end || !val[0] || v < 0)
                return app_opts_usage_error(&p, "--now: '%s' is not a number", val);
            now = (int64_t)v;
        } else if (c == APP_OPTS_OPERAND) {
            if (n_names < STATS_MAX_LESSONS)
                names[n_names++] = val;
        } else {
            return 2;
        }
    }
    char ppath[PATH_MAX];
    progress_path = cmd_quiz_progress_path(progress_path, ppath, sizeof ppath);
    if (!progress_path)
        return 2;

    lesson *lessons[STATS_MAX_LESSONS];
    size_t nl = 0;
    if (cmd_quiz_load_lessons("smtpsim stats", names, n_names, lessons, STATS_MAX_LESSONS, &nl) !=
        0)
        return 2;
    int rc = 2;
    progress *prog = NULL;
    char err[PATH_MAX + 1024];
    /* read only: a damaged file is reported, never moved aside by a report */
    progress_status ps = progress_read(progress_path, &prog, err, sizeof err);
    if (ps == PROGRESS_ERROR) {
        fprintf(stderr, "smtpsim stats: %s\n", err);
        goto out;
    }
    if (ps == PROGRESS_NEW)
        printf("Progress file: %s (none yet: nothing answered)\n", progress_path);
    else
        printf("Progress file: %s\n", progress_path);

    static stats st;
    static char lines[STATS_MAX_LINES][STATS_LINE];
    stats_compute((const lesson *const *)lessons, nl, prog, now, &st);
    size_t n = stats_lines(&st, lines, STATS_MAX_LINES);
    printf("Lessons: %zu\n", nl);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", lines[i]);
    rc = 0;
out:
    progress_free(prog);
    for (size_t i = 0; i < nl; i++)
        lesson_free(lessons[i]);
    return rc;
}
