/* ui_picker.c - listing and drawing scenarios to choose from. */
#include "ui/ui_picker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/catalog.h"
#include "core/world/scenario.h"

int ui_picker_scan(ui_picker *p, const char *data_dir)
{
    p->count = 0;
    p->selected = 0;
    catalog_entry *e;
    long n = catalog_list(data_dir, CATALOG_SCENARIO, &e);
    for (long i = 0; i < n && p->count < UI_PICKER_MAX; i++) {
        int k = p->count;
        if (strlen(e[i].id) >= sizeof p->name[k] || strlen(e[i].path) >= sizeof p->path[k])
            continue;
        snprintf(p->name[k], sizeof p->name[k], "%s", e[i].id);
        snprintf(p->path[k], sizeof p->path[k], "%s", e[i].path);
        char err[256];
        scenario *sc = scenario_load(p->path[k], err, sizeof err);
        if (sc) {
            snprintf(p->title[k], sizeof p->title[k], "%s", scenario_title(sc));
            scenario_free(sc);
        } else {
            snprintf(p->title[k], sizeof p->title[k], "(does not load: %.100s)", err);
        }
        p->count++;
    }
    free(e);
    return p->count;
}

typedef struct {
    SDL_Rect box;
    int y0, lh;
    int first, rows; /* the entries shown: a window that keeps the selected one visible */
} geometry;

static geometry geom(ui_ctx *c, const ui_layout *lay, const ui_picker *p)
{
    geometry g;
    g.lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_body) + c->pad;
    int title_lh = ui_text_line_height(c->text, UI_FONT_SANS_BOLD, c->fs_title);
    int rows = p->count ? p->count : 1;
    int bw = lay->w * 2 / 3, bh = title_lh + rows * g.lh + 4 * c->pad;
    if (bh > lay->h - 2 * c->pad)
        bh = lay->h - 2 * c->pad;
    g.box = (SDL_Rect){(lay->w - bw) / 2, (lay->h - bh) / 2, bw, bh};
    g.y0 = g.box.y + c->pad + title_lh + c->pad;
    g.rows = (g.box.y + g.box.h - c->pad - g.y0) / g.lh;
    if (g.rows < 1)
        g.rows = 1;
    g.first = p->selected - g.rows + 1 > 0 ? p->selected - g.rows + 1 : 0;
    return g;
}

void ui_picker_draw(ui_ctx *c, const ui_layout *lay, const ui_picker *p)
{
    const ui_theme *th = c->theme;
    ui_gfx_fill(c->r, (SDL_Rect){0, 0, lay->w, lay->h}, th->overlay);
    geometry g = geom(c, lay, p);
    ui_gfx_box(c->r, g.box, c->radius, th->panel, th->node_active, c->line);
    int x = g.box.x + 2 * c->pad;
    ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_title, th->title,
                 "Choose a scenario (Up/Down and Enter, or click)", x, g.box.y + c->pad,
                 UI_ALIGN_LEFT);
    if (!p->count)
        ui_text_draw(c->text, UI_FONT_SANS, c->fs_body, th->text,
                     "No scenarios found under lessons/scenarios.", x, g.y0, UI_ALIGN_LEFT);
    int name_w = 0;
    for (int i = 0; i < p->count; i++) {
        int w, h;
        ui_text_size(c->text, UI_FONT_MONO_BOLD, c->fs_body, p->name[i], &w, &h);
        if (w > name_w)
            name_w = w;
    }
    int inner = g.box.w - 4 * c->pad;
    if (name_w > inner / 2)
        name_w = inner / 2;
    for (int i = g.first; i < p->count && i < g.first + g.rows; i++) {
        int y = g.y0 + (i - g.first) * g.lh;
        SDL_Rect row = {g.box.x + c->pad, y, g.box.w - 2 * c->pad, g.lh};
        bool sel = i == p->selected;
        if (sel)
            ui_gfx_box(c->r, row, c->radius / 2, th->highlight, th->highlight, 0);
        SDL_Color tc = sel ? th->highlight_text : th->text;
        ui_text_draw_fit(c->text, UI_FONT_MONO_BOLD, c->fs_body, tc, p->name[i], x,
                         y + g.lh / 2, UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, name_w);
        ui_text_draw_fit(c->text, UI_FONT_SANS, c->fs_body, tc, p->title[i],
                         x + name_w + 2 * c->pad, y + g.lh / 2, UI_ALIGN_LEFT | UI_ALIGN_MIDDLE,
                         inner - name_w - 2 * c->pad);
    }
}

int ui_picker_hit(ui_ctx *c, const ui_layout *lay, const ui_picker *p, int x, int y)
{
    geometry g = geom(c, lay, p);
    if (!ui_gfx_inside(g.box, x, y) || y < g.y0)
        return -1;
    int i = g.first + (y - g.y0) / g.lh;
    return i < p->count && i < g.first + g.rows ? i : -1;
}
