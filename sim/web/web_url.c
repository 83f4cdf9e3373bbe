/* web_url.c - the address bar follows the window (see web_url.h). */
#include "web/web_url.h"

#include <emscripten.h>
#include <stdio.h>
#include <string.h>

EM_JS(void, js_url_set, (const char *scenario, int step, const char *theme), {
    var p = new URLSearchParams(location.search);
    p.set("scenario", UTF8ToString(scenario));
    p.set("step", String(step));
    var t = UTF8ToString(theme);
    if (t && t !== "default") p.set("theme", t); else p.delete("theme");
    try {
        var url = location.pathname + "?" + p.toString() + location.hash;
        history.replaceState(history.state, "", url);
    } catch (e) { /* file:// pages may refuse: the link button still works from the state */ }
});

void web_url_update(const char *scenario, size_t step, const char *theme)
{
    static char last_sc[64], last_theme[32];
    static size_t last_step = (size_t)-1;
    if (!scenario || !*scenario || !strcmp(scenario, "live"))
        return;
    if (last_step == step && !strcmp(last_sc, scenario) && !strcmp(last_theme, theme))
        return;
    last_step = step;
    snprintf(last_sc, sizeof last_sc, "%s", scenario);
    snprintf(last_theme, sizeof last_theme, "%s", theme);
    js_url_set(scenario, (int)step, theme);
}
