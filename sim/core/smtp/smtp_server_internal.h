/* smtp_server_internal.h - what the files of the server engine share, and nobody else sees.
 *
 * The engine is one module in four files: smtp_server.c (the session: buffers, events, the
 * state and reply funnels, input, pause/resume, the public API), smtp_server_cmd.c (the command
 * table and the check_/proceed_ handlers, with the MAIL/RCPT parameter table),
 * smtp_server_auth.c (the AUTH exchange) and smtp_server_data.c (the DATA reader and the end
 * of a message). The reply table (one row per reply the engine can send) is in
 * smtp_server_reply.c. Functions here are prefixed srv_ and have no meaning outside.
 */
#ifndef SMTP_SERVER_INTERNAL_H
#define SMTP_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/smtp/smtp_command.h"
#include "core/smtp/smtp_server.h"
#include "core/util/membuf.h"
#include "core/util/str_util.h"

/* ---- limits and sizes ---------------------------------------------------------------- */

#define OUT_INIT 1024        /* output buffer: a few replies */
#define ARENA_INIT 4096      /* event bytes: one feed's worth of commands and replies */
#define EVQ_INIT 32          /* queued events before the first growth */
#define DATA_INIT 4096       /* message content: a typical small message */
#define STORE_INIT 512       /* recipient strings */
#define RCPT_INIT 8          /* recipients before the arrays move to the heap */
#define NAME_MAX_LEN 255     /* helo argument, host name and user names we keep */
#define ENVID_MAX 100        /* RFC 3461 4.4: ENVID is at most 100 characters */
#define ORCPT_MAX 500        /* RFC 3461 4.2: ORCPT is at most 500 characters */
#define SIZE_DIGITS_MAX 20   /* RFC 1870 5: size-value is 1*20DIGIT */
#define AUTH_DECODED_MAX 1024 /* decoded SASL responses up to this size need no allocation */
#define NOTIFY_MAX 40        /* "SUCCESS,FAILURE,DELAY" and a little room */

#define HIDDEN "<credentials hidden>"

enum { MECH_NONE, MECH_PLAIN, MECH_LOGIN };

/* Which hook the session is paused in (smtp_server_paused). */
typedef enum { PAUSE_NONE, PAUSE_MAIL, PAUSE_RCPT, PAUSE_ACCEPT } pause_kind;

/* ---- the reply table ------------------------------------------------------------------ */

/* One row per reply the engine can send (smtp_server_reply.c). Rows with a NULL text take it at
 * run time (host name, EHLO lines, a hook's verdict). */
typedef enum {
    R_GREETING, R_SHUTDOWN, R_TIMEOUT, R_HARD_ERRORS, R_INTERNAL_ERROR, R_BAD_VERDICT,
    R_INPUT_OVERFLOW,
    R_LINE_TOO_LONG, R_AUTH_LINE_TOO_LONG, R_BARE_LF, R_AUTH_BARE_LF, R_EMPTY, R_UNKNOWN,
    R_NEED_HELO, R_TLS_REQUIRED, R_NO_ARGS, R_ARG_REQUIRED,
    R_HELO_SYNTAX, R_EHLO_SYNTAX, R_HELO_OK, R_EHLO_OK,
    R_MAIL_NESTED, R_MAIL_AUTH_REQUIRED, R_MAIL_SYNTAX, R_MAIL_BAD_PATH, R_MAIL_PARAM_UNKNOWN,
    R_MAIL_PARAM_SYNTAX, R_MAIL_BAD_SIZE, R_MAIL_BAD_BODY, R_MAIL_BAD_SMTPUTF8, R_MAIL_BAD_RET,
    R_MAIL_BAD_ENVID, R_MAIL_BAD_AUTH, R_MAIL_UTF8_REQUIRED, R_MAIL_SIZE_EXCEEDED,
    R_MAIL_REJECTED, R_MAIL_OK, R_MAIL_NULL_SENDER,
    R_PATH_LOCAL_TOO_LONG, R_PATH_DOMAIN_TOO_LONG, R_PATH_TOO_LONG,
    R_RCPT_NEED_MAIL, R_RCPT_SYNTAX, R_RCPT_BAD_PATH, R_RCPT_PARAM_UNKNOWN, R_RCPT_PARAM_SYNTAX,
    R_RCPT_BAD_NOTIFY, R_RCPT_BAD_ORCPT, R_RCPT_UTF8_REQUIRED, R_RCPT_TOO_MANY,
    R_RCPT_UNKNOWN_USER, R_RCPT_RELAY_DENIED, R_RCPT_REJECTED, R_RCPT_OK, R_RCPT_POSTMASTER,
    R_DATA_NEED_RCPT, R_DATA_NO_RCPT, R_DATA_START, R_DATA_BARE_LF, R_DATA_BARE_CR,
    R_DATA_TOO_BIG, R_DATA_LINE_TOO_LONG, R_DATA_REJECTED, R_DATA_OK,
    R_RSET_OK, R_NOOP_OK, R_QUIT_OK, R_VRFY, R_EXPN, R_HELP,
    R_STARTTLS_ALREADY, R_STARTTLS_UNAVAILABLE, R_STARTTLS_IN_TRANSACTION, R_STARTTLS_READY,
    R_AUTH_UNAVAILABLE, R_AUTH_ALREADY, R_AUTH_IN_TRANSACTION, R_AUTH_ENCRYPTION_REQUIRED,
    R_AUTH_SYNTAX, R_AUTH_UNKNOWN_MECH, R_AUTH_PLAIN_CHALLENGE, R_AUTH_LOGIN_USER,
    R_AUTH_LOGIN_PASSWORD, R_AUTH_OK, R_AUTH_FAILED, R_AUTH_TOO_MANY, R_AUTH_CANCELLED,
    R_AUTH_BAD_BASE64, R_AUTH_MALFORMED_PLAIN, R_AUTH_MALFORMED_USER,
    R_COUNT
} reply_id;

