/* ui_flow.c - nodes, links and tokens (see ui_flow.h). */
#include "ui/ui_flow.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_LINKS 32

long ui_view_done(const ui_view *v)
{
    if (!v->w || world_step_count(v->w) == 0)
        return -1;
    return v->phase >= 1.0f ? (long)v->step : (long)v->step - 1;
}

bool ui_flow_hidden(const ui_view *v, const world_step *st)
{
    return v->eaves && st->tls && st->kind != WORLD_STEP_TLS && st->kind != WORLD_STEP_CONNECT &&
           st->kind != WORLD_STEP_CLOSE && st->from != st->to;
}

void ui_flow_label(const ui_view *v, const world_step *st, char *out, size_t cap)
{
    if (ui_flow_hidden(v, st))
        snprintf(out, cap, "TLS record (encrypted), %zu bytes", st->len + 22);
    else
        snprintf(out, cap, "%s", st->text ? st->text : world_step_kind_name(st->kind));
}

static bool has_place(const ui_layout *lay, int id)
{
    return id >= 0 && (size_t)id < lay->node_count && lay->node[id].w > 0;
}

void ui_flow_anchor(const ui_layout *lay, int a, int b, float *x, float *y)
{
    SDL_Rect ra = lay->node[a], rb = lay->node[b];
    /* nodes side by side: the middle of the facing side, so a link stays in the gap between
     * the columns and never runs behind a third box; one above the other: top or bottom */
    if (rb.x >= ra.x + ra.w || rb.x + rb.w <= ra.x) {
        *x = rb.x >= ra.x + ra.w ? (float)(ra.x + ra.w) : (float)ra.x;
        *y = ra.y + ra.h / 2.0f;
        return;
    }
    *x = ra.x + ra.w / 2.0f;
    *y = rb.y >= ra.y + ra.h ? (float)(ra.y + ra.h) : (float)ra.y;
}

int ui_flow_token_pos(const ui_layout *lay, const world *w, size_t step, float phase, float *x,
                      float *y)
{
    if (!w || step >= world_step_count(w))
        return -1;
    const world_step *st = world_step_at(w, step);
    if (st->from == st->to || !has_place(lay, st->from) || !has_place(lay, st->to))
        return -1;
    float x1, y1, x2, y2;
    ui_flow_anchor(lay, st->from, st->to, &x1, &y1);
    ui_flow_anchor(lay, st->to, st->from, &x2, &y2);
    float p = phase < 0 ? 0 : phase > 1 ? 1 : phase;
    p = p * p * (3 - 2 * p); /* smoothstep: eases in and out, and p(0.5) = 0.5 */
    *x = x1 + (x2 - x1) * p;
    *y = y1 + (y2 - y1) * p;
    return 0;
}

bool ui_flow_link_tls(const world *w, int a, int b, long done)
{
    for (long i = done; i >= 0; i--) {
        const world_step *st = world_step_at(w, (size_t)i);
        if (!((st->from == a && st->to == b) || (st->from == b && st->to == a)))
            continue;
        if (st->kind == WORLD_STEP_CLOSE || st->kind == WORLD_STEP_CONNECT)
            return false;
        return st->kind == WORLD_STEP_TLS || st->tls;
    }
    return false;
}

typedef struct {
    int a, b;
    uint16_t port;
    long first; /* first step using it */
} link;

static int collect_links(const world *w, link *out)
{
    int n = 0;
    size_t count = world_step_count(w);
    for (size_t i = 0; i < count; i++) {
        const world_step *st = world_step_at(w, i);
        if (st->from == st->to || st->from < 0 || st->to < 0)
            continue;
        int k;
        for (k = 0; k < n; k++)
            if ((out[k].a == st->from && out[k].b == st->to) ||
                (out[k].a == st->to && out[k].b == st->from))
                break;
        if (k == n) {
            if (n == MAX_LINKS)
                continue;
            out[n++] = (link){st->from, st->to, st->port, (long)i};
        } else if (!out[k].port) {
            out[k].port = st->port;
        }
    }
    return n;
}

