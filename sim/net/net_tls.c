/* net_tls.c - OpenSSL 3 behind memory BIOs, and the self-signed certificate (see net_tls.h).
 *
 * Each endpoint owns an SSL with two memory BIOs: `in` holds ciphertext the peer sent that
 * OpenSSL has not read yet, `out` holds ciphertext OpenSSL produced that the socket has not
 * taken yet. Nothing here touches a file descriptor, so the handshake of two endpoints can be
 * run entirely in memory (tests/net/test_net_tls.c does that).
 */
#include "net/net_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/util/file_util.h"

#define NET_TLS_CERT_DAYS 3650 /* self-signed certificate lifetime */

struct net_tls_ctx {
    SSL_CTX *ssl;
    bool verify;
};

struct net_tls {
    SSL *ssl;
    BIO *in, *out;
    bool server, established;
    char err[200];
};

static void take_openssl_error(char *err, size_t errlen, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[160] = "";
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    if (err && errlen)
        snprintf(err, errlen, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

net_tls_ctx *net_tls_ctx_server(const char *cert_file, const char *key_file, char *err,
                                size_t errlen)
{
    net_tls_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ssl = SSL_CTX_new(TLS_server_method());
    if (!c->ssl) {
        take_openssl_error(err, errlen, "SSL_CTX_new");
        goto fail;
    }
    /* RFC 8996 deprecates TLS 1.0 and 1.1. */
    SSL_CTX_set_min_proto_version(c->ssl, TLS1_2_VERSION);
    SSL_CTX_set_options(c->ssl, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(c->ssl, cert_file) != 1) {
        take_openssl_error(err, errlen, cert_file);
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(c->ssl, key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(c->ssl) != 1) {
        take_openssl_error(err, errlen, key_file);
        goto fail;
    }
    return c;
fail:
    net_tls_ctx_free(c);
    return NULL;
}

net_tls_ctx *net_tls_ctx_client(bool verify, char *err, size_t errlen)
{
    net_tls_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ssl = SSL_CTX_new(TLS_client_method());
    if (!c->ssl) {
        take_openssl_error(err, errlen, "SSL_CTX_new");
        free(c);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(c->ssl, TLS1_2_VERSION);
    c->verify = verify;
    if (verify) {
        SSL_CTX_set_default_verify_paths(c->ssl);
        SSL_CTX_set_verify(c->ssl, SSL_VERIFY_PEER, NULL);
    } else {
        SSL_CTX_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
    }
    return c;
}

void net_tls_ctx_free(net_tls_ctx *ctx)
{
    if (!ctx)
        return;
    SSL_CTX_free(ctx->ssl);
    free(ctx);
}

/* ---- the self-signed certificate ------------------------------------------------------- */

/* write_pem_file - a key or a certificate, written atomically (file_util.h): a crash while
 * making them leaves no half key that a later run would try to load. */
static int write_pem_file(const char *path, int mode, EVP_PKEY *key, X509 *cert)
{
    file_atomic a;
    if (file_atomic_open(&a, path, mode) != 0)
        return -1;
    int ok =
        key ? PEM_write_PrivateKey(a.f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(a.f, cert);
    if (ok != 1) {
        file_atomic_abort(&a);
        return -1;
    }
    return file_atomic_commit(&a);
}

static int add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (!ext)
        return -1;
    int ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1 ? 0 : -1;
}

int net_tls_ensure_selfsigned(const char *dir, const char *hostname, char *cert_out,
                              size_t cert_len, char *key_out, size_t key_len, char *err,
                              size_t errlen)
{
    if (snprintf(cert_out, cert_len, "%s/cert.pem", dir) >= (int)cert_len ||
        snprintf(key_out, key_len, "%s/key.pem", dir) >= (int)key_len) {
        snprintf(err, errlen, "path too long: %s", dir);
        return -1;
    }
    struct stat st;
    if (stat(cert_out, &st) == 0 && stat(key_out, &st) == 0)
        return 0;
    /* the key must stay private: file_mkdirs creates directories 0700 */
    if (file_mkdirs(dir) != 0) {
        snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
        return -1;
    }

    int rc = -1;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    BIGNUM *bn = BN_new();
    if (!key || !x || !bn)
        goto done;
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1)
        goto done;
    serial[0] &= 0x7f; /* RFC 5280 4.1.2.2: a positive integer */
    if (!BN_bin2bn(serial, sizeof serial, bn) || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
        goto done;
    X509_set_version(x, 2); /* v3, for the extensions */
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), (long)NET_TLS_CERT_DAYS * 24 * 3600);
    if (X509_set_pubkey(x, key) != 1)
        goto done;
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               (const unsigned char *)"smtpsim self-signed", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)hostname, -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    char san[600];
    snprintf(san, sizeof san, "DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1", hostname);
    if (add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
        add_ext(x, NID_key_usage, "critical,digitalSignature") ||
        add_ext(x, NID_ext_key_usage, "serverAuth") || add_ext(x, NID_subject_alt_name, san))
        goto done;
    if (X509_sign(x, key, EVP_sha256()) <= 0)
        goto done;
    if (write_pem_file(key_out, 0600, key, NULL) != 0 || write_pem_file(cert_out, 0644, NULL, x)) {
        snprintf(err, errlen, "cannot write %s: %s", dir, strerror(errno));
        goto out;
    }
    rc = 0;
done:
    if (rc != 0)
        take_openssl_error(err, errlen, "generating the self-signed certificate");
out:
    BN_free(bn);
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

/* ---- one connection ------------------------------------------------------------------- */

net_tls *net_tls_new(net_tls_ctx *ctx, bool server, const char *server_name)
{
    net_tls *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->server = server;
    t->ssl = SSL_new(ctx->ssl);
    t->in = BIO_new(BIO_s_mem());
    t->out = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->in || !t->out) {
        BIO_free(t->in);
        BIO_free(t->out);
        SSL_free(t->ssl);
        free(t);
        return NULL;
    }
    /* An empty memory BIO must say "retry", not "end of file". */
    BIO_set_mem_eof_return(t->in, -1);
    BIO_set_mem_eof_return(t->out, -1);
    SSL_set_bio(t->ssl, t->in, t->out); /* the SSL owns both BIOs now */
    if (server) {
        SSL_set_accept_state(t->ssl);
    } else {
        SSL_set_connect_state(t->ssl);
        if (server_name && *server_name) {
            /* RFC 6066 3: SNI carries host names only, never address literals. */
            unsigned char a[16];
            bool literal =
                inet_pton(AF_INET, server_name, a) == 1 || inet_pton(AF_INET6, server_name, a) == 1;
            if (!literal)
                SSL_set_tlsext_host_name(t->ssl, server_name);
            if (ctx->verify)
                SSL_set1_host(t->ssl, server_name);
        }
    }
    return t;
}

void net_tls_free(net_tls *t)
{
    if (!t)
        return;
    SSL_free(t->ssl);
    free(t);
}

int net_tls_feed(net_tls *t, const void *buf, size_t len)
{
    if (len == 0)
        return 0;
    size_t done = 0;
    return BIO_write_ex(t->in, buf, len, &done) == 1 && done == len ? 0 : -1;
}

static net_tls_status classify(net_tls *t, int ret, const char *what)
{
    switch (SSL_get_error(t->ssl, ret)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return NET_TLS_WANT;
    case SSL_ERROR_ZERO_RETURN:
        return NET_TLS_CLOSED;
    default:
        take_openssl_error(t->err, sizeof t->err, what);
        return NET_TLS_FAIL;
    }
}

net_tls_status net_tls_handshake(net_tls *t)
{
    if (t->established)
        return NET_TLS_OK;
    int r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->established = true;
        return NET_TLS_OK;
    }
    net_tls_status st = classify(t, r, "handshake");
    return st == NET_TLS_CLOSED ? NET_TLS_FAIL : st;
}

