/* world_recorder.c - engine events into steps and node states, for the simulated world's pumps
 * and for `smtpsim live` alike (see world_recorder.h): SMTP first, then POP3 and IMAP.
 *
 * Texts are written straight into the world's arena without printf: this runs for every
 * command and reply of every session, the hot path of a world run.
 */
#include "core/world/world_recorder.h"

#include <stdio.h>
#include <string.h>

#include "core/imap/imap_client.h"
#include "core/imap/imap_server.h"
#include "core/pop3/pop3_client.h"
#include "core/pop3/pop3_server.h"
#include "core/smtp/smtp_reply.h"
#include "core/world/world_internal.h"

#define RECORD_TEXT_MAX 300 /* bytes of a line kept in a step's text */
#define RECORD_LOCAL_MAX 200 /* one-line text of a retrieval CHECK step */

void world_link_init(world_link *l, int client, int server, int conn_id, uint16_t port)
{
    *l = (world_link){.client = client, .server = server, .conn = conn_id, .port = port,
                      .srv_state = SMTP_SRV_GREETING};
}

const char *world_reply_verb(const world_link *l, const smtp_event *ev)
{
    if (!ev->verb[0])
        return "CONNECT";
    /* the 354 goes out while the server still waits for DATA; the reply after the content
     * finds it in the DATA state (RFC 5321 4.1.1.4) */
    if (!strcmp(ev->verb, "DATA") && ev->code != 354 && l->srv_state == SMTP_SRV_DATA)
        return ".";
    return ev->verb;
}

const char *world_step_arrow(const world_step *s)
{
    if (s->kind == WORLD_STEP_COMMAND || s->kind == WORLD_STEP_DATA)
        return s->tls ? " ~> " : " -> ";
    if (s->kind == WORLD_STEP_REPLY)
        return s->tls ? "<~  " : "<-  ";
    return "=== ";
}

/* w_record_text - the one-line text of a command or reply: its first line (at most
 * RECORD_TEXT_MAX bytes, control characters as '?'), then " (+N lines)" when more lines follow
 * ("250-mx.example.org ... 250 SMTPUTF8" becomes "250-mx.example.org (+7 lines)"). */
const char *w_record_text(world *w, const char *b, size_t len)
{
    const char *end = b + len, *nl = memchr(b, '\n', len);
    size_t first = nl ? (size_t)(nl - b) : len;
    if (first && b[first - 1] == '\r')
        first--;
    if (first > RECORD_TEXT_MAX)
        first = RECORD_TEXT_MAX;
    size_t lines = 0;
    for (const char *p = b; p < end && (p = memchr(p, '\n', (size_t)(end - p))); p++)
        lines++;
    char suffix[32] = " (+", digits[24];
    size_t n = 0;
    if (lines > 1) {
        size_t k = 0, v = lines - 1;
        n = 3;
        do
            digits[k++] = (char)('0' + v % 10);
        while ((v /= 10) && k < sizeof digits);
        while (k)
            suffix[n++] = digits[--k];
        memcpy(suffix + n, " lines)", 7);
        n += 7;
    }
    char *t = w_arena_alloc(&w->ar, first + n + 1);
    if (!t)
        return NULL;
    memcpy(t, b, first);
    if (!smtp_reply_text_valid(t, first)) /* rare: UTF-8 or control characters */
        for (size_t i = 0; i < first; i++)
            if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
                t[i] = '?';
    memcpy(t + first, suffix, n);
    t[first + n] = '\0';
    return t;
}

