/* ui_theme.c - the colour tables. Okabe-Ito (Okabe & Ito 2008) for reply classes:
 * blue #0072B2, orange #E69F00, reddish purple #CC79A7, vermillion #D55E00. Text on each
 * fill is chosen for a contrast ratio of at least 4.5:1. */
#include "ui/ui_theme.h"

#include <string.h>

#include "core/export/reply_style.h"

#define RGB(r, g, b) {r, g, b, 255}
#define RGBA(r, g, b, a) {r, g, b, a}

static const ui_theme themes[] = {
    {
        .name = "default",
        .type_scale = 1.0f,
        .line_scale = 1.0f,
        .bg = RGB(244, 245, 247),
        .panel = RGB(255, 255, 255),
        .panel_border = RGB(190, 196, 204),
        .text = RGB(28, 32, 38),
        .text_dim = RGB(88, 96, 108),
        .title = RGB(20, 24, 30),
        .highlight = RGB(255, 236, 179),
        .highlight_text = RGB(0, 0, 0),
        .node_fill = RGB(255, 255, 255),
        .node_border = RGB(120, 128, 140),
        .node_active = RGB(0, 114, 178),
        .link = RGB(150, 156, 166),
        .link_tls = RGB(0, 120, 80),
        .client = RGB(20, 60, 130),
        .server = RGB(30, 30, 30),
        .command = RGB(40, 44, 52),
        .command_text = RGB(255, 255, 255),
        .dns = RGB(86, 180, 233),
        .dns_text = RGB(0, 0, 0),
        .tls_record = RGB(90, 90, 90),
        .tls_record_text = RGB(255, 255, 255),
        .button = RGB(226, 230, 236),
        .button_text = RGB(20, 24, 30),
        .button_on = RGB(0, 114, 178),
        .button_on_text = RGB(255, 255, 255),
        .overlay = RGBA(0, 0, 0, 150),
        .reply = {RGB(0, 114, 178), RGB(230, 159, 0), RGB(204, 121, 167), RGB(213, 94, 0)},
        .reply_text = {RGB(255, 255, 255), RGB(0, 0, 0), RGB(0, 0, 0), RGB(0, 0, 0)},
    },
    {
        .name = "presenter",
        .type_scale = 1.4f,
        .line_scale = 1.6f,
        .bg = RGB(255, 255, 255),
        .panel = RGB(255, 255, 255),
        .panel_border = RGB(0, 0, 0),
        .text = RGB(0, 0, 0),
        .text_dim = RGB(40, 40, 40),
        .title = RGB(0, 0, 0),
        .highlight = RGB(255, 221, 87),
        .highlight_text = RGB(0, 0, 0),
        .node_fill = RGB(255, 255, 255),
        .node_border = RGB(0, 0, 0),
        .node_active = RGB(0, 90, 160),
        .link = RGB(60, 60, 60),
        .link_tls = RGB(0, 100, 60),
        .client = RGB(0, 40, 120),
        .server = RGB(0, 0, 0),
        .command = RGB(0, 0, 0),
        .command_text = RGB(255, 255, 255),
        .dns = RGB(86, 180, 233),
        .dns_text = RGB(0, 0, 0),
        .tls_record = RGB(60, 60, 60),
        .tls_record_text = RGB(255, 255, 255),
        .button = RGB(235, 235, 235),
        .button_text = RGB(0, 0, 0),
        .button_on = RGB(0, 90, 160),
        .button_on_text = RGB(255, 255, 255),
        .overlay = RGBA(0, 0, 0, 170),
        .reply = {RGB(0, 114, 178), RGB(230, 159, 0), RGB(204, 121, 167), RGB(213, 94, 0)},
        .reply_text = {RGB(255, 255, 255), RGB(0, 0, 0), RGB(0, 0, 0), RGB(0, 0, 0)},
    },
    {
        .name = "dark",
        .type_scale = 1.0f,
        .line_scale = 1.0f,
        .bg = RGB(24, 26, 31),
        .panel = RGB(34, 37, 44),
        .panel_border = RGB(70, 76, 88),
        .text = RGB(230, 232, 236),
        .text_dim = RGB(160, 166, 176),
        .title = RGB(245, 246, 248),
        .highlight = RGB(80, 70, 30),
        .highlight_text = RGB(255, 255, 255),
        .node_fill = RGB(44, 48, 56),
        .node_border = RGB(120, 128, 140),
        .node_active = RGB(86, 180, 233),
        .link = RGB(110, 116, 128),
        .link_tls = RGB(0, 158, 115),
        .client = RGB(150, 200, 255),
        .server = RGB(235, 235, 235),
        .command = RGB(220, 224, 230),
        .command_text = RGB(0, 0, 0),
        .dns = RGB(86, 180, 233),
        .dns_text = RGB(0, 0, 0),
        .tls_record = RGB(150, 150, 150),
        .tls_record_text = RGB(0, 0, 0),
        .button = RGB(52, 56, 66),
        .button_text = RGB(235, 235, 235),
        .button_on = RGB(86, 180, 233),
        .button_on_text = RGB(0, 0, 0),
        .overlay = RGBA(0, 0, 0, 170),
        .reply = {RGB(86, 180, 233), RGB(230, 159, 0), RGB(204, 121, 167), RGB(213, 94, 0)},
        .reply_text = {RGB(0, 0, 0), RGB(0, 0, 0), RGB(0, 0, 0), RGB(0, 0, 0)},
    },
};

#define THEME_COUNT (sizeof themes / sizeof themes[0])

const ui_theme *ui_theme_get(const char *name)
{
    for (size_t i = 0; name && i < THEME_COUNT; i++)
        if (!strcmp(themes[i].name, name))
            return &themes[i];
    return NULL;
}

const ui_theme *ui_theme_next(const ui_theme *t)
{
    for (size_t i = 0; i < THEME_COUNT; i++)
        if (t == &themes[i])
            return &themes[(i + 1) % THEME_COUNT];
    return &themes[0];
}

const char *ui_theme_names(void)
{
    return "default, presenter, dark";
}

ui_reply_class ui_theme_reply_class(int code)
{
    return (ui_reply_class)reply_style_class_of(code);
}

ui_reply_class ui_theme_step_class(const world_step *st)
{
    return (ui_reply_class)reply_style_class_of_step(st);
}

const char *ui_theme_reply_label(ui_reply_class c)
{
    const reply_style *st = reply_style_get((reply_style_class)c); /* the one table */
    return st ? st->word : "";
}
