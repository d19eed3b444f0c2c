#include "engine/api/session_cookie.h"

#include <openssl/crypto.h>

namespace relais::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> SessionCookieOf(const server::HttpRequest& request) {
  for (std::string_view field : request.headers.GetAll("Cookie")) {
    while (!field.empty()) {
      const size_t semi = field.find(';');
      std::string_view pair = Trim(field.substr(0, semi));
      field = semi == std::string_view::npos ? std::string_view() : field.substr(semi + 1);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (Trim(pair.substr(0, eq)) != kSessionCookie) continue;
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      if (!value.empty()) return std::string(value);
    }
  }
  return std::nullopt;
}

std::string SessionCookieValue(const std::string& session_id, std::chrono::seconds max_age, bool secure) {
  return std::string(kSessionCookie) + "=" + session_id + "; Path=/; Max-Age=" + std::to_string(max_age.count()) +
         "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

std::string ClearedSessionCookieValue(bool secure) {
  return std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

std::string ClientAddressOf(const server::HttpRequest& request) {
  const std::string& a = request.remote_address;
  if (!a.empty() && a.front() == '[') return a.substr(1, a.find(']') - 1);
  const size_t colon = a.rfind(':');
  if (colon != std::string::npos && a.find(':') == colon) return a.substr(0, colon);
  return a;
}

bool CsrfAllows(const server::HttpRequest& request, const std::string& csrf_token) {
  auto header = request.Header(kCsrfHeader);
  if (!header || header->size() != csrf_token.size() ||
      CRYPTO_memcmp(header->data(), csrf_token.data(), csrf_token.size()) != 0)
    return false;
  auto origin = request.Header("Origin");
  auto host = request.Header("Host");
  if (origin && host) {
    std::string_view o = *origin;
    const size_t scheme = o.find("://");
    if (scheme == std::string_view::npos) return false;
    if (o.substr(scheme + 3) != *host) return false;
  }
  return true;
}

bool IsSafeMethod(const std::string& method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

}  // namespace relais::api
