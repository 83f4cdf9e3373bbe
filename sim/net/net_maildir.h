/* net_maildir.h - delivery into a Maildir (https://cr.yp.to/proto/maildir.html).
 *
 * A message is written to ROOT/<mailbox>/tmp/<unique>, flushed to disk, then renamed into
 * new/ and the directory entry flushed too: a reader never sees half a message, and a message
 * reported delivered survives a crash. Lines end in LF on disk (the Maildir convention; mutt
 * and Dovecot read it as is), so the CRLF of the SMTP wire form is turned into LF.
 *
 * Two ways to deliver: net_maildir_deliver does it all at once (two fsyncs per message);
 * net_maildir_begin (or _prepare) + net_maildir_commit_batch let a server write many messages
 * and then make them durable together (group commit: one pass of flushes per batch, not per
 * message); commit_batch is commit_files then commit_dirs, which a server may pipeline.
 */
#ifndef NET_MAILDIR_H
#define NET_MAILDIR_H

#include <stdbool.h>
#include <stddef.h>

/* net_maildir_mailbox_name - the directory name for a local-part: lower case, and anything
 * that could escape the Maildir root ('/', a leading '.', control characters) replaced by '_'.
 * 0, or -1 when the local-part is empty or too long. */
int net_maildir_mailbox_name(const char *localpart, char *out, size_t outlen);

/* net_maildir_ensure - create ROOT/<mailbox>/{tmp,new,cur} (0700) as needed. 0 or -1. */
int net_maildir_ensure(const char *root, const char *mailbox);

/* A message on its way into the Maildir: prepared (in memory), written to tmp/, committed. */
typedef struct net_maildir_pending {
    char *buf; /* prepared content not written yet (LF line ends), or NULL */
    size_t len;
    char root[1024];
    char mailbox[128];
    int fd; /* open file in tmp/, -1 when not written or once committed */
    char tmp_path[1024];
    char new_path[1024];
    char dir_path[1024]; /* ROOT/<mailbox>/new, flushed after the rename */
    int tag;             /* the caller's: what this file is for */
    void *user;          /* the caller's */
} net_maildir_pending;

/* net_maildir_prepare - the unique name and the content (header then data, CRLF turned into
 * LF) in memory; no file system access, so a server's loop can do it and leave the writing
 * to net_maildir_commit_batch on another thread. 0 or -1 (no memory, name too long). */
int net_maildir_prepare(const char *root, const char *mailbox, const char *header,
                        size_t header_len, const char *data, size_t data_len,
                        net_maildir_pending *p);

/* net_maildir_begin - prepare, then write header (already LF or CRLF, added as is after conversion)
 * then data (CRLF converted to LF) into a new file in tmp/. Not yet visible, not yet durable. 0, or
 * -1 with nothing left behind. */
int net_maildir_begin(const char *root, const char *mailbox, const char *header, size_t header_len,
                      const char *data, size_t data_len, net_maildir_pending *p);

/* net_maildir_commit_batch - write the prepared ones into tmp/, make every file durable, rename
 * each into new/, fsync each distinct new/ directory once. ok[i] says whether message i is durable
 * in new/. Failed ones are removed from tmp/. Returns the number committed. */
size_t net_maildir_commit_batch(net_maildir_pending *const *p, size_t n, bool *ok);

/* The two halves of net_maildir_commit_batch, so that a server can pipeline them: while one
 * batch waits for its directories to reach the disk, the next batch's data is written and
 * flushed (the two are independent; only each batch's own order matters).
 *   net_maildir_commit_files - write the prepared ones into tmp/, make their data durable,
 *     rename each into new/ (visible, whole, not yet durable there). Sets every ok[i].
 *   net_maildir_commit_dirs - fsync each distinct new/ directory of the ok ones once; a
 *     directory that fails takes its messages back out (ok[i] false). Returns how many are
 *     durable in new/. */
void net_maildir_commit_files(net_maildir_pending *const *p, size_t n, bool *ok);
size_t net_maildir_commit_dirs(net_maildir_pending *const *p, size_t n, bool *ok);

/* net_maildir_abort - remove a message that was begun but must not be delivered. */
void net_maildir_abort(net_maildir_pending *p);

/* net_maildir_deliver - begin + commit for one message; the final path goes to path_out
 * (may be NULL). 0 or -1. */
int net_maildir_deliver(const char *root, const char *mailbox, const char *header,
                        size_t header_len, const char *data, size_t data_len, char *path_out,
                        size_t path_len);

#endif
