/* net_client.c - drive smtp_client over net_conn (see net_client.h). */
#include "net/net_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net_conn.h"

struct net_client {
    net_loop *loop;
    net_conn *conn;
    smtp_client *eng;
    net_timer timer;
    net_client_config cfg;
    char host[256];
    int local_port;
    bool reported;
};

int net_parse_hostport(const char *s, char *host, size_t hostlen, int *port)
{
    const char *colon;
    const char *h = s;
    size_t hl;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':')
            return -1;
        h = s + 1;
        hl = (size_t)(end - h);
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        hl = (size_t)(colon - s);
    }
    if (hl == 0 || hl >= hostlen)
        return -1;
    char *e;
    long p = strtol(colon + 1, &e, 10);
    if (*e || colon[1] == '\0' || p < 0 || p > 65535)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (int)p;
    return 0;
}

int net_listen_tcp(const char *spec, int backlog, char *host, size_t hostlen, int *port,
                   char *err, size_t errlen)
{
    char portstr[8];
    if (net_parse_hostport(spec, host, hostlen, port) != 0) {
        snprintf(err, errlen, "bad listen address '%s' (want ADDR:PORT)", spec);
        return -1;
    }
    snprintf(portstr, sizeof portstr, "%d", *port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE | AI_NUMERICHOST};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "listen address '%s': %s (use a numeric address)", spec,
                 gai_strerror(gai));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                     : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

bool net_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (!strcmp(host, "localhost"))
        return true;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

static void client_process(net_client *c);

static void on_timer(void *ctx)
{
    net_client *c = ctx;
    smtp_client_tick(c->eng, net_loop_now(c->loop));
    client_process(c);
}

static size_t out_peek(void *ctx, const char **buf)
{
    net_client *c = ctx;
    return smtp_client_output(c->eng, buf);
}

static void out_consumed(void *ctx, size_t n)
{
    net_client *c = ctx;
    smtp_client_output_consumed(c->eng, n);
}

static void on_connect(void *ctx)
{
    net_client *c = ctx;
    if (c->cfg.on_connect)
        c->cfg.on_connect(c->cfg.ctx, c->cfg.server);
    if (c->cfg.engine.tls == SMTP_TLS_IMPLICIT)
        net_conn_start_tls(c->conn, c->cfg.tls, false, c->host);
}

static void on_data(void *ctx, const char *buf, size_t n)
{
    net_client *c = ctx;
    smtp_client_feed(c->eng, buf, n, net_loop_now(c->loop));
    client_process(c);
}

static void on_tls(void *ctx, bool ok, const char *info)
{
    net_client *c = ctx;
    if (!ok)
        return; /* on_close follows with the reason */
    if (c->cfg.on_tls)
        c->cfg.on_tls(c->cfg.ctx, info);
    smtp_client_tls_started(c->eng, net_loop_now(c->loop));
    client_process(c);
}

static void report(net_client *c, const char *why)
{
    if (c->reported)
        return;
    c->reported = true;
    c->cfg.on_done(c->cfg.ctx, smtp_client_result_get(c->eng), why);
}

static void on_close(void *ctx, const char *why)
{
    net_client *c = ctx;
    c->conn = NULL;
    if (!smtp_client_done(c->eng)) {
        smtp_client_connection_lost(c->eng, net_loop_now(c->loop));
        client_process(c);
    }
    report(c, why);
    net_loop_timer_cancel(c->loop, &c->timer);
    smtp_client_free(c->eng);
    free(c);
}

static void client_process(net_client *c)
{
    smtp_event ev;
    bool close_now = false;
    while (smtp_client_next_event(c->eng, &ev)) {
        bool tls = c->conn && net_conn_tls_active(c->conn);
        if (c->cfg.on_event)
            c->cfg.on_event(c->cfg.ctx, &ev, tls);
        if (ev.kind == SMTP_EV_STARTTLS && c->conn)
            net_conn_start_tls(c->conn, c->cfg.tls, false, c->host);
        if (ev.kind == SMTP_EV_CLOSE)
            close_now = true;
    }
    if (!c->conn)
        return;
    net_conn_flush(c->conn);
    if (close_now || smtp_client_done(c->eng))
        net_conn_close(c->conn, true, "transaction finished");
    else
        net_loop_timer_set(c->loop, &c->timer, smtp_client_deadline(c->eng));
}

net_client *net_client_start(net_loop *loop, const net_client_config *cfg, char *err, size_t errlen)
{
    char portstr[8];
    int port;
    net_client *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->loop = loop;
    c->cfg = *cfg;
    net_timer_init(&c->timer, on_timer, c);
    if (net_parse_hostport(cfg->server, c->host, sizeof c->host, &port) != 0) {
        snprintf(err, errlen, "bad server address '%s' (want HOST:PORT)", cfg->server);
        free(c);
        return NULL;
    }
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(c->host, portstr, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "%s", gai_strerror(gai)); /* the caller names the server */
        free(c);
        return NULL;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        freeaddrinfo(res);
        free(c);
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r = connect(fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    struct sockaddr_storage ls;
    socklen_t ll = sizeof ls;
    if (getsockname(fd, (struct sockaddr *)&ls, &ll) == 0)
        c->local_port = ls.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ls)->sin6_port)
                                                 : ntohs(((struct sockaddr_in *)&ls)->sin_port);
    if (r != 0 && errno != EINPROGRESS) {
        snprintf(err, errlen, "%s", strerror(errno));
        close(fd);
        free(c);
        return NULL;
    }
    smtp_client_config ec = cfg->engine;
    ec.tls_available = cfg->tls != NULL;
    c->eng = smtp_client_new(&ec, net_loop_now(loop));
    static const net_conn_cb cb = {on_connect, on_data, on_tls, on_close, out_peek, out_consumed};
    c->conn = c->eng ? net_conn_new(loop, fd, true, &cb, c) : NULL;
    if (!c->conn) {
        snprintf(err, errlen, "out of memory");
        smtp_client_free(c->eng);
        close(fd);
        free(c);
        return NULL;
    }
    if (ec.tls == SMTP_TLS_IMPLICIT)
        smtp_client_tls_started(c->eng, net_loop_now(loop)); /* see smtp_client.h */
    net_loop_timer_set(loop, &c->timer, smtp_client_deadline(c->eng));
    return c;
}

int net_client_local_port(const net_client *c)
{
    return c->local_port;
}

void net_client_abort(net_client *c)
{
    if (c->conn)
        net_conn_close(c->conn, false, "aborted");
}
