/* ui_stats.h - the window's statistics panel: the same lines as `smtpsim stats` (stats.h),
 * computed from every lesson of the data directory and the quiz's progress file when the panel
 * opens, drawn where the explanation goes. The progress file is only read.
 */
#ifndef UI_STATS_H
#define UI_STATS_H

#include <SDL.h>
#include <stdint.h>

#include "ui/ui_gfx.h"

typedef struct ui_stats ui_stats;

/* ui_stats_open - compute the report at `now` (Unix seconds). progress_path NULL or "": no
 * progress kept (every question new). NULL only when out of memory. */
ui_stats *ui_stats_open(const char *data_dir, const char *progress_path, int64_t now);
void ui_stats_free(ui_stats *s);

/* ui_stats_draw - the panel inside area, its lines cut to the width and the height. */
void ui_stats_draw(const ui_stats *s, ui_ctx *c, SDL_Rect area);

#endif
