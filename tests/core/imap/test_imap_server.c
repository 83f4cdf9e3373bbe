/* test_imap_server.c - the IMAP server engine: login rules, SELECT, FETCH items, STORE,
 * SEARCH, EXPUNGE, IDLE with new mail, literals and limits, and folders (LIST, CREATE,
 * DELETE, RENAME, SUBSCRIBE, APPEND, COPY, MOVE, UID EXPUNGE), over the in-memory mailbox. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/imap/imap_server.h"
#include "core/retrieval/mailbox.h"
#include "core/util/base64.h"
#include "../retrieval/retr_harness.h"

static struct {
    mailbox_mem *box;
    mailbox_mem_account acct[1];
    mailbox_mem_directory dir;
    imap_server_config cfg;
    imap_server *srv;
    uint64_t now;
    retr_h_log log; /* output and events of the last call */
} T;

static const char MSG1[] = "Date: Tue, 1 Dec 2026 10:00:00 +0000\n"
                           "From: Alice Example <alice@example.net>\n"
                           "To: bob@example.org, \"Carol, C.\" <carol@example.org>\n"
                           "Subject: Lunch?\n"
                           "Message-ID: <1@example.net>\n"
                           "\n"
                           "Shall we meet at noon?\n";
static const char MSG2[] = "From: dave@example.com\n"
                           "To: Friends: bob@example.org;\n"
                           "Subject: Photos\n"
                           "MIME-Version: 1.0\n"
                           "Content-Type: multipart/mixed; boundary=\"XX\"\n"
                           "\n"
                           "preamble\n"
                           "--XX\n"
                           "Content-Type: text/plain; charset=utf-8\n"
                           "\n"
                           "See attached.\n"
                           "--XX\n"
                           "Content-Type: image/png; name=a.png\n"
                           "Content-Transfer-Encoding: base64\n"
                           "Content-Disposition: attachment; filename=a.png\n"
                           "\n"
                           "iVBORw0KGgo=\n"
                           "--XX--\n";

static const char *drain(void)
{
    return retr_h_drain(&T.log, &retr_engine_imap_server, T.srv);
}

static const char *feed(const char *s)
{
    imap_server_feed(T.srv, s, strlen(s), T.now);
    return drain();
}

static const ev_copy *find(retr_event_kind kind, const char *key)
{
    return retr_h_find(&T.log, kind, key);
}

static bool with_folders; /* start() gives the provider folders */

static void start(bool tls_available, bool plaintext)
{
    memset(&T, 0, sizeof T);
    T.now = 1000;
    T.box = mailbox_mem_new(3857529045u);
    assert_int_equal(mailbox_mem_add(T.box, MSG1, strlen(MSG1), 1796119200, 0), 0);
    assert_int_equal(mailbox_mem_add(T.box, MSG2, strlen(MSG2), 1796122800, MAILBOX_SEEN), 0);
    T.acct[0] = (mailbox_mem_account){"bob", "hunter2", T.box};
    T.dir = (mailbox_mem_directory){T.acct, 1};
    imap_server_config_default(&T.cfg);
    T.cfg.hostname = "mail.example.org";
    T.cfg.provider = mailbox_mem_provider(&T.dir);
    if (with_folders)
        T.cfg.provider.folders = &mailbox_mem_folder_ops;
    T.cfg.tls_available = tls_available;
    T.cfg.allow_plaintext = plaintext;
    T.srv = imap_server_new(&T.cfg, false, T.now);
    assert_non_null(T.srv);
    drain();
}

static void end(void)
{
    imap_server_free(T.srv);
    mailbox_mem_free(T.box);
}

