/* pcap_export.c - build Ethernet/IPv4/TCP packets from a world's steps and write a pcap file.
 *
 * Packets are collected first and sorted by time (stable), because a step's acknowledgement
 * arrives after the next step may already have been sent on another connection. Within one
 * connection every segment follows the three-way handshake and the one before it, strictly
 * later (add_segment). The world's DNS questions and answers go in as real DNS over UDP port
 * 53 (RFC 1035 4), rebuilt from the zone (pcap_dns.c).
 */
#include "core/export/pcap_export.h"

#include "core/export/pcap_dns.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONNS 4096       /* connections tracked in one capture */
#define FIRST_CLIENT_PORT 49152
#define ETH_HDR 14
#define IP_HDR 20
#define TCP_HDR 20
#define UDP_HDR 8
#define DNS_PORT 53
#define FIRST_DNS_PORT 53000   /* source port of the first query; one port per query */
#define MAX_DNS_PENDING 64     /* queries asked and not yet answered, all nodes together */

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10 };

typedef struct {
    uint64_t ts_us;
    size_t order; /* tie-break: keeps emission order for equal times */
    size_t len;
    unsigned char *data;
} packet;

typedef struct {
    bool used;
    int client, server;   /* node ids */
    uint32_t caddr, saddr;
    uint16_t cport, sport;
    uint32_t cseq, sseq;  /* next sequence number each side sends */
    bool tls;             /* records are TLS from now on */
    bool closed;
    bool stamped;         /* last_us holds the time of its latest segment */
    uint64_t last_us;
} conn;

typedef struct {
    packet *pkts;
    size_t n, cap;
    uint16_t ip_id;
    bool oom;
} capture;

static void put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* parse_ipv4 - "192.0.2.1" to a host-order address; unknown text maps into 198.18.0.0/15,
 * the benchmarking range (RFC 2544), so a capture is always well-formed. */
static uint32_t parse_ipv4(const char *s, int node_id)
{
    uint32_t a = 0;
    int parts = 0;
    const char *p = s;
    while (parts < 4) {
        if (*p < '0' || *p > '9')
            break;
        unsigned v = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*p++ - '0');
            digits++;
        }
        if (v > 255)
            break;
        a = (a << 8) | v;
        parts++;
        if (parts < 4 && *p++ != '.')
            break;
    }
    if (parts == 4 && *p == '\0')
        return a;
    return (198u << 24) | (18u << 16) | (uint32_t)(node_id & 0xffff);
}

static uint32_t sum16(const unsigned char *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ip_frame - a zeroed Ethernet + IPv4 frame for `l4_len` octets of protocol `proto` (6 TCP,
 * 17 UDP), headers filled, IP checksum set; NULL (and cap->oom) on no memory. */
static unsigned char *ip_frame(capture *cap, int src_node, int dst_node, uint32_t src,
                               uint32_t dst, uint8_t proto, size_t l4_len)
{
    if (cap->n == cap->cap) {
        size_t ncap = cap->cap ? cap->cap * 2 : 256;
        packet *np = realloc(cap->pkts, ncap * sizeof *np);
        if (!np) {
            cap->oom = true;
            return NULL;
        }
        cap->pkts = np;
        cap->cap = ncap;
    }
    unsigned char *d = calloc(1, ETH_HDR + IP_HDR + l4_len);
    if (!d) {
        cap->oom = true;
        return NULL;
    }
    /* Ethernet: locally administered MACs 02:00:00:00:00:NN derived from the node id */
    unsigned char *e = d;
    e[0] = 0x02, e[5] = (unsigned char)(dst_node + 1);
    e[6] = 0x02, e[11] = (unsigned char)(src_node + 1);
    put16(e + 12, 0x0800);
    unsigned char *ip = d + ETH_HDR;
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(IP_HDR + l4_len));
    put16(ip + 4, cap->ip_id++);
    put16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, fold(sum16(ip, IP_HDR, 0)));
    return d;
}

/* l4_checksum - TCP or UDP checksum over the pseudo-header (RFC 793 3.1, RFC 768) and the
 * segment at l4 of l4_len octets. */
static uint16_t l4_checksum(uint32_t src, uint32_t dst, uint8_t proto, const unsigned char *l4,
                            size_t l4_len)
{
    unsigned char pseudo[12];
    put32(pseudo, src);
    put32(pseudo + 4, dst);
    pseudo[8] = 0;
    pseudo[9] = proto;
    put16(pseudo + 10, (uint16_t)l4_len);
    return fold(sum16(l4, l4_len, sum16(pseudo, sizeof pseudo, 0)));
}

