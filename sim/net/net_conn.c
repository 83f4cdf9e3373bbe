/* net_conn.c - a connection's read/write/TLS state machine on the event loop (net_conn.h).
 *
 * Reads use one buffer shared by every connection (the loop is single-threaded), so an idle
 * connection costs only this struct and its engine. Ciphertext that the socket could not take
 * waits in a per-connection buffer allocated when TLS starts.
 */
#define _GNU_SOURCE /* MSG_NOSIGNAL */
#include "net/net_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NET_CONN_READ_SIZE (64 * 1024)  /* one read() */
#define NET_CONN_TLS_CHUNK (16 * 1024)  /* plaintext per TLS record write (RFC 8446 5.1) */
#define NET_CONN_CIPHER_BUF (20 * 1024) /* ciphertext staging for the socket */

struct net_conn {
    net_loop *loop;
    int fd;
    net_conn_cb cb;
    void *ctx;
    unsigned watching; /* NET_EV_* currently registered */
    bool connecting, dead, driver_paused, close_after_flush, tls_wanted, tls_server, read_paused;
    net_tls_ctx *tls_ctx;
    char *sni;
    net_tls *tls;
    char *cbuf; /* ciphertext waiting for the socket */
    size_t cbuf_off, cbuf_len;
    char why[160];
    char peer[64];
    int peer_port;
};

static char read_buf[NET_CONN_READ_SIZE];

static void conn_io(void *ctx, int fd, unsigned events);

static void conn_finish(void *arg)
{
    net_conn *c = arg;
    if (c->cb.on_close)
        c->cb.on_close(c->ctx, c->why);
    net_tls_free(c->tls);
    free(c->cbuf);
    free(c->sni);
    free(c);
}

/* conn_fail - close the socket now; the driver hears of it at the end of the iteration. */
static void conn_fail(net_conn *c, const char *why)
{
    if (c->dead)
        return;
    c->dead = true;
    snprintf(c->why, sizeof c->why, "%s", why);
    net_loop_del(c->loop, c->fd);
    close(c->fd);
    c->fd = -1;
    if (net_loop_defer(c->loop, conn_finish, c) != 0)
        conn_finish(c); /* no memory to defer: better now than a leak */
}

static void conn_watch(net_conn *c, unsigned want)
{
    if (c->dead || want == c->watching)
        return;
    if (net_loop_mod(c->loop, c->fd, want) == 0)
        c->watching = want;
}

net_conn *net_conn_new(net_loop *loop, int fd, bool connecting, const net_conn_cb *cb, void *ctx)
{
    net_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->loop = loop;
    c->fd = fd;
    c->cb = *cb;
    c->ctx = ctx;
    c->connecting = connecting;
    c->watching = connecting ? NET_EV_WRITE : NET_EV_READ;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, c->peer, sizeof c->peer);
            c->peer_port = ntohs(a->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &a->sin6_addr, c->peer, sizeof c->peer);
            c->peer_port = ntohs(a->sin6_port);
        }
    }
    if (net_loop_add(loop, fd, c->watching, conn_io, c) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

const char *net_conn_peer(const net_conn *c, int *port)
{
    if (port)
        *port = c->peer_port;
    return c->peer;
}

bool net_conn_tls_active(const net_conn *c)
{
    return c->tls != NULL;
}

int net_conn_start_tls(net_conn *c, net_tls_ctx *ctx, bool server, const char *server_name)
{
    if (c->dead || c->tls || !ctx)
        return -1;
    c->tls_wanted = true;
    c->tls_ctx = ctx;
    c->tls_server = server;
    free(c->sni);
    c->sni = server_name ? strdup(server_name) : NULL;
    net_conn_flush(c);
    return 0;
}

void net_conn_pause_read(net_conn *c, bool pause)
{
    if (c->driver_paused == pause)
        return;
    c->driver_paused = pause;
    net_conn_flush(c); /* recomputes what the socket is watched for */
}

void net_conn_close(net_conn *c, bool after_flush, const char *why)
{
    if (c->dead)
        return;
    if (!after_flush) {
        conn_fail(c, why);
        return;
    }
    c->close_after_flush = true;
    snprintf(c->why, sizeof c->why, "%s", why);
    net_conn_flush(c);
}

/* tls_begin - the plaintext before the hand-over is sent: switch the transport to TLS. */
static int tls_begin(net_conn *c)
{
    c->tls_wanted = false;
    c->tls = net_tls_new(c->tls_ctx, c->tls_server, c->sni);
    if (!c->cbuf)
        c->cbuf = malloc(NET_CONN_CIPHER_BUF);
    if (!c->tls || !c->cbuf) {
        conn_fail(c, "TLS: out of memory");
        return -1;
    }
    if (!c->tls_server && net_tls_handshake(c->tls) == NET_TLS_FAIL) {
        conn_fail(c, net_tls_error(c->tls)); /* the ClientHello is now pending */
        return -1;
    }
    return 0;
}

/* send_cipher - push staged and pending ciphertext; 1 when all sent, 0 when the socket is
 * full, -1 when the connection failed. */
static int send_cipher(net_conn *c)
{
    for (;;) {
        if (c->cbuf_len == 0) {
            c->cbuf_off = 0;
            c->cbuf_len = net_tls_take(c->tls, c->cbuf, NET_CONN_CIPHER_BUF);
            if (c->cbuf_len == 0)
                return 1;
        }
        ssize_t w = send(c->fd, c->cbuf + c->cbuf_off, c->cbuf_len, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            conn_fail(c, strerror(errno));
            return -1;
        }
        c->cbuf_off += (size_t)w;
        c->cbuf_len -= (size_t)w;
    }
}

void net_conn_flush(net_conn *c)
{
    if (c->dead || c->connecting)
        return;
    bool blocked = false;
    for (int guard = 0; guard < 1024 && !blocked; guard++) {
        if (c->tls) {
            int r = send_cipher(c);
            if (r < 0)
                return;
            if (r == 0) {
                blocked = true;
                break;
            }
        }
        const char *p = NULL;
        size_t n = (c->tls && !net_tls_established(c->tls)) ? 0 : c->cb.out_peek(c->ctx, &p);
        if (n > 0) {
            if (c->tls) {
                ssize_t w =
                    net_tls_write(c->tls, p, n > NET_CONN_TLS_CHUNK ? NET_CONN_TLS_CHUNK : n);
                if (w < 0) {
                    conn_fail(c, net_tls_error(c->tls));
                    return;
                }
                c->cb.out_consumed(c->ctx, (size_t)w);
                continue;
            }
            ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    blocked = true;
                    break;
                }
                conn_fail(c, strerror(errno));
                return;
            }
            c->cb.out_consumed(c->ctx, (size_t)w);
            if ((size_t)w < n)
                blocked = true;
            continue;
        }
        /* Nothing left to send in the current mode. */
        if (c->tls_wanted) {
            if (tls_begin(c) != 0)
                return;
            continue;
        }
        if (c->close_after_flush) {
            if (c->tls && net_tls_established(c->tls)) {
                net_tls_close(c->tls);
                send_cipher(c); /* best effort: the peer may be gone already */
            }
            if (!c->dead) {
                shutdown(c->fd, SHUT_WR);
                char why[160];
                snprintf(why, sizeof why, "%s", c->why);
                conn_fail(c, why);
            }
            return;
        }
        break;
    }
    /* Backpressure: stop reading while the peer is not taking what we have. */
    const char *p;
    size_t waiting = c->cbuf_len + c->cb.out_peek(c->ctx, &p);
    c->read_paused = c->driver_paused || waiting > NET_CONN_HIGH_WATER;
    conn_watch(c, (c->read_paused ? 0u : (unsigned)NET_EV_READ) | (blocked ? NET_EV_WRITE : 0u));
}