static void login_select(void)
{
    assert_string_equal(feed("a1 LOGIN bob hunter2\r\n"),
                        "a1 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR IDLE NAMESPACE "
                        "ENABLE UNSELECT] Logged in\r\n");
    feed("a2 SELECT INBOX\r\n");
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_logindisabled_then_starttls(void **state)
{
    (void)state;
    start(true, false);
    imap_server *s2 = imap_server_new(&T.cfg, false, 0);
    const char *b;
    size_t n = imap_server_output(s2, &b);
    const char *greet = "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR IDLE NAMESPACE "
                        "ENABLE UNSELECT STARTTLS LOGINDISABLED] mail.example.org IMAP server "
                        "ready\r\n";
    assert_int_equal(n, strlen(greet));
    assert_memory_equal(b, greet, n);
    imap_server_free(s2);

    assert_string_equal(feed("a1 LOGIN bob hunter2\r\n"),
                        "a1 NO [PRIVACYREQUIRED] LOGIN disabled before STARTTLS\r\n");
    assert_null(strstr(T.log.ev[0].bytes, "hunter2"));
    assert_string_equal(T.log.ev[0].bytes, "a1 LOGIN <credentials hidden>\r\n");
    assert_string_equal(feed("a2 SELECT INBOX\r\n"), "a2 BAD Command not valid in this state\r\n");
    /* pipelined bytes after STARTTLS are dropped */
    assert_string_equal(feed("a3 STARTTLS\r\na4 LOGIN bob hunter2\r\n"),
                        "a3 OK Begin TLS negotiation now\r\n");
    assert_non_null(find(RETR_EV_STARTTLS, NULL));
    assert_non_null(find(RETR_EV_ERROR, "imap.tls.plaintext_discarded"));
    imap_server_tls_started(T.srv, T.now);
    assert_string_equal(drain(), "");
    assert_string_equal(feed("a5 CAPABILITY\r\n"),
                        "* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR IDLE NAMESPACE ENABLE "
                        "UNSELECT AUTH=PLAIN\r\na5 OK CAPABILITY completed\r\n");
    assert_string_equal(feed("a6 STARTTLS\r\n"), "a6 BAD STARTTLS not available\r\n");
    assert_string_equal(feed("a7 LOGIN bob wrong\r\n"),
                        "a7 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
    assert_string_equal(find(RETR_EV_RESPONSE, NULL)->code, "AUTHENTICATIONFAILED");
    /* a quoted password and a literal user name */
    assert_string_equal(feed("a8 LOGIN {3}\r\n"), "+ Ready for literal data\r\n");
    assert_string_equal(feed("bob \"hunter2\"\r\n"),
                        "a8 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR IDLE NAMESPACE "
                        "ENABLE UNSELECT] Logged in\r\n");
    assert_string_equal(imap_server_user(T.srv), "bob");
    end();
}

static void test_authenticate_plain(void **state)
{
    (void)state;
    start(false, true);
    char line[200], b64[100];
    base64_encode("\0bob\0hunter2", 12, b64, sizeof b64);
    assert_string_equal(feed("x AUTHENTICATE PLAIN\r\n"), "+ \r\n");
    assert_string_equal(feed("*\r\n"), "x BAD AUTHENTICATE cancelled\r\n");
    snprintf(line, sizeof line, "y AUTHENTICATE PLAIN %s\r\n", b64);
    assert_non_null(strstr(feed(line), "y OK [CAPABILITY"));
    assert_string_equal(T.log.ev[0].bytes, "y AUTHENTICATE <credentials hidden>\r\n");
    end();
}

static void test_select_and_fetch(void **state)
{
    (void)state;
    start(false, true);
    assert_string_equal(feed("a1 LOGIN bob hunter2\r\n"),
                        "a1 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR IDLE NAMESPACE "
                        "ENABLE UNSELECT] Logged in\r\n");
    assert_string_equal(feed("a2 SELECT inbox\r\n"),
                        "* 2 EXISTS\r\n* 0 RECENT\r\n"
                        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)] "
                        "Flags permitted\r\n"
                        "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
                        "* OK [UIDNEXT 3] Predicted next UID\r\n"
                        "* OK [UNSEEN 1] First unseen\r\n"
                        "a2 OK [READ-WRITE] SELECT completed\r\n");
    assert_string_equal(feed("a3 FETCH 1:* (FLAGS UID RFC822.SIZE INTERNALDATE)\r\n"),
                        "* 1 FETCH (FLAGS () UID 1 RFC822.SIZE 205 INTERNALDATE "
                        "\"01-Dec-2026 10:00:00 +0000\")\r\n"
                        "* 2 FETCH (FLAGS (\\Seen) UID 2 RFC822.SIZE 364 INTERNALDATE "
                        "\"01-Dec-2026 11:00:00 +0000\")\r\n"
                        "a3 OK FETCH completed\r\n");
    assert_string_equal(feed("a4 FETCH 1 ENVELOPE\r\n"),
                        "* 1 FETCH (ENVELOPE (\"Tue, 1 Dec 2026 10:00:00 +0000\" \"Lunch?\" "
                        "((\"Alice Example\" NIL \"alice\" \"example.net\")) "
                        "((\"Alice Example\" NIL \"alice\" \"example.net\")) "
                        "((\"Alice Example\" NIL \"alice\" \"example.net\")) "
                        "((NIL NIL \"bob\" \"example.org\")(\"Carol, C.\" NIL \"carol\" "
                        "\"example.org\")) NIL NIL NIL \"<1@example.net>\"))\r\n"
                        "a4 OK FETCH completed\r\n");
    assert_string_equal(feed("a5 FETCH 2 (ENVELOPE BODYSTRUCTURE)\r\n"),
                        "* 2 FETCH (ENVELOPE (NIL \"Photos\" ((NIL NIL \"dave\" \"example.com\")) "
                        "((NIL NIL \"dave\" \"example.com\")) ((NIL NIL \"dave\" \"example.com\")) "
                        "((NIL NIL \"Friends\" NIL)(NIL NIL \"bob\" \"example.org\")"
                        "(NIL NIL NIL NIL)) NIL NIL NIL NIL) "
                        "BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL "
                        "\"7BIT\" 13 1 NIL NIL NIL NIL)(\"image\" \"png\" (\"name\" \"a.png\") NIL "
                        "NIL \"base64\" 12 NIL (\"attachment\" (\"filename\" \"a.png\")) NIL NIL) "
                        "\"mixed\" (\"boundary\" \"XX\") NIL NIL NIL))\r\n"
                        "a5 OK FETCH completed\r\n");
    assert_string_equal(
        feed("a6 FETCH 2 (BODY[1] BODY.PEEK[2.MIME] BODY[HEADER.FIELDS (Subject)])\r\n"),
        "* 2 FETCH (BODY[1] {13}\r\nSee attached. "
        "BODY[2.MIME] {123}\r\nContent-Type: image/png; name=a.png\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=a.png\r\n\r\n "
        "BODY[HEADER.FIELDS (Subject)] {19}\r\nSubject: Photos\r\n\r\n)\r\n"
        "a6 OK FETCH completed\r\n");
    /* PEEK leaves \Seen alone; BODY[] sets it and says so */
    assert_string_equal(feed("a7 FETCH 1 BODY.PEEK[TEXT]<0.5>\r\n"),
                        "* 1 FETCH (BODY[TEXT]<0> {5}\r\nShall)\r\na7 OK FETCH completed\r\n");
    assert_string_equal(
        feed("a8 FETCH 1 BODY[TEXT]\r\n"),
        "* 1 FETCH (BODY[TEXT] {24}\r\nShall we meet at noon?\r\n FLAGS (\\Seen))\r\n"
        "a8 OK FETCH completed\r\n");
    assert_string_equal(feed("a9 UID FETCH 2 FLAGS\r\n"),
                        "* 2 FETCH (UID 2 FLAGS (\\Seen))\r\na9 OK UID FETCH completed\r\n");
    assert_string_equal(feed("b1 FETCH 3 FLAGS\r\n"), "b1 BAD Invalid message sequence number\r\n");
    assert_string_equal(feed("b2 FETCH 1 (FLAGS\r\n"),
                        "b2 BAD Syntax: FETCH sequence-set items\r\n");
    assert_string_equal(feed("b3 FETCH 1 FAST\r\n"),
                        "* 1 FETCH (FLAGS (\\Seen) INTERNALDATE \"01-Dec-2026 10:00:00 +0000\" "
                        "RFC822.SIZE 205)\r\nb3 OK FETCH completed\r\n");
    end();
}

