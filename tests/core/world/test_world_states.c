/* test_world_states.c - the node states a viewer shows at each step agree with the engines,
 * and every delivered message's Received: chain is one unbroken path, for EVERY shipped scenario (every .json file in lessons/scenarios).
 *
 * At step N a viewer shows world_state_at(N): the state after step N-1 plus what the sender
 * of step N did in sending it. Two rules are checked at every protocol step:
 *   - the receiver is never ahead: its state does not change while the bytes travel to it
 *     (a server must not say "waiting for MAIL" while the EHLO is still on the wire);
 *   - the sender says what its engine says: a client that sent MAIL is in the client engine's
 *     "MAIL sent" state, a server that sent a 250 to EHLO is in the server engine's
 *     "waiting for MAIL" state (names from smtp_client_state_name/smtp_server_state_name).
 * Run from the repository root (tests/run_tests.sh does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <cmocka.h>

#include "core/smtp/smtp_client.h"
#include "core/smtp/smtp_server.h"
#include "core/world/scenario.h"
#include "core/world/world.h"

#define SCENARIOS "lessons/scenarios"

/* client_state_for - the client engine's state once it has sent `verb`, or NULL */
static const char *client_state_for(const char *verb)
{
    static const struct {
        const char *verb;
        smtp_client_state st;
    } rows[] = {
        {"EHLO", SMTP_CLI_EHLO}, {"HELO", SMTP_CLI_EHLO}, {"STARTTLS", SMTP_CLI_STARTTLS},
        {"MAIL", SMTP_CLI_MAIL}, {"RCPT", SMTP_CLI_RCPT}, {"QUIT", SMTP_CLI_QUIT},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strcmp(rows[i].verb, verb))
            return smtp_client_state_name(rows[i].st);
    return NULL;
}

/* server_state_for - the server engine's state once it has sent a success reply to `verb` */
static const char *server_state_for(const char *verb, int code)
{
    static const struct {
        const char *verb;
        int code;
        smtp_server_state st;
    } rows[] = {
        {"CONNECT", 220, SMTP_SRV_READY}, {"EHLO", 250, SMTP_SRV_IDLE},
        {"HELO", 250, SMTP_SRV_IDLE},     {"MAIL", 250, SMTP_SRV_MAIL},
        {"DATA", 354, SMTP_SRV_DATA},     {".", 250, SMTP_SRV_IDLE},
        {"AUTH", 235, SMTP_SRV_IDLE},     {"RSET", 250, SMTP_SRV_IDLE},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strcmp(rows[i].verb, verb) && rows[i].code == code)
            return smtp_server_state_name(rows[i].st);
    return NULL;
}

/* check_world - both rules over one world; returns the number of comparisons made */
static size_t check_world(const char *name, const world *w)
{
    size_t nodes = world_node_count(w), steps = world_step_count(w), checked = 0;
    world_node_state *prev = calloc(nodes, sizeof *prev), *cur = calloc(nodes, sizeof *cur);
    assert_non_null(prev);
    assert_non_null(cur);
    world_state_at(w, SIZE_MAX, prev);
    for (size_t n = 0; n < steps; n++) {
        const world_step *s = world_step_at(w, n);
        world_state_at(w, n, cur);
        bool proto = s->kind == WORLD_STEP_COMMAND || s->kind == WORLD_STEP_DATA ||
                     s->kind == WORLD_STEP_REPLY;
        /* a transport that just came up is not a reaction to the bytes in flight: a client
         * whose TCP connection is up waits for the greeting, a server whose TLS handshake
         * finished waits for the new EHLO */
        bool transport = !strcmp(prev[s->to].state, smtp_server_state_name(SMTP_SRV_TLS)) ||
                         !strcmp(prev[s->to].state, "connecting");
        if (proto && s->from != s->to && !transport) {
            if (strcmp(prev[s->to].state, cur[s->to].state))
                fail_msg("%s step %zu (%s): the receiver %s changed from \"%s\" to \"%s\" "
                         "while the bytes are in flight",
                         name, n, s->text, world_node_at(w, (size_t)s->to)->role,
                         prev[s->to].state, cur[s->to].state);
            checked++;
        }
        const char *want = NULL;
        /* in a pipelined group the engine still waits for the first command's reply */
        const world_step *pv = n ? world_step_at(w, n - 1) : NULL;
        bool piped = pv && pv->kind == WORLD_STEP_COMMAND && pv->conn == s->conn;
        /* the SMTP engines' state names: not for the retrieval hop (POP3/IMAP have theirs) */
        world_node_kind fk = s->from >= 0 ? world_node_at(w, (size_t)s->from)->kind
                                          : WORLD_NODE_MUA;
        bool retr = fk == WORLD_NODE_READER || fk == WORLD_NODE_MS;
        if (retr)
            ;
        else if (s->kind == WORLD_STEP_COMMAND && !piped)
            want = client_state_for(s->verb);
        else if (s->kind == WORLD_STEP_REPLY)
            want = server_state_for(s->verb, s->code);
        /* a last reply the client answers by closing, or a run cut short, may end the session
         * at once: compare only while the session is still open after this step */
        if (want && n + 1 < steps && strcmp(cur[s->from].state, want)) {
            const world_step *nx = world_step_at(w, n + 1);
            if (nx->kind != WORLD_STEP_CLOSE || nx->conn != s->conn)
                fail_msg("%s step %zu (%s): %s shows \"%s\", its engine is in \"%s\"", name, n,
                         s->text, world_node_at(w, (size_t)s->from)->role, cur[s->from].state,
                         want);
        }
        if (want)
            checked++;
        memcpy(prev, cur, nodes * sizeof *cur);
    }
    free(prev);
    free(cur);
    return checked;
}

