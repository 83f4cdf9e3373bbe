/* test_net_tls.c - two net_tls endpoints shake hands and talk entirely in memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "net/net_tls.h"

static char dir[256], cert[512], key[512];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/smtpsim-tls-test-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char sub[300], err[256];
    snprintf(sub, sizeof sub, "%s/tls", dir);
    return net_tls_ensure_selfsigned(sub, "mx.example.org", cert, sizeof cert, key, sizeof key, err,
                                     sizeof err);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* move - carry every pending ciphertext byte from a to b. */
static size_t move(net_tls *a, net_tls *b)
{
    char buf[4096];
    size_t total = 0, n;
    while ((n = net_tls_take(a, buf, sizeof buf)) > 0) {
        assert_int_equal(net_tls_feed(b, buf, n), 0);
        total += n;
    }
    return total;
}

/* handshake - at most 10 rounds; returns 0 when both sides finished. */
static int handshake(net_tls *c, net_tls *s)
{
    for (int round = 0; round < 10; round++) {
        net_tls_status cs = net_tls_handshake(c);
        move(c, s);
        net_tls_status ss = net_tls_handshake(s);
        move(s, c);
        if (cs == NET_TLS_FAIL || ss == NET_TLS_FAIL)
            return -1;
        if (net_tls_established(c) && net_tls_established(s))
            return 0;
    }
    return -1;
}

static void selfsigned_files_made_once(void **state)
{
    (void)state;
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    time_t first = st.st_mtime;
    ino_t ino = st.st_ino;
    char c2[512], k2[512], err[256], sub[300];
    snprintf(sub, sizeof sub, "%s/tls", dir);
    assert_int_equal(
        net_tls_ensure_selfsigned(sub, "other", c2, sizeof c2, k2, sizeof k2, err, sizeof err), 0);
    assert_int_equal(stat(k2, &st), 0);
    assert_int_equal(st.st_ino, ino); /* kept, not regenerated */
    assert_int_equal(st.st_mtime, first);
}

static void handshake_and_data_in_memory(void **state)
{
    (void)state;
    char err[256];
    net_tls_ctx *sctx = net_tls_ctx_server(cert, key, err, sizeof err);
    assert_non_null(sctx);
    net_tls_ctx *cctx = net_tls_ctx_client(false, err, sizeof err);
    assert_non_null(cctx);
    net_tls *s = net_tls_new(sctx, true, NULL);
    net_tls *c = net_tls_new(cctx, false, "mx.example.org");
    assert_int_equal(handshake(c, s), 0);
    char d[128];
    assert_non_null(strstr(net_tls_describe(c, d, sizeof d), "TLSv1."));

    assert_int_equal(net_tls_write(c, "EHLO client\r\n", 13), 13);
    assert_true(net_tls_pending(c) > 13); /* ciphertext, with record overhead */
    move(c, s);
    char buf[256];
    net_tls_status st;
    ssize_t n = net_tls_read(s, buf, sizeof buf, &st);
    assert_int_equal(n, 13);
    assert_memory_equal(buf, "EHLO client\r\n", 13);
    n = net_tls_read(s, buf, sizeof buf, &st);
    assert_int_equal(n, 0);
    assert_int_equal(st, NET_TLS_WANT);

    assert_int_equal(net_tls_write(s, "250 ok\r\n", 8), 8);
    move(s, c);
    n = net_tls_read(c, buf, sizeof buf, &st);
    while (n == 0 && st == NET_TLS_WANT && net_tls_pending(s)) { /* session tickets first */
        move(s, c);
        n = net_tls_read(c, buf, sizeof buf, &st);
    }
    assert_int_equal(n, 8);
    assert_memory_equal(buf, "250 ok\r\n", 8);

    net_tls_close(c);
    move(c, s);
    n = net_tls_read(s, buf, sizeof buf, &st);
    assert_int_equal(n, 0);
    assert_int_equal(st, NET_TLS_CLOSED);

    net_tls_free(c);
    net_tls_free(s);
    net_tls_ctx_free(cctx);
    net_tls_ctx_free(sctx);
}

static void verifying_client_rejects_selfsigned(void **state)
{
    (void)state;
    char err[256];
    net_tls_ctx *sctx = net_tls_ctx_server(cert, key, err, sizeof err);
    net_tls_ctx *cctx = net_tls_ctx_client(true, err, sizeof err);
    net_tls *s = net_tls_new(sctx, true, NULL);
    net_tls *c = net_tls_new(cctx, false, "mx.example.org");
    assert_int_equal(handshake(c, s), -1);
    assert_non_null(strstr(net_tls_error(c), "certificate"));
    net_tls_free(c);
    net_tls_free(s);
    net_tls_ctx_free(cctx);
    net_tls_ctx_free(sctx);
}

static void garbage_fails_handshake(void **state)
{
    (void)state;
    char err[256];
    net_tls_ctx *sctx = net_tls_ctx_server(cert, key, err, sizeof err);
    net_tls *s = net_tls_new(sctx, true, NULL);
    const char junk[] = "EHLO not-tls\r\nMAIL FROM:<a@b>\r\n";
    assert_int_equal(net_tls_feed(s, junk, sizeof junk - 1), 0);
    assert_int_equal(net_tls_handshake(s), NET_TLS_FAIL);
    net_tls_free(s);
    net_tls_ctx_free(sctx);
    assert_null(net_tls_ctx_server("/nonexistent/cert.pem", key, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/cert.pem"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(selfsigned_files_made_once),
        cmocka_unit_test(handshake_and_data_in_memory),
        cmocka_unit_test(verifying_client_rejects_selfsigned),
        cmocka_unit_test(garbage_fails_handshake),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