static void draw_link(ui_ctx *c, const ui_layout *lay, const ui_view *v, const link *lk, long done,
                      bool active)
{
    const ui_theme *th = c->theme;
    if (!has_place(lay, lk->a) || !has_place(lay, lk->b))
        return;
    float x1, y1, x2, y2;
    ui_flow_anchor(lay, lk->a, lk->b, &x1, &y1);
    ui_flow_anchor(lay, lk->b, lk->a, &x2, &y2);
    bool used = lk->first <= done || active;
    bool tls = ui_flow_link_tls(v->w, lk->a, lk->b, done);
    SDL_Color col = tls ? th->link_tls : th->link;
    float lw = (float)c->line * (tls ? 2.0f : 1.0f);
    if (used)
        ui_gfx_line(c->r, x1, y1, x2, y2, lw, col);
    else
        ui_gfx_dashed(c->r, x1, y1, x2, y2, (float)c->line, 6 * c->s, th->link);
    /* label: the port below a horizontal link, beside a sloping one, wherever it covers no
     * node; once TLS is up, a padlock sits between the link and the label */
    char label[32] = "";
    if (lk->port)
        snprintf(label, sizeof label, "port %u", (unsigned)lk->port);
    float mx = (x1 + x2) / 2, my = (y1 + y2) / 2;
    bool vertical = fabsf(y2 - y1) > fabsf(x2 - x1);
    bool flat = fabsf(y2 - y1) < 1.0f;
    int tw = 0, tht = 0;
    ui_text_size(c->text, UI_FONT_SANS, lay->nfs_small, label, &tw, &tht);
    float room = vertical || !flat ? 1e9f : fabsf(x2 - x1) - 4;
    if (lk->port && tw > room) { /* a narrow gap: the number alone */
        snprintf(label, sizeof label, "%u", (unsigned)lk->port);
        ui_text_size(c->text, UI_FONT_SANS, lay->nfs_small, label, &tw, &tht);
    }
    int lock = tls ? (int)(lay->nfs_small * 1.3f) : 0;
    /* the label's box: padlock and text side by side when vertical, stacked when not */
    int bw = vertical ? lock + (lock ? c->pad / 3 : 0) + tw : (tw > lock ? tw : lock);
    int bh = vertical ? (tht > lock ? tht : lock) : lock + (lock ? c->pad / 3 : 0) + tht;
    if (!label[0] && !lock)
        return;
    SDL_Rect cand[4] = {
        {(int)mx - bw / 2, (int)my + c->pad / 2 + c->line, bw, bh}, /* below */
        {(int)mx + c->pad, (int)my - bh / 2, bw, bh},               /* right */
        {(int)mx - bw / 2, (int)my - c->pad / 2 - c->line - bh, bw, bh}, /* above */
        {(int)mx - c->pad - bw, (int)my - bh / 2, bw, bh},          /* left */
    };
    int order_flat[4] = {0, 2, 1, 3}, order_steep[4] = {1, 3, 0, 2};
    const int *order = vertical ? order_steep : order_flat;
    SDL_Rect box = {0, 0, 0, 0};
    for (int k = 0; k < 4 && !box.w; k++) {
        SDL_Rect r = cand[order[k]], in;
        if (!ui_layout_blocked(lay, r) && SDL_IntersectRect(&r, &lay->flow, &in) &&
            !memcmp(&in, &r, sizeof r))
            box = r;
    }
    if (!box.w) /* nowhere free: the line alone says enough */
        return;
    ui_gfx_widget_open(c, "link label", box);
    if (tls) {
        float cx = box.x + lock / 2.0f, cy = box.y + lock / 2.0f;
        if (vertical)
            cy = box.y + bh / 2.0f;
        else
            cx = box.x + bw / 2.0f;
        ui_gfx_padlock(c->r, cx, cy, (float)lock, th->link_tls, th->bg);
    }
    int lx = vertical ? box.x + lock + (lock ? c->pad / 3 : 0) : box.x + (bw - tw) / 2;
    int ly = vertical ? box.y + (bh - tht) / 2 : box.y + bh - tht;
    ui_text_draw(c->text, UI_FONT_SANS, lay->nfs_small, tls ? th->link_tls : th->text_dim, label, lx,
                 ly, UI_ALIGN_LEFT);
    ui_gfx_widget_close(c);
}

