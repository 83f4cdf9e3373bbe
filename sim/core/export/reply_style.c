/* reply_style.c - the one table of reply classes (see reply_style.h). */
#include "core/export/reply_style.h"

#include <stdio.h>

static const reply_style styles[REPLY_STYLE_CLASSES] = {
    {REPLY_STYLE_2XX, "success", "blue", REPLY_SHAPE_CIRCLE, "circle", "#0072B2", "#FFFFFF"},
    {REPLY_STYLE_3XX, "continue", "orange", REPLY_SHAPE_TRIANGLE, "triangle", "#E69F00",
     "#000000"},
    {REPLY_STYLE_4XX, "try later", "reddish purple", REPLY_SHAPE_DIAMOND, "diamond", "#CC79A7",
     "#000000"},
    {REPLY_STYLE_5XX, "failed", "vermillion", REPLY_SHAPE_SQUARE, "square", "#D55E00", "#000000"},
};

reply_style_class reply_style_class_of(int code)
{
    if (code < 200 || code > 599)
        return REPLY_STYLE_NONE;
    return (reply_style_class)(code / 100 - 2);
}

const reply_style *reply_style_get(reply_style_class cls)
{
    return cls >= 0 && cls < REPLY_STYLE_CLASSES ? &styles[cls] : NULL;
}

const char *reply_style_hex(reply_style_class cls)
{
    const reply_style *s = reply_style_get(cls);
    return s ? s->hex : "#333333";
}

unsigned reply_style_rgb(const char *hex)
{
    unsigned v = 0;
    if (!hex || hex[0] != '#' || sscanf(hex + 1, "%6x", &v) != 1)
        return 0;
    return v;
}

reply_style_class reply_style_class_of_step(const world_step *s)
{
    if (!s || s->kind != WORLD_STEP_REPLY)
        return REPLY_STYLE_NONE;
    return reply_style_class_of(world_step_reply_class(s) * 100);
}
