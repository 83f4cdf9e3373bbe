/* smtp_server_reply.c - the server's reply table: one row per reply the engine can send.
 *
 * A row holds the code, the enhanced status code (RFC 3463), the text, the explanation key and
 * the RFC section that defines the reply, so the handlers say srv_reply(srv, R_MAIL_SYNTAX) and
 * the four cannot drift apart. Rows with a NULL text get it at run time (our host name, the
 * EHLO lines, HELP, a hook's verdict). Enhanced codes follow RFC 2034 4: none on the greeting,
 * on replies to HELO/EHLO, on 354 and on 334 challenges. test_explain checks that every key has
 * an explanation citing the same RFC section.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/smtp/smtp_server_internal.h"

static const smtp_server_reply_info rows[R_COUNT] = {
    /* ---- session ---- */
    [R_GREETING] = {220, "", NULL, "greeting", "RFC 5321 3.1"},
    [R_SHUTDOWN] = {421, "4.3.2", "Service shutting down, closing connection", "session.shutdown",
                    "RFC 5321 3.8"},
    [R_TIMEOUT] = {421, "4.4.2", "Error: timeout exceeded, closing connection",
                   "session.timeout", "RFC 5321 4.5.3.2.7"},
    [R_HARD_ERRORS] = {421, "4.7.0", "Too many errors, closing connection", "errors.hard_limit",
                       "RFC 5321 3.8"},
    [R_INTERNAL_ERROR] = {451, "4.3.0", "Local error in processing, try again later",
                          "session.internal_error", "RFC 5321 4.2.2"},
    [R_BAD_VERDICT] = {451, "4.3.0", "Local policy error, try again later", "policy.bad_verdict",
                       "RFC 5321 4.2.2"},
    [R_INPUT_OVERFLOW] = {421, "4.7.0", "Too much pipelined input, closing connection",
                          "session.hold_overflow", "RFC 2920 3.1"},
    /* ---- lines and sequence ---- */
    [R_LINE_TOO_LONG] = {500, "5.5.6", "Line too long", "line.too_long", "RFC 5321 4.5.3.1.4"},
    [R_AUTH_LINE_TOO_LONG] = {500, "5.5.6", "Authentication exchange line is too long",
                              "auth.line_too_long", "RFC 4954 4"},
    [R_BARE_LF] = {500, "5.5.2", "Bare LF received, lines must end with CRLF", "line.bare_lf",
                   "RFC 5321 2.3.8"},
    [R_AUTH_BARE_LF] = {501, "5.5.2", "Bare LF received, lines must end with CRLF",
                        "line.bare_lf", "RFC 5321 2.3.8"},
    [R_EMPTY] = {500, "5.5.2", "Empty command", "cmd.empty", "RFC 5321 4.1.1"},
    [R_UNKNOWN] = {500, "5.5.2", "Command unrecognized", "cmd.unknown", "RFC 5321 4.2.4"},
    [R_NEED_HELO] = {503, "5.5.1", "Send HELO/EHLO first", "seq.need_helo", "RFC 5321 4.1.4"},
    [R_TLS_REQUIRED] = {530, "5.7.0", "Must issue a STARTTLS command first", "tls.required",
                        "RFC 3207 4"},
    [R_NO_ARGS] = {501, "5.5.4", "Syntax error: no arguments allowed", "syntax.no_args",
                   "RFC 5321 4.1.1"},
    [R_ARG_REQUIRED] = {501, "5.5.4", "Syntax error: argument required", "syntax.arg_required",
                        "RFC 5321 4.1.1"},
    /* ---- HELO, EHLO ---- */
    [R_HELO_SYNTAX] = {501, "", "Syntax: HELO hostname", "helo.syntax", "RFC 5321 4.1.1.1"},
    [R_EHLO_SYNTAX] = {501, "", "Syntax: EHLO hostname", "helo.syntax", "RFC 5321 4.1.1.1"},
    [R_HELO_OK] = {250, "", NULL, "helo.ok", "RFC 5321 4.1.1.1"},
    [R_EHLO_OK] = {250, "", NULL, "ehlo.ok", "RFC 5321 4.1.1.1"},
    /* ---- MAIL ---- */
    [R_MAIL_NESTED] = {503, "5.5.1", "Nested MAIL command", "mail.nested", "RFC 5321 4.1.4"},
    [R_MAIL_AUTH_REQUIRED] = {530, "5.7.0", "Authentication required", "mail.auth_required",
                              "RFC 4954 6"},
    [R_MAIL_SYNTAX] = {501, "5.5.4", "Syntax: MAIL FROM:<address>", "mail.syntax",
                       "RFC 5321 4.1.1.2"},
    [R_MAIL_BAD_PATH] = {501, "5.1.7", "Bad sender address syntax", "mail.syntax",
                         "RFC 5321 4.1.2"},
    [R_MAIL_PARAM_UNKNOWN] = {555, "5.5.4", "Unsupported parameter", "mail.param_unknown",
                              "RFC 5321 4.1.1.11"},
    [R_MAIL_PARAM_SYNTAX] = {501, "5.5.4", "Bad parameter syntax", "mail.param_bad",
                             "RFC 5321 4.1.2"},
    [R_MAIL_BAD_SIZE] = {501, "5.5.4", "Bad SIZE parameter", "mail.param_bad", "RFC 1870 6"},
    [R_MAIL_BAD_BODY] = {501, "5.5.4", "Bad BODY parameter", "mail.param_bad", "RFC 6152 2"},
    [R_MAIL_BAD_SMTPUTF8] = {501, "5.5.4", "SMTPUTF8 takes no value", "mail.param_bad",
                             "RFC 6531 3.4"},
    [R_MAIL_BAD_RET] = {501, "5.5.4", "Bad RET parameter", "mail.param_bad", "RFC 3461 4.3"},
    [R_MAIL_BAD_ENVID] = {501, "5.5.4", "Bad ENVID parameter", "mail.param_bad", "RFC 3461 4.4"},
    [R_MAIL_BAD_AUTH] = {501, "5.5.4", "Bad AUTH parameter", "mail.param_bad", "RFC 4954 5"},
    [R_MAIL_UTF8_REQUIRED] = {550, "5.6.7", "Non-ASCII address requires SMTPUTF8",
                              "mail.utf8_required", "RFC 6531 3.5"},
    [R_MAIL_SIZE_EXCEEDED] = {552, "5.3.4", "Message size exceeds fixed maximum message size",
                              "mail.size_exceeded", "RFC 1870 6.1"},
    [R_MAIL_REJECTED] = {550, "5.7.1", "Rejected by policy", "mail.rejected", "RFC 5321 4.1.1.2"},
    [R_MAIL_OK] = {250, "2.1.0", "Ok", "mail.ok", "RFC 5321 4.1.1.2"},
    [R_MAIL_NULL_SENDER] = {250, "2.1.0", "Ok", "mail.null_sender", "RFC 5321 4.5.5"},
    [R_PATH_LOCAL_TOO_LONG] = {501, "5.5.4", "Local-part too long", "path.local_too_long",
                               "RFC 5321 4.5.3.1.1"},
    [R_PATH_DOMAIN_TOO_LONG] = {501, "5.5.4", "Domain too long", "path.domain_too_long",
                                "RFC 5321 4.5.3.1.2"},
    [R_PATH_TOO_LONG] = {501, "5.5.4", "Path too long", "path.too_long", "RFC 5321 4.5.3.1.3"},
    /* ---- RCPT ---- */
    [R_RCPT_NEED_MAIL] = {503, "5.5.1", "Need MAIL before RCPT", "rcpt.need_mail",
                          "RFC 5321 4.1.4"},
    [R_RCPT_SYNTAX] = {501, "5.5.4", "Syntax: RCPT TO:<address>", "rcpt.syntax",
                       "RFC 5321 4.1.1.3"},
    [R_RCPT_BAD_PATH] = {501, "5.1.3", "Bad recipient address syntax", "rcpt.syntax",
                         "RFC 5321 4.1.2"},
    [R_RCPT_PARAM_UNKNOWN] = {555, "5.5.4", "Unsupported parameter", "rcpt.param_unknown",
                              "RFC 5321 4.1.1.11"},
    [R_RCPT_PARAM_SYNTAX] = {501, "5.5.4", "Bad parameter syntax", "rcpt.param_bad",
                             "RFC 5321 4.1.2"},
    [R_RCPT_BAD_NOTIFY] = {501, "5.5.4", "Bad NOTIFY parameter", "rcpt.param_bad",
                           "RFC 3461 4.1"},
    [R_RCPT_BAD_ORCPT] = {501, "5.5.4", "Bad ORCPT parameter", "rcpt.param_bad", "RFC 3461 4.2"},
    [R_RCPT_UTF8_REQUIRED] = {553, "5.6.7", "Non-ASCII address requires SMTPUTF8",
                              "rcpt.utf8_required", "RFC 6531 3.5"},
    [R_RCPT_TOO_MANY] = {452, "4.5.3", "Too many recipients", "rcpt.too_many",
                         "RFC 5321 4.5.3.1.10"},
    [R_RCPT_UNKNOWN_USER] = {550, "5.1.1", "User unknown in local recipient table",
                             "rcpt.unknown_user", "RFC 5321 3.3"},
    [R_RCPT_RELAY_DENIED] = {554, "5.7.1", "Relay access denied", "rcpt.relay_denied",
                             "RFC 5321 3.6"},
    [R_RCPT_REJECTED] = {550, "5.7.1", "Rejected by policy", "rcpt.rejected", "RFC 5321 4.1.1.3"},
    [R_RCPT_OK] = {250, "2.1.5", "Ok", "rcpt.ok", "RFC 5321 4.1.1.3"},
    [R_RCPT_POSTMASTER] = {250, "2.1.5", "Ok", "rcpt.postmaster", "RFC 5321 4.5.1"},
    /* ---- DATA ---- */
    [R_DATA_NEED_RCPT] = {503, "5.5.1", "Need RCPT before DATA", "data.need_rcpt",
                          "RFC 5321 4.1.4"},
    [R_DATA_NO_RCPT] = {554, "5.5.1", "No valid recipients", "data.no_rcpt", "RFC 5321 3.3"},
    [R_DATA_START] = {354, "", "End data with <CR><LF>.<CR><LF>", "data.start",
                      "RFC 5321 4.1.1.4"},
    [R_DATA_BARE_LF] = {550, "5.6.0", "Message refused: bare CR or LF in message (RFC 5321 2.3.8)",
                        "data.bare_lf", "RFC 5321 2.3.8"},
    [R_DATA_BARE_CR] = {550, "5.6.0", "Message refused: bare CR or LF in message (RFC 5321 2.3.8)",
                        "data.bare_cr", "RFC 5321 2.3.8"},
    [R_DATA_TOO_BIG] = {552, "5.3.4", "Message size exceeds fixed maximum message size",
                        "data.too_big", "RFC 1870 4"},
    [R_DATA_LINE_TOO_LONG] = {550, "5.6.0", "Message refused: text line longer than the limit",
                              "data.line_too_long", "RFC 5321 4.5.3.1.6"},
    [R_DATA_REJECTED] = {550, "5.7.1", "Rejected by policy", "data.rejected", "RFC 5321 4.1.1.4"},
    [R_DATA_OK] = {250, "2.0.0", "Ok: queued", "data.ok", "RFC 5321 4.1.1.4"},
    /* ---- other commands ---- */
    [R_RSET_OK] = {250, "2.0.0", "Ok", "rset.ok", "RFC 5321 4.1.1.5"},
    [R_NOOP_OK] = {250, "2.0.0", "Ok", "noop.ok", "RFC 5321 4.1.1.9"},
    [R_QUIT_OK] = {221, "2.0.0", "Bye", "quit.ok", "RFC 5321 4.1.1.10"},
    /* RFC 5321 7.3: a site that disables VRFY or EXPN for security MUST answer 252, never a
     * code that could pass for a successful or failed verification */
    [R_VRFY] = {252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery",
                "vrfy.cannot", "RFC 5321 7.3"},
    [R_EXPN] = {252, "2.0.0", "EXPN disabled: list members are not disclosed", "expn.disabled",
                "RFC 5321 7.3"},
    [R_HELP] = {214, "2.0.0", NULL, "help.ok", "RFC 5321 4.1.1.8"},
    /* ---- STARTTLS ---- */
    [R_STARTTLS_ALREADY] = {503, "5.5.1", "TLS already active", "starttls.already",
                            "RFC 3207 4.2"},
    [R_STARTTLS_UNAVAILABLE] = {454, "4.7.0", "TLS not available due to temporary reason",
                                "starttls.unavailable", "RFC 3207 4"},
    /* server policy (as Postfix): RFC 3207 does not forbid STARTTLS here, so no citation */
    [R_STARTTLS_IN_TRANSACTION] = {503, "5.5.1", "MAIL transaction in progress",
                                   "starttls.in_transaction", ""},
    [R_STARTTLS_READY] = {220, "2.0.0", "Ready to start TLS", "starttls.ready", "RFC 3207 4"},
    /* ---- AUTH ---- */
    [R_AUTH_UNAVAILABLE] = {502, "5.5.1", "AUTH not available", "auth.unavailable",
                            "RFC 5321 4.2.4"},
    [R_AUTH_ALREADY] = {503, "5.5.1", "Already authenticated", "auth.already", "RFC 4954 4"},
    [R_AUTH_IN_TRANSACTION] = {503, "5.5.1", "AUTH not permitted during a mail transaction",
                               "auth.in_transaction", "RFC 4954 4"},
    /* RFC 4954 4: a mechanism that is invalid because it requires an encryption layer gets
     * 504; the 538 of RFC 4954 6 is kept there "for historical purposes only" */
    [R_AUTH_ENCRYPTION_REQUIRED] = {504, "5.5.4",
                                    "Authentication mechanism requires an encryption layer: "
                                    "STARTTLS first",
                                    "auth.encryption_required", "RFC 4954 4"},
    [R_AUTH_SYNTAX] = {501, "5.5.4", "Syntax: AUTH mechanism [initial-response]", "auth.syntax",
                       "RFC 4954 4"},
    [R_AUTH_UNKNOWN_MECH] = {504, "5.5.4", "Unrecognized authentication type",
                             "auth.unknown_mechanism", "RFC 4954 4"},
    [R_AUTH_PLAIN_CHALLENGE] = {334, "", "", "auth.plain_challenge", "RFC 4616 2"},
    /* LOGIN's prompts are not in any RFC (draft-murchison-sasl-login) */
    [R_AUTH_LOGIN_USER] = {334, "", "VXNlcm5hbWU6", "auth.login_user",
                           "draft-murchison-sasl-login"},
    [R_AUTH_LOGIN_PASSWORD] = {334, "", "UGFzc3dvcmQ6", "auth.login_password",
                               "draft-murchison-sasl-login"},
    [R_AUTH_OK] = {235, "2.7.0", "Authentication successful", "auth.ok", "RFC 4954 6"},
    [R_AUTH_FAILED] = {535, "5.7.8", "Authentication credentials invalid", "auth.failed",
                       "RFC 4954 6"},
    [R_AUTH_TOO_MANY] = {421, "4.7.0", "Too many authentication failures, closing connection",
                         "auth.too_many_failures", "RFC 5321 3.8"},
    [R_AUTH_CANCELLED] = {501, "5.0.0", "Authentication cancelled", "auth.cancelled",
                          "RFC 4954 4"},
    [R_AUTH_BAD_BASE64] = {501, "5.5.2", "Cannot decode response", "auth.bad_base64",
                           "RFC 4954 4"},
    [R_AUTH_MALFORMED_PLAIN] = {501, "5.5.2", "Malformed PLAIN response", "auth.malformed",
                                "RFC 4616 2"},
    [R_AUTH_MALFORMED_USER] = {501, "5.5.2", "Malformed user name", "auth.malformed",
                               "RFC 4954 4"},
};

