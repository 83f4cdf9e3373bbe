/* cmd_lint.c - the 'lint' command (not written yet: placeholder so the program links). */
#include <stdio.h>

#include "app/commands.h"

int cmd_lint(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "smtpsim: 'lint' is not available yet\n");
    return 2;
}
