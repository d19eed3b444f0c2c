#include "engine/email/notice.h"

namespace relais::email {

namespace {
Json WordsJson(const Words& w) { return {{"fr", w.fr}, {"en", w.en}}; }
Words WordsOf(const Json& j) { return {j.value("fr", ""), j.value("en", "")}; }
}  // namespace

Json Notice::ToJson() const {
  return {{"source", source},
          {"kind", kind},
          {"programme", programme},
          {"what", WordsJson(what)},
          {"about", WordsJson(about)},
          {"detail", WordsJson(detail)},
          {"link", link},
          {"at", ToMicros(at)}};
}

StatusOr<Notice> Notice::FromJson(const Json& j) {
  if (!j.is_object() || !j.contains("what") || !j.contains("at"))
    return Corruption("e-mail notice: expected an object with what and at");
  try {
    Notice n;
    n.source = j.value("source", "");
    n.kind = j.value("kind", "");
    n.programme = j.value("programme", "");
    n.what = WordsOf(j.at("what"));
    n.about = WordsOf(j.value("about", Json::object()));
    n.detail = WordsOf(j.value("detail", Json::object()));
    n.link = j.value("link", "");
    n.at = FromMicros(j.at("at").get<int64_t>());
    return n;
  } catch (const std::exception& e) {
    return Corruption(std::string("e-mail notice is malformed: ") + e.what());
  }
}

}  // namespace relais::email
