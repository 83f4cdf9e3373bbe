/* ui_seqdiag.h - the sequence diagram of `smtpsim export --png`: the SVG export's layout,
 * drawn with SDL's software renderer into a PNG (no display needed). */
#ifndef UI_SEQDIAG_H
#define UI_SEQDIAG_H

#include <stddef.h>
#include <stdio.h>

#include "core/world/world.h"

#define UI_SEQDIAG_MAX_PIXELS (16384 * 16384) /* refuse images larger than this */

/* ui_seqdiag_png - draw the whole run at `scale` (1-4) and write it as a PNG on out (left
 * open: the caller names the file and closes it); font_dir is assets/fonts. 0, or -1 with err
 * filled. */
int ui_seqdiag_png(const world *w, const char *title, const char *font_dir, int scale,
                   FILE *out, char *err, size_t errlen);

#endif
