/* cmd_export.c - `smtpsim export`: --gift LESSON writes the lesson for Moodle; every other
 * export (--pcap, --svg, --png, --transcript of a scenario) is handed to export_world.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "app/commands.h"
#include "app/export_world.h"
#include "core/teach/catalog.h"
#include "core/teach/gift.h"
#include "core/teach/lesson.h"
#include "core/util/file_util.h"

static int export_usage(FILE *out)
{
    fprintf(out,
            "usage: smtpsim export --gift LESSON [--out FILE]\n"
            "       smtpsim export --pcap|--svg|--png|--transcript SCENARIO ...\n"
            "\n"
            "  --gift LESSON   the lesson's questions in Moodle GIFT format (a lesson id or a\n"
            "                  file); written to standard output or to --out FILE\n");
    return out == stdout ? 0 : 2;
}

int cmd_export(int argc, char **argv)
{
    bool gift = false;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--gift") || !strncmp(argv[i], "--gift=", 7))
            gift = true;
    if (!gift) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
            export_usage(stdout); /* then the scenario exporters' own help */
        return export_world_main(argc, argv);
    }
    enum { O_GIFT = 1, O_OUT };
    static const app_opt opts[] = {
        {"gift", 0, true, O_GIFT}, {"out", 0, true, O_OUT}, {NULL, 0, false, 0}};
    const char *name = NULL, *out = NULL;
    app_opts p;
    app_opts_init(&p, "smtpsim export", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        if (c == APP_OPTS_HELP)
            return export_usage(stdout);
        if (c == O_GIFT && (name || p.arg[0] == '-' || !p.arg[0]))
            return app_opts_usage_error(&p, name ? "one lesson at a time"
                                                 : "--gift needs a lesson id or file");
        if (c == O_GIFT)
            name = p.arg;
        else if (c == O_OUT)
            out = p.arg;
        else if (c == APP_OPTS_OPERAND)
            return app_opts_usage_error(&p, "unexpected '%s'", p.arg);
        else
            return 2;
    }
    if (!name)
        return export_usage(stderr);
    char path[PATH_MAX];
    static char err[16384];
    if (catalog_resolve(app_data_dir(), CATALOG_LESSON, name, NULL, path, sizeof path, err,
                        sizeof err) != 0) {
        fprintf(stderr, "smtpsim export: %s\n", err);
        return 2;
    }
    lesson *l = lesson_load(path, err, sizeof err);
    if (!l) {
        fputs(err, stderr);
        return 2;
    }
    /* Predict questions without choices export their code: take it from the world if we can. */
    char perr[4096];
    if (cmd_lint_resolve_predicts(l, path, perr, sizeof perr) != 0)
        fprintf(stderr, "smtpsim export: warning: %s", perr);
    size_t len = 0;
    char *text = gift_export(l, &len);
    lesson_free(l);
    if (!text) {
        fprintf(stderr, "smtpsim export: out of memory\n");
        return 2;
    }
    int rc = 0;
    if (out) {
        if (file_write_atomic(out, text, len, 0644, NULL) != 0) {
            perror(out);
            rc = 2;
        }
    } else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
        rc = 2;
    }
    free(text);
    return rc;
}