static void draw_node(ui_ctx *c, const ui_layout *lay, const ui_view *v, size_t id, bool active)
{
    const ui_theme *th = c->theme;
    const world_node *nd = world_node_at(v->w, id);
    const world_node_state *ns = v->states ? &v->states[id] : NULL;
    SDL_Rect rc = lay->node[id];
    char wname[32];
    snprintf(wname, sizeof wname, "node %s", nd->role);
    ui_gfx_widget_open(c, wname, ui_layout_node_area(lay, id));
    int thick = active ? 2 * c->line : c->line;
    ui_gfx_box(c->r, rc, c->radius, th->node_fill, active ? th->node_active : th->node_border,
               thick);
    int x = rc.x + c->pad, y = rc.y + c->pad / 2 + thick / 2, inner = rc.w - 2 * c->pad;
    int right = rc.x + rc.w - c->pad;
    /* line 1: role; on the right the listening port, and the queue or mailbox count */
    int role_lh = ui_text_line_height(c->text, UI_FONT_SANS_BOLD, lay->nfs_role);
    char buf[64] = "";
    if (nd->port)
        snprintf(buf, sizeof buf, ":%u", (unsigned)nd->port);
    int used = ui_text_draw(c->text, UI_FONT_MONO_BOLD, lay->nfs_small, th->text_dim, buf, right,
                            y + role_lh / 2, UI_ALIGN_RIGHT | UI_ALIGN_MIDDLE);
    if (used)
        used += c->pad / 2;
    buf[0] = 0;
    if (ns && nd->kind == WORLD_NODE_MAILBOX)
        snprintf(buf, sizeof buf, "%d msg", ns->mailbox_count);
    else if (ns && (nd->kind == WORLD_NODE_MTA || nd->kind == WORLD_NODE_MSA || ns->queue_len))
        snprintf(buf, sizeof buf, "queue %d", ns->queue_len);
    if (buf[0]) { /* a tag hanging on the bottom edge, where it takes no room from text */
        int tw, tht;
        ui_text_size(c->text, UI_FONT_SANS_BOLD, lay->nfs_small, buf, &tw, &tht);
        SDL_Rect badge = {right - tw - c->pad / 2, rc.y + rc.h + lay->tag_h - tht - 2,
                          tw + c->pad, tht + 2};
        bool busy = ns->queue_len > 0 || ns->mailbox_count > 0;
        ui_gfx_box(c->r, badge, badge.h / 2, busy ? th->node_active : th->node_fill,
                   busy ? th->node_active : th->node_border, c->line > 1 ? c->line / 2 : 1);
        ui_text_draw(c->text, UI_FONT_SANS_BOLD, lay->nfs_small,
                     busy ? th->button_on_text : th->text, buf, badge.x + badge.w / 2,
                     badge.y + badge.h / 2, UI_ALIGN_CENTER | UI_ALIGN_MIDDLE);
    }
    ui_text_draw_fit(c->text, UI_FONT_SANS_BOLD, lay->nfs_role, th->title, nd->role, x, y,
                     UI_ALIGN_LEFT, inner - used);
    y += role_lh;
    /* lines 2 and 3: name, then host (or the address when the name is the host) */
    int small_lh = ui_text_line_height(c->text, UI_FONT_SANS, lay->nfs_small);
    ui_text_draw_fit(c->text, UI_FONT_SANS, lay->nfs_small, th->text, nd->name, x, y, UI_ALIGN_LEFT,
                     inner);
    y += small_lh;
    ui_text_draw_fit(c->text, UI_FONT_MONO, lay->nfs_small, th->text_dim,
                     strcmp(nd->name, nd->host) ? nd->host : nd->addr, x, y, UI_ALIGN_LEFT,
                     inner);
    y += small_lh;
    if (!ns) {
        ui_gfx_widget_close(c);
        return;
    }
    /* line 4: the protocol state, with a padlock under TLS */
    int body_lh = ui_text_line_height(c->text, UI_FONT_SANS_BOLD, lay->nfs_body);
    if (ns->tls) {
        int lock = (int)(body_lh * 0.8f);
        ui_gfx_padlock(c->r, (float)x + lock / 2.0f, (float)y + body_lh / 2.0f, (float)lock,
                       th->link_tls, th->node_fill);
        x += lock + c->pad / 2;
        inner -= lock + c->pad / 2;
    }
    /* a long state in smaller type, then on two lines, rather than cut short */
    int sw, sh, px = lay->nfs_body;
    SDL_Color sc = ns->tls ? th->link_tls : th->text;
    ui_text_size(c->text, UI_FONT_SANS_BOLD, px, ns->state, &sw, &sh);
    if (sw > inner) {
        px = lay->nfs_small;
        ui_text_size(c->text, UI_FONT_SANS_BOLD, px, ns->state, &sw, &sh);
    }
    if (sw > inner)
        ui_text_draw_wrap(c->text, UI_FONT_SANS_BOLD, px, sc, ns->state, x, y, inner,
                          ui_layout_state_height(c, lay));
    else
        ui_text_draw_fit(c->text, UI_FONT_SANS_BOLD, px, sc, ns->state, x, y + body_lh / 2,
                         UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, inner);
    ui_gfx_widget_close(c);
}

