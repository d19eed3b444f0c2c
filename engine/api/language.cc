#include "engine/api/language.h"

#include <cctype>
#include <cstdlib>

#include "engine/server/problem.h"

namespace relais::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The quality of one list member ("en;q=0.8" -> 0.8; no q -> 1; a bad q -> 0).
double Quality(std::string_view params) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      std::string value(p.substr(2));
      char* end = nullptr;
      double q = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0' || q < 0 || q > 1) return 0;
      return q;
    }
  }
  return 1;
}

// "fr", "en" or "" for a language range.
std::string Primary(std::string_view range) {
  std::string tag(range.substr(0, range.find('-')));
  for (char& c : tag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tag == "fr" || tag == "en" ? tag : "";
}

}  // namespace

std::string PreferredLanguage(const server::HttpRequest& request) {
  auto field = request.Header("Accept-Language");
  if (!field) return "";
  std::string best;
  double best_q = 0;
  std::string_view rest = *field;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view member = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t semi = member.find(';');
    std::string lang = Primary(Trim(member.substr(0, semi)));
    double q = semi == std::string_view::npos ? 1 : Quality(member.substr(semi + 1));
    if (!lang.empty() && q > best_q) {
      best = lang;
      best_q = q;
    }
  }
  return best;
}

std::optional<server::HttpResponse> ReadLang(const server::HttpRequest& req, std::string* lang,
                                             bool follow_accept_language) {
  auto value = req.Query("lang");
  if (!value) {
    const std::string preferred = follow_accept_language ? PreferredLanguage(req) : "";
    *lang = preferred.empty() ? "fr" : preferred;
  } else if (*value == "fr" || *value == "en") {
    *lang = std::string(*value);
  } else {
    return server::MakeProblem(server::ProblemKind::kBadRequest, "query parameter 'lang' must be fr or en");
  }
  return std::nullopt;
}

}  // namespace relais::api
