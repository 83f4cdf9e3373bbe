/* net_mailfolder.h - Maildir++ folders on disk: the directories under a user's Maildir that
 * hold "Sent", "Trash" or "Archive.2026", and the user's subscription list.
 *
 * Layout (the Maildir++ convention Courier and Dovecot use): folder NAME of the Maildir USERDIR
 * is USERDIR/.NAME/{cur,new,tmp} with an empty "maildirfolder" file; the levels of a name are
 * separated by "." and every level is a directory of its own (".Archive" and ".Archive.2026").
 * Subscriptions are USERDIR/subscriptions, one name a line, replaced atomically.
 *
 * Only the file system is here: net_mailstore.c opens folders as mailboxes and refuses to
 * delete or rename one that a session has open. Names are checked with mailbox_name_check
 * first, so none can climb out of USERDIR.
 */
#ifndef NET_MAILFOLDER_H
#define NET_MAILFOLDER_H

#include <stdbool.h>

#include "core/retrieval/mailbox.h"

/* net_mailfolder_exists - does folder name exist (its cur/ is a directory)? */
bool net_mailfolder_exists(const char *userdir, const char *name);
/* net_mailfolder_list - the folders of userdir (names that pass mailbox_name_check); 0 or -1 */
int net_mailfolder_list(const char *userdir, mailbox_names *out);
/* net_mailfolder_create - name and its missing parent levels (RFC 9051 6.3.4) */
mailbox_fstatus net_mailfolder_create(const char *userdir, const char *name);
/* net_mailfolder_remove - a folder with its messages; refused while it has subfolders.
 * It is first renamed out of sight (into USERDIR/tmp), so readers never see half of it. */
mailbox_fstatus net_mailfolder_remove(const char *userdir, const char *name);
/* net_mailfolder_rename - a folder and its subfolders; the UID list goes with each */
mailbox_fstatus net_mailfolder_rename(const char *userdir, const char *from, const char *to);
/* net_mailfolder_subscriptions - the subscribed names; 0 or -1 */
int net_mailfolder_subscriptions(const char *userdir, mailbox_names *out);
/* net_mailfolder_subscribe - add (on) or remove a name */
mailbox_fstatus net_mailfolder_subscribe(const char *userdir, const char *name, bool on);

#endif
