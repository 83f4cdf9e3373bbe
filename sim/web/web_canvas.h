/* web_canvas.h - showing the window's pixels on the page's canvas, only where they changed.
 *
 * SDL's own present for Emscripten copies the whole framebuffer into the canvas on every frame
 * and sets every alpha byte in JavaScript: at 1920x1080 that is 8 MB and most of a frame's time.
 * The window draws partially (ui_app_set_partial) and says which rectangles changed
 * (ui_app_damage); this copies just those into a persistent ImageData and puts only them on
 * the canvas. The canvas keeps its pixels between frames, which partial drawing relies on.
 */
#ifndef WEB_CANVAS_H
#define WEB_CANVAS_H

#include <SDL.h>
#include <stdbool.h>

/* web_canvas_present - put rects (n of them) of the window's framebuffer surface on the canvas.
 * The renderer must have been flushed (SDL_RenderFlush). Returns 0, or -1 when the window has
 * no framebuffer. */
int web_canvas_present(SDL_Window *win, const SDL_Rect *rects, int n);

/* web_canvas_restored - whether the browser gave the canvas back after losing its pixels (a
 * 2D canvas can be lost when the GPU process restarts) since the last call: then the next
 * frame must be drawn whole. */
bool web_canvas_restored(void);

#endif
