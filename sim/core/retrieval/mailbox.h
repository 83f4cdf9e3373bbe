/* mailbox.h - how the POP3 and IMAP server engines see a mailbox: a small storage interface.
 *
 * The engines never touch files. A driver gives them a mailbox_provider (check a password,
 * open a user's mailbox, close it) and each mailbox is a struct of function pointers over its
 * messages: count, size, uid, flags, date, read, set flags, expunge. The simulated world uses
 * the in-memory mailbox below; the real-socket server can put a Maildir behind the same ops.
 *
 * Messages are numbered 0..count-1 here (the engines add 1 for the wire). Content is the
 * message as stored, with CRLF line ends (RFC 5322 2.1; mailbox_mem converts LF on add).
 * UIDs are the IMAP ones (RFC 9051 2.3.1.1): strictly ascending with the index, never reused
 * while uidvalidity stays the same; POP3's UIDL is built from them (RFC 1939 7).
 *
 * Contract: the engine calls ops only from inside its own feed/tick calls; `read` may return a
 * pointer that stays valid until the next call on the same mailbox. `expunge` removes message
 * i at once and shifts the later ones down by one.
 */
#ifndef MAILBOX_H
#define MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flags (RFC 9051 2.3.2 system flags; Maildir info letters S, R, F, T, D). */
enum {
    MAILBOX_SEEN = 1 << 0,
    MAILBOX_ANSWERED = 1 << 1,
    MAILBOX_FLAGGED = 1 << 2,
    MAILBOX_DELETED = 1 << 3,
    MAILBOX_DRAFT = 1 << 4,
    MAILBOX_FLAGS_ALL = (1 << 5) - 1,
};

typedef struct {
    size_t (*count)(void *ctx);
    uint64_t (*size)(void *ctx, size_t i);      /* octets of the content */
    uint32_t (*uid)(void *ctx, size_t i);
    uint32_t (*uidvalidity)(void *ctx);
    uint32_t (*uidnext)(void *ctx);             /* the UID the next message will get */
    unsigned (*flags)(void *ctx, size_t i);
    int64_t (*date)(void *ctx, size_t i);       /* INTERNALDATE: seconds since 1970, UTC */
    int (*read)(void *ctx, size_t i, const char **data, size_t *len); /* 0 or -1 */
    int (*set_flags)(void *ctx, size_t i, unsigned flags);           /* 0 or -1 */
    int (*expunge)(void *ctx, size_t i);                             /* 0 or -1 */
} mailbox_ops;

typedef struct {
    const mailbox_ops *ops;
    void *ctx;
    bool exclusive; /* opened with a lock (POP3, RFC 1939 8) */
} mailbox;

typedef enum {
    MAILBOX_OPEN_OK = 0,
    MAILBOX_OPEN_IN_USE, /* locked by another session: POP3 -ERR [IN-USE] (RFC 2449 8.1.2) */
    MAILBOX_OPEN_FAIL,   /* no such mailbox or storage error */
} mailbox_open_status;

typedef struct {
    void *ctx;
    /* true when the password is right. */
    bool (*check_password)(void *ctx, const char *user, const char *password);
    /* open the user's INBOX; exclusive asks for the POP3 maildrop lock. */
    mailbox_open_status (*open)(void *ctx, const char *user, bool exclusive, mailbox *out);
    /* release what open gave (the lock, if any). May be NULL. */
    void (*close)(void *ctx, mailbox *mb);
} mailbox_provider;

/* mailbox_find_uid - the current index of the message with this UID, by binary search (UIDs
 * ascend with the index): O(log n). -1 when it is gone. Engines keep UIDs, not indexes, so
 * another session's expunge never makes them touch the wrong message. */
long mailbox_find_uid(const mailbox *mb, uint32_t uid);

/* ---- an in-memory mailbox (the simulated world, tests, fuzzing) ------------------------- */

typedef struct mailbox_mem mailbox_mem;

/* mailbox_mem_new - an empty mailbox; NULL on no memory. */
mailbox_mem *mailbox_mem_new(uint32_t uidvalidity);
void mailbox_mem_free(mailbox_mem *mb);

/* mailbox_mem_add - deliver a message (LF line ends become CRLF); it gets the next UID.
 * 0, or -1 on no memory. */
int mailbox_mem_add(mailbox_mem *mb, const char *data, size_t len, int64_t date, unsigned flags);

/* mailbox_mem_get - the mailbox view of mb (exclusive false). */
mailbox mailbox_mem_get(mailbox_mem *mb);

/* mailbox_mem_locked - is the POP3 lock held? */
bool mailbox_mem_locked(const mailbox_mem *mb);

/* A list of accounts, each with its mailbox, as a provider. */
typedef struct {
    const char *user;
    const char *password;
    mailbox_mem *box;
} mailbox_mem_account;

typedef struct {
    const mailbox_mem_account *accounts;
    size_t n;
} mailbox_mem_directory;

/* mailbox_mem_provider - a provider over dir (which must outlive the engines using it). */
mailbox_provider mailbox_mem_provider(mailbox_mem_directory *dir);

#endif
