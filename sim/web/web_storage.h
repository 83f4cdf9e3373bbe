/* web_storage.h - storage that survives a reload: the progress file in the browser's IndexedDB.
 *
 * Emscripten's IDBFS keeps a folder in memory and copies it to or from IndexedDB on request.
 * The window writes its progress file there as on disk (a temporary file renamed into place);
 * each change is then copied in one IndexedDB transaction, so a reload sees the old file or the
 * new one, never half of it. Only the Emscripten build compiles sim/web.
 */
#ifndef WEB_STORAGE_H
#define WEB_STORAGE_H

#include <stdbool.h>

#define WEB_PERSIST_DIR "/persist" /* IndexedDB-backed (IDBFS) */
#define WEB_PROGRESS WEB_PERSIST_DIR "/progress.json"

/* web_storage_mount - mount IDBFS on WEB_PERSIST_DIR and start loading it from IndexedDB;
 * web_storage_ready says when that is done (the progress file may be read from then on). */
void web_storage_mount(void);
bool web_storage_ready(void);
/* web_storage_poll - called every frame: when the progress file changed since the last call,
 * write WEB_PERSIST_DIR back to IndexedDB. */
void web_storage_poll(void);
/* web_storage_saves - writes to IndexedDB completed so far (tests wait on it). */
int web_storage_saves(void);

#endif