static void conn_read(net_conn *c)
{
    ssize_t n = recv(c->fd, read_buf, sizeof read_buf, 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        conn_fail(c, strerror(errno));
        return;
    }
    if (n == 0) {
        conn_fail(c, "peer closed the connection");
        return;
    }
    if (!c->tls) {
        if (c->tls_wanted)
            return; /* bytes before our hand-over is done: ignored (RFC 3207 4.2 / CVE-2011-0411) */
        c->cb.on_data(c->ctx, read_buf, (size_t)n);
        if (!c->dead)
            net_conn_flush(c);
        return;
    }
    if (net_tls_feed(c->tls, read_buf, (size_t)n) != 0) {
        conn_fail(c, "TLS: out of memory");
        return;
    }
    if (!net_tls_established(c->tls)) {
        net_tls_status st = net_tls_handshake(c->tls);
        if (st == NET_TLS_FAIL) {
            send_cipher(c); /* the alert, so the peer learns why */
            char why[220];
            snprintf(why, sizeof why, "TLS handshake failed: %s", net_tls_error(c->tls));
            if (c->cb.on_tls)
                c->cb.on_tls(c->ctx, false, why);
            conn_fail(c, why);
            return;
        }
        if (st == NET_TLS_WANT) {
            net_conn_flush(c);
            return;
        }
        char d[128];
        if (c->cb.on_tls)
            c->cb.on_tls(c->ctx, true, net_tls_describe(c->tls, d, sizeof d));
        if (c->dead)
            return;
    }
    /* Application data; bounded so that one peer cannot keep us here forever. */
    for (int i = 0; i < 64 && !c->dead; i++) {
        net_tls_status st;
        ssize_t got = net_tls_read(c->tls, read_buf, sizeof read_buf, &st);
        if (got > 0) {
            c->cb.on_data(c->ctx, read_buf, (size_t)got);
            continue;
        }
        if (st == NET_TLS_CLOSED) {
            conn_fail(c, "peer closed TLS");
            return;
        }
        if (st == NET_TLS_FAIL) {
            conn_fail(c, net_tls_error(c->tls));
            return;
        }
        break;
    }
    if (!c->dead)
        net_conn_flush(c);
}

static void conn_io(void *ctx, int fd, unsigned events)
{
    net_conn *c = ctx;
    (void)fd;
    if (c->dead)
        return;
    if (c->connecting) {
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
            err = errno;
        if (err) {
            conn_fail(c, strerror(err));
            return;
        }
        if (!(events & (NET_EV_WRITE | NET_EV_ERROR)))
            return;
        c->connecting = false;
        conn_watch(c, NET_EV_READ);
        if (c->cb.on_connect)
            c->cb.on_connect(c->ctx);
        if (!c->dead)
            net_conn_flush(c);
        return;
    }
    if (events & NET_EV_WRITE)
        net_conn_flush(c);
    if (!c->dead && (events & NET_EV_READ) && !c->read_paused)
        conn_read(c);
}
