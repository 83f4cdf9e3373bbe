/* web_storage.c - the progress file kept in IndexedDB through IDBFS (see web_storage.h). */
#include "web/web_storage.h"

#include <emscripten.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
