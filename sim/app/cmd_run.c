/* cmd_run.c - `smtpsim run SCENARIO`: build the world and print the session in the terminal.
 *
 *   smtpsim run SCENARIO [--explain] [--format text|json] [--step N]
 *                        [--color auto|always|never]
 *                        [--at STEP --reply "550 5.1.1 No such user" [--save-fork FILE]]
 *
 * SCENARIO is a name (lessons/scenarios/NAME.json under the data directory) or a path. Colour
 * is used on a terminal unless NO_COLOR is set (https://no-color.org) or --color says otherwise.
 * --at/--reply is the what-if fork: the reply at step STEP is replaced and the rest of the run
 * unfolds through the engines again; --save-fork writes that as a new scenario file whose
 * "reply" fault reproduces it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "app/commands.h"
#include "core/teach/catalog.h"
#include "core/teach/lesson.h"
#include "core/util/file_util.h"
#include "core/world/scenario.h"
#include "core/world/scenario_fork.h"
#include "core/export/transcript.h"
#include "core/world/world.h"

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: smtpsim run SCENARIO [--explain] [--format text|json] [--step N]\n"
            "                    [--color auto|always|never]\n"
            "                    [--at STEP --reply \"CODE TEXT\" [--save-fork FILE]]\n"
            "\n"
            "Prints the simulated session of SCENARIO (a name from 'smtpsim list', or a path).\n"
            "  --explain        one line of explanation under each step\n"
            "  --format json    the whole trace as JSON, for other tools\n"
            "  --step N         the state of every node after step N, and step N itself\n"
            "  --color WHEN     colour: auto (a terminal without NO_COLOR), always, never\n"
            "  --at N --reply R what if the server had answered R at reply step N?\n"
            "  --save-fork FILE write that what-if as a new scenario file\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-' || v > SIZE_MAX / 2)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* save_fork - write the what-if as a new scenario file (scenario_fork.h builds the JSON). */
static int save_fork(const scenario *sc, const world *orig, size_t at, const char *reply,
                     const char *file)
{
    char id[SCENARIO_FORK_MAX_ID + 1], err[512];
    scenario_fork_id(file, scenario_id(sc), id, sizeof id);
    char *text = scenario_fork_json(sc, orig, at, reply, id, err, sizeof err);
    if (!text) {
        fprintf(stderr, "smtpsim run: %s\n", err);
        return 2;
    }
    int rc = 0;
    if (file_write_atomic(file, text, strlen(text), 0644, NULL) != 0) {
        fprintf(stderr, "smtpsim run: cannot write %s (%s)\n", file, strerror(errno));
        rc = 2;
    }
    free(text);
    if (rc == 0)
        fprintf(stderr, "smtpsim run: fork saved as %s (scenario id '%s')\n", file, id);
    return rc;
}

#define RUN_MAX_LESSONS 32 /* lessons of one scenario whose narration --explain shows */

/* narration_notes - every narration line of the lessons, as transcript notes (malloc'd; the
 * texts stay in the lessons). NULL and 0 when there are none. */
static transcript_note *narration_notes(lesson *const *lessons, size_t n, size_t *count)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += lessons[i]->n_narration;
    *count = 0;
    transcript_note *notes = total ? calloc(total, sizeof *notes) : NULL;
    if (!notes)
        return NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < lessons[i]->n_narration; k++) {
            const lesson_narration *ln = &lessons[i]->narration[k];
            if (ln->step < 0)
                continue;
            notes[(*count)++] = (transcript_note){.step = (size_t)ln->step,
                                                  .lesson = lessons[i]->title, .text = ln->text};
        }
    return notes;
}

