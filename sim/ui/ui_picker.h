/* ui_picker.h - the scenario picker: the scenarios under DATA/lessons/scenarios, one line
 * each (file name and title), chosen with the mouse, the arrow keys and Enter, or a digit. */
#ifndef UI_PICKER_H
#define UI_PICKER_H

#include <stddef.h>

#include "ui/ui_gfx.h"
#include "ui/ui_layout.h"

#define UI_PICKER_MAX 64

typedef struct {
    char name[UI_PICKER_MAX][64];   /* "basic" (file name without .json) */
    char title[UI_PICKER_MAX][128]; /* the scenario's title, or "" */
    char path[UI_PICKER_MAX][512];
    int count;
    int selected;
} ui_picker;

/* ui_picker_scan - the scenarios of DATA (catalog.h, in its listing order); returns the count. */
int ui_picker_scan(ui_picker *p, const char *data_dir);

void ui_picker_draw(ui_ctx *c, const ui_layout *lay, const ui_picker *p);

/* ui_picker_hit - the entry at (x, y), or -1. */
int ui_picker_hit(ui_ctx *c, const ui_layout *lay, const ui_picker *p, int x, int y);

#endif
