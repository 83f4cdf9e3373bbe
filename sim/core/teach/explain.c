/* explain.c - the sentences students read: event keys, reply codes, enhanced status codes.
 *
 * One static table of keys, in sections per engine (server, client, ...); the POP3 and IMAP
 * keys are in a second table, explain_retr.c, which explain_find searches too. An entry's rfc
 * is "" when the behaviour is server policy rather than a rule of any RFC, and ENGINE (NULL) when
 * the server engine's command or reply table holds the section: one table per fact, so the
 * explanation cannot cite another section than the step it explains (explain_rfc). Each section may grow
 * independently: the table is a single array sized by the compiler, so adding a row anywhere
 * needs no other edit. Lookups are linear over a few hundred rows, O(n) strcmp: cheap next to
 * drawing a frame, and never done on the engines' hot path (engines only store the key).
 */
#include "core/teach/explain.h"

#include <stddef.h>
#include <string.h>

#include "core/smtp/smtp_server.h"
#include "core/teach/explain_retr.h"

/* the server engine's tables hold this key's RFC section (explain_rfc finds it there) */
#define ENGINE NULL

static const explain_entry table[] = {
    /* ---- server keys ---- */
    {"greeting", "The server greets the new connection with 220 and its name: it is ready for "
                 "EHLO. No enhanced status code appears in the greeting (RFC 2034 3 and 4).",
     ENGINE},
    {"cmd.helo", "HELO introduces the client by name; the server will then speak plain SMTP "
                 "without extensions.", ENGINE},
    {"cmd.ehlo", "EHLO introduces the client by name and asks which ESMTP extensions the server "
                 "offers.", ENGINE},
    {"cmd.mail", "MAIL FROM starts a new mail transaction and gives the reverse-path: where "
                 "bounces go.", ENGINE},
    {"cmd.rcpt", "RCPT TO names one recipient; a message can have many, one RCPT each.",
     ENGINE},
    {"cmd.data", "DATA asks to send the message itself (headers, blank line, body).",
     ENGINE},
    {"cmd.rset", "RSET throws away the current transaction (sender, recipients, data) but keeps "
                 "the session.", ENGINE},
    {"cmd.noop", "NOOP does nothing; the server answers 250. Clients use it to keep a "
                 "connection alive or test it.", ENGINE},
    {"cmd.quit", "QUIT ends the session: the server answers 221 and closes the connection.",
     ENGINE},
    {"cmd.vrfy", "VRFY asks whether a mailbox exists. It is in the minimum implementation "
                 "every server MUST provide (RFC 5321 4.5.1), but a site may disable it so "
                 "that spammers cannot harvest addresses, and then it MUST answer 252, "
                 "neither yes nor no (7.3).", ENGINE},
    {"cmd.expn", "EXPN asks for the members of a mailing list. Servers SHOULD support it "
                 "(RFC 5321 3.5.2), but many sites disable it for security, and then they MUST "
                 "answer 252 (7.3).", ENGINE},
    {"cmd.help", "HELP asks the server for human-readable help.", ENGINE},
    {"cmd.starttls", "STARTTLS asks to turn this plain connection into a TLS-encrypted one "
                     "before anything secret is sent.", ENGINE},
    {"cmd.auth", "AUTH starts a login with a SASL mechanism such as PLAIN or LOGIN.",
     ENGINE},
    {"cmd.unknown", "The server does not know this command and answers 500.", ENGINE},
    {"cmd.empty", "An empty line is not a command; the server answers 500.", ENGINE},
    {"helo.ok", "The server accepted HELO and answers with its own name. Plain SMTP: no "
                "extensions such as SIZE or PIPELINING may be used.", ENGINE},
    {"helo.syntax", "HELO and EHLO need exactly one argument: the client's domain name. Only "
                    "EHLO's grammar also allows an address literal such as [192.0.2.1] (RFC 5321 "
                    "4.1.1.1: ehlo = \"EHLO\" SP ( Domain / address-literal ), helo = \"HELO\" "
                    "SP Domain).", ENGINE},
    {"ehlo.ok", "The server accepted EHLO. The first line is its name; each following line "
                "names one extension it offers (PIPELINING, SIZE, STARTTLS, AUTH, ...).",
     ENGINE},
    {"seq.need_helo", "The client must introduce itself with EHLO or HELO before a mail "
                      "transaction: 503 means the commands came in the wrong order.",
     ENGINE},
    {"tls.required", "This server requires TLS before mail or login: the client must send "
                     "STARTTLS first (530).", ENGINE},
    {"syntax.no_args", "This command takes no argument, so the server answers 501 (syntax "
                       "error in parameters).", ENGINE},
    {"syntax.arg_required", "This command needs an argument, so the server answers 501 (syntax "
                            "error in parameters).", ENGINE},
    {"line.too_long", "A command line may be at most 512 octets including CRLF; longer lines "
                      "are answered with 500 and not executed. (AUTH response lines may be "
                      "longer: 12288 octets, RFC 4954 4.)", ENGINE},
    {"line.bare_lf", "Every SMTP line must end with CR LF. A lone LF is refused, because "
                     "servers that accept it can be tricked (SMTP smuggling).",
     ENGINE},
    {"mail.ok", "The server accepted the sender (reverse-path); the transaction has begun and "
                "recipients come next.", ENGINE},
    {"mail.null_sender", "The sender <> is the null reverse-path, used by bounces and other "
                         "notifications so that they can never bounce back.",
     ENGINE},
    {"mail.syntax", "The sender address is not a valid path: it must be in angle brackets, "
                    "like MAIL FROM:<alice@example.org>.", ENGINE},
    {"mail.nested", "A transaction is already open: finish it (DATA) or abort it (RSET) "
                    "before a new MAIL.", ENGINE},
    {"mail.auth_required", "This submission server only takes mail from logged-in users: "
                           "AUTH first (530 5.7.0).", ENGINE},
    {"mail.size_exceeded", "The SIZE the client declared is larger than the server's fixed "
                           "maximum, so it refuses before any data is sent: 552 (RFC 1870 6.1), "
                           "with 5.3.4 \"message too big for system\" (RFC 3463 3.4).",
     ENGINE},
    {"mail.param_unknown", "The server does not support this MAIL or RCPT parameter, or the "
                           "client used parameters after HELO instead of EHLO (555).",
     ENGINE},
    {"mail.param_bad", "A MAIL parameter has a bad value, for example SIZE=abc or "
                       "BODY=9BIT (501).", ENGINE},
    {"mail.utf8_required", "A sender address with non-ASCII characters may only be used when "
                           "MAIL carries the SMTPUTF8 parameter. RFC 6531 3.5 says how to refuse "
                           "it: 550 (mailbox unavailable) at MAIL, 553 (mailbox name not allowed) "
                           "at RCPT, both with the enhanced code X.6.7, \"non-ASCII addresses not "
                           "permitted for that sender/recipient\": here 550 5.6.7 and 553 5.6.7.",
     ENGINE},
    {"mail.rejected", "The server's policy refused this sender, for example because the "
                      "sender's domain does not authorize this client (SPF fail, RFC 7208 8.4). "
                      "Greylisting comes later, at RCPT, once the whole triple (client, sender, "
                      "recipient) is known.", ENGINE},
    {"path.local_too_long", "The local-part (before the @) may be at most 64 octets.",
     ENGINE},
    {"path.domain_too_long", "A domain name may be at most 255 octets.", ENGINE},
    {"path.too_long", "A path, angle brackets included, may be at most 256 octets.",
     ENGINE},
    {"rcpt.ok", "The server accepted this recipient. More RCPT commands may follow, then DATA.",
     ENGINE},
    {"rcpt.postmaster", "Every mail domain must accept mail for postmaster, so that problems "
                        "can always be reported.", ENGINE},
    {"rcpt.syntax", "The recipient address is not a valid path: it must be in angle brackets, "
                    "like RCPT TO:<bob@example.org>.", ENGINE},
    {"rcpt.need_mail", "RCPT comes after MAIL: there is no transaction to add a recipient to.",
     ENGINE},
    {"rcpt.relay_denied", "This server is not the destination for that domain and the client "
                          "is neither logged in nor trusted, so it refuses to relay: open "
                          "relays are abused by spammers.", ENGINE},
    {"rcpt.unknown_user", "The domain is local but no such mailbox exists (550 5.1.1).",
     ENGINE},
    {"rcpt.too_many", "The transaction has reached the server's recipient limit. 452 is a "
                      "temporary answer: send the remaining recipients in another transaction.",
     ENGINE},
    {"rcpt.param_unknown", "The server does not support this RCPT parameter (555).",
     ENGINE},
    {"rcpt.param_bad", "A DSN parameter of RCPT is malformed: NOTIFY takes NEVER or a list of "
                       "SUCCESS, FAILURE, DELAY; ORCPT takes type;address.", ENGINE},
    {"rcpt.utf8_required", "A non-ASCII recipient needs a transaction started with "
                           "MAIL ... SMTPUTF8; without it RFC 6531 3.5 has the server answer "
                           "553 (mailbox name not allowed) with X.6.7 (553 5.6.7).", ENGINE},
    {"rcpt.rejected", "The server's policy refused this recipient.", ENGINE},
    {"data.start", "354: the server is ready for the message. It ends with a line holding "
                   "only a dot (CRLF.CRLF); lines that begin with a dot get one extra dot.",
     ENGINE},
    {"data.content", "The message travels as lines of text after DATA, dot-stuffed.",
     "RFC 5321 4.5.2"},
    {"data.need_rcpt", "DATA needs an open transaction (MAIL, then at least one RCPT).",
     ENGINE},
    {"data.no_rcpt", "MAIL was accepted but no recipient was, so there is nobody to deliver "
                     "the data to (554).", ENGINE},
    {"data.message", "The whole message has arrived and the server takes responsibility for "
                     "delivering it.", "RFC 5321 4.1.1.4"},
    {"data.ok", "250 after the final dot: the server has accepted the message and is now "
                "responsible for delivering it or sending a bounce.", ENGINE},
    {"data.bare_lf", "The message contains a LF without CR. Only CRLF ends a line, so the "
                     "server refuses the message rather than guess (SMTP smuggling defence).",
     ENGINE},
    {"data.bare_cr", "The message contains a CR without LF. Only CRLF ends a line, so the "
                     "server refuses the message rather than guess (SMTP smuggling defence).",
     ENGINE},
    {"data.too_big", "The message turned out larger than the server's fixed maximum (the SIZE it "
                     "advertised), so it is refused after the data: a message larger than that "
                     "limit is rejected with the permanent 552 (RFC 1870 4; the size counts the "
                     "octets after 354, CRLFs included, 5), with 5.3.4 \"message too big for "
                     "system\" (RFC 3463 3.4).", ENGINE},
    {"data.line_too_long", "A line of message text may be at most 1000 octets including CRLF "
                           "(the dot added for transparency does not count).",
     ENGINE},
    {"data.rejected", "The server's policy refused the message after reading it.",
     ENGINE},
    {"rset.ok", "RSET done: the transaction is gone; the session stays open.",
     ENGINE},
    {"noop.ok", "NOOP answered: the connection is alive.", ENGINE},
    {"quit.ok", "221: the server says goodbye and closes the connection.", ENGINE},
    {"vrfy.cannot", "252: the server will not confirm whether the user exists, but would "
                    "accept mail for them. A site that disables VRFY for security MUST answer "
                    "this way (RFC 5321 7.3; 252 itself is in 3.5.3).", ENGINE},
    {"expn.disabled", "EXPN is switched off on this server, so list members stay private: RFC "
                      "5321 lets a site disable it for security (3.5.2), and such a site MUST "
                      "answer 252, not a code that could be confused with a successful or failed "
                      "expansion (7.3).", ENGINE},
    {"help.ok", "214: human-readable help from the server.", ENGINE},
    {"starttls.ready", "220 to STARTTLS: the next bytes on this connection are the TLS "
                       "handshake.", ENGINE},
    {"starttls.handshake", "Client and server now run the TLS handshake; afterwards the SMTP "
                           "session starts again from EHLO.", "RFC 3207 4.2"},
    {"starttls.discarded", "Bytes sent in plain text behind STARTTLS are thrown away, never run "
                           "inside the TLS session: an attacker could have injected them "
                           "(CVE-2011-0411).", "RFC 3207 4.2"},
    {"starttls.already", "TLS is already active; STARTTLS cannot be used twice (503).",
     ENGINE},
    {"starttls.unavailable", "The server cannot start TLS right now (454).", ENGINE},
    {"starttls.in_transaction", "This server refuses STARTTLS once MAIL has opened a "
                                "transaction (503): finish it or RSET first. That is server "
                                "policy, as in Postfix; RFC 3207 does not forbid it.", ENGINE},
    {"auth.plain_challenge", "334 with empty text: the server waits for the PLAIN credentials, "
                             "base64 of authzid NUL user NUL password.", ENGINE},
    {"auth.login_user", "334 VXNlcm5hbWU6 is base64 for \"Username:\", the first prompt of the "
                        "LOGIN mechanism; the client answers with its user name in base64. LOGIN "
                        "was never an RFC: it is described in draft-murchison-sasl-login (whose "
                        "own prompts are \"User Name\" and \"Password\"); that every 334 line "
                        "is base64 comes from RFC 4954 4.", ENGINE},
    {"auth.login_password", "334 UGFzc3dvcmQ6 is base64 for \"Password:\", LOGIN's second "
                            "prompt (draft-murchison-sasl-login). Base64 is an encoding, not "
                            "encryption: anyone can decode it, hence TLS first.",
     ENGINE},
    {"auth.response", "The client's answer to a 334 challenge, in base64.", "RFC 4954 4"},
    {"auth.ok", "235: the login worked; the server now knows who is sending.", ENGINE},
    {"auth.failed", "535: user name or password wrong.", ENGINE},
    {"auth.cancelled", "The client sent \"*\" to cancel the login; the server answers 501.",
     ENGINE},
    {"auth.bad_base64", "The client's answer is not valid base64 (501).", ENGINE},
    {"auth.malformed", "The decoded credentials do not have the form the mechanism needs.",
     ENGINE},
    {"auth.syntax", "AUTH needs a mechanism name and optionally one initial response.",
     ENGINE},
    {"auth.unknown_mechanism", "The server does not support this SASL mechanism (504).",
     ENGINE},
    {"auth.already", "The client is already logged in; a second AUTH is a sequence error (503).",
     ENGINE},
    {"auth.in_transaction", "AUTH is not allowed once MAIL has started a transaction.",
     ENGINE},
    {"auth.encryption_required", "Sending a password in plain text is refused: use STARTTLS "
                                 "first. A modern server does not offer AUTH before TLS (as this "
                                 "one), and answers a client that tries anyway with 504 5.5.4: "
                                 "RFC 4954 4 gives 504 to a mechanism that is invalid because it "
                                 "is not supported or requires an encryption layer. The older "
                                 "538 5.7.11 is kept in RFC 4954 6 \"for historical purposes "
                                 "only\".", ENGINE},
    {"auth.unavailable", "This server does not offer AUTH at all: 502, the code for a command "
                         "that is recognised but not implemented.", ENGINE},
    {"auth.too_many_failures", "Too many failed logins: the server ends the session with 421 "
                               "to slow down password guessing. How many is server policy; RFC "
                               "5321 7.8 lets a server defend itself, and 421 is how it closes "
                               "(3.8).", ENGINE},
    {"auth.line_too_long", "An AUTH exchange line was longer than the server's authentication "
                           "buffer (12288 octets here, the size RFC 4954 suggests), so the AUTH "
                           "command fails with 500 5.5.6.", ENGINE},
    {"errors.soft_limit", "This client has made many errors. RFC 5321 7.8 lets a server act "
                          "against clients that look like an attack; servers such as Postfix "
                          "start to slow down their replies from here, smtpsim only marks the "
                          "session. How many errors is server policy.", "RFC 5321 7.8"},
    {"errors.hard_limit", "Too many errors: the server ends the session with 421 (a defence RFC "
                          "5321 7.8 allows; the number is server policy). A 452 for too many "
                          "recipients does not count: it is the normal way to say \"send the "
                          "rest later\".", ENGINE},
    {"policy.bad_verdict", "A policy hook returned a malformed reply; the server answered 451 "
                           "instead.", ENGINE},
    {"session.timeout", "The client was silent for longer than the server's timeout (RFC 5321 "
                        "asks servers to wait at least 5 minutes); the server gives up with 421.",
     ENGINE},
    {"session.internal_error", "The server's own code built a reply it must not send (a bug in "
                               "the server, never the client's fault). It answers 451 4.3.0 "
                               "\"local error in processing\" instead, and the client may try "
                               "again later.", ENGINE},
    {"session.hold_overflow", "While the server was waiting for a slow policy check (a DNS "
                              "lookup, a disk flush), the client sent more pipelined input than "
                              "the server keeps. It cannot parse the rest safely, so it closes "
                              "the session with 421.", ENGINE},
    {"session.shutdown", "The server is shutting down: 421 may answer any command.",
     ENGINE},
    {"session.close", "The server closes the connection after sending its last reply.",
     "RFC 5321 3.8"},
    {"state.greeting", "The connection is open; the greeting has not been sent yet.",
     "RFC 5321 3.1"},
    {"state.ready", "The server waits for EHLO (or HELO).", "RFC 5321 4.1.4"},
    {"state.idle", "The server waits for MAIL to start a transaction.", "RFC 5321 3.3"},
    {"state.mail", "Sender accepted; the server waits for RCPT.", "RFC 5321 3.3"},
    {"state.rcpt", "At least one recipient accepted; more RCPT or DATA may follow.",
     "RFC 5321 3.3"},
    {"state.data", "The server is receiving the message until the line with a single dot.",
     "RFC 5321 4.1.1.4"},
    {"state.auth", "An AUTH exchange is running: the next line is the client's answer.",
     "RFC 4954 4"},
    {"state.tls", "The TLS handshake is running; no SMTP is read until it finishes.",
     "RFC 3207 4"},
    {"state.closed", "The session is over.", "RFC 5321 3.8"},
    {"state.unknown", "The server is in a state smtpsim cannot name (a bug if you see it).", ""},

    /* ---- client keys ---- */
    {"client.state", "The sending client moved to its next step; its state follows the command "
                     "it is waiting on.", "RFC 5321 3.3"},
    {"client.greeting", "The client waits for the server's 220 greeting before it says anything.",
     "RFC 5321 3.1"},
    {"client.greeting_refused", "The server answered the connection with 554: no SMTP service "
                                "here. The client gives up on this server (a permanent failure) "
                                "and only sends QUIT.", "RFC 5321 3.1"},
    {"client.ehlo", "The client introduces itself with EHLO; the 250 reply lists the extensions "
                    "the server offers (SIZE, PIPELINING, STARTTLS, AUTH...), which decide what "
                    "the client may use next.", "RFC 5321 4.1.1.1"},
    {"client.helo", "HELO: the old greeting without extensions; the client must now speak plain "
                    "SMTP (no SIZE, no pipelining, no STARTTLS).", "RFC 5321 4.1.1.1"},
    {"client.helo_fallback", "The server did not understand EHLO (500/502), so the client falls "
                             "back to HELO and uses no extensions.", "RFC 5321 3.2"},
    {"client.starttls", "The server listed STARTTLS in its EHLO reply, so the client asks to "
                        "upgrade the connection to TLS. If the server answers 220, the TLS "
                        "handshake starts at once, before any other command.", "RFC 3207 4"},
    {"client.tls_restart", "TLS is up: the client forgets what it learnt in the clear and sends "
                           "EHLO again; the server may offer different extensions now (AUTH, "
                           "often).", "RFC 3207 4.2"},
    {"client.starttls_required", "This client requires TLS, but the server does not offer "
                                 "STARTTLS (or the client cannot run TLS). It sends nothing in "
                                 "the clear and keeps the message queued: a missing STARTTLS "
                                 "is exactly what an attacker stripping it would cause (RFC "
                                 "3207 6; between MTAs, MTA-STS and DANE make TLS required: RFC "
                                 "8461, RFC 7672).",
     "RFC 3207 6"},
    {"client.starttls_declined", "The server refused STARTTLS (454: TLS not available); the "
                                 "client must decide whether to go on. With opportunistic TLS it "
                                 "carries on without encryption.", "RFC 3207 4"},
    {"client.starttls_injection", "Bytes arrived after the 220 to STARTTLS but before the TLS "
                                  "handshake. An attacker could have inserted them, so the "
                                  "client discards them: only what is learnt inside TLS counts.",
     "RFC 3207 4.2"},
    {"client.auth", "The client logs in with AUTH. PLAIN sends user and password in one base64 "
                    "line; LOGIN answers two 334 challenges. Base64 is an encoding, not "
                    "encryption: only TLS protects the password.", "RFC 4954 4"},
    {"client.auth_cleartext", "The client logs in without TLS: base64 is not encryption, so "
                              "anyone on the path can read the password.", "RFC 8314 3"},
    {"client.auth_failed", "Login failed (535 bad credentials, 534 mechanism too weak, 504 "
                           "mechanism invalid or needing encryption, 454 temporary): the client "
                           "stops and sends QUIT.",
     "RFC 4954 6"},
    {"client.pipelining", "The server offers PIPELINING: the client sends MAIL, every RCPT and "
                          "DATA in one write, then reads the replies in order.", "RFC 2920 3.1"},
    {"client.mail", "MAIL FROM starts the transaction; the client adds SIZE, BODY=8BITMIME, "
                    "SMTPUTF8 and DSN parameters when the server offered those extensions.",
     "RFC 5321 4.1.1.2"},
    {"client.rcpt", "RCPT TO names one recipient. Each recipient gets its own answer: some may "
                    "be accepted while others are refused.", "RFC 5321 4.1.1.3"},
    {"client.data_pipelined", "With PIPELINING, DATA travels in the same write as MAIL and the "
                              "RCPTs, before any reply has come back. If no recipient is "
                              "accepted, the server answers DATA with 503 or 554 and the client "
                              "sends no message.", "RFC 2920 3.1"},
    {"client.data", "At least one recipient was accepted, so the client sends DATA and waits for "
                    "354 before the message itself.", "RFC 5321 4.1.1.4"},
    {"client.content", "The message: CRLF line ends, every line starting with '.' gets an extra "
                       "'.' (dot-stuffing), and a line with a single '.' ends it.",
     "RFC 5321 4.5.2"},
    {"client.accepted", "The server answered the final dot with 250: from now on the message is "
                        "its responsibility, not the client's.", "RFC 5321 4.1.1.4"},
    {"client.no_recipients", "No recipient was accepted, so no message is sent: the client "
                             "resets the transaction (RSET) or, if DATA was already accepted, "
                             "sends a lone dot.", "RFC 2920 3.1"},
    {"client.rset", "RSET abandons the transaction; the session stays open.", "RFC 5321 4.1.1.5"},
    {"client.quit", "QUIT ends the session; the server answers 221 and closes.",
     "RFC 5321 4.1.1.10"},
    {"client.close", "The client closes the connection.", "RFC 5321 3.8"},
    {"client.done", "The transaction is over and the message was accepted (for at least one "
                    "recipient).", "RFC 5321 3.3"},
    {"client.tempfail", "A 4xx reply is a temporary failure: the client keeps the message queued "
                        "and tries again later.", "RFC 5321 4.2.1"},
    {"client.permfail", "A 5xx reply is a permanent failure: the client gives up and the sender "
                        "gets a bounce (a delivery status notification).", "RFC 5321 4.2.1"},
    {"client.size_exceeded", "The message is larger than the fixed maximum the server "
                             "advertised with SIZE, so the client knows it will never be accepted "
                             "and does not even try (RFC 1870 7): a permanent failure decided "
                             "locally, recorded as 552 5.3.4 (5.3.4: message too big, RFC 3463 "
                             "3.4).", "RFC 1870 7"},
    {"client.smtputf8_needed", "An address contains non-ASCII characters, but the server does "
                               "not offer SMTPUTF8: the client must not send it, so it gives up "
                               "(a permanent failure, recorded as 5.6.7).", "RFC 6531 3.2"},
    {"client.8bit_without_8bitmime", "The message has 8-bit bytes but the server does not offer "
                                     "8BITMIME; the client sends it anyway, which the RFC "
                                     "forbids: a strict server may damage or refuse it.",
     "RFC 6152 3"},
    {"client.server_closing", "421: the server is closing the connection. Nothing more will be "
                              "answered; the message stays queued for a later try.",
     "RFC 5321 3.8"},
    {"client.timeout", "The server did not answer in time; the client closes the connection and "
                       "keeps the message queued (temporary failure).", "RFC 5321 4.5.3.2"},
    {"client.connection_lost", "The connection was lost before the final 250: the message is "
                               "still the client's and is retried later (it may arrive twice).",
     "RFC 5321 6.1"},
    {"client.closed_after_accept", "The connection closed after the message was accepted; "
                                   "nothing is lost, the QUIT exchange just did not finish.",
     "RFC 5321 4.1.1.10"},
    {"client.malformed_reply", "The server's reply is not valid SMTP (no three-digit code, mixed "
                               "codes in a multi-line reply, too many lines). The client closes "
                               "the connection and retries later.", "RFC 5321 4.2"},
    {"client.line_too_long", "A reply line from the server is longer than the client accepts; "
                             "the client closes the connection and retries later.",
     "RFC 5321 4.5.3.1.5"},
    {"client.unexpected_reply", "The server's reply does not fit the command it answers (a 354 "
                                "to EHLO, a reply nobody asked for): the client closes the "
                                "connection and retries later.", "RFC 5321 4.2"},

    /* ---- world keys (world.c, cmd_live.c: the steps around the SMTP sessions) ---- */
    {"conn.connect", "The client opens a TCP connection to the server: port 25 between mail "
                     "servers, 587 for submission (RFC 6409 3.1), 465 for submission over "
                     "implicit TLS (RFC 8314 3.3). SMTP begins when the server sends its "
                     "greeting.", "RFC 5321 3.1"},
    {"conn.refused", "Nothing accepts the connection (the host is down or nothing listens on "
                     "that port). For a relay this is a temporary failure: it tries the next MX "
                     "host if there is one (RFC 5321 5.1), otherwise it keeps the message queued "
                     "and retries later.", "RFC 5321 4.5.4.1"},
    {"conn.close", "The TCP connection is closed. Normally the client sends QUIT, the server "
                   "answers 221 and then closes (RFC 5321 4.1.1.10); a server may also close "
                   "after a 421.", "RFC 5321 3.8"},
    {"conn.shutdown_tls", "The server is shutting down in the middle of a TLS handshake. No "
                          "421 can be sent there (only TLS records may flow), so it just closes "
                          "the connection; the client sees it lost and retries later.",
     "RFC 5321 3.8"},
    {"tls.handshake", "Client and server run the TLS handshake (simulated here) after the 220 "
                      "to STARTTLS; from now on everything on this link is encrypted, and the "
                      "SMTP session starts again with EHLO (RFC 3207 4.2).", "RFC 3207 4"},
    {"tls.implicit", "Implicit TLS: the TLS handshake comes first, before any SMTP byte, as on "
                     "port 465 for submission; the 220 greeting is sent inside TLS.",
     "RFC 8314 3.3"},
    {"tls.layer_wait", "This port expects TLS from the first byte. The client waits for a 220 "
                       "greeting; the server waits for a TLS ClientHello. Nobody speaks.",
     "RFC 8314 3.3"},
    {"tls.layer_timeout", "The server's TLS layer gives up waiting for a handshake and closes "
                          "the connection; the client never saw a greeting.", "RFC 8314 3.3"},
    {"tls.not_tls", "The client expected TLS from the first byte but the server speaks plain "
                    "SMTP on this port: the handshake fails.", "RFC 8314 3.3"},
    {"dns.mx_query", "The sending MTA asks DNS for the MX records of the recipient's domain: "
                     "which hosts accept mail for it.", "RFC 5321 5.1"},
    {"dns.mx_answer", "DNS answers with the domain's mail exchangers and their preferences: "
                      "the lowest number is tried first. A domain with no MX but an address "
                      "record is its own mail host (the implicit MX); a single MX of \".\" is "
                      "a null MX: the domain accepts no mail (RFC 7505).", "RFC 5321 5.1"},
    {"mx.implicit", "The domain has no MX records, so the MTA uses the domain's own address "
                    "record as its mail host, as if it had one MX with preference 0 (the "
                    "implicit MX).", "RFC 5321 5.1"},
    {"dns.a_query", "The sending MTA asks DNS for the address (A record) of the chosen mail "
                    "host, to connect to it.", "RFC 5321 5.1"},
    {"dns.a_answer", "DNS gives the mail host's IPv4 address (an A record, RFC 1035 3.4.1); the "
                     "MTA connects to it on port 25. If that fails it tries the next address "
                     "or the next MX.", "RFC 5321 5.1"},
    {"dns.txt_query", "The receiving server asks DNS for a TXT record: an SPF policy (RFC 7208 "
                      "4.4) or a DKIM public key at selector._domainkey.domain (RFC 6376 3.6.2.1).",
     "RFC 7208 4.4"},
    {"dns.txt_answer", "DNS returns the TXT record the check needs (an SPF policy or a DKIM "
                       "key), or says there is none.", "RFC 7208 4.4"},
    {"dns.query", "A DNS question: a name and a record type, sent to the resolver.",
     "RFC 1035 4.1"},
    {"dns.answer", "A DNS answer: the records for the name and type asked, or an error such as "
                   "NXDOMAIN (no such name).", "RFC 1035 4.1"},
    {"queue.handoff", "The submission server (MSA) accepted the message and hands it to the "
                      "relay's queue (MTA) for delivery: submission and relaying are separate "
                      "jobs.", "RFC 6409 1"},
    {"queue.queued", "The message is in this server's queue. Its 250 to the final dot made it "
                     "responsible for delivering the message or reporting failure.",
     "RFC 5321 6.1"},
    {"queue.deferred", "A temporary failure (a 4xx reply, or no connection): the message stays "
                       "queued and is retried later. RFC 5321 asks for at least 30 minutes "
                       "between tries and to give up only after 4-5 days (smtpsim shortens "
                       "the waits).", "RFC 5321 4.5.4.1"},
    {"queue.retry", "The retry time has come: the MTA tries to deliver the queued message "
                    "again, starting with the MX lookup.", "RFC 5321 4.5.4.1"},
    {"queue.done", "Every recipient has been delivered or bounced: the message leaves the "
                   "queue.", "RFC 5321 4.5.4.1"},
    {"deliver.mailbox", "Final delivery: the MX stores the message in the recipient's mailbox. "
                        "It adds a Return-Path: header with the envelope sender; every server on "
                        "the way added a Received: line at the top.", "RFC 5321 4.4"},
    {"bounce.dsn", "Delivery failed for good: the MTA sends the sender a delivery status "
                   "notification (a bounce, formatted as in RFC 3464), from the null "
                   "reverse-path MAIL FROM:<> so that it can never bounce back (RFC 5321 6.1, "
                   "4.5.5).", "RFC 3464 2"},
    {"bounce.double", "The undeliverable message was itself a bounce (MAIL FROM:<>): it is "
                      "dropped, never bounced again, so that two systems cannot bounce mail "
                      "back and forth forever.", "RFC 5321 6.1"},
    {"spf.pass", "SPF pass: the domain of the envelope sender (MAIL FROM) publishes a policy "
                 "that lists the connecting address as allowed to send its mail.",
     "RFC 7208 2.6.3"},
    {"spf.fail", "SPF fail: the sender's domain says this address may NOT send its mail; a "
                 "strict server refuses with 550 5.7.23 (RFC 7372).", "RFC 7208 2.6.4"},
    {"spf.other", "SPF gave no clear answer: none (no policy), neutral, softfail, or a "
                  "temporary or permanent error.", "RFC 7208 2.6"},
    {"dkim.sign", "The outgoing server signs the message with DKIM: a hash of the body and of "
                  "chosen header fields, signed with its domain's private key (simulated "
                  "here).", "RFC 6376 5"},
    {"dkim.pass", "The receiving server fetched the public key from DNS and the DKIM signature "
                  "verifies: the signed parts were not changed on the way.", "RFC 6376 6"},
    {"dkim.other", "The DKIM check did not pass: no signature, a changed body or header, or "
                   "no key in DNS.", "RFC 6376 6"},
    {"greylist.defer", "Greylisting: a new (client address, sender, recipient) triple is "
                       "refused for a while with a 4xx; real MTAs retry later, many spam tools "
                       "do not.", "RFC 6647"},
    {"greylist.pass", "Greylisting: the triple was first seen long enough ago; the retry is "
                      "accepted.", "RFC 6647"},
    {"mua.sent", "The mail client is done: the submission server accepted the message and is "
                 "now responsible for it (RFC 5321 6.1: a 250 after the data accepts "
                 "responsibility for delivering or bouncing it).", "RFC 5321 6.1"},
    {"mua.partial", "Some recipients were refused at submission; the others will get the "
                    "message.", "RFC 5321 3.3"},
    {"mua.failed", "Submission failed: the mail client shows the error to its user (it does "
                   "not queue and retry like an MTA).", "RFC 6409 3.2"},
    {"whatif.reply", "What if: this reply was changed for the experiment; what follows is how "
                     "the real engines react to it.", ""},
    {"whatif.note", "What if: a note on the changed reply (an experiment, not the normal "
                    "course of events).", ""},
    {"world.limit", "The simulation stopped at one of its limits (steps, events or virtual "
                    "time).", ""},
};

