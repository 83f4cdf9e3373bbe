/* web_platform.c - browser storage, downloads and the address bar (see web_platform.h). */
#include "web/web_platform.h"

#include <dirent.h>
#include <emscripten.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- storage ------------------------------------------------------------------------------ */

static int storage_ready;    /* set from JavaScript when the first sync finished */
static int storage_saves;    /* completed writes to IndexedDB */
static int storage_busy;     /* a write is under way: the next change waits for it */
static struct stat last_seen; /* the progress file when last written back */

/* web_storage_done - JavaScript reports a finished sync (populate = 1: the load at startup). */
EMSCRIPTEN_KEEPALIVE void web_storage_done(int populate, int ok)
{
    if (!ok)
        fprintf(stderr, "smtpsim: browser storage (IndexedDB) failed; progress is kept only "
                        "until the page closes\n");
    if (populate)
        storage_ready = 1;
    else {
        storage_busy = 0;
        storage_saves += ok;
    }
}

EM_JS(void, js_storage_sync, (int populate, const char *dir), {
    var d = UTF8ToString(dir);
    if (populate) {
        try { FS.mkdir(d); FS.mount(IDBFS, {}, d); } catch (e) { console.log("smtpsim: " + e); }
    }
    FS.syncfs(populate ? true : false, function(err) {
        if (err) console.log("smtpsim: syncfs: " + err);
        _web_storage_done(populate, err ? 0 : 1);
    });
});

void web_storage_mount(void)
{
    js_storage_sync(1, WEB_PERSIST_DIR);
}

bool web_storage_ready(void)
{
    return storage_ready != 0;
}

int web_storage_saves(void)
{
    return storage_saves;
}

void web_storage_poll(void)
{
    struct stat st;
    if (!storage_ready || storage_busy)
        return;
    if (stat(WEB_PROGRESS, &st) != 0)
        memset(&st, 0, sizeof st);
    /* a save writes a temporary file and renames it (progress.c): a new inode or mtime */
    if (st.st_ino == last_seen.st_ino && st.st_mtime == last_seen.st_mtime &&
        st.st_size == last_seen.st_size && st.st_ctime == last_seen.st_ctime)
        return;
    last_seen = st;
    storage_busy = 1;
    js_storage_sync(0, WEB_PERSIST_DIR);
}

/* ---- downloads ---------------------------------------------------------------------------- */

EM_JS(int, js_download, (const char *path, const char *name, const char *mime), {
    var data;
    try { data = FS.readFile(UTF8ToString(path)); } catch (e) { return -1; }
    var n = UTF8ToString(name);
    var url = URL.createObjectURL(new Blob([data], {type: UTF8ToString(mime)}));
    var a = document.createElement("a");
    a.href = url;
    a.download = n;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function() { URL.revokeObjectURL(url); }, 60000);
    if (Module.onDownload) Module.onDownload(n, data.length);
    return 0;
});

int web_download(const char *path, const char *name, const char *mime)
{
    return js_download(path, name, mime);
}

/* mime_of - the type the browser should be told for a file the window saved. */
static const char *mime_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && !strcmp(dot, ".png"))
        return "image/png";
    if (dot && !strcmp(dot, ".json"))
        return "application/json";
    return "application/octet-stream";
}

void web_outbox_flush(void)
{
    DIR *d = opendir(WEB_OUTBOX);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp"))
            continue; /* a file still being written atomically */
        char path[600];
        snprintf(path, sizeof path, "%s/%s", WEB_OUTBOX, e->d_name);
        web_download(path, e->d_name, mime_of(e->d_name));
        unlink(path);
    }
    closedir(d);
}

/* ---- the address bar ---------------------------------------------------------------------- */

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
