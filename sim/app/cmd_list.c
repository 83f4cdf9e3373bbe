/* cmd_list.c - `smtpsim list`: the scenarios and lessons that ship, one line each (id + title).
 *
 * Scenarios are loaded (and so validated) with scenario.h; a broken one is listed with its
 * error rather than hidden. Lessons are only read for their id and title (json_load.h), so a
 * listing never depends on the quiz code. Which files, and in which order: catalog.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "app/commands.h"
#include "core/teach/catalog.h"
#include "core/util/json_load.h"
#include "core/world/scenario.h"

/* describe_scenario - a scenario's id and title, loaded (and so validated) in full. 0, or -1
 * with why in err. */
static int describe_scenario(const char *path, char *line, size_t cap, char *err, size_t errlen)
{
    scenario *sc = scenario_load(path, err, errlen);
    if (sc)
        snprintf(line, cap, "  %-28s %s\n", scenario_id(sc), scenario_title(sc));
    scenario_free(sc);
    return sc ? 0 : -1;
}

/* describe_lesson - a lesson's id and title, read without the quiz code. */
static int describe_lesson(const char *path, char *line, size_t cap, char *err, size_t errlen)
{
    cJSON *root = json_load_file(path, JSON_LOAD_MAX_BYTES, err, errlen);
    json_check c;
    json_check_init(&c, path);
    const char *id = json_string(&c, root, "", "id", true, 48, "");
    const char *title = json_string(&c, root, "", "title", true, 120, "");
    int rc = root && !c.failed ? 0 : -1;
    if (rc == 0)
        snprintf(line, cap, "  %-28s %s\n", id, title);
    else if (root)
        snprintf(err, errlen, "%s", c.err);
    cJSON_Delete(root);
    return rc;
}

/* list_kind - one section: a heading, then a line per file in the catalog's order. 0, or 1
 * when a file is invalid (it is listed with why). */
static int list_kind(const char *data, catalog_kind kind, const char *heading,
                     int (*describe)(const char *, char *, size_t, char *, size_t))
{
    char dir[CATALOG_MAX_PATH], line[1024], err[1024];
    catalog_entry *e;
    int rc = 0;
    long n = catalog_list(data, kind, &e);
    printf("%s", heading);
    for (long i = 0; i < n; i++) {
        if (describe(e[i].path, line, sizeof line, err, sizeof err) == 0) {
            fputs(line, stdout);
        } else {
            printf("  %-28s (invalid: %s)\n", e[i].id, err);
            rc = 1;
        }
    }
    free(e);
    catalog_dir(data, kind, dir, sizeof dir);
    if (n <= 0)
        printf("  (none found in %s)\n", dir);
    return rc;
}

int cmd_list(int argc, char **argv)
{
    static const app_opt opts[] = {{NULL, 0, false, 0}};
    app_opts p;
    app_opts_init(&p, "smtpsim list", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        if (c == APP_OPTS_HELP) {
            printf("usage: smtpsim list\n\nLists the scenarios (for 'smtpsim run NAME') and the "
                   "lessons (for 'smtpsim quiz NAME'),\none line each: id and title.\n");
            return 0;
        }
        if (c == APP_OPTS_OPERAND)
            return app_opts_usage_error(&p, "unknown argument '%s'", p.arg);
        return 2;
    }
    const char *data = app_data_dir();
    int rc = list_kind(data, CATALOG_SCENARIO, "Scenarios (smtpsim run NAME):\n",
                       describe_scenario);
    rc |= list_kind(data, CATALOG_LESSON, "\nLessons (smtpsim quiz NAME):\n", describe_lesson);
    return rc;
}
