/* smtp_command.h - SMTP command lines: verbs and the parsers for their arguments.
 *
 * The command table itself (one row per command: verb, syntax, RFC, explanation key, and the
 * server's flags, check and proceed functions) lives with the server engine, which is the only
 * code that acts on commands (smtp_server_command_info). Here: the verb to id lookup, and
 * parsers that are pure
 * functions over (pointer, length): a command line, a path ("<user@example.org>", RFC 5321
 * 4.1.2), and ESMTP parameters ("SIZE=1000 BODY=8BITMIME", RFC 5321 4.1.2 esmtp-param).
 * Nothing here allocates or replies; the server decides what each outcome means.
 */
#ifndef SMTP_COMMAND_H
#define SMTP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SMTP_CMD_UNKNOWN = 0,
    SMTP_CMD_HELO,
    SMTP_CMD_EHLO,
    SMTP_CMD_MAIL,
    SMTP_CMD_RCPT,
    SMTP_CMD_DATA,
    SMTP_CMD_RSET,
    SMTP_CMD_NOOP,
    SMTP_CMD_QUIT,
    SMTP_CMD_VRFY,
    SMTP_CMD_EXPN,
    SMTP_CMD_HELP,
    SMTP_CMD_STARTTLS,
    SMTP_CMD_AUTH,
    SMTP_CMD_COUNT
} smtp_command_id;

/* The public part of a command table row (see smtp_server_command_info). */
typedef struct {
    smtp_command_id id;
    const char *verb;   /* "MAIL" */
    const char *syntax; /* "MAIL FROM:<reverse-path> [SP <mail-parameters>]" */
    const char *rfc;    /* "RFC 5321 4.1.1.2" */
    const char *key;    /* explanation key of the command ("cmd.mail") */
    const char *what;   /* one line for students */
} smtp_command_info;

/* Longest verb we keep (STARTTLS is 8); longer words are unknown commands. */
#define SMTP_VERB_MAX 15

typedef struct {
    smtp_command_id id;
    char verb[SMTP_VERB_MAX + 1]; /* upper-cased, "" for an empty line */
    const char *arg;              /* after the verb and its separating space; trailing blanks cut */
    size_t arg_len;
    bool has_arg;                 /* something followed the verb */
} smtp_command;

/* smtp_command_lookup - id for a verb (case-insensitive, len bytes), SMTP_CMD_UNKNOWN if none.
 * O(1): a switch on the length and first letter, then at most two 4-8 octet comparisons. */
smtp_command_id smtp_command_lookup(const char *verb, size_t len);

/* smtp_command_parse - split a command line (CRLF already removed) into verb and argument.
 * Always succeeds; an unknown verb gives SMTP_CMD_UNKNOWN with the verb copied (truncated). */
void smtp_command_parse(const char *line, size_t len, smtp_command *out);

/* Outcomes of smtp_path_parse, from best to worst. */
typedef enum {
    SMTP_PATH_OK = 0,
    SMTP_PATH_SYNTAX,         /* not "<...>", bad local-part or domain */
    SMTP_PATH_LOCAL_TOO_LONG, /* local-part over the limit (RFC 5321 4.5.3.1.1) */
    SMTP_PATH_DOMAIN_TOO_LONG,/* domain over the limit (4.5.3.1.2) */
    SMTP_PATH_TOO_LONG,       /* path over the limit (4.5.3.1.3) */
} smtp_path_status;

/* Room for the longest path any limit allows (smtp_limits.c: path max 2048). */
#define SMTP_PATH_BUF 2050

typedef struct {
    char addr[SMTP_PATH_BUF]; /* without < >, source route dropped; "" for <> */
    size_t local_len;         /* bytes of the local-part in addr (quotes included) */
    size_t domain_off;        /* offset of the domain in addr (after '@'), or addr length */
    bool null_path;           /* <> (RFC 5321 4.5.5) */
    bool postmaster;          /* <postmaster> without a domain (RFC 5321 4.1.1.3) */
    bool non_ascii;           /* UTF-8 in the address: needs SMTPUTF8 (RFC 6531 3.3) */
} smtp_path;

typedef struct {
    size_t local_part, domain, path; /* octet limits (RFC 5321 4.5.3.1.1-3) */
} smtp_path_limits;

/* smtp_path_parse - parse "<path>" at s (len bytes). allow_null: <> is acceptable (MAIL);
 * allow_postmaster: <postmaster> alone is acceptable (RCPT). *used is set to the bytes eaten
 * (the closing '>'), so parameters follow. Non-ASCII UTF-8 is accepted lexically and flagged. */
smtp_path_status smtp_path_parse(const char *s, size_t len, bool allow_null, bool allow_postmaster,
                                 const smtp_path_limits *lim, smtp_path *out, size_t *used);

/* smtp_param_next - iterate "KEY[=VALUE]" words separated by spaces in (*s, *len). Returns 1 and
 * fills key/val (val_len 0 and has_val false for "KEY"), 0 at the end, -1 on a syntax error
 * (RFC 5321 4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"), value has no SP,
 * "=" or controls). */
int smtp_param_next(const char **s, size_t *len, const char **key, size_t *key_len,
                    const char **val, size_t *val_len, bool *has_val);

/* smtp_xtext_valid - RFC 3461 4: xchar (33..126 except '+' and '=') or "+" two upper hex. */
bool smtp_xtext_valid(const char *s, size_t len);


/* smtp_domain_valid - RFC 5321 4.1.2 Domain (sub-domain *("." sub-domain)) or an
 * address-literal "[...]"; allow_utf8 admits U-labels (RFC 6531 3.3). */
bool smtp_domain_valid(const char *s, size_t len, bool allow_utf8);

/* smtp_ieq - ASCII case-insensitive comparison of s (len bytes) with the NUL-terminated lit. */
bool smtp_ieq(const char *s, size_t len, const char *lit);

#endif
