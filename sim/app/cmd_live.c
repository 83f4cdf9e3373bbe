/* cmd_live.c - 'smtpsim live': a real MSA -> MTA -> MX chain on loopback, animated.
 *
 * Three net_servers share one event loop: the MSA (submission, AUTH after STARTTLS) relays to
 * the MTA, which relays to the MX, which delivers into a Maildir in a temporary directory.
 * Every session that arrives - from swaks, Python's smtplib, curl, Thunderbird, or the chain's
 * own relay hops - is appended, event by event, to a live world (world.h), which the window
 * shows like any simulated scenario. The engines' events go through the world's own recorder
 * (world_recorder.h), so a real session's steps read exactly like a simulated one's; the
 * connection, TLS, queue and delivery steps around them are made here. The loop is polled
 * with a zero timeout from the window's main loop: one thread for the UI and the network
 * (Maildir syncs run on the MX's own helper).
 *
 * The same loop also runs an IMAP and a POP3 server (net_retr) over the MX's Maildir, so the
 * mail a learner sends with Thunderbird can be read back in Thunderbird. Those sessions are
 * animated too, recorded as the simulated retrieval hop records them (world_retr_record_*):
 * the mailbox server (MS) and the reading mail client join the world with the first of them.
 *
 * Which node a session comes from: a relay hop's outgoing connection is recognised at the next
 * server by its source port (the relaying server reports it); anything else is the mail client.
 */
#define _GNU_SOURCE /* signalfd, mkdtemp */
#include <SDL.h>
#include <SDL_ttf.h>
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
#include "core/smtp/smtp_server.h"
#include "core/world/world.h"
#include "core/world/world_recorder.h"
#include "net/net_loop.h"
#include "net/net_mailstore.h"
#include "net/net_retr.h"
#include "net/net_server.h"
#include "ui/ui_app.h"

#define LIVE_MAX_SESSIONS 4096 /* remembered session -> node mappings (oldest reused) */
#define LIVE_PORT_MSA 2587
#define LIVE_PORT_MTA 2526
#define LIVE_PORT_MX 2525
#define LIVE_PORT_IMAP 2143 /* STARTTLS; 2993 implicit TLS (RFC 8314) */
#define LIVE_PORT_IMAPS 2993
#define LIVE_PORT_POP3 2110 /* STLS; 2995 implicit TLS */
#define LIVE_PORT_POP3S 2995
#define LIVE_DETAIL_MAX 65536 /* bytes of a delivered message shown as the step's detail */
#define LIVE_FRAME_MS 16

#define LIVE_MAX_RETR 256 /* remembered POP3/IMAP sessions (oldest reused) */

enum { N_MUA, N_MSA, N_MTA, N_MX, N_BOX, N_MS, N_READER, N_COUNT };
#define N_CHAIN N_MS /* the nodes made at start; the MS and the reader come with the first
                        retrieval session */

typedef struct live live;

typedef struct {
    live *lv;
    int node;         /* this server's node */
    int default_from; /* who its sessions come from unless a relay port says otherwise */
    int port;
} live_server;

typedef struct {
    int srv; /* index of the live_server */
    unsigned session;
    int from;        /* client node */
    world_link link; /* the session as the world's recorder sees it (and its conn number) */
    bool used;
} live_session;

typedef struct {
    live *lv;
    bool pop3;
} live_retr_server;

typedef struct {
    const live_retr_server *rs;
    unsigned session;
    world_retr_link link; /* the session as the world's recorder sees it */
    bool used;
} live_retr_session;

typedef struct {
    int port; /* a relay hop's local port */
    int node; /* the node that relays */
} live_relay_port;

struct live {
    world *w;
    int node[N_COUNT];
    live_server srv[3];
    live_session sess[LIVE_MAX_SESSIONS];
    size_t next_sess;
    live_relay_port relay_ports[64];
    live_retr_server rsrv[2]; /* IMAP, POP3 */
    live_retr_session rsess[LIVE_MAX_RETR];
    size_t next_rsess;
    int next_conn;
    uint64_t t0;
    bool print; /* --no-window: print each step */
};

