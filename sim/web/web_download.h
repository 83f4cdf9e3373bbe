/* web_download.h - files handed to the user as browser downloads.
 *
 * The window saves screenshots (F12) and what-if scenarios (Ctrl+S) in its current directory;
 * in the browser that is WEB_OUTBOX, and whatever appears there is offered as a download and
 * removed. Exports made for the page's buttons go through web_download directly.
 */
#ifndef WEB_DOWNLOAD_H
#define WEB_DOWNLOAD_H

#define WEB_OUTBOX "/outbox" /* the window's cwd in the browser */

/* web_download - offer the file at path as a download named name. 0, or -1 when unreadable. */
int web_download(const char *path, const char *name, const char *mime);
/* web_download_outbox - download and remove every file the window saved in WEB_OUTBOX. */
void web_download_outbox(void);

#endif
