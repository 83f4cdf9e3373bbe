/* test_svg_export.c - the sequence diagram: hostile step text is escaped, one arrow per
 * exchanged step, notes for local steps, reply classes coloured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/export/reply_style.h"
#include "core/export/svg_export.h"
#include "core/util/utf8.h"
#include "core/world/world.h"

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static world *small_world(void)
{
    world *w = world_new_live();
    assert_non_null(w);
    world_node a = {.kind = WORLD_NODE_MUA, .role = "MUA", .name = "client", .host = "a.example"};
    world_node b = {.kind = WORLD_NODE_MX, .role = "MX", .name = "mx", .host = "mx.example",
                    .port = 25};
    assert_true(world_live_add_node(w, &a) >= 0);
    assert_true(world_live_add_node(w, &b) >= 0);
    world_step cmd = {.kind = WORLD_STEP_COMMAND, .from = 0, .to = 1, .conn = 0, .port = 25,
                      .text = "MAIL FROM:<a&b@example.com> <script>\x01", .verb = "MAIL",
                      .rfc = "", .key = ""};
    world_step rep = {.kind = WORLD_STEP_REPLY, .from = 1, .to = 0, .conn = 0, .port = 25,
                      .text = "550 5.1.1 \"no\" \xff\xfe", .code = 550, .verb = "MAIL",
                      .rfc = "", .key = ""};
    world_step note = {.kind = WORLD_STEP_QUEUE, .from = 0, .to = 0, .conn = -1,
                       .text = "queued", .rfc = "", .key = ""};
    assert_int_equal(world_live_append_step(w, &cmd, NULL, NULL), 0);
    assert_int_equal(world_live_append_step(w, &rep, NULL, NULL), 0);
    assert_int_equal(world_live_append_step(w, &note, NULL, NULL), 0);
    return w;
}

static char *render(const world *w, const char *title)
{
    char *buf = NULL, err[128];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(svg_export_world(w, title, f, err, sizeof err), 0);
    fclose(f);
    return buf;
}

static void test_hostile_text_is_escaped(void **state)
{
    (void)state;
    world *w = small_world();
    char *svg = render(w, "T <&> \"x\"");
    assert_true(utf8_valid(svg, strlen(svg), NULL));
    assert_non_null(strstr(svg, "MAIL FROM:&lt;a&amp;b@example.com&gt; &lt;script&gt; "));
    assert_null(strstr(svg, "<script>"));
    assert_null(strchr(svg, '\x01'));
    assert_non_null(strstr(svg, "550 5.1.1 &quot;no&quot; ??")); /* invalid UTF-8 replaced */
    assert_non_null(strstr(svg, "T &lt;&amp;&gt; &quot;x&quot;"));
    assert_int_equal(strncmp(svg, "<?xml", 5), 0);
    assert_non_null(strstr(svg, "</svg>\n"));
    free(svg);
    world_free(w);
}

static void test_arrows_notes_and_colours(void **state)
{
    (void)state;
    world *w = small_world();
    char *svg = render(w, NULL);
    assert_int_equal(count(svg, "marker-end="), 2);      /* the command and the reply */
    assert_int_equal(count(svg, "fill=\"#fff8dc\""), 1); /* the queue note */
    assert_non_null(strstr(svg, "stroke=\"#D55E00\""));  /* 5xx in vermillion */
    assert_non_null(strstr(svg, ">MX :25<"));
    free(svg);
    world_free(w);
}

/* test_one_table_of_classes - a 354 is drawn in the 3xx colour the window uses (it was green
 * here and orange there), and the legend names every class with the table's word and colour. */
static void test_one_table_of_classes(void **state)
{
    (void)state;
    world *w = world_new_live();
    world_node a = {.kind = WORLD_NODE_MUA, .role = "MUA", .name = "c", .host = "a.example"};
    world_node b = {.kind = WORLD_NODE_MSA, .role = "MSA", .name = "s", .host = "s.example"};
    assert_true(world_live_add_node(w, &a) >= 0);
    assert_true(world_live_add_node(w, &b) >= 0);
    world_step rep = {.kind = WORLD_STEP_REPLY, .from = 1, .to = 0, .conn = 0, .port = 587,
                      .text = "354 go ahead", .code = 354, .verb = "DATA", .rfc = "", .key = ""};
    assert_int_equal(world_live_append_step(w, &rep, NULL, NULL), 0);
    char *svg = render(w, NULL);
    const reply_style *three = reply_style_get(REPLY_STYLE_3XX);
    char want[64];
    snprintf(want, sizeof want, "stroke=\"%s\"", three->hex);
    assert_non_null(strstr(svg, want));
    assert_string_equal(three->hex, "#E69F00"); /* orange, as the window's default theme */
    assert_null(strstr(svg, "#009E73"));         /* the old green is gone */
    /* the 354's shape is the triangle, filled in the class colour */
    snprintf(want, sizeof want, "z\" fill=\"%s\"", three->hex);
    assert_non_null(strstr(svg, want));
    for (int k = 0; k < REPLY_STYLE_CLASSES; k++) {
        const reply_style *st = reply_style_get((reply_style_class)k);
        char leg[96];
        snprintf(leg, sizeof leg, "%dxx %s (%s)", k + 2, st->word, st->colour_name);
        assert_non_null(strstr(svg, leg));
    }
    assert_int_equal(reply_style_class_of(199), REPLY_STYLE_NONE);
    assert_int_equal(reply_style_class_of(421), REPLY_STYLE_4XX);
    assert_null(reply_style_get(REPLY_STYLE_NONE));
    assert_int_equal(reply_style_rgb("#E69F00"), 0xE69F00);
    assert_int_equal(reply_style_rgb("E69F00"), 0);
    free(svg);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_text_is_escaped),
        cmocka_unit_test(test_arrows_notes_and_colours),
        cmocka_unit_test(test_one_table_of_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
