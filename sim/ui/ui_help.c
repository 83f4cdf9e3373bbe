/* ui_help.c - the help overlay: the key table (ui_keys.c) as a two-column list. */
#include "ui/ui_help.h"

#include "ui/ui_keys.h"

#define HELP_KEYS_CAP 160 /* one line's keys, joined */

int ui_help_draw(ui_ctx *c, const ui_layout *lay)
{
    const ui_theme *th = c->theme;
    ui_gfx_fill(c->r, (SDL_Rect){0, 0, lay->w, lay->h}, th->overlay);
    int lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_body) + c->pad / 3;
    int title_lh = ui_text_line_height(c->text, UI_FONT_SANS_BOLD, c->fs_title);
    int n = ui_keys_help_lines();
    char keys[HELP_KEYS_CAP];
    const char *help;
    int key_w = 0, help_w = 0;
    for (int i = 0; ui_keys_help_line(&i, keys, sizeof keys, &help) == 0;) {
        int w, h;
        ui_text_size(c->text, UI_FONT_SANS_BOLD, c->fs_body, keys, &w, &h);
        if (w > key_w)
            key_w = w;
        ui_text_size(c->text, UI_FONT_SANS, c->fs_body, help, &w, &h);
        if (w > help_w)
            help_w = w;
    }
    /* three quarters of the width, wider when large type needs it */
    int bw = lay->w * 3 / 4, need = key_w + help_w + 5 * c->pad;
    if (bw < need)
        bw = need < lay->w - 2 * c->pad ? need : lay->w - 2 * c->pad;
    int bh = title_lh + (n + 1) * lh + 4 * c->pad;
    if (bh > lay->h - 2 * c->pad) { /* small window, large type: lines without their gap */
        lh -= c->pad / 3;
        bh = title_lh + (n + 1) * lh + 4 * c->pad;
    }
    if (bh > lay->h - 2 * c->pad)
        bh = lay->h - 2 * c->pad;
    SDL_Rect box = {(lay->w - bw) / 2, (lay->h - bh) / 2, bw, bh};
    ui_gfx_box(c->r, box, c->radius, th->panel, th->node_active, c->line);
    int x = box.x + 2 * c->pad, y = box.y + c->pad;
    ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_title, th->title, "Keys", x, y, UI_ALIGN_LEFT);
    y += title_lh + c->pad;
    int drawn = 0;
    /* the last line may go down to the footer, which is in the small font */
    int foot = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_small) + c->pad / 2;
    for (int i = 0; y + lh <= box.y + box.h - foot &&
                    ui_keys_help_line(&i, keys, sizeof keys, &help) == 0;) {
        int room = box.x + box.w - (x + key_w + 3 * c->pad), w, h;
        ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->text, keys, x, y, UI_ALIGN_LEFT);
        ui_text_draw_fit(c->text, UI_FONT_SANS, c->fs_body, th->text, help,
                         x + key_w + 2 * c->pad, y, UI_ALIGN_LEFT, room);
        y += lh;
        ui_text_size(c->text, UI_FONT_SANS, c->fs_body, help, &w, &h);
        drawn += w <= room; /* a line cut short does not count */
    }
    ui_text_draw(c->text, UI_FONT_SANS, c->fs_small, th->text_dim,
                 "Every key also has a button. Press any key or click to close.",
                 box.x + box.w / 2, box.y + box.h - c->pad, UI_ALIGN_CENTER | UI_ALIGN_BOTTOM);
    return drawn;
}
