#!/usr/bin/env python3
"""Parses e-mails with Python's own `email` package (an independent parser) and
prints what tests check, as one JSON array on standard output.

Usage: mail_to_json.py FILE.eml... | DIR
Each item: file, envelope_from, envelope_to, from_name, from_address, to (addresses),
to_names, subject (RFC 2047 decoded), date, message_id, list_unsubscribe,
list_unsubscribe_post, content_type, parts [{type, charset, method, text}],
defects (what the parser found wrong, as text; [] for a well-formed message),
long_lines (lines over 998 octets), bare_lf (a LF without CR).
"""
import email
import email.policy
import email.utils
import json
import os
import sys


def parse(path):
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [type(d).__name__ for d in msg.defects]
    parts = []
    for part in msg.walk():
        defects += [type(d).__name__ for d in part.defects]
        if part.is_multipart():
            continue
        parts.append({
            "type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "method": part.get_param("method"),
            "text": part.get_content() if part.get_content_maintype() == "text" else "",
        })
    from_header = msg["From"]
    from_name, from_address = email.utils.parseaddr(str(from_header)) if from_header else ("", "")
    to_pairs = email.utils.getaddresses([str(v) for v in msg.get_all("To", [])])
    lines = raw.split(b"\n")
    return {
        "file": os.path.basename(path),
        "envelope_from": str(msg.get("X-Sink-Mail-From", "")),
        "envelope_to": [a.strip() for a in str(msg.get("X-Sink-Rcpt-To", "")).split(",") if a.strip()],
        "from_name": from_name,
        "from_address": from_address,
        "to": [a for _, a in to_pairs],
        "to_names": [n for n, _ in to_pairs],
        "subject": str(msg.get("Subject", "")),
        "date": str(msg.get("Date", "")),
        "date_ok": msg.get("Date") is not None and msg["Date"].datetime is not None,
        "message_id": str(msg.get("Message-ID", "")),
        "list_unsubscribe": str(msg.get("List-Unsubscribe", "")),
        "list_unsubscribe_post": str(msg.get("List-Unsubscribe-Post", "")),
        "content_type": msg.get_content_type(),
        "parts": parts,
        "defects": defects,
        "long_lines": sum(1 for l in lines if len(l) > 998),
        "bare_lf": sum(1 for i, l in enumerate(lines[:-1]) if not l.endswith(b"\r")),
    }


def main():
    paths = []
    for arg in sys.argv[1:]:
        if os.path.isdir(arg):
            paths += sorted(os.path.join(arg, f) for f in os.listdir(arg) if f.endswith(".eml"))
        else:
            paths.append(arg)
    json.dump([parse(p) for p in paths], sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
