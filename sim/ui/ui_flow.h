/* ui_flow.h - the picture of the mail path: nodes, the links between them, and the token
 * of the current step travelling along its link.
 *
 * What is drawn is a pure function of a ui_view (the world, the current step and how far its
 * token has travelled): stepping back to a step draws exactly what was drawn there before.
 */
#ifndef UI_FLOW_H
#define UI_FLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/world/world.h"
#include "ui/ui_gfx.h"
#include "ui/ui_layout.h"

/* What the window shows at one moment. */
typedef struct {
    const world *w;
    size_t step;                    /* the current step (meaningless when there are none) */
    float phase;                    /* 0: token leaves, 1: token arrived */
    bool eaves;                     /* eavesdropper view: TLS-protected bytes look encrypted */
    const world_node_state *states; /* node states after ui_view_done() */
} ui_view;

/* ui_view_done - the last step whose token has arrived, -1 if none. */
long ui_view_done(const ui_view *v);

/* ui_flow_hidden - whether this step's content is hidden from an eavesdropper (inside TLS). */
bool ui_flow_hidden(const ui_view *v, const world_step *st);

/* ui_flow_label - the text a token carries (the command or reply, or "TLS record
 * (encrypted)" in the eavesdropper view). */
void ui_flow_label(const ui_view *v, const world_step *st, char *out, size_t cap);

/* ui_flow_anchor - where a link between nodes a and b leaves a (on a's border, towards b). */
void ui_flow_anchor(const ui_layout *lay, int a, int b, float *x, float *y);

/* ui_flow_token_pos - centre of the step's token (the dot on its link) at a phase; 0, or -1 for
 * a step that stays at one node or refers to nodes without a place. */
int ui_flow_token_pos(const ui_layout *lay, const world *w, size_t step, float phase, float *x,
                      float *y);

/* ui_flow_link_tls - whether the last session between a and b, up to step `done`, is under
 * TLS. */
bool ui_flow_link_tls(const world *w, int a, int b, long done);

/* ui_flow_draw - draw the links, the nodes and the legend into lay->flow (everything that
 * stays put while a token travels). */
void ui_flow_draw(ui_ctx *c, const ui_layout *lay, const ui_view *v);

/* ui_flow_token_rect - where the current step's token label goes: the first of a few places
 * near its dot (the band above the nodes it joins, beside the dot, the band below) where the
 * label and its connector cover no node and no legend. 1 for a travelling token, 0 for a local
 * step (at its node), -1 when none is drawn; the dot's centre in *dot_x, *dot_y. */
int ui_flow_token_rect(ui_ctx *c, const ui_layout *lay, const ui_view *v, SDL_Rect *pill,
                       float *dot_x, float *dot_y);

/* ui_flow_token_area - every pixel ui_flow_draw_token may touch for this view (label,
 * connector, dot, arrowhead), without drawing: what a partial redraw restores and redraws.
 * w = 0 when no token is drawn. */
SDL_Rect ui_flow_token_area(ui_ctx *c, const ui_layout *lay, const ui_view *v);

/* ui_flow_draw_token - draw the current step's token; *token gets its label's rectangle
 * (w = 0 when none) for clicks. */
void ui_flow_draw_token(ui_ctx *c, const ui_layout *lay, const ui_view *v, SDL_Rect *token);

#endif
