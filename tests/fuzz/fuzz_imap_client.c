/* fuzz_imap_client.c - libFuzzer target for the IMAP client engine, fed hostile server bytes.
 *
 * The first byte picks the switches (TLS mode, TLS available, unseen only, mark seen, IDLE).
 * The rest is a program: feed the next N bytes, let time pass, finish a TLS handshake, lose
 * the connection. After every call: the output is CRLF lines only, every event has a key and
 * an RFC string, state events chain, the password never appears in the events, and once done
 * the engine refuses more input.
 *
 * `make fuzz-build` builds it as build/fuzz/fuzz_imap_client;
 * `make fuzz FUZZ_TARGET=imap_client` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "core/imap/imap_client.h"

static int contains(const char *b, size_t n, const char *w)
{
    size_t wl = strlen(w);
    for (size_t i = 0; i + wl <= n; i++)
        if (memcmp(b + i, w, wl) == 0)
            return 1;
    return 0;
}

static void drain(imap_client *cl, char *prev, int *last_state)
{
    const char *b;
    size_t n = imap_client_output(cl, &b);
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\n' && *prev != '\r')
            fuzz_die("bare LF in output");
        *prev = b[i];
    }
    imap_client_output_consumed(cl, n);
    retr_event ev;
    while (imap_client_next_event(cl, &ev)) {
        if (!ev.key || !ev.key[0] || !ev.rfc)
            fuzz_die("event without key or rfc");
        if (!ev.bytes && ev.len)
            fuzz_die("length without bytes");
        if (ev.bytes && ev.len) {
            (void)((volatile const char *)ev.bytes)[ev.len - 1];
            /* "s3cr3t!" in base64 PLAIN or quoted LOGIN must never show */
            if (ev.kind == RETR_EV_COMMAND && (contains(ev.bytes, ev.len, "s3cr3t!") ||
                                               contains(ev.bytes, ev.len, "AGJvYgBzM2NyM3Qh")))
                fuzz_die("password shown");
        }
        if (ev.kind == RETR_EV_STATE) {
            if (ev.state_from != *last_state)
                fuzz_die("state events do not chain");
            *last_state = ev.state_to;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sw = data[0];
    imap_client_config cfg;
    imap_client_config_default(&cfg);
    cfg.user = "bob";
    cfg.password = "s3cr3t!";
    cfg.tls = (imap_client_tls)(sw & 3);
    cfg.tls_available = sw & 4;
    cfg.unseen_only = sw & 8;
    cfg.mark_seen = sw & 0x10;
    cfg.idle_ms = (sw & 0x20) ? 60000 : 0;
    uint64_t now = 0;
    imap_client *cl = imap_client_new(&cfg, now);
    if (!cl)
        return 0;
    if (cfg.tls == IMAP_CLI_TLS_IMPLICIT)
        imap_client_tls_started(cl, now);
    char prev = 0;
    int last = IMAP_CLI_GREETING;
    drain(cl, &prev, &last);
    size_t i = 1;
    while (i < size) {
        uint8_t op = data[i++];
        switch (op >> 6) {
        case 0: case 1: {
            size_t len = op & 0x7f;
            if (len == 0 || len > size - i)
                len = size - i;
            int r = imap_client_feed(cl, data + i, len, now);
            if (r == 0 && imap_client_done(cl) && imap_client_feed(cl, "x", 1, now) != -1)
                fuzz_die("input accepted after done");
            i += len;
            break;
        }
        case 2:
            now += (uint64_t)(op & 0x3f) * 30000u;
            imap_client_tick(cl, now);
            break;
        default:
            if (op & 1)
                imap_client_tls_started(cl, now);
            else if (op & 2)
                imap_client_connection_lost(cl, now);
            break;
        }
        drain(cl, &prev, &last);
    }
    if (imap_client_done(cl) && imap_client_result_get(cl)->status == IMAP_RESULT_PENDING)
        fuzz_die("done without a result");
    imap_client_free(cl);
    return 0;
}
