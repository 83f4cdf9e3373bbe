/* net_mailstore.h - the Maildir that `serve --role mx` writes, seen by the POP3 and IMAP
 * servers through the storage interface of core/retrieval/mailbox.h.
 *
 * Layout (https://cr.yp.to/proto/maildir.html): ROOT/<mailbox>/{tmp,new,cur}. A scan moves
 * every file of new/ into cur/ with the info suffix ":2," (the reader has seen it arrive);
 * flags live in the info letters, sorted (D draft, F flagged, R answered, S seen, T trashed =
 * \Deleted), so mutt and Dovecot read the same state. UIDs (RFC 9051 2.3.1.1) and the
 * UIDVALIDITY are kept in ROOT/<mailbox>/smtpsim-uidlist, replaced atomically
 * (file_write_atomic) before any client sees a new UID, so a UID is never given twice nor to
 * two messages, even across a crash. Scans run under an flock on ROOT/<mailbox>/.smtpsim-lock,
 * so two server processes (IMAP and POP3) over the same Maildir agree on UIDs.
 *
 * Never losing or duplicating a message while the MX delivers: the MX renames complete files
 * into new/ (atomic), a scan renames new/X to cur/X:2, (atomic; a file another process moved
 * first is simply found in cur/), and a message is identified by its unique base name (the
 * part before ':'), never by its position.
 *
 * Sessions of one user in one process share one in-memory mailbox, so a flag set in one IMAP
 * session is seen by the others at their next NOOP or at once in IDLE.
 *
 * Folders (the provider's `folders`): Maildir++ directories ROOT/<mailbox>/.<name>, each a
 * Maildir with its own UID list and lock, made and listed by net_mailfolder.c. APPEND and COPY
 * write a message as the MX does (tmp/, fsync, rename) and rename it into cur/ with its flags.
 * A folder open in a session of this process is not deleted or renamed (NO [INUSE]).
 */
#ifndef NET_MAILSTORE_H
#define NET_MAILSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/retrieval/mailbox.h"
#include "core/smtp/smtp_server.h"

typedef struct net_mailstore net_mailstore;

/* net_mailstore_new - a store over root for these users (name:password pairs; the Maildir
 * mailbox of "bob" or "bob@example.org" is ROOT/bob). users must outlive the store. NULL on no
 * memory. */
net_mailstore *net_mailstore_new(const char *root, const smtp_user *users, size_t n_users);
/* net_mailstore_free - NULL is a no-op; every mailbox must be closed first. */
void net_mailstore_free(net_mailstore *st);

/* net_mailstore_provider - the mailbox_provider the engines use. */
mailbox_provider net_mailstore_provider(net_mailstore *st);

/* net_mailstore_poll - rescan the open mailboxes whose directories changed (new mail from the
 * MX, another process's flags or deletions). Cheap when nothing changed (a few stat calls). */
void net_mailstore_poll(net_mailstore *st);

/* net_mailstore_generation - a counter that moves whenever any open mailbox changed, so a
 * driver knows when to tell its IMAP sessions (imap_server_mailbox_changed). */
unsigned long net_mailstore_generation(const net_mailstore *st);

/* net_mailstore_open_count - mailboxes (INBOXes and folders) open now in sessions. */
size_t net_mailstore_open_count(const net_mailstore *st);

#endif
