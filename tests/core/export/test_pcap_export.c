/* test_pcap_export.c - the capture of the basic scenario: file format, checksums, TCP
 * sequence numbers that add up, TLS records after STARTTLS, and byte-for-byte determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/export/pcap_export.h"
#include "core/world/scenario.h"
#include "core/world/world.h"

typedef struct {
    char *buf;
    size_t len;
} capture_bytes;

static capture_bytes export_scenario(const char *name)
{
    char path[512], err[512];
    const char *data = getenv("SMTPSIM_DATA");
    snprintf(path, sizeof path, "%s/lessons/scenarios/%s.json", data ? data : ".", name);
    scenario *sc = scenario_load(path, err, sizeof err);
    assert_non_null(sc);
    world *w = world_new(sc, err, sizeof err);
    assert_non_null(w);
    capture_bytes c = {NULL, 0};
    FILE *f = open_memstream(&c.buf, &c.len);
    assert_non_null(f);
    assert_int_equal(pcap_export_world(w, f, err, sizeof err), 0);
    fclose(f);
    world_free(w);
    scenario_free(sc);
    return c;
}

/* contains - memmem without _GNU_SOURCE */
static const char *contains(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ones_sum - the Internet checksum of a buffer plus an initial sum folds to 0xffff when valid. */
static uint16_t ones_sum(const unsigned char *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

static void test_format_checksums_and_sequence(void **state)
{
    (void)state;
    capture_bytes c = export_scenario("basic");
    const unsigned char *p = (const unsigned char *)c.buf;
    assert_true(c.len > 24);
    assert_int_equal(le32(p), 0xa1b2c3d4u);  /* microsecond pcap */
    assert_int_equal(le32(p + 20), 1);       /* Ethernet */
    size_t off = 24, packets = 0, syns = 0, tls_app = 0, client_hello = 0, dns_packets = 0;
    uint64_t last_ts = 0;
    /* expected next sequence number per (source port) for data-bearing segments */
    uint32_t next_seq[65536] = {0};
    unsigned char seen[65536] = {0};
    while (off + 16 <= c.len) {
        uint64_t ts = (uint64_t)le32(p + off) * 1000000u + le32(p + off + 4);
        uint32_t incl = le32(p + off + 8);
        assert_true(ts >= last_ts); /* sorted by time */
        last_ts = ts;
        off += 16;
        assert_true(off + incl <= c.len);
        const unsigned char *ip = p + off + 14;
        assert_int_equal(ip[0], 0x45);
        assert_int_equal(ones_sum(ip, 20, 0), 0xffff); /* IPv4 header checksum */
        size_t ip_len = (size_t)(ip[2] << 8 | ip[3]);
        const unsigned char *tcp = ip + 20;
        size_t tcp_len = ip_len - 20;
        unsigned char pseudo[12] = {0};
        memcpy(pseudo, ip + 12, 8);
        pseudo[9] = ip[9];
        pseudo[10] = (unsigned char)(tcp_len >> 8);
        pseudo[11] = (unsigned char)tcp_len;
        /* TCP or UDP (the DNS lookups), checksum over the pseudo-header either way */
        assert_int_equal(ones_sum(tcp, tcp_len, ones_sum(pseudo, 12, 0)), 0xffff);
        if (ip[9] == 17) {
            /* a query to port 53, or its response from it */
            assert_true((tcp[0] << 8 | tcp[1]) == 53 || (tcp[2] << 8 | tcp[3]) == 53);
            dns_packets++;
            off += incl;
            packets++;
            continue;
        }
        assert_int_equal(ip[9], 6);
        unsigned sport = (unsigned)(tcp[0] << 8 | tcp[1]);
        uint32_t seq = be32(tcp + 4);
        size_t payload = tcp_len - 20;
        unsigned flags = tcp[13];
        if (flags & 0x02)
            syns++;
        if (payload > 0 || (flags & 0x03)) {
            if (seen[sport])
                assert_int_equal(seq, next_seq[sport]); /* no gap, no overlap */
            seen[sport] = 1;
            next_seq[sport] = seq + (uint32_t)payload + ((flags & 0x03) ? 1u : 0u);
        }
        if (payload >= 6 && tcp[20] == 22 && tcp[25] == 1)
            client_hello++;
        if (payload >= 5 && tcp[20] == 23 && tcp[21] == 3 && tcp[22] == 3)
            tls_app++;
        off += incl;
        packets++;
    }
    assert_int_equal(off, c.len);
    assert_true(packets > 50);
    assert_int_equal(syns, 4);         /* two connections: SYN and SYN-ACK each */
    assert_int_equal(dns_packets, 4);  /* MX and A: a query and a response each */
    assert_int_equal(client_hello, 2); /* STARTTLS on both hops */
    assert_true(tls_app > 10);         /* everything after STARTTLS is TLS records */
    free(c.buf);
}

static void test_plaintext_smtp_before_starttls(void **state)
{
    (void)state;
    capture_bytes c = export_scenario("basic");
    /* the commands before STARTTLS cross in the clear, those after it never do */
    assert_non_null(contains(c.buf, c.len, "EHLO alice-laptop.example.com\r\n"));
    assert_non_null(contains(c.buf, c.len, "STARTTLS\r\n"));
    assert_null(contains(c.buf, c.len, "MAIL FROM:<alice@example.com>"));
    assert_null(contains(c.buf, c.len, "AUTH PLAIN"));
    free(c.buf);
}

static void test_deterministic(void **state)
{
    (void)state;
    capture_bytes a = export_scenario("greylisting"), b = export_scenario("greylisting");
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    free(a.buf);
    free(b.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_checksums_and_sequence),
        cmocka_unit_test(test_plaintext_smtp_before_starttls),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
