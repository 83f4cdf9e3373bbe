/* cmd_serve.c - 'smtpsim serve': a real SMTP server (MX, MSA or MTA) on loopback sockets.
 *
 * Parses the command line into a net_server_config, runs the event loop until SIGINT or
 * SIGTERM, then shuts down cleanly: 421 to open sessions (RFC 5321 3.8), a bounded wait for
 * them to finish, one summary line.
 */
#define _GNU_SOURCE /* signalfd */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "app/commands.h"
#include "core/util/file_util.h"
#include "net/net_loop.h"
#include "net/net_mailstore.h"
#include "net/net_retr.h"
#include "net/net_server.h"

#define SERVE_MAX_LIST 64   /* --domain, --user, --mx, --trust entries */
#define SERVE_DRAIN_MS 3000 /* how long shutdown waits for sessions to end */

static const char serve_usage[] =
    "usage: smtpsim serve --role mx|msa|mta|imap|pop3 [options]\n"
    "  --listen ADDR:PORT      listen (repeatable; default 127.0.0.1:2525 mx, :2587 msa, :2526 "
    "mta,\n"
    "                          :2143 imap and :2110 pop3 with STARTTLS/STLS)\n"
    "  --tls-listen ADDR:PORT  implicit TLS listener, port 465 style (e.g. 127.0.0.1:2465;\n"
    "                          imap and pop3 default to :2993 and :2995)\n"
    "  --hostname NAME         our name in the greeting and Received: (default localhost)\n"
    "  --cert F --key F        PEM certificate and key (default: a self-signed pair kept in\n"
    "                          ~/.local/share/smtpsim/tls/)   --no-tls: no STARTTLS\n"
    "  --domain D              mx: a domain we accept mail for (repeatable)\n"
    "  --maildir DIR           deliver into DIR/<localpart>/{tmp,new,cur} (imap, pop3: serve\n"
    "                          each --user's DIR/<name>, new/ moved to cur/)\n"
    "  --sink                  accept and discard every message (benchmarks)\n"
    "  --user NAME:PASSWORD    an AUTH user (repeatable)   --users FILE: one NAME:PASSWORD a line\n"
    "  --allow-plain-auth      offer AUTH (imap, pop3: LOGIN, USER/PASS) before STARTTLS too\n"
    "  --relay HOST:PORT       msa/mta: next hop for all mail\n"
    "  --spool DIR             msa/mta: durable relay queue (default: the data dir's\n"
    "                          spool/ROLE-PORT; a 250 means the message is on disk there)\n"
    "  --mx DOMAIN=HOST:PORT   mta: static route for a domain (repeatable; no DNS, ever)\n"
    "  --trust ADDR            mta: relay for this peer without AUTH (default 127.0.0.1, ::1)\n"
    "  --limit NAME=VALUE      an engine limit (see below)\n"
    "  --max-sessions N        sessions at once (default %d)\n"
    "  --max-per-ip N          sessions at once from one address (default %d)\n"
    "  --quiet | --verbose     log errors only | every command and reply too\n";

static void print_usage(FILE *f)
{
    fprintf(f, serve_usage, NET_SERVER_MAX_SESSIONS, NET_SERVER_MAX_PER_IP);
    fprintf(f, "limits:\n");
    for (int i = 0; i < SMTP_LIMIT_COUNT; i++) {
        const smtp_limit_info *li = smtp_limit_info_get((smtp_limit_id)i);
        fprintf(f, "  %-20s %10llu  %s (%s)\n", li->name, (unsigned long long)li->def, li->what,
                li->rfc);
    }
}

/* serve_parse_limit - NAME=VALUE into the limits table, within its range. */

