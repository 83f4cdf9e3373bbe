/* web_canvas.c - the changed rectangles of the window onto the canvas (see web_canvas.h). */
#include "web/web_canvas.h"

#include <emscripten.h>

/* js_put_rect - copy one rectangle of the framebuffer (32-bit pixels laid out R, G, B, x in
 * memory, as the canvas wants them apart from alpha) into the page's ImageData, opaque, and put
 * that rectangle on the canvas. The ImageData is made once per canvas size, not per frame. */
EM_JS(void, js_put_rect, (const void *pixels, int pitch, int w, int h, int x, int y, int rw,
                          int rh), {
    var canvas = Module['canvas'];
    var p = Module.smtpsimPresent || (Module.smtpsimPresent = {});
    if (p.canvas !== canvas) {
        p.canvas = canvas;
        p.ctx = canvas.getContext('2d');
        p.image = null;
        canvas.addEventListener('contextrestored', function () { p.restored = true; });
    }
    if (!p.image || p.image.width !== w || p.image.height !== h) {
        p.image = p.ctx.createImageData(w, h);
        p.data32 = new Uint32Array(p.image.data.buffer);
    }
    var dst = p.data32, src = HEAPU32, stride = pitch >> 2;
    if (x === 0 && rw === w && stride === w) {
        /* whole rows (a whole frame): one block copy, then the alpha bytes */
        var from = (pixels >> 2) + y * w;
        dst.set(src.subarray(from, from + w * rh), y * w);
        var d8 = p.image.data, end8 = (y + rh) * w * 4;
        for (var i = y * w * 4 + 3; i < end8; i += 4) d8[i] = 255;
        p.ctx.putImageData(p.image, 0, 0, x, y, rw, rh);
        return;
    }
    for (var row = y; row < y + rh; row++) {
        var s = (pixels >> 2) + row * stride + x, d = row * w + x, end = d + rw;
        while (d < end) dst[d++] = src[s++] | 0xff000000;
    }
    p.ctx.putImageData(p.image, 0, 0, x, y, rw, rh);
});

int web_canvas_present(SDL_Window *win, const SDL_Rect *rects, int n)
{
    SDL_Surface *s = SDL_GetWindowSurface(win);
    if (!s || s->format->BytesPerPixel != 4)
        return -1;
    SDL_Rect all = {0, 0, s->w, s->h};
    for (int i = 0; i < n; i++) {
        SDL_Rect r;
        if (SDL_IntersectRect(&rects[i], &all, &r))
            js_put_rect(s->pixels, s->pitch, s->w, s->h, r.x, r.y, r.w, r.h);
    }
    return 0;
}

EM_JS(int, js_restored, (void), {
    var p = Module.smtpsimPresent;
    if (!p || !p.restored)
        return 0;
    p.restored = false;
    return 1;
});

bool web_canvas_restored(void)
{
    return js_restored() != 0;
}