/* add_segment - one TCP segment from side `from_client` of c, with payload; returns the time
 * it was stamped with (ts_us, or later: see below). */
static uint64_t add_segment(capture *cap, conn *c, bool from_client, uint8_t flags,
                            const unsigned char *payload, size_t plen, uint64_t ts_us)
{
    if (cap->oom)
        return ts_us;
    /* A connection's segments cross the wire one after another: none before the handshake's
     * last ACK (the world lets a server greet as soon as the SYN arrives; a real server's
     * accept() returns only after that ACK), and never two at the same instant. */
    if (c->stamped && ts_us <= c->last_us)
        ts_us = c->last_us + 1;
    c->stamped = true;
    c->last_us = ts_us;
    size_t len = ETH_HDR + IP_HDR + TCP_HDR + plen;
    int src_node = from_client ? c->client : c->server;
    int dst_node = from_client ? c->server : c->client;
    uint32_t src = from_client ? c->caddr : c->saddr, dst = from_client ? c->saddr : c->caddr;
    uint16_t sp = from_client ? c->cport : c->sport, dp = from_client ? c->sport : c->cport;
    uint32_t seq = from_client ? c->cseq : c->sseq, ack = from_client ? c->sseq : c->cseq;
    unsigned char *d = ip_frame(cap, src_node, dst_node, src, dst, 6, TCP_HDR + plen);
    if (!d)
        return ts_us;
    unsigned char *ip = d + ETH_HDR;
    unsigned char *t = ip + IP_HDR;
    put16(t, sp);
    put16(t + 2, dp);
    put32(t + 4, seq);
    put32(t + 8, (flags & TCP_ACK) ? ack : 0);
    t[12] = (TCP_HDR / 4) << 4;
    t[13] = flags;
    put16(t + 14, 65535);
    if (plen)
        memcpy(t + TCP_HDR, payload, plen);
    put16(t + 16, l4_checksum(src, dst, 6, t, TCP_HDR + plen));

    size_t idx = cap->n++;
    cap->pkts[idx] = (packet){ts_us, idx, len, d};

    uint32_t adv = (uint32_t)plen + ((flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
    if (from_client)
        c->cseq += adv;
    else
        c->sseq += adv;
    return ts_us;
}

/* send_bytes - payload from one side, cut into MSS-sized segments, each acknowledged on arrival. */
static void send_bytes(capture *cap, conn *c, bool from_client, const unsigned char *p, size_t n,
                       uint64_t t_send, uint64_t t_arrive)
{
    size_t off = 0;
    while (off < n) {
        size_t chunk = n - off > PCAP_EXPORT_MSS ? PCAP_EXPORT_MSS : n - off;
        add_segment(cap, c, from_client, TCP_PSH | TCP_ACK, p + off, chunk, t_send);
        off += chunk;
    }
    /* the ACK keeps the world's arrival time, so the capture's clock stays the timeline's */
    add_segment(cap, c, !from_client, TCP_ACK, NULL, 0, t_arrive);
}

/* Deterministic stand-in bytes for ciphertext: splitmix64 seeded from the inputs. */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t seed_of(const void *p, size_t n, uint64_t salt)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ull ^ salt;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static void fill_random(unsigned char *p, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        if (i % 8 == 0)
            seed = mix(&seed);
        p[i] = (unsigned char)(seed >> (8 * (i % 8)));
    }
}

/* tls_app_record - wrap n plaintext bytes as one TLS 1.3 application-data record
 * (header + n + 1 content type + 16 tag). Returns the record length written to out. */
static size_t tls_app_record(unsigned char *out, size_t n, uint64_t seed)
{
    size_t body = n + 17;
    out[0] = 23;
    put16(out + 1, 0x0303);
    put16(out + 3, (uint16_t)body);
    fill_random(out + 5, body, seed);
    return 5 + body;
}

/* hello - a ClientHello (client) or ServerHello (server) handshake record for TLS 1.3. */
static size_t hello(unsigned char *out, bool client, const char *sni, uint64_t seed)
{
    unsigned char *h = out + 5; /* handshake message */
    size_t o = 4;
    put16(h + o, 0x0303), o += 2;                     /* legacy_version */
    fill_random(h + o, 32, seed), o += 32;            /* random */
    h[o++] = 32;                                      /* legacy_session_id */
    fill_random(h + o, 32, seed ^ 0x5a5a), o += 32;
    if (client) {
        put16(h + o, 6), o += 2;                      /* cipher_suites */
        put16(h + o, 0x1301), o += 2;
        put16(h + o, 0x1302), o += 2;
        put16(h + o, 0x1303), o += 2;
        h[o++] = 1, h[o++] = 0;                       /* compression: null */
        size_t sni_len = strlen(sni);
        if (sni_len > 200)
            sni_len = 200;
        size_t ext_start = o;
        o += 2;
        /* server_name (RFC 6066 3) */
        put16(h + o, 0x0000), o += 2;
        put16(h + o, (uint16_t)(sni_len + 5)), o += 2;
        put16(h + o, (uint16_t)(sni_len + 3)), o += 2;
        h[o++] = 0;
        put16(h + o, (uint16_t)sni_len), o += 2;
        memcpy(h + o, sni, sni_len), o += sni_len;
        /* supported_versions: TLS 1.3 (RFC 8446 4.2.1) */
        put16(h + o, 0x002b), o += 2;
        put16(h + o, 3), o += 2;
        h[o++] = 2;
        put16(h + o, 0x0304), o += 2;
        put16(h + ext_start, (uint16_t)(o - ext_start - 2));
    } else {
        put16(h + o, 0x1301), o += 2;                 /* cipher_suite */
        h[o++] = 0;                                   /* compression */
        put16(h + o, 6), o += 2;                      /* extensions */
        put16(h + o, 0x002b), o += 2;
        put16(h + o, 2), o += 2;
        put16(h + o, 0x0304), o += 2;
    }
    h[0] = client ? 1 : 2;
    h[1] = (unsigned char)((o - 4) >> 16);
    h[2] = (unsigned char)((o - 4) >> 8);
    h[3] = (unsigned char)(o - 4);
    out[0] = 22;
    put16(out + 1, client ? 0x0301 : 0x0303);
    put16(out + 3, (uint16_t)o);
    return 5 + o;
}

static size_t change_cipher_spec(unsigned char *out)
{
    out[0] = 20;
    put16(out + 1, 0x0303);
    put16(out + 3, 1);
    out[5] = 1;
    return 6;
}

/* tls_handshake - the records of a TLS 1.3 handshake, in the order they cross the wire, fitted
 * into the TLS step's own time span [t0, t0 + span] so later steps never overtake it. */
static void tls_handshake(capture *cap, conn *c, const char *sni, uint64_t t0, uint64_t span)
{
    unsigned char buf[1024];
    uint64_t seed = seed_of(sni, strlen(sni), (uint64_t)c->cport << 16 | c->sport);
    uint64_t l = span / 3;
    size_t n = hello(buf, true, sni, seed);
    send_bytes(cap, c, true, buf, n, t0, t0 + l);
    n = hello(buf, false, sni, seed + 1);
    n += change_cipher_spec(buf + n);
    n += tls_app_record(buf + n, 80, seed + 2); /* EncryptedExtensions, Certificate... stand-in */
    send_bytes(cap, c, false, buf, n, t0 + l, t0 + 2 * l);
    n = change_cipher_spec(buf);
    n += tls_app_record(buf + n, 36, seed + 3); /* Finished */
    send_bytes(cap, c, true, buf, n, t0 + 2 * l, t0 + span);
}

/* A DNS question on the wire, waiting for its answer step. */
typedef struct {
    int asker;
    uint16_t id, port;
    char name[DNS_NAME_MAX + 1];
    dns_type type;
} dns_pending;

typedef struct {
    dns_pending q[MAX_DNS_PENDING];
    size_t n;
    uint16_t next_id;
} dns_track;

/* add_udp - one UDP datagram src:sp -> dst:dp with payload, stamped ts_us. */
static void add_udp(capture *cap, int src_node, int dst_node, uint32_t src, uint32_t dst,
                    uint16_t sp, uint16_t dp, const unsigned char *payload, size_t plen,
                    uint64_t ts_us)
{
    if (cap->oom)
        return;
    unsigned char *d = ip_frame(cap, src_node, dst_node, src, dst, 17, UDP_HDR + plen);
    if (!d)
        return;
    unsigned char *u = d + ETH_HDR + IP_HDR;
    put16(u, sp);
    put16(u + 2, dp);
    put16(u + 4, (uint16_t)(UDP_HDR + plen));
    memcpy(u + UDP_HDR, payload, plen);
    uint16_t sum = l4_checksum(src, dst, 17, u, UDP_HDR + plen);
    put16(u + 6, sum ? sum : 0xffff); /* RFC 768: a computed zero is sent as all ones */
    size_t idx = cap->n++;
    cap->pkts[idx] = (packet){ts_us, idx, ETH_HDR + IP_HDR + UDP_HDR + plen, d};
}

/* dns_step - a DNS_QUERY step becomes the query datagram (remembered until its answer); a
 * DNS_ANSWER step the response to the asker's oldest open query, rebuilt from the zone
 * (the world's resolver answers from it, so the bytes say what the step's text says). */
static void dns_step(capture *cap, const world *w, const world_step *s, dns_track *tr)
{
    const dns_zone *zone = world_dns_zone(w);
    const world_node *from = world_node_at(w, (size_t)s->from);
    const world_node *to = world_node_at(w, (size_t)s->to);
    if (!zone || !from || !to)
        return;
    unsigned char msg[PCAP_DNS_MAX];
    uint32_t fa = parse_ipv4(from->addr, s->from), ta = parse_ipv4(to->addr, s->to);
    if (s->kind == WORLD_STEP_DNS_QUERY) {
        dns_pending p = {.asker = s->from};
        if (tr->n == MAX_DNS_PENDING ||
            pcap_dns_parse_question(s->text, p.name, &p.type) != 0)
            return;
        p.id = (uint16_t)(0x1000 + tr->next_id);
        p.port = (uint16_t)(FIRST_DNS_PORT + tr->next_id % 12000);
        tr->next_id++;
        size_t n = pcap_dns_message(msg, p.id, p.name, p.type, NULL);
        if (n == 0)
            return;
        tr->q[tr->n++] = p;
        add_udp(cap, s->from, s->to, fa, ta, p.port, DNS_PORT, msg, n, s->t_send_ms * 1000);
        return;
    }
    for (size_t i = 0; i < tr->n; i++) {
        if (tr->q[i].asker != s->to)
            continue;
        dns_pending p = tr->q[i];
        memmove(&tr->q[i], &tr->q[i + 1], (tr->n - i - 1) * sizeof tr->q[0]);
        tr->n--;
        dns_answer ans;
        dns_zone_query(zone, p.name, p.type, &ans);
        size_t n = pcap_dns_message(msg, p.id, p.name, p.type, &ans);
        if (n)
            add_udp(cap, s->from, s->to, fa, ta, DNS_PORT, p.port, msg, n, s->t_send_ms * 1000);
        return;
    }
}

static int cmp_packet(const void *a, const void *b)
{
    const packet *x = a, *y = b;
    if (x->ts_us != y->ts_us)
        return x->ts_us < y->ts_us ? -1 : 1;
    return x->order < y->order ? -1 : (x->order > y->order);
}

static void le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16),
    p[3] = (unsigned char)(v >> 24);
}

