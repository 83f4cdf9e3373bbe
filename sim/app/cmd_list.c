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
    char dir[CATALOG_MAX_PATH], err[1024];
    catalog_entry *e;
    int rc = 0;

    long n = catalog_list(data, CATALOG_SCENARIO, &e);
    printf("Scenarios (smtpsim run NAME):\n");
    for (long i = 0; i < n; i++) {
        scenario *sc = scenario_load(e[i].path, err, sizeof err);
        if (sc)
            printf("  %-28s %s\n", scenario_id(sc), scenario_title(sc));
        else {
            printf("  %-28s (invalid: %s)\n", e[i].id, err);
            rc = 1;
        }
        scenario_free(sc);
    }
    free(e);
    catalog_dir(data, CATALOG_SCENARIO, dir, sizeof dir);
    if (n <= 0)
        printf("  (none found in %s)\n", dir);

    n = catalog_list(data, CATALOG_LESSON, &e);
    printf("\nLessons (smtpsim quiz NAME):\n");
    for (long i = 0; i < n; i++) {
        cJSON *root = json_load_file(e[i].path, JSON_LOAD_MAX_BYTES, err, sizeof err);
        json_check c;
        json_check_init(&c, e[i].path);
        const char *id = json_string(&c, root, "", "id", true, 48, "");
        const char *title = json_string(&c, root, "", "title", true, 120, "");
        if (root && !c.failed)
            printf("  %-28s %s\n", id, title);
        else {
            printf("  %-28s (invalid: %s)\n", e[i].id, root ? c.err : err);
            rc = 1;
        }
        cJSON_Delete(root);
    }
    free(e);
    catalog_dir(data, CATALOG_LESSON, dir, sizeof dir);
    if (n <= 0)
        printf("  (none found in %s)\n", dir);
    return rc;
}
