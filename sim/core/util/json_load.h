/* json_load.h - hostile-input-safe JSON loading for scenarios, lessons and progress files.
 *
 * Wraps cJSON with what it lacks: a file size limit, UTF-8 validation, `file:line:col: what`
 * for syntax errors (cJSON only gives an offset), and typed getters that report a wrong field
 * by its path (`nodes[2].port: expected an integer 1-65535`). The first error sticks; later
 * getters on a failed checker return defaults, so validation code reads straight through and
 * checks `chk.failed` once.
 */
#ifndef JSON_LOAD_H
#define JSON_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#define JSON_LOAD_MAX_BYTES (4 * 1024 * 1024) /* largest file we parse */
#define JSON_LOAD_MAX_DEPTH 64                /* deepest nesting we accept (cJSON allows 1000) */

/* json_load_file - read, validate UTF-8, parse. NULL with "file:line:col: what" in err. */
cJSON *json_load_file(const char *path, size_t max_bytes, char *err, size_t errlen);

/* json_parse_buffer - the same for bytes in memory; origin names them in messages. */
cJSON *json_parse_buffer(const char *origin, const char *buf, size_t len, char *err, size_t errlen);

/* A checker: where we are (origin) and the first error. */
typedef struct {
    const char *origin; /* file name, used as the message prefix */
    bool failed;
    char err[512];      /* "origin: path: what" */
} json_check;

void json_check_init(json_check *c, const char *origin);

/* json_fail - record an error at path (printf-style message), unless one is recorded. */
void json_fail(json_check *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Getters. `path` is the object's own path ("" for the root, "nodes[2]"); the field is added.
 * Missing optional fields give the default. Wrong types, out-of-range values, or strings longer
 * than maxlen bytes fail with the field's path. */
const char *json_string(json_check *c, const cJSON *obj, const char *path, const char *field,
                        bool required, size_t maxlen, const char *def);
long json_int(json_check *c, const cJSON *obj, const char *path, const char *field, bool required,
              long min, long max, long def);
bool json_bool(json_check *c, const cJSON *obj, const char *path, const char *field, bool def);
/* json_array / json_object: NULL when absent and not required (or on error). */
const cJSON *json_array(json_check *c, const cJSON *obj, const char *path, const char *field,
                        bool required, size_t max_items);
const cJSON *json_object(json_check *c, const cJSON *obj, const char *path, const char *field,
                         bool required);

/* json_item_object - item i of the array arr, which must be an object whose members are all in
 * `known` (NULL-terminated; NULL: not checked here). path names the item ("dns[2]"). NULL, with
 * the failure recorded, when it is not an object or has a member not in `known`. */
const cJSON *json_item_object(json_check *c, const cJSON *arr, int i, const char *path,
                              const char *const *known);

/* json_unknown_fields - fail on any member of obj not listed in `known` (NULL-terminated):
 * catches typos such as "prot" for "port". */
void json_unknown_fields(json_check *c, const cJSON *obj, const char *path, const char *const *known);

/* json_path - build "base.field" or "base[i]" into buf (for nested getters). */
const char *json_path(char *buf, size_t cap, const char *base, const char *field, long index);


#endif