static void test_store_search_expunge(void **state)
{
    (void)state;
    start(false, true);
    login_select();
    assert_string_equal(feed("s1 SEARCH UNSEEN\r\n"), "* SEARCH 1\r\ns1 OK SEARCH completed\r\n");
    assert_string_equal(feed("s2 SEARCH FROM alice\r\n"),
                        "* SEARCH 1\r\ns2 OK SEARCH completed\r\n");
    assert_string_equal(feed("s3 UID SEARCH SUBJECT photos\r\n"),
                        "* SEARCH 2\r\ns3 OK UID SEARCH completed\r\n");
    assert_string_equal(feed("s4 SEARCH OR SEEN NOT FROM alice\r\n"),
                        "* SEARCH 2\r\ns4 OK SEARCH completed\r\n");
    assert_string_equal(feed("s5 SEARCH CHARSET UTF-8 ALL\r\n"),
                        "* SEARCH 1 2\r\ns5 OK SEARCH completed\r\n");
    assert_string_equal(feed("s6 SEARCH BODY noon SINCE 1-Dec-2026\r\n"),
                        "* SEARCH 1\r\ns6 OK SEARCH completed\r\n");
    assert_string_equal(feed("s7 SEARCH FOO\r\n"), "s7 BAD Syntax: SEARCH keys\r\n");
    assert_string_equal(feed("t1 STORE 1 +FLAGS (\\Seen \\Deleted)\r\n"),
                        "* 1 FETCH (FLAGS (\\Seen \\Deleted))\r\nt1 OK STORE completed\r\n");
    assert_string_equal(feed("t2 UID STORE 2 +FLAGS.SILENT (\\Flagged)\r\n"),
                        "t2 OK UID STORE completed\r\n");
    assert_string_equal(feed("t3 STORE 1 FLAGS \\Bogus\r\n"),
                        "t3 BAD Syntax: STORE sequence-set [+-]FLAGS (flags)\r\n");
    assert_string_equal(feed("t4 SEARCH DELETED\r\n"), "* SEARCH 1\r\nt4 OK SEARCH completed\r\n");
    assert_string_equal(feed("e1 EXPUNGE\r\n"), "* 1 EXPUNGE\r\ne1 OK EXPUNGE completed\r\n");
    mailbox mb = mailbox_mem_get(T.box);
    assert_int_equal(mb.ops->count(mb.ctx), 1);
    assert_int_equal(mb.ops->flags(mb.ctx, 0), MAILBOX_SEEN | MAILBOX_FLAGGED);
    assert_string_equal(feed("e2 FETCH 1 UID\r\n"),
                        "* 1 FETCH (UID 2)\r\ne2 OK FETCH completed\r\n");
    /* rev2 form of SEARCH */
    feed("e3 UNSELECT\r\n");
    assert_string_equal(feed("e4 ENABLE IMAP4rev2\r\n"),
                        "* ENABLED IMAP4rev2\r\ne4 OK ENABLE completed\r\n");
    assert_non_null(strstr(feed("e5 EXAMINE INBOX\r\n"), "* LIST () \".\" INBOX\r\n"));
    assert_null(strstr(T.log.out, "RECENT"));
    assert_string_equal(feed("e6 UID SEARCH ALL\r\n"),
                        "* ESEARCH (TAG \"e6\") UID ALL 2\r\ne6 OK UID SEARCH completed\r\n");
    assert_string_equal(feed("e7 STORE 1 +FLAGS (\\Deleted)\r\n"),
                        "e7 NO Mailbox is read-only\r\n");
    assert_string_equal(feed("e8 CLOSE\r\n"), "e8 OK CLOSE completed\r\n");
    end();
}