int cmd_run(int argc, char **argv)
{
    const char *name = NULL, *format = "text", *color = "auto", *reply = NULL, *save = NULL;
    bool explain = false, have_step = false, have_at = false;
    size_t step = 0, at = 0;
    enum { O_EXPLAIN = 1, O_FORMAT, O_COLOR, O_STEP, O_AT, O_REPLY, O_SAVE_FORK };
    static const app_opt opts[] = {
        {"explain", 0, false, O_EXPLAIN}, {"format", 0, true, O_FORMAT},
        {"color", 0, true, O_COLOR},      {"step", 0, true, O_STEP},
        {"at", 0, true, O_AT},            {"reply", 0, true, O_REPLY},
        {"save-fork", 0, true, O_SAVE_FORK}, {NULL, 0, false, 0},
    };
    app_opts p;
    app_opts_init(&p, "smtpsim run", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        switch (c) {
        case APP_OPTS_HELP:
            run_usage(stdout);
            return 0;
        case O_EXPLAIN:
            explain = true;
            break;
        case O_FORMAT:
            format = p.arg;
            break;
        case O_COLOR:
            color = p.arg;
            break;
        case O_STEP:
            if (parse_size(p.arg, &step) < 0)
                return app_opts_usage_error(&p, "--step needs a step number");
            have_step = true;
            break;
        case O_AT:
            if (parse_size(p.arg, &at) < 0)
                return app_opts_usage_error(&p, "--at needs a step number");
            have_at = true;
            break;
        case O_REPLY:
            reply = p.arg;
            break;
        case O_SAVE_FORK:
            save = p.arg;
            break;
        case APP_OPTS_OPERAND:
            if (name)
                return app_opts_usage_error(&p, "one scenario at a time ('%s')", p.arg);
            name = p.arg;
            break;
        default:
            return 2;
        }
    }
    if (!name) {
        run_usage(stderr);
        return 2;
    }
    if (strcmp(format, "text") && strcmp(format, "json")) {
        fprintf(stderr, "smtpsim run: --format is text or json\n");
        return 2;
    }
    if (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never")) {
        fprintf(stderr, "smtpsim run: --color is auto, always or never\n");
        return 2;
    }
    if (have_at != (reply != NULL) || (save && !have_at)) {
        fprintf(stderr, "smtpsim run: --at and --reply go together (and --save-fork needs them)\n");
        return 2;
    }
    char path[4096], err[1024];
    if (catalog_resolve(app_data_dir(), CATALOG_SCENARIO, name, NULL, path, sizeof path, err,
                        sizeof err) != 0) {
        fprintf(stderr, "smtpsim run: %s%s\n", err,
                strstr(err, "did you mean") ? "" : " (see 'smtpsim list')");
        return 2;
    }
    scenario *sc = scenario_load(path, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    world *w = have_at ? world_new_fork(sc, at, reply, err, sizeof err)
                       : world_new(sc, err, sizeof err);
    if (!w) {
        fprintf(stderr, "smtpsim run: %s\n", err);
        scenario_free(sc);
        return 2;
    }
    int rc = 0;
    if (save) {
        world *orig = world_new(sc, err, sizeof err);
        rc = orig ? save_fork(sc, orig, at, reply, save) : 2;
        world_free(orig);
    }
    transcript_opts o = {.explain = explain};
    /* --explain also shows the narration of the scenario's lessons at their steps (not in a
     * what-if fork: its steps after the change are another story) */
    lesson *lessons[RUN_MAX_LESSONS];
    size_t n_lessons = explain && !have_at
                           ? catalog_lessons_of(app_data_dir(), scenario_id(sc), lessons,
                                                RUN_MAX_LESSONS)
                           : 0;
    transcript_note *notes = narration_notes(lessons, n_lessons, &o.n_notes);
    o.notes = notes;
    if (!strcmp(color, "always"))
        o.color = true;
    else if (!strcmp(color, "auto"))
        o.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    if (rc == 0 && !strcmp(format, "json")) {
        char *j = transcript_json(w, scenario_id(sc), scenario_title(sc));
        if (!j || puts(j) == EOF)
            rc = 2;
        free(j);
    } else if (rc == 0 && have_step) {
        if (step >= world_step_count(w)) {
            fprintf(stderr, "smtpsim run: step %zu does not exist (the run has %zu steps)\n", step,
                    world_step_count(w));
            rc = 2;
        } else {
            transcript_write_range(stdout, w, step, step, &o);
            fputc('\n', stdout);
            transcript_write_state(stdout, w, step, &o);
        }
    } else if (rc == 0) {
        if (o.color)
            printf("\033[1m%s\033[0m - %s\n\n", scenario_id(sc), scenario_title(sc));
        else
            printf("%s - %s\n\n", scenario_id(sc), scenario_title(sc));
        if (have_at)
            printf("What if: step %zu answered \"%s\"\n\n", at, reply);
        if (transcript_write(stdout, w, &o) < 0)
            rc = 2;
    }
    free(notes);
    for (size_t i = 0; i < n_lessons; i++)
        lesson_free(lessons[i]);
    world_free(w);
    scenario_free(sc);
    return rc;
}
