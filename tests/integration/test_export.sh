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