#define TABLE_LEN (sizeof table / sizeof table[0])

/* explain_find - the entry for a key, or NULL */
const explain_entry *explain_find(const char *key)
{
    if (!key)
        return NULL;
    for (size_t i = 0; i < TABLE_LEN; i++)
        if (strcmp(table[i].key, key) == 0)
            return &table[i];
    /* POP3 and IMAP keys live in explain_retr.c */
    for (int i = 0; i < explain_retr_count(); i++)
        if (strcmp(explain_retr_at(i)->key, key) == 0)
            return explain_retr_at(i);
    return NULL;
}

/* explain_rfc - the RFC section of a key: from the server engine's command or reply table
 * when a row there has the key (the first such row; a key shared by rows citing different
 * sections, like mail.param_bad, gives the first), else from this table; "" when none. */
const char *explain_rfc(const char *key)
{
    if (!key)
        return "";
    for (int id = SMTP_CMD_UNKNOWN + 1; id < SMTP_CMD_COUNT; id++) {
        const smtp_command_info *c = smtp_server_command_info((smtp_command_id)id);
        if (c && c->key && !strcmp(c->key, key))
            return c->rfc;
    }
    const smtp_server_reply_info *r;
    for (int i = 0; (r = smtp_server_reply_at(i)); i++)
        if (r->key && !strcmp(r->key, key))
            return r->rfc;
    const explain_entry *e = explain_find(key);
    return e && e->rfc ? e->rfc : "";
}

