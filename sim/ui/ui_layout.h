/* ui_layout.h - where everything goes, computed from the output size and the type scale.
 *
 * Recomputed whenever the window is resized, the zoom or theme changes, or a new world is
 * loaded. Sizes are output pixels (SDL_GetRendererOutputSize), so HiDPI screens get sharp
 * text. The nodes are laid out in the order mail travels: MUA, MSA, MTA, MX, mailbox in a row,
 * with DNS below the node that asks it.
 */
#ifndef UI_LAYOUT_H
#define UI_LAYOUT_H

#include <SDL.h>
#include <stddef.h>

#include "core/world/world.h"
#include "ui/ui_gfx.h"

#define UI_MAX_NODES 16

typedef struct {
    int w, h;              /* output size */
    SDL_Rect header;       /* title and step counter */
    SDL_Rect flow;         /* nodes, links and tokens */
    SDL_Rect transcript;   /* transcript panel */
    SDL_Rect explain;      /* explanation / bytes panel */
    SDL_Rect timeline;     /* the clickable timeline */
    SDL_Rect controls;     /* the row of buttons */
    SDL_Rect node[UI_MAX_NODES]; /* by node id; w = 0 for nodes beyond UI_MAX_NODES */
    size_t node_count;
    int lane_y;            /* centre line of token labels above the row of nodes */
    int nfs_role, nfs_small, nfs_body; /* font sizes inside nodes: smaller when many nodes
                                          share the row, so names are not cut short */
} ui_layout;

/* ui_layout_scale - the design scale for an output size and zoom (1.0 at 1280x720). */
float ui_layout_scale(int w, int h, float zoom);

/* ui_layout_compute - lay out an output of w x h for the context's sizes and this world
 * (NULL: no nodes). */
void ui_layout_compute(ui_layout *lay, ui_ctx *c, int w, int h, const world *wd);

#endif
