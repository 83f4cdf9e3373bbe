/* cmd_export.c - `smtpsim export`: --gift LESSON writes the lesson for Moodle, --csv LESSON for
 * Anki; every other export (--pcap, --svg, --png, --transcript of a scenario) is handed to
 * export_world.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_paths.h"
#include "app/commands.h"
#include "app/export_world.h"
#include "core/teach/anki.h"
#include "core/teach/gift.h"
#include "core/teach/lesson.h"

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

/* write_file - to a temporary file then renamed, so a failed export leaves no half file. */
static int write_file(const char *path, const char *text, size_t len)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    bool ok = fwrite(text, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int cmd_export(int argc, char **argv)
{
    bool gift = false, csv = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--gift"))
            gift = true;
        if (!strcmp(argv[i], "--csv"))
            csv = true;
    }
    const char *flag = csv ? "--csv" : "--gift";
    gift = gift || csv;
    if (!gift) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
            export_usage(stdout); /* then the scenario exporters' own help */
        return export_world_main(argc, argv);
    }
    const char *name = NULL, *out = NULL;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return export_usage(stdout);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], flag) && i + 1 < argc && !name && argv[i + 1][0] != '-') {
            name = argv[++i];
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], flag)) {
            fprintf(stderr, "smtpsim export: %s needs a lesson id or file\n", flag);
            return 2;
        } else {
            fprintf(stderr, "smtpsim export: unexpected '%s'\n", argv[i]);
            return export_usage(stderr);
        }
    }
    if (!name)
        return export_usage(stderr);
    /* the quiz's loader: ids, files, "did you mean", predict codes from the world */
    lesson *l = NULL;
    size_t nl = 0;
    if (cmd_quiz_load_lessons(&name, 1, &l, 1, &nl) != 0)
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
        if (write_file(out, text, len) != 0) {
            perror(out);
            rc = 2;
        }
    } else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
        rc = 2;
    }
    free(text);
    return rc;
}
