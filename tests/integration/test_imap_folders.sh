# test_imap_folders.sh - IMAP folders over real loopback sockets, as Thunderbird uses them with
# its default settings: Python's imaplib creates Sent and Trash, subscribes, APPENDs a sent
# message to Sent, MOVEs and COPYs mail to Trash, LISTs, LSUBs, SELECTs and STATUSes them,
# RENAMEs and DELETEs; the Maildir on disk has the Maildir++ folders (.Sent/cur, ...) with the
# files, flags as info letters, and UID lists per folder; curl lists the folders and fetches
# from one. 127.0.0.1 only; ports chosen by the kernel and read from the servers' logs.
. tests/integration/lib.sh
trap kill_servers EXIT
export XDG_DATA_HOME="$TMPDIR_TEST/xdg" # the self-signed certificate goes here, not in ~
MD="$TMPDIR_TEST/md"

start_srv mx --role mx --domain example.org --maildir "$MD" || fail "mx starts" "$(cat "$LOG")"
MXPORT=$PORT
start_srv imap --role imap --maildir "$MD" --user bob:secret || fail "imap starts" "$(cat "$LOG")"
IMAPPORT=$PORT

for i in 1 2 3; do
    "$SMTPSIM" send --server 127.0.0.1:$MXPORT --from alice@example.net --to bob@example.org \
        --subject "hello $i" --body "Body $i." >/dev/null 2>&1
done
wait_for at_least 3 "$MD/bob/new"

out=$($PY - "$IMAPPORT" <<'PYEOF' 2>&1
import imaplib, ssl, sys, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=30)
m.starttls(ssl_context=ctx)
typ, d = m.login("bob", "secret")
print("caps", " ".join(c for c in m.capabilities if c in ("MOVE", "UIDPLUS", "SPECIAL-USE")))
for name in ("Sent", "Trash", "Drafts"):
    print("create", name, m.create(name)[0], m.subscribe(name)[0])
typ, d = m.create("Sent")
print("create again", typ, d[0].decode())
print("create bad", m.create('"caf&AOk-"')[0])
for line in m.list('""', "*")[1]:
    print("list", line.decode())
for line in m.lsub('""', "*")[1]:
    print("lsub", line.decode())
# what Thunderbird does after sending: APPEND to Sent, \Seen, with the date
msg = b"From: bob@example.org\r\nTo: alice@example.net\r\nSubject: sent by bob\r\n\r\nHi.\r\n"
typ, d = m.append("Sent", r"(\Seen)", imaplib.Time2Internaldate(time.time()), msg)
print("append", typ, d[0].decode())
typ, d = m.append("Nowhere", None, None, msg)
print("append missing", typ, d[0].decode())
# no date-time (what Thunderbird sends for a draft): INTERNALDATE is the server's now
m.append("Drafts", r"(\Draft)", None, msg)
m.select("Drafts", readonly=True)
typ, d = m.fetch("1", "(FLAGS INTERNALDATE)")
print("draft", d[0].decode(), time.strftime("%Y", time.gmtime()))
typ, d = m.select("INBOX")
print("select", typ, d[0].decode())
# delete as Thunderbird does with MOVE, and the older way: COPY, \Deleted, EXPUNGE
typ, d = m.uid("MOVE", "1", "Trash")
print("move", typ, m.response("COPYUID")[1][0].decode())
typ, d = m.copy("1", "Trash")
print("copy", typ, d[0].decode())
m.store("1", "+FLAGS", r"(\Deleted)")
typ, d = m.expunge()
print("expunge", typ, d[0].decode() if d[0] else "")
typ, d = m.uid("MOVE", "999", "Trash")
print("move gone", typ)
typ, d = m.status("Trash", "(MESSAGES UIDNEXT)")
print("status", typ, d[0].decode())
typ, d = m.select("Trash")
print("select trash", typ, d[0].decode())
typ, d = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print("subjects", sorted(x[1].decode().strip() for x in d if isinstance(x, tuple)))
typ, d = m.select("Sent")
typ, d = m.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print("sent", d[0][0].decode(), d[0][1].decode().strip())
m.unselect()
print("rename", m.rename("Drafts", "Old.Drafts")[0], m.delete("Old.Drafts")[0],
      m.delete("INBOX")[0])