static void test_idle_and_two_sessions(void **state)
{
    (void)state;
    start(false, true);
    login_select();
    /* a second session (the phone) */
    imap_server *phone = imap_server_new(&T.cfg, false, T.now);
    const char *b;
    imap_server_feed(phone, "p1 LOGIN bob hunter2\r\np2 SELECT INBOX\r\np3 IDLE\r\n", 48, T.now);
    size_t n = imap_server_output(phone, &b);
    assert_non_null(strstr(b, "+ idling\r\n"));
    imap_server_output_consumed(phone, n);
    assert_int_equal(imap_server_state_get(phone), IMAP_SRV_IDLE);
    /* the laptop reads message 1: \Seen shows on the phone at once */
    assert_non_null(strstr(feed("a3 FETCH 1 BODY[]\r\n"), "FLAGS (\\Seen)"));
    imap_server_mailbox_changed(phone, T.now);
    n = imap_server_output(phone, &b);
    assert_int_equal(n, strlen("* 1 FETCH (FLAGS (\\Seen))\r\n"));
    assert_memory_equal(b, "* 1 FETCH (FLAGS (\\Seen))\r\n", n);
    imap_server_output_consumed(phone, n);
    /* new mail arrives during IDLE: EXISTS at once (RFC 2177) */
    mailbox_mem_add(T.box, "Subject: new\n\nhi\n", 17, 1796130000, 0);
    imap_server_mailbox_changed(phone, T.now);
    n = imap_server_output(phone, &b);
    assert_int_equal(n, strlen("* 3 EXISTS\r\n"));
    assert_memory_equal(b, "* 3 EXISTS\r\n", n);
    imap_server_output_consumed(phone, n);
    imap_server_feed(phone, "DONE\r\n", 6, T.now);
    n = imap_server_output(phone, &b);
    assert_int_equal(n, strlen("p3 OK IDLE terminated\r\n"));
    imap_server_output_consumed(phone, n);
    assert_int_equal(imap_server_state_get(phone), IMAP_SRV_SELECTED);
    imap_server_free(phone);
    /* the laptop learns on NOOP */
    assert_string_equal(feed("a4 NOOP\r\n"), "* 3 EXISTS\r\na4 OK NOOP completed\r\n");
    end();
}

static void test_limits_and_errors(void **state)
{
    (void)state;
    start(false, true);
    assert_string_equal(feed("\r\n"), "* BAD Missing or invalid tag\r\n");
    assert_string_equal(feed("+x NOOP\r\n"), "* BAD Missing or invalid tag\r\n");
    assert_string_equal(feed("a FROB\r\n"), "a BAD Unknown command\r\n");
    assert_string_equal(feed("a NOOP\n"), "a BAD Lines must end with CRLF\r\n");
    assert_string_equal(feed("a NOOP extra\r\n"), "a BAD This command takes no arguments\r\n");
    assert_string_equal(feed("a LOGIN {999999}\r\n"), "a BAD [TOOBIG] Literal too big\r\n");
    assert_string_equal(feed("a LOGIN {3+}\r\nbob hunter2\r\n"), "a OK [CAPABILITY IMAP4rev1 "
                        "IMAP4rev2 LITERAL- SASL-IR IDLE NAMESPACE ENABLE UNSELECT] Logged in\r\n");
    char big[IMAP_LINE_MAX + 100];
    memset(big, 'a', sizeof big);
    memcpy(big + sizeof big - 3, "\r\n", 3);
    assert_string_equal(feed(big), "* BAD Command line too long\r\n");
    assert_string_equal(feed("l1 LIST \"\" *\r\n"),
                        "* LIST () \".\" INBOX\r\nl1 OK LIST completed\r\n");
    assert_string_equal(feed("l2 LIST \"\" \"\"\r\n"),
                        "* LIST (\\Noselect) \".\" \"\"\r\nl2 OK LIST completed\r\n");
    assert_string_equal(
        feed("l3 STATUS INBOX (MESSAGES UNSEEN UIDNEXT)\r\n"),
        "* STATUS INBOX (MESSAGES 2 UNSEEN 1 UIDNEXT 3)\r\nl3 OK STATUS completed\r\n");
    assert_string_equal(feed("l4 SELECT Trash\r\n"),
                        "l4 NO [NONEXISTENT] Only INBOX exists here\r\n");
    assert_string_equal(feed("l5 NAMESPACE\r\n"),
                        "* NAMESPACE ((\"\" \".\")) NIL NIL\r\nl5 OK NAMESPACE completed\r\n");
    bool saw_bye = false;
    for (int i = 0; i < IMAP_MAX_ERRORS && !saw_bye; i++)
        saw_bye = strstr(feed("z FROB\r\n"), "* BYE Too many errors\r\n") != NULL;
    assert_true(saw_bye);
    assert_int_equal(imap_server_state_get(T.srv), IMAP_SRV_LOGOUT);
    end();

    start(false, true);
    imap_server_tick(T.srv, T.now + IMAP_TIMEOUT_MS);
    assert_string_equal(drain(), "* BYE Autologout; idle for too long\r\n");
    assert_true(imap_server_done(T.srv));
    end();

    start(false, true);
    assert_string_equal(feed("q LOGOUT\r\n"), "* BYE Logging out\r\nq OK LOGOUT completed\r\n");
    assert_non_null(find(RETR_EV_CLOSE, NULL));
    assert_int_equal(imap_server_feed(T.srv, "x", 1, T.now), -1);
    end();
}

