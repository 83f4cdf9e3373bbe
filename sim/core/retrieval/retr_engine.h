/* retr_engine.h - the four retrieval engines (POP3 and IMAP, server and client) behind one table
 * of operations, so a driver (the simulated world's retrieval hop, the real-socket retrieval
 * server) runs any of them with the same code.
 *
 * Each table only forwards to the engine's own public API (see pop3_server.h for the contract);
 * the void * is the engine the matching *_new returned. The tables are written once, here,
 * instead of once per driver.
 */
#ifndef RETR_ENGINE_H
#define RETR_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/retrieval/mailbox.h"
#include "core/retrieval/retr_event.h"

typedef struct {
    int (*feed)(void *e, const void *bytes, size_t n, uint64_t now_ms);
    void (*tick)(void *e, uint64_t now_ms);
    uint64_t (*deadline)(const void *e);
    size_t (*output)(const void *e, const char **buf);
    void (*consumed)(void *e, size_t n);
    int (*next_event)(void *e, retr_event *ev);
    void (*tls_started)(void *e, uint64_t now_ms);
    bool (*done)(const void *e);
    void (*free)(void *e);
} retr_engine_ops;

extern const retr_engine_ops retr_engine_pop3_server;
extern const retr_engine_ops retr_engine_pop3_client;
extern const retr_engine_ops retr_engine_imap_server;
extern const retr_engine_ops retr_engine_imap_client;

/* retr_engine_server_new - a POP3 server, or an IMAP one when imap is true, with the engine's
 * defaults but for these settings (hostname NULL: the default name); see pop3_server_new and
 * imap_server_new for implicit_tls. The engine runs with retr_engine_pop3_server or
 * retr_engine_imap_server. NULL on no memory. */
void *retr_engine_server_new(bool imap, const char *hostname, mailbox_provider provider,
                             bool tls_available, bool allow_plaintext, bool implicit_tls,
                             uint64_t now_ms);

#endif
