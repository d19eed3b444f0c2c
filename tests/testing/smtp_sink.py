#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for tests, benchmarks and ./scripts/run's mail catcher.

Listens on 127.0.0.1 (a free port unless --port), prints "smtp sink listening on port N"
once it accepts connections, and writes each message it accepts to --dir as
<sequence>.eml: the envelope as X-Sink-Mail-From / X-Sink-Rcpt-To headers, then the
message exactly as received. --reject ADDRESS (repeatable) answers 550 to that
recipient; --tempfail N answers 451 to the first N transactions; --count-only
writes nothing and only counts (benchmarks). --by-recipient (./scripts/run's mail
catcher) writes instead one copy per recipient, --dir/<address>/<UTC time>-<subject>.eml,
and prints one line per message; --port-file FILE writes the port there once listening.
SIGTERM/SIGINT stops it.
"""
import argparse
import datetime
import email.parser
import email.policy
import os
import re
import signal
import socket

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, rejected, tempfail, count_only, by_recipient=False):
        self.directory = directory
        self.rejected = {r.lower() for r in rejected}
        self.tempfail = tempfail
        self.count_only = count_only
        self.by_recipient = by_recipient
        self.sequence = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.tempfail > 0:
            self.tempfail -= 1
            return "451 4.3.0 try again later"
        self.sequence += 1
        if self.by_recipient:
            self.write_per_recipient(envelope)
        elif not self.count_only:
            head = "X-Sink-Mail-From: %s\r\nX-Sink-Rcpt-To: %s\r\n" % (
                envelope.mail_from, ", ".join(envelope.rcpt_tos))
            path = os.path.join(self.directory, "%08d.eml" % self.sequence)
            with open(path + ".tmp", "wb") as f:
                f.write(head.encode("ascii"))
                f.write(envelope.original_content)
            os.replace(path + ".tmp", path)  # readers never see half a message
        return "250 2.0.0 accepted"

    def write_per_recipient(self, envelope):
        """<dir>/<address>/<time>-<subject>.eml for each recipient, and one line on stdout."""
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(
            envelope.original_content)
        subject = str(headers.get("Subject", "") or "")
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        name = "%s-%s.eml" % (stamp, slug(subject))
        for address in envelope.rcpt_tos:
            folder = os.path.join(self.directory, safe_address(address))
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, name)
            with open(path + ".tmp", "wb") as f:
                f.write(envelope.original_content)
            os.replace(path + ".tmp", path)
            print("mail to %s: %s (%s)" % (address, subject, path), flush=True)


def slug(text, limit=40):
    """A file-name-safe short form of a subject (letters of any script kept)."""
    kept = re.sub(r"[^\w.-]+", "-", text, flags=re.UNICODE).strip("-.")
    return (kept[:limit] or "no-subject")


def safe_address(address):
    """An address as one folder name (no separators, not . or ..)."""
    name = re.sub(r"[^\w@.+-]", "_", address.lower(), flags=re.UNICODE).strip(".")
    return name or "unknown"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--tempfail", type=int, default=0)
    parser.add_argument("--count-only", action="store_true")
    parser.add_argument("--by-recipient", action="store_true")
    parser.add_argument("--port-file")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    port = args.port or free_port()
    handler = Sink(args.dir, args.reject, args.tempfail, args.count_only, args.by_recipient)
    # decode_data=False keeps the bytes exactly as sent; a large limit for calendar parts.
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            data_size_limit=10 * 1024 * 1024, decode_data=False,
                            server_hostname="relais-sink")
    controller.start()
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.replace(args.port_file + ".tmp", args.port_file)
    print("smtp sink listening on port %d" % port, flush=True)
    try:
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
    finally:
        controller.stop()
        print("smtp sink stopped after %d messages" % handler.sequence, flush=True)


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