static const char *const node_role[N_COUNT] = {"MUA", "MSA", "MTA", "MX", "Mailbox", "MS",
                                               "MUA"};

static live_session *find_session(live *lv, int srv, unsigned id)
{
    for (size_t i = 0; i < LIVE_MAX_SESSIONS; i++)
        if (lv->sess[i].used && lv->sess[i].srv == srv && lv->sess[i].session == id)
            return &lv->sess[i];
    return NULL;
}

static void print_step(live *lv, const world_step *st)
{
    if (!lv->print)
        return;
    printf("%7.3f %-7s %-7s %s%s\n", (double)st->t_send_ms / 1000.0,
           world_node_at(lv->w, (size_t)st->from)->role, world_node_at(lv->w, (size_t)st->to)->role,
           world_step_arrow(st), st->text);
    fflush(stdout);
}

/* live_ms - the live timeline's clock: milliseconds since the chain started. */
static uint64_t live_ms(const live *lv) { return net_monotonic_ms() - lv->t0; }

/* append - one step to the live world (and the terminal with --no-window). */
static void append(live *lv, world_step *st, const char *state_from, const char *state_to)
{
    uint64_t t = live_ms(lv);
    st->t_send_ms = t;
    st->t_arrive_ms = t + 1; /* loopback */
    if (!st->rfc)
        st->rfc = "";
    if (!st->key)
        st->key = "";
    for (int i = 0; i < N_CHAIN; i++) {
        if (st->from == i)
            st->from = lv->node[i];
        if (st->to == i)
            st->to = lv->node[i];
    }
    if (world_live_append_step(lv->w, st, state_from, state_to) == 0)
        print_step(lv, st);
}

