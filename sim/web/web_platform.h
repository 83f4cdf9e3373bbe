/* web_platform.h - the browser's edges of smtpsim: storage that survives a reload, files handed
 * to the user as downloads, and the page's address kept in step with the window.
 *
 * Only the Emscripten build compiles sim/web; the window itself (sim/ui) is the same code as
 * natively. Each function here is a thin bridge to one browser API, so the C side stays
 * testable and the page (shell.html) stays a shell around the canvas.
 */
#ifndef WEB_PLATFORM_H
#define WEB_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_DATA_DIR "/data"              /* lessons/ and assets/fonts, packaged with the page */
#define WEB_PERSIST_DIR "/persist"        /* IndexedDB-backed (IDBFS) */
#define WEB_PROGRESS WEB_PERSIST_DIR "/progress.json"
#define WEB_OUTBOX "/outbox"              /* the window's cwd: whatever it saves is downloaded */

/* web_storage_mount - mount IDBFS on WEB_PERSIST_DIR and start loading it from IndexedDB;
 * web_storage_ready says when that is done (the progress file may be read from then on). */
void web_storage_mount(void);
bool web_storage_ready(void);
/* web_storage_poll - called every frame: when the progress file changed since the last call,
 * write WEB_PERSIST_DIR back to IndexedDB (one transaction, so a reload sees the old file or
 * the new one, never half of it). */
void web_storage_poll(void);
/* web_storage_saves - writes to IndexedDB completed so far (tests wait on it). */
int web_storage_saves(void);

/* web_download - offer the file at path as a download named name. 0, or -1 when unreadable. */
int web_download(const char *path, const char *name, const char *mime);
/* web_outbox_flush - download and remove every file the window saved in WEB_OUTBOX (its
 * screenshots, its what-if scenarios). */
void web_outbox_flush(void);

/* web_url_update - keep the address bar on this scenario, step and theme (history.replaceState,
 * so the Back button is not filled with steps). Does nothing when they did not change. */
void web_url_update(const char *scenario, size_t step, const char *theme);

#endif
