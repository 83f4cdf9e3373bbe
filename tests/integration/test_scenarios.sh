# test_scenarios.sh - each shipped scenario shows the behaviour it is named for. Golden files pin
# the exact bytes; these checks pin the meaning (the reply code that must appear, the bounce,
# the retry), so a golden regenerated without reading it still cannot hide a lost behaviour.
. tests/integration/lib.sh

# run NAME: the transcript of scenario NAME, made once, into $TMPDIR_TEST/NAME.txt
run() {
    [ -f "$TMPDIR_TEST/$1.txt" ] || "$SMTPSIM" run "$1" --color never >"$TMPDIR_TEST/$1.txt" 2>&1
}

# sees NAME PATTERN WHAT: the transcript of NAME has a line matching grep -E PATTERN
sees() {
    run "$1"
    expect_output "scenario $1: $3" "$2" cat "$TMPDIR_TEST/$1.txt"
}

# never NAME PATTERN WHAT: no line of the transcript of NAME matches PATTERN
never() {
    run "$1"
    if grep -Eq -- "$2" "$TMPDIR_TEST/$1.txt"; then
        fail "scenario $1: $3" "found /$2/: $(grep -E -m1 -- "$2" "$TMPDIR_TEST/$1.txt")"
    else
        pass "scenario $1: $3"
    fi
}

# next_is NAME FIRST NEXT WHAT: the line right after the first one matching FIRST matches NEXT
# (both extended regular expressions, handed to awk through the environment, unescaped)
next_is() {
    run "$1"
    got=$(FIRST=$2 awk 'found { print; exit } $0 ~ ENVIRON["FIRST"] { found = 1 }' \
        "$TMPDIR_TEST/$1.txt")
    if printf '%s\n' "$got" | grep -Eq -- "$3"; then
        pass "scenario $1: $4"
    else
        fail "scenario $1: $4" "after /$2/ came: $got"
    fi
}

# before NAME P1 P2 WHAT: the first line matching P1 comes before the first matching P2
before() {
    run "$1"
    n1=$(P=$2 awk '$0 ~ ENVIRON["P"] { print NR; exit }' "$TMPDIR_TEST/$1.txt")
    n2=$(P=$3 awk '$0 ~ ENVIRON["P"] { print NR; exit }' "$TMPDIR_TEST/$1.txt")
    if [ -n "$n1" ] && [ -n "$n2" ] && [ "$n1" -lt "$n2" ]; then
        pass "scenario $1: $4"
    else
        fail "scenario $1: $4" "lines '$n1' and '$n2'"
    fi
}

# same_time NAME P1 P2 WHAT: the first steps matching P1 and P2 start at the same virtual time
same_time() {
    run "$1"
    t1=$(P=$2 awk '$0 ~ ENVIRON["P"] { print $2; exit }' "$TMPDIR_TEST/$1.txt")
    t2=$(P=$3 awk '$0 ~ ENVIRON["P"] { print $2; exit }' "$TMPDIR_TEST/$1.txt")
    if [ -n "$t1" ] && [ "$t1" = "$t2" ]; then
        pass "scenario $1: $4"
    else
        fail "scenario $1: $4" "times '$t1' and '$t2'"
    fi
}

sees unknown-user '<~  550 5\.1\.1 ' "550 5.1.1 at RCPT"
sees unknown-user '~> MAIL FROM:<> ' "the bounce travels with MAIL FROM:<>"
sees unknown-user '^  \| Final-Recipient: rfc822; nobody@example\.org' "the DSN reaches Alice's mailbox"
sees unknown-user '^  \| Remote-MTA: dns; mx\.example\.org' "the DSN names the MX that refused"
sees greylisting '<~  451 4\.7\.1 ' "451 4.7.1"
sees greylisting 'delivery attempt 3' "retried with backoff"
sees greylisting 'delivered to the mailbox of bob@example\.org' "delivered in the end"

# SIZE (RFC 1870): the server refuses the declared size at MAIL; the careful client never asks
sees too-large '~> MAIL FROM:<alice@example\.com> SIZE=10001$' "MAIL declares SIZE="
next_is too-large '~> DATA$' '<~  552 5\.3\.4 ' "the server answers MAIL with 552 5.3.4"
never too-large 'client decision' "no local decision: the server refuses"
never too-large '~> From: ' "not a byte of the message sent"
sees too-large-local 'client decision: 552 5\.3\.4 local: ' "the client refuses on its own"
never too-large-local 'MAIL FROM' "and never sends MAIL"

sees wrong-password '<~  535 5\.7\.8 ' "535 5.7.8"
sees no-auth '<~  530 5\.7\.0 Authentication required' "530 5.7.0 on 587"
sees skip-starttls '<-  530 5\.7\.0 Must issue a STARTTLS command first' "530 5.7.0 without TLS"
sees open-relay-refused '554 5\.7\.1 ' "554 5.7.1 relay denied"
sees wrong-port-25 'connection refused' "nothing on port 25"
sees plaintext-to-465 'gives up: no ClientHello' "plain text to 465 times out"
sees implicit-tls-465 'implicit TLS on port 465' "implicit TLS first"
sees implicit-tls-465 'delivered to the mailbox of bob@example\.org' "and delivered"
sees partial-failure '<~  550 5\.1\.1 <dan@example\.org>' "one recipient refused"
sees partial-failure 'delivered to the mailbox of carol@example\.org' "the others delivered"
sees partial-failure '^  \| Final-Recipient: rfc822; dan@example\.org' "bounce names the refused one"