static void observe(void *ctx, const net_obs *o)
{
    live_server *ls = ctx;
    live *lv = ls->lv;
    int si = (int)(ls - lv->srv);
    char text[600];
    world_step st = {0};
    live_session *s = find_session(lv, si, o->session);
    switch (o->kind) {
    case NET_OBS_CONNECT: {
        s = &lv->sess[lv->next_sess++ % LIVE_MAX_SESSIONS];
        *s = (live_session){.srv = si,
                            .session = o->session,
                            .from = ls->default_from,
                            .used = true};
        bool hop = false;
        for (size_t i = 0; i < 64; i++)
            if (lv->relay_ports[i].port && lv->relay_ports[i].port == o->port) {
                s->from = lv->relay_ports[i].node;
                lv->relay_ports[i].port = 0;
                hop = true;
            }
        if (!hop)
            s->from = N_MUA; /* not one of our relay hops: a mail program, directly */
        world_link_init(&s->link, lv->node[s->from], lv->node[ls->node], ++lv->next_conn,
                        (uint16_t)ls->port);
        snprintf(text, sizeof text, "connect from %s:%d to port %d", o->text, o->port,
                 o->server_port);
        st = (world_step){.kind = WORLD_STEP_CONNECT,
                          .from = s->from,
                          .to = ls->node,
                          .conn = s->link.conn,
                          .port = (uint16_t)ls->port,
                          .text = text,
                          .key = "conn.connect",
                          .rfc = "RFC 5321 3.1"};
        append(lv, &st, "connected", "greeting");
        return;
    }
    case NET_OBS_RELAY_CONNECT:
        for (size_t i = 0; i < 64; i++)
            if (!lv->relay_ports[i].port) {
                lv->relay_ports[i] = (live_relay_port){o->port, ls->node};
                break;
            }
        return;
    default:
        break;
    }
    if (o->kind == NET_OBS_RELAYED || o->kind == NET_OBS_QUEUED) {
        snprintf(text, sizeof text, "%s%s",
                 o->kind == NET_OBS_RELAYED ? (o->ok ? "relayed: " : "relay failed: ") : "",
                 o->text);
        st = (world_step){.kind = WORLD_STEP_QUEUE,
                          .from = ls->node,
                          .to = ls->node,
                          .conn = -1,
                          .text = text,
                          .key = o->kind == NET_OBS_QUEUED ? "queue.queued" : "queue.done",
                          .rfc = "RFC 5321 4.5.4"};
        append(lv, &st, o->kind == NET_OBS_QUEUED ? "queued" : "idle", NULL);
        return;
    }
    if (!s)
        return;
    switch (o->kind) {
    case NET_OBS_EVENT: {
        /* the MSA's, MTA's or MX's engine: recorded as the simulated world records it */
        uint64_t t = live_ms(lv);
        s->link.tls = o->tls;
        const world_step *rec = world_record_event(lv->w, &s->link, o->ev, true, t, t + 1);
        if (rec)
            print_step(lv, rec);
        return;
    }
    case NET_OBS_TLS:
        snprintf(text, sizeof text, "TLS started: %s", o->text);
        st = (world_step){.kind = WORLD_STEP_TLS,
                          .from = s->from,
                          .to = ls->node,
                          .conn = s->link.conn,
                          .port = (uint16_t)ls->port,
                          .tls = true,
                          .text = text,
                          .key = "tls.handshake",
                          .rfc = "RFC 3207 4.2"};
        append(lv, &st, "TLS", "TLS");
        return;
    case NET_OBS_DELIVERED: {
        snprintf(text, sizeof text, "delivered: %s", o->text);
        char *detail = NULL;
        FILE *f = fopen(o->text, "rb");
        if (f) {
            detail = malloc(LIVE_DETAIL_MAX + 1);
            if (detail) {
                size_t n = fread(detail, 1, LIVE_DETAIL_MAX, f);
                detail[n] = '\0';
            }
            fclose(f);
        }
        st = (world_step){.kind = WORLD_STEP_DELIVER,
                          .from = ls->node,
                          .to = N_BOX,
                          .conn = -1,
                          .text = text,
                          .detail = detail,
                          .key = "deliver.mailbox",
                          .rfc = "RFC 5321 4.4"};
        append(lv, &st, NULL, "mail delivered");
        free(detail);
        return;
    }
    case NET_OBS_CLOSE:
        snprintf(text, sizeof text, "closed: %s", o->text);
        st = (world_step){.kind = WORLD_STEP_CLOSE,
                          .from = s->from,
                          .to = ls->node,
                          .conn = s->link.conn,
                          .port = (uint16_t)ls->port,
                          .tls = false, /* the session is over: no padlock stays */
                          .text = text,
                          .key = "conn.close",
                          .rfc = "RFC 5321 3.8"};
        append(lv, &st, "idle", "listening");
        s->used = false;
        return;
    default:
        return;
    }
}

static int add_node(live *lv, int idx, world_node_kind kind, const char *name, const char *host,
                    int port)
{
    world_node n = {0};
    n.kind = kind;
    snprintf(n.role, sizeof n.role, "%s", node_role[idx]);
    snprintf(n.name, sizeof n.name, "%s", name);
    snprintf(n.host, sizeof n.host, "%s", host);
    snprintf(n.addr, sizeof n.addr, "127.0.0.1");
    n.port = (uint16_t)port;
    lv->node[idx] = world_live_add_node(lv->w, &n);
    return lv->node[idx] < 0 ? -1 : 0;
}

/* retr_nodes - the mailbox server beside the MX and the reading mail client, once */
static int retr_nodes(live *lv)
{
    if (lv->node[N_MS] >= 0)
        return 0;
    const world_node *mx = world_node_at(lv->w, (size_t)lv->node[N_MX]);
    if (add_node(lv, N_MS, WORLD_NODE_MS, mx->host, mx->host, 0) ||
        add_node(lv, N_READER, WORLD_NODE_READER, "your mail reader", "reader", 0)) {
        lv->node[N_MS] = -1;
        return -1;
    }
    return 0;
}

