/* main.c - smtpsim's entry point: picks the subcommand and hands it the rest of argv.
 *
 * With no command smtpsim opens the step-through window on the default scenario (or, with no
 * display, prints its transcript). Every command's own --help tells its options.
 */
#include <stdio.h>
#include <string.h>

#include "app/commands.h"

#define SMTPSIM_VERSION "0.1.0"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} command;

static const command commands[] = {
    {"run", cmd_run, "run SCENARIO [--explain] [--format text|json] [--step N]"},
    {"list", cmd_list, "list                       scenarios and lessons, one line each"},
    {"shot", cmd_shot, "shot SCENARIO --step N --out FILE.png [--size WxH] [--theme NAME]"},
    {"quiz", cmd_quiz, "quiz [LESSON] [--exam N] [--review] [--minutes M] [--progress FILE]"},
    {"stats", cmd_stats, "stats [LESSON...] [--progress FILE]  due today, accuracy, boxes"},
    {"lint", cmd_lint, "lint [FILE...]             check lessons and scenarios"},
    {"export", cmd_export, "export --gift|--csv LESSON | --pcap|--svg|--png|--transcript SCENARIO"},
    {"serve", cmd_serve, "serve --role mx|msa|mta [--listen ADDR:PORT]..."},
    {"send", cmd_send, "send --server HOST:PORT --from A --to B [...]"},
    {"live", cmd_live, "live                       loopback MSA/MTA/MX chain, animated"},
    {"window", cmd_window, "window [SCENARIO]          the step-through window (the default)"},
};

static void usage(FILE *out)
{
    fprintf(out, "smtpsim %s - an educational SMTP simulator\n\nusage: smtpsim [COMMAND] [ARGS]\n\n",
            SMTPSIM_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  smtpsim %s\n", commands[i].usage);
    fprintf(out, "\nWith no command, smtpsim opens the window (or prints the transcript when there "
                 "is no display).\n'smtpsim COMMAND --help' tells more.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cmd_window(1, (char *[]){"window", NULL});
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version")) {
        printf("smtpsim %s\n", SMTPSIM_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    /* `smtpsim SCENARIO` opens the window on that scenario. */
    if (name[0] != '-')
        return cmd_window(argc, argv); /* argv[0] stands in for the command name */
    fprintf(stderr, "smtpsim: unknown option '%s'\n", name);
    usage(stderr);
    return 2;
}
