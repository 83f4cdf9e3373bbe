/* ui_png.h - frames in memory and as PNG files: the window's F12, `smtpsim shot` and the
 * sequence diagram of `smtpsim export --png` all save through here.
 *
 * It knows SDL surfaces and renderers and nothing of the window, so everything above it (the
 * app, the shot command, the exports) can use it without a cycle.
 */
#ifndef UI_PNG_H
#define UI_PNG_H

#include <SDL.h>
#include <stddef.h>
#include <stdio.h>

/* ui_png_surface_new - a w x h XRGB8888 surface over zeroed anonymous memory (huge pages when
 * the kernel gives them), cheap to create at 1920x1080; NULL when it cannot be made (then
 * SDL_GetError says why). Free it with ui_png_surface_free, never SDL_FreeSurface. */
SDL_Surface *ui_png_surface_new(int w, int h);
void ui_png_surface_free(SDL_Surface *s);

/* ui_png_write - s as a PNG on the open stream f (left open, not flushed). 0, or -1 and err. */
int ui_png_write(SDL_Surface *s, FILE *f, char *err, size_t errlen);

/* ui_png_save - s as the PNG file path. 0, or -1 and err, which names path and the reason
 * ("/no/dir/x.png: No such file or directory"). */
int ui_png_save(SDL_Surface *s, const char *path, char *err, size_t errlen);

/* ui_png_save_renderer - what r has drawn so far (call before SDL_RenderPresent) as the PNG
 * file path. 0, or -1 and err. */
int ui_png_save_renderer(SDL_Renderer *r, const char *path, char *err, size_t errlen);

#endif
