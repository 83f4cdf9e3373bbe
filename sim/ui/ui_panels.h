/* ui_panels.h - the text panels under the flow: the transcript (client and server lines told
 * apart, the current step highlighted), the explanation of the current step, and the bytes
 * inspector (exact bytes with CR LF made visible, a hex view, base64 decoded for AUTH, and
 * what an eavesdropper sees once TLS is up).
 *
 * Like the flow, every panel is a pure function of the ui_view: the transcript shows the steps
 * up to the current one, the current one last, so stepping back shows what was shown before.
 */
#ifndef UI_PANELS_H
#define UI_PANELS_H

#include <stddef.h>

#include "ui/ui_flow.h"
#include "ui/ui_gfx.h"
#include "ui/ui_layout.h"

/* Named limits. */
#define UI_PANELS_MAX_SHOWN_BYTES 65536 /* bytes of one step the inspector shows (all, below) */
#define UI_PANELS_MAX_LINES 64          /* lines of one reply the transcript expands */

/* What the student did to the panels beyond the view: the window keeps it, the panels read
 * it. Scrolls are in rows and are clamped when drawn, so any value is safe. */
typedef struct {
    long expanded;       /* the reply step the transcript shows with all its lines; -1: none */
    int transcript_back; /* rows the transcript is scrolled back from its newest line */
    int bytes_top;       /* the first scrolling row of the bytes inspector */
} ui_panels_state;

/* What a scrolling panel holds: rows in all, the first one shown, and how many are shown. */
typedef struct {
    int rows, top, shown;
} ui_panels_scroll;

void ui_panels_transcript(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                          const ui_panels_state *ps);

/* ui_panels_transcript_hit - the step of the transcript line at (x, y), or -1. */
long ui_panels_transcript_hit(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                              const ui_panels_state *ps, int x, int y);

/* ui_panels_transcript_row - the rectangle of a step's (first) transcript line; 0, or -1 if
 * the step is not shown (tests use it to find the highlight). */
int ui_panels_transcript_row(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                             const ui_panels_state *ps, size_t step, SDL_Rect *row);

/* ui_panels_transcript_scroll - the transcript's rows: top is the first shown. */
ui_panels_scroll ui_panels_transcript_scroll(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                                             const ui_panels_state *ps);

/* ui_panels_reply_lines - how many lines a step's bytes hold when it is a reply (a multi-line
 * reply expands to them in the transcript); 0 for any other step. */
int ui_panels_reply_lines(const world_step *st);

/* ui_panels_explain - the explanation of the current step. Shown first when not NULL or "":
 * about, what the scenario is about (the window passes its description at step 0; while the
 * world has no steps, live mode's hint on how to send the first message, alone), and
 * narration, what the lesson says at this step. */
void ui_panels_explain(ui_ctx *c, const ui_layout *lay, const ui_view *v, const char *about,
                       const char *narration);

/* ui_panels_bytes - the inspector, drawn in the explanation panel's place: all of the step's
 * bytes as text and hex, scrolled to ps->bytes_top, with "N more lines" when cut; *close gets
 * the rectangle of its close button. */
void ui_panels_bytes(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                     const ui_panels_state *ps, SDL_Rect *close);

/* ui_panels_bytes_scroll - the inspector's scrolling rows as ui_panels_bytes would draw them. */
ui_panels_scroll ui_panels_bytes_scroll(ui_ctx *c, const ui_layout *lay, const ui_view *v,
                                        const ui_panels_state *ps);

/* ui_panels_escape - bytes as one readable string: CR and LF as the control pictures (or
 * "\r" "\n"), a line break after each LF; other control bytes as "\xNN". Returns the length. */
size_t ui_panels_escape(const char *bytes, size_t len, char *out, size_t cap, int pictures);

/* ui_panels_fake_record - what a TLS application-data record carrying these bytes looks like
 * on the wire (RFC 8446 5.2): a real header and ciphertext-looking bytes derived from a hash of
 * the content, so the same step always shows the same bytes. Returns the record length. */
size_t ui_panels_fake_record(const char *bytes, size_t len, unsigned char *out, size_t cap);

/* ui_panels_auth_decode - for an AUTH command, a reply to it (334) or an answer to a 334:
 * the base64 part and what it decodes to (NUL shown as "\0"); 0, or -1 if none. */
int ui_panels_auth_decode(const world *w, size_t step, char *b64, size_t b64cap, char *plain,
                          size_t plaincap);

#endif
