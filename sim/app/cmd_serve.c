/* cmd_serve.c - the 'serve' command (not written yet: placeholder so the program links). */
#include <stdio.h>

#include "app/commands.h"

int cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "smtpsim: 'serve' is not available yet\n");
    return 2;
}
