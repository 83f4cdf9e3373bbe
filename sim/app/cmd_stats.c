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
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return stats_usage(stdout);
        if (!strcmp(a, "--progress") || !strcmp(a, "--now")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "smtpsim stats: %s needs a value\n", a);
                return 2;
            }
            const char *val = argv[++i];
            if (!strcmp(a, "--progress")) {
                progress_path = val;
                continue;
            }
            char *end = NULL;
            errno = 0;
            long long v = strtoll(val, &end, 10);
            if (errno || !end || *end || !val[0] || v < 0) {
                fprintf(stderr, "smtpsim stats: --now: '%s' is not a number\n", val);
                return 2;
            }
            now = (int64_t)v;
        } else if (a[0] == '-') {
            fprintf(stderr, "smtpsim stats: unknown option '%s'\n", a);
            return stats_usage(stderr);
        } else if (n_names < STATS_MAX_LESSONS) {
            names[n_names++] = a;
        }
    }
    char ppath[PATH_MAX];
    progress_path = cmd_quiz_progress_path(progress_path, ppath, sizeof ppath);
    if (!progress_path)
        return 2;

    lesson *lessons[STATS_MAX_LESSONS];
    size_t nl = 0;
    if (cmd_quiz_load_lessons(names, n_names, lessons, STATS_MAX_LESSONS, &nl) != 0)
        return 2;
    int rc = 2;
    progress *prog = NULL;
    char err[PATH_MAX + 1024];
    /* read the bytes only: a damaged file is reported, never moved aside by a report */
    FILE *f = fopen(progress_path, "rb");
    if (!f && errno != ENOENT) {
        fprintf(stderr, "smtpsim stats: cannot read %s: %s\n", progress_path, strerror(errno));
        goto out;
    }
    if (f) {
        static char buf[PROGRESS_MAX_FILE_BYTES + 1];
        size_t len = fread(buf, 1, sizeof buf, f);
        bool bad = ferror(f) || len > PROGRESS_MAX_FILE_BYTES;
        fclose(f);
        prog = bad ? NULL : progress_load_buffer(progress_path, buf, len, err, sizeof err);
        if (!prog) {
            fprintf(stderr, "smtpsim stats: %s\n", bad ? "cannot read the progress file" : err);
            goto out;
        }
        printf("Progress file: %s\n", progress_path);
    } else {
        printf("Progress file: %s (none yet: nothing answered)\n", progress_path);
    }

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
