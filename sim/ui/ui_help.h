/* ui_help.h - the help overlay (F1 or ?): every key and what it does, from one table that the
 * window's key handling is checked against in the tests. */
#ifndef UI_HELP_H
#define UI_HELP_H

#include "ui/ui_gfx.h"
#include "ui/ui_layout.h"

typedef struct {
    const char *keys;   /* "Space" */
    const char *action; /* "play / pause" */
} ui_help_key;

/* ui_help_count / ui_help_at - the table of keys. */
int ui_help_count(void);
const ui_help_key *ui_help_at(int i);

void ui_help_draw(ui_ctx *c, const ui_layout *lay);

#endif
