/* net_tls.h - TLS for the real-socket mode, through OpenSSL memory BIOs.
 *
 * The SMTP engines are sans-I/O and never see OpenSSL: a connection feeds the ciphertext it
 * reads from the socket into net_tls_feed, drains the ciphertext to send with net_tls_pending /
 * net_tls_take, and exchanges plaintext with net_tls_read / net_tls_write. The same code serves
 * STARTTLS (RFC 3207: the handshake starts after the 220) and implicit TLS (RFC 8314: from the
 * first byte). TLS 1.2 is the minimum version.
 *
 * Without a certificate of its own, the server side uses a self-signed one that
 * net_tls_ensure_selfsigned generates once (EC P-256, OpenSSL APIs, no external command).
 */
#ifndef NET_TLS_H
#define NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct net_tls_ctx net_tls_ctx; /* shared settings: one per server or client */
typedef struct net_tls net_tls;         /* one connection's TLS state */

/* net_tls_ctx_server - a server context from PEM files. NULL and a message in err on failure. */
net_tls_ctx *net_tls_ctx_server(const char *cert_file, const char *key_file, char *err,
                                size_t errlen);
/* net_tls_ctx_client - verify: check the peer's chain against the system store and its name. */
net_tls_ctx *net_tls_ctx_client(bool verify, char *err, size_t errlen);
void net_tls_ctx_free(net_tls_ctx *ctx);

/* net_tls_ensure_selfsigned - make dir (0700) and, unless they exist, write dir/cert.pem and
 * dir/key.pem (0600): a self-signed certificate for `hostname` with subjectAltName
 * DNS:hostname, DNS:localhost, IP:127.0.0.1, IP:::1, valid for 10 years. The paths go to
 * cert_out/key_out. 0, or -1 and a message in err. */
int net_tls_ensure_selfsigned(const char *dir, const char *hostname, char *cert_out,
                              size_t cert_len, char *key_out, size_t key_len, char *err,
                              size_t errlen);

/* net_tls_ctx_server_pick - the server context every listener uses: from cert/key when given,
 * else from the self-signed pair under tls_dir (made once), else NULL with err "" (no TLS).
 * NULL and a message in err on failure. */
net_tls_ctx *net_tls_ctx_server_pick(const char *cert, const char *key, const char *tls_dir,
                                     const char *hostname, char *err, size_t errlen);

/* net_tls_new - a connection endpoint; server_name is sent as SNI by clients (may be NULL). */
net_tls *net_tls_new(net_tls_ctx *ctx, bool server, const char *server_name);
void net_tls_free(net_tls *t);

typedef enum {
    NET_TLS_OK = 0,     /* progress made (handshake done, or bytes moved) */
    NET_TLS_WANT = 1,   /* needs more ciphertext from the peer */
    NET_TLS_CLOSED = 2, /* the peer sent close_notify */
    NET_TLS_FAIL = -1,  /* handshake or record failure: drop the connection */
} net_tls_status;

/* net_tls_feed - ciphertext that arrived from the peer. 0 or -1. */
int net_tls_feed(net_tls *t, const void *buf, size_t len);
/* net_tls_handshake - advance the handshake: OK when finished, WANT, or FAIL. */
net_tls_status net_tls_handshake(net_tls *t);
bool net_tls_established(const net_tls *t);
/* net_tls_read - plaintext into buf: >0 bytes, 0 with *st = WANT/CLOSED, -1 on failure. */
ssize_t net_tls_read(net_tls *t, void *buf, size_t cap, net_tls_status *st);
/* net_tls_write - encrypt up to len plaintext bytes; returns how many were taken, -1 on
 * failure. The records then wait in net_tls_pending. */
ssize_t net_tls_write(net_tls *t, const void *buf, size_t len);
/* net_tls_pending / net_tls_take - ciphertext waiting to be sent; take copies up to cap
 * bytes out and removes them. */
size_t net_tls_pending(const net_tls *t);
size_t net_tls_take(net_tls *t, void *buf, size_t cap);
/* net_tls_close - queue a close_notify alert. */
void net_tls_close(net_tls *t);

/* net_tls_describe - "TLSv1.3 TLS_AES_256_GCM_SHA384" after the handshake. */
const char *net_tls_describe(const net_tls *t, char *buf, size_t len);
/* net_tls_error - the last failure's text (OpenSSL's error queue), for logs. */
const char *net_tls_error(const net_tls *t);

#endif
