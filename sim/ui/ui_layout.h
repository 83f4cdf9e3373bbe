/* ui_layout.h - where everything goes, computed from the output size, the type scale and the
 * world's graph of nodes and links.
 *
 * Recomputed whenever the window is resized, the zoom or theme changes, or a new world is
 * loaded. Sizes are output pixels (SDL_GetRendererOutputSize), so HiDPI screens get sharp
 * text. Everything is sized by measured text: a node box is as wide as its longest line (its
 * role and port, name, host, and every state it shows during the run), and when the window
 * cannot hold the picture at the asked zoom, the node type and then the whole scale shrink
 * until it does, so parts never overlap and no label runs out of its box.
 *
 * The nodes are drawn as the graph they are, from the world's steps and nothing else (no node
 * kind is special): a link goes from the node that opened it to the other one, each node
 * stands one column right of the farthest node that opens a link to it (fan-out: an MTA with
 * two MXs gets both in the next column, each MX with its own mailbox beside it, a bounce path
 * to the sender's MX a row below), a node that only answers lookups (DNS) stands below the
 * node that asks it first, and a node that joins late by opening a link itself (a reader
 * fetching its mail) stands right of the node it opens. A node no step reaches is placed beside a node of the same host (a
 * mailbox on its MX) or, failing that, in the column its kind usually takes.
 */
#ifndef UI_LAYOUT_H
#define UI_LAYOUT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/world/world.h"
#include "ui/ui_gfx.h"

#define UI_MAX_NODES 16

typedef struct {
    int w, h;              /* output size */
    SDL_Rect header;       /* title and step counter */
    SDL_Rect banner;       /* the what-if banner under the header (h = 0: none) */
    SDL_Rect flow;         /* nodes, links and tokens */
    SDL_Rect legend;       /* the reply classes, in a corner of the flow free of nodes (w = 0:
                              no room) */
    SDL_Rect transcript;   /* transcript panel */
    SDL_Rect explain;      /* explanation / bytes panel */
    SDL_Rect timeline;     /* the clickable timeline */
    SDL_Rect controls;     /* the row of buttons */
    SDL_Rect node[UI_MAX_NODES]; /* the node boxes by node id; w = 0 for nodes beyond
                                    UI_MAX_NODES */
    int node_col[UI_MAX_NODES], node_row[UI_MAX_NODES];
    int cols, rows;        /* of the graph */
    size_t node_count;
    int tag_h;             /* how far a node's count tag hangs below its box */
    int gap_y;             /* the band between rows of nodes (token labels travel there) */
    int lane_y;            /* centre line of the band above the first row */
    int nfs_role, nfs_small, nfs_body; /* font sizes inside nodes: smaller when many nodes
                                          share a row, so names are not cut short */
} ui_layout;

/* ui_layout_scale - the design scale for an output size and zoom (1.0 at 1280x720). */
float ui_layout_scale(int w, int h, float zoom);

/* ui_layout_compute - lay out an output of w x h for the context's sizes and this world
 * (NULL: no nodes); banner: the what-if banner's text, or NULL for none. When the parts do
 * not fit at the context's scale, the scale is lowered (ui_gfx_scale) until they do. */
void ui_layout_compute(ui_layout *lay, ui_ctx *c, int w, int h, const world *wd,
                       const char *banner);

/* ui_layout_state_height - the height of a node's state line: one line of the node's body type
 * or two of its small type, whichever is more (a long state wraps rather than being cut). */
int ui_layout_state_height(ui_ctx *c, const ui_layout *lay);

/* ui_layout_node_area - a node's box with the tag hanging below it: what must stay clear. */
SDL_Rect ui_layout_node_area(const ui_layout *lay, size_t id);

/* ui_layout_blocked - whether r intersects a node area or the legend (token labels and link
 * labels are placed where this is false). */
bool ui_layout_blocked(const ui_layout *lay, SDL_Rect r);

#endif
