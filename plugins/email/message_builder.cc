#include "plugins/email/message_builder.h"

#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace relais::plugins::email {

namespace {

constexpr size_t kMaxEncodedWord = 75;  // RFC 2047 section 2
constexpr size_t kMaxQpLine = 76;       // RFC 2045 section 6.7 (with the soft break's '=')
constexpr size_t kBase64Line = 76;

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Base64Lines(std::string_view bytes) {
  const std::string b = Base64(bytes);
  std::string out;
  for (size_t i = 0; i < b.size(); i += kBase64Line) out += b.substr(i, kBase64Line) + "\r\n";
  return out;
}

bool PrintableAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// The length of the UTF-8 character starting with byte c (1 for a stray byte).
size_t Utf8Length(unsigned char c) {
  if (c >= 0xf0) return 4;
  if (c >= 0xe0) return 3;
  if (c >= 0xc0) return 2;
  return 1;
}

// "Name" <address>, the name quoted or encoded as needed.
std::string FormatMailbox(const Mailbox& m, size_t used) {
  if (m.name.empty()) return m.address;
  std::string name;
  if (PrintableAscii(m.name)) {
    name = "\"";
    for (char c : m.name) {
      if (c == '"' || c == '\\') name += '\\';
      name += c;
    }
    name += "\"";
  } else {
    name = EncodeHeaderText(m.name, used);
  }
  // The address goes on a folded line of its own when the name's last line has no room.
  const size_t last = name.rfind('\n') == std::string::npos ? used + name.size() : name.size() - name.rfind('\n') - 1;
  return name + (last + m.address.size() + 3 > 78 ? "\r\n <" : " <") + m.address + ">";
}

// Text with its line ends made CRLF.
std::string CrlfLines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  return out;
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

bool IsPlainAddress(std::string_view a) {
  const size_t at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.find('@', at + 1) != std::string_view::npos)
    return false;
  if (a.size() > 254) return false;
  for (unsigned char c : a)
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == '"' || c == '(' || c == ')' || c == ';' ||
        c == '\\')
      return false;
  return true;
}

std::string EncodeHeaderText(std::string_view utf8, size_t first_line_used) {
  if (PrintableAscii(utf8)) return std::string(utf8);
  // Each word "=?UTF-8?B?" + base64 + "?=": 12 characters around the
  // base64, which holds 4 characters per 3 bytes. The first word also fits
  // in what is left of its line when it can.
  std::string out;
  size_t i = 0;
  size_t room = kMaxEncodedWord;
  if (first_line_used + 12 + 8 < 78) room = std::min(kMaxEncodedWord, 78 - first_line_used);
  while (i < utf8.size()) {
    const size_t max_bytes = (room - 12) / 4 * 3;
    size_t end = i;
    while (end < utf8.size()) {
      const size_t len = Utf8Length(static_cast<unsigned char>(utf8[end]));
      if (end + len - i > max_bytes) break;
      end += len;
    }
    if (end == i) end = std::min(utf8.size(), i + Utf8Length(static_cast<unsigned char>(utf8[i])));
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(utf8.substr(i, end - i)) + "?=";
    i = end;
    room = kMaxEncodedWord;
  }
  return out;
}

