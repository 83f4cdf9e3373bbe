/* export_world.c - scenario exports (placeholder until the exporters land). */
#include <stdio.h>

#include "app/export_world.h"

int export_world_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "smtpsim export: scenario exports are not available yet\n");
    return 2;
}
