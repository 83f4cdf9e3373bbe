/* test_golden_server.c - replay the golden transcripts in tests/golden/server/ *.txt.
 *
 * File format (one session per file; blank lines and lines starting with '#' are ignored):
 *   @role mx|msa|mta          @hostname NAME         @domains a,b      @mailboxes a,b
 *   @users name:pass,...      @limit NAME=VALUE      @flag FLAG   (allow_plain_auth,
 *   require_tls, no_tls, trusted, implicit_tls, no_esc, show_secrets, require_auth)
 *   C: text      a client line, CRLF added, sent in its own feed (one step)
 *   C| text      pipelined: appended to the same feed as the C line before it (RFC 2920)
 *   C< text      raw client bytes in their own feed, no CRLF added
 *                (escapes in all three: \r \n \\ \xNN)
 *   TLS          the driver finished the TLS handshake (smtp_server_tls_started)
 *   TIME +MS     time passes (smtp_server_tick)
 *   S: text      the next server reply line expected after the step above (exact, no CRLF)
 *   E: key       an event with this explain key happened during the step above
 *   CLOSED       the server is closed after the step above
 * The S: lines after a step must be exactly the output of that step: nothing more or less.
 * Set GOLDEN_UPDATE=1 to rewrite the S: lines from the engine (then review the diff!).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/smtp/server_harness.h"

#define MAX_LINES 2000
#define MAX_LIST 16

static harness H;

typedef struct {
    char *lines[MAX_LINES];
    size_t n;
} text_file;

static int read_lines(const char *path, text_file *tf)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char buf[8192];
    tf->n = 0;
    while (fgets(buf, sizeof buf, f) && tf->n < MAX_LINES) {
        size_t l = strlen(buf);
        while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
            buf[--l] = '\0';
        tf->lines[tf->n++] = strdup(buf);
    }
    fclose(f);
    return 0;
}

static void free_lines(text_file *tf)
{
    for (size_t i = 0; i < tf->n; i++)
        free(tf->lines[i]);
    tf->n = 0;
}

/* unescape - \r \n \\ \xNN; returns the length. */
static size_t unescape(const char *s, char *out)
{
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\\' && s[i + 1]) {
            i++;
            if (s[i] == 'r')
                out[o++] = '\r';
            else if (s[i] == 'n')
                out[o++] = '\n';
            else if (s[i] == 'x' && s[i + 1] && s[i + 2]) {
                char hex[3] = {s[i + 1], s[i + 2], 0};
                out[o++] = (char)strtol(hex, NULL, 16);
                i += 2;
            } else
                out[o++] = s[i];
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

/* split_list - "a,b,c" into static storage. */
static size_t split_list(const char *s, char store[MAX_LIST][128], const char *ptrs[MAX_LIST])
{
    size_t n = 0;
    while (*s && n < MAX_LIST) {
        const char *c = strchr(s, ',');
        size_t l = c ? (size_t)(c - s) : strlen(s);
        snprintf(store[n], 128, "%.*s", (int)l, s);
        ptrs[n] = store[n];
        n++;
        s += l + (c ? 1 : 0);
    }
    return n;
}

static char dom_store[MAX_LIST][128], box_store[MAX_LIST][128], user_store[MAX_LIST][128];
static const char *dom_ptr[MAX_LIST], *box_ptr[MAX_LIST], *user_ptr[MAX_LIST];
static smtp_user user_list[MAX_LIST];

static int configure(const text_file *tf, smtp_server_config *cfg, smtp_peer *peer)
{
    smtp_server_config_default(cfg, SMTP_ROLE_MX);
    smtp_role role = SMTP_ROLE_MX;
    for (size_t i = 0; i < tf->n; i++) /* role first: it sets the defaults */
        if (strncmp(tf->lines[i], "@role ", 6) == 0) {
            const char *r = tf->lines[i] + 6;
            role = strcmp(r, "msa") == 0 ? SMTP_ROLE_MSA
                   : strcmp(r, "mta") == 0 ? SMTP_ROLE_MTA : SMTP_ROLE_MX;
        }
    smtp_server_config_default(cfg, role);
    cfg->hostname = "mx.example.org";
    memset(peer, 0, sizeof *peer);
    strcpy(peer->addr, "192.0.2.25");
    for (size_t i = 0; i < tf->n; i++) {
        const char *l = tf->lines[i];
        if (l[0] != '@' || strncmp(l, "@role ", 6) == 0)
            continue;
        if (strncmp(l, "@hostname ", 10) == 0) {
            static char host[256];
            snprintf(host, sizeof host, "%s", l + 10);
            cfg->hostname = host;
        } else if (strncmp(l, "@domains ", 9) == 0) {
            cfg->n_local_domains = split_list(l + 9, dom_store, dom_ptr);
            cfg->local_domains = dom_ptr;
        } else if (strncmp(l, "@mailboxes ", 11) == 0) {
            cfg->n_mailboxes = split_list(l + 11, box_store, box_ptr);
            cfg->mailboxes = box_ptr;
        } else if (strncmp(l, "@users ", 7) == 0) {
            size_t n = split_list(l + 7, user_store, user_ptr);
            for (size_t k = 0; k < n; k++) {
                char *colon = strchr(user_store[k], ':');
                if (!colon)
                    return -1;
                *colon = '\0';
                user_list[k].name = user_store[k];
                user_list[k].password = colon + 1;
            }
            cfg->users = user_list;
            cfg->n_users = n;
        } else if (strncmp(l, "@limit ", 7) == 0) {
            char name[64];
            unsigned long long v;
            if (sscanf(l + 7, "%63[^=]=%llu", name, &v) != 2)
                return -1;
            int id = smtp_limit_find(name);
            if (id < 0 || smtp_limits_set(&cfg->limits, (smtp_limit_id)id, v) < 0)
                return -1;
        } else if (strncmp(l, "@flag ", 6) == 0) {
            const char *f = l + 6;
            if (strcmp(f, "allow_plain_auth") == 0)
                cfg->allow_plain_auth = true;
            else if (strcmp(f, "require_tls") == 0)
                cfg->require_tls = true;
            else if (strcmp(f, "require_auth") == 0)
                cfg->require_auth = true;
            else if (strcmp(f, "no_tls") == 0)
                cfg->tls_available = false;
            else if (strcmp(f, "no_esc") == 0)
                cfg->enhancedstatuscodes = false;
            else if (strcmp(f, "show_secrets") == 0)
                cfg->show_secrets = true;
            else if (strcmp(f, "trusted") == 0)
                peer->trusted = true;
            else if (strcmp(f, "implicit_tls") == 0)
                peer->implicit_tls = true;
            else
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

static bool is_expect(const char *l)
{
    return strncmp(l, "S:", 2) == 0 || strncmp(l, "E: ", 3) == 0 || strcmp(l, "CLOSED") == 0;
}

/* output_lines - split H.out into lines without CRLF. */
static size_t output_lines(char *out, char **lines, size_t max)
{
    size_t n = 0;
    char *p = out;
    while (*p && n < max) {
        char *e = strstr(p, "\r\n");
        if (!e) {
            lines[n++] = p;
            break;
        }
        *e = '\0';
        lines[n++] = p;
        p = e + 2;
    }
    return n;
}

/* run_file - replay one transcript; returns the number of mismatches (printed). With update,
 * writes the file back with S: lines from the engine. */
static int run_file(const char *path, bool update)
{
    text_file tf;
    if (read_lines(path, &tf) < 0) {
        print_error("cannot read %s\n", path);
        return 1;
    }
    smtp_server_config cfg;
    smtp_peer peer;
    if (configure(&tf, &cfg, &peer) < 0) {
        print_error("%s: bad @ directive\n", path);
        free_lines(&tf);
        return 1;
    }
    FILE *upd = NULL;
    char tmp_path[600];
    if (update) {
        snprintf(tmp_path, sizeof tmp_path, "%s.tmp", path);
        upd = fopen(tmp_path, "wb");
    }
    int bad = 0;
    h_start(&H, &cfg, &peer);
    static char feedbuf[65536];
    size_t i = 0;
    bool step_done = true; /* the greeting is the output of "step 0" */
    /* the header (comments, @ lines) comes before the greeting's expectations */
    while (i < tf.n && (tf.lines[i][0] == '#' || tf.lines[i][0] == '@' || !tf.lines[i][0])) {
        if (upd)
            fprintf(upd, "%s\n", tf.lines[i]);
        i++;
    }
    while (i <= tf.n) {
        /* expectations for the step just done */
        if (step_done) {
            static char outcopy[H_OUT_MAX];
            memcpy(outcopy, H.out, H.out_len + 1);
            char *got[512];
            size_t n_got = output_lines(outcopy, got, 512), k = 0;
            if (upd) {
                for (size_t g = 0; g < n_got; g++)
                    fprintf(upd, "S: %s\n", got[g]);
            }
            while (i < tf.n && is_expect(tf.lines[i])) {
                const char *l = tf.lines[i];
                if (strncmp(l, "S:", 2) == 0) {
                    const char *want = l[2] == ' ' ? l + 3 : l + 2;
                    if (k >= n_got || strcmp(got[k], want) != 0) {
                        print_error("%s:%zu: expected \"S: %s\", got \"%s\"\n", path, i + 1, want,
                                    k < n_got ? got[k] : "(nothing)");
                        bad++;
                    }
                    k++;
                } else if (strncmp(l, "E: ", 3) == 0) {
                    bool found = false;
                    for (size_t e = 0; e < H.n_ev; e++)
                        found |= strcmp(H.ev[e].key, l + 3) == 0;
                    if (!found) {
                        print_error("%s:%zu: no event \"%s\" in this step\n", path, i + 1, l + 3);
                        bad++;
                    }
                    if (upd)
                        fprintf(upd, "%s\n", l);
                } else {
                    if (smtp_server_state_get(H.srv) != SMTP_SRV_CLOSED) {
                        print_error("%s:%zu: session not closed\n", path, i + 1);
                        bad++;
                    }
                    if (upd)
                        fprintf(upd, "%s\n", l);
                }
                i++;
            }
            for (; k < n_got; k++) {
                print_error("%s:%zu: unexpected output \"S: %s\"\n", path, i, got[k]);
                bad++;
            }
            step_done = false;
        }
        if (i >= tf.n)
            break;
        const char *l = tf.lines[i];
        if (upd && !is_expect(l))
            fprintf(upd, "%s\n", l);
        if (strncmp(l, "C:", 2) == 0 || strncmp(l, "C< ", 3) == 0) {
            size_t n = 0;
            do {
                const char *t = tf.lines[i];
                if (upd && t != l)
                    fprintf(upd, "%s\n", t);
                n += unescape(t[2] ? t + 3 : "", feedbuf + n);
                if (t[1] != '<') {
                    feedbuf[n++] = '\r';
                    feedbuf[n++] = '\n';
                }
                i++;
            } while (i < tf.n && strncmp(tf.lines[i], "C|", 2) == 0);
            h_feedn(&H, feedbuf, n);
            step_done = true;
        } else if (strcmp(l, "TLS") == 0) {
            smtp_server_tls_started(H.srv, H.now);
            h_drain(&H);
            i++;
            step_done = true;
        } else if (strncmp(l, "TIME +", 6) == 0) {
            H.now += strtoull(l + 6, NULL, 10);
            smtp_server_tick(H.srv, H.now);
            h_drain(&H);
            i++;
            step_done = true;
        } else if (l[0] == '#' || l[0] == '@' || l[0] == '\0') {
            i++;
        } else {
            print_error("%s:%zu: unknown line \"%s\"\n", path, i + 1, l);
            bad++;
            i++;
        }
    }
    h_end(&H);
    free_lines(&tf);
    if (upd) {
        fclose(upd);
        rename(tmp_path, path);
    }
    return bad;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden_transcripts(void **state)
{
    (void)state;
    const char *root = getenv("SMTPSIM_DATA");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/golden/server", root ? root : ".");
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > 4 && strcmp(de->d_name + l - 4, ".txt") == 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_str);
    bool update = getenv("GOLDEN_UPDATE") && strcmp(getenv("GOLDEN_UPDATE"), "1") == 0;
    int bad = 0;
    for (size_t k = 0; k < n; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        int b = run_file(path, update);
        if (b == 0)
            print_message("golden ok   %s\n", names[k]);
        bad += b;
        free(names[k]);
    }
    assert_true(n >= 10);
    assert_int_equal(bad, 0);
}

/* the runner itself must notice a wrong transcript */
static void test_runner_detects_mismatch(void **state)
{
    (void)state;
    const char *path = "build/golden_selftest.txt";
    FILE *f = fopen(path, "wb");
    if (!f) {
        path = "/tmp/smtpsim_golden_selftest.txt";
        f = fopen(path, "wb");
    }
    assert_non_null(f);
    fputs("S: 220 mx.example.org ESMTP smtpsim\nC: NOOP\nS: 250 2.0.0 Not ok\n", f);
    fclose(f);
    assert_int_equal(run_file(path, false), 1);
    f = fopen(path, "wb");
    fputs("S: 220 mx.example.org ESMTP smtpsim\nC: NOOP\nS: 250 2.0.0 Ok\nS: 250 extra\n", f);
    fclose(f);
    assert_int_equal(run_file(path, false), 1);
    f = fopen(path, "wb");
    fputs("S: 220 mx.example.org ESMTP smtpsim\nC: NOOP\nC| NOOP\nS: 250 2.0.0 Ok\n"
          "S: 250 2.0.0 Ok\nE: noop.ok\n", f);
    fclose(f);
    assert_int_equal(run_file(path, false), 0);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runner_detects_mismatch),
        cmocka_unit_test(test_golden_transcripts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
