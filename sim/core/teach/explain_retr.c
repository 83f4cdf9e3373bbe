/* explain_retr.c - the sentences students read for mail retrieval: POP3 and IMAP event keys.
 *
 * The same kind of table as explain.c, for the keys the POP3 and IMAP engines (sim/core/pop3,
 * sim/core/imap) put in their retr_events: pop3.* and imap.* from the servers, pop3c.* and
 * imapc.* from the clients. It lives in its own file so that explain.c stays readable; explain.c
 * searches both tables, so callers only ever use explain_find and explain_text. Each rfc names
 * the section that defines the behaviour (RFC 1939 POP3, 2449 CAPA and response codes, 2595
 * STLS/STARTTLS, 5034 POP3 AUTH, 9051 IMAP4rev2, 3501 for the IMAP4rev1-only forms, 2177 IDLE,
 * 5530 IMAP response codes), or "" for this simulator's own policy.
 */
#include "core/teach/explain_retr.h"

#include <stddef.h>

static const explain_entry table[] = {
    /* ---- the retrieval hop in the world (world_retrieval.c) ---- */
    {"retr.store", "The mailbox server works on the store the MX's delivery agent wrote: they are "
                   "two programs of the same host, so what SMTP delivered is what POP3 and IMAP "
                   "now show.", "RFC 5598 4.2.2"},
    {"retr.connect", "The reading mail client opens a TCP connection to the mailbox server: "
                     "port 110 for POP3 and 143 for IMAP (upgraded with STLS/STARTTLS), or 995 "
                     "and 993 with TLS from the first byte.", "RFC 8314 3"},
    {"retr.tls.stls", "Client and server run the TLS handshake (simulated here) after STLS; "
                      "from now on the link is encrypted, and the client asks CAPA again.",
     "RFC 2595 4"},
    {"retr.tls.starttls", "Client and server run the TLS handshake (simulated here) after "
                          "STARTTLS; from now on the link is encrypted, and the client asks "
                          "CAPABILITY again.", "RFC 9051 6.2.1"},
    {"retr.tls.implicit", "Implicit TLS: the handshake comes first, before any POP3 or IMAP "
                          "byte (ports 995 and 993); the greeting is sent inside TLS. RFC 8314 "
                          "prefers this to upgrading a plain connection.", "RFC 8314 3"},
    {"retr.close", "The connection is closed: after QUIT (POP3) or LOGOUT (IMAP), or when one "
                   "side gives up.", "RFC 1939 6"},
    /* ---- POP3 server keys (RFC 1939, 2449, 2595, 3206, 5034) ---- */
    {"pop3.greeting", "The POP3 server greets the new connection with +OK: the session is in the "
                      "AUTHORIZATION state and the client must now identify itself.",
     "RFC 1939 4"},
    {"pop3.state.greeting", "The POP3 server is about to send its greeting.", "RFC 1939 4"},
    {"pop3.state.authorization", "AUTHORIZATION state: the client must log in (USER/PASS or "
                                 "AUTH) before it can see any mail.", "RFC 1939 4"},
    {"pop3.state.sasl", "The server is in the middle of an AUTH exchange: the next line from the "
                        "client is a base64 SASL response, not a command.", "RFC 5034 4"},
    {"pop3.state.tls", "STLS was accepted: the connection is waiting for the TLS handshake.",
     "RFC 2595 4"},
    {"pop3.state.transaction", "TRANSACTION state: the user is logged in and the mailbox is "
                               "locked; STAT, LIST, RETR, DELE and friends now work.",
     "RFC 1939 5"},
    {"pop3.state.update", "UPDATE state: after QUIT the server really removes the messages "
                          "marked as deleted, releases the lock and closes.", "RFC 1939 6"},
    {"pop3.state.closed", "The POP3 session is over; the connection closes.", "RFC 1939 6"},
    {"pop3.state.unknown", "The POP3 server moved to a state this explanation does not know.",
     ""},
    {"pop3.cmd.user", "USER names the mailbox to open; the password follows with PASS. Both "
                      "travel in clear text unless TLS is active.", "RFC 1939 7"},
    {"pop3.cmd.pass", "PASS sends the password for the user named by USER. An eavesdropper "
                      "reads it unless the connection is encrypted.", "RFC 1939 7"},
    {"pop3.cmd.auth", "AUTH logs in with a SASL mechanism such as PLAIN; AUTH alone asks which "
                      "mechanisms the server offers.", "RFC 5034 4"},
    {"pop3.cmd.stls", "STLS asks to turn this plain POP3 connection into a TLS-encrypted one "
                      "before logging in.", "RFC 2595 4"},
    {"pop3.cmd.capa", "CAPA asks the server which optional features it supports (TOP, UIDL, "
                      "SASL, STLS, ...).", "RFC 2449 5"},
    {"pop3.cmd.quit", "QUIT ends the session. After a login it also tells the server to delete "
                      "the messages marked with DELE.", "RFC 1939 6"},
    {"pop3.cmd.stat", "STAT asks how many messages the mailbox holds and their total size in "
                      "octets.", "RFC 1939 5"},
    {"pop3.cmd.list", "LIST asks for the size of each message (or of one message, when given "
                      "its number).", "RFC 1939 5"},
    {"pop3.cmd.retr", "RETR downloads one whole message, by its number in this session.",
     "RFC 1939 5"},
    {"pop3.cmd.dele", "DELE marks one message for deletion. Nothing is removed until QUIT; "
                      "RSET can still undo it.", "RFC 1939 5"},
    {"pop3.cmd.noop", "NOOP does nothing; the server answers +OK. Clients use it to keep the "
                      "connection alive.", "RFC 1939 5"},
    {"pop3.cmd.rset", "RSET unmarks every message marked for deletion in this session.",
     "RFC 1939 5"},
    {"pop3.cmd.top", "TOP n k asks for the header of message n and the first k lines of its "
                     "body: a preview without downloading everything.", "RFC 1939 7"},
    {"pop3.cmd.uidl", "UIDL asks for each message's unique id, which stays the same across "
                      "sessions: that is how \"leave mail on server\" knows what it already "
                      "downloaded.", "RFC 1939 7"},
    {"pop3.cmd.unknown", "The server does not know this command and answers -ERR.",
     "RFC 1939 3"},
    {"pop3.cmd.syntax", "The command has the wrong number or kind of arguments, or control "
                        "characters; the server answers -ERR.", "RFC 1939 3"},
    {"pop3.cmd.wrong_state", "This command is not allowed in the current state (for example "
                             "RETR before logging in), so the server answers -ERR.",
     "RFC 1939 3"},
    {"pop3.commands.too_many", "The session sent more commands than this server allows, so it "
                               "closes the connection.", "RFC 1939 3"},
    {"pop3.errors.too_many", "Too many erroneous commands: the server gives up and closes the "
                             "connection.", "RFC 1939 3"},
    {"pop3.line.too_long", "A POP3 command line may be at most 255 octets including CRLF; this "
                           "one is longer and is refused with -ERR.", "RFC 2449 4"},
    {"pop3.line.bare_lf", "Every POP3 line must end with CR LF; a lone LF is refused.",
     "RFC 1939 3"},
    {"pop3.timeout", "The client stayed silent too long: the server's autologout timer (at "
                     "least 10 minutes) closes the session without entering UPDATE, so nothing "
                     "is deleted.", "RFC 1939 3"},
    {"pop3.tls.plaintext_discarded", "Bytes that arrived after STLS but before the TLS "
                                     "handshake are thrown away, so an attacker cannot inject "
                                     "commands into the encrypted session.", "RFC 2595 4"},
    {"pop3.out_of_memory", "The server ran out of memory and closes the session.", ""},
    {"pop3.bug.text", "Programmer error: the server refused to send a malformed response of "
                      "its own and sent a generic one instead.", ""},
    {"pop3.user.ok", "The server took the user name and waits for PASS. (A server may answer "
                     "+OK even for an unknown name and refuse only at PASS, so that names "
                     "cannot be guessed.)", "RFC 1939 7"},
    {"pop3.user.needs_tls", "This server refuses clear-text logins on an unencrypted "
                            "connection: the client must use STLS (or port 995) first.",
     "RFC 2595 2.3"},
    {"pop3.user.too_long", "The user name is longer than this server accepts (SASL limits "
                           "names to 255 octets).", "RFC 4616 2"},
    {"pop3.pass.no_user", "PASS came without a USER before it, so the server answers -ERR.",
     "RFC 1939 7"},
    {"pop3.auth.ok", "The login worked: the server locked the mailbox and the session enters "
                     "the TRANSACTION state.", "RFC 1939 7"},
    {"pop3.auth.failed", "Wrong user name or password: -ERR, and the session stays in "
                         "AUTHORIZATION so the client may try again.", "RFC 1939 7"},
    {"pop3.auth.too_many", "Too many failed logins: the server closes the connection to slow "
                           "down password guessing.", "RFC 1939 4"},
    {"pop3.auth.in_use", "The password is right, but another POP3 session holds the mailbox "
                         "lock: -ERR [IN-USE]. Try again once the other session ends.",
     "RFC 2449 8.1.2"},
    {"pop3.auth.mailbox_error", "The login was accepted but the mailbox could not be opened: "
                                "-ERR [SYS/TEMP], a server-side problem that may go away.",
     "RFC 3206"},
    {"pop3.auth.list", "AUTH without a mechanism: the server lists the SASL mechanisms it "
                       "offers, ending with a line holding a single dot.", "RFC 5034 4"},
    {"pop3.auth.mechanism", "The server does not offer this SASL mechanism, so AUTH fails with "
                            "-ERR.", "RFC 5034 4"},
    {"pop3.auth.continue", "The server answers \"+ \" and waits for the client's SASL response "
                           "on the next line, in base64.", "RFC 5034 4"},
    {"pop3.auth.response", "The client's SASL response line, in base64 (for PLAIN: the user "
                           "name and password, which base64 does not hide).", "RFC 5034 4"},
    {"pop3.auth.cancelled", "The client answered \"*\": the AUTH exchange is cancelled and the "
                            "server answers -ERR.", "RFC 5034 4"},
    {"pop3.auth.base64", "The SASL response is not valid base64, so AUTH fails with -ERR.",
     "RFC 5034 4"},
    {"pop3.auth.malformed", "The PLAIN response must be [authzid] NUL user NUL password; this "
                            "one is not, so AUTH fails.", "RFC 4616 2"},
    {"pop3.stls.ok", "The server agrees to STLS: the TLS handshake starts right after this "
                     "+OK.", "RFC 2595 4"},
    {"pop3.stls.handshake", "The TLS handshake runs now; afterwards everything, password "
                            "included, is encrypted. The client must ask CAPA again.",
     "RFC 2595 4"},
    {"pop3.stls.again", "TLS is already active, so a second STLS is refused with -ERR.",
     "RFC 2595 4"},
    {"pop3.stls.unavailable", "This server has no TLS certificate configured, so STLS is "
                              "refused with -ERR.", "RFC 2595 4"},
    {"pop3.capa.ok", "The server lists its capabilities, one per line, ending with a line "
                     "holding a single dot.", "RFC 2449 5"},
    {"pop3.stat.ok", "+OK followed by the number of messages and their total size in octets "
                     "(messages marked deleted are not counted).", "RFC 1939 5"},
    {"pop3.list.ok", "The scan listing: each message's number and exact size in octets (for "
                     "all messages, a multi-line answer ending with a dot).", "RFC 1939 5"},
    {"pop3.list.no_such", "There is no message with that number (or it is marked deleted), so "
                          "the server answers -ERR.", "RFC 1939 5"},
    {"pop3.uidl.ok", "Each message's unique id: a client that leaves mail on the server keeps "
                     "these to download only what is new.", "RFC 1939 7"},
    {"pop3.uidl.no_such", "There is no message with that number (or it is marked deleted), so "
                          "UIDL answers -ERR.", "RFC 1939 7"},
    {"pop3.retr.ok", "+OK, then the whole message, then a line with a single dot. Lines that "
                     "begin with a dot get an extra dot (byte-stuffing).", "RFC 1939 5"},
    {"pop3.retr.no_such", "There is no message with that number (or it is marked deleted), so "
                          "RETR answers -ERR.", "RFC 1939 5"},
    {"pop3.msg.gone", "The message could not be read from the mailbox: -ERR [SYS/TEMP].",
     "RFC 3206"},
    {"pop3.top.ok", "+OK, then the message header, the blank line and the requested number of "
                    "body lines, then a single dot.", "RFC 1939 7"},
    {"pop3.top.no_such", "There is no message with that number (or it is marked deleted), so "
                         "TOP answers -ERR.", "RFC 1939 7"},
    {"pop3.top.syntax", "TOP needs a message number and a number of lines, both non-negative "
                        "numbers.", "RFC 1939 7"},
    {"pop3.dele.ok", "The message is marked as deleted. It disappears only when the session "
                     "ends with QUIT.", "RFC 1939 5"},
    {"pop3.dele.no_such", "There is no such message, or it is already marked deleted, so DELE "
                          "answers -ERR.", "RFC 1939 5"},
    {"pop3.noop.ok", "NOOP: the server answers +OK and nothing changes.", "RFC 1939 5"},
    {"pop3.rset.ok", "Every deletion mark of this session is undone; the server answers +OK "
                     "with the mailbox size.", "RFC 1939 5"},
    {"pop3.quit.ok", "QUIT before login: +OK and the connection closes; there was nothing to "
                     "update.", "RFC 1939 4"},
    {"pop3.quit.update", "QUIT after login: the server removes the messages marked with DELE, "
                         "answers +OK and closes.", "RFC 1939 6"},
    {"pop3.quit.update_failed", "QUIT: some marked messages could not be removed, so the "
                                "server answers -ERR; some of them may still be there next time.",
     "RFC 1939 6"},
    /* ---- POP3 client keys ---- */
    {"pop3c.state.greeting", "The mail client waits for the POP3 server's +OK greeting.",
     "RFC 1939 4"},
    {"pop3c.state.capa", "The mail client asked CAPA and reads the capability list.",
     "RFC 2449 5"},
    {"pop3c.state.stls", "The mail client asked for STLS and waits for +OK before the TLS "
                         "handshake.", "RFC 2595 4"},
    {"pop3c.state.user", "The mail client sent USER and waits for +OK.", "RFC 1939 7"},
    {"pop3c.state.pass", "The mail client sent PASS and waits to learn whether the login "
                         "worked.", "RFC 1939 7"},
    {"pop3c.state.auth", "The mail client is logging in with AUTH (SASL).", "RFC 5034 4"},
    {"pop3c.state.stat", "The mail client asked STAT: how many messages are waiting?",
     "RFC 1939 5"},
    {"pop3c.state.uidl", "The mail client asked UIDL to learn which messages it already has.",
     "RFC 1939 7"},
    {"pop3c.state.retr", "The mail client is downloading a message with RETR.", "RFC 1939 5"},
    {"pop3c.state.dele", "The mail client marked a downloaded message for deletion.",
     "RFC 1939 5"},
    {"pop3c.state.quit", "The mail client sent QUIT and waits for the server to apply the "
                         "deletions.", "RFC 1939 6"},
    {"pop3c.state.done", "The mail client has finished with this POP3 session.", "RFC 1939 6"},
    {"pop3c.state.unknown", "The POP3 client moved to a state this explanation does not know.",
     ""},
    {"pop3c.cmd.capa", "The mail client asks CAPA to learn what the server supports (after "
                       "STLS it must ask again: the old answer is not trusted).", "RFC 2449 5"},
    {"pop3c.cmd.stls", "The mail client asks for STLS, to encrypt the connection before the "
                       "password is sent.", "RFC 2595 4"},
    {"pop3c.cmd.user", "The mail client sends USER with the mailbox name.", "RFC 1939 7"},
    {"pop3c.cmd.pass", "The mail client sends PASS with the password.",
     "RFC 1939 7"},
    {"pop3c.cmd.auth", "The mail client logs in with AUTH PLAIN: user and password in one "
                       "base64 string, which is encoding, not encryption.", "RFC 5034 4"},
    {"pop3c.auth.cancel", "The mail client sends \"*\" to cancel the AUTH exchange.",
     "RFC 5034 4"},
    {"pop3c.cmd.stat", "The mail client asks STAT for the number and total size of the "
                       "messages.", "RFC 1939 5"},
    {"pop3c.cmd.uidl", "The mail client asks UIDL for the unique ids, to skip messages it "
                       "downloaded in an earlier session.", "RFC 1939 7"},
    {"pop3c.cmd.retr", "The mail client downloads the next message with RETR.", "RFC 1939 5"},
    {"pop3c.cmd.dele", "The mail client marks the downloaded message for deletion (it is "
                       "removed at QUIT).", "RFC 1939 5"},
    {"pop3c.cmd.quit", "The mail client ends the session with QUIT; the server now deletes the "
                       "marked messages.", "RFC 1939 6"},
    {"pop3c.cmd.quit_refused", "The login was refused, so the mail client ends the session "
                               "politely with QUIT instead of just dropping the connection; "
                               "before login QUIT deletes nothing.", "RFC 1939 4"},
    {"pop3c.response.ok", "The server answered +OK: the command worked.", "RFC 1939 3"},
    {"pop3c.response.err", "The server answered -ERR: the command failed; the text (and any "
                           "[CODE]) says why.", "RFC 1939 3"},
    {"pop3c.auth.ok", "The login worked; the mail client can now look at the mailbox.",
     "RFC 1939 7"},
    {"pop3c.auth.failed", "The login failed; the mail client shows the error to its user.",
     "RFC 1939 7"},
    {"pop3c.stls.handshake", "The mail client runs the TLS handshake; from now on the session "
                             "is encrypted.", "RFC 2595 4"},
    {"pop3c.tls.plaintext_discarded", "The mail client throws away clear-text bytes that "
                                      "arrived before the TLS handshake: they could have been "
                                      "injected.", "RFC 2595 4"},
    {"pop3c.message", "One message is downloaded and now lives in the mail client.",
     "RFC 1939 5"},
    {"pop3c.done.ok", "The mail client finished: every new message is downloaded.",
     "RFC 1939 6"},
    {"pop3c.done.failed", "The mail client stopped with an error; messages not yet downloaded "
                          "stay on the server.", "RFC 1939 6"},
    {"pop3c.close", "The mail client closes the POP3 connection.", "RFC 1939 6"},
    /* ---- IMAP server keys (RFC 9051, 3501 for IMAP4rev1 forms, 2177 IDLE, 5530 codes) ---- */
    {"imap.greeting", "The IMAP server greets the new connection with an untagged \"* OK\" and "
                      "its capabilities: the client must now log in.", "RFC 9051 7.1.1"},
    {"imap.state.greeting", "The IMAP server is about to send its greeting.", "RFC 9051 7.1.1"},
    {"imap.state.not_auth", "Not Authenticated state: the client must log in (LOGIN or "
                            "AUTHENTICATE) before most commands are allowed.", "RFC 9051 3.1"},
    {"imap.state.sasl", "The server is in the middle of AUTHENTICATE: the next line from the "
                        "client is a base64 SASL response, not a tagged command.",
     "RFC 9051 6.2.2"},
    {"imap.state.tls", "STARTTLS was accepted: the connection is waiting for the TLS "
                       "handshake.", "RFC 9051 6.2.1"},
    {"imap.state.auth", "Authenticated state: the user is logged in and must SELECT or EXAMINE "
                        "a mailbox before working on messages.", "RFC 9051 3.2"},
    {"imap.state.selected", "Selected state: a mailbox is open; FETCH, STORE, SEARCH and "
                            "EXPUNGE now work on its messages.", "RFC 9051 3.3"},
    {"imap.state.idle", "IDLE: the server pushes news about the mailbox (new mail, flag "
                        "changes) as it happens, until the client says DONE.", "RFC 2177 3"},
    {"imap.state.logout", "Logout state: the session is ending and the connection closes.",
     "RFC 9051 3.4"},
    {"imap.state.unknown", "The IMAP server moved to a state this explanation does not know.",
     ""},
    {"imap.cmd.capability", "CAPABILITY asks which IMAP versions and extensions the server "
                            "supports (STARTTLS, IDLE, AUTH=PLAIN, LOGINDISABLED, ...).",
     "RFC 9051 6.1.1"},
    {"imap.cmd.noop", "NOOP does nothing, but gives the server a chance to report news: new "
                      "messages (EXISTS) and flag changes (FETCH).", "RFC 9051 6.1.2"},
    {"imap.cmd.logout", "LOGOUT ends the session: the server sends an untagged BYE, then the "
                        "tagged OK, and closes.", "RFC 9051 6.1.3"},
    {"imap.cmd.starttls", "STARTTLS asks to turn this plain IMAP connection into a "
                          "TLS-encrypted one before logging in.", "RFC 9051 6.2.1"},
    {"imap.cmd.authenticate", "AUTHENTICATE logs in with a SASL mechanism such as PLAIN.",
     "RFC 9051 6.2.2"},
    {"imap.cmd.login", "LOGIN sends the user name and password on one line, in clear text "
                       "unless TLS is active.", "RFC 9051 6.2.3"},
    {"imap.cmd.enable", "ENABLE turns on an extension for this session, such as IMAP4rev2.",
     "RFC 9051 6.3.1"},
    {"imap.cmd.select", "SELECT opens a mailbox (here INBOX) for reading and changing; the "
                        "server answers with its size, flags and UIDVALIDITY.",
     "RFC 9051 6.3.2"},
    {"imap.cmd.examine", "EXAMINE opens a mailbox read-only: like SELECT, but nothing can "
                         "change, not even the \\Seen flag.", "RFC 9051 6.3.3"},
    {"imap.cmd.create", "CREATE makes a new mailbox (folder).", "RFC 9051 6.3.4"},
    {"imap.cmd.delete", "DELETE removes a mailbox (folder).", "RFC 9051 6.3.5"},
    {"imap.cmd.rename", "RENAME gives a mailbox (folder) a new name.", "RFC 9051 6.3.6"},
    {"imap.cmd.subscribe", "SUBSCRIBE adds a mailbox to the list the user wants to see.",
     "RFC 9051 6.3.7"},
    {"imap.cmd.unsubscribe", "UNSUBSCRIBE removes a mailbox from the user's subscription "
                             "list.", "RFC 9051 6.3.8"},
    {"imap.cmd.list", "LIST asks which mailboxes (folders) exist, and the hierarchy "
                      "separator.", "RFC 9051 6.3.9"},
    {"imap.cmd.lsub", "LSUB (IMAP4rev1 only) lists the subscribed mailboxes; IMAP4rev2 uses "
                      "LIST instead.", "RFC 3501 6.3.9"},
    {"imap.cmd.namespace", "NAMESPACE asks where the user's own, other users' and shared "
                           "mailboxes live in the folder tree.", "RFC 9051 6.3.10"},
    {"imap.cmd.status", "STATUS asks for a mailbox's counts (messages, unseen, UIDNEXT, ...) "
                        "without selecting it.", "RFC 9051 6.3.11"},
    {"imap.cmd.append", "APPEND stores a new message in a mailbox (mail clients use it to keep "
                        "a copy in Sent).", "RFC 9051 6.3.12"},
    {"imap.cmd.idle", "IDLE asks the server to push news about the open mailbox as it "
                      "happens, instead of the client asking again and again.", "RFC 2177 3"},
    {"imap.cmd.check", "CHECK (IMAP4rev1; removed in IMAP4rev2) asks for a checkpoint of the "
                       "mailbox; here it acts like NOOP.", "RFC 3501 6.4.1"},
    {"imap.cmd.close", "CLOSE removes the messages flagged \\Deleted (without EXPUNGE "
                       "responses) and closes the mailbox.", "RFC 9051 6.4.1"},
    {"imap.cmd.unselect", "UNSELECT closes the mailbox without removing \\Deleted messages.",
     "RFC 9051 6.4.2"},
    {"imap.cmd.expunge", "EXPUNGE permanently removes every message flagged \\Deleted.",
     "RFC 9051 6.4.3"},
    {"imap.cmd.search", "SEARCH asks which messages match criteria (ALL, UNSEEN, FROM, "
                        "SUBJECT, ...); the server answers with their numbers.",
     "RFC 9051 6.4.4"},
    {"imap.cmd.fetch", "FETCH asks for data about messages: flags, size, envelope, structure "
                       "or the message itself (BODY[]).", "RFC 9051 6.4.5"},
    {"imap.cmd.store", "STORE changes the flags of messages, for example +FLAGS (\\Seen) or "
                       "+FLAGS (\\Deleted).", "RFC 9051 6.4.6"},
    {"imap.cmd.copy", "COPY copies messages into another mailbox.", "RFC 9051 6.4.7"},
    {"imap.cmd.move", "MOVE moves messages into another mailbox.", "RFC 9051 6.4.8"},
    {"imap.cmd.uid", "UID FETCH, UID STORE and UID SEARCH use the messages' unique ids, which "
                     "never change, instead of sequence numbers, which shift.",
     "RFC 9051 6.4.9"},
    {"imap.cmd.unknown", "The server does not know this command and answers with a tagged "
                         "BAD.", "RFC 9051 7.1.3"},
    {"imap.cmd.bad_tag", "Every IMAP command starts with a tag chosen by the client (such as "
                         "a1); this line has none, or an invalid one, so the server answers an "
                         "untagged BAD.", "RFC 9051 2.2.1"},
    {"imap.cmd.syntax", "This command takes no arguments, so the server answers BAD.",
     "RFC 9051 7.1.3"},
    {"imap.cmd.wrong_state", "This command is not allowed in the current state (for example "
                             "FETCH before SELECT), so the server answers BAD.",
     "RFC 9051 3"},
    {"imap.commands.too_many", "The session sent more commands than this server allows: it "
                               "says BYE and closes.", "RFC 9051 7.1.5"},
    {"imap.errors.too_many", "Too many erroneous commands: the server says BYE and closes.",
     "RFC 9051 7.1.5"},
    {"imap.line.too_long", "The command line is longer than this server accepts, so it is "
                           "refused with BAD.", "RFC 9051 2.2"},
    {"imap.line.bare_lf", "Every IMAP line must end with CR LF; a lone LF is refused.",
     "RFC 9051 2.2"},
    {"imap.literal.continue", "The client announced a literal {n}: the server answers \"+\" "
                              "and the client then sends exactly n octets.", "RFC 9051 4.3"},
    {"imap.literal.too_big", "The literal the client announced is larger than this server "
                             "accepts, so the command is refused.", "RFC 9051 7.1"},
    {"imap.timeout", "The client stayed silent too long: the autologout timer (at least 30 "
                     "minutes) ends the session with BYE.", "RFC 9051 5.4"},
    {"imap.tls.plaintext_discarded", "Bytes that arrived after STARTTLS but before the TLS "
                                     "handshake are thrown away, so an attacker cannot inject "
                                     "commands into the encrypted session.", "RFC 9051 6.2.1"},
    {"imap.out_of_memory", "The server ran out of memory and closes the session.", ""},
    {"imap.bug.text", "Programmer error: the server refused to send a malformed response of "
                      "its own and sent a generic one instead.", ""},
    {"imap.capability", "The untagged CAPABILITY line lists what the server supports; "
                        "LOGINDISABLED means LOGIN is refused until STARTTLS.", "RFC 9051 7.2.2"},
    {"imap.capability.ok", "Tagged OK: the CAPABILITY command is complete.", "RFC 9051 6.1.1"},
    {"imap.noop.ok", "Tagged OK: NOOP is complete (any news came just before it, untagged).",
     "RFC 9051 6.1.2"},
    {"imap.check.ok", "Tagged OK: CHECK is complete.", "RFC 3501 6.4.1"},
    {"imap.logout.bye", "The untagged BYE: the server is about to close the connection.",
     "RFC 9051 7.1.5"},
    {"imap.logout.ok", "Tagged OK: LOGOUT is complete and the connection closes.",
     "RFC 9051 6.1.3"},
    {"imap.starttls.ok", "Tagged OK: the TLS handshake starts right after this line.",
     "RFC 9051 6.2.1"},
    {"imap.starttls.handshake", "The TLS handshake runs now; afterwards everything, password "
                                "included, is encrypted. The client must ask CAPABILITY "
                                "again.", "RFC 9051 6.2.1"},
    {"imap.starttls.unavailable", "This server has no TLS certificate configured, so "
                                  "STARTTLS is refused.", "RFC 9051 6.2.1"},
    {"imap.login.disabled", "Clear-text login is disabled before TLS (the server advertised "
                            "LOGINDISABLED): NO [PRIVACYREQUIRED]. Use STARTTLS or port 993 "
                            "first.", "RFC 9051 6.2.3"},
    {"imap.login.syntax", "LOGIN needs exactly two arguments: user name and password.",
     "RFC 9051 6.2.3"},
    {"imap.auth.ok", "Tagged OK: the login worked and the session is now Authenticated (the "
                     "OK carries the new capability list).", "RFC 9051 6.2.3"},
    {"imap.auth.failed", "Tagged NO [AUTHENTICATIONFAILED]: wrong user name or password. The "
                         "client may try again.", "RFC 9051 6.2.3"},
    {"imap.auth.too_many", "Too many failed logins: the server says BYE and closes, to slow "
                           "down password guessing.", "RFC 9051 7.1.5"},
    {"imap.auth.mailbox_error", "The login was accepted but the mailbox could not be opened: "
                                "NO [UNAVAILABLE], a server-side problem.", "RFC 5530 3"},
    {"imap.auth.syntax", "AUTHENTICATE needs the name of a SASL mechanism.", "RFC 9051 6.2.2"},
    {"imap.auth.mechanism", "The server does not offer this SASL mechanism, so AUTHENTICATE "
                            "fails with NO.", "RFC 9051 6.2.2"},
    {"imap.auth.continue", "The server answers \"+ \" and waits for the client's SASL response "
                           "on the next line, in base64.", "RFC 9051 6.2.2"},
    {"imap.auth.response", "The client's SASL response line, in base64 (for PLAIN: the user "
                           "name and password, which base64 does not hide).", "RFC 9051 6.2.2"},
    {"imap.auth.cancelled", "The client answered \"*\": AUTHENTICATE is cancelled and the "
                            "server answers BAD.", "RFC 9051 6.2.2"},
    {"imap.auth.malformed", "The PLAIN response must be [authzid] NUL user NUL password, in "
                            "base64; this one is not, so the login fails.", "RFC 4616 2"},
    {"imap.enable.ok", "Tagged OK: ENABLE is complete.", "RFC 9051 6.3.1"},
    {"imap.enable.syntax", "ENABLE needs at least one capability name.", "RFC 9051 6.3.1"},
    {"imap.enabled", "The untagged ENABLED line says which extensions are now on (here maybe "
                     "IMAP4rev2).", "RFC 9051 7.2.1"},
    {"imap.select.ok", "Tagged OK [READ-WRITE] (SELECT) or [READ-ONLY] (EXAMINE): the mailbox "
                       "is open and the session is in the Selected state.", "RFC 9051 6.3.2"},
    {"imap.select.no_such", "NO [NONEXISTENT]: there is no mailbox of that name (a server "
                            "without folders has only INBOX).", "RFC 9051 7.1"},
    {"imap.select.syntax", "SELECT and EXAMINE need exactly one argument: the mailbox name.",
     "RFC 9051 6.3.2"},
    {"imap.select.permanentflags", "OK [PERMANENTFLAGS (...)]: the flags the client may change "
                                   "and that stay set across sessions.", "RFC 9051 7.1"},
    {"imap.select.uidvalidity", "OK [UIDVALIDITY n]: if this number ever changes, every UID "
                                "the client remembers for this mailbox is invalid.",
     "RFC 9051 2.3.1.1"},
    {"imap.select.uidnext", "OK [UIDNEXT n]: the UID the next new message will get; a client "
                            "can tell from it whether new mail arrived.", "RFC 9051 2.3.1.1"},
    {"imap.select.unseen", "OK [UNSEEN n] (IMAP4rev1): the number of the first message without "
                           "the \\Seen flag.", "RFC 3501 6.3.1"},
    {"imap.exists", "Untagged EXISTS: the number of messages in the mailbox. When it grows "
                    "during a session, new mail has arrived.", "RFC 9051 7.4.1"},
    {"imap.recent", "Untagged RECENT (IMAP4rev1): messages new since the last session; this "
                    "server does not track \\Recent and always says 0.", "RFC 3501 7.3.2"},
    {"imap.flags", "Untagged FLAGS: the flags that exist in this mailbox (\\Seen, \\Answered, "
                   "\\Flagged, \\Deleted, \\Draft).", "RFC 9051 7.3.5"},
    {"imap.list", "Untagged LIST: one mailbox, its attributes (\\HasChildren or "
                  "\\HasNoChildren; \\Sent, \\Trash, \\Drafts from SPECIAL-USE, RFC 6154 2) and "
                  "the hierarchy delimiter \".\" between levels, as in Archive.2026.",
     "RFC 9051 7.3.1"},
    {"imap.list.ok", "Tagged OK: LIST (or LSUB) is complete.", "RFC 9051 6.3.9"},
    {"imap.list.syntax", "LIST needs two arguments: a reference and a mailbox pattern such as "
                         "\"\" \"*\", optionally with selection options before them "
                         "((SUBSCRIBED)) and RETURN (...) after.", "RFC 9051 6.3.9"},
    {"imap.namespace", "Untagged NAMESPACE: personal mailboxes start at the root with \".\" "
                       "as the hierarchy delimiter; there are no other users' or shared ones.",
     "RFC 9051 7.3.2"},
    {"imap.namespace.ok", "Tagged OK: NAMESPACE is complete.", "RFC 9051 6.3.10"},
    {"imap.status", "Untagged STATUS: the requested counts for the mailbox.",
     "RFC 9051 7.3.3"},
    {"imap.status.ok", "Tagged OK: STATUS is complete.", "RFC 9051 6.3.11"},
    {"imap.status.syntax", "STATUS needs a mailbox and a list of items such as (MESSAGES "
                           "UNSEEN).", "RFC 9051 6.3.11"},
    {"imap.subscribe.ok", "Tagged OK: the subscription list is updated.", "RFC 9051 6.3.7"},
    {"imap.subscribe.syntax", "SUBSCRIBE and UNSUBSCRIBE need one argument: the mailbox name.",
     "RFC 9051 6.3.7"},
    {"imap.mailbox.cannot", "NO [CANNOT]: this server has only INBOX, so creating, "
                            "renaming, copying or moving between mailboxes is refused.",
     "RFC 5530 3"},
    /* ---- folders: CREATE, DELETE, RENAME, APPEND, COPY, MOVE (RFC 9051, 4315, 6851) ---- */
    {"imap.create.ok", "Tagged OK: the mailbox exists now, and any missing level above it "
                       "(CREATE a.b also makes a).", "RFC 9051 6.3.4"},
    {"imap.create.syntax", "CREATE needs one argument: the new mailbox name.", "RFC 9051 6.3.4"},
    {"imap.delete.ok", "Tagged OK: the mailbox and every message in it are gone for good.",
     "RFC 9051 6.3.5"},
    {"imap.delete.syntax", "DELETE needs one argument: the mailbox name.", "RFC 9051 6.3.5"},
    {"imap.rename.ok", "Tagged OK: the mailbox has its new name, and so do the mailboxes under "
                       "it. Renaming INBOX instead moves all its messages into a new mailbox "
                       "and leaves INBOX empty.", "RFC 9051 6.3.6"},
    {"imap.rename.syntax", "RENAME needs two arguments: the old name and the new one.",
     "RFC 9051 6.3.6"},
    {"imap.folder.exists", "NO [ALREADYEXISTS]: a mailbox of that name exists already (INBOX "
                           "always does).", "RFC 9051 7.1"},
    {"imap.folder.nonexistent", "NO [NONEXISTENT]: there is no mailbox of that name.",
     "RFC 9051 7.1"},
    {"imap.folder.badname", "NO [CANNOT]: this server cannot store that name; it takes "
                            "printable ASCII without wildcards, slashes or empty levels.",
     "RFC 9051 7.1"},
    {"imap.folder.nonascii", "NO [CANNOT]: non-ASCII names travel in modified UTF-7 (with "
                             "'&'); this server keeps to plain ASCII names.", "RFC 3501 5.1.3"},
    {"imap.folder.inbox", "NO [CANNOT]: INBOX is special: it always exists, so it cannot be "
                          "deleted, and here it has no mailboxes under it.", "RFC 9051 6.3.5"},
    {"imap.folder.inuse", "NO [INUSE]: the mailbox is selected by a session, so it cannot be "
                          "deleted or renamed now.", "RFC 9051 7.1"},
    {"imap.folder.children", "NO [CANNOT]: the mailbox has mailboxes under it; delete those "
                             "first.", "RFC 9051 6.3.5"},
    {"imap.folder.limit", "NO [LIMIT]: the user has as many mailboxes as this server allows.",
     "RFC 9051 7.1"},
    {"imap.folder.fail", "NO [SERVERBUG]: the server could not change its storage; nothing was "
                         "done.", "RFC 9051 7.1"},
    {"imap.append.ok", "Tagged OK [APPENDUID v u]: the message is stored, and u is its UID in "
                       "the mailbox whose UIDVALIDITY is v. This is how a mail program saves "
                       "what it sent into Sent.", "RFC 4315 3"},
    {"imap.append.syntax", "APPEND needs a mailbox, optional flags and date, and the message "
                           "as a literal: APPEND Sent (\\Seen) {310}.", "RFC 9051 6.3.12"},
    {"imap.append.trycreate", "NO [TRYCREATE]: the target mailbox does not exist; a client "
                              "may CREATE it and try again.", "RFC 9051 7.1"},
    {"imap.append.too_big", "NO [TOOBIG]: the message is larger than the APPENDLIMIT the "
                            "server advertised (RFC 7889), so it is refused before it is sent.",
     "RFC 9051 7.1"},
    {"imap.copy.ok", "Tagged OK [COPYUID v old new]: the messages are copied, with their flags "
                     "and dates; new lists their UIDs in the target, in the order of old.",
     "RFC 4315 3"},
    {"imap.copy.syntax", "COPY and MOVE need a message set and a target mailbox.",
     "RFC 9051 6.4.7"},
    {"imap.copy.no_such", "The message set names a number beyond EXISTS, so the server "
                          "answers BAD.", "RFC 9051 6.4.7"},
    {"imap.copy.trycreate", "NO [TRYCREATE]: the target mailbox does not exist; nothing was "
                            "copied or moved.", "RFC 9051 7.1"},
    {"imap.move.copyuid", "Untagged OK [COPYUID ...]: MOVE reports the new UIDs first, then "
                          "EXPUNGE for each message that left.", "RFC 9051 6.4.8"},
    {"imap.move.ok", "Tagged OK: the messages are in the target mailbox and gone from this "
                     "one, in one step (no copy plus \\Deleted plus EXPUNGE).",
     "RFC 9051 6.4.8"},
    {"imap.uid_expunge.syntax", "UID EXPUNGE needs a UID set: only \\Deleted messages with "
                                "those UIDs are removed.", "RFC 4315 2.1"},
    {"imap.fetch", "Untagged FETCH: the data asked for about one message (flags, size, "
                   "envelope, body, ...). Fetching BODY[] also sets \\Seen; BODY.PEEK[] does "
                   "not.", "RFC 9051 7.5.2"},
    {"imap.fetch.ok", "Tagged OK: FETCH is complete.", "RFC 9051 6.4.5"},
    {"imap.fetch.syntax", "FETCH needs a sequence set and data items, like FETCH 1:* (FLAGS "
                          "UID).", "RFC 9051 6.4.5"},
    {"imap.fetch.no_such", "The sequence set names a message number beyond EXISTS, so the "
                           "server answers BAD.", "RFC 9051 6.4.5"},
    {"imap.fetch.flags_changed", "Untagged FETCH (FLAGS ...): another session (another device) "
                                 "changed this message's flags; every client sees the same "
                                 "\\Seen.", "RFC 9051 7.5.2"},
    {"imap.store.fetch", "Untagged FETCH (FLAGS ...): the message's flags after STORE.",
     "RFC 9051 6.4.6"},
    {"imap.store.ok", "Tagged OK: STORE is complete.", "RFC 9051 6.4.6"},
    {"imap.store.syntax", "STORE needs a sequence set, +FLAGS, -FLAGS or FLAGS, and a flag "
                          "list.", "RFC 9051 6.4.6"},
    {"imap.store.read_only", "The mailbox was opened with EXAMINE (read-only), so flags cannot "
                             "change: NO.", "RFC 9051 6.3.3"},
    {"imap.expunge", "Untagged EXPUNGE n: message n is gone for good, and every message after "
                     "it moves down by one number.", "RFC 9051 7.5.1"},
    {"imap.expunge.elsewhere", "Untagged EXPUNGE: another session removed this message; the "
                               "numbers after it shift down by one.", "RFC 9051 7.5.1"},
    {"imap.expunge.ok", "Tagged OK: EXPUNGE is complete.", "RFC 9051 6.4.3"},
    {"imap.expunge.read_only", "The mailbox was opened with EXAMINE (read-only), so nothing "
                               "can be expunged: NO.", "RFC 9051 6.4.3"},
    {"imap.close.ok", "Tagged OK: CLOSE removed the \\Deleted messages and the session is back "
                      "in the Authenticated state.", "RFC 9051 6.4.1"},
    {"imap.unselect.ok", "Tagged OK: the mailbox is closed, nothing removed; the session is "
                         "back in the Authenticated state.", "RFC 9051 6.4.2"},
    {"imap.search", "Untagged SEARCH (ESEARCH in IMAP4rev2): the numbers of the messages that "
                    "match.", "RFC 9051 7.3.4"},
    {"imap.search.ok", "Tagged OK: SEARCH is complete.", "RFC 9051 6.4.4"},
    {"imap.search.syntax", "The search criteria are not valid IMAP SEARCH keys.",
     "RFC 9051 6.4.4"},
    {"imap.search.charset", "NO [BADCHARSET]: the server does not support the charset the "
                            "client named; it lists the ones it does.", "RFC 9051 6.4.4"},
    {"imap.search.no_memory", "NO [SERVERBUG]: the server ran out of memory during SEARCH.",
     "RFC 9051 7.1"},
    {"imap.uid.syntax", "UID must be followed by FETCH, STORE or SEARCH and their arguments.",
     "RFC 9051 6.4.9"},
    {"imap.idle.continue", "\"+ idling\": the server is now in IDLE and will push EXISTS, "
                           "EXPUNGE and FETCH lines as things happen.", "RFC 2177 3"},
    {"imap.idle.done", "The client sends DONE to end IDLE.", "RFC 2177 3"},
    {"imap.idle.not_done", "While idling, the only line the client may send is DONE; anything "
                           "else ends IDLE with BAD.", "RFC 2177 3"},
    {"imap.idle.ok", "Tagged OK: IDLE is over; the client may send commands again.",
     "RFC 2177 3"},
    /* ---- IMAP client keys ---- */
    {"imapc.state.greeting", "The mail client waits for the IMAP server's greeting.",
     "RFC 9051 7.1.1"},
    {"imapc.state.capability", "The mail client asked CAPABILITY and reads the answer.",
     "RFC 9051 6.1.1"},
    {"imapc.state.starttls", "The mail client asked for STARTTLS and waits for OK before the "
                             "TLS handshake.", "RFC 9051 6.2.1"},
    {"imapc.state.login", "The mail client is logging in.", "RFC 9051 6.2.3"},
    {"imapc.state.select", "The mail client is opening INBOX with SELECT.", "RFC 9051 6.3.2"},
    {"imapc.state.search", "The mail client searches for the messages it wants (such as "
                           "UNSEEN).", "RFC 9051 6.4.4"},
    {"imapc.state.fetch", "The mail client is fetching messages.", "RFC 9051 6.4.5"},
    {"imapc.state.store", "The mail client is changing flags with STORE.", "RFC 9051 6.4.6"},
    {"imapc.state.idle", "The mail client is idling: it waits for the server to push news.",
     "RFC 2177 3"},
    {"imapc.state.logout", "The mail client sent LOGOUT and waits for the server to close.",
     "RFC 9051 6.1.3"},
    {"imapc.state.done", "The mail client has finished with this IMAP session.",
     "RFC 9051 6.1.3"},
    {"imapc.state.unknown", "The IMAP client moved to a state this explanation does not know.",
     ""},
    {"imapc.cmd.capability", "The mail client asks CAPABILITY (after STARTTLS it must ask "
                             "again: the old answer is not trusted).", "RFC 9051 6.1.1"},
    {"imapc.cmd.starttls", "The mail client asks for STARTTLS, to encrypt the connection "
                           "before the password is sent.", "RFC 9051 6.2.1"},
    {"imapc.cmd.login", "The mail client logs in with LOGIN user password.", "RFC 9051 6.2.3"},
    {"imapc.cmd.authenticate", "The mail client logs in with AUTHENTICATE PLAIN: user and "
                               "password in base64, which is encoding, not encryption.",
     "RFC 9051 6.2.2"},
    {"imapc.cmd.select", "The mail client opens INBOX with SELECT.", "RFC 9051 6.3.2"},
    {"imapc.cmd.search", "The mail client asks SEARCH which messages it should download.",
     "RFC 9051 6.4.4"},
    {"imapc.cmd.fetch", "The mail client fetches messages with FETCH.", "RFC 9051 6.4.5"},
    {"imapc.cmd.store", "The mail client changes flags with STORE (for example marks a message "
                        "\\Seen).", "RFC 9051 6.4.6"},
    {"imapc.cmd.idle", "The mail client starts IDLE, to be told at once when new mail "
                       "arrives.", "RFC 2177 3"},
    {"imapc.cmd.done", "The mail client sends DONE to end IDLE.", "RFC 2177 3"},
    {"imapc.cmd.logout", "The mail client ends the session with LOGOUT.", "RFC 9051 6.1.3"},
    {"imapc.continue", "The server sent a continuation request (\"+\"): it is ready for more "
                       "from the client.", "RFC 9051 7.6"},
    {"imapc.untagged", "The mail client reads an untagged line (\"* ...\"): data or news from "
                       "the server, not the end of a command.", "RFC 9051 7"},
    {"imapc.response.ok", "Tagged OK: the client's command with this tag succeeded.",
     "RFC 9051 7.1.1"},
    {"imapc.response.no", "Tagged NO or BAD: the client's command with this tag failed (NO) "
                          "or was not understood (BAD).", "RFC 9051 7.1"},
    {"imapc.auth.ok", "The login worked; the mail client can now open the mailbox.",
     "RFC 9051 6.2"},
    {"imapc.auth.failed", "The login failed; the mail client shows the error to its user.",
     "RFC 9051 6.2"},
    {"imapc.starttls.handshake", "The mail client runs the TLS handshake; from now on the "
                                 "session is encrypted.", "RFC 9051 6.2.1"},
    {"imapc.tls.plaintext_discarded", "The mail client throws away clear-text bytes that "
                                      "arrived before the TLS handshake: they could have been "
                                      "injected.", "RFC 9051 6.2.1"},
    {"imapc.message", "One message is downloaded (from an untagged FETCH with BODY[]) and now "
                      "lives in the mail client.", "RFC 9051 7.5.2"},
    {"imapc.done.ok", "The mail client finished its IMAP job.", "RFC 9051 6.1.3"},
    {"imapc.done.failed", "The mail client stopped with an error.", "RFC 9051 6.1.3"},
    {"imapc.close", "The mail client closes the IMAP connection.", "RFC 9051 6.1.3"},
};

#define TABLE_LEN (sizeof table / sizeof table[0])

/* explain_retr_count - rows in the retrieval table */
int explain_retr_count(void)
{
    return (int)TABLE_LEN;
}

/* explain_retr_at - row i, or NULL */
const explain_entry *explain_retr_at(int i)
{
    if (i < 0 || (size_t)i >= TABLE_LEN)
        return NULL;
    return &table[i];
}
