/* cmd_export.c - `smtpsim export`: --gift LESSON writes the lesson for Moodle, --csv LESSON for
 * Anki; every other export (--pcap, --svg, --png, --transcript of a scenario) is handed to
 * export_world.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "app/commands.h"
#include "app/export_world.h"
#include "core/teach/anki.h"
#include "core/teach/gift.h"
#include "core/teach/lesson.h"
#include "core/util/file_util.h"

static int export_usage(FILE *out)
{
    fprintf(out,
            "usage: smtpsim export --gift|--csv LESSON [--out FILE]\n"
            "       smtpsim export --pcap|--svg|--png|--transcript SCENARIO ...\n"
            "\n"
            "  --gift LESSON   the lesson's questions in Moodle GIFT format (a lesson id or a\n"
            "                  file); written to standard output or to --out FILE. Choices\n"
            "                  are written in the lesson's order: Moodle shuffles them itself\n"
            "  --csv LESSON    the lesson as flashcards for Anki's File > Import (CSV: front,\n"
            "                  back, tags)\n");
    return out == stdout ? 0 : 2;
}

int cmd_export(int argc, char **argv)
{
    bool lesson_export = false;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--gift") || !strncmp(argv[i], "--gift=", 7) ||
            !strcmp(argv[i], "--csv") || !strncmp(argv[i], "--csv=", 6))
            lesson_export = true;
    if (!lesson_export) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
            export_usage(stdout); /* then the scenario exporters' own help */
        return export_world_main(argc, argv);
    }
    enum { O_GIFT = 1, O_CSV, O_OUT };
    static const app_opt opts[] = {{"gift", 0, true, O_GIFT},
                                   {"csv", 0, true, O_CSV},
                                   {"out", 0, true, O_OUT},
                                   {NULL, 0, false, 0}};
    const char *name = NULL, *out = NULL;
    bool csv = false;
    app_opts p;
    app_opts_init(&p, "smtpsim export", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        if (c == APP_OPTS_HELP)
            return export_usage(stdout);
        if ((c == O_GIFT || c == O_CSV) && name)
            return app_opts_usage_error(&p, "one lesson at a time");
        if ((c == O_GIFT || c == O_CSV) && (p.arg[0] == '-' || !p.arg[0]))
            return app_opts_usage_error(&p, "%s needs a lesson id or file",
                                        c == O_CSV ? "--csv" : "--gift");
        if (c == O_GIFT || c == O_CSV) {
            name = p.arg;
            csv = c == O_CSV;
        } else if (c == O_OUT) {
            out = p.arg;
        } else if (c == APP_OPTS_OPERAND) {
            return app_opts_usage_error(&p, "unexpected '%s'", p.arg);
        } else {
            return 2;
        }
    }
    if (!name)
        return export_usage(stderr);
    /* the quiz's loader: ids and files through the catalog, predict codes from the world */
    lesson *l = NULL;
    size_t nl = 0;
    if (cmd_quiz_load_lessons("smtpsim export", &name, 1, &l, 1, &nl) != 0)
        return 2;
    size_t len = 0;
    char *text = csv ? anki_export(l, &len) : gift_export(l, &len);
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
