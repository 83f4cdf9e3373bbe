/* ui_layout.c - rectangles for the window's parts (see ui_layout.h). */
#include "ui/ui_layout.h"

#include <string.h>

/* Order along the path of a message; DNS is placed apart. */
static int chain_rank(world_node_kind k)
{
    switch (k) {
    case WORLD_NODE_MUA: return 0;
    case WORLD_NODE_MSA: return 1;
    case WORLD_NODE_MTA: return 2;
    case WORLD_NODE_MX: return 3;
    case WORLD_NODE_MAILBOX: return 4;
    default: return 5;
    }
}

float ui_layout_scale(int w, int h, float zoom)
{
    float sw = (float)w / 1280.0f, sh = (float)h / 720.0f;
    float s = sw < sh ? sw : sh;
    if (s < 0.5f)
        s = 0.5f;
    return s * zoom;
}

/* node_height - role line, name, host, state. */
static int node_height(ui_ctx *c, const ui_layout *lay)
{
    return 2 * c->pad + ui_text_line_height(c->text, UI_FONT_SANS_BOLD, lay->nfs_role) +
           2 * ui_text_line_height(c->text, UI_FONT_SANS, lay->nfs_small) +
           ui_text_line_height(c->text, UI_FONT_SANS_BOLD, lay->nfs_body);
}

/* Design widths, in text units (pixels at scale 1 and type scale 1). */
#define NODE_BOX_UNITS 168.0f /* a node box that fits "waiting for RCPT" and a host name */
#define NODE_GAP_UNITS 62.0f  /* the gap between nodes: room for "port 587" */

void ui_layout_compute(ui_layout *lay, ui_ctx *c, int w, int h, const world *wd)
{
    memset(lay, 0, sizeof *lay);
    lay->w = w;
    lay->h = h;
    int m = c->pad;
    int title_lh = ui_text_line_height(c->text, UI_FONT_SANS_BOLD, c->fs_title);
    int body_lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_body);
    int mono_lh = ui_text_line_height(c->text, UI_FONT_MONO, c->fs_mono);

    lay->header = (SDL_Rect){0, 0, w, title_lh + m};
    int controls_h = body_lh + 2 * m;
    lay->controls = (SDL_Rect){m, h - controls_h - m / 2, w - 2 * m, controls_h};
    int timeline_h = (int)(26 * c->s);
    lay->timeline = (SDL_Rect){m, lay->controls.y - timeline_h - m / 2, w - 2 * m, timeline_h};

    /* which nodes go where */
    size_t n = wd ? world_node_count(wd) : 0;
    if (n > UI_MAX_NODES)
        n = UI_MAX_NODES;
    lay->node_count = n;
    int chain[UI_MAX_NODES], chain_n = 0, dns[UI_MAX_NODES], dns_n = 0;
    for (int rank = 0; rank <= 5; rank++)
        for (size_t i = 0; i < n; i++) {
            const world_node *nd = world_node_at(wd, i);
            if (chain_rank(nd->kind) != rank)
                continue;
            if (nd->kind == WORLD_NODE_DNS)
                dns[dns_n++] = (int)i;
            else
                chain[chain_n++] = (int)i;
        }

    /* text unit: the type scale, reduced when the row is too crowded for it */
    float ts = c->theme ? c->theme->type_scale : 1.0f;
    int colw = chain_n ? (w - 2 * m) / chain_n : w - 2 * m; /* the flow is as wide as this */
    float u = c->s * ts, fit = (float)colw / (NODE_BOX_UNITS + NODE_GAP_UNITS);
    if (u > fit)
        u = fit;
    float ns = u / (c->s * ts);
    if (ns < 0.7f) /* below this a projector loses the text; cut long names instead */
        ns = 0.7f;
    lay->nfs_role = (int)(c->fs_role * ns);
    lay->nfs_small = (int)(c->fs_small * ns);
    lay->nfs_body = (int)(c->fs_body * ns);
    int node_h = node_height(c, lay);
    int lane_h = mono_lh + 2 * m;
    int gap = lane_h > (int)(40 * c->s) ? lane_h : (int)(40 * c->s);
    int flow_h = m + lane_h + m + node_h + m;
    if (dns_n)
        flow_h += gap + node_h;
    int flow_y = lay->header.y + lay->header.h;
    int avail = lay->timeline.y - m - flow_y;
    /* the panels need room for a few lines at least */
    int panels_min = 6 * mono_lh;
    if (flow_h > avail - panels_min)
        flow_h = avail - panels_min > lane_h + node_h ? avail - panels_min : lane_h + node_h;
    lay->flow = (SDL_Rect){m, flow_y, w - 2 * m, flow_h};

    int py = lay->flow.y + lay->flow.h;
    int ph = lay->timeline.y - m - py;
    int tw = (w - 3 * m) * 54 / 100;
    lay->transcript = (SDL_Rect){m, py, tw, ph};
    lay->explain = (SDL_Rect){2 * m + tw, py, w - 3 * m - tw, ph};

    /* the row of nodes */
    lay->lane_y = lay->flow.y + m + lane_h / 2;
    int row_y = lay->flow.y + m + lane_h + m;
    int min_gap = (int)(NODE_GAP_UNITS * c->s * ts * ns);
    if (min_gap > colw / 4) /* crowded: the text needs the room more than the port label */
        min_gap = colw / 4;
    int box_w = colw - min_gap;
    int max_w = (int)(250 * c->s * ts * ns);
    if (box_w > max_w)
        box_w = max_w;
    for (int k = 0; k < chain_n; k++) {
        int cx = lay->flow.x + colw * k + colw / 2;
        lay->node[chain[k]] = (SDL_Rect){cx - box_w / 2, row_y, box_w, node_h};
    }
    /* DNS below the node that asks it first (the MTA, usually) */
    for (int k = 0; k < dns_n; k++) {
        int asker = -1;
        size_t steps = wd ? world_step_count(wd) : 0;
        for (size_t i = 0; i < steps && asker < 0; i++) {
            const world_step *st = world_step_at(wd, i);
            if (st->kind == WORLD_STEP_DNS_QUERY && st->to == dns[k])
                asker = st->from;
        }
        int cx;
        if (asker >= 0 && asker < (int)n && lay->node[asker].w)
            cx = lay->node[asker].x + lay->node[asker].w / 2;
        else
            cx = lay->flow.x + lay->flow.w / 2;
        cx += k * (box_w + min_gap);
        int y = row_y + node_h + gap;
        if (y + node_h > lay->flow.y + lay->flow.h)
            y = lay->flow.y + lay->flow.h - node_h;
        lay->node[dns[k]] = (SDL_Rect){cx - box_w / 2, y, box_w, node_h};
    }
}
