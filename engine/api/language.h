// The language a caller reads, from its Accept-Language field (RFC 9110
// section 12.5.4): the first of French and English by quality, ties going to
// the one listed first; "fr-FR" counts as French. Used for the words a
// workflow file gives in both languages (a refusal's message).
//
// Thread-safety: stateless; safe from any thread.
#pragma once

#include <optional>
#include <string>

#include "engine/server/http_types.h"

namespace relais::api {

// "fr" or "en"; "" when the field is absent or names neither (the caller
// keeps its default words then).
std::string PreferredLanguage(const server::HttpRequest& request);

// The ?lang= of a request: "fr" or "en" in *lang; absent: the Accept-Language
// field's choice when follow_accept_language, and "fr" otherwise. Any other
// value is a 400 problem ("query parameter 'lang' must be fr or en").
std::optional<server::HttpResponse> ReadLang(const server::HttpRequest& req, std::string* lang,
                                             bool follow_accept_language = false);

}  // namespace relais::api