/* observe_retr - a POP3 or IMAP session of net_retr, recorded as the simulated hop is */
static void observe_retr(void *ctx, const net_obs *o)
{
    const live_retr_server *rs = ctx;
    live *lv = rs->lv;
    live_retr_session *s = NULL;
    for (size_t i = 0; i < LIVE_MAX_RETR && o->kind != NET_OBS_CONNECT; i++)
        if (lv->rsess[i].used && lv->rsess[i].rs == rs && lv->rsess[i].session == o->session)
            s = &lv->rsess[i];
    if (o->kind == NET_OBS_CONNECT) {
        if (retr_nodes(lv) < 0)
            return;
        s = &lv->rsess[lv->next_rsess++ % LIVE_MAX_RETR];
        *s = (live_retr_session){.rs = rs, .session = o->session, .used = true};
        world_retr_link_init(&s->link, rs->pop3, lv->node[N_READER], lv->node[N_MS],
                             ++lv->next_conn, (uint16_t)o->server_port, o->implicit_tls);
        s->link.server_commands = true; /* the client is a real program: no engine of ours */
    }
    if (!s)
        return;
    size_t before = world_step_count(lv->w);
    uint64_t t = live_ms(lv);
    char text[600];
    switch (o->kind) {
    case NET_OBS_CONNECT: {
        /* the MX host hands its store to its mailbox server, as the simulated hop says before
         * each session (world_readers.c): the window draws the MS on the MX's side */
        const world_node *mx = world_node_at(lv->w, (size_t)lv->node[N_MX]);
        snprintf(text, sizeof text, "%s serves the Maildir to your mail reader (%s)", mx->host,
                 rs->pop3 ? "POP3" : "IMAP");
        world_step store = {.kind = WORLD_STEP_CHECK, .from = lv->node[N_MX],
                            .to = lv->node[N_MS], .conn = -1, .t_send_ms = t, .t_arrive_ms = t,
                            .text = text, .rfc = "RFC 5598 4.2.2", .key = "retr.store"};
        world_live_append_step(lv->w, &store, NULL, NULL);
        snprintf(text, sizeof text, "connect from %s:%d to port %d (%s)", o->text, o->port,
                 o->server_port, rs->pop3 ? "POP3" : "IMAP");
        world_retr_record_step(lv->w, &s->link, WORLD_STEP_CONNECT, true, t, t + 1, text);
        break;
    }
    case NET_OBS_EVENT:
        world_retr_record_event(lv->w, &s->link, o->retr_ev, true, t, t + 1);
        break;
    case NET_OBS_IDLE:
        world_retr_record_flush(lv->w, &s->link);
        break;
    case NET_OBS_TLS:
        snprintf(text, sizeof text, "TLS started: %s", o->text);
        world_retr_record_step(lv->w, &s->link, WORLD_STEP_TLS, true, t, t + 1, text);
        break;
    case NET_OBS_CLOSE:
        s->link.tls = false; /* the session is over: no padlock stays */
        snprintf(text, sizeof text, "closed: %s", o->text);
        world_retr_record_step(lv->w, &s->link, WORLD_STEP_CLOSE, true, t, t + 1, text);
        s->used = false;
        break;
    default:
        break;
    }
    for (size_t i = before; i < world_step_count(lv->w); i++)
        print_step(lv, world_step_at(lv->w, i));
}

static bool have_display(void)
{
    const char *d = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    return (d && *d) || (wl && *wl);
}

static const char live_usage[] =
    "usage: smtpsim live [--no-window] [--msa-port N] [--mta-port N] [--mx-port N]\n"
    "                    [--imap-port N] [--imaps-port N] [--pop3-port N] [--pop3s-port N]\n"
    "                    [--domain D]... [--user NAME:PASSWORD] [--maildir DIR] [--verbose]\n"
    "  Starts an MSA (127.0.0.1:2587, STARTTLS, AUTH) -> MTA (127.0.0.1:2526) -> MX\n"
    "  (127.0.0.1:2525, Maildir) chain and animates every real session that arrives, and\n"
    "  IMAP (2143 STARTTLS, 2993 TLS) and POP3 (2110 STLS, 2995 TLS) over the same Maildir,\n"
    "  whose sessions are animated too.\n"
    "  Port 0 picks free ports. --no-window prints the live transcript instead.\n"
    "  Default domains example.org, example.com, localhost; default user demo:demo.\n";