/* explain_text - the sentence for a key, never NULL */
const char *explain_text(const char *key)
{
    const explain_entry *e = explain_find(key);
    return e ? e->text : "No explanation is available for this step yet.";
}

/* explain_count - rows in both tables (SMTP and world here, then retrieval) */
int explain_count(void)
{
    return (int)TABLE_LEN + explain_retr_count();
}

/* explain_at - row i, or NULL; the retrieval rows follow this file's */
const explain_entry *explain_at(int i)
{
    if (i < 0)
        return NULL;
    if ((size_t)i >= TABLE_LEN)
        return explain_retr_at(i - (int)TABLE_LEN);
    return &table[i];
}

/* ---- reply codes (RFC 5321 4.2.2-4.2.3 and the extensions that add codes) ---- */

typedef struct {
    int code;
    const char *text;
} code_entry;

static const code_entry codes[] = {
    {211, "211: System status, or system help reply (RFC 5321 4.2.3)"},
    {214, "214: Help message (RFC 5321 4.2.3)"},
    {220, "220: Service ready (RFC 5321 4.2.3); also the answer to STARTTLS (RFC 3207 4)"},
    {221, "221: Service closing transmission channel (RFC 5321 4.2.3)"},
    {235, "235: Authentication successful (RFC 4954 6)"},
    {250, "250: Requested mail action okay, completed (RFC 5321 4.2.3)"},
    {251, "251: User not local; will forward (RFC 5321 4.2.3)"},
    {252, "252: Cannot VRFY user, but will accept message and attempt delivery "
          "(RFC 5321 4.2.3)"},
    {334, "334: Server challenge in an AUTH exchange, base64 text (RFC 4954 4)"},
    {354, "354: Start mail input; end with <CRLF>.<CRLF> (RFC 5321 4.2.3)"},
    {421, "421: Service not available, closing transmission channel (RFC 5321 4.2.3)"},
    {432, "432: A password transition is needed (RFC 4954 6)"},
    {450, "450: Requested mail action not taken: mailbox unavailable, try later "
          "(RFC 5321 4.2.3)"},
    {451, "451: Requested action aborted: local error in processing (RFC 5321 4.2.3)"},
    {452, "452: Requested action not taken: insufficient system storage, or too many "
          "recipients (RFC 5321 4.2.3, 4.5.3.1.10)"},
    {454, "454: Temporary failure: TLS not available (RFC 3207 4) or temporary "
          "authentication failure (RFC 4954 6)"},
    {455, "455: Server unable to accommodate parameters (RFC 5321 4.2.3)"},
    {500, "500: Syntax error, command unrecognized, or line too long (RFC 5321 4.2.3)"},
    {501, "501: Syntax error in parameters or arguments (RFC 5321 4.2.3)"},
    {502, "502: Command not implemented (RFC 5321 4.2.3)"},
    {503, "503: Bad sequence of commands (RFC 5321 4.2.3)"},
    {504, "504: Command parameter not implemented (RFC 5321 4.2.3)"},
    {521, "521: Host does not accept mail (RFC 7504)"},
    {530, "530: Authentication required, or STARTTLS required first (RFC 4954 6, "
          "RFC 3207 4)"},
    {534, "534: Authentication mechanism is too weak (RFC 4954 6)"},
    {535, "535: Authentication credentials invalid (RFC 4954 6)"},
    {538, "538: Encryption required for requested authentication mechanism (RFC 4954 6, "
          "documented for historical purposes only)"},
    {550, "550: Requested action not taken: mailbox unavailable, or refused by policy "
          "(RFC 5321 4.2.3)"},
    {551, "551: User not local; please try another path (RFC 5321 4.2.3)"},
    {552, "552: Requested mail action aborted: exceeded storage allocation (RFC 5321 4.2.3)"},
    {553, "553: Requested action not taken: mailbox name not allowed (RFC 5321 4.2.3)"},
    {554, "554: Transaction failed (RFC 5321 4.2.3)"},
    {555, "555: MAIL FROM/RCPT TO parameters not recognized or not implemented "
          "(RFC 5321 4.2.3)"},
    {556, "556: Domain does not accept mail (RFC 7504)"},
};