/* every_shipped_scenario - both rules hold at every step of every scenario */
static void every_shipped_scenario(void **state)
{
    (void)state;
    DIR *d = opendir(SCENARIOS);
    assert_non_null(d);
    struct dirent *e;
    size_t scenarios = 0, checked = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
            continue;
        char path[512], err[256];
        snprintf(path, sizeof path, "%s/%s", SCENARIOS, e->d_name);
        scenario *sc = scenario_load(path, err, sizeof err);
        if (!sc)
            fail_msg("%s: %s", path, err);
        world *w = world_new(sc, err, sizeof err);
        if (!w)
            fail_msg("%s: %s", path, err);
        checked += check_world(e->d_name, w);
        world_free(w);
        scenario_free(sc);
        scenarios++;
    }
    closedir(d);
    assert_true(scenarios >= 20);
    assert_true(checked > 500);
}

/* chain_ok - the Received: lines of a delivered message read bottom-up as one path: each
 * line's "from" host is the "by" host of the line below it (RFC 5321 4.4). Returns the number
 * of lines, or -1 with the broken pair described in why. */
static int chain_ok(const char *m, char *why, size_t cap)
{
    char from[32][128], by[32][128];
    int n = 0;
    /* the message's own header section only: a bounce carries the original's headers too */
    const char *body = strstr(m, "\r\n\r\n");
    for (const char *p = m; (p = strstr(p, "Received: from ")) && (!body || p < body) && n < 32;
         p++) {
        if (sscanf(p, "Received: from %127s", from[n]) != 1) {
            snprintf(why, cap, "line %d has no \"from\"", n + 1);
            return -1;
        }
        const char *b = strstr(p, "by "); /* after a space, or a tab on the folded line */
        while (b && b[-1] != ' ' && b[-1] != '\t')
            b = strstr(b + 1, "by ");
        if (!b || sscanf(b, "by %127s", by[n]) != 1) {
            snprintf(why, cap, "line %d has no \"by\"", n + 1);
            return -1;
        }
        n++;
    }
    for (int i = 0; i + 1 < n; i++)
        if (strcmp(from[i], by[i + 1]) != 0) {
            snprintf(why, cap, "line %d is from %s, the line below it is by %s", i + 1, from[i],
                     by[i + 1]);
            return -1;
        }
    return n;
}

/* every_received_chain - in every shipped scenario, every delivered message's Received: chain
 * is unbroken, and a message that crossed the MSA and the MTA has a line for each */
static void every_received_chain(void **state)
{
    (void)state;
    DIR *d = opendir(SCENARIOS);
    assert_non_null(d);
    struct dirent *e;
    size_t messages = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
            continue;
        char path[512], err[256];
        snprintf(path, sizeof path, "%s/%s", SCENARIOS, e->d_name);
        scenario *sc = scenario_load(path, err, sizeof err);
        assert_non_null(sc);
        world *w = world_new(sc, err, sizeof err);
        assert_non_null(w);
        for (size_t k = 0; k < world_node_count(w); k++) {
            const char *m;
            for (size_t i = 0; (m = world_mailbox_message(w, (int)k, i, NULL)); i++) {
                char why[300] = "";
                int lines = chain_ok(m, why, sizeof why);
                if (lines < 0)
                    fail_msg("%s: a message in %s: %s", e->d_name, world_node_at(w, k)->name, why);
                if (strstr(m, "by smtp.example.com ") && !strstr(m, "by out.example.com "))
                    fail_msg("%s: the MSA's message reached %s with no line from the MTA",
                             e->d_name, world_node_at(w, k)->name);
                messages++;
            }
        }
        world_free(w);
        scenario_free(sc);
    }
    closedir(d);
    assert_true(messages >= 15);
}

/* basic_ehlo - the case the issue names: at the EHLO step the MUA says "EHLO sent" and the
 * MSA still waits for it; at the 250 the MSA waits for MAIL */
static void basic_ehlo(void **state)
{
    (void)state;
    char err[256];
    scenario *sc = scenario_load(SCENARIOS "/basic.json", err, sizeof err);
    assert_non_null(sc);
    world *w = world_new(sc, err, sizeof err);
    assert_non_null(w);
    world_node_state st[16];
    assert_true(world_node_count(w) <= 16);
    size_t ehlo = 0;
    while (world_step_at(w, ehlo)->kind != WORLD_STEP_COMMAND)
        ehlo++;
    world_state_at(w, ehlo - 1, st);
    assert_string_not_equal(st[0].state, "EHLO sent");
    world_state_at(w, ehlo, st);
    assert_string_equal(st[0].state, "EHLO sent");
    assert_string_equal(st[1].state, "waiting for EHLO");
    world_state_at(w, ehlo + 1, st);
    assert_string_equal(st[1].state, "waiting for MAIL");
    world_free(w);
    scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_shipped_scenario),
        cmocka_unit_test(basic_ehlo),
        cmocka_unit_test(every_received_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
