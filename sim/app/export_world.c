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

#include "app/app_paths.h"
#include "core/export/pcap_export.h"
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

/* write_png - the diagram as a picture, written to a temporary name and renamed. Errors name
 * the path the user gave, never the temporary one (it sits in the same directory, so the
 * reason is the same). */
static int write_png(const char *out_path, const world *w, const scenario *sc, int scale)
{
    char tmp[PATH_MAX], fonts[PATH_MAX], err[256];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld.png", out_path, (long)getpid()) >= (int)sizeof tmp ||
        snprintf(fonts, sizeof fonts, "%s/assets/fonts", app_data_dir()) >= (int)sizeof fonts) {
        fprintf(stderr, "smtpsim export: %s: path too long\n", out_path);
        return 2;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "smtpsim export: %s: %s\n", out_path, strerror(errno));
        return 2;
    }
    int rc = ui_seqdiag_png(w, scenario_title(sc), fonts, scale, f, err, sizeof err);
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        snprintf(err, sizeof err, "%s", strerror(errno));
    }
    if (rc == 0 && rename(tmp, out_path) != 0) {
        rc = -1;
        snprintf(err, sizeof err, "%s", strerror(errno));
    }
    if (rc != 0) {
        remove(tmp);
        fprintf(stderr, "smtpsim export: %s: %s\n", out_path, err);
        return 1;
    }
    fprintf(stderr, "smtpsim export: wrote %s\n", out_path);
    return 0;
}

/* write_output - run the writer into FILE.tmp, then rename over FILE (or to stdout). */
static int write_output(const char *out_path, export_format fmt, const world *w, const scenario *sc)
{
    char err[256] = "";
    char tmp[PATH_MAX];
    FILE *f = stdout;
    if (out_path) {
        if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out_path, (long)getpid()) >= (int)sizeof tmp) {
            fprintf(stderr, "smtpsim export: %s: path too long\n", out_path);
            return 2;
        }
        f = fopen(tmp, "wb");
        if (!f) {
            fprintf(stderr, "smtpsim export: %s: %s\n", out_path, strerror(errno));
            return 2;
        }
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
    if (out_path) {
        if (fclose(f) != 0 && rc == 0) {
            rc = -1;
            snprintf(err, sizeof err, "%s", strerror(errno));
        }
        if (rc == 0 && rename(tmp, out_path) != 0) {
            rc = -1;
            snprintf(err, sizeof err, "%s", strerror(errno));
        }
        if (rc != 0)
            remove(tmp);
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
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        export_format f = !strcmp(a, "--pcap") ? FMT_PCAP
                          : !strcmp(a, "--svg") ? FMT_SVG
                          : !strcmp(a, "--png") ? FMT_PNG
                          : !strcmp(a, "--transcript") ? FMT_TRANSCRIPT
                                                       : FMT_NONE;
        if (f != FMT_NONE) {
            if (fmt != FMT_NONE || i + 1 >= argc) {
                usage(stderr);
                return 2;
            }
            fmt = f;
            name = argv[++i];
        } else if (!strcmp(a, "--scale") && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 4) {
                fprintf(stderr, "smtpsim export: --scale takes 1 to 4\n");
                return 2;
            }
            scale = (int)v;
        } else if (!strcmp(a, "--out") && i + 1 < argc) {
            out_path = argv[++i];
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "smtpsim export: unexpected argument '%s'\n", a);
            usage(stderr);
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
    if (scenario_resolve(app_data_dir(), name, path, sizeof path) != 0) {
        fprintf(stderr, "smtpsim export: no scenario '%s' (see `smtpsim list`)\n", name);
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