world_step *w_record(world *w, world_link *l, const smtp_event *ev, bool server_engine,
                     uint64_t t_send, uint64_t t_arrive, const char *verb, const char *owned)
{
    world_step_kind kind;
    const char *text;
    char data_text[64];
    switch (ev->kind) {
    case SMTP_EV_STATE:
        /* an engine changes state before the command or reply that carries the change out:
         * the change belongs to that step (world_state_at), not to the one before */
        w->hold_states = true;
        if (server_engine) {
            l->srv_state = ev->state_to;
            w_set_state_text(w, l->server,
                             smtp_server_state_name((smtp_server_state)ev->state_to), l->tls);
        } else {
            w_set_state_text(w, l->client,
                             smtp_client_state_name((smtp_client_state)ev->state_to), l->tls);
        }
        w->hold_states = false;
        return NULL;
    case SMTP_EV_COMMAND:
        kind = WORLD_STEP_COMMAND;
        text = w_record_text(w, ev->bytes, ev->len);
        verb = ev->verb;
        break;
    case SMTP_EV_DATA:
        kind = WORLD_STEP_DATA;
        snprintf(data_text, sizeof data_text, "message content (%zu bytes)", ev->len);
        text = w_arena_str(&w->ar, data_text);
        verb = "DATA";
        break;
    case SMTP_EV_REPLY:
        kind = WORLD_STEP_REPLY;
        text = w_record_text(w, ev->bytes, ev->len);
        if (!verb)
            verb = world_reply_verb(l, ev);
        break;
    default:
        return NULL;
    }
    bool to_client = kind == WORLD_STEP_REPLY;
    world_step *s = w_add_step_raw(w, kind, to_client ? l->server : l->client,
                                   to_client ? l->client : l->server, NULL, t_send, t_arrive,
                                   text);
    if (!s)
        return NULL;
    s->conn = l->conn;
    s->port = l->port;
    s->tls = l->tls;
    s->bytes = owned ? owned : w_arena_mem(&w->ar, ev->bytes, ev->len);
    s->len = ev->len;
    str_copy(s->verb, sizeof s->verb, verb, STR_ALL);
    if (kind == WORLD_STEP_REPLY) {
        s->code = ev->code;
        str_copy(s->esc, sizeof s->esc, ev->esc, STR_ALL);
    }
    s->rfc = ev->rfc;
    s->key = ev->key;
    return s;
}

const world_step *world_record_event(world *w, world_link *l, const smtp_event *ev,
                                     bool server_engine, uint64_t t_send, uint64_t t_arrive)
{
    if (!w || !l || !ev || l->client < 0 || (size_t)l->client >= w->n_nodes || l->server < 0 ||
        (size_t)l->server >= w->n_nodes)
        return NULL;
    return w_record(w, l, ev, server_engine, t_send, t_arrive, NULL, NULL);
}

/* ---- POP3 and IMAP ------------------------------------------------------------------------ */

void world_retr_link_init(world_retr_link *l, bool pop3, int client, int server, int conn_id,
                          uint16_t port, bool implicit_tls)
{
    *l = (world_retr_link){.client = client, .server = server, .conn = conn_id, .port = port,
                           .pop3 = pop3, .implicit_tls = implicit_tls};
}

/* retr_add - append one step; a failure is sticky */
static void retr_add(world *w, world_retr_link *l, world_step_kind kind, bool from_client,
                     uint64_t t0, uint64_t t1, const char *text, const char *bytes, size_t len,
                     const retr_event *ev)
{
    /* steps that are no engine event: the world's own keys (explain_retr.c) */
    static const struct {
        world_step_kind kind;
        const char *key, *rfc;
    } own[] = {
        {WORLD_STEP_CONNECT, "retr.connect", "RFC 8314 3"},
        {WORLD_STEP_TLS, "retr.tls.starttls", "RFC 9051 6.2.1"},
        {WORLD_STEP_CLOSE, "retr.close", "RFC 1939 6"},
    };
    world_step st;
    memset(&st, 0, sizeof st);
    st.kind = kind;
    st.from = from_client ? l->client : l->server;
    st.to = from_client ? l->server : l->client;
    if (kind == WORLD_STEP_CHECK)
        st.to = st.from;
    st.conn = l->conn;
    st.port = l->port;
    st.tls = l->tls;
    st.t_send_ms = t0;
    st.t_arrive_ms = t1;
    st.text = text;
    st.bytes = bytes;
    st.len = len;
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (own[i].kind == kind)
            st.key = own[i].key, st.rfc = own[i].rfc;
    if (kind == WORLD_STEP_TLS && l->pop3)
        st.key = "retr.tls.stls", st.rfc = "RFC 2595 4";
    if (kind == WORLD_STEP_TLS && l->implicit_tls && !l->any_line)
        st.key = "retr.tls.implicit", st.rfc = "RFC 8314 3";
    if (ev) {
        snprintf(st.verb, sizeof st.verb, "%s", ev->verb);
        /* the status word stands where SMTP has its code: "+OK", "-ERR", "OK", "NO", ... */
        snprintf(st.esc, sizeof st.esc, "%s", ev->status);
        st.rfc = ev->rfc;
        st.key = ev->key;
    }
    /* a state an engine reported rides on the next step that involves its node */
    char *sf = from_client ? l->st_cl : l->st_srv, *sto = from_client ? l->st_srv : l->st_cl;
    if (kind == WORLD_STEP_CHECK)
        sto = NULL;
    l->any_line |= kind == WORLD_STEP_COMMAND || kind == WORLD_STEP_REPLY;
    if (world_live_append_step(w, &st, sf[0] ? sf : NULL, sto && sto[0] ? sto : NULL) < 0)
        l->failed = -1;
    sf[0] = '\0';
    if (sto)
        sto[0] = '\0';
}

