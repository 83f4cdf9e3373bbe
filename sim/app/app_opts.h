/* app_opts.h - every command's options from one table, parsed with getopt_long.
 *
 * A command lists its options once (name, short letter, whether a value follows, an id) and
 * loops on app_opts_next, which hands back each option's id with its value, each operand in
 * the order given, and --help/-h. The rules are the same for every command, as the README
 * says: options and operands mix freely, "--name=value" and "--name value" are the same, "--"
 * ends the options, names are written in full (getopt_long's abbreviations are refused, so a
 * new option can never change what an old command line means), and a usage error is one line
 * naming the bad option, exit status 2.
 */
#ifndef APP_OPTS_H
#define APP_OPTS_H

#include <stdbool.h>

#define APP_OPTS_MAX 40 /* options in one table */

typedef struct {
    const char *name; /* long name without the dashes: "step"; NULL ends the table */
    char letter;      /* short form ('v' for -v), or 0 */
    bool value;       /* a value follows */
    int id;           /* returned by app_opts_next; > 0 */
} app_opt;

/* What app_opts_next returns besides an option's id. */
enum {
    APP_OPTS_END = 0,      /* nothing left */
    APP_OPTS_OPERAND = -1, /* an operand, in p->arg */
    APP_OPTS_HELP = -2,    /* --help or -h */
    APP_OPTS_ERROR = -3,   /* unknown option or missing value: said on stderr; exit 2 */
};

typedef struct {
    const char *cmd; /* "smtpsim run": the start of every message */
    int argc;
    char **argv;
    const app_opt *opts;
    const char *arg;  /* the value of the option just returned, or the operand */
    const char *name; /* the option just returned as written ("--step"), for messages */
    bool done;        /* after "--": the rest are operands */
} app_opts;

/* app_opts_init - parse argv[1..argc) (argv[0] is the command's name) with the table opts. */
void app_opts_init(app_opts *p, const char *cmd, const app_opt *opts, int argc, char **argv);

/* app_opts_next - the next option's id (its value in p->arg), or one of APP_OPTS_*. */
int app_opts_next(app_opts *p);

/* app_opts_usage_error - say "CMD: what" on stderr in one line (a value the command refuses,
 * options that do not go together) and give the exit status of a usage error, 2. */
int app_opts_usage_error(const app_opts *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
