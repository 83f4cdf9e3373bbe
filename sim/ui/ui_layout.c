/* ui_layout.c - rectangles for the window's parts and the node graph (see ui_layout.h). */
#include "ui/ui_layout.h"

#include <stdio.h>
#include <string.h>

#include "ui/ui_controls.h"

/* Named limits. */
#define NODE_MIN_PX 10       /* node type never gets smaller than this (pixels) */
#define NODE_FLOOR 0.7f      /* nor smaller than this share of the rest's type */
#define NODE_MAX_UNITS 250.0f /* a node box is never wider than this, in text units */
#define FIT_TRIES 120        /* shrink steps before giving up (each 5% of node type or scale) */
#define PANEL_MIN_LINES 8    /* the panels keep room for this many transcript lines */

float ui_layout_scale(int w, int h, float zoom)
{
    float sw = (float)w / 1280.0f, sh = (float)h / 720.0f;
    float s = sw < sh ? sw : sh;
    if (s < 0.5f)
        s = 0.5f;
    return s * zoom;
}

SDL_Rect ui_layout_node_area(const ui_layout *lay, size_t id)
{
    SDL_Rect r = lay->node[id];
    r.h += lay->tag_h;
    return r;
}

bool ui_layout_blocked(const ui_layout *lay, SDL_Rect r)
{
    for (size_t i = 0; i < lay->node_count; i++) {
        SDL_Rect a = ui_layout_node_area(lay, i);
        if (a.w && SDL_HasIntersection(&r, &a))
            return true;
    }
    return lay->legend.w && SDL_HasIntersection(&r, &lay->legend);
}

/* ---- the graph ------------------------------------------------------------------------------ */

typedef struct {
    int n;
    bool edge[UI_MAX_NODES][UI_MAX_NODES]; /* a -> b: a opened the link */
    long first_in[UI_MAX_NODES];           /* step of the first link into a node, -1 none */
    long first_out[UI_MAX_NODES];          /* step of the first link it opens, -1 none */
    int parent[UI_MAX_NODES];              /* the node that opened that link, -1 */
    bool linked[UI_MAX_NODES];
    bool service[UI_MAX_NODES];            /* only answers lookups */
    int asker[UI_MAX_NODES];               /* for a service: the first node asking it */
} graph;

static bool lookup_step(world_step_kind k)
{
    return k == WORLD_STEP_DNS_QUERY || k == WORLD_STEP_DNS_ANSWER;
}

/* build_graph - links from the steps: who opened each, and which nodes only answer lookups. */
static void build_graph(const world *wd, int n, graph *g)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    bool other[UI_MAX_NODES] = {false}, asked[UI_MAX_NODES] = {false};
    for (int i = 0; i < n; i++) {
        g->first_in[i] = -1;
        g->first_out[i] = -1;
        g->parent[i] = -1;
        g->asker[i] = -1;
    }
    size_t steps = world_step_count(wd);
    for (size_t i = 0; i < steps; i++) {
        const world_step *st = world_step_at(wd, i);
        int a = st->from, b = st->to;
        if (a == b || a < 0 || b < 0 || a >= n || b >= n)
            continue;
        if (lookup_step(st->kind)) {
            if (st->kind == WORLD_STEP_DNS_QUERY && !asked[b]) {
                asked[b] = true;
                g->asker[b] = a;
            }
            continue;
        }
        other[a] = other[b] = true;
        if (g->edge[a][b] || g->edge[b][a])
            continue;
        g->edge[a][b] = true;
        g->linked[a] = g->linked[b] = true;
        if (g->first_out[a] < 0)
            g->first_out[a] = (long)i;
        if (g->first_in[b] < 0) {
            g->first_in[b] = (long)i;
            g->parent[b] = a;
        }
    }
    for (int i = 0; i < n; i++)
        g->service[i] = asked[i] && !other[i];
    /* a node no step reaches hangs on a node of the same host (a mailbox on its MX) */
    for (int i = 0; i < n; i++) {
        if (g->linked[i] || g->service[i])
            continue;
        const world_node *ni = world_node_at(wd, (size_t)i);
        for (int j = 0; j < n; j++) {
            const world_node *nj = world_node_at(wd, (size_t)j);
            if (j != i && g->linked[j] && ni->host[0] && !strcmp(ni->host, nj->host)) {
                g->edge[j][i] = true;
                g->parent[i] = j;
                g->first_in[i] = (long)steps + i;
                break;
            }
        }
    }
}