bool net_tls_established(const net_tls *t)
{
    return t->established;
}

ssize_t net_tls_read(net_tls *t, void *buf, size_t cap, net_tls_status *st)
{
    size_t got = 0;
    int r = SSL_read_ex(t->ssl, buf, cap, &got);
    if (r == 1) {
        *st = NET_TLS_OK;
        return (ssize_t)got;
    }
    *st = classify(t, r, "read");
    return *st == NET_TLS_FAIL ? -1 : 0;
}

ssize_t net_tls_write(net_tls *t, const void *buf, size_t len)
{
    if (len == 0)
        return 0;
    size_t done = 0;
    int r = SSL_write_ex(t->ssl, buf, len, &done);
    if (r == 1)
        return (ssize_t)done;
    return classify(t, r, "write") == NET_TLS_WANT ? 0 : -1;
}

size_t net_tls_pending(const net_tls *t)
{
    return BIO_ctrl_pending(t->out);
}

size_t net_tls_take(net_tls *t, void *buf, size_t cap)
{
    size_t got = 0;
    if (cap == 0 || BIO_ctrl_pending(t->out) == 0)
        return 0;
    if (BIO_read_ex(t->out, buf, cap, &got) != 1)
        return 0;
    return got;
}

void net_tls_close(net_tls *t)
{
    if (t->established)
        SSL_shutdown(t->ssl);
    ERR_clear_error();
}

const char *net_tls_describe(const net_tls *t, char *buf, size_t len)
{
    snprintf(buf, len, "%s %s", SSL_get_version(t->ssl), SSL_get_cipher_name(t->ssl));
    return buf;
}

const char *net_tls_error(const net_tls *t)
{
    return t->err[0] ? t->err : "TLS failure";
}

net_tls_ctx *net_tls_ctx_server_pick(const char *cert, const char *key, const char *tls_dir,
                                     const char *hostname, char *err, size_t errlen)
{
    char c[1100], k[1100];
    if (errlen)
        err[0] = '\0';
    if (!cert && tls_dir) {
        if (net_tls_ensure_selfsigned(tls_dir, hostname, c, sizeof c, k, sizeof k, err,
                                      errlen) != 0)
            return NULL;
        cert = c;
        key = k;
    }
    if (!cert)
        return NULL;
    return net_tls_ctx_server(cert, key ? key : cert, err, errlen);
}
