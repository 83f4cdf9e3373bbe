/* cmd_send.c - 'smtpsim send': one real SMTP transaction with the client engine, and its
 * transcript with arrows: " -> " client, "<-  " server, " ~> " / "<~  " under TLS, "===" for
 * the TLS hand-over. Exit status 0 only when every recipient was accepted; a server that cannot
 * be reached is one line on stderr ("cannot connect to HOST:PORT: reason") and exit 1; usage
 * errors exit 2.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app_opts.h"
#include "app/commands.h"
#include "core/util/file_util.h"
#include "net/net_client.h"
#include "net/net_loop.h"
#include "net/net_tls.h"

#define SEND_MAX_RCPTS 100                /* RFC 5321 4.5.3.1.8 minimum a server must take */
#define SEND_MAX_FILE (50 * 1024 * 1024)  /* --data FILE */
#define SEND_MAX_WAIT_MS (15 * 60 * 1000) /* beyond the engine's own RFC timeouts: a backstop */

static const char send_usage[] =
    "usage: smtpsim send --server HOST:PORT --from A --to B [--to C]... [options]\n"
    "  --starttls | --tls      require STARTTLS | implicit TLS from the start (port 465 style)\n"
    "  --no-starttls           never STARTTLS (default: STARTTLS when offered)\n"
    "  --auth USER:PASS        authenticate (AUTH PLAIN or LOGIN, as offered)\n"
    "  --data FILE | --body TEXT   the message (FILE: headers, blank line, body)\n"
    "  --subject S             subject for --body (default \"smtpsim test\")\n"
    "  --helo NAME             our EHLO name (default localhost)\n"
    "  --insecure              do not verify the server's certificate (the default for\n"
    "                          loopback, where smtpsim's certificate is self-signed)\n"
    "  --quiet                 no transcript, only the result line\n";

typedef struct {
    bool quiet, done;
    bool connected; /* TCP connected: from then on failures are SMTP results */
    const char *server;
    int status;
    size_t n_rcpts;
    const char *const *rcpts;
} send_state;

/* print_lines - every line of b with the prefix, CRLF dropped. */
static void print_lines(const char *prefix, const char *b, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || b[i] == '\n') {
            size_t end = i;
            if (end > start && b[end - 1] == '\r')
                end--;
            if (i < n || end > start)
                printf("%s%.*s\n", prefix, (int)(end - start), b + start);
            start = i + 1;
        }
    }
}

static void on_event(void *ctx, const smtp_event *ev, bool tls)
{
    send_state *st = ctx;
    if (st->quiet)
        return;
    switch (ev->kind) {
    case SMTP_EV_COMMAND:
    case SMTP_EV_DATA:
        print_lines(tls ? " ~> " : " -> ", ev->bytes, ev->len);
        break;
    case SMTP_EV_REPLY:
        print_lines(tls ? "<~  " : "<-  ", ev->bytes, ev->len);
        break;
    default:
        break;
    }
    fflush(stdout);
}

static void on_connect(void *ctx, const char *info)
{
    send_state *st = ctx;
    st->connected = true;
    if (!st->quiet)
        printf("=== connected to %s\n", info);
}

static void on_tls(void *ctx, const char *info)
{
    send_state *st = ctx;
    if (!st->quiet)
        printf("=== TLS started: %s\n", info);
}

static void on_done(void *ctx, const smtp_client_result *r, const char *why)
{
    send_state *st = ctx;
    st->done = true;
    st->status = 1;
    if (!st->connected) {
        /* No SMTP happened: per-recipient lines and a reply code of 0 would only confuse. */
        fprintf(stderr, "smtpsim send: cannot connect to %s: %s\n", st->server,
                why ? why : "connection failed");
        return;
    }
    const char *what = r->status == SMTP_RESULT_OK         ? "accepted"
                       : r->status == SMTP_RESULT_TEMPFAIL ? "temporary failure"
                       : r->status == SMTP_RESULT_PERMFAIL ? "refused"
                                                           : "unfinished";
    for (size_t i = 0; i < r->n_rcpts && i < st->n_rcpts; i++)
        printf("=== <%s>: %d %s%s%s\n", st->rcpts[i], r->rcpt[i].code, r->rcpt[i].esc,
               r->rcpt[i].esc[0] ? " " : "", r->rcpt[i].text);
    printf("=== result: %s, %zu of %zu recipient(s) accepted (%d %s%s%s at %s)%s%s%s\n", what,
           r->n_accepted, st->n_rcpts, r->code, r->esc, r->esc[0] ? " " : "", r->text,
           r->stage ? r->stage : "?", r->tls_used ? ", TLS" : "", r->auth_used ? ", AUTH" : "",
           r->code == 0 && why ? "" : "");
    if (r->code == 0 && why)
        printf("=== connection: %s\n", why);
    st->status = r->status == SMTP_RESULT_OK && r->n_accepted == st->n_rcpts ? 0 : 1;
}