/* The column a node no step reaches usually takes (-1: below, like a lookup service). Only
 * used for nodes the run never touches, e.g. the MX when submission already failed; a kind
 * not listed here goes after the last column. */
static int idle_column(world_node_kind k)
{
    switch (k) {
    case WORLD_NODE_MUA: return 0;
    case WORLD_NODE_MSA: return 1;
    case WORLD_NODE_MTA: return 2;
    case WORLD_NODE_MX: return 3;
    case WORLD_NODE_MAILBOX: return 4;
    case WORLD_NODE_DNS: return -1;
    default: return 99;
    }
}

/* opens_others - root r only opens nodes that another root's links also reach: it joins a
 * picture that exists without it (a reader that connects before the mail it waits for is
 * sent), so it is never the first root, even when its first link comes first. */
static bool opens_others(const graph *g, int r)
{
    bool seen[UI_MAX_NODES] = {false};
    int stack[UI_MAX_NODES], sp = 0;
    for (int i = 0; i < g->n; i++) /* everything the other roots reach */
        if (i != r && g->first_in[i] < 0 && g->first_out[i] >= 0 && !seen[i])
            seen[i] = true, stack[sp++] = i;
    while (sp) {
        int a = stack[--sp];
        for (int b = 0; b < g->n; b++)
            if (g->edge[a][b] && !seen[b] && b != r)
                seen[b] = true, stack[sp++] = b;
    }
    bool any = false;
    for (int b = 0; b < g->n; b++)
        if (g->edge[r][b]) {
            if (!seen[b])
                return false;
            any = true;
        }
    return any;
}

/* place_graph - columns (one right of the farthest node opening a link to it; back edges of a
 * cycle are ignored) and rows (children beside or below their parent, never sharing a cell). */
