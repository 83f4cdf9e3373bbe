/* test_ui_keys.c - the key table: every key the help lists reaches its action, nothing in the
 * table is shadowed by an earlier row, and every action has a key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

#include <cmocka.h>

#include "ui/ui_keys.h"

static Uint16 mods_for(ui_keys_mod m)
{
    return m == UI_KEYS_CTRL ? KMOD_LCTRL : m == UI_KEYS_SHIFT ? KMOD_LSHIFT : KMOD_NONE;
}

/* Each row's key, with the modifiers it asks for, does that row's action: a later row that an
 * earlier one hides would be listed in the help and do something else. */
static void test_every_row_reaches_its_action(void **state)
{
    (void)state;
    assert_true(ui_keys_count() > 20);
    for (int i = 0; i < ui_keys_count(); i++) {
        const ui_key *k = ui_keys_at(i);
        assert_non_null(k->label);
        if (k->key == SDLK_UNKNOWN) {
            assert_int_equal(k->action, UI_KEY_NONE); /* documentation rows do nothing here */
            continue;
        }
        assert_int_not_equal(k->action, UI_KEY_NONE);
        assert_int_equal(ui_keys_action(k->key, mods_for(k->mod)), k->action);
        /* the label says Ctrl exactly when the key wants it */
        assert_int_equal(strncmp(k->label, "Ctrl", 4) == 0, k->mod == UI_KEYS_CTRL);
    }
    assert_null(ui_keys_at(-1));
    assert_null(ui_keys_at(ui_keys_count()));
    assert_non_null(ui_keys_at(0)->help); /* the first row starts a help line */
}

static void test_every_action_has_a_key(void **state)
{
    (void)state;
    for (int act = UI_KEY_NONE + 1; act < UI_KEY_ACTION_COUNT; act++) {
        bool found = false;
        for (int i = 0; i < ui_keys_count(); i++)
            found = found || (ui_keys_at(i)->key != SDLK_UNKNOWN &&
                              (int)ui_keys_at(i)->action == act);
        assert_true(found);
    }
}

static void test_modifiers(void **state)
{
    (void)state;
    /* Shift and Alt do not change a plain key; Ctrl does */
    assert_int_equal(ui_keys_action(SDLK_SPACE, KMOD_LSHIFT), UI_KEY_PLAY);
    assert_int_equal(ui_keys_action(SDLK_SPACE, KMOD_LALT), UI_KEY_PLAY);
    assert_int_equal(ui_keys_action(SDLK_SPACE, KMOD_LCTRL), UI_KEY_NONE);
    assert_int_equal(ui_keys_action(SDLK_s, KMOD_NONE), UI_KEY_SCENARIO);
    assert_int_equal(ui_keys_action(SDLK_s, KMOD_RCTRL), UI_KEY_SAVE_FORK);
    assert_int_equal(ui_keys_action(SDLK_q, KMOD_LCTRL), UI_KEY_QUIT);
    assert_int_equal(ui_keys_action(SDLK_EQUALS, KMOD_LCTRL | KMOD_LSHIFT), UI_KEY_ZOOM_IN);
    /* '/' is only the help with Shift (the '?' key on a US layout) */
    assert_int_equal(ui_keys_action(SDLK_SLASH, KMOD_NONE), UI_KEY_NONE);
    assert_int_equal(ui_keys_action(SDLK_SLASH, KMOD_LSHIFT), UI_KEY_HELP);
    assert_int_equal(ui_keys_action(SDLK_z, KMOD_NONE), UI_KEY_NONE);
    /* a presenter's keys: predict stops on / off, the statistics panel */
    assert_int_equal(ui_keys_action(SDLK_x, KMOD_NONE), UI_KEY_PREDICT);
    assert_int_equal(ui_keys_action(SDLK_i, KMOD_NONE), UI_KEY_STATS);
    /* a row that asks for Shift wins over the plain row of its key */
    assert_int_equal(ui_keys_action(SDLK_DOWN, KMOD_NONE), UI_KEY_NEXT);
    assert_int_equal(ui_keys_action(SDLK_DOWN, KMOD_LSHIFT), UI_KEY_SCROLL_DOWN);
    assert_int_equal(ui_keys_action(SDLK_PAGEDOWN, KMOD_NONE), UI_KEY_NEXT);
    assert_int_equal(ui_keys_action(SDLK_PAGEDOWN, KMOD_RSHIFT), UI_KEY_PAGE_DOWN);
    assert_int_equal(ui_keys_action(SDLK_l, KMOD_NONE), UI_KEY_EXPAND);
    assert_int_equal(ui_keys_action(SDLK_UNKNOWN, KMOD_NONE), UI_KEY_NONE);
}

/* The help lines cover every row once, each label shown once per line. */
static void test_help_lines(void **state)
{
    (void)state;
    char keys[160];
    const char *help;
    int lines = 0, i = 0, prev = 0;
    while (ui_keys_help_line(&i, keys, sizeof keys, &help) == 0) {
        assert_true(i > prev);
        assert_true(help[0] != 0);
        for (int r = prev; r < i; r++)
            assert_non_null(strstr(keys, ui_keys_at(r)->label));
        prev = i;
        lines++;
    }
    assert_int_equal(i, ui_keys_count());
    assert_int_equal(lines, ui_keys_help_lines());
    /* aliases collapse: '+', '=' and the keypad's + are one "+" */
    i = 0;
    while (ui_keys_help_line(&i, keys, sizeof keys, &help) == 0 && !strstr(help, "faster"))
        ;
    assert_string_equal(keys, "+, -, 0");
    i = 0;
    ui_keys_help_line(&i, keys, sizeof keys, &help);
    assert_string_equal(keys, "Space");
    assert_string_equal(help, "play / pause");
    /* a small buffer truncates, never overflows */
    char tiny[4];
    i = 1;
    assert_int_equal(ui_keys_help_line(&i, tiny, sizeof tiny, &help), 0);
    assert_true(strlen(tiny) < sizeof tiny);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_reaches_its_action),
        cmocka_unit_test(test_every_action_has_a_key),
        cmocka_unit_test(test_modifiers),
        cmocka_unit_test(test_help_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