static int serve_parse_limit(smtp_limits *lim, const char *spec)
{
    const char *eq = strchr(spec, '=');
    char name[64];
    if (!eq || (size_t)(eq - spec) >= sizeof name) {
        fprintf(stderr, "smtpsim serve: --limit wants NAME=VALUE, not '%s'\n", spec);
        return -1;
    }
    memcpy(name, spec, (size_t)(eq - spec));
    name[eq - spec] = '\0';
    int id = smtp_limit_find(name);
    char *end;
    errno = 0;
    unsigned long long v = strtoull(eq + 1, &end, 10);
    if (id < 0) {
        fprintf(stderr, "smtpsim serve: unknown limit '%s' (see --help)\n", name);
        return -1;
    }
    if (*end || eq[1] == '\0' || errno || smtp_limits_set(lim, (smtp_limit_id)id, v) != 0) {
        const smtp_limit_info *li = smtp_limit_info_get((smtp_limit_id)id);
        fprintf(stderr, "smtpsim serve: %s must be a number from %llu to %llu\n", name,
                (unsigned long long)li->min, (unsigned long long)li->max);
        return -1;
    }
    return 0;
}

static int parse_count(const char *opt, const char *s, size_t *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || !*s || v < 1 || v > 100000) {
        fprintf(stderr, "smtpsim serve: %s wants a number from 1 to 100000\n", opt);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

typedef struct {
    smtp_user users[SERVE_MAX_LIST];
    size_t n_users;
    char *owned[SERVE_MAX_LIST * 2];
    size_t n_owned;
} user_list;

static int add_user(user_list *ul, const char *spec)
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || ul->n_users >= SERVE_MAX_LIST) {
        fprintf(stderr, "smtpsim serve: a user is NAME:PASSWORD (at most %d users)\n",
                SERVE_MAX_LIST);
        return -1;
    }
    char *name = strndup(spec, (size_t)(colon - spec));
    char *pass = strdup(colon + 1);
    if (!name || !pass) {
        free(name);
        free(pass);
        return -1;
    }
    ul->owned[ul->n_owned++] = name;
    ul->owned[ul->n_owned++] = pass;
    ul->users[ul->n_users++] = (smtp_user){name, pass};
    return 0;
}