static void place_graph(const world *wd, graph *g, int *col, int *row, int *cols,
                        int *rows)
{
    int n = g->n;
    bool has_edge[UI_MAX_NODES] = {false};
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++)
            if (g->edge[a][b])
                has_edge[a] = has_edge[b] = true;
    /* longest path, relaxed n times in step order; an edge that would exceed n - 1 closes a
     * cycle and is ignored */
    for (int i = 0; i < n; i++)
        col[i] = has_edge[i] ? 0 : -2;
    for (int round = 0; round < n; round++)
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                if (g->edge[a][b] && col[a] >= 0 && col[a] + 1 < n && col[b] < col[a] + 1)
                    col[b] = col[a] + 1;
    /* a late root: a node no link reaches that opens its links after the run has begun (a
     * reader fetching its mail from a mailbox server) stands right of what it opens, on its
     * row, where the mail flows on to it; the first root (the sender) keeps column 0 */
    int first_root = -1;
    for (int pass = 0; pass < 2 && first_root < 0; pass++)
        for (int i = 0; i < n; i++)
            if (g->first_in[i] < 0 && g->first_out[i] >= 0 && (pass || !opens_others(g, i)) &&
                (first_root < 0 || g->first_out[i] < g->first_out[first_root]))
                first_root = i;
    for (int i = 0; i < n; i++) {
        if (i == first_root || g->first_in[i] >= 0 || g->first_out[i] < 0)
            continue;
        int right = -1;
        for (int b = 0; b < n; b++)
            if (g->edge[i][b] && col[b] > 0 && col[b] + 1 > right) {
                right = col[b] + 1;
                g->parent[i] = b;
                g->first_in[i] = g->first_out[i];
            }
        if (right > 0)
            col[i] = right;
    }
    int maxc = 0;
    for (int i = 0; i < n; i++)
        if (col[i] > maxc)
            maxc = col[i];
    for (int i = 0; i < n; i++) {
        if (col[i] != -2 || g->service[i])
            continue;
        int k = idle_column(world_node_at(wd, (size_t)i)->kind);
        col[i] = k == 99 ? maxc + 1 : k;
        if (col[i] > maxc && k != 99)
            maxc = col[i];
    }
    for (int i = 0; i < n; i++)
        if (col[i] == 99)
            col[i] = maxc + 1;
    /* rows: depth first from the roots, children in the order the run reached them; a node
     * takes the first row free in every column its subtree reaches, so each subtree stays
     * together (an MX beside its own mailboxes) */
    int span[UI_MAX_NODES];
    for (int i = 0; i < n; i++)
        span[i] = col[i];
    for (int round = 0; round < n; round++)
        for (int i = 0; i < n; i++)
            if (g->parent[i] >= 0 && col[i] >= 0 && span[i] > span[g->parent[i]] &&
                col[g->parent[i]] < col[i])
                span[g->parent[i]] = span[i];
    int next[UI_MAX_NODES + 2] = {0};
    bool placed[UI_MAX_NODES] = {false};
    int stack[UI_MAX_NODES * UI_MAX_NODES], sp = 0;
    for (int pass = 0; pass < 2; pass++) /* roots first, then whatever is left */
        for (int r0 = 0; r0 < n; r0++) {
            if (placed[r0] || col[r0] < 0 || g->service[r0] ||
                (pass == 0 && g->parent[r0] >= 0))
                continue;
            stack[sp++] = r0;
            while (sp) {
                int i = stack[--sp];
                if (placed[i])
                    continue;
                placed[i] = true;
                int p = g->parent[i], r = 0;
                if (p >= 0 && placed[p] && col[p] < col[i])
                    r = row[p];
                for (int c = col[i]; c <= span[i] && c < UI_MAX_NODES + 2; c++)
                    if (next[c] > r)
                        r = next[c];
                row[i] = r;
                next[col[i]] = r + 1;
                /* children, latest first on the stack so the earliest comes out first */
                for (long at = -1, best; sp < UI_MAX_NODES * UI_MAX_NODES; at = best) {
                    int pick = -1;
                    best = -1;
                    for (int k = 0; k < n; k++)
                        if (g->parent[k] == i && !placed[k] && g->first_in[k] > best &&
                            (at < 0 || g->first_in[k] < at)) {
                            best = g->first_in[k];
                            pick = k;
                        }
                    if (pick < 0)
                        break;
                    stack[sp++] = pick;
                }
            }
        }
    *cols = 0;
    *rows = 0;
    for (int i = 0; i < n; i++)
        if (!g->service[i] && col[i] >= 0 && col[i] + 1 > *cols)
            *cols = col[i] + 1;
    if (*cols == 0)
        *cols = 1;
    /* lookup services below the node that asks them (or the middle column) */
    for (int i = 0; i < n; i++) {
        if (!(g->service[i] || col[i] < 0))
            continue;
        int a = g->asker[i];
        int c = a >= 0 && col[a] >= 0 ? col[a] : (*cols - 1) / 2;
        int r = next[c] > 1 ? next[c] : 1;
        if (a >= 0 && row[a] + 1 > r)
            r = row[a] + 1;
        col[i] = c;
        row[i] = r;
        next[c] = r + 1;
    }
    for (int i = 0; i < n; i++)
        if (row[i] + 1 > *rows)
            *rows = row[i] + 1;
}

/* ---- measuring ------------------------------------------------------------------------------ */

int ui_layout_state_height(ui_ctx *c, const ui_layout *lay)
{
    int body = ui_text_line_height(c->text, UI_FONT_SANS_BOLD, lay->nfs_body);
    int two = 2 * ui_text_line_height(c->text, UI_FONT_SANS_BOLD, lay->nfs_small);
    return body > two ? body : two;
}

/* node_height - role line, name, host, state (up to two lines). */
static int node_height(ui_ctx *c, const ui_layout *lay)
{
    return c->pad + ui_text_line_height(c->text, UI_FONT_SANS_BOLD, lay->nfs_role) +
           2 * ui_text_line_height(c->text, UI_FONT_SANS, lay->nfs_small) +
           ui_layout_state_height(c, lay) + c->pad / 2 + c->line;
}

static int text_w(ui_ctx *c, ui_font f, int px, const char *s)
{
    int w = 0, h = 0;
    ui_text_measure(c->text, f, px, s, &w, &h);
    return w;
}

/* Every state a node shows during the run (the widest decides its box). */
#define NODE_STATES_MAX 32
typedef struct {
    char s[UI_MAX_NODES][NODE_STATES_MAX][48];
    int n[UI_MAX_NODES];
} node_states;