std::string QuotedPrintable(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  const std::string crlf = CrlfLines(text);
  std::string out;
  out.reserve(crlf.size() * 11 / 10);
  size_t line = 0;  // characters on the current output line
  auto put = [&](const std::string& piece) {
    if (line + piece.size() > kMaxQpLine - 1) {
      out += "=\r\n";
      line = 0;
    }
    out += piece;
    line += piece.size();
  };
  for (size_t i = 0; i < crlf.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(crlf[i]);
    if (c == '\r' && i + 1 < crlf.size() && crlf[i + 1] == '\n') {
      out += "\r\n";
      line = 0;
      ++i;
      continue;
    }
    const bool at_line_end = i + 1 == crlf.size() || crlf[i + 1] == '\r';
    const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    // A '.' opening a line is encoded too: some relays mangle it.
    if (literal && !(c == '.' && line == 0)) {
      put(std::string(1, static_cast<char>(c)));
    } else {
      put(std::string{'=', kHex[c >> 4], kHex[c & 15]});
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

std::string Rfc5322Date(TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

StatusOr<std::string> BuildMessage(const MessageParts& p) {
  if (p.to.empty()) return InvalidArgument("e-mail: no recipient (To)");
  if (!IsPlainAddress(p.from.address))
    return InvalidArgument("e-mail: the From address '" + p.from.address + "' is not a plain address (name@domain)");
  for (size_t i = 0; i < p.to.size(); ++i)
    if (!IsPlainAddress(p.to[i].address))
      return InvalidArgument("e-mail: To[" + std::to_string(i) + "] '" + p.to[i].address +
                             "' is not a plain address (name@domain)");
  if (!IsPlainAddress(p.message_id))
    return InvalidArgument("e-mail: the Message-ID '" + p.message_id + "' is not local@host");
  for (const auto& [field, value] :
       std::initializer_list<std::pair<const char*, const std::string*>>{{"Subject", &p.subject},
                                                                         {"From name", &p.from.name},
                                                                         {"unsubscribe_url", &p.unsubscribe_url},
                                                                         {"unsubscribe_mailto", &p.unsubscribe_mailto}})
    if (HasLineBreak(*value)) return InvalidArgument(std::string("e-mail: ") + field + " holds a line break");
  for (const Mailbox& m : p.to)
    if (HasLineBreak(m.name)) return InvalidArgument("e-mail: a To name holds a line break");
  if (p.unsubscribe_url.find_first_of("<> ") != std::string::npos ||
      p.unsubscribe_mailto.find_first_of("<> ") != std::string::npos)
    return InvalidArgument("e-mail: an unsubscribe link holds '<', '>' or a space");
  if (p.calendar && (p.calendar->method.empty() || !PrintableAscii(p.calendar->method) ||
                     p.calendar->method.find_first_of(";\" ") != std::string::npos))
    return InvalidArgument("e-mail: the calendar method '" + p.calendar->method + "' is not a token");

  std::string m;
  m.reserve(p.text.size() + p.html.size() * 11 / 10 + 1024);
  m += "From: " + FormatMailbox(p.from, 6) + "\r\n";
  m += "To: ";
  for (size_t i = 0; i < p.to.size(); ++i) m += (i ? ",\r\n " : "") + FormatMailbox(p.to[i], 4);
  m += "\r\n";
  m += "Subject: " + EncodeHeaderText(p.subject, 9) + "\r\n";
  m += "Date: " + Rfc5322Date(p.date) + "\r\n";
  m += "Message-ID: <" + p.message_id + ">\r\n";
  if (!p.unsubscribe_url.empty()) {
    m += "List-Unsubscribe: <" + p.unsubscribe_url + ">";
    if (!p.unsubscribe_mailto.empty()) m += ",\r\n <" + p.unsubscribe_mailto + ">";
    m += "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  m += "MIME-Version: 1.0\r\n";
  const std::string text_part =
      "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
      QuotedPrintable(p.text);
  if (p.html.empty() && !p.calendar) return m + text_part;
  // "=_" never occurs in quoted-printable or base64 text.
  char boundary[48];
  std::snprintf(boundary, sizeof(boundary), "=_relais_%016llx", static_cast<unsigned long long>(Fnv1a(p.message_id)));
  m += std::string("Content-Type: multipart/alternative;\r\n boundary=\"") + boundary + "\"\r\n\r\n";
  m += "This is a MIME message.\r\n";
  m += std::string("--") + boundary + "\r\n" + text_part;
  if (!p.html.empty()) {
    m += std::string("--") + boundary + "\r\n";
    m += "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
    m += QuotedPrintable(p.html);
  }
  if (p.calendar) {
    m += std::string("--") + boundary + "\r\n";
    m += "Content-Type: text/calendar; charset=UTF-8; method=" + p.calendar->method +
         "\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    m += Base64Lines(CrlfLines(p.calendar->ics));
  }
  m += std::string("--") + boundary + "--\r\n";
  return m;
}

}  // namespace relais::plugins::email