/* token_colours - fill and text of a step's token. */
static void token_colours(const ui_theme *th, const ui_view *v, const world_step *st,
                          SDL_Color *fill, SDL_Color *text)
{
    ui_reply_class k = ui_theme_step_class(st);
    if (ui_flow_hidden(v, st)) {
        *fill = th->tls_record;
        *text = th->tls_record_text;
    } else if (st->kind == WORLD_STEP_REPLY && k != UI_REPLY_NONE) {
        *fill = th->reply[k];
        *text = th->reply_text[k];
    } else if (st->kind == WORLD_STEP_DNS_QUERY || st->kind == WORLD_STEP_DNS_ANSWER) {
        *fill = th->dns;
        *text = th->dns_text;
    } else {
        *fill = th->command;
        *text = th->command_text;
    }
}

/* token_label_size - the label's text (cut to half the flow's width) and its pill size. */
static void token_label_size(ui_ctx *c, const ui_layout *lay, const ui_view *v, char *label,
                             size_t cap, int *pw, int *ph, int *icon)
{
    const world_step *st = world_step_at(v->w, v->step);
    ui_flow_label(v, st, label, cap);
    ui_reply_class k = ui_flow_hidden(v, st) || st->kind != WORLD_STEP_REPLY
                           ? UI_REPLY_NONE
                           : ui_theme_step_class(st);
    int mono_lh = ui_text_line_height(c->text, UI_FONT_MONO_BOLD, c->fs_mono);
    *icon = k != UI_REPLY_NONE ? mono_lh : 0;
    int tw, tht;
    SDL_Color black = {0, 0, 0, 255};
    ui_text_get(c->text, UI_FONT_MONO_BOLD, c->fs_mono, black, label, 0, lay->flow.w / 2, &tw,
                &tht);
    *pw = tw + 2 * c->pad + (*icon ? *icon + c->pad / 2 : 0);
    *ph = mono_lh + c->pad;
}