/* explain_reply_code - meaning of a reply code */
const char *explain_reply_code(int code)
{
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i].code == code)
            return codes[i].text;
    switch (code / 100) {
    case 2: return "2yz: Positive completion: the action succeeded (RFC 5321 4.2.1)";
    case 3: return "3yz: Positive intermediate: send more information (RFC 5321 4.2.1)";
    case 4: return "4yz: Transient negative completion: try again later (RFC 5321 4.2.1)";
    case 5: return "5yz: Permanent negative completion: do not repeat as is (RFC 5321 4.2.1)";
    }
    return "Not an SMTP reply code";
}

/* ---- enhanced status codes (RFC 3463, IANA registry, RFC 5248) ---- */

typedef struct {
    int subject, detail; /* detail -1: the subject as a whole */
    const char *text;
} esc_entry;

static const esc_entry escs[] = {
    {0, -1, "Other or undefined status (RFC 3463 3.1)"},
    {0, 0, "Other undefined status (RFC 3463 3.1)"},
    {1, -1, "Addressing status: about the sender or recipient address (RFC 3463 3.2)"},
    {1, 0, "Other address status (RFC 3463 3.2)"},
    {1, 1, "Bad destination mailbox address: no such mailbox (RFC 3463 3.2)"},
    {1, 2, "Bad destination system address (RFC 3463 3.2)"},
    {1, 3, "Bad destination mailbox address syntax (RFC 3463 3.2)"},
    {1, 4, "Destination mailbox address ambiguous (RFC 3463 3.2)"},
    {1, 5, "Destination address valid (RFC 3463 3.2)"},
    {1, 6, "Destination mailbox has moved, no forwarding address (RFC 3463 3.2)"},
    {1, 7, "Bad sender's mailbox address syntax (RFC 3463 3.2)"},
    {1, 8, "Bad sender's system address (RFC 3463 3.2)"},
    {1, 10, "Recipient address has null MX (RFC 7505)"},
    {2, -1, "Mailbox status (RFC 3463 3.3)"},
    {2, 0, "Other or undefined mailbox status (RFC 3463 3.3)"},
    {2, 1, "Mailbox disabled, not accepting messages (RFC 3463 3.3)"},
    {2, 2, "Mailbox full (RFC 3463 3.3)"},
    {2, 3, "Message length exceeds administrative limit (RFC 3463 3.3)"},
    {2, 4, "Mailing list expansion problem (RFC 3463 3.3)"},
    {3, -1, "Mail system status (RFC 3463 3.4)"},
    {3, 0, "Other or undefined mail system status (RFC 3463 3.4)"},
    {3, 1, "Mail system full (RFC 3463 3.4)"},
    {3, 2, "System not accepting network messages (RFC 3463 3.4)"},
    {3, 3, "System not capable of selected features (RFC 3463 3.4)"},
    {3, 4, "Message too big for system (RFC 3463 3.4)"},
    {3, 5, "System incorrectly configured (RFC 3463 3.4)"},
    {4, -1, "Network and routing status (RFC 3463 3.5)"},
    {4, 0, "Other or undefined network or routing status (RFC 3463 3.5)"},
    {4, 1, "No answer from host (RFC 3463 3.5)"},
    {4, 2, "Bad connection (RFC 3463 3.5)"},
    {4, 3, "Directory server failure (RFC 3463 3.5)"},
    {4, 4, "Unable to route (RFC 3463 3.5)"},
    {4, 5, "Mail system congestion (RFC 3463 3.5)"},
    {4, 6, "Routing loop detected (RFC 3463 3.5)"},
    {4, 7, "Delivery time expired (RFC 3463 3.5)"},
    {5, -1, "Mail delivery protocol status (RFC 3463 3.6)"},
    {5, 0, "Other or undefined protocol status (RFC 3463 3.6)"},
    {5, 1, "Invalid command (RFC 3463 3.6)"},
    {5, 2, "Syntax error (RFC 3463 3.6)"},
    {5, 3, "Too many recipients (RFC 3463 3.6)"},
    {5, 4, "Invalid command arguments (RFC 3463 3.6)"},
    {5, 5, "Wrong protocol version (RFC 3463 3.6)"},
    {5, 6, "Authentication exchange line is too long (RFC 4954 6); smtpsim also uses it for "
           "any command line that is too long"},
    {6, -1, "Message content or media status (RFC 3463 3.7)"},
    {6, 0, "Other or undefined media error (RFC 3463 3.7)"},
    {6, 1, "Media not supported (RFC 3463 3.7)"},
    {6, 2, "Conversion required and prohibited (RFC 3463 3.7)"},
    {6, 3, "Conversion required but not supported (RFC 3463 3.7)"},
    {6, 4, "Conversion with loss performed (RFC 3463 3.7)"},
    {6, 5, "Conversion failed (RFC 3463 3.7)"},
    {6, 7, "Non-ASCII addresses not permitted for that sender or recipient (RFC 6531 3.5)"},
    {7, -1, "Security or policy status (RFC 3463 3.8)"},
    {7, 0, "Other or undefined security status (RFC 3463 3.8)"},
    {7, 1, "Delivery not authorized, message refused (RFC 3463 3.8)"},
    {7, 2, "Mailing list expansion prohibited (RFC 3463 3.8)"},
    {7, 3, "Security conversion required but not possible (RFC 3463 3.8)"},
    {7, 4, "Security features not supported (RFC 3463 3.8)"},
    {7, 5, "Cryptographic failure (RFC 3463 3.8)"},
    {7, 6, "Cryptographic algorithm not supported (RFC 3463 3.8)"},
    {7, 7, "Message integrity failure (RFC 3463 3.8)"},
    {7, 8, "Authentication credentials invalid (RFC 4954 6)"},
    {7, 9, "Authentication mechanism is too weak (RFC 4954 6)"},
    {7, 10, "Encryption needed (RFC 5248)"},
    {7, 11, "Encryption required for requested authentication mechanism (RFC 4954 6)"},
    {7, 12, "A password transition is needed (RFC 4954 6)"},
    {7, 13, "User account disabled (RFC 5248)"},
    {7, 14, "Trust relationship required (RFC 5248)"},
    {7, 20, "No passing DKIM signature found (RFC 7372)"},
    {7, 23, "SPF validation failed (RFC 7372)"},
    {7, 25, "Reverse DNS validation failed (RFC 7372)"},
    {7, 26, "Multiple authentication checks failed (RFC 7372)"},
};