/* srv_reply_row - the row of a reply id (always valid for id < R_COUNT). */
const smtp_server_reply_info *srv_reply_row(reply_id id);

/* ---- buffers -------------------------------------------------------------------------- */

/* The session's byte buffers are membufs (membuf.h) that start in storage inside the session
 * (inline) and move to the heap only when they outgrow it, so a typical session makes a single
 * allocation. */

typedef struct {
    smtp_event ev;
    size_t off; /* bytes: offset into the arena (pointers are made at next_event) */
} ev_slot;

/* Incremental scanner state for the message content (RFC 5321 4.1.1.4, 4.5.2). */
typedef struct {
    size_t line_len;  /* wire octets of the current line so far, CRLF excluded */
    uint64_t size;    /* content octets after dot removal, CRLFs included (RFC 1870) */
    bool line_start;  /* the next byte starts a line */
    bool cr_pending;  /* the last byte was CR; is the next LF? */
    bool dot_line;    /* the current line began with a '.' (removed) */
    bool bare_lf, bare_cr, line_too_long, too_big;
} data_scan_state;

/* MAIL and RCPT parameters being checked: committed to the transaction only when the whole
 * command is good (check_mail, check_rcpt). */
typedef struct {
    unsigned seen;      /* bit per parameter table row */
    uint64_t size;
    char body[12];
    char ret[8];
    char envid[ENVID_MAX + 1];
    char notify[NOTIFY_MAX];
} param_stage;

struct smtp_server {
    smtp_server_config cfg; /* copy; strings still belong to the driver */
    smtp_peer peer;
    smtp_server_state state;
    uint64_t now, last_activity;
    smtp_server_error error; /* sticky: the first internal error (smtp_server_last_error) */

    /* session */
    bool greeted, esmtp, tls, authed, soft_flagged, oom;
    unsigned errors, auth_failures;
    uint64_t rcpt_overshoot; /* RCPTs refused with 452 4.5.3 in this session */
    int auth_mech, auth_step;
    char verb[SMTP_VERB_MAX + 1]; /* verb being answered, for REPLY events */

    /* a policy hook answered "pending": input is held until smtp_server_resume */
    pause_kind paused;
    bool held_overflow; /* more input came than the hold buffer takes */

    /* transaction */
    bool in_mail, smtputf8;
    uint64_t declared_size;
    char body[12];
    char dsn_ret[8];
    membuf rcpt_store;          /* "addr\0notify\0" per recipient */
    bool rcpt_heap;           /* the three arrays below were malloc'ed */
    size_t *rcpt_off;         /* offset of each recipient's addr in rcpt_store */
    const char **rcpt_ptr;    /* derived: rebuilt from offsets when rcpt_store moves */
    const char **notify_ptr;
    size_t n_rcpts, rcpt_cap, ptr_built;
    const char *ptr_base;
    membuf data;
    data_scan_state d;

    /* input line */
    char *line;
    size_t line_len, line_total, line_cap;

    /* input held while paused (heap, allocated on the first pause that needs it) */
    membuf held;

    /* output and events */
    membuf out;
    size_t out_start;
    ev_slot *evq;
    size_t ev_head, ev_count, ev_cap;
    bool evq_heap;
    membuf arena;
    smtp_envelope env;

