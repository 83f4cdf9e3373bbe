/* cmd_export.c - the 'export' command (not written yet: placeholder so the program links). */
#include <stdio.h>

#include "app/commands.h"

int cmd_export(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "smtpsim: 'export' is not available yet\n");
    return 2;
}