/* clamp_x - keep a rectangle inside the flow horizontally. */
static SDL_Rect clamp_x(const ui_layout *lay, SDL_Rect r)
{
    if (r.x + r.w > lay->flow.x + lay->flow.w)
        r.x = lay->flow.x + lay->flow.w - r.w;
    if (r.x < lay->flow.x)
        r.x = lay->flow.x;
    return r;
}

int ui_flow_token_rect(ui_ctx *c, const ui_layout *lay, const ui_view *v, SDL_Rect *pill,
                       float *dot_x, float *dot_y)
{
    if (!v->w || v->step >= world_step_count(v->w))
        return -1;
    const world_step *st = world_step_at(v->w, v->step);
    char label[160];
    int pw, ph, icon;
    token_label_size(c, lay, v, label, sizeof label, &pw, &ph, &icon);
    float dx, dy;
    int top, bottom; /* the rows of nodes the step touches: the label goes above or below */
    bool moving = ui_flow_token_pos(lay, v->w, v->step, v->phase, &dx, &dy) == 0;
    if (moving) {
        SDL_Rect a = lay->node[st->from], b = lay->node[st->to];
        top = a.y < b.y ? a.y : b.y;
        bottom = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
    } else if (has_place(lay, st->from)) { /* a local step: at its node */
        SDL_Rect nr = lay->node[st->from];
        dx = nr.x + nr.w / 2.0f;
        dy = (float)nr.y;
        top = nr.y;
        bottom = nr.y + nr.h;
    } else {
        return -1;
    }
    bottom += lay->tag_h;
    /* beside the dot: on a link between rows, in the middle of the free band between them */
    int side_y = (int)dy;
    bool across = moving && lay->node[st->from].y != lay->node[st->to].y;
    if (across) {
        SDL_Rect a = lay->node[st->from], b = lay->node[st->to];
        SDL_Rect up = a.y < b.y ? a : b, low = a.y < b.y ? b : a;
        if (low.y >= up.y + up.h)
            side_y = (up.y + up.h + lay->tag_h + low.y) / 2;
    }
    /* candidates, best first: in the band above the nodes, beside the dot, below the nodes;
     * the first whose label and connector cover no node and no legend wins */
    int gap = c->pad / 2;
    SDL_Rect cand[5] = {
        {(int)dx - pw / 2, top - lay->gap_y / 2 - ph / 2, pw, ph},
        {(int)dx - 2 * c->pad - pw, side_y - ph / 2, pw, ph},
        {(int)dx + 2 * c->pad, side_y - ph / 2, pw, ph},
        {(int)dx - pw / 2, bottom + lay->gap_y / 2 - ph / 2, pw, ph},
        {(int)dx - pw / 2, top - ph - gap, pw, ph},
    };
    if (!moving) /* a local step has no dot to stand beside */
        cand[1] = cand[2] = cand[0];
    /* a link between rows has its own band beside the dot: the label goes there first */
    static const int flat_order[5] = {0, 1, 2, 3, 4}, across_order[5] = {1, 2, 0, 3, 4};
    const int *order = across ? across_order : flat_order;
    int pick = -1;
    for (int o = 0; o < 5 && pick < 0; o++) {
        int k = order[o];
        SDL_Rect r = clamp_x(lay, cand[k]);
        if (r.y < lay->flow.y || r.y + r.h > lay->flow.y + lay->flow.h)
            continue;
        /* the connector from the label to the dot */
        int cy0 = r.y + r.h / 2 < dy ? r.y + r.h : r.y;
        SDL_Rect conn = {(int)dx - 1, cy0 < (int)dy ? cy0 : (int)dy, 2,
                         cy0 < (int)dy ? (int)dy - cy0 : cy0 - (int)dy};
        bool beside = dy >= r.y && dy <= r.y + r.h;
        if (moving && !beside && conn.h > 2) { /* not through the dot's own end nodes */
            conn.h -= 2;
            conn.y += cy0 < (int)dy ? 0 : 2;
        }
        if (ui_layout_blocked(lay, r) || (!beside && moving && ui_layout_blocked(lay, conn)))
            continue;
        cand[k] = r;
        pick = k;
    }
    *pill = clamp_x(lay, cand[pick < 0 ? 0 : pick]);
    *dot_x = dx;
    *dot_y = dy;
    return moving ? 1 : 0;
}