static int load_users(user_list *ul, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "smtpsim serve: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[512];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        if (add_user(ul, line) != 0) {
            fprintf(stderr, "smtpsim serve: %s:%d: bad user line\n", path, lineno);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

/* serve_tls_dir - the user's data dir + /tls, where the self-signed pair lives. */

static int serve_tls_dir(char *out, size_t len)
{
    char base[900];
    if (app_user_data_dir(base, sizeof base) != 0)
        return -1;
    return snprintf(out, len, "%s/tls", base) < (int)len ? 0 : -1;
}

static volatile int serve_stop_signal;

/* on_signal - the signalfd became readable: remember which signal, the main loop stops. */
static void on_signal(void *ctx, int fd, unsigned events)
{
    (void)ctx;
    (void)events;
    struct signalfd_siginfo si;
    if (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
        serve_stop_signal = (int)si.ssi_signo;
}

/* serve_loop - run until a signal, then stop the servers and drain them for a bounded time. */
static void serve_loop(net_loop *loop, const char *name, net_server *srv, net_retr *retr)
{
    while (!serve_stop_signal)
        if (net_loop_run_once(loop, -1) < 0)
            break;
    fprintf(stderr, "smtpsim %s: signal %d: shutting down\n", name, serve_stop_signal);
    if (srv)
        net_server_shutdown(srv);
    if (retr)
        net_retr_shutdown(retr);
    uint64_t until = net_monotonic_ms() + SERVE_DRAIN_MS;
    while (((srv && net_server_busy(srv) > 0) || (retr && net_retr_busy(retr) > 0)) &&
           net_monotonic_ms() < until)
        net_loop_run_once(loop, 100);
}

/* serve_retr - `serve --role imap|pop3`: the Maildir the MX writes, read by real clients. */
static int serve_retr(net_retr_proto proto, const char *const *listen, size_t n_listen,
                      const char *const *tls_listen, size_t n_tls_listen, const char *hostname,
                      const char *cert, const char *key, bool no_tls, bool plain,
                      const char *maildir, const user_list *ul, size_t max_sessions,
                      net_log_level level)
{
    net_retr_config cfg;
    net_retr_config_default(&cfg, proto);
    bool pop = proto == NET_RETR_POP3;
    if (!maildir) {
        fprintf(stderr, "smtpsim serve: --role %s needs --maildir DIR\n", cfg.name);
        return 2;
    }
    if (ul->n_users == 0)
        fprintf(stderr, "smtpsim serve: warning: no --user given, nobody can log in\n");
    memcpy(cfg.listen, listen, n_listen * sizeof *listen);
    cfg.n_listen = n_listen;
    if (n_listen == 0) {
        cfg.listen[0] = pop ? "127.0.0.1:2110" : "127.0.0.1:2143";
        cfg.n_listen = 1;
    }
    memcpy(cfg.tls_listen, tls_listen, n_tls_listen * sizeof *tls_listen);
    cfg.n_tls_listen = n_tls_listen;
    if (n_listen == 0 && n_tls_listen == 0 && !no_tls) {
        cfg.tls_listen[0] = pop ? "127.0.0.1:2995" : "127.0.0.1:2993";
        cfg.n_tls_listen = 1;
    }
    cfg.hostname = hostname;
    cfg.cert = cert;
    cfg.key = key;
    cfg.no_tls = no_tls;
    char tls_dir[1000];
    if (!cert && !no_tls && serve_tls_dir(tls_dir, sizeof tls_dir) == 0)
        cfg.tls_dir = tls_dir;
    cfg.allow_plaintext = plain;
    cfg.max_sessions = max_sessions;
    cfg.log_level = level;
    if (file_mkdirs(maildir) != 0) {
        fprintf(stderr, "smtpsim serve: Maildir %s: %s\n", maildir, strerror(errno));
        return 1;
    }
    cfg.store = net_mailstore_new(maildir, ul->users, ul->n_users);
    int sfd = net_signal_fd();
    net_loop *loop = net_loop_new();
    char err[512] = "";
    serve_stop_signal = 0;
    net_retr *r = NULL;
    if (cfg.store && loop && sfd >= 0 && net_loop_add(loop, sfd, NET_EV_READ, on_signal, NULL) == 0)
        r = net_retr_new(loop, &cfg, err, sizeof err);
    else
        snprintf(err, sizeof err, "%s", strerror(errno));
    int rc = 1;
    if (r) {
        fprintf(stderr, "smtpsim %s: ready (hostname %s, Maildir %s)\n", cfg.name, hostname,
                maildir);
        serve_loop(loop, cfg.name, NULL, r);
        fprintf(stderr, "smtpsim %s: stopped\n", cfg.name);
        rc = 0;
    } else {
        fprintf(stderr, "smtpsim serve: %s\n", err);
    }
    net_retr_free(r);
    if (sfd >= 0 && loop)
        net_loop_del(loop, sfd);
    net_loop_free(loop); /* runs the deferred closes before the store goes */
    net_signal_fd_close(sfd);
    net_mailstore_free(cfg.store);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    net_server_config cfg;
    const char *role = NULL;
    static const char *domains[SERVE_MAX_LIST], *trusted[SERVE_MAX_LIST];
    static net_route routes[SERVE_MAX_LIST];
    static char route_buf[SERVE_MAX_LIST][300];
    size_t n_domains = 0, n_trusted = 0, n_routes = 0;
    static user_list ul;
    const char *listen[NET_SERVER_MAX_LISTEN], *tls_listen[NET_SERVER_MAX_LISTEN];
    size_t n_listen = 0, n_tls_listen = 0;
    smtp_limits limits;
    smtp_limits_default(&limits);
    size_t max_sessions = NET_SERVER_MAX_SESSIONS, max_per_ip = NET_SERVER_MAX_PER_IP;
    const char *hostname = "localhost", *cert = NULL, *key = NULL, *maildir = NULL, *relay = NULL;
    const char *spool = NULL;
    bool sink = false, plain_auth = false, no_tls = false;
    net_log_level level = NET_LOG_SESSION;
    int rc = 2;

    enum { O_ROLE = 1, O_LISTEN, O_TLS_LISTEN, O_HOSTNAME, O_CERT, O_KEY, O_NO_TLS, O_DOMAIN,
           O_MAILDIR, O_SINK, O_USER, O_USERS, O_PLAIN_AUTH, O_RELAY, O_SPOOL, O_MX, O_TRUST,
           O_LIMIT, O_MAX_SESSIONS, O_MAX_PER_IP, O_QUIET, O_VERBOSE };
    static const app_opt opts[] = {
        {"role", 0, true, O_ROLE},
        {"listen", 0, true, O_LISTEN},
        {"tls-listen", 0, true, O_TLS_LISTEN},
        {"hostname", 0, true, O_HOSTNAME},
        {"cert", 0, true, O_CERT},
        {"key", 0, true, O_KEY},
        {"no-tls", 0, false, O_NO_TLS},
        {"domain", 0, true, O_DOMAIN},
        {"maildir", 0, true, O_MAILDIR},
        {"sink", 0, false, O_SINK},
        {"user", 0, true, O_USER},
        {"users", 0, true, O_USERS},
        {"allow-plain-auth", 0, false, O_PLAIN_AUTH},
        {"relay", 0, true, O_RELAY},
        {"spool", 0, true, O_SPOOL},
        {"mx", 0, true, O_MX},
        {"trust", 0, true, O_TRUST},
        {"limit", 0, true, O_LIMIT},
        {"max-sessions", 0, true, O_MAX_SESSIONS},
        {"max-per-ip", 0, true, O_MAX_PER_IP},
        {"quiet", 'q', false, O_QUIET},
        {"verbose", 'v', false, O_VERBOSE},
        {NULL, 0, false, 0},
    };
    app_opts p;
    app_opts_init(&p, "smtpsim serve", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        const char *v = p.arg;
        switch (c) {
        case APP_OPTS_HELP:
            print_usage(stdout);
            rc = 0;
            goto out;
        case O_ROLE:
            role = v;
            break;
        case O_LISTEN:
        case O_TLS_LISTEN: {
            bool t = c == O_TLS_LISTEN;
            if ((t ? n_tls_listen : n_listen) >= NET_SERVER_MAX_LISTEN) {
                fprintf(stderr, "smtpsim serve: at most %d listeners of each kind\n",
                        NET_SERVER_MAX_LISTEN);
                goto out;
            }
            if (t)
                tls_listen[n_tls_listen++] = v;
            else
                listen[n_listen++] = v;
            break;
        }
        case O_HOSTNAME:
            hostname = v;
            break;
        case O_CERT:
            cert = v;
            break;
        case O_KEY:
            key = v;
            break;
        case O_NO_TLS:
            no_tls = true;
            break;
        case O_DOMAIN:
            if (n_domains >= SERVE_MAX_LIST)
                goto too_many;
            domains[n_domains++] = v;
            break;
        case O_MAILDIR:
            maildir = v;
            break;
        case O_SINK:
            sink = true;
            break;
        case O_USER:
            if (add_user(&ul, v) != 0)
                goto out;
            break;
        case O_USERS:
            if (load_users(&ul, v) != 0)
                goto out;
            break;
        case O_PLAIN_AUTH:
            plain_auth = true;
            break;
        case O_RELAY:
            relay = v;
            break;
        case O_SPOOL:
            spool = v;
            break;
        case O_MX: {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || strlen(v) >= sizeof route_buf[0]) {
                fprintf(stderr, "smtpsim serve: --mx wants DOMAIN=HOST:PORT\n");
                goto out;
            }
            if (n_routes >= SERVE_MAX_LIST)
                goto too_many;
            strcpy(route_buf[n_routes], v);
            route_buf[n_routes][eq - v] = '\0';
            routes[n_routes] = (net_route){route_buf[n_routes], route_buf[n_routes] + (eq - v) + 1};
            n_routes++;
            break;
        }
        case O_TRUST:
            if (n_trusted >= SERVE_MAX_LIST)
                goto too_many;
            trusted[n_trusted++] = v;
            break;
        case O_LIMIT:
            if (serve_parse_limit(&limits, v) != 0)
                goto out;
            break;
        case O_MAX_SESSIONS:
        case O_MAX_PER_IP:
            if (parse_count(c == O_MAX_SESSIONS ? "--max-sessions" : "--max-per-ip", v,
                            c == O_MAX_SESSIONS ? &max_sessions : &max_per_ip) != 0)
                goto out;
            break;
        case O_QUIET:
            level = NET_LOG_QUIET;
            break;
        case O_VERBOSE:
            level = NET_LOG_PROTOCOL;
            break;
        case APP_OPTS_OPERAND:
            app_opts_usage_error(&p, "unexpected argument '%s'", v);
            goto out;
        default:
            goto out;
        }
    }

    smtp_role r;
    if (!role) {
        fprintf(stderr, "smtpsim serve: --role mx|msa|mta|imap|pop3 is required\n");
        goto out;
    } else if (!strcmp(role, "mx")) {
        r = SMTP_ROLE_MX;
    } else if (!strcmp(role, "msa")) {
        r = SMTP_ROLE_MSA;
    } else if (!strcmp(role, "mta")) {
        r = SMTP_ROLE_MTA;
    } else if (!strcmp(role, "imap") || !strcmp(role, "pop3")) {
        rc = serve_retr(role[0] == 'i' ? NET_RETR_IMAP : NET_RETR_POP3, listen, n_listen,
                        tls_listen, n_tls_listen, hostname, cert, key, no_tls, plain_auth,
                        maildir, &ul, max_sessions, level);
        goto out;
    } else {
        fprintf(stderr, "smtpsim serve: unknown role '%s' (mx, msa, mta, imap or pop3)\n",
                role);
        goto out;
    }
    if (r == SMTP_ROLE_MX && n_domains == 0) {
        fprintf(stderr, "smtpsim serve: --role mx needs at least one --domain\n");
        goto out;
    }
    if (r == SMTP_ROLE_MX && !maildir && !sink) {
        fprintf(stderr, "smtpsim serve: --role mx needs --maildir DIR or --sink\n");
        goto out;
    }
    if (r != SMTP_ROLE_MX && !maildir && !sink && !relay && n_routes == 0) {
        fprintf(stderr,
                "smtpsim serve: --role %s needs --relay HOST:PORT, --mx routes, "
                "--maildir DIR or --sink\n",
                role);
        goto out;
    }
    if (r == SMTP_ROLE_MSA && ul.n_users == 0)
        fprintf(stderr, "smtpsim serve: warning: no --user given, nobody can submit mail\n");
    if ((cert == NULL) != (key == NULL)) {
        fprintf(stderr, "smtpsim serve: --cert and --key go together\n");
        goto out;
    }

    net_server_config_default(&cfg, r);
    if (n_listen == 0)
        listen[n_listen++] = r == SMTP_ROLE_MX    ? "127.0.0.1:2525"
                             : r == SMTP_ROLE_MSA ? "127.0.0.1:2587"
                                                  : "127.0.0.1:2526";
    memcpy(cfg.listen, listen, n_listen * sizeof *listen);
    cfg.n_listen = n_listen;
    memcpy(cfg.tls_listen, tls_listen, n_tls_listen * sizeof *tls_listen);
    cfg.n_tls_listen = n_tls_listen;
    cfg.hostname = hostname;
    cfg.cert = cert;
    cfg.key = key;
    cfg.no_tls = no_tls;
    char tls_dir[1000];
    if (!cert && !no_tls) {
        if (serve_tls_dir(tls_dir, sizeof tls_dir) == 0)
            cfg.tls_dir = tls_dir;
        else
            fprintf(stderr, "smtpsim serve: warning: no HOME, no certificate: TLS is off\n");
    }
    cfg.domains = domains;
    cfg.n_domains = n_domains;
    cfg.users = ul.users;
    cfg.n_users = ul.n_users;
    cfg.allow_plain_auth = plain_auth;
    cfg.maildir = maildir;
    cfg.sink = sink;
    cfg.relay = relay;
    char spool_dir[1100];
    if (r != SMTP_ROLE_MX && !maildir && !sink) {
        if (!spool) {
            /* one queue per role and port, so two servers never take each other's mail */
            char base[900];
            const char *colon = strrchr(listen[0], ':');
            if (app_user_data_dir(base, sizeof base) == 0 &&
                snprintf(spool_dir, sizeof spool_dir, "%s/spool/%s-%s", base, role,
                         colon ? colon + 1 : "0") < (int)sizeof spool_dir &&
                file_mkdirs(spool_dir) == 0)
                spool = spool_dir;
            else
                fprintf(stderr, "smtpsim serve: warning: no spool directory: the relay queue "
                                "is in memory only\n");
        }
        cfg.spool = spool;
        if (spool)
            fprintf(stderr, "smtpsim %s: relay queue in %s\n", cfg.name, spool);
    }
    cfg.routes = routes;
    cfg.n_routes = n_routes;
    if (n_trusted) {
        cfg.trusted = trusted;
        cfg.n_trusted = n_trusted;
    }
    cfg.limits = limits;
    cfg.max_sessions = max_sessions;
    cfg.max_per_ip = max_per_ip;
    cfg.log_level = level;

    /* Signals arrive as readable bytes on a descriptor in the loop: no async handler. */
    int sfd = net_signal_fd();
    net_loop *loop = net_loop_new();
    char err[512];
    serve_stop_signal = 0;
    if (loop && sfd >= 0 && net_loop_add(loop, sfd, NET_EV_READ, on_signal, NULL) != 0) {
        close(sfd);
        sfd = -1;
    }
    net_server *srv = loop && sfd >= 0 ? net_server_new(loop, &cfg, err, sizeof err) : NULL;
    if (!srv) {
        fprintf(stderr, "smtpsim serve: %s\n", loop && sfd >= 0 ? err : strerror(errno));
        net_loop_free(loop);
        net_signal_fd_close(sfd);
        rc = 1;
        goto out;
    }
    fprintf(stderr, "smtpsim %s: ready (role %s, hostname %s, %s%s)\n", cfg.name, role, hostname,
            sink      ? "sink"
            : maildir ? "Maildir "
            : relay   ? "relay to "
                      : "static routes",
            sink      ? ""
            : maildir ? maildir
            : relay   ? relay
                      : "");
    serve_loop(loop, cfg.name, srv, NULL);
    net_server_counters st;
    net_server_stats(srv, &st);
    fprintf(stderr,
            "smtpsim %s: stopped: %lu sessions, %lu messages, %lu files delivered, %lu relayed, "
            "%lu relay failures, %lu refused\n",
            cfg.name, st.sessions, st.messages, st.delivered_files, st.relayed, st.relay_failed,
            st.refused);
    net_server_free(srv);
    net_loop_del(loop, sfd);
    net_loop_free(loop);
    net_signal_fd_close(sfd);
    rc = 0;
    goto out;
too_many:
    fprintf(stderr, "smtpsim serve: too many entries (at most %d)\n", SERVE_MAX_LIST);
out:
    for (size_t i = 0; i < ul.n_owned; i++)
        free(ul.owned[i]);
    ul.n_owned = ul.n_users = 0;
    return rc;
}