int pcap_export_world(const world *w, FILE *out, char *err, size_t errlen)
{
    capture cap = {0};
    conn *conns = calloc(MAX_CONNS, sizeof *conns);
    unsigned char *rec = NULL;
    size_t rec_cap = 0;
    dns_track *dns = calloc(1, sizeof *dns);
    int rc = -1;
    if (!conns || !dns)
        goto oom;

    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        if (s->kind == WORLD_STEP_DNS_QUERY || s->kind == WORLD_STEP_DNS_ANSWER) {
            dns_step(&cap, w, s, dns);
            continue;
        }
        if (s->conn < 0 || s->conn >= MAX_CONNS)
            continue; /* queue, delivery: not on the wire */
        conn *c = &conns[s->conn];
        uint64_t ts = s->t_send_ms * 1000, ta = s->t_arrive_ms * 1000;
        if (s->kind == WORLD_STEP_CONNECT || s->kind == WORLD_STEP_REFUSED) {
            const world_node *cn = world_node_at(w, (size_t)s->from);
            const world_node *sn = world_node_at(w, (size_t)s->to);
            if (!cn || !sn)
                continue;
            *c = (conn){.used = true, .client = s->from, .server = s->to,
                        .caddr = parse_ipv4(cn->addr, s->from), .saddr = parse_ipv4(sn->addr, s->to),
                        .cport = (uint16_t)(FIRST_CLIENT_PORT + s->conn), .sport = s->port ? s->port : 25,
                        .cseq = 1000u + 7919u * (uint32_t)s->conn, .sseq = 5000u + 104729u * (uint32_t)s->conn};
            add_segment(&cap, c, true, TCP_SYN, NULL, 0, ts);
            if (s->kind == WORLD_STEP_REFUSED) {
                c->sseq = 0;
                add_segment(&cap, c, false, TCP_RST | TCP_ACK, NULL, 0, ta);
                c->used = false;
            } else {
                add_segment(&cap, c, false, TCP_SYN | TCP_ACK, NULL, 0, ta);
                add_segment(&cap, c, true, TCP_ACK, NULL, 0, ta + (ta - ts));
            }
            continue;
        }
        if (!c->used || c->closed)
            continue;
        bool from_client = s->from == c->client;
        switch (s->kind) {
        case WORLD_STEP_TLS: {
            const world_node *sn = world_node_at(w, (size_t)c->server);
            tls_handshake(&cap, c, sn ? sn->host : "", ts, ta - ts);
            c->tls = true;
            break;
        }
        case WORLD_STEP_COMMAND:
        case WORLD_STEP_REPLY:
        case WORLD_STEP_DATA:
            if (!s->bytes || s->len == 0)
                break;
            if (c->tls || s->tls) {
                /* one record per 16 KiB of plaintext (RFC 8446 5.1) */
                size_t need = s->len + (s->len / 16384 + 1) * 22;
                if (need > rec_cap) {
                    unsigned char *nr = realloc(rec, need);
                    if (!nr)
                        goto oom;
                    rec = nr, rec_cap = need;
                }
                size_t o = 0;
                for (size_t off = 0; off < s->len; off += 16384) {
                    size_t part = s->len - off > 16384 ? 16384 : s->len - off;
                    o += tls_app_record(rec + o, part, seed_of(s->bytes + off, part, i));
                }
                send_bytes(&cap, c, from_client, rec, o, ts, ta);
            } else {
                send_bytes(&cap, c, from_client, (const unsigned char *)s->bytes, s->len, ts, ta);
            }
            break;
        case WORLD_STEP_CLOSE:
            add_segment(&cap, c, from_client, TCP_FIN | TCP_ACK, NULL, 0, ts);
            add_segment(&cap, c, !from_client, TCP_FIN | TCP_ACK, NULL, 0, ta);
            add_segment(&cap, c, from_client, TCP_ACK, NULL, 0, ta + (ta - ts));
            c->closed = true;
            break;
        default:
            break;
        }
        if (cap.oom)
            goto oom;
    }
    if (cap.oom)
        goto oom;

    qsort(cap.pkts, cap.n, sizeof *cap.pkts, cmp_packet);
    unsigned char gh[24] = {0};
    le32(gh, 0xa1b2c3d4u);
    gh[4] = 2, gh[6] = 4; /* version 2.4, little-endian like the magic */
    le32(gh + 16, 262144);
    le32(gh + 20, 1); /* LINKTYPE_ETHERNET */
    if (fwrite(gh, 1, sizeof gh, out) != sizeof gh)
        goto io;
    for (size_t i = 0; i < cap.n; i++) {
        const packet *p = &cap.pkts[i];
        unsigned char ph[16];
        uint64_t sec = PCAP_EXPORT_EPOCH + p->ts_us / 1000000;
        le32(ph, (uint32_t)sec);
        le32(ph + 4, (uint32_t)(p->ts_us % 1000000));
        le32(ph + 8, (uint32_t)p->len);
        le32(ph + 12, (uint32_t)p->len);
        if (fwrite(ph, 1, sizeof ph, out) != sizeof ph || fwrite(p->data, 1, p->len, out) != p->len)
            goto io;
    }
    if (fflush(out) != 0)
        goto io;
    rc = 0;
    goto done;
io:
    snprintf(err, errlen, "write error");
    goto done;
oom:
    snprintf(err, errlen, "out of memory");
done:
    for (size_t i = 0; i < cap.n; i++)
        free(cap.pkts[i].data);
    free(cap.pkts);
    free(conns);
    free(dns);
    free(rec);
    return rc;
}