static void draw_token(ui_ctx *c, const ui_layout *lay, const ui_view *v, SDL_Rect *out)
{
    const ui_theme *th = c->theme;
    const world_step *st = world_step_at(v->w, v->step);
    SDL_Color fill, tcol;
    token_colours(th, v, st, &fill, &tcol);
    SDL_Rect pill;
    float dx, dy;
    int moving = ui_flow_token_rect(c, lay, v, &pill, &dx, &dy);
    if (moving < 0) {
        out->w = 0;
        return;
    }
    char label[160];
    int pw, ph, icon;
    token_label_size(c, lay, v, label, sizeof label, &pw, &ph, &icon);
    ui_reply_class k = icon ? ui_theme_step_class(st) : UI_REPLY_NONE;
    /* connector from the label to the dot */
    float cy = pill.y + pill.h / 2.0f < dy ? (float)(pill.y + pill.h) : (float)pill.y;
    if (dy < pill.y || dy > pill.y + pill.h)
        ui_gfx_line(c->r, dx, cy, dx, dy, (float)c->line, fill);
    if (moving) {
        float x1, y1, x2, y2;
        ui_flow_anchor(lay, st->from, st->to, &x1, &y1);
        ui_flow_anchor(lay, st->to, st->from, &x2, &y2);
        float r = 7 * c->s * (c->theme->line_scale > 1 ? 1.3f : 1.0f);
        ui_gfx_circle(c->r, dx, dy, r + c->line, th->bg);
        ui_gfx_circle(c->r, dx, dy, r, fill);
        float len = sqrtf((x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1));
        float tx = len > 1 ? dx + (x2 - x1) / len * r * 2.4f : dx;
        float ty = len > 1 ? dy + (y2 - y1) / len * r * 2.4f : dy;
        SDL_Rect tip = {(int)tx - 1, (int)ty - 1, 2, 2};
        if (len > 1 && !ui_layout_blocked(lay, tip)) /* arrived: no arrow into the node's text */
            ui_gfx_arrowhead(c->r, tx, ty, x2 - x1, y2 - y1, r * 1.4f, fill);
    }
    ui_gfx_widget_open(c, "token", pill);
    ui_gfx_box(c->r, pill, pill.h / 2, fill, th->bg, 0);
    int tx = pill.x + c->pad;
    if (icon) {
        ui_gfx_reply_shape(c->r, k, (float)tx + icon / 2.0f, pill.y + pill.h / 2.0f,
                           icon * 0.8f, tcol, fill);
        tx += icon + c->pad / 2;
    }
    ui_text_draw_fit(c->text, UI_FONT_MONO_BOLD, c->fs_mono, tcol, label, tx,
                     pill.y + pill.h / 2, UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, lay->flow.w / 2);
    ui_gfx_widget_close(c);
    *out = pill;
}

/* legend - the reply classes in the corner of the flow the layout found free: shape, colour
 * and word together, so colour is never the only cue. */
