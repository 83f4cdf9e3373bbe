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
 * i at once and shifts the later ones down by one. `append` adds a message with the next UID.
 *
 * Folders (RFC 9051 5.1): besides INBOX a user may have named mailboxes ("Sent", "Trash",
 * "Archive.2026"), with "." between hierarchy levels as in Maildir++. A provider that offers
 * them fills in `folders`; without it the user has INBOX only. INBOX is special: its name is
 * case-insensitive, it always exists and it cannot be deleted.
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
    /* add a message (CRLF or LF line ends) with these flags and INTERNALDATE (date < 0: now,
     * by the store's clock); *uid gets its UID. 0 or -1. NULL when the mailbox takes no new
     * messages from a reader. */
    int (*append)(void *ctx, const char *data, size_t len, unsigned flags, int64_t date,
                  uint32_t *uid);
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

/* Folder names: at most this many octets; folders per user at most MAILBOX_FOLDERS_MAX. */
#define MAILBOX_NAME_MAX 100
#define MAILBOX_FOLDERS_MAX 200
#define MAILBOX_DELIM '.'

/* What a folder operation found; the IMAP server turns each into its response code. */
typedef enum {
    MAILBOX_F_OK = 0,
    MAILBOX_F_EXISTS,      /* the name is taken: NO [ALREADYEXISTS] (RFC 5530 3) */
    MAILBOX_F_NONEXISTENT, /* no such folder: NO [NONEXISTENT] */
    MAILBOX_F_BADNAME,     /* not a name we can store: NO [CANNOT] */
    MAILBOX_F_NONASCII,    /* modified UTF-7 or 8-bit (RFC 3501 5.1.3): NO [CANNOT] */
    MAILBOX_F_INBOX,       /* INBOX cannot be deleted, and has no subfolders here */
    MAILBOX_F_INUSE,       /* open in a session: NO [INUSE] */
    MAILBOX_F_CHILDREN,    /* DELETE of a folder that has subfolders: NO [CANNOT] */
    MAILBOX_F_LIMIT,       /* too many folders: NO [LIMIT] */
    MAILBOX_F_FAIL,        /* a storage error: NO [SERVERBUG] */
} mailbox_fstatus;

/* A list of folder names (owned copies). */
typedef struct {
    char **v;
    size_t n, cap;
} mailbox_names;

/* mailbox_names_add - append a copy of name; 0 or -1 on no memory. */
int mailbox_names_add(mailbox_names *l, const char *name);
/* mailbox_names_find - the index of name (exact), or -1. O(n). */
long mailbox_names_find(const mailbox_names *l, const char *name);
/* mailbox_names_remove - drop name if present. */
void mailbox_names_remove(mailbox_names *l, const char *name);
/* mailbox_names_sort - byte order, so listings are stable. */
void mailbox_names_sort(mailbox_names *l);
void mailbox_names_free(mailbox_names *l);

/* mailbox_is_inbox - "INBOX" in any case (RFC 9051 5.1). */
bool mailbox_is_inbox(const char *name);
/* mailbox_name_check - can name be a folder? Printable ASCII, no wildcards ('*', '%'),
 * no '/', '\\' or '"', no '&' (modified UTF-7, RFC 3501 5.1.3: refused, not decoded), no empty
 * level ("a..b", ".a", "a."), not INBOX or under it, at most MAILBOX_NAME_MAX octets. */
mailbox_fstatus mailbox_name_check(const char *name);

/* mailbox_each_parent - fn for each level above name, top first ("a", "a.b" for "a.b.c"),
 * stopping at the first status that is not MAILBOX_F_OK, which it returns. */
mailbox_fstatus mailbox_each_parent(const char *name,
                                    mailbox_fstatus (*fn)(void *arg, const char *parent),
                                    void *arg);

/* Folder operations of a provider (all for one user; names as the client wrote them, INBOX
 * in any case). Every function is required when the struct is given. */
typedef struct {
    /* the user's folders other than INBOX, in any order; 0 or -1 */
    int (*list)(void *ctx, const char *user, mailbox_names *out);
    /* the user's subscriptions (RFC 9051 6.3.7); 0 or -1 */
    int (*subscriptions)(void *ctx, const char *user, mailbox_names *out);
    mailbox_fstatus (*subscribe)(void *ctx, const char *user, const char *name, bool on);
    /* create name and any missing parent levels (RFC 9051 6.3.4) */
    mailbox_fstatus (*create)(void *ctx, const char *user, const char *name);
    /* delete a folder and its messages (RFC 9051 6.3.5); never INBOX */
    mailbox_fstatus (*remove)(void *ctx, const char *user, const char *name);
    /* rename a folder and its subfolders (RFC 9051 6.3.6); never INBOX */
    mailbox_fstatus (*rename)(void *ctx, const char *user, const char *from, const char *to);
    /* open a folder (or INBOX) shared, as the provider's open does; closed by its close */
    mailbox_open_status (*open)(void *ctx, const char *user, const char *name, mailbox *out);
} mailbox_folder_ops;

typedef struct {
    void *ctx;
    /* true when the password is right. */
    bool (*check_password)(void *ctx, const char *user, const char *password);
    /* open the user's INBOX; exclusive asks for the POP3 maildrop lock. */
    mailbox_open_status (*open)(void *ctx, const char *user, bool exclusive, mailbox *out);
    /* release what open gave (the lock, if any). May be NULL. */
    void (*close)(void *ctx, mailbox *mb);
    /* folders besides INBOX; NULL: INBOX only. */
    const mailbox_folder_ops *folders;
} mailbox_provider;

/* mailbox_find_uid - the current index of the message with this UID, by binary search (UIDs
 * ascend with the index): O(log n). -1 when it is gone. Engines keep UIDs, not indexes, so
 * another session's expunge never makes them touch the wrong message. */
long mailbox_find_uid(const mailbox *mb, uint32_t uid);

/* mailbox_copy_uids - append to dst a copy of each message of src whose UID is in uids (n of
 * them, ascending), keeping its flags and INTERNALDATE (RFC 9051 6.4.7). new_uids[k] gets the
 * copy's UID, or 0 when uids[k] is gone. On a failure the copies already made are expunged
 * again, so dst is as it was (RFC 9051 6.4.7), and -1 is returned; else the number copied. */
long mailbox_copy_uids(const mailbox *src, const mailbox *dst, const uint32_t *uids, size_t n,
                       uint32_t *new_uids);

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

/* mailbox_mem_folder_ops - folders for a mailbox_mem_provider (set its .folders to this):
 * the folders of an account hang off its INBOX mailbox_mem and go with it at
 * mailbox_mem_free. The simulated world leaves them off, so its IMAP servers offer INBOX only
 * and the shipped transcripts stay as they were. */
extern const mailbox_folder_ops mailbox_mem_folder_ops;

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

/* mailbox_mem_provider - a provider over dir (which must outlive the engines using it), with
 * INBOX only (folders NULL). */
mailbox_provider mailbox_mem_provider(mailbox_mem_directory *dir);

#endif
