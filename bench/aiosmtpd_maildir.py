#!/usr/bin/python3
"""aiosmtpd_maildir.py - the comparison server for bench/run_interop_bench.sh: aiosmtpd
accepting every message and storing it in a Maildir with Python's mailbox module (which
writes in tmp/, fsyncs the file and moves it into new/), one file per recipient.

usage: /usr/bin/python3 bench/aiosmtpd_maildir.py PORT MAILDIR
"""
import mailbox
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, root):
        self.root = root
        self.boxes = {}

    def box(self, local):
        if local not in self.boxes:
            self.boxes[local] = mailbox.Maildir(os.path.join(self.root, local), create=True)
        return self.boxes[local]

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            local = rcpt.split("@")[0].lower().replace("/", "_") or "postmaster"
            head = "Return-Path: <%s>\r\n" % envelope.mail_from
            self.box(local).add(head.encode() + envelope.original_content)
        return "250 2.0.0 Ok: stored"


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    os.makedirs(root, exist_ok=True)
    controller = Controller(MaildirHandler(root), hostname="127.0.0.1", port=port)
    controller.start()
    print("aiosmtpd listening on 127.0.0.1:%d" % port, file=sys.stderr, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
