/* cmd_list.c - the 'list' command (not written yet: placeholder so the program links). */
#include <stdio.h>

#include "app/commands.h"

int cmd_list(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "smtpsim: 'list' is not available yet\n");
    return 2;
}