/* read_file - the whole of --data FILE, at most SEND_MAX_FILE bytes (file_util.h); NULL with
 * errno. */
static char *read_file(const char *path, size_t *len)
{
    char *buf;
    return file_read_all(path, SEND_MAX_FILE, &buf, len) == 0 ? buf : NULL;
}

/* compose - a minimal RFC 5322 message around --body TEXT. */
static char *compose(const char *from, const char *const *to, size_t n_to, const char *subject,
                     const char *body, const char *helo, size_t *len)
{
    size_t cap = strlen(body) + strlen(subject) + 600;
    for (size_t i = 0; i < n_to; i++)
        cap += strlen(to[i]) + 4;
    char *m = malloc(cap);
    if (!m)
        return NULL;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    size_t o = (size_t)snprintf(m, cap, "From: <%s>\r\nTo: ", from);
    for (size_t i = 0; i < n_to; i++)
        o += (size_t)snprintf(m + o, cap - o, "%s<%s>", i ? ", " : "", to[i]);
    o += (size_t)snprintf(
        m + o, cap - o,
        "\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%lld.%ld@%s>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
        subject, date, (long long)now, (long)getpid(), helo, body);
    *len = o;
    return m;
}

int cmd_send(int argc, char **argv)
{
    const char *server = NULL, *from = NULL, *auth = NULL, *data_file = NULL, *body = NULL;
    const char *subject = "smtpsim test", *helo = "localhost";
    const char *rcpts[SEND_MAX_RCPTS];
    size_t n_rcpts = 0;
    bool starttls = false, implicit = false, no_starttls = false, insecure = false, quiet = false;
    enum { O_SERVER = 1, O_FROM, O_TO, O_AUTH, O_DATA, O_BODY, O_SUBJECT, O_HELO, O_STARTTLS,
           O_TLS, O_NO_STARTTLS, O_INSECURE, O_QUIET };
    static const app_opt opts[] = {
        {"server", 0, true, O_SERVER},     {"from", 0, true, O_FROM},
        {"to", 0, true, O_TO},             {"auth", 0, true, O_AUTH},
        {"data", 0, true, O_DATA},         {"body", 0, true, O_BODY},
        {"subject", 0, true, O_SUBJECT},   {"helo", 0, true, O_HELO},
        {"starttls", 0, false, O_STARTTLS}, {"tls", 0, false, O_TLS},
        {"no-starttls", 0, false, O_NO_STARTTLS}, {"insecure", 'k', false, O_INSECURE},
        {"quiet", 'q', false, O_QUIET},    {NULL, 0, false, 0},
    };
    app_opts p;
    app_opts_init(&p, "smtpsim send", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        const char *v = p.arg;
        switch (c) {
        case APP_OPTS_HELP:
            fputs(send_usage, stdout);
            return 0;
        case O_SERVER:
            server = v;
            break;
        case O_FROM:
            from = v;
            break;
        case O_TO:
            if (n_rcpts >= SEND_MAX_RCPTS)
                return app_opts_usage_error(&p, "at most %d recipients", SEND_MAX_RCPTS);
            rcpts[n_rcpts++] = v;
            break;
        case O_AUTH:
            auth = v;
            break;
        case O_DATA:
            data_file = v;
            break;
        case O_BODY:
            body = v;
            break;
        case O_SUBJECT:
            subject = v;
            break;
        case O_HELO:
            helo = v;
            break;
        case O_STARTTLS:
            starttls = true;
            break;
        case O_TLS:
            implicit = true;
            break;
        case O_NO_STARTTLS:
            no_starttls = true;
            break;
        case O_INSECURE:
            insecure = true;
            break;
        case O_QUIET:
            quiet = true;
            break;
        case APP_OPTS_OPERAND:
            return app_opts_usage_error(&p, "unexpected argument '%s'", v);
        default:
            return 2;
        }
    }
    if (!server || !from || n_rcpts == 0) {
        fprintf(stderr, "smtpsim send: --server, --from and --to are required\n%s", send_usage);
        return 2;
    }
    if ((starttls && implicit) || (data_file && body) || (no_starttls && (starttls || implicit))) {
        fprintf(stderr, "smtpsim send: conflicting options (--starttls/--tls/--no-starttls, "
                        "--data/--body)\n");
        return 2;
    }
    char host[256];
    int port;
    if (net_parse_hostport(server, host, sizeof host, &port) != 0) {
        fprintf(stderr, "smtpsim send: --server wants HOST:PORT, not '%s'\n", server);
        return 2;
    }
    char *user = NULL;
    const char *pass = NULL;
    if (auth) {
        const char *colon = strchr(auth, ':');
        if (!colon || colon == auth) {
            fprintf(stderr, "smtpsim send: --auth wants USER:PASS\n");
            return 2;
        }
        user = strndup(auth, (size_t)(colon - auth));
        pass = colon + 1;
    }
    size_t len = 0;
    char *msg = data_file ? read_file(data_file, &len)
                          : compose(from, rcpts, n_rcpts, subject,
                                    body ? body : "Hello from smtpsim.", helo, &len);
    if (!msg) {
        fprintf(stderr, "smtpsim send: %s: %s\n", data_file ? data_file : "message",
                strerror(errno));
        free(user);
        return 2;
    }

    signal(SIGPIPE, SIG_IGN);
    int rc = 1;
    char err[300];
    bool verify = !insecure && !net_is_loopback(host);
    net_tls_ctx *tls = no_starttls ? NULL : net_tls_ctx_client(verify, err, sizeof err);
    net_loop *loop = net_loop_new();
    send_state st = {
        .quiet = quiet, .server = server, .status = 1, .n_rcpts = n_rcpts, .rcpts = rcpts};
    net_client_config cc = {0};
    cc.server = server;
    smtp_client_config_default(&cc.engine);
    cc.engine.helo_name = helo;
    cc.engine.mail_from = from;
    cc.engine.rcpts = rcpts;
    cc.engine.n_rcpts = n_rcpts;
    cc.engine.data = msg;
    cc.engine.data_len = len;
    cc.engine.auth_user = user;
    cc.engine.auth_password = pass;
    cc.engine.tls = implicit      ? SMTP_TLS_IMPLICIT
                    : starttls    ? SMTP_TLS_REQUIRED
                    : no_starttls ? SMTP_TLS_NONE
                                  : SMTP_TLS_OPPORTUNISTIC;
    cc.tls = tls;
    cc.ctx = &st;
    cc.on_event = on_event;
    cc.on_connect = on_connect;
    cc.on_tls = on_tls;
    cc.on_done = on_done;
    if (!loop) {
        fprintf(stderr, "smtpsim send: %s\n", strerror(errno));
        goto out;
    }
    if ((implicit || starttls) && !tls) {
        fprintf(stderr, "smtpsim send: TLS: %s\n", err);
        goto out;
    }
    net_client *c = net_client_start(loop, &cc, err, sizeof err);
    if (!c) {
        fprintf(stderr, "smtpsim send: cannot connect to %s: %s\n", server, err);
        goto out;
    }
    uint64_t until = net_monotonic_ms() + SEND_MAX_WAIT_MS;
    while (!st.done && net_monotonic_ms() < until)
        if (net_loop_run_once(loop, 1000) < 0)
            break;
    if (!st.done) {
        net_client_abort(c);
        for (int i = 0; i < 4 && !st.done; i++)
            net_loop_run_once(loop, 0);
    }
    rc = st.status;
out:
    net_loop_free(loop);
    net_tls_ctx_free(tls);
    free(msg);
    free(user);
    return rc;
}
