// MessageBuilder: one e-mail as RFC 5322 text, ready for SMTP's DATA.
// Headers: From (with a display name), To, Subject (RFC 2047 encoded-words
// when not ASCII), Date, a stable Message-ID (<id@host>, the same on every
// attempt: receivers and clients drop a duplicate), MIME-Version, and,
// when an unsubscribe link is given, List-Unsubscribe with
// List-Unsubscribe-Post (RFC 8058 one-click). Body: multipart/alternative
// of text/plain and text/html, UTF-8, quoted-printable; with an iTIP
// calendar part (RFC 6047: text/calendar;method=...) as a third
// alternative when one is given. Lines end in CRLF, none longer than 78
// characters.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/clock.h"
#include "engine/util/status.h"

namespace relais::plugins::email {

struct Mailbox {
  std::string name;     // display name, any UTF-8 ("Nadia Benali"); may be empty
  std::string address;  // "nadia.benali@example.org"
};

struct CalendarPart {
  std::string method;  // iTIP method: "REQUEST", "CANCEL"
  std::string ics;     // the VCALENDAR text (its METHOD matches method)
};

struct MessageParts {
  Mailbox from;
  std::vector<Mailbox> to;  // at least one
  std::string subject;      // UTF-8, one line
  TimePoint date{};
  std::string message_id;  // "<local>@<host>" without the angle brackets; stable across attempts
  std::string text;        // text/plain body, UTF-8 ('\n' or CRLF line ends)
  std::string html;        // text/html body, UTF-8; empty: a text/plain message only
  std::optional<CalendarPart> calendar;
  std::string unsubscribe_url;     // https://... one-click (RFC 8058); empty: no List-Unsubscribe
  std::string unsubscribe_mailto;  // mailto:... beside it; may be empty
};

// The message text. Errors: kInvalidArgument naming the field when an
// address is not a plain addr-spec (one '@', no spaces, controls, '<>' or
// commas), a header value holds a line break, the Message-ID is not
// local@host, or there is no recipient.
StatusOr<std::string> BuildMessage(const MessageParts& parts);

// The pieces, exposed for tests and templates.
// Subject/display-name text: itself when printable ASCII, else RFC 2047
// "=?UTF-8?B?...?=" words (each at most 75 characters, split between UTF-8
// characters) joined by CRLF SP (folding).
std::string EncodeHeaderText(std::string_view utf8, size_t first_line_used);
// Quoted-printable (RFC 2045) of UTF-8 text with CRLF line ends.
std::string QuotedPrintable(std::string_view text);
// RFC 5322 date: "Sun, 06 Dec 2026 07:17:31 +0000".
std::string Rfc5322Date(TimePoint t);
// Whether address is a plain addr-spec Relais will put in a header.
bool IsPlainAddress(std::string_view address);

}  // namespace relais::plugins::email
