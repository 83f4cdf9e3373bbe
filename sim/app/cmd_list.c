/* cmd_list.c - `smtpsim list`: the scenarios and lessons that ship, one line each (id + title).
 *
 * Scenarios are loaded (and so validated) with scenario.h; a broken one is listed with its
 * error rather than hidden. Lessons are only read for their id and title (json_load.h), so a
 * listing never depends on the quiz code.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_paths.h"
#include "app/commands.h"
#include "core/util/json_load.h"
#include "core/world/scenario.h"

#define LIST_MAX_FILES 1024

/* cmp_stem - order "NAME.json" by NAME, so "too-large" comes before "too-large-local" (a plain
 * strcmp would compare '-' with '.'). */
static int cmp_stem(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t lx = strlen(x) - 5, ly = strlen(y) - 5; /* every name ends in ".json" */
    int c = strncmp(x, y, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* json_files - the sorted *.json names in dir (malloc'd array of malloc'd names). */
static size_t json_files(const char *dir, char **out, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < cap) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".json") && e->d_name[0] != '.')
            out[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(out, n, sizeof *out, cmp_stem);
    return n;
}

int cmd_list(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: smtpsim list\n\nLists the scenarios (for 'smtpsim run NAME') and the "
                   "lessons (for 'smtpsim quiz NAME'),\none line each: id and title.\n");
            return 0;
        }
        fprintf(stderr, "smtpsim list: unknown argument '%s'\n", argv[i]);
        return 2;
    }
    const char *data = app_data_dir();
    char dir[4096], path[4600], err[1024];
    static char *names[LIST_MAX_FILES];
    int rc = 0;

    snprintf(dir, sizeof dir, "%s/lessons/scenarios", data);
    size_t n = json_files(dir, names, LIST_MAX_FILES);
    printf("Scenarios (smtpsim run NAME):\n");
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        scenario *sc = scenario_load(path, err, sizeof err);
        if (sc)
            printf("  %-28s %s\n", scenario_id(sc), scenario_title(sc));
        else {
            printf("  %-28.*s (invalid: %s)\n", (int)(strlen(names[i]) - 5), names[i], err);
            rc = 1;
        }
        scenario_free(sc);
        free(names[i]);
    }
    if (n == 0)
        printf("  (none found in %s)\n", dir);

    snprintf(dir, sizeof dir, "%s/lessons", data);
    n = json_files(dir, names, LIST_MAX_FILES);
    printf("\nLessons (smtpsim quiz NAME):\n");
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        cJSON *root = json_load_file(path, JSON_LOAD_MAX_BYTES, err, sizeof err);
        json_check c;
        json_check_init(&c, path);
        const char *id = json_string(&c, root, "", "id", true, 48, "");
        const char *title = json_string(&c, root, "", "title", true, 120, "");
        if (root && !c.failed)
            printf("  %-28s %s\n", id, title);
        else {
            printf("  %-28.*s (invalid: %s)\n", (int)(strlen(names[i]) - 5), names[i],
                   root ? c.err : err);
            rc = 1;
        }
        cJSON_Delete(root);
        free(names[i]);
    }
    if (n == 0)
        printf("  (none found in %s)\n", dir);
    return rc;
}
