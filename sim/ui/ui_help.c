/* ui_help.c - the key table and its overlay. */
#include "ui/ui_help.h"

static const ui_help_key keys[] = {
    {"Space", "play / pause"},
    {"Right, PageDown, N", "next step (presentation clickers send PageDown)"},
    {"Left, PageUp, P", "previous step"},
    {"Home / End", "first / last step"},
    {"+ / -", "faster / slower (0: normal speed)"},
    {"Click or drag timeline", "jump to a step"},
    {"Click a token or line", "show its exact bytes"},
    {"B", "bytes inspector: text, hex, base64 decoded"},
    {"E", "eavesdropper: what someone on the wire sees"},
    {"T", "theme: default, presenter (large, high contrast), dark"},
    {"S", "choose a scenario"},
    {"Q", "quiz panel (when the scenario has a lesson)"},
    {"1-9, A-D, Enter", "answer in the quiz panel; Tab: show me the step"},
    {"W", "what if? on a reply step: type another reply, Enter replays; W: back"},
    {"Ctrl+S", "save the what-if as a scenario file (current directory)"},
    {"Mouse wheel", "previous / next step"},
    {"F or F11", "full screen"},
    {"Ctrl + / Ctrl - / Ctrl 0", "zoom in / out / reset"},
    {"F12", "save a screenshot (PNG, current directory)"},
    {"F1 or ?", "this help"},
    {"Esc", "close help, inspector, picker or what-if; quit when none is open"},
};

int ui_help_count(void)
{
    return (int)(sizeof keys / sizeof keys[0]);
}

const ui_help_key *ui_help_at(int i)
{
    return i >= 0 && i < ui_help_count() ? &keys[i] : NULL;
}

void ui_help_draw(ui_ctx *c, const ui_layout *lay)
{
    const ui_theme *th = c->theme;
    ui_gfx_fill(c->r, (SDL_Rect){0, 0, lay->w, lay->h}, th->overlay);
    int lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_body) + c->pad / 3;
    int title_lh = ui_text_line_height(c->text, UI_FONT_SANS_BOLD, c->fs_title);
    int n = ui_help_count();
    int key_w = 0;
    for (int i = 0; i < n; i++) {
        int w, h;
        ui_text_size(c->text, UI_FONT_SANS_BOLD, c->fs_body, keys[i].keys, &w, &h);
        if (w > key_w)
            key_w = w;
    }
    int bw = lay->w * 3 / 4, bh = title_lh + (n + 2) * lh + 3 * c->pad;
    if (bh > lay->h - 2 * c->pad)
        bh = lay->h - 2 * c->pad;
    SDL_Rect box = {(lay->w - bw) / 2, (lay->h - bh) / 2, bw, bh};
    ui_gfx_box(c->r, box, c->radius, th->panel, th->node_active, c->line);
    int x = box.x + 2 * c->pad, y = box.y + c->pad;
    ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_title, th->title, "Keys", x, y, UI_ALIGN_LEFT);
    y += title_lh + c->pad;
    for (int i = 0; i < n && y + lh <= box.y + box.h - lh; i++) {
        ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->text, keys[i].keys, x, y,
                     UI_ALIGN_LEFT);
        ui_text_draw_fit(c->text, UI_FONT_SANS, c->fs_body, th->text, keys[i].action,
                         x + key_w + 2 * c->pad, y, UI_ALIGN_LEFT,
                         box.x + box.w - (x + key_w + 3 * c->pad));
        y += lh;
    }
    ui_text_draw(c->text, UI_FONT_SANS, c->fs_small, th->text_dim,
                 "Every key also has a button. Press any key or click to close.",
                 box.x + box.w / 2, box.y + box.h - c->pad, UI_ALIGN_CENTER | UI_ALIGN_BOTTOM);
}
