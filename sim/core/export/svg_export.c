/* svg_export.c - sequence diagram writer: fixed geometry, XML-escaped text, no dependencies. */
#include "core/export/svg_export.h"

#include <string.h>

#include "core/export/reply_style.h"
#include "core/util/utf8.h"

#define COL_W SVG_EXPORT_COL_W
#define ROW_H SVG_EXPORT_ROW_H
#define TOP SVG_EXPORT_TOP
#define MARGIN SVG_EXPORT_MARGIN

#define INK "#333333"

/* Arrow heads: one marker per colour, in this order (ink, the four reply classes, DNS). */
#define MARKER_INK 0
#define MARKER_DNS (1 + REPLY_STYLE_CLASSES)

/* put_escaped - XML text: escape markup, drop control bytes, keep UTF-8 only when valid. */
static void put_escaped(FILE *out, const char *s, size_t max_chars)
{
    if (!s)
        return;
    size_t n = strlen(s);
    bool utf8_ok = utf8_valid(s, n, NULL);
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n')
            break; /* one line per arrow */
        if ((c & 0xC0) != 0x80 && ++chars > max_chars) {
            fputs("\xE2\x80\xA6", out); /* ellipsis */
            return;
        }
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fputc(' ', out);
            else if (c >= 0x80 && !utf8_ok)
                fputc('?', out);
            else
                fputc(c, out);
        }
    }
}

const char *svg_export_step_colour(const world_step *s)
{
    if (s->kind == WORLD_STEP_REPLY) /* by code, or by POP3/IMAP status word */
        return reply_style_hex(reply_style_class_of_step(s));
    if (s->kind == WORLD_STEP_DNS_QUERY || s->kind == WORLD_STEP_DNS_ANSWER)
        return REPLY_STYLE_DNS_HEX;
    if (s->kind == WORLD_STEP_REFUSED)
        return reply_style_hex(REPLY_STYLE_5XX);
    return INK;
}

/* put_shape - the class's shape centred on (cx, cy), as the window draws it (ui_gfx). */
static void put_shape(FILE *out, reply_style_class k, double cx, double cy, double size)
{
    const reply_style *st = reply_style_get(k);
    if (!st)
        return;
    double h = size / 2;
    const char *m = st->mark_hex;
    switch (st->shape) {
    case REPLY_SHAPE_CIRCLE:
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>"
                     "<path d=\"M%.1f,%.1f L%.1f,%.1f L%.1f,%.1f\" fill=\"none\" stroke=\"%s\" "
                     "stroke-width=\"%.1f\"/>",
                cx, cy, h, st->hex, cx - h * 0.5, cy, cx - h * 0.12, cy + h * 0.4, cx + h * 0.55,
                cy - h * 0.42, m, size * 0.13);
        break;
    case REPLY_SHAPE_TRIANGLE:
        fprintf(out, "<path d=\"M%.1f,%.1f L%.1f,%.1f L%.1f,%.1f z\" fill=\"%s\"/>",
                cx - h * 0.8, cy - h, cx - h * 0.8, cy + h, cx + h, cy, st->hex);
        break;
    case REPLY_SHAPE_DIAMOND:
        fprintf(out, "<path d=\"M%.1f,%.1f L%.1f,%.1f L%.1f,%.1f L%.1f,%.1f z\" fill=\"%s\"/>"
                     "<path d=\"M%.1f,%.1f V%.1f M%.1f,%.1f V%.1f\" stroke=\"%s\" "
                     "stroke-width=\"%.1f\"/>",
                cx, cy - h, cx + h, cy, cx, cy + h, cx - h, cy, st->hex, cx - h * 0.2,
                cy - h * 0.35, cy + h * 0.35, cx + h * 0.2, cy - h * 0.35, cy + h * 0.35, m,
                size * 0.1);
        break;
    case REPLY_SHAPE_SQUARE:
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                     "fill=\"%s\"/><path d=\"M%.1f,%.1f L%.1f,%.1f M%.1f,%.1f L%.1f,%.1f\" "
                     "stroke=\"%s\" stroke-width=\"%.1f\"/>",
                cx - h * 0.85, cy - h * 0.85, size * 0.85, size * 0.85, st->hex, cx - h * 0.45,
                cy - h * 0.45, cx + h * 0.45, cy + h * 0.45, cx - h * 0.45, cy + h * 0.45,
                cx + h * 0.45, cy - h * 0.45, m, size * 0.13);
        break;
    }
    fputc('\n', out);
}

static int lifeline_x(int node)
{
    return MARGIN + COL_W / 2 + node * COL_W;
}

