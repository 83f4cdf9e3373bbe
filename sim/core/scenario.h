/* scenario.h - scenario files: the description of a simulated mail world, loaded from JSON.
 *
 * A scenario names its nodes, users and passwords, domains, DNS records, policies, the message
 * and the faults to inject (format: lessons/scenarios/FORMAT.md). Loading validates everything
 * and never crashes on any input: a JSON syntax error is reported as "file:line:col: what",
 * a wrong field with its path ("nodes[2].port: expected an integer 1-65535").
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <stddef.h>

/* Named limit: scenario files larger than this are refused before parsing. */
#define SCENARIO_MAX_FILE_BYTES (1024 * 1024)

typedef struct scenario scenario;

/* scenario_load - read and validate a file. NULL and err filled on any problem. */
scenario *scenario_load(const char *path, char *err, size_t errlen);

/* scenario_load_buffer - the same from memory; `origin` names it in messages. */
scenario *scenario_load_buffer(const char *origin, const char *json, size_t len, char *err,
                               size_t errlen);
void scenario_free(scenario *sc);

const char *scenario_id(const scenario *sc);          /* "basic", from the file's "id" */
const char *scenario_title(const scenario *sc);       /* one line */
const char *scenario_description(const scenario *sc); /* a paragraph */

/* scenario_resolve - turn "basic" or "path/to/file.json" into a readable path: a name is
 * looked up as DATA_DIR/lessons/scenarios/NAME.json. 0 on success, -1 if not found. */
int scenario_resolve(const char *data_dir, const char *name_or_path, char *out, size_t outlen);

#endif