m.logout()
PYEOF
)
check_line() { printf '%s\n' "$out" | grep -q -- "$1"; }
# the draft's INTERNALDATE is in this year (the line ends with the year the client saw)
DRAFT_NOW='^draft 1 \(FLAGS \(\\Draft\) INTERNALDATE "[0-9 ]{2}-[A-Za-z]{3}-([0-9]{4}) .*\) \1$'
if check_line '^caps MOVE UIDPLUS SPECIAL-USE$' && check_line '^create Sent OK OK$' &&
    check_line '^create again NO \[ALREADYEXISTS\] Mailbox already exists$' &&
    check_line '^create bad NO$' &&
    check_line '^list (\\HasNoChildren \\Sent) "\." Sent$' &&
    check_line '^list (\\HasNoChildren \\Trash) "\." Trash$' &&
    check_line '^lsub () "\." Drafts$'; then
    pass "imaplib: CREATE Sent/Trash/Drafts, SUBSCRIBE, LIST with SPECIAL-USE, LSUB"
else
    fail "imaplib CREATE/LIST" "$out"
fi
if check_line '^append OK \[APPENDUID [0-9]* 1\] APPEND completed$' &&
    check_line '^append missing NO \[TRYCREATE\]' && check_line '^sent 1 (FLAGS (\\Seen) ' &&
    printf '%s\n' "$out" | grep -Eq "$DRAFT_NOW" &&
    check_line 'sent .*Subject: sent by bob'; then
    pass "imaplib: APPEND to Sent with \\Seen (APPENDUID), to Drafts dated now, TRYCREATE"
else
    fail "imaplib APPEND" "$out"
fi
if check_line '^move OK [0-9]* 1 1$' &&
    check_line '^copy OK \[COPYUID [0-9]* 2 2\] COPY completed$' && check_line '^expunge OK 1$' &&
    check_line '^move gone OK$' && check_line '^status OK Trash (MESSAGES 2 UIDNEXT 3)$' &&
    check_line "^subjects \['Subject: hello 1', 'Subject: hello 2'\]$"; then
    pass "imaplib: UID MOVE and COPY+\\Deleted+EXPUNGE to Trash (COPYUID), STATUS, SELECT Trash"
else
    fail "imaplib MOVE/COPY" "$out"
fi
if check_line '^rename OK OK NO$'; then
    pass "imaplib: RENAME with a new parent level, DELETE, INBOX cannot be deleted"
else
    fail "imaplib RENAME/DELETE" "$out"
fi
if [ "$(count "$MD/bob/.Sent/cur")" = 1 ] && ls "$MD/bob/.Sent/cur" | grep -q ':2,S$' &&
    [ "$(count "$MD/bob/.Trash/cur")" = 2 ] && [ "$(count "$MD/bob/cur")" = 1 ] &&
    [ -f "$MD/bob/.Sent/maildirfolder" ] && [ -f "$MD/bob/.Trash/smtpsim-uidlist" ] &&
    [ ! -e "$MD/bob/.Drafts" ] && [ ! -e "$MD/bob/.Old.Drafts" ] && [ -d "$MD/bob/.Old/cur" ] &&
    grep -qx Sent "$MD/bob/subscriptions" &&
    grep -q 'Subject: hello 1' "$MD"/bob/.Trash/cur/*; then
    pass "Maildir++ on disk: .Sent/cur, .Trash/cur: files, flags, UID lists, subscriptions"
else
    fail "Maildir++ on disk" "$(ls -Ra "$MD/bob")"
fi

# curl: the folder list, and a message fetched from a folder by UID
lst=$(curl -s --max-time 30 -k --ssl-reqd "imap://127.0.0.1:$IMAPPORT/" -u bob:secret 2>&1)
msg=$(curl -s --max-time 30 -k --ssl-reqd "imap://127.0.0.1:$IMAPPORT/Sent;UID=1" -u bob:secret \
    2>&1)
if printf '%s' "$lst" | grep -q '"\." Trash' && printf '%s' "$lst" | grep -q '"\." Sent' &&
    printf '%s' "$msg" | grep -q '^Subject: sent by bob'; then
    pass "curl imap:// lists the folders and fetches Sent;UID=1"
else
    fail "curl folders" "$lst / $msg"
fi