    /* Large members last: smtp_server_new zeroes only what comes before them. */
    param_stage ps;                /* scratch between check_* and proceed_* */
    char mail_from[SMTP_PATH_BUF]; /* the reverse-path of the transaction */
    char hostname[NAME_MAX_LEN + 1];
    char helo[NAME_MAX_LEN + 1];
    char auth_user[NAME_MAX_LEN + 1];
    char login_user[NAME_MAX_LEN + 1];
    char dsn_envid[ENVID_MAX + 1];
    smtp_path path;                /* scratch: the path check_mail/check_rcpt just parsed */
    char line_inline[512];         /* the input line, for the usual 512-octet limit */
    /* first storage of the buffers (membuf_init_inline) */
    char out_inline[OUT_INIT];
    char arena_inline[ARENA_INIT];
    char data_inline[DATA_INIT];
    char store_inline[STORE_INIT];
    ev_slot evq_inline[EVQ_INIT];
    size_t rcpt_off_inline[RCPT_INIT];
    const char *rcpt_ptr_inline[RCPT_INIT];
    const char *notify_ptr_inline[RCPT_INIT];
};

/* Outcome of a check_* that may ask a policy hook (the hook may answer "pending"). */
enum { CHECK_OK = 0, CHECK_FAIL = -1, CHECK_PENDING = 1 };

/* ---- smtp_server.c: buffers, events, funnels ------------------------------------------ */

void *srv_grow_block(smtp_server *srv, void *p, size_t old_bytes, size_t new_bytes, bool heap);
int srv_sbuf_append(smtp_server *srv, membuf *b, const void *bytes, size_t n);
smtp_event *srv_ev_push(smtp_server *srv, smtp_event_kind kind, smtp_dir dir, const char *bytes,
                        size_t len, const char *key, const char *rfc);
void srv_ev_error(smtp_server *srv, const char *key, const char *rfc, const char *bytes,
                  size_t len);
void srv_set_state(smtp_server *srv, smtp_server_state to);
smtp_server_state srv_idle_state(const smtp_server *srv);
void srv_fail(smtp_server *srv, smtp_server_error err);

/* srv_reply - the row as it is; srv_reply_text - the row with a run-time text;
 * srv_reply_lines - a multi-line reply; srv_reply_verdict - a hook's refusal, under the key and
 * RFC of the row; srv_reply_uncounted - a reply that is not a client error (RFC 5321 7.8). */
void srv_reply(smtp_server *srv, reply_id id);
void srv_reply_text(smtp_server *srv, reply_id id, const char *text);
void srv_reply_lines(smtp_server *srv, reply_id id, const char *const *lines, size_t n);
void srv_reply_verdict(smtp_server *srv, reply_id id, const smtp_verdict *v);
void srv_reply_uncounted(smtp_server *srv, reply_id id);
void srv_close_session(smtp_server *srv);
void srv_env_sync(smtp_server *srv);
void srv_reset_transaction(smtp_server *srv);

/* ---- smtp_server_cmd.c ---------------------------------------------------------------- */

/* srv_dispatch - run one parsed command through its row: flags, check, proceed. Returns
 * CHECK_PENDING when a hook paused the session (nothing answered yet). */
int srv_dispatch(smtp_server *srv, const smtp_command *cmd);
/* srv_command_key - explain key of a received command ("cmd.mail"; "cmd.unknown"). */
const char *srv_command_key(smtp_command_id id);
/* srv_command_rfc - where a command is defined (a generic section for unknown ones). */
const char *srv_command_rfc(smtp_command_id id);
/* srv_resume_mail / srv_resume_rcpt - a paused MAIL or RCPT gets its final verdict. */
void srv_resume_mail(smtp_server *srv, const smtp_verdict *v);
void srv_resume_rcpt(smtp_server *srv, const smtp_verdict *v);
bool srv_auth_available(const smtp_server *srv);

/* ---- smtp_server_auth.c --------------------------------------------------------------- */

int srv_check_auth(smtp_server *srv, const smtp_command *cmd);
void srv_proceed_auth(smtp_server *srv, const smtp_command *cmd);
void srv_auth_response(smtp_server *srv, const char *line, size_t len);
void srv_auth_abort(smtp_server *srv, reply_id id);

/* ---- smtp_server_data.c --------------------------------------------------------------- */

/* srv_data_start - reset the scanner after 354. */
void srv_data_start(smtp_server *srv);
/* srv_data_scan - message bytes; *ended after CRLF.CRLF. Returns the bytes used. */
size_t srv_data_scan(smtp_server *srv, const char *b, size_t n, bool *ended);
/* srv_finish_message - CRLF.CRLF seen: checks, then the on_accept hook. CHECK_PENDING when the
 * hook paused the session. */
int srv_finish_message(smtp_server *srv);
/* srv_resume_accept - a paused end of DATA gets its final verdict. */
void srv_resume_accept(smtp_server *srv, const smtp_verdict *v);

#endif