static void test_implicit_tls(void **state)
{
    (void)state;
    start(false, false);
    imap_server *s = imap_server_new(&T.cfg, true, 0);
    const char *b;
    assert_int_equal(imap_server_output(s, &b), 0);
    imap_server_tls_started(s, 0);
    size_t n = imap_server_output(s, &b);
    assert_non_null(strstr(b, "AUTH=PLAIN] mail.example.org IMAP server ready"));
    imap_server_output_consumed(s, n);
    imap_server_free(s);
    end();
}

/* ---- folders --------------------------------------------------------------------------------- */

#define CAPS_FOLDERS "IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR IDLE NAMESPACE ENABLE UNSELECT MOVE " \
                     "UIDPLUS SPECIAL-USE APPENDLIMIT=33554432"

static void start_folders(void)
{
    with_folders = true;
    start(false, true);
    with_folders = false;
    assert_string_equal(feed("a1 LOGIN bob hunter2\r\n"),
                        "a1 OK [CAPABILITY " CAPS_FOLDERS "] Logged in\r\n");
}

static void test_folders_create_list_delete(void **state)
{
    (void)state;
    start_folders();
    assert_string_equal(feed("c1 CREATE Sent\r\n"), "c1 OK CREATE completed\r\n");
    assert_string_equal(feed("c2 CREATE Trash\r\n"), "c2 OK CREATE completed\r\n");
    assert_string_equal(feed("c3 CREATE Archive.2026\r\n"), "c3 OK CREATE completed\r\n");
    assert_string_equal(feed("c4 CREATE \"My Stuff.\"\r\n"), "c4 OK CREATE completed\r\n");
    /* RFC 9051 6.3.9: '*' crosses levels, '%' does not; parents were created (6.3.4) */
    assert_string_equal(feed("l1 LIST \"\" *\r\n"),
                        "* LIST (\\HasNoChildren) \".\" INBOX\r\n"
                        "* LIST (\\HasChildren \\Archive) \".\" Archive\r\n"
                        "* LIST (\\HasNoChildren) \".\" Archive.2026\r\n"
                        "* LIST (\\HasNoChildren) \".\" \"My Stuff\"\r\n"
                        "* LIST (\\HasNoChildren \\Sent) \".\" Sent\r\n"
                        "* LIST (\\HasNoChildren \\Trash) \".\" Trash\r\n"
                        "l1 OK LIST completed\r\n");
    assert_string_equal(feed("l2 LIST \"\" %\r\n"),
                        "* LIST (\\HasNoChildren) \".\" INBOX\r\n"
                        "* LIST (\\HasChildren \\Archive) \".\" Archive\r\n"
                        "* LIST (\\HasNoChildren) \".\" \"My Stuff\"\r\n"
                        "* LIST (\\HasNoChildren \\Sent) \".\" Sent\r\n"
                        "* LIST (\\HasNoChildren \\Trash) \".\" Trash\r\n"
                        "l2 OK LIST completed\r\n");
    assert_string_equal(feed("l3 LIST Archive. %\r\n"),
                        "* LIST (\\HasNoChildren) \".\" Archive.2026\r\nl3 OK LIST completed\r\n");
    assert_string_equal(feed("l4 LIST \"\" inbox\r\n"),
                        "* LIST (\\HasNoChildren) \".\" INBOX\r\nl4 OK LIST completed\r\n");
    /* error paths: taken names, bad names, INBOX */
    assert_string_equal(feed("c5 CREATE Sent\r\n"),
                        "c5 NO [ALREADYEXISTS] Mailbox already exists\r\n");
    assert_string_equal(feed("c6 CREATE inbox\r\n"),
                        "c6 NO [ALREADYEXISTS] Mailbox already exists\r\n");
    assert_non_null(strstr(feed("c7 CREATE a..b\r\n"), "c7 NO [CANNOT] Not a mailbox name"));
    assert_non_null(strstr(feed("c8 CREATE \"a/b\"\r\n"), "c8 NO [CANNOT] Not a mailbox name"));
    assert_non_null(strstr(feed("c9 CREATE \"a*\"\r\n"), "c9 NO [CANNOT]"));
    assert_string_equal(feed("d1 CREATE &AOk-t&AOk-\r\n"),
                        "d1 NO [CANNOT] Only ASCII mailbox names here (no modified UTF-7)\r\n");
    assert_string_equal(feed("d2 CREATE INBOX.Sub\r\n"),
                        "d2 NO [CANNOT] INBOX cannot be deleted and has no subfolders here\r\n");
    assert_string_equal(feed("d3 CREATE\r\n"), "d3 BAD Syntax: CREATE mailbox\r\n");
    assert_string_equal(feed("d4 DELETE INBOX\r\n"),
                        "d4 NO [CANNOT] INBOX cannot be deleted and has no subfolders here\r\n");
    assert_string_equal(feed("d5 DELETE Nope\r\n"), "d5 NO [NONEXISTENT] No such mailbox\r\n");
    assert_string_equal(feed("d6 DELETE Archive\r\n"),
                        "d6 NO [CANNOT] Delete its subfolders first\r\n");
    assert_string_equal(feed("d7 DELETE Archive.2026\r\n"), "d7 OK DELETE completed\r\n");
    assert_string_equal(feed("d8 DELETE Archive\r\n"), "d8 OK DELETE completed\r\n");
    /* a selected folder is in use; once another is selected it can go */
    feed("s1 SELECT Trash\r\n");
    assert_string_equal(feed("d9 DELETE Trash\r\n"),
                        "d9 NO [INUSE] Mailbox is open in another session\r\n");
    feed("s2 SELECT INBOX\r\n");
    assert_string_equal(feed("da DELETE Trash\r\n"), "da OK DELETE completed\r\n");
    assert_string_equal(feed("l5 LIST \"\" *\r\n"),
                        "* LIST (\\HasNoChildren) \".\" INBOX\r\n"
                        "* LIST (\\HasNoChildren) \".\" \"My Stuff\"\r\n"
                        "* LIST (\\HasNoChildren \\Sent) \".\" Sent\r\n"
                        "l5 OK LIST completed\r\n");
    /* the folder limit */
    char cmd[64];
    bool limited = false;
    for (int i = 0; i < MAILBOX_FOLDERS_MAX && !limited; i++) {
        snprintf(cmd, sizeof cmd, "m CREATE f%d\r\n", i);
        limited = strstr(feed(cmd), "m NO [LIMIT] Too many mailboxes") != NULL;
    }
    assert_true(limited);
    end();
}