/* collect_states - the distinct states of every node over the whole run. */
static void collect_states(const world *wd, size_t n, node_states *out)
{
    world_node_state st[UI_MAX_NODES];
    size_t steps = world_step_count(wd);
    memset(out->n, 0, sizeof out->n);
    for (size_t s = 0; s <= steps; s++) {
        world_state_at(wd, s == 0 ? SIZE_MAX : s - 1, st);
        for (size_t i = 0; i < n; i++) {
            int k;
            for (k = 0; k < out->n[i]; k++)
                if (!strcmp(out->s[i][k], st[i].state))
                    break;
            if (k == out->n[i] && k < NODE_STATES_MAX)
                memcpy(out->s[i][out->n[i]++], st[i].state, sizeof out->s[i][k]);
        }
    }
}

/* two_line_width - the narrowest width that holds s in at most two lines broken at a space
 * (what the node's state line wraps to). */
static int two_line_width(ui_ctx *c, ui_font f, int px, const char *s)
{
    int best = text_w(c, f, px, s);
    char buf[64];
    size_t n = strlen(s);
    if (n >= sizeof buf)
        return best;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] != ' ')
            continue;
        memcpy(buf, s, i);
        buf[i] = 0;
        int a = text_w(c, f, px, buf), b = text_w(c, f, px, s + i + 1);
        int m = a > b ? a : b;
        if (m < best)
            best = m;
    }
    return best;
}

/* node_need - the inner width a node's lines take at the layout's node type: the role with
 * its port, the name, the host, and the longest state it shows (in the small type the state
 * falls back to, with room for the padlock). */
static int node_need(ui_ctx *c, const ui_layout *lay, const world *wd, size_t id,
                     const node_states *states)
{
    const world_node *nd = world_node_at(wd, id);
    char port[16] = "";
    if (nd->port)
        snprintf(port, sizeof port, ":%u", (unsigned)nd->port);
    int need = text_w(c, UI_FONT_SANS_BOLD, lay->nfs_role, nd->role);
    if (port[0])
        need += c->pad / 2 + text_w(c, UI_FONT_MONO_BOLD, lay->nfs_small, port);
    int w = text_w(c, UI_FONT_SANS, lay->nfs_small, nd->name);
    need = w > need ? w : need;
    w = text_w(c, UI_FONT_MONO, lay->nfs_small, strcmp(nd->name, nd->host) ? nd->host : nd->addr);
    need = w > need ? w : need;
    int lock = (int)(ui_text_line_height(c->text, UI_FONT_SANS_BOLD, lay->nfs_body) * 0.8f);
    /* SDL_ttf's wrapping keeps a space at the end of a line: allow for two */
    for (int k = 0; k < states->n[id]; k++) {
        w = two_line_width(c, UI_FONT_SANS_BOLD, lay->nfs_small, states->s[id][k]) + lock +
            c->pad / 2 + 2 * text_w(c, UI_FONT_SANS_BOLD, lay->nfs_small, "n");
        need = w > need ? w : need;
    }
    /* the count tag ("queue 10", "10 msg") hangs on the bottom edge, right-aligned */
    w = text_w(c, UI_FONT_SANS_BOLD, lay->nfs_small, "queue 10") + 2 * c->pad;
    return w > need ? w : need;
}

/* ---- the whole window ----------------------------------------------------------------------- */

/* What did not fit (bits). */
enum { FIT_OK = 0, FIT_WIDE = 1, FIT_TALL = 2, FIT_ALL = 4 };

/* attempt - lay everything out at the context's scale and node type scale ns: FIT_OK, or what
 * did not fit: FIT_WIDE (the nodes across the width), FIT_TALL (the flow above room for the
 * panels), FIT_ALL (the scale itself is too large: the buttons, the header, the banner). */
