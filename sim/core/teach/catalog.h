/* catalog.h - the content that ships: which scenarios and lessons there are, which file a name
 * means, and which lessons animate a scenario.
 *
 * One place answers these for the window's picker and quiz panel, `list`, `lint`, `quiz`,
 * `export`, `run`, `shot` and `window --lesson`, so they cannot disagree:
 * - Folders: lessons live in DATA/lessons, scenarios in DATA/lessons/scenarios, where DATA is
 *   the data directory the caller found (app_paths.h: $SMTPSIM_DATA, else above the binary,
 *   else "."). A scenario named by a lesson is looked for first in the lesson file's own
 *   scenarios/ folder (a course kept outside the data directory), then in DATA's.
 * - Order: by id (the file name without ".json"), byte by byte, a shorter id first
 *   ("too-large" before "too-large-local"): file_json_names in file_util.h.
 * - Names: an id ([a-z0-9-]) is looked up; anything with a '/' or ending in ".json" is a path
 *   and taken as it is.
 * Errors name the folders really searched.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>

#include "core/teach/lesson.h"

typedef enum {
    CATALOG_SCENARIO,
    CATALOG_LESSON,
} catalog_kind;

#define CATALOG_MAX_ID 64
#define CATALOG_MAX_PATH 4096

typedef struct {
    char id[CATALOG_MAX_ID];     /* the file name without ".json" */
    char path[CATALOG_MAX_PATH]; /* DIR/ID.json */
} catalog_entry;

/* catalog_dir - the folder of a kind: DATA/lessons/scenarios or DATA/lessons (data_dir NULL
 * means "."). 0, or -1 when it does not fit. */
int catalog_dir(const char *data_dir, catalog_kind kind, char *out, size_t outlen);

/* catalog_list - the files of a kind in listing order: *out is malloc'd (free()), NULL when
 * there are none. The count (0 when the folder is missing or empty), -1 out of memory. Names
 * too long for an entry are left out. */
long catalog_list(const char *data_dir, catalog_kind kind, catalog_entry **out);

/* catalog_resolve - the readable file NAME means: a path as it is, an id in its folder (for a
 * scenario, first in the scenarios/ folder next to the lesson file `near`, when near is not
 * NULL). 0, or -1 with one line in err, no newline: "no scenario 'x' (looked in A and B)",
 * "no lesson 'x' (not an id or a path)", "no file 'p.json'"; a name one or two edits from one
 * id in the folders searched gets "; did you mean 'id'?" after it (suggest.h). */
int catalog_resolve(const char *data_dir, catalog_kind kind, const char *name, const char *near,
                    char *out, size_t outlen, char *err, size_t errlen);

/* catalog_lessons_of - the lessons whose "scenario" is scenario_id, loaded, in listing order,
 * at most cap (the caller lesson_free()s them). Lessons that do not load are skipped: lint
 * reports them. Files that never mention the id are not parsed (opening the window reads the
 * dozen lesson files only for this). */
size_t catalog_lessons_of(const char *data_dir, const char *scenario_id, lesson **out, size_t cap);

/* catalog_lessons_asking - catalog_lessons_of, plus the lessons with a predict question whose
 * at.scenario is scenario_id (retrieval asks about pop3-download without animating it): the
 * lessons the window's quiz panel and predict stops use. */
size_t catalog_lessons_asking(const char *data_dir, const char *scenario_id, lesson **out,
                              size_t cap);

#endif
