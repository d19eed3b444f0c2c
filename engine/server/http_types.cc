#include "engine/server/http_types.h"

#include <algorithm>

namespace relais::server {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

void HttpHeaders::Add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }

void HttpHeaders::Set(std::string name, std::string value) {
  Remove(name);
  Add(std::move(name), std::move(value));
}

void HttpHeaders::Remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return EqualsIgnoreCase(f.first, name); });
}

std::optional<std::string_view> HttpHeaders::Get(std::string_view name) const {
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) return std::string_view(f.second);
  }
  return std::nullopt;
}

std::vector<std::string_view> HttpHeaders::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) out.emplace_back(f.second);
  }
  return out;
}

std::optional<std::string_view> HttpRequest::Query(std::string_view name) const {
  for (const QueryParam& p : query) {
    if (p.name == name) return std::string_view(p.value);
  }
  return std::nullopt;
}

StatusOr<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return InvalidArgument("truncated percent-escape at offset " + std::to_string(i));
      }
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return InvalidArgument("malformed percent-escape at offset " + std::to_string(i));
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status ParseRequestTarget(std::string_view target, HttpRequest& request) {
  if (target.empty() || target.front() != '/') {
    return InvalidArgument("request target must start with '/'");
  }
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  // Fragments never reach a server; drop one defensively.
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  // Validate the path's escapes now so routes can decode segments safely.
  RELAIS_ASSIGN_OR_RETURN(std::string decoded_path, PercentDecode(path, false));
  (void)decoded_path;
  std::vector<QueryParam> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    RELAIS_ASSIGN_OR_RETURN(std::string dname, PercentDecode(name, true));
    RELAIS_ASSIGN_OR_RETURN(std::string dvalue, PercentDecode(value, true));
    params.push_back({std::move(dname), std::move(dvalue)});
  }
  request.target = std::string(target);
  request.path = std::string(path);
  request.query = std::move(params);
  return Status::Ok();
}

HttpRequest MakeRequest(std::string method, std::string_view target, std::string body) {
  HttpRequest req;
  req.method = std::move(method);
  Status s = ParseRequestTarget(target, req);
  if (!s.ok()) {
    req.target = std::string(target);
    req.path = std::string(target);
  }
  req.body = std::move(body);
  return req;
}

HttpResponse JsonResponse(int status, const Json& value) {
  HttpResponse res;
  res.status = status;
  res.body = DumpJson(value);
  res.content_type = std::string(kJsonContentType);
  return res;
}

HttpResponse TextResponse(int status, std::string body, std::string content_type) {
  HttpResponse res;
  res.status = status;
  res.body = std::move(body);
  res.content_type = std::move(content_type);
  return res;
}

bool IsJsonMediaType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  if (EqualsIgnoreCase(media, "application/json")) return true;
  size_t slash = media.find('/');
  if (slash == std::string_view::npos || !EqualsIgnoreCase(media.substr(0, slash), "application")) return false;
  return media.size() >= 5 && EqualsIgnoreCase(media.substr(media.size() - 5), "+json");
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

}  // namespace relais::server
