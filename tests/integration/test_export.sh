# test_export.sh - `smtpsim export`: pcap dissected by tshark as SMTP, SVG parses as XML,
# transcript equals the terminal run, and bad arguments are refused cleanly.
. tests/integration/lib.sh
T=$TMPDIR_TEST

# A scenario without TLS: every command must appear, in order, in tshark's SMTP dissection.
if "$SMTPSIM" export --pcap helo-only --out "$T/h.pcap" 2>"$T/err"; then
    got=$(tshark -r "$T/h.pcap" -Y smtp.req -T fields -e smtp.req.command 2>/dev/null | tr '\n' ' ')
    want=$("$SMTPSIM" run helo-only --format json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
t = json.load(sys.stdin)
conns = {}
for s in t["steps"]:
    # tshark shows the first four letters of a verb; after STARTTLS it sees only TLS records
    if s["kind"] == "command" and s.get("conn", -1) >= 0 and not s.get("tls"):
        conns.setdefault(s["conn"], []).append(s["verb"][:4])
print(" ".join(v for c in sorted(conns) for v in conns[c]) + " ")')
    if [ -n "$got" ] && [ "$got" = "$want" ]; then pass "pcap: tshark sees every SMTP command in order ($got)"; else fail "pcap commands" "tshark: '$got' world: '$want'"; fi
else
    fail "pcap export helo-only" "$(cat "$T/err")"
fi

# With STARTTLS: the plaintext part is SMTP, then TLS records; checksums all valid; no sequence warnings.
"$SMTPSIM" export --pcap basic --out "$T/b.pcap" 2>/dev/null
expect_output "pcap: STARTTLS then a TLS handshake" "Client Hello" tshark -r "$T/b.pcap"
bad=$(tshark -r "$T/b.pcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
      -Y 'tcp.checksum.status==0 || ip.checksum.status==0 || tcp.analysis.flags' 2>/dev/null | wc -l)
if [ "$bad" -eq 0 ]; then pass "pcap: checksums valid, no TCP analysis warnings"; else fail "pcap checksums" "$bad bad frames"; fi
"$SMTPSIM" export --pcap basic --out "$T/b2.pcap" 2>/dev/null
check "pcap: same scenario gives the same bytes" cmp "$T/b.pcap" "$T/b2.pcap"

# Order: in every TCP stream the three-way handshake comes first and every later segment is
# strictly later than the one before (the 220 greeting follows the client's ACK).
order=$(tshark -r "$T/b.pcap" -Y tcp -T fields -e tcp.stream -e frame.time_relative \
        -e tcp.flags.syn -e tcp.flags.ack -e tcp.len 2>/dev/null | awk -F'\t' '
    { s = $1; n[s]++; syn = ($3 == "1" || $3 == "True"); ack = ($4 == "1" || $4 == "True")
      if (n[s] == 1 && !(syn && !ack)) bad = bad " stream " s ": first is not SYN"
      if (n[s] == 2 && !(syn && ack)) bad = bad " stream " s ": second is not SYN-ACK"
      if (n[s] == 3 && (syn || !ack || $5 != 0)) bad = bad " stream " s ": third is not the ACK"
      if (n[s] > 1 && $2 + 0 <= t[s] + 0) bad = bad " stream " s ": time " $2 " not after " t[s]
      t[s] = $2 }
    END { print (NR ? "" : "no packets") bad }')
if [ -z "$order" ]; then pass "pcap: every segment follows its handshake, times increasing"; else fail "pcap order" "$order"; fi

# DNS: the MTA's MX and A lookups are real DNS over UDP 53 (RFC 1035), checksums valid.
dns=$(tshark -r "$T/b.pcap" -Y dns -T fields -e dns.flags.response -e dns.qry.type -e dns.qry.name \
      -e dns.mx.mail_exchange -e dns.a 2>/dev/null | tr '\t\n' ' |')
case "$dns" in
*"15 example.org"*"mx.example.org"*"1 mx.example.org"*"203.0.113.25"*)
    pass "pcap: tshark -Y dns shows the MX and A lookups" ;;
*) fail "pcap dns" "got '$dns'" ;;
esac
bad=$(tshark -r "$T/b.pcap" -o udp.check_checksum:TRUE -Y 'udp.checksum.status==0 || dns.flags.rcode != 0' 2>/dev/null | wc -l)
if [ "$bad" -eq 0 ]; then pass "pcap: DNS datagrams well formed"; else fail "pcap dns checksums" "$bad bad frames"; fi
# NXDOMAIN and NODATA: the what-if bounce asks example.com (a name with names below it, no MX)
"$SMTPSIM" export --pcap null-mx --out "$T/n.pcap" 2>/dev/null
expect_output "pcap: a null MX answer is MX 0 <Root>" "MX 0 <Root>" tshark -r "$T/n.pcap" -Y dns

# SVG: well-formed XML with one lifeline head per node and arrows.
"$SMTPSIM" export --svg basic --out "$T/b.svg" 2>/dev/null
check "svg parses as XML" xmllint --noout "$T/b.svg"
expect_output "svg has the MX lifeline" ">MX :25<" cat "$T/b.svg"

# Transcript: the same text as `smtpsim run` without colour.
"$SMTPSIM" export --transcript basic --out "$T/t.txt" 2>/dev/null
"$SMTPSIM" run basic --color never >"$T/r.txt" 2>/dev/null
check "transcript export equals the terminal run" cmp "$T/t.txt" "$T/r.txt"

expect_exit "export: unknown scenario is an input error" 2 "$SMTPSIM" export --svg no-such-scenario --out "$T/x.svg"
expect_exit "export: --pcap needs --out" 2 "$SMTPSIM" export --pcap basic
if [ ! -e "$T/x.svg" ]; then pass "export: nothing written on failure"; else fail "export failure" "left $T/x.svg"; fi

# PNG: a real PNG of the diagram's size (scale 1: 40*2 + (nodes+1)*190 wide; basic has 8 nodes).
"$SMTPSIM" export --png basic --out "$T/b.png" --scale 1 2>/dev/null
dims=$(/usr/bin/python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8]==b"\x89PNG\r\n\x1a\n" else "not-png")' "$T/b.png" 2>/dev/null)
case "$dims" in 1790x*) pass "png: sequence diagram $dims" ;; *) fail "png export" "got '$dims'" ;; esac
expect_exit "png: --scale out of range refused" 2 "$SMTPSIM" export --png basic --out "$T/c.png" --scale 9