# PIPELINING (RFC 2920): MAIL, the RCPTs and DATA leave together; without it, one at a time
next_is pipelining '~> MAIL FROM:<alice@example\.com>' '~> RCPT TO:<bob@example\.org>$' \
    "RCPT right behind MAIL, no reply between"
same_time pipelining '~> MAIL FROM:<alice@example\.com>' '~> RCPT TO:<carol@example\.org>$' \
    "MAIL and the RCPTs sent at the same moment"
next_is no-pipelining '~> RCPT TO:<bob@example\.org>$' '<~  250 2\.1\.5 Ok$' \
    "a reply after each RCPT"

sees smtputf8 'MAIL FROM:<alice@example\.com> .*SMTPUTF8' "SMTPUTF8 on MAIL"
sees smtputf8 'delivered to the mailbox of josé@example\.org' "UTF-8 mailbox reached"
sees smtputf8 '^  \| 	by mx\.example\.org with UTF8SMTPS id' "Received: says UTF8SMTPS"
sees spf-pass 'SPF pass' "SPF pass"
sees spf-pass '^  \| Received-SPF: pass ' "Received-SPF header"
sees spf-fail '<~  550 5\.7\.23 ' "550 5.7.23"
sees dkim 'DKIM-Signature added' "signed by the MSA"
sees dkim 'DKIM pass' "verified at the MX"
sees dkim 'simulated signature; real body hash' "labelled as simulated"
sees server-down 'connection refused' "refused while down"
sees server-down 'delivered to the mailbox of bob@example\.org' "delivered after the outage"
sees shutdown-421 '<~  421 4\.3\.2 ' "421 4.3.2 on shutdown"
sees shutdown-421 'deferred \(1 recipient\): 421 4\.3\.2 ' "the 421 defers the message"
sees shutdown-421 'delivered to the mailbox of bob@example\.org' "delivered later"
never shutdown-421 'starttls_injection|client decision: 0 ' "no STARTTLS injection verdict"
sees multi-hop 'by relay\.example\.net with ESMTPS' "the smarthost's Received:"
sees helo-only '-> HELO out\.example\.com' "falls back to HELO"
sees helo-only 'by mx\.example\.org with SMTP id' "Received: says SMTP"

# implicit MX (RFC 5321 5.1): DNS has no MX; the MTA says it uses the address record
sees implicit-mx '=== example\.net\. MX: no records \(NOERROR\)$' "DNS answers: no MX records"
before implicit-mx 'example\.net\. MX: no records' 'falls back to the domain.s own address record' \
    "then the MTA says it falls back to the address record"
before implicit-mx 'falls back to the domain.s own address record' '=== example\.net\. A \?$' \
    "before it asks for the A record"
never implicit-mx 'MX 0 example\.net\. \(implicit' "DNS never shows an MX it does not have"
sees implicit-mx 'connect to example\.net \[198\.51\.100\.25\] port 25' "implicit MX used"

sees null-mx '5\.1\.10' "null MX bounce"
never null-mx 'Diagnostic-Code: smtp; 556' "no smtp diagnostic for the MTA's own decision"

# retrieval (issue 13): Bob's readers over the mailbox the MX filled
sees basic-and-read 'MUA Bob.s laptop -> MS mx\.example\.org:143' "Bob's laptop opens IMAP on 143"
before basic-and-read 'delivered to the mailbox of bob@example\.org' 'connect to port 143 \(IMAP\)' \
    "Bob reads after the MX delivered"
sees basic-and-read '<~  \* 1 FETCH \(UID 1 BODY\[\] ' "Alice's message fetched"
sees basic-and-read '~> a[0-9]+ UID STORE 1 \+FLAGS\.SILENT \(\\Seen\)' "marked seen"
sees pop3-download '~> DELE 1' "DELE after RETR"
sees pop3-download '<~  \+OK 0 0$' "the phone finds the maildrop empty"
never pop3-leave-on-server '~> DELE' "no DELE when leaving mail on the server"
sees pop3-leave-on-server '<~  \+OK Bye \(1 message left\)' "the message stays"
sees imap-two-devices '<~  \* SEARCH$' "the phone sees nothing unseen: the laptop's \\Seen"
before imap-idle-push '<~  \+ idling' 'MUA alice-laptop -> ' "Bob idles before Alice sends"
before imap-idle-push 'delivered to the mailbox of bob@example\.org' '<~  \* 1 EXISTS' \
    "EXISTS pushed after the delivery"
next_is imap-idle-push '<~  \* 1 EXISTS' '~> DONE' "the client ends IDLE at once"
sees imap-login-before-tls '<-  \* OK \[CAPABILITY .*STARTTLS LOGINDISABLED\]' "LOGINDISABLED in clear"
never imap-login-before-tls ' -> a[0-9]+ (LOGIN|AUTHENTICATE)' "no login before TLS"
sees pop3s-995 '=== TLS handshake \(port 995\)' "TLS first on 995"
never pop3s-995 '(->|<-)  (CAPA|\+OK|AUTH|USER|STAT|RETR|DELE)' "no POP3 line in clear on 995"
sees imaps-993 '=== TLS handshake \(port 993\)' "TLS first on 993"
never imaps-993 '^ +[0-9]+ [0-9:.]+ +(->|<-)  [a*]' "no IMAP line in clear on 993"
sees pop3-wrong-password '<~  -ERR \[AUTH\] ' "-ERR [AUTH]"
next_is pop3-wrong-password '<~  -ERR \[AUTH\]' '~> QUIT' "QUIT after the refused login"