static void legend(ui_ctx *c, const ui_layout *lay)
{
    const ui_theme *th = c->theme;
    SDL_Rect area = lay->legend;
    if (!area.w)
        return;
    int lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_small);
    int col_w = area.w / 2;
    ui_gfx_widget_open(c, "legend", area);
    int x0 = area.x, y0 = area.y + lh;
    ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_small, th->text_dim, "Replies", x0, area.y,
                 UI_ALIGN_LEFT);
    for (int k = 0; k < UI_REPLY_CLASSES; k++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%dxx %s", k + 2, ui_theme_reply_label((ui_reply_class)k));
        int x = x0 + (k / 2) * col_w, y = y0 + (k % 2) * lh;
        float sz = lh * 0.75f;
        ui_gfx_reply_shape(c->r, (ui_reply_class)k, x + sz / 2, y + lh / 2.0f, sz, th->reply[k],
                           th->reply_text[k]);
        ui_text_draw(c->text, UI_FONT_SANS, c->fs_small, th->text, buf, x + lh, y,
                     UI_ALIGN_LEFT);
    }
    ui_gfx_widget_close(c);
}

void ui_flow_draw(ui_ctx *c, const ui_layout *lay, const ui_view *v)
{
    if (!v->w)
        return;
    size_t count = world_step_count(v->w);
    long done = ui_view_done(v);
    const world_step *cur = count ? world_step_at(v->w, v->step) : NULL;
    ui_gfx_widget_open(c, "flow", lay->flow);
    link links[MAX_LINKS];
    int nl = collect_links(v->w, links);
    for (int i = 0; i < nl; i++) {
        bool active = cur && ((links[i].a == cur->from && links[i].b == cur->to) ||
                              (links[i].a == cur->to && links[i].b == cur->from));
        draw_link(c, lay, v, &links[i], done, active);
    }
    for (size_t i = 0; i < lay->node_count; i++) {
        if (!lay->node[i].w)
            continue;
        bool active = cur && ((int)i == cur->from || (int)i == cur->to);
        draw_node(c, lay, v, i, active);
    }
    legend(c, lay);
    ui_gfx_widget_close(c);
}

/* grow - r widened to hold x..x2, y..y2 (r empty: just that box). */
static SDL_Rect grow(SDL_Rect r, float x, float y, float x2, float y2)
{
    SDL_Rect b = {(int)floorf(x), (int)floorf(y), 0, 0};
    b.w = (int)ceilf(x2) - b.x;
    b.h = (int)ceilf(y2) - b.y;
    if (r.w <= 0 || r.h <= 0)
        return b;
    SDL_Rect u;
    SDL_UnionRect(&r, &b, &u);
    return u;
}

SDL_Rect ui_flow_token_area(ui_ctx *c, const ui_layout *lay, const ui_view *v)
{
    SDL_Rect none = {0, 0, 0, 0}, pill;
    float dx, dy;
    if (!v->w || v->step >= world_step_count(v->w))
        return none;
    int moving = ui_flow_token_rect(c, lay, v, &pill, &dx, &dy);
    if (moving < 0)
        return none;
    /* what draw_token touches: the label, its connector, and the dot with the arrowhead ahead
     * of it (2.4 radii ahead, 1.4 radii long), each with a pixel to spare for rounding */
    float m = (float)c->line + 2;
    SDL_Rect area = grow(none, pill.x - m, pill.y - m, pill.x + pill.w + m, pill.y + pill.h + m);
    area = grow(area, dx - m, dy < pill.y ? dy - m : (float)pill.y,
                dx + m, dy > pill.y + pill.h ? dy + m : (float)(pill.y + pill.h));
    if (moving) {
        float r = 7 * c->s * (c->theme->line_scale > 1 ? 1.3f : 1.0f);
        float reach = r * (2.4f + 1.4f) + m;
        area = grow(area, dx - reach, dy - reach, dx + reach, dy + reach);
    }
    return area;
}

void ui_flow_draw_token(ui_ctx *c, const ui_layout *lay, const ui_view *v, SDL_Rect *token)
{
    token->w = 0;
    if (v->w && v->step < world_step_count(v->w)) {
        ui_gfx_widget_open(c, "flow (moving)", lay->flow);
        draw_token(c, lay, v, token);
        ui_gfx_widget_close(c);
    }
}