int cmd_live(int argc, char **argv)
{
    int ports[3] = {LIVE_PORT_MSA, LIVE_PORT_MTA, LIVE_PORT_MX};
    int rports[4] = {LIVE_PORT_IMAP, LIVE_PORT_IMAPS, LIVE_PORT_POP3, LIVE_PORT_POP3S};
    bool no_window = false;
    net_log_level level = NET_LOG_QUIET;
    static const char *domains[32];
    size_t n_domains = 0;
    const char *user_spec = "demo:demo", *maildir_opt = NULL;
    enum { O_MSA_PORT = 1, O_MTA_PORT, O_MX_PORT, O_IMAP_PORT, O_IMAPS_PORT, O_POP3_PORT,
           O_POP3S_PORT, O_NO_WINDOW, O_VERBOSE, O_DOMAIN, O_USER, O_MAILDIR };
    static const app_opt opts[] = {
        {"msa-port", 0, true, O_MSA_PORT}, {"mta-port", 0, true, O_MTA_PORT},
        {"mx-port", 0, true, O_MX_PORT},   {"imap-port", 0, true, O_IMAP_PORT},
        {"imaps-port", 0, true, O_IMAPS_PORT}, {"pop3-port", 0, true, O_POP3_PORT},
        {"pop3s-port", 0, true, O_POP3S_PORT}, {"no-window", 0, false, O_NO_WINDOW},
        {"verbose", 'v', false, O_VERBOSE}, {"domain", 0, true, O_DOMAIN},
        {"user", 0, true, O_USER},         {"maildir", 0, true, O_MAILDIR},
        {NULL, 0, false, 0},
    };
    app_opts p;
    app_opts_init(&p, "smtpsim live", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        const char *v = p.arg;
        switch (c) {
        case APP_OPTS_HELP:
            fputs(live_usage, stdout);
            return 0;
        case O_NO_WINDOW:
            no_window = true;
            break;
        case O_VERBOSE:
            level = NET_LOG_SESSION;
            break;
        case O_MSA_PORT:
        case O_MTA_PORT:
        case O_MX_PORT:
        case O_IMAP_PORT:
        case O_IMAPS_PORT:
        case O_POP3_PORT:
        case O_POP3S_PORT: {
            char *end;
            long port = strtol(v, &end, 10);
            if (*end || !*v || port < 0 || port > 65535)
                return app_opts_usage_error(&p, "%s wants a port number", p.name);
            if (c <= O_MX_PORT)
                ports[c - O_MSA_PORT] = (int)port;
            else
                rports[c - O_IMAP_PORT] = (int)port;
            break;
        }
        case O_DOMAIN:
            if (n_domains >= 32)
                return app_opts_usage_error(&p, "at most 32 domains");
            domains[n_domains++] = v;
            break;
        case O_USER:
            if (!strchr(v, ':'))
                return app_opts_usage_error(&p, "--user wants NAME:PASSWORD, not '%s'", v);
            user_spec = v;
            break;
        case O_MAILDIR:
            maildir_opt = v;
            break;
        case APP_OPTS_OPERAND:
            return app_opts_usage_error(&p, "unexpected argument '%s'", v);
        default:
            return 2;
        }
    }
    if (n_domains == 0) {
        domains[n_domains++] = "example.org";
        domains[n_domains++] = "example.com";
        domains[n_domains++] = "localhost";
    }
    char uname[128], upass[128];
    const char *colon = strchr(user_spec, ':');
    snprintf(uname, sizeof uname, "%.*s", (int)(colon - user_spec), user_spec);
    snprintf(upass, sizeof upass, "%s", colon + 1);
    smtp_user users[1] = {{uname, upass}};

    char maildir[1024];
    if (maildir_opt) {
        snprintf(maildir, sizeof maildir, "%s", maildir_opt);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(maildir, sizeof maildir, "%s/smtpsim-live-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(maildir)) {
            fprintf(stderr, "smtpsim live: cannot make a temporary directory: %s\n",
                    strerror(errno));
            return 1;
        }
    }
    char tls_dir[1100] = "";
    char base[1000];
    if (app_user_data_dir(base, sizeof base) == 0)
        snprintf(tls_dir, sizeof tls_dir, "%s/tls", base);

    static live lv;
    memset(&lv, 0, sizeof lv);
    lv.print = no_window;
    lv.t0 = net_monotonic_ms();
    lv.w = world_new_live();
    lv.node[N_MS] = lv.node[N_READER] = -1;
    net_loop *loop = net_loop_new();
    int rc = 1;
    net_server *srv[3] = {NULL, NULL, NULL};
    net_retr *retr[2] = {NULL, NULL};
    static net_retr_config rcfg[2];
    static char rlisten_buf[4][64];
    net_mailstore *store = net_mailstore_new(maildir, users, 1);
    static char listen_buf[3][64], relay_buf[2][64];
    net_server_config cfg[3];
    int sfd = net_signal_fd();
    if (!lv.w || !loop || sfd < 0 || !store ||
        add_node(&lv, N_MUA, WORLD_NODE_MUA, "your mail program", "client", 0) ||
        add_node(&lv, N_MSA, WORLD_NODE_MSA, "submission (MSA)", "msa.smtpsim.test", ports[0]) ||
        add_node(&lv, N_MTA, WORLD_NODE_MTA, "relay (MTA)", "mta.smtpsim.test", ports[1]) ||
        add_node(&lv, N_MX, WORLD_NODE_MX, "MX", "mx.smtpsim.test", ports[2]) ||
        add_node(&lv, N_BOX, WORLD_NODE_MAILBOX, "Maildir", maildir, 0)) {
        fprintf(stderr, "smtpsim live: out of memory\n");
        goto out;
    }
    /* Build from the end of the chain, so each relay knows the next hop's real port. */
    static const smtp_role roles[3] = {SMTP_ROLE_MSA, SMTP_ROLE_MTA, SMTP_ROLE_MX};
    static const char *const hosts[3] = {"msa.smtpsim.test", "mta.smtpsim.test", "mx.smtpsim.test"};
    static const int nodes[3] = {N_MSA, N_MTA, N_MX};
    static const int from[3] = {N_MUA, N_MSA, N_MTA};
    char err[512];
    for (int k = 2; k >= 0; k--) {
        net_server_config *c = &cfg[k];
        net_server_config_default(c, roles[k]);
        snprintf(listen_buf[k], sizeof listen_buf[k], "127.0.0.1:%d", ports[k]);
        c->listen[0] = listen_buf[k];
        c->n_listen = 1;
        c->hostname = hosts[k];
        c->tls_dir = tls_dir[0] ? tls_dir : NULL;
        c->log_level = level;
        c->users = users;
        c->n_users = 1;
        if (k == 2) {
            c->domains = domains;
            c->n_domains = n_domains;
            c->maildir = maildir;
        } else {
            snprintf(relay_buf[k], sizeof relay_buf[k], "127.0.0.1:%d",
                     net_server_port(srv[k + 1], 0));
            c->relay = relay_buf[k];
        }
        lv.srv[k] = (live_server){&lv, nodes[k], from[k], 0};
        c->observe = observe;
        c->observe_ctx = &lv.srv[k];
        srv[k] = net_server_new(loop, c, err, sizeof err);
        if (!srv[k]) {
            fprintf(stderr, "smtpsim live: %s %s\n", c->name, err);
            goto out;
        }
        lv.srv[k].port = net_server_port(srv[k], 0);
    }
    /* IMAP and POP3 over the MX's Maildir, on the same loop */
    for (int k = 0; k < 2; k++) {
        net_retr_config *c = &rcfg[k];
        net_retr_config_default(c, k == 0 ? NET_RETR_IMAP : NET_RETR_POP3);
        snprintf(rlisten_buf[2 * k], sizeof rlisten_buf[0], "127.0.0.1:%d", rports[2 * k]);
        snprintf(rlisten_buf[2 * k + 1], sizeof rlisten_buf[0], "127.0.0.1:%d",
                 rports[2 * k + 1]);
        c->listen[0] = rlisten_buf[2 * k];
        c->n_listen = 1;
        c->hostname = hosts[2];
        c->tls_dir = tls_dir[0] ? tls_dir : NULL;
        if (c->tls_dir) {
            c->tls_listen[0] = rlisten_buf[2 * k + 1];
            c->n_tls_listen = 1;
        }
        c->allow_plaintext = !c->tls_dir; /* no certificate: loopback login without TLS */
        c->store = store;
        c->log_level = level;
        lv.rsrv[k] = (live_retr_server){&lv, k == 1};
        c->observe = observe_retr;
        c->observe_ctx = &lv.rsrv[k];
        retr[k] = net_retr_new(loop, c, err, sizeof err);
        if (!retr[k]) {
            fprintf(stderr, "smtpsim live: %s %s\n", c->name, err);
            goto out;
        }
    }
    printf("smtpsim live: MSA 127.0.0.1:%d -> MTA 127.0.0.1:%d -> MX 127.0.0.1:%d\n",
           lv.srv[0].port, lv.srv[1].port, lv.srv[2].port);
    if (tls_dir[0])
        printf("smtpsim live: IMAP 127.0.0.1:%d (STARTTLS), %d (TLS); POP3 127.0.0.1:%d (STLS), "
               "%d (TLS)\n",
               net_retr_port(retr[0], 0), net_retr_port(retr[0], 1), net_retr_port(retr[1], 0),
               net_retr_port(retr[1], 1));
    else
        printf("smtpsim live: IMAP 127.0.0.1:%d, POP3 127.0.0.1:%d (no certificate: no TLS)\n",
               net_retr_port(retr[0], 0), net_retr_port(retr[1], 0));
    printf("smtpsim live: Maildir %s (domains", maildir);
    for (size_t i = 0; i < n_domains; i++)
        printf(" %s", domains[i]);
    printf(")\nsmtpsim live: user %s, password %s (AUTH after STARTTLS)\n", uname, upass);
    char howto[1024];
    snprintf(howto, sizeof howto,
             "Send a message: swaks --server 127.0.0.1:%d -tls --auth-user %s --auth-password %s "
             "--from %s@example.com --to alice@%s\n\n"
             "Or in Thunderbird: a new account %s@%s, password %s. Outgoing SMTP server 127.0.0.1 "
             "port %d, STARTTLS, normal password, user name %s. Incoming IMAP server 127.0.0.1 "
             "port %d, STARTTLS (or POP3 port %d, STARTTLS), same user. Accept the self-signed "
             "certificate, send yourself a message, and watch it cross the chain here.",
             lv.srv[0].port, uname, upass, uname, domains[0], uname, domains[0], upass,
             lv.srv[0].port, uname, net_retr_port(retr[0], 0), net_retr_port(retr[1], 0));
    printf("smtpsim live: try: swaks --server 127.0.0.1:%d -tls --auth-user %s --auth-password %s "
           "--from %s@example.com --to alice@%s\n",
           lv.srv[0].port, uname, upass, uname, domains[0]);
    printf("smtpsim live: Thunderbird: account %s@%s, password %s; incoming IMAP server "
           "127.0.0.1 port %d, STARTTLS, normal password, user name %s; outgoing SMTP server "
           "127.0.0.1 port %d, STARTTLS, normal password, user name %s; accept the self-signed "
           "certificate\n",
           uname, domains[0], upass, net_retr_port(retr[0], 0), uname, lv.srv[0].port, uname);
    fflush(stdout);

    bool window = !no_window && have_display();
    if (!no_window && !window)
        printf("smtpsim live: no display, so no window; printing the live transcript instead.\n");
    lv.print = !window;
    SDL_Window *win = NULL;
    SDL_Renderer *r = NULL;
    ui_app *app = NULL;
    if (window && SDL_Init(SDL_INIT_VIDEO) == 0) {
        /* When DISPLAY names no reachable server, SDL quietly draws offscreen: an invisible
         * window nobody can close. Only accept that when it was asked for (tests). */
        const char *used = SDL_GetCurrentVideoDriver(), *asked = getenv("SDL_VIDEODRIVER");
        if (used && (!strcmp(used, "offscreen") || !strcmp(used, "dummy")) &&
            !(asked && !strcmp(asked, used))) {
            printf("smtpsim live: no usable display (SDL could only draw offscreen); printing the "
                   "live transcript instead.\n");
            window = false;
        }
    }
    if (window && SDL_WasInit(SDL_INIT_VIDEO)) {
        win = SDL_CreateWindow("smtpsim live", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280,
                               720, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
        if (win)
            r = SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
        if (win && !r)
            r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
        ui_app_config ucfg = {app_data_dir(), NULL};
        if (r)
            app = ui_app_new(r, win, &ucfg, err, sizeof err);
        if (app)
            ui_app_set_world(app, lv.w, "live: real sessions on 127.0.0.1");
        if (app)
            ui_app_set_hint(app, howto);
        else
            fprintf(stderr, "smtpsim live: no window (%s); printing the transcript instead\n",
                    r ? err : SDL_GetError());
    }
    lv.print = app == NULL;
    size_t shown = 0;
    Uint64 last_ticks = SDL_GetTicks64();
    for (;;) {
        struct signalfd_siginfo si;
        if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
            break;
        if (!app) {
            net_loop_run_once(loop, 250);
            continue;
        }
        /* One thread: the network is polled without waiting, then the frame is drawn. */
        net_loop_run_once(loop, 0);
        SDL_Event e;
        if (SDL_WaitEventTimeout(&e, LIVE_FRAME_MS))
            ui_app_event(app, &e);
        while (SDL_PollEvent(&e))
            ui_app_event(app, &e);
        if (ui_app_quit_requested(app))
            break;
        size_t n = world_step_count(lv.w);
        if (n > shown) {
            /* follow new steps unless the user has stepped back to look at something */
            if (!ui_app_playing(app) && (shown == 0 || ui_app_step(app) + 1 >= shown))
                ui_app_set_playing(app, true);
            shown = n;
        }
        /* animation follows elapsed time, not frames: events may end the wait early */
        Uint64 now_ticks = SDL_GetTicks64();
        ui_app_update(app, (uint32_t)(now_ticks - last_ticks));
        last_ticks = now_ticks;
        ui_app_draw(app);
        SDL_RenderPresent(r);
    }
    printf("smtpsim live: stopping; the Maildir stays in %s\n", maildir);
    for (int k = 0; k < 3; k++)
        net_server_shutdown(srv[k]);
    for (int k = 0; k < 2; k++)
        net_retr_shutdown(retr[k]);
    uint64_t until = net_monotonic_ms() + 2000;
    while (net_monotonic_ms() < until &&
           net_server_busy(srv[0]) + net_server_busy(srv[1]) + net_server_busy(srv[2]) +
                   net_retr_busy(retr[0]) + net_retr_busy(retr[1]) >
               0)
        net_loop_run_once(loop, 50);
    ui_app_free(app);
    if (r)
        SDL_DestroyRenderer(r);
    if (win)
        SDL_DestroyWindow(win);
    if (TTF_WasInit())
        TTF_Quit();
    if (SDL_WasInit(0))
        SDL_Quit();
    rc = 0;
out:
    for (int k = 0; k < 3; k++)
        net_server_free(srv[k]);
    for (int k = 0; k < 2; k++)
        net_retr_free(retr[k]);
    net_loop_free(loop); /* runs deferred closes before the store goes */
    net_mailstore_free(store);
    world_free(lv.w);
    net_signal_fd_close(sfd);
    return rc;
}
