/* commands.h - the subcommands of smtpsim, one function each, one file each (cmd_NAME.c).
 *
 * Each takes the arguments after its own name (argv[0] is the command name) and returns the
 * process exit status: 0 success, 1 the thing checked failed (lint error, recipient refused),
 * 2 usage or input error.
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#include <stddef.h>

int cmd_window(int argc, char **argv); /* no command: the step-through window (cmd_window.c) */
int cmd_run(int argc, char **argv);    /* terminal transcript of a scenario (cmd_run.c) */
int cmd_list(int argc, char **argv);   /* scenarios and lessons, one line each (cmd_list.c) */
int cmd_shot(int argc, char **argv);   /* render a frame to PNG without a display (cmd_shot.c) */
int cmd_quiz(int argc, char **argv);   /* terminal quiz (cmd_quiz.c) */
int cmd_lint(int argc, char **argv);   /* check lessons and scenarios (cmd_lint.c) */
int cmd_export(int argc, char **argv); /* --gift, --csv, --pcap, --svg, --png, --transcript */
int cmd_serve(int argc, char **argv);  /* real SMTP server on sockets (cmd_serve.c) */
int cmd_send(int argc, char **argv);   /* real SMTP client (cmd_send.c) */
int cmd_live(int argc, char **argv);   /* loopback chain + window (cmd_live.c) */
int cmd_stats(int argc, char **argv);  /* progress statistics in the terminal (cmd_stats.c) */

/* cmd_lint_resolve_predicts - (cmd_lint.c) build the world of each scenario that lesson l's
 * predict questions name, and set each question's true reply code from it; lesson_path locates
 * a sibling scenarios/ directory. 0, or -1 with error lines in err. Also used by cmd_quiz.c. */
struct lesson;
int cmd_lint_resolve_predicts(struct lesson *l, const char *lesson_path, char *err, size_t errlen);

/* cmd_quiz_load_lessons - (cmd_quiz.c) the lessons named (ids or files, through the catalog),
 * or every lesson of the data directory when n is 0, predict questions resolved against the
 * world. 0 with *n_out loaded (the caller lesson_free()s them), or -1 after printing why, each
 * line after cmd ("smtpsim stats"); nothing is kept then. Also used by cmd_stats.c and
 * cmd_export.c. */
int cmd_quiz_load_lessons(const char *cmd, const char *const *names, size_t n,
                          struct lesson **out, size_t cap, size_t *n_out);

/* cmd_quiz_progress_path - (cmd_quiz.c) `given`, or the default progress file (in
 * $XDG_DATA_HOME/smtpsim or ~/.local/share/smtpsim) written into buf; NULL after printing why
 * there is none. Also used by cmd_stats.c. */
const char *cmd_quiz_progress_path(const char *given, char *buf, size_t cap);

#endif
