/* app_opts.c - option tables on top of getopt_long (see app_opts.h).
 *
 * getopt_long keeps its state in globals (optind, optarg): one parse at a time, which is all a
 * command needs; app_opts_init starts it afresh (optind = 0 is glibc's full reset). The option
 * string begins with '-' so operands come back in order where they stand (no reordering of
 * argv) and with ':' so a missing value is told from an unknown option.
 */
#define _GNU_SOURCE /* getopt_long */
#include "app/app_opts.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct option long_opts[APP_OPTS_MAX + 2];
static char short_opts[2 * APP_OPTS_MAX + 8];

void app_opts_init(app_opts *p, const char *cmd, const app_opt *opts, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->opts = opts;
    p->argc = argc;
    p->argv = argv;
    size_t n = 0, s = 0;
    short_opts[s++] = '-';
    short_opts[s++] = ':';
    short_opts[s++] = 'h';
    long_opts[n++] = (struct option){"help", no_argument, NULL, APP_OPTS_HELP};
    for (size_t i = 0; opts[i].name && n < APP_OPTS_MAX + 1; i++) {
        long_opts[n++] = (struct option){opts[i].name, opts[i].value ? required_argument
                                                                     : no_argument,
                                         NULL, 1000 + (int)i};
        if (opts[i].letter) {
            short_opts[s++] = opts[i].letter;
            if (opts[i].value)
                short_opts[s++] = ':';
        }
    }
    long_opts[n] = (struct option){0, 0, 0, 0};
    short_opts[s] = '\0';
    optind = 0;
    opterr = 0;
}

/* written_in_full - whether token ("--step" or "--step=5") names the option exactly. */
static bool written_in_full(const char *token, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(token, "--", 2) && !strncmp(token + 2, name, n) &&
           (token[2 + n] == '\0' || token[2 + n] == '=');
}

int app_opts_next(app_opts *p)
{
    p->arg = p->name = NULL;
    if (p->done) {
        if (optind >= p->argc)
            return APP_OPTS_END;
        p->arg = p->argv[optind++];
        return APP_OPTS_OPERAND;
    }
    int before = optind ? optind : 1;
    const char *token = before < p->argc ? p->argv[before] : "";
    int li = -1;
    int c = getopt_long(p->argc, p->argv, short_opts, long_opts, &li);
    p->name = token;
    if (c == -1) {
        p->done = true; /* "--", or nothing left */
        return app_opts_next(p);
    }
    if (c == 1) {
        p->name = NULL;
        p->arg = optarg;
        return APP_OPTS_OPERAND;
    }
    if (c == 'h' || c == APP_OPTS_HELP)
        return !strncmp(token, "--", 2) && !written_in_full(token, "help")
                   ? app_opts_usage_error(p, "unknown option '%s'", token), APP_OPTS_ERROR
                   : APP_OPTS_HELP;
    if (c == ':') {
        app_opts_usage_error(p, "%s needs a value", token);
        return APP_OPTS_ERROR;
    }
    if (c == '?') {
        if (optopt && strncmp(token, "--", 2))
            app_opts_usage_error(p, "unknown option '-%c'", optopt);
        else
            app_opts_usage_error(p, "unknown option '%s'", token);
        return APP_OPTS_ERROR;
    }
    const app_opt *o = NULL;
    if (c >= 1000)
        o = &p->opts[c - 1000];
    else
        for (size_t i = 0; p->opts[i].name && !o; i++)
            if (p->opts[i].letter == c)
                o = &p->opts[i];
    if (!o)
        return app_opts_usage_error(p, "unknown option '%s'", token), APP_OPTS_ERROR;
    if (c >= 1000 && !written_in_full(token, o->name)) {
        app_opts_usage_error(p, "unknown option '%s' (did you mean --%s?)", token, o->name);
        return APP_OPTS_ERROR;
    }
    p->arg = optarg;
    return o->id;
}

int app_opts_usage_error(const app_opts *p, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", p->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}