static int attempt(ui_layout *lay, ui_ctx *c, int w, int h, const world *wd, const char *banner,
                    float ns, const int *col, const int *row, const node_states *states)
{
    size_t n = lay->node_count;
    int cols = lay->cols, rows = lay->rows;
    int m = c->pad;
    bool wide = true, tall = true, all = true;
    int title_lh = ui_text_line_height(c->text, UI_FONT_SANS_BOLD, c->fs_title);
    int body_lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_body);
    int mono_lh = ui_text_line_height(c->text, UI_FONT_MONO, c->fs_mono);

    lay->header = (SDL_Rect){0, 0, w, title_lh + m};
    int top = lay->header.h;
    lay->banner = (SDL_Rect){0, 0, 0, 0};
    if (banner && banner[0]) {
        int bw = w - 2 * m, tw = 0, th = 0;
        ui_text_get(c->text, UI_FONT_SANS_BOLD, c->fs_body, (SDL_Color){0, 0, 0, 255}, banner,
                    bw - 2 * m, 0, &tw, &th);
        if (th > 2 * body_lh) /* more than two lines: the type is too large for the window */
            all = false;
        lay->banner = (SDL_Rect){m, top, bw, th + m};
        top += lay->banner.h + m / 2;
    }
    int controls_h = body_lh + 2 * m;
    lay->controls = (SDL_Rect){m, h - controls_h - m / 2, w - 2 * m, controls_h};
    if (ui_controls_min_width(c) > lay->controls.w)
        all = false;
    int timeline_h = (int)(26 * c->s);
    lay->timeline = (SDL_Rect){m, lay->controls.y - timeline_h - m / 2, w - 2 * m, timeline_h};
    /* the header's step counter and some of the title */
    if (text_w(c, UI_FONT_SANS_BOLD, c->fs_title, "Step 000 of 000") * 2 + 3 * m > w)
        all = false;

    lay->nfs_role = (int)(c->fs_role * ns);
    lay->nfs_small = (int)(c->fs_small * ns);
    lay->nfs_body = (int)(c->fs_body * ns);
    int node_h = n ? node_height(c, lay) : 0;
    int small_lh = ui_text_line_height(c->text, UI_FONT_SANS_BOLD, lay->nfs_small);
    lay->tag_h = n ? small_lh / 2 + 1 : 0;
    int lane_h = mono_lh + 2 * m; /* a token label and its margins */
    lay->gap_y = lane_h + lay->tag_h; /* below a row its tags hang into the band */

    /* widths: every box as wide as the widest (tidy), unless only per column fits */
    int need[UI_MAX_NODES], colw[UI_MAX_NODES + 2] = {0}, widest = 0;
    for (size_t i = 0; i < n; i++) {
        need[i] = node_need(c, lay, wd, i, states) + 2 * m;
        if (need[i] > colw[col[i]])
            colw[col[i]] = need[i];
        if (need[i] > widest)
            widest = need[i];
    }
    int min_gap = text_w(c, UI_FONT_SANS, lay->nfs_small, "587") + m;
    int flow_w = w - 2 * m;
    int sum = 0;
    for (int k = 0; k < cols; k++)
        sum += colw[k];
    bool uniform = widest * cols + min_gap * (cols - 1) <= flow_w;
    if (!uniform && sum + min_gap * (cols - 1) > flow_w)
        wide = false;
    int flow_h = n ? m + lane_h + rows * node_h + (rows - 1) * lay->gap_y + lay->tag_h + m : 0;
    int flow_y = top;
    int avail = lay->timeline.y - m - flow_y;
    int panels_min = PANEL_MIN_LINES * mono_lh + 3 * m + body_lh;
    if (flow_h > avail - panels_min)
        tall = false;
    if (!n) {
        flow_h = avail / 3;
        if (avail - flow_h < panels_min)
            all = false;
    }
    lay->flow = (SDL_Rect){m, flow_y, flow_w, flow_h};

    int py = lay->flow.y + lay->flow.h;
    int ph = lay->timeline.y - m - py;
    int tw = (w - 3 * m) * 54 / 100;
    lay->transcript = (SDL_Rect){m, py, tw, ph};
    lay->explain = (SDL_Rect){2 * m + tw, py, w - 3 * m - tw, ph};

    /* the boxes: columns share the width; a box is centred in its column */
    float ts = c->theme ? c->theme->type_scale : 1.0f;
    int cap = (int)(NODE_MAX_UNITS * c->s * ts * ns);
    lay->lane_y = lay->flow.y + m + lane_h / 2;
    int row0 = lay->flow.y + m + lane_h;
    int x = lay->flow.x;
    int spare = flow_w - (uniform ? widest * cols : sum);
    for (int k = 0; k < cols; k++) {
        int bw = uniform ? widest : colw[k];
        int slot = bw + (spare > 0 ? spare / cols : 0);
        /* boxes grow with the room, but the gaps keep a fifth of it for the links */
        int keep = min_gap > slot / 5 ? min_gap : slot / 5;
        int grown = slot - keep < cap ? slot - keep : cap;
        if (grown > bw * 6 / 5) /* roomier boxes, and the rest to the gaps for the links */
            grown = bw * 6 / 5;
        if (uniform && grown > bw)
            bw = grown;
        for (size_t i = 0; i < n; i++) {
            if (col[i] != k)
                continue;
            int y = row0 + row[i] * (node_h + lay->gap_y);
            lay->node[i] = (SDL_Rect){x + (slot - bw) / 2, y, bw, node_h};
            lay->node_col[i] = k;
            lay->node_row[i] = row[i];
        }
        x += slot;
    }

    /* the legend in the first corner of the flow that no node takes */
    int lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_small);
    int lw = 0;
    for (int k = 0; k < UI_REPLY_CLASSES; k++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%dxx %s", k + 2, ui_theme_reply_label((ui_reply_class)k));
        int tw2 = text_w(c, UI_FONT_SANS, c->fs_small, buf);
        if (tw2 > lw)
            lw = tw2;
    }
    lw = 2 * (lw + lh + m);
    int lgh = 3 * lh + m / 2;
    SDL_Rect f = lay->flow;
    SDL_Rect corners[4] = {{f.x + f.w - lw, f.y + f.h - lgh, lw, lgh},
                           {f.x, f.y + f.h - lgh, lw, lgh},
                           {f.x + f.w - lw, row0, lw, lgh},
                           {f.x, row0, lw, lgh}};
    lay->legend = (SDL_Rect){0, 0, 0, 0};
    for (int k = 0; k < 4 && n; k++)
        if (!ui_layout_blocked(lay, corners[k])) {
            lay->legend = corners[k];
            break;
        }
    return (all ? 0 : FIT_ALL) | (wide ? 0 : FIT_WIDE) | (tall ? 0 : FIT_TALL);
}