static void test_folders_rename_subscribe_status(void **state)
{
    (void)state;
    start_folders();
    feed("c1 CREATE Work.Projects\r\n");
    assert_string_equal(feed("r1 RENAME Work Job\r\n"), "r1 OK RENAME completed\r\n");
    assert_string_equal(feed("l1 LIST \"\" Job*\r\n"),
                        "* LIST (\\HasChildren) \".\" Job\r\n"
                        "* LIST (\\HasNoChildren) \".\" Job.Projects\r\nl1 OK LIST completed\r\n");
    assert_string_equal(feed("r2 RENAME Nope Other\r\n"),
                        "r2 NO [NONEXISTENT] No such mailbox\r\n");
    assert_string_equal(feed("r3 RENAME Job Job.Projects\r\n"),
                        "r3 NO [ALREADYEXISTS] Mailbox already exists\r\n");
    assert_string_equal(feed("r4 RENAME Job INBOX\r\n"),
                        "r4 NO [ALREADYEXISTS] Mailbox already exists\r\n");
    /* RFC 9051 6.3.6: renaming INBOX moves its messages to the new name; INBOX stays, empty */
    assert_string_equal(feed("r5 RENAME INBOX Old\r\n"), "r5 OK RENAME completed\r\n");
    assert_string_equal(feed("s1 STATUS INBOX (MESSAGES)\r\n"),
                        "* STATUS INBOX (MESSAGES 0)\r\ns1 OK STATUS completed\r\n");
    assert_string_equal(feed("s2 STATUS Old (MESSAGES UNSEEN UIDNEXT)\r\n"),
                        "* STATUS Old (MESSAGES 2 UNSEEN 1 UIDNEXT 3)\r\n"
                        "s2 OK STATUS completed\r\n");
    assert_string_equal(feed("s3 STATUS Gone (MESSAGES)\r\n"),
                        "s3 NO [NONEXISTENT] No such mailbox\r\n");
    /* subscriptions: INBOX always, others when they exist */
    assert_string_equal(feed("u1 SUBSCRIBE Old\r\n"), "u1 OK Completed\r\n");
    assert_string_equal(feed("u2 SUBSCRIBE Gone\r\n"),
                        "u2 NO [NONEXISTENT] No such mailbox\r\n");
    assert_string_equal(feed("u3 LSUB \"\" *\r\n"),
                        "* LSUB () \".\" INBOX\r\n* LSUB () \".\" Old\r\nu3 OK LSUB completed\r\n");
    feed("x1 DELETE Old\r\n");
    assert_string_equal(feed("u4 LSUB \"\" *\r\n"), "* LSUB () \".\" INBOX\r\n"
                                                    "* LSUB (\\Noselect) \".\" Old\r\n"
                                                    "u4 OK LSUB completed\r\n");
    /* the IMAP4rev2 forms (RFC 9051 6.3.9): selection and return options */
    assert_string_equal(feed("u7 LIST (SUBSCRIBED) \"\" *\r\n"),
                        "* LIST (\\HasNoChildren \\Subscribed) \".\" INBOX\r\n"
                        "* LIST (\\NonExistent \\Subscribed) \".\" Old\r\n"
                        "u7 OK LIST completed\r\n");
    assert_string_equal(feed("u8 LIST \"\" % RETURN (SUBSCRIBED CHILDREN)\r\n"),
                        "* LIST (\\HasNoChildren \\Subscribed) \".\" INBOX\r\n"
                        "* LIST (\\HasChildren) \".\" Job\r\nu8 OK LIST completed\r\n");
    assert_string_equal(feed("u9 LIST (BOGUS) \"\" *\r\n"),
                        "u9 BAD Syntax: LIST reference pattern\r\n");
    assert_string_equal(feed("u5 UNSUBSCRIBE Old\r\n"), "u5 OK Completed\r\n");
    assert_string_equal(feed("u6 LSUB \"\" *\r\n"),
                        "* LSUB () \".\" INBOX\r\nu6 OK LSUB completed\r\n");
    /* SELECT a folder by name; its own UIDVALIDITY */
    feed("c2 CREATE Sent\r\n");
    assert_string_equal(feed("l2 LIST (SPECIAL-USE) \"\" * RETURN (SPECIAL-USE)\r\n"),
                        "* LIST (\\HasNoChildren \\Sent) \".\" Sent\r\nl2 OK LIST completed\r\n");
    assert_non_null(strstr(feed("s4 SELECT Sent\r\n"), "* 0 EXISTS\r\n"));
    assert_non_null(strstr(T.log.out, "s4 OK [READ-WRITE] SELECT completed"));
    assert_null(strstr(T.log.out, "UIDVALIDITY 3857529045"));
    end();
}

