/* export_world.h - `smtpsim export` for scenarios: --pcap, --svg, --png, --transcript.
 * (`export --gift` for lessons is handled in cmd_export.c, which forwards the rest here.) */
#ifndef EXPORT_WORLD_H
#define EXPORT_WORLD_H

/* export_world_main - argv as given to `smtpsim export`; returns the exit status. */
int export_world_main(int argc, char **argv);

#endif
