/* catalog.c - scenarios and lessons in the data folders (see catalog.h). */
#include "core/teach/catalog.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/teach/suggest.h"
#include "core/util/file_util.h"
#include "core/util/str_util.h"

static const char *const kind_word[] = {"scenario", "lesson"};

int catalog_dir(const char *data_dir, catalog_kind kind, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s/lessons%s", data_dir ? data_dir : ".",
                     kind == CATALOG_SCENARIO ? "/scenarios" : "");
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

long catalog_list(const char *data_dir, catalog_kind kind, catalog_entry **out)
{
    *out = NULL;
    char dir[CATALOG_MAX_PATH];
    if (catalog_dir(data_dir, kind, dir, sizeof dir) != 0)
        return 0;
    char **names;
    long n = file_json_names(dir, &names);
    if (n <= 0)
        return n;
    catalog_entry *v = calloc((size_t)n, sizeof *v);
    if (!v) {
        file_names_free(names, n);
        return -1;
    }
    long k = 0;
    for (long i = 0; i < n; i++) {
        size_t stem = strlen(names[i]) - 5;
        if (stem >= sizeof v[k].id)
            continue;
        int w = snprintf(v[k].path, sizeof v[k].path, "%s/%s", dir, names[i]);
        if (w < 0 || (size_t)w >= sizeof v[k].path)
            continue;
        memcpy(v[k].id, names[i], stem);
        v[k].id[stem] = '\0';
        k++;
    }
    file_names_free(names, n);
    if (!k) {
        free(v);
        v = NULL;
    }
    *out = v;
    return k;
}

/* readable - a regular file we may read (a directory named x.json is not a scenario). */
static bool readable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/* same_dir - whether two folder names are one folder ("./lessons" and "/abs/lessons"). */
static bool same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!strcmp(a, b))
        return true;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* add_suggestion - "; did you mean 'ID'?" after err when one id in the folders is close to
 * name (suggest.h), so every command that resolves names offers it. */
static void add_suggestion(char *err, size_t errlen, const char *name,
                           char dirs[][CATALOG_MAX_PATH], int nd)
{
    char **names[2] = {NULL, NULL};
    long n[2] = {0, 0};
    const char *ids[2 * SUGGEST_MAX_NAMES];
    size_t k = 0;
    for (int d = 0; d < nd && d < 2; d++) {
        n[d] = file_json_names(dirs[d], &names[d]);
        for (long i = 0; i < n[d] && k < sizeof ids / sizeof ids[0]; i++) {
            names[d][i][strlen(names[d][i]) - 5] = '\0'; /* the id: without ".json" */
            ids[k++] = names[d][i];
        }
    }
    const char *pick = suggest_pick(name, ids, k);
    size_t len = strlen(err);
    if (pick && len < errlen)
        snprintf(err + len, errlen - len, "; did you mean '%s'?", pick);
    for (int d = 0; d < 2; d++)
        file_names_free(names[d], n[d]);
}

int catalog_resolve(const char *data_dir, catalog_kind kind, const char *name, const char *near,
                    char *out, size_t outlen, char *err, size_t errlen)
{
    const char *what = kind_word[kind];
    if (errlen)
        err[0] = '\0';
    if (!name || !*name) {
        snprintf(err, errlen, "no %s named", what);
        return -1;
    }
    size_t n = strlen(name);
    if (strchr(name, '/') || (n > 5 && !strcmp(name + n - 5, ".json"))) {
        int w = snprintf(out, outlen, "%s", name);
        if (w >= 0 && (size_t)w < outlen && readable(out))
            return 0;
        snprintf(err, errlen, "no file '%s'", name);
        return -1;
    }
    /* the folders to search, in order: next to the lesson, then the data directory's */
    char dirs[2][CATALOG_MAX_PATH];
    int nd = 0;
    if (!str_id_ok(name, strlen(name), CATALOG_MAX_ID - 1)) {
        snprintf(err, errlen, "no %s '%s' (not an id or a path)", what, name);
        if (catalog_dir(data_dir, kind, dirs[0], sizeof dirs[0]) == 0)
            add_suggestion(err, errlen, name, dirs, 1);
        return -1;
    }
    if (kind == CATALOG_SCENARIO && near) {
        const char *slash = strrchr(near, '/');
        int dl = slash ? (int)(slash - near) : 1;
        int w = snprintf(dirs[nd], sizeof dirs[nd], "%.*s/scenarios", dl, slash ? near : ".");
        if (w > 0 && (size_t)w < sizeof dirs[nd])
            nd++;
    }
    if (catalog_dir(data_dir, kind, dirs[nd], sizeof dirs[nd]) == 0 &&
        !(nd == 1 && same_dir(dirs[0], dirs[1])))
        nd++;
    for (int i = 0; i < nd; i++) {
        int w = snprintf(out, outlen, "%s/%s.json", dirs[i], name);
        if (w >= 0 && (size_t)w < outlen && readable(out))
            return 0;
    }
    if (nd == 2)
        snprintf(err, errlen, "no %s '%s' (looked in %s and %s)", what, name, dirs[0], dirs[1]);
    else
        snprintf(err, errlen, "no %s '%s' (looked in %s)", what, name, nd ? dirs[0] : "nothing");
    add_suggestion(err, errlen, name, dirs, nd);
    return -1;
}

/* mentions - whether the file holds "ID" (quoted) at all. A lesson that animates the scenario
 * must; the rest are not parsed. A file too large to scan, or holding NUL bytes, goes to the
 * loader as it is (the loader decides). */
static bool mentions(const char *path, const char *id)
{
    char quoted[CATALOG_MAX_ID + 3];
    int n = snprintf(quoted, sizeof quoted, "\"%s\"", id);
    if (n <= 0 || (size_t)n >= sizeof quoted)
        return true;
    char *buf;
    size_t len;
    if (file_read_all(path, LESSON_MAX_FILE_BYTES, &buf, &len) != 0)
        return errno != ENOENT;
    bool found = strlen(buf) != len || strstr(buf, quoted) != NULL;
    free(buf);
    return found;
}

/* about - whether lesson l animates scenario id, or (asking) has a predict question at it */
static bool about(const lesson *l, const char *id, bool asking)
{
    if (l->scenario && !strcmp(l->scenario, id))
        return true;
    for (size_t i = 0; asking && i < l->n_questions; i++)
        if (l->questions[i].has_at && l->questions[i].at.scenario &&
            !strcmp(l->questions[i].at.scenario, id))
            return true;
    return false;
}

/* lessons_about - catalog_lessons_of, and with asking catalog_lessons_asking */
static size_t lessons_about(const char *data_dir, const char *scenario_id, lesson **out,
                            size_t cap, bool asking)
{
    if (!scenario_id || !*scenario_id)
        return 0;
    catalog_entry *e;
    long n = catalog_list(data_dir, CATALOG_LESSON, &e);
    size_t k = 0;
    for (long i = 0; i < n && k < cap; i++) {
        if (!mentions(e[i].path, scenario_id))
            continue;
        char err[512];
        lesson *l = lesson_load(e[i].path, err, sizeof err);
        if (l && about(l, scenario_id, asking))
            out[k++] = l;
        else
            lesson_free(l);
    }
    free(e);
    return k;
}

size_t catalog_lessons_of(const char *data_dir, const char *scenario_id, lesson **out, size_t cap)
{
    return lessons_about(data_dir, scenario_id, out, cap, false);
}

size_t catalog_lessons_asking(const char *data_dir, const char *scenario_id, lesson **out,
                              size_t cap)
{
    return lessons_about(data_dir, scenario_id, out, cap, true);
}