void ui_layout_compute(ui_layout *lay, ui_ctx *c, int w, int h, const world *wd,
                       const char *banner)
{
    memset(lay, 0, sizeof *lay);
    lay->w = w;
    lay->h = h;
    size_t n = wd ? world_node_count(wd) : 0;
    if (n > UI_MAX_NODES)
        n = UI_MAX_NODES;
    lay->node_count = n;
    int col[UI_MAX_NODES] = {0}, row[UI_MAX_NODES] = {0};
    node_states states; /* 24 KiB, once per layout */
    lay->cols = lay->rows = 1;
    if (n) {
        graph g;
        build_graph(wd, (int)n, &g);
        place_graph(wd, &g, col, row, &lay->cols, &lay->rows);
        collect_states(wd, n, &states);
    }
    /* node type first (down to NODE_FLOOR of the rest's, and never under NODE_MIN_PX), then
     * the whole scale: the zoom stops where the window is full. Nodes still too wide when their
     * type is already at NODE_MIN_PX keep it and cut their longest lines with "..." (the
     * clipping report counts them) rather than shrink the rest further. */
    float ns = 1.0f;
    for (int tries = 0; tries < FIT_TRIES; tries++) {
        int fit = attempt(lay, c, w, h, wd, banner, ns, col, row, &states);
        if (fit == FIT_OK)
            return;
        float floor = (float)NODE_MIN_PX / (float)(c->fs_small > 0 ? c->fs_small : 1);
        bool smallest = floor >= NODE_FLOOR; /* the node type cannot get smaller */
        if (floor < NODE_FLOOR)
            floor = NODE_FLOOR;
        if (!(fit & FIT_ALL) && ns - 0.05f >= floor) {
            ns -= 0.05f;
        } else if (fit == FIT_WIDE && smallest) {
            return;
        } else {
            ui_gfx_scale(c, c->s * 0.95f);
            ns = 1.0f;
        }
    }
    attempt(lay, c, w, h, wd, banner, ns, col, row, &states);
}
