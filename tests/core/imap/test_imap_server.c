/* test_imap_server.c - the IMAP server engine: login rules, SELECT, FETCH items, STORE,
 * SEARCH, EXPUNGE, IDLE with new mail, literals and limits, over the in-memory mailbox. */
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
    assert_non_null(strstr(feed("e5 EXAMINE INBOX\r\n"), "* LIST () \"/\" INBOX\r\n"));
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
                        "* LIST () \"/\" INBOX\r\nl1 OK LIST completed\r\n");
    assert_string_equal(feed("l2 LIST \"\" \"\"\r\n"),
                        "* LIST (\\Noselect) \"/\" \"\"\r\nl2 OK LIST completed\r\n");
    assert_string_equal(
        feed("l3 STATUS INBOX (MESSAGES UNSEEN UIDNEXT)\r\n"),
        "* STATUS INBOX (MESSAGES 2 UNSEEN 1 UIDNEXT 3)\r\nl3 OK STATUS completed\r\n");
    assert_string_equal(feed("l4 SELECT Trash\r\n"),
                        "l4 NO [NONEXISTENT] Only INBOX exists here\r\n");
    assert_string_equal(feed("l5 NAMESPACE\r\n"),
                        "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nl5 OK NAMESPACE completed\r\n");
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
