/* web_download.c - browser downloads from the in-memory file system (see web_download.h). */
#include "web/web_download.h"

#include <dirent.h>
#include <emscripten.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

void web_download_outbox(void)
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