int svg_export_world(const world *w, const char *title, FILE *out, char *err, size_t errlen)
{
    size_t nodes = world_node_count(w), steps = world_step_count(w);
    /* one spare column on the right: notes on the last lifeline extend into it */
    int width = MARGIN * 2 + (int)(nodes + 1) * COL_W;
    int height = TOP + (int)steps * ROW_H + 90;
    if (width < SVG_EXPORT_MIN_W)
        width = SVG_EXPORT_MIN_W;

    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                 "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Verdana, sans-serif\" "
                 "font-size=\"12\">\n"
                 "<style>text{paint-order:stroke;stroke:#ffffff;stroke-width:3px;"
                 "stroke-linejoin:round}</style>\n",
            width, height, width, height);
    fprintf(out, "<defs>\n");
    const char *colours[] = {INK,
                             reply_style_hex(REPLY_STYLE_2XX),
                             reply_style_hex(REPLY_STYLE_3XX),
                             reply_style_hex(REPLY_STYLE_4XX),
                             reply_style_hex(REPLY_STYLE_5XX),
                             REPLY_STYLE_DNS_HEX};
    for (size_t i = 0; i < sizeof colours / sizeof colours[0]; i++)
        fprintf(out, "<marker id=\"a%zu\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" "
                     "markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" "
                     "fill=\"%s\"/></marker>\n",
                i, colours[i]);
    fprintf(out, "</defs>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    fprintf(out, "<text x=\"%d\" y=\"28\" font-size=\"18\" font-weight=\"bold\">", MARGIN);
    put_escaped(out, title ? title : "SMTP session", 120);
    fprintf(out, "</text>\n");

    /* lifelines with their heads */
    for (size_t i = 0; i < nodes; i++) {
        const world_node *n = world_node_at(w, i);
        int x = lifeline_x((int)i);
        fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n",
                x, TOP - 20, x, TOP + (int)steps * ROW_H);
        fprintf(out, "<rect x=\"%d\" y=\"42\" width=\"%d\" height=\"38\" rx=\"6\" fill=\"#f0f4f8\" stroke=\"#333\"/>\n",
                x - COL_W / 2 + 8, COL_W - 16);
        fprintf(out, "<text x=\"%d\" y=\"58\" text-anchor=\"middle\" font-weight=\"bold\">", x);
        put_escaped(out, n->role, 20);
        if (n->port)
            fprintf(out, " :%u", (unsigned)n->port);
        fprintf(out, "</text>\n<text x=\"%d\" y=\"74\" text-anchor=\"middle\" font-size=\"11\">", x);
        put_escaped(out, n->host[0] ? n->host : n->name, 28);
        fprintf(out, "</text>\n");
    }

    for (size_t i = 0; i < steps; i++) {
        const world_step *s = world_step_at(w, i);
        int y = TOP + (int)i * ROW_H + ROW_H / 2;
        int x1 = lifeline_x(s->from), x2 = lifeline_x(s->to);
        bool local = s->from == s->to || s->from < 0 || s->to < 0;
        if (local) {
            int x = lifeline_x(s->from >= 0 ? s->from : (s->to >= 0 ? s->to : 0));
            fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" fill=\"#fff8dc\" "
                         "stroke=\"#b8a04a\"/>\n<text x=\"%d\" y=\"%d\" font-size=\"11\">",
                    x + 6, y - 9, COL_W * 2 - 20, 18, x + 12, y + 4);
            put_escaped(out, s->text, SVG_EXPORT_MAX_LABEL - 10);
            fprintf(out, "</text>\n");
            continue;
        }
        int marker = MARKER_INK;
        const char *colour = svg_export_step_colour(s);
        const char *dash = "";
        reply_style_class k = reply_style_class_of_step(s);
        if (k != REPLY_STYLE_NONE) {
            marker = 1 + (int)k;
        } else if (s->kind == WORLD_STEP_DNS_QUERY || s->kind == WORLD_STEP_DNS_ANSWER) {
            marker = MARKER_DNS, dash = " stroke-dasharray=\"6 3\"";
        } else if (s->kind == WORLD_STEP_REFUSED) {
            marker = 1 + REPLY_STYLE_5XX, dash = " stroke-dasharray=\"2 3\"";
        }
        fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"%s "
                     "marker-end=\"url(#a%d)\"/>\n",
                x1, y, x2, y, colour, s->tls ? "3" : "1.4", dash, marker);
        int tx = (x1 < x2 ? x1 : x2) + 8;
        if (k != REPLY_STYLE_NONE) { /* the class's shape, as in the window's transcript */
            put_shape(out, k, tx + SVG_EXPORT_SHAPE / 2.0, y - 8, SVG_EXPORT_SHAPE);
            tx += SVG_EXPORT_SHAPE + 4;
        }
        /* the label in ink as the window's transcript: orange or sky blue text is hard to read
         * on white, and the arrow and the shape already carry the colour */
        fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"%s\">", tx, y - 4, INK);
        if (s->tls)
            fputs("[TLS] ", out);
        put_escaped(out, s->text, SVG_EXPORT_MAX_LABEL);
        fprintf(out, "</text>\n");
    }

    /* the legend: every class with its shape, colour and word, from the one table */
    int ly = TOP + (int)steps * ROW_H + 40, lx = MARGIN;
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">Replies:</text>\n", lx, ly);
    lx += SVG_EXPORT_LEGEND_X;
    for (int k = 0; k < REPLY_STYLE_CLASSES; k++) {
        const reply_style *st = reply_style_get((reply_style_class)k);
        put_shape(out, st->cls, lx + SVG_EXPORT_SHAPE / 2.0, ly - 4, SVG_EXPORT_SHAPE);
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%dxx %s (%s)</text>\n",
                lx + SVG_EXPORT_SHAPE + 4, ly, k + 2, st->word, st->colour_name);
        lx += SVG_EXPORT_LEGEND_W;
    }
    ly += 18, lx = MARGIN + SVG_EXPORT_LEGEND_X;
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                 "stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\n",
            lx, ly - 4, lx + 20, ly - 4, REPLY_STYLE_DNS_HEX);
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">DNS (sky blue, dashed) \xC2\xB7 "
                 "thick line and [TLS]: encrypted by STARTTLS</text>\n",
            lx + 24, ly);
    fprintf(out, "</svg>\n");
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(err, errlen, "write error");
        return -1;
    }
    return 0;
}