/* retr_state_text - what a node shows for an engine state */
static const char *retr_state_text(const world_retr_link *l, bool server, int st)
{
    if (l->pop3)
        return server ? pop3_server_state_name((pop3_server_state)st)
                      : pop3_client_state_name((pop3_client_state)st);
    return server ? imap_server_state_name((imap_server_state)st)
                  : imap_client_state_name((imap_client_state)st);
}

void world_retr_record_flush(world *w, world_retr_link *l)
{
    if (!w || !l || !l->have_line)
        return;
    l->have_line = false;
    bool cmd = l->line.kind == RETR_EV_COMMAND;
    const char *text = w_record_text(w, l->line.bytes, l->line.len);
    retr_add(w, l, cmd ? WORLD_STEP_COMMAND : WORLD_STEP_REPLY, cmd, l->line_t0, l->line_t1,
             text, l->line.bytes, l->line.len, &l->line);
}

void world_retr_record_event(world *w, world_retr_link *l, const retr_event *ev,
                             bool server_engine, uint64_t t_send, uint64_t t_arrive)
{
    if (!w || !l || !ev)
        return;
    if (ev->kind != RETR_EV_STATE)
        world_retr_record_flush(w, l);
    char local[RECORD_LOCAL_MAX];
    switch (ev->kind) {
    case RETR_EV_COMMAND:
    case RETR_EV_RESPONSE:
    case RETR_EV_UNTAGGED:
    case RETR_EV_CONTINUE:
        /* each line once: the client's commands, or the server's when it is alone */
        if (ev->bytes && (ev->kind != RETR_EV_COMMAND || !server_engine || l->server_commands) &&
            (ev->kind == RETR_EV_COMMAND || server_engine)) {
            l->line = *ev;
            l->have_line = true;
            l->line_t0 = t_send;
            l->line_t1 = t_arrive;
        }
        break;
    case RETR_EV_ERROR:
        snprintf(local, sizeof local, "%s: %s", server_engine ? "server" : "client", ev->key);
        retr_add(w, l, WORLD_STEP_CHECK, !server_engine, t_send, t_send, local, NULL, 0, ev);
        break;
    case RETR_EV_STATE:
        snprintf(server_engine ? l->st_srv : l->st_cl, sizeof l->st_cl, "%s",
                 retr_state_text(l, server_engine, ev->state_to));
        break;
    default: /* STARTTLS, AUTH, MESSAGE, DONE, CLOSE: the steps around say it */
        break;
    }
}

void world_retr_record_step(world *w, world_retr_link *l, world_step_kind kind,
                            bool from_client, uint64_t t_send, uint64_t t_arrive,
                            const char *text)
{
    if (!w || !l)
        return;
    world_retr_record_flush(w, l); /* a line the engine reported before comes first */
    if (kind == WORLD_STEP_TLS)
        l->tls = true;
    retr_add(w, l, kind, from_client, t_send, t_arrive, text, NULL, 0, NULL);
}