static void test_folders_append(void **state)
{
    (void)state;
    start_folders();
    feed("c1 CREATE Sent\r\n");
    assert_string_equal(feed("p1 APPEND Sent (\\Seen) \"01-Dec-2026 10:00:00 +0100\" {12}\r\n"),
                        "+ Ready for literal data\r\n");
    const char *r = feed("Subject: x\r\n\r\n");
    assert_string_equal(r, "p1 OK [APPENDUID 3857529046 1] APPEND completed\r\n");
    feed("f1 EXAMINE Sent\r\n");
    assert_string_equal(feed("f2 FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE)\r\n"),
                        "* 1 FETCH (FLAGS (\\Seen) INTERNALDATE \"01-Dec-2026 09:00:00 +0000\" "
                        "RFC822.SIZE 12)\r\nf2 OK FETCH completed\r\n");
    /* LITERAL- (RFC 7888): no "+"; into the selected mailbox, EXISTS comes at once */
    assert_string_equal(feed("p2 APPEND Sent {3+}\r\nabc\r\n"),
                        "* 2 EXISTS\r\np2 OK [APPENDUID 3857529046 2] APPEND completed\r\n");
    /* a missing target asks the client to CREATE it (RFC 9051 6.3.12) */
    assert_string_equal(feed("p3 APPEND Drafts {3+}\r\nabc\r\n"),
                        "p3 NO [TRYCREATE] No such mailbox\r\n");
    /* no date-time: "now" for a store without a clock is its newest message's date */
    feed("p0 EXAMINE INBOX\r\n");
    assert_string_equal(feed("p1 APPEND INBOX {3+}\r\nabc\r\n"),
                        "* 3 EXISTS\r\np1 OK [APPENDUID 3857529045 3] APPEND completed\r\n");
    assert_string_equal(feed("f3 FETCH 3 INTERNALDATE\r\n"),
                        "* 3 FETCH (INTERNALDATE \"01-Dec-2026 11:00:00 +0000\")\r\n"
                        "f3 OK FETCH completed\r\n");
    /* over APPENDLIMIT: refused before the literal is sent (RFC 7889 4) */
    char big[64];
    snprintf(big, sizeof big, "p4 APPEND Sent {%u}\r\n", (unsigned)IMAP_APPEND_MAX + 1);
    assert_string_equal(feed(big), "p4 NO [TOOBIG] Message too big for APPENDLIMIT\r\n");
    assert_string_equal(feed("p5 APPEND Sent (\\Bogus) {3+}\r\nabc\r\n"),
                        "p5 BAD Syntax: APPEND mailbox [(flags)] [\"date-time\"] {size}\r\n");
    assert_string_equal(feed("p6 APPEND Sent \"99-Foo-2026 10:00:00 +0000\" {3+}\r\nabc\r\n"),
                        "p6 BAD Syntax: APPEND mailbox [(flags)] [\"date-time\"] {size}\r\n");
    assert_string_equal(feed("p7 APPEND Sent\r\n"),
                        "p7 BAD Syntax: APPEND mailbox [(flags)] [\"date-time\"] {size}\r\n");
    assert_non_null(strstr(feed("p8 APPEND \"a%\" {3+}\r\nabc\r\n"), "p8 NO [CANNOT]"));
    /* a larger message than any other literal may be (IMAP_LITERAL_MAX) */
    size_t n = IMAP_LITERAL_MAX + 10;
    char *msg = malloc(n + 3);
    assert_non_null(msg);
    memset(msg, 'x', n);
    memcpy(msg + n, "\r\n", 3);
    snprintf(big, sizeof big, "p9 APPEND INBOX {%zu}\r\n", n);
    assert_string_equal(feed(big), "+ Ready for literal data\r\n");
    assert_string_equal(feed(msg),
                        "* 4 EXISTS\r\np9 OK [APPENDUID 3857529045 4] APPEND completed\r\n");
    free(msg);
    end();
}