/* esc_num - 1..3 digits at *p, advanced; -1 when absent. */
static int esc_num(const char **p)
{
    int v = 0, n = 0;
    while (**p >= '0' && **p <= '9' && n < 4) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return (n >= 1 && n <= 3) ? v : -1;
}

/* explain_esc - meaning of an enhanced status code */
const char *explain_esc(const char *esc)
{
    if (!esc || (esc[0] != '2' && esc[0] != '4' && esc[0] != '5') || esc[1] != '.')
        return "Not an enhanced status code (class.subject.detail, RFC 3463 2)";
    const char *p = esc + 2;
    int subject = esc_num(&p);
    int detail = -1;
    if (subject >= 0 && *p == '.') {
        p++;
        detail = esc_num(&p);
    }
    if (subject < 0 || detail < 0 || *p != '\0')
        return "Not an enhanced status code (class.subject.detail, RFC 3463 2)";
    const char *subject_text = NULL;
    for (size_t i = 0; i < sizeof escs / sizeof escs[0]; i++) {
        if (escs[i].subject != subject)
            continue;
        if (escs[i].detail == detail)
            return escs[i].text;
        if (escs[i].detail == -1)
            subject_text = escs[i].text;
    }
    if (subject_text)
        return subject_text;
    switch (esc[0]) {
    case '2': return "Success (RFC 3463 2)";
    case '4': return "Persistent transient failure: may succeed later (RFC 3463 2)";
    default: return "Permanent failure: will not succeed as is (RFC 3463 2)";
    }
}
