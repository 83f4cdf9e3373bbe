/* export_world.c - `smtpsim export --pcap|--svg|--transcript SCENARIO [--out FILE]`.
 *
 * Builds the scenario's world once and writes it in the asked-for form. Binary output (pcap)
 * is never written to a terminal; files are written to a temporary name and renamed, so a
 * failed export never leaves half a file behind.
 */
#include "app/export_world.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "core/export/pcap_export.h"
#include "core/teach/catalog.h"
#include "core/util/file_util.h"
#include "core/world/scenario.h"
#include "core/export/svg_export.h"
#include "core/export/transcript.h"
#include "core/world/world.h"
#include "ui/ui_seqdiag.h"

typedef enum { FMT_NONE, FMT_PCAP, FMT_SVG, FMT_PNG, FMT_TRANSCRIPT } export_format;

static void usage(FILE *f)
{
    fprintf(f, "\nscenario exports:\n"
               "       smtpsim export --pcap SCENARIO --out FILE.pcap\n"
               "       smtpsim export --svg SCENARIO --out FILE.svg\n"
               "       smtpsim export --png SCENARIO --out FILE.png [--scale 1-4]\n"
               "       smtpsim export --transcript SCENARIO [--out FILE.txt]\n"
               "SCENARIO is a name from `smtpsim list` or a path to a scenario file.\n");
}

/* write_png - the diagram as a picture, written atomically (file_util.h). Errors name the
 * path the user gave, never the temporary one (it sits in the same directory, so the reason is
 * the same). */
static int write_png(const char *out_path, const world *w, const scenario *sc, int scale)
{
    char fonts[PATH_MAX], err[256];
    if (snprintf(fonts, sizeof fonts, "%s/assets/fonts", app_data_dir()) >= (int)sizeof fonts) {
        fprintf(stderr, "smtpsim export: %s: path too long\n", app_data_dir());
        return 2;
    }
    file_atomic a;
    if (file_atomic_open(&a, out_path, 0644) != 0) {
        fprintf(stderr, "smtpsim export: %s: %s\n", out_path, strerror(errno));
        return 2;
    }
    if (ui_seqdiag_png(w, scenario_title(sc), fonts, scale, a.f, err, sizeof err) != 0) {
        file_atomic_abort(&a);
        fprintf(stderr, "smtpsim export: %s: %s\n", out_path, err);
        return 1;
    }
    if (file_atomic_commit(&a) != 0) {
        fprintf(stderr, "smtpsim export: %s: %s\n", out_path, strerror(errno));
        return 1;
    }
    fprintf(stderr, "smtpsim export: wrote %s\n", out_path);
    return 0;
}

/* write_output - run the writer into a temporary file renamed over FILE (file_util.h), or to
 * stdout. */
static int write_output(const char *out_path, export_format fmt, const world *w, const scenario *sc)
{
    char err[256] = "";
    FILE *f = stdout;
    file_atomic a;
    if (out_path) {
        if (file_atomic_open(&a, out_path, 0644) != 0) {
            fprintf(stderr, "smtpsim export: %s: %s\n", out_path, strerror(errno));
            return 2;
        }
        f = a.f;
    }
    int rc;
    switch (fmt) {
    case FMT_PCAP:
        rc = pcap_export_world(w, f, err, sizeof err);
        break;
    case FMT_SVG:
        rc = svg_export_world(w, scenario_title(sc), f, err, sizeof err);
        break;
    default: {
        /* the same text as `smtpsim run SCENARIO --color never` */
        transcript_opts o = {.explain = false, .color = false};
        rc = fprintf(f, "%s - %s\n\n", scenario_id(sc), scenario_title(sc)) < 0 ? -1
                                                                               : transcript_write(f, w, &o);
        if (rc != 0)
            snprintf(err, sizeof err, "write error");
        break;
    }
    }
    if (out_path && rc != 0) {
        file_atomic_abort(&a);
    } else if (out_path && file_atomic_commit(&a) != 0) {
        rc = -1;
        snprintf(err, sizeof err, "%s", strerror(errno));
    }
    if (rc != 0) {
        fprintf(stderr, "smtpsim export: %s: %s\n", out_path ? out_path : "stdout", err);
        return 1;
    }
    if (out_path)
        fprintf(stderr, "smtpsim export: wrote %s\n", out_path);
    return 0;
}

int export_world_main(int argc, char **argv)
{
    export_format fmt = FMT_NONE;
    const char *name = NULL, *out_path = NULL;
    int scale = 2;
    enum { O_PCAP = 1, O_SVG, O_PNG, O_TRANSCRIPT, O_SCALE, O_OUT };
    static const app_opt opts[] = {
        {"pcap", 0, true, O_PCAP},   {"svg", 0, true, O_SVG},
        {"png", 0, true, O_PNG},     {"transcript", 0, true, O_TRANSCRIPT},
        {"scale", 0, true, O_SCALE}, {"out", 0, true, O_OUT},
        {NULL, 0, false, 0},
    };
    static const export_format formats[] = {FMT_NONE, FMT_PCAP, FMT_SVG, FMT_PNG,
                                            FMT_TRANSCRIPT};
    app_opts p;
    app_opts_init(&p, "smtpsim export", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        switch (c) {
        case APP_OPTS_HELP:
            usage(stdout);
            return 0;
        case O_PCAP:
        case O_SVG:
        case O_PNG:
        case O_TRANSCRIPT:
            if (fmt != FMT_NONE)
                return app_opts_usage_error(&p, "one export at a time ('%s')", p.name);
            fmt = formats[c];
            name = p.arg;
            break;
        case O_SCALE: {
            char *end;
            long v = strtol(p.arg, &end, 10);
            if (!*p.arg || *end || v < 1 || v > 4)
                return app_opts_usage_error(&p, "--scale takes 1 to 4");
            scale = (int)v;
            break;
        }
        case O_OUT:
            out_path = p.arg;
            break;
        case APP_OPTS_OPERAND:
            return app_opts_usage_error(&p, "unexpected argument '%s'", p.arg);
        default:
            return 2;
        }
    }
    if (fmt == FMT_NONE) {
        usage(stderr);
        return 2;
    }
    if (fmt != FMT_TRANSCRIPT && !out_path) {
        fprintf(stderr, "smtpsim export: --out FILE is required for %s\n",
                fmt == FMT_PCAP ? "--pcap" : fmt == FMT_SVG ? "--svg" : "--png");
        return 2;
    }

    char path[PATH_MAX], err[512];
    if (catalog_resolve(app_data_dir(), CATALOG_SCENARIO, name, NULL, path, sizeof path, err,
                        sizeof err) != 0) {
        fprintf(stderr, "smtpsim export: %s (see `smtpsim list`)\n", err);
        return 2;
    }
    scenario *sc = scenario_load(path, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    world *w = world_new(sc, err, sizeof err);
    if (!w) {
        fprintf(stderr, "smtpsim export: %s\n", err);
        scenario_free(sc);
        return 2;
    }
    int rc = fmt == FMT_PNG ? write_png(out_path, w, sc, scale) : write_output(out_path, fmt, w, sc);
    world_free(w);
    scenario_free(sc);
    return rc;
}
