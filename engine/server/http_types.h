// HttpRequest and HttpResponse: Relais's own small HTTP message types. Routes
// and handlers see only these, so they compile without Boost.Beast; the
// session converts to and from the wire format.
//
// Thread-safety: plain values; not thread-safe (one owner at a time).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::server {

class ResponseStream;  // response_stream.h

// Header fields in arrival order; names compare case-insensitively (RFC 9110).
class HttpHeaders {
 public:
  using Field = std::pair<std::string, std::string>;

  // Appends a field, keeping any existing ones with the same name.
  void Add(std::string name, std::string value);
  // Replaces every field with this name by one field.
  void Set(std::string name, std::string value);
  void Remove(std::string_view name);
  // The first field with this name, if any. The view lives until the
  // headers are modified.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  std::vector<std::string_view> GetAll(std::string_view name) const;

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

// ASCII case-insensitive equality, for header names and tokens.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct QueryParam {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method;             // "GET", "POST"... (case-sensitive, RFC 9110)
  std::string target;             // as received: "/v1/projects?limit=10"
  std::string path;               // percent-encoded path part of target: "/v1/projects"
  std::vector<QueryParam> query;  // decoded, in order
  HttpHeaders headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:51234"; empty when unknown
  // Names this request in the response (X-Request-Id), in problem+json
  // `instance` and in every log line it causes: the client's X-Request-Id
  // if sane, else a UUID (request_id.h). Set by the transport; empty for
  // requests built in-process (MakeRequest).
  std::string request_id;

  // The first query parameter with this name, if any.
  std::optional<std::string_view> Query(std::string_view name) const;
  std::optional<std::string_view> Header(std::string_view name) const { return headers.Get(name); }
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  std::string content_type;  // empty: no Content-Type field unless set in headers
  // Set: body is ignored and the body is streamed (response_stream.h); the
  // connection closes when the stream ends.
  std::shared_ptr<ResponseStream> stream;
  // Never sent. Why the server answered 500 (an exception's text, a failed
  // Status): the transport writes it to the error log with the request id.
  std::string log_cause;
  // Never sent. What the access log writes instead of the target when the
  // target carries a credential (e.g. "/v1/feeds/{token}"); empty: the target.
  std::string log_target;
};

// Splits an origin-form request target ("/a/b?x=1&y=%20") into path and
// decoded query parameters ('+' in the query reads as a space).
// Fails with kInvalidArgument if the target does not start with '/' or has a
// malformed percent-escape.
Status ParseRequestTarget(std::string_view target, HttpRequest& request);

// Decodes %XX escapes (and '+' as space when plus_is_space). Fails with
// kInvalidArgument on a truncated or non-hex escape.
StatusOr<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// A request built for tests and in-process calls: target parsed as above.
// REQUIRES: target is a valid origin-form target.
HttpRequest MakeRequest(std::string method, std::string_view target, std::string body = "");

inline constexpr std::string_view kJsonContentType = "application/json";

// A response whose body is value serialized compactly, Content-Type application/json.
HttpResponse JsonResponse(int status, const Json& value);
HttpResponse TextResponse(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");

// True if the Content-Type's media type is application/json or a +json type.
bool IsJsonMediaType(std::string_view content_type);

// The standard reason phrase ("Not Found"), or "Unknown" for unlisted codes.
std::string_view ReasonPhrase(int status);

}  // namespace relais::server
