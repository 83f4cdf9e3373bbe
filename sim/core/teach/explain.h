/* explain.h - plain-language explanations for what the engines and the world report.
 *
 * Every smtp_event and world step carries a short key ("mail.ok", "rcpt.unknown_user",
 * "dns.mx_query"). This module turns a key into one sentence a student can read, and reply
 * codes and enhanced status codes into their meaning with the RFC that defines them. All text
 * is static; lookups never allocate.
 */
#ifndef EXPLAIN_H
#define EXPLAIN_H

typedef struct {
    const char *key;  /* "mail.ok" */
    const char *text; /* one or two sentences */
    const char *rfc;  /* "RFC 5321 4.1.1.2"; NULL when the engine's tables hold it: use
                         explain_rfc */
} explain_entry;

/* explain_text - the sentence for a key; a generic sentence (never NULL) for unknown keys. */
const char *explain_text(const char *key);

/* explain_find - the whole entry, or NULL when the key is unknown (tests use this). */
const explain_entry *explain_find(const char *key);

/* explain_rfc - the RFC section a key cites: the server engine's command or reply table
 * row for the key when there is one (one table per fact), else this module's; never NULL. */
const char *explain_rfc(const char *key);

/* explain_reply_code - "250: Requested mail action okay, completed" (RFC 5321 4.2.2-4.2.3);
 * class meaning for codes the table lacks; never NULL. */
const char *explain_reply_code(int code);

/* explain_esc - meaning of an enhanced status code "5.1.1" (RFC 3463 / IANA registry);
 * falls back to class.subject meaning; never NULL. */
const char *explain_esc(const char *esc);

/* explain_count / explain_at - iterate the table (for lint and tests). */
int explain_count(void);
const explain_entry *explain_at(int i);

#endif
