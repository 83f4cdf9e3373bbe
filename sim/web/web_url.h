/* web_url.h - the page's address kept on the step shown, so a copied link opens exactly there.
 *
 * history.replaceState, not pushState: the Back button leaves the page instead of stepping.
 */
#ifndef WEB_URL_H
#define WEB_URL_H

#include <stddef.h>

/* web_url_update - put scenario, step and theme into the address (other parameters kept). Does
 * nothing when they did not change since the last call. */
void web_url_update(const char *scenario, size_t step, const char *theme);

#endif
