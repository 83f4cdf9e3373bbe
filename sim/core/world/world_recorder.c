/* world_recorder.c - engine events into steps and node states, for the simulated world's pumps
 * and for `smtpsim live` alike (see world_recorder.h).
 *
 * Texts are written straight into the world's arena without printf: this runs for every
 * command and reply of every session, the hot path of a world run.
 */
#include "core/world/world_recorder.h"

#include <stdio.h>
#include <string.h>

#include "core/smtp/smtp_reply.h"
#include "core/world/world_internal.h"

#define RECORD_TEXT_MAX 300 /* bytes of a line kept in a step's text */

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
