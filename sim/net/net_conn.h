/* net_conn.h - one TCP connection on the event loop: bytes in, bytes out with backpressure,
 * optional TLS in the middle, and a clean close.
 *
 * The connection owns no output buffer of plaintext: it pulls from its driver's buffer (the
 * engine's output, via out_peek/out_consumed) and takes only what the socket (or TLS) accepts,
 * so a slow reader leaves bytes where they are and nothing is copied twice. When more than
 * NET_CONN_HIGH_WATER bytes wait, the connection stops reading from the peer until they drain.
 *
 * Lifetime: on_close is called exactly once, never from inside a call the driver made (it is
 * deferred to the end of the loop iteration), and the connection is freed right after it
 * returns. After on_close the driver must forget the pointer.
 */
#ifndef NET_CONN_H
#define NET_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "net/net_loop.h"
#include "net/net_tls.h"

#define NET_CONN_HIGH_WATER (256 * 1024) /* stop reading while this much output waits */

typedef struct net_conn net_conn;

typedef struct {
    void (*on_connect)(void *ctx);                         /* client: TCP connected */
    void (*on_data)(void *ctx, const char *buf, size_t n); /* plaintext from the peer */
    void (*on_tls)(void *ctx, bool ok, const char *info);  /* handshake over: cipher or error */
    void (*on_close)(void *ctx, const char *why);          /* gone; see lifetime above */
    size_t (*out_peek)(void *ctx, const char **buf);       /* plaintext waiting to be sent */
    void (*out_consumed)(void *ctx, size_t n);             /* n bytes of it were taken */
} net_conn_cb;

/* net_conn_new - wrap a non-blocking socket. connecting: a connect() is in progress and
 * on_connect follows when it completes. NULL on failure (fd is then not closed). */
net_conn *net_conn_new(net_loop *loop, int fd, bool connecting, const net_conn_cb *cb, void *ctx);

/* net_conn_start_tls - once the plaintext output waiting now is sent, run a TLS handshake
 * (RFC 3207: after the 220 to STARTTLS; or at once for implicit TLS). 0 or -1. */
int net_conn_start_tls(net_conn *c, net_tls_ctx *ctx, bool server, const char *server_name);
bool net_conn_tls_active(const net_conn *c);

/* net_conn_flush - send what the driver has (call after feeding its engine or a tick). */
void net_conn_flush(net_conn *c);

/* net_conn_pause_read - while paused, nothing is read from the peer (the driver holds input it
 * cannot take yet: an engine whose output has not drained). Resuming reads again. */
void net_conn_pause_read(net_conn *c, bool pause);

/* net_conn_close - close now, or once all output (and a TLS close_notify) is sent. */
void net_conn_close(net_conn *c, bool after_flush, const char *why);

/* net_conn_peer - "127.0.0.1" and port of the other side. */
const char *net_conn_peer(const net_conn *c, int *port);

#endif