/* srv_reply_row - the row of a reply id */
const smtp_server_reply_info *srv_reply_row(reply_id id)
{
    return &rows[id];
}

/* smtp_server_reply_count - rows in the reply table */
int smtp_server_reply_count(void)
{
    return R_COUNT;
}

/* smtp_server_reply_at - one row, NULL out of range */
const smtp_server_reply_info *smtp_server_reply_at(int i)
{
    return i >= 0 && i < R_COUNT ? &rows[i] : NULL;
}

/* smtp_verdict_set - a refusal for a hook to return; the engine validates it before use */
void smtp_verdict_set(smtp_verdict *v, int code, const char *esc, const char *fmt, ...)
{
    v->code = code;
    str_copy(v->esc, sizeof v->esc, esc ? esc : "", esc ? strlen(esc) : 0);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(v->text, sizeof v->text, fmt, ap);
    va_end(ap);
    if (n < 0)
        v->text[0] = '\0';
}

/* smtp_verdict_pending - the hook will answer later (smtp_server_resume) */
void smtp_verdict_pending(smtp_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->code = SMTP_VERDICT_PENDING;
}

/* smtp_server_error_name - names of the sticky errors, for logs */
const char *smtp_server_error_name(smtp_server_error err)
{
    switch (err) {
    case SMTP_SERVER_OK: return "no error";
    case SMTP_SERVER_ERR_BAD_REPLY: return "malformed reply from the engine";
    case SMTP_SERVER_ERR_BAD_VERDICT: return "malformed verdict from a policy hook";
    case SMTP_SERVER_ERR_NO_MEMORY: return "out of memory";
    case SMTP_SERVER_ERR_HOLD_OVERFLOW: return "too much input while paused";
    }
    return "unknown error";
}
