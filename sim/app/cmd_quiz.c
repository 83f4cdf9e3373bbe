/* cmd_quiz.c - the 'quiz' command (not written yet: placeholder so the program links). */
#include <stdio.h>

#include "app/commands.h"

int cmd_quiz(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "smtpsim: 'quiz' is not available yet\n");
    return 2;
}
