#!/usr/bin/python3
"""make_seeds.py - (re)build the seed corpora under tests/fuzz/seeds/ from the real files.

Run from the repository root: python3 tests/fuzz/make_seeds.py. Seeds named regress_* are
inputs that once crashed a target; they are written by hand, never by this script, and kept.

  scenario     every lessons/scenarios/*.json
  lesson       every lessons/*.json cut to one question of each kind (small, still valid)
  progress     progress files: a real-looking one and a few near-misses
  quiz         mode, skip, seed, then typed answers of every shape quiz_parse takes
  whatif       scenario, reply step, then a reply from the server goldens (tests/golden/server)
  smtp_client  the server's side of each client golden (tests/golden/sessions), as a program
"""
import glob
import json
import os
import re

SEEDS = "tests/fuzz/seeds"


def put(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def unescape(s):
    """the goldens write non-ASCII bytes as \\xHH"""
    return re.sub(rb"\\x([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), s.encode())


def scenarios():
    for f in sorted(glob.glob("lessons/scenarios/*.json")):
        put("scenario", os.path.basename(f)[:-5], open(f, "rb").read())


def lessons():
    for f in sorted(glob.glob("lessons/*.json")):
        d = json.load(open(f))
        seen, keep = set(), []
        for q in d["questions"]:
            if q["kind"] not in seen:
                seen.add(q["kind"])
                keep.append(q)
        d["questions"] = keep
        put("lesson", os.path.basename(f)[:-5], json.dumps(d, ensure_ascii=False, indent=1))


def progress():
    q = {"ports-001": {"box": 2, "due": 1764400000, "last": 1764313600, "ok": True, "seen": 3,
                       "right": 2},
         "auth-003": {"box": 1, "due": 1764313600, "last": 1764313600, "ok": False, "seen": 1,
                      "right": 0},
         "tls-010": {"box": 5, "due": 1766000000, "last": 1764000000, "ok": True, "seen": 9,
                     "right": 9}}
    put("progress", "three", json.dumps({"version": 1, "questions": q}, indent=1))
    put("progress", "empty", '{"version": 1, "questions": {}}')
    put("progress", "newer", '{"version": 2, "questions": {}}')
    put("progress", "box0", '{"version": 1, "questions": {"a": {"box": 0, "due": 1}}}')
    # found UB in json_int (a double outside long converted before the range check)
    put("progress", "huge", '{"version": 1, "questions": {"a": {"box": 3, "due": 1e300, '
                            '"last": -9223372036854775808, "seen": 4294967296}}}')


def quiz():
    answers = "1\n2\nt\nfalse\n1,3\n1 3\n13\nbac\n1b 2a 3c\n3 1 2\n312\n550\n587\nsmtp\n c \n"
    for mode in range(3):
        for skip in (0, 5, 40):
            put("quiz", "mode%d_skip%d" % (mode, skip),
                bytes([mode, skip, 0, 7]) + answers.encode())


def whatif():
    replies = set()
    for f in glob.glob("tests/golden/server/*.txt"):
        for line in open(f, encoding="utf-8", errors="replace"):
            m = re.match(r"S: ([2-5]\d\d [^\r\n]*)", line)
            if m:
                replies.add(m.group(1))
    replies |= {"550", "550 5.1.1 No such user", "451 4.3.0 Try later", "250 ok \xc3\xa9"}
    for i, r in enumerate(sorted(replies)[:40]):
        put("whatif", "reply%02d" % i, bytes([i % 4, i * 7 % 256]) + unescape(r))


def feed(chunk):
    """ops of the client target that feed `chunk`: op n-1 feeds n bytes (n <= 64)"""
    out = b""
    while chunk:
        part, chunk = chunk[:64], chunk[64:]
        out += bytes([len(part) - 1]) + part
    return out


def client_sessions():
    for f in sorted(glob.glob("tests/golden/sessions/*.txt")):
        text = open(f, encoding="utf-8", errors="replace").read()
        a = 0x01  # opportunistic TLS, TLS available, pipelining
        if "AUTH" in text:
            a |= 0x20
        if "NOTIFY=" in text:
            a |= 0x80
        if re.search(r"^C: MAIL FROM:.*SMTPUTF8", text, re.M):
            a |= 0x10
        if "tls-required" in f:
            a = (a & ~0x03) | 0x02
        n_rcpt = len(re.findall(r"^C: RCPT", text, re.M)) or 1
        b = (min(n_rcpt, 3) - 1) % 3
        prog, reply = bytes([a, b]), b""
        for line in text.splitlines():
            if line.startswith("S: "):
                reply += unescape(line[3:]) + b"\r\n"
                continue
            if reply:
                prog += feed(reply)
                reply = b""
            if line.startswith("-- TLS handshake"):
                prog += bytes([0xc0])
        prog += feed(reply) if reply else b""
        prog += bytes([0xa5])  # some time passes at the end
        put("smtp_client", os.path.basename(f)[:-4], prog)


if __name__ == "__main__":
    scenarios()
    lessons()
    progress()
    quiz()
    whatif()
    client_sessions()
