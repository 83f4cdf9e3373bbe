/* ui_help.h - the help overlay (F1 or ?): every key and what it does, drawn from the key table
 * the window's key handling uses (ui_keys.h). */
#ifndef UI_HELP_H
#define UI_HELP_H

#include "ui/ui_gfx.h"
#include "ui/ui_layout.h"

/* ui_help_draw - the overlay over the whole output; returns how many help lines were drawn
 * whole (all ui_keys_help_lines() unless the output is too small: the tests check). */
int ui_help_draw(ui_ctx *c, const ui_layout *lay);

#endif