static void test_folders_copy_move(void **state)
{
    (void)state;
    start_folders();
    feed("c1 CREATE Trash\r\n");
    feed("a2 SELECT INBOX\r\n");
    assert_string_equal(feed("k1 COPY 1:2 Trash\r\n"),
                        "k1 OK [COPYUID 3857529046 1:2 1:2] COPY completed\r\n");
    assert_string_equal(feed("k2 COPY 1 Nope\r\n"), "k2 NO [TRYCREATE] No such mailbox\r\n");
    assert_non_null(strstr(feed("k5 COPY 1 \"a/b\"\r\n"), "k5 NO [CANNOT]"));
    assert_string_equal(feed("k3 COPY 7 Trash\r\n"), "k3 BAD Invalid message sequence number\r\n");
    assert_string_equal(feed("k4 COPY 1\r\n"), "k4 BAD Syntax: COPY sequence-set mailbox\r\n");
    /* RFC 9051 6.4.8: COPYUID untagged, then the EXPUNGEs, then OK */
    assert_string_equal(feed("m1 UID MOVE 2 Trash\r\n"),
                        "* OK [COPYUID 3857529046 2 3] Moved\r\n* 2 EXPUNGE\r\n"
                        "m1 OK MOVE completed\r\n");
    /* a UID that is gone: nothing to do, and that is no error (RFC 9051 6.4.9) */
    assert_string_equal(feed("m2 UID MOVE 99 Trash\r\n"), "m2 OK MOVE completed\r\n");
    assert_string_equal(feed("m3 MOVE 1 Trash\r\n"),
                        "* OK [COPYUID 3857529046 1 4] Moved\r\n* 1 EXPUNGE\r\n"
                        "m3 OK MOVE completed\r\n");
    assert_string_equal(feed("s1 STATUS Trash (MESSAGES)\r\n"),
                        "* STATUS Trash (MESSAGES 4)\r\ns1 OK STATUS completed\r\n");
    /* flags and INTERNALDATE travel with the copy (RFC 9051 6.4.7) */
    feed("s2 SELECT Trash\r\n");
    assert_string_equal(feed("f1 UID FETCH 3 (FLAGS INTERNALDATE)\r\n"),
                        "* 3 FETCH (UID 3 FLAGS (\\Seen) INTERNALDATE \"01-Dec-2026 11:00:00 "
                        "+0000\")\r\nf1 OK UID FETCH completed\r\n");
    /* UID EXPUNGE (RFC 4315 2.1) removes only the \Deleted messages in its set */
    feed("t1 STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n");
    assert_string_equal(feed("x1 UID EXPUNGE 2:4\r\n"),
                        "* 2 EXPUNGE\r\nx1 OK UID EXPUNGE completed\r\n");
    assert_string_equal(feed("x2 UID SEARCH DELETED\r\n"),
                        "* SEARCH 1\r\nx2 OK UID SEARCH completed\r\n");
    /* EXAMINE is read-only: no MOVE out of it */
    feed("s3 EXAMINE Trash\r\n");
    assert_string_equal(feed("m4 MOVE 1 INBOX\r\n"), "m4 NO Mailbox is read-only\r\n");
    assert_string_equal(feed("x3 UID EXPUNGE 1\r\n"), "x3 NO Mailbox is read-only\r\n");
    end();
}

static void test_no_folders_without_provider(void **state)
{
    (void)state;
    start(false, true);
    login_select();
    assert_string_equal(feed("c1 CREATE Sent\r\n"), "c1 NO [CANNOT] Only INBOX exists here\r\n");
    assert_string_equal(feed("c2 APPEND INBOX {3+}\r\nabc\r\n"),
                        "c2 NO [CANNOT] Only INBOX exists here\r\n");
    assert_string_equal(feed("c3 UID MOVE 1 Trash\r\n"),
                        "c3 NO [CANNOT] Only INBOX exists here\r\n");
    assert_string_equal(feed("c4 UID EXPUNGE 1\r\n"), "c4 BAD Unknown UID command\r\n");
    end();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logindisabled_then_starttls),
        cmocka_unit_test(test_authenticate_plain),
        cmocka_unit_test(test_select_and_fetch),
        cmocka_unit_test(test_store_search_expunge),
        cmocka_unit_test(test_idle_and_two_sessions),
        cmocka_unit_test(test_limits_and_errors),
        cmocka_unit_test(test_implicit_tls),
        cmocka_unit_test(test_folders_create_list_delete),
        cmocka_unit_test(test_folders_rename_subscribe_status),
        cmocka_unit_test(test_folders_append),
        cmocka_unit_test(test_folders_copy_move),
        cmocka_unit_test(test_no_folders_without_provider),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
