/* scenario_syntax.h - the syntax rules for the strings of a scenario file (FORMAT.md): ids,
 * host names, documentation addresses, mail addresses, printable text and the start time.
 * The loader (scenario.c) applies them to every field; the fork writer to the id it makes.
 */
#ifndef SCENARIO_SYNTAX_H
#define SCENARIO_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCENARIO_ID_MAX 48       /* a scenario's "id" */
#define SCENARIO_NODE_ID_MAX 32  /* a node's "id" */
#define SCENARIO_HOST_MAX 253
#define SCENARIO_ADDRESS_MAX 254 /* RFC 5321 4.5.3.1.3 path (256) minus the angle brackets */

/* scenario_syntax_id - s[0..n) is 1..max characters of a-z, 0-9 and '-'. */
bool scenario_syntax_id(const char *s, size_t n, size_t max);

/* scenario_syntax_host - letters, digits, '-' and '_' in dot-separated labels of 1-63 octets,
 * at most SCENARIO_HOST_MAX in all. */
bool scenario_syntax_host(const char *s);

/* scenario_syntax_doc_ipv4 - a dotted quad in one of RFC 5737's documentation ranges. */
bool scenario_syntax_doc_ipv4(const char *s);

/* scenario_syntax_address - local@domain, UTF-8 allowed in the local part (RFC 6531). */
bool scenario_syntax_address(const char *s);

/* scenario_syntax_printable - no control characters. */
bool scenario_syntax_printable(const char *s);

/* scenario_syntax_start - "YYYY-MM-DDTHH:MM:SSZ" into seconds since 1970; 0, or -1 when
 * malformed. */
int scenario_syntax_start(const char *s, int64_t *out);

#endif
