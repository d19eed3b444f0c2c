#include "engine/server/router.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>

#include "engine/server/problem.h"

namespace relais::server {
namespace {

struct Segment {
  bool is_param = false;
  std::string text;  // literal text, or the parameter name
};

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  // path starts with '/'; "/" has zero segments, "/a/" has "a" and "".
  size_t pos = 1;
  if (path.size() <= 1) return out;
  while (true) {
    size_t next = path.find('/', pos);
    out.push_back(path.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

std::vector<Segment> ParsePattern(const std::string& pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  std::vector<Segment> segments;
  for (std::string_view part : SplitPath(pattern)) {
    Segment seg;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      seg.is_param = true;
      seg.text = std::string(part.substr(1, part.size() - 2));
      if (seg.text.empty() || seg.text.find_first_of("{}/") != std::string::npos) {
        throw std::invalid_argument("bad parameter in route pattern: " + pattern);
      }
      for (const Segment& s : segments) {
        if (s.is_param && s.text == seg.text) {
          throw std::invalid_argument("duplicate parameter {" + seg.text + "} in " + pattern);
        }
      }
    } else {
      if (part.find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("stray brace in route pattern: " + pattern);
      }
      seg.text = std::string(part);
    }
    segments.push_back(std::move(seg));
  }
  return segments;
}

// Tells the observer, then calls the inner respond; once.
class ResponseOnce {
 public:
  ResponseOnce(Respond inner, const RequestObserver* observer, std::string method, std::string route)
      : inner_(std::move(inner)),
        observer_(observer),
        method_(std::move(method)),
        route_(std::move(route)),
        start_(std::chrono::steady_clock::now()) {}

  void Call(HttpResponse response) {
    if (done_.exchange(true)) return;
    // Observe first: once inner_ runs the client may already read the
    // response and ask /metrics, which must then include this request.
    if (observer_ != nullptr && *observer_) {
      auto elapsed = std::chrono::steady_clock::now() - start_;
      (*observer_)(RequestRecord{method_, route_, response.status,
                                 std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed)});
    }
    inner_(std::move(response));
  }
  bool done() const { return done_.load(); }

 private:
  std::atomic<bool> done_{false};
  Respond inner_;
  const RequestObserver* observer_;
  std::string method_;
  std::string route_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

struct Router::Route {
  std::string method;
  std::string pattern;
  std::vector<Segment> segments;
  Handler handler;
};

void RouteParams::Set(std::string name, std::string value) {
  for (auto& [n, v] : values_) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  values_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> RouteParams::Find(std::string_view name) const {
  for (const auto& [n, v] : values_) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::string RouteParams::Get(std::string_view name) const {
  auto v = Find(name);
  return v ? std::string(*v) : std::string();
}

Router::Router() = default;
Router::~Router() = default;

void Router::AddRoute(std::string method, std::string pattern, Handler handler) {
  if (method.empty()) throw std::invalid_argument("route method is empty");
  if (!handler) throw std::invalid_argument("route handler is empty: " + method + " " + pattern);
  auto route = std::make_unique<Route>();
  route->segments = ParsePattern(pattern);
  for (const auto& r : routes_) {
    if (r->method != method || r->segments.size() != route->segments.size()) continue;
    bool same = true;
    for (size_t i = 0; i < r->segments.size() && same; ++i) {
      const Segment &a = r->segments[i], &b = route->segments[i];
      same = a.is_param == b.is_param && (a.is_param || a.text == b.text);
    }
    if (same) throw std::invalid_argument("duplicate route: " + method + " " + pattern);
  }
  route->method = std::move(method);
  route->pattern = std::move(pattern);
  route->handler = std::move(handler);
  routes_.push_back(std::move(route));
}

void Router::AddSyncRoute(std::string method, std::string pattern, SyncHandler handler) {
  if (!handler) throw std::invalid_argument("route handler is empty: " + method + " " + pattern);
  AddRoute(std::move(method), std::move(pattern),
           [h = std::move(handler)](HttpRequest req, RouteParams params, Respond respond) { respond(h(req, params)); });
}

std::vector<RouteInfo> Router::ListRoutes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back({r->method, r->pattern});
  return out;
}

void Router::SetObserver(RequestObserver observer) { observer_ = std::move(observer); }

void Router::Dispatch(HttpRequest request, Respond respond) const {
  std::vector<std::string_view> parts = SplitPath(request.path);

  // Find every route whose path matches; keep the most specific one per
  // method (literals before parameters, left to right).
  const Route* best = nullptr;
  std::vector<bool> best_rank;
  std::vector<std::string> allowed;
  const Route* get_route = nullptr;
  std::vector<bool> get_rank;
  for (const auto& r : routes_) {
    if (r->segments.size() != parts.size()) continue;
    std::vector<bool> rank;
    rank.reserve(parts.size());
    bool match = true;
    for (size_t i = 0; i < parts.size() && match; ++i) {
      const Segment& seg = r->segments[i];
      if (seg.is_param) {
        match = !parts[i].empty();
        rank.push_back(false);
      } else {
        match = seg.text == parts[i];
        rank.push_back(true);
      }
    }
    if (!match) continue;
    if (std::find(allowed.begin(), allowed.end(), r->method) == allowed.end()) allowed.push_back(r->method);
    if (r->method == request.method && (best == nullptr || rank > best_rank)) {
      best = r.get();
      best_rank = rank;
    }
    if (r->method == "GET" && (get_route == nullptr || rank > get_rank)) {
      get_route = r.get();
      get_rank = rank;
    }
  }
  if (best == nullptr && request.method == "HEAD" && get_route != nullptr) best = get_route;

  const std::string route_name = best ? best->pattern : std::string(kUnmatchedRoute);
  auto once = std::make_shared<ResponseOnce>(std::move(respond), &observer_, request.method, route_name);
  Respond wrapped = [once](HttpResponse res) { once->Call(std::move(res)); };

  if (best == nullptr) {
    if (allowed.empty()) {
      wrapped(MakeProblem(ProblemKind::kNotFound, "no resource at " + request.path, nullptr, request.path));
      return;
    }
    if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end() &&
        std::find(allowed.begin(), allowed.end(), "HEAD") == allowed.end()) {
      allowed.push_back("HEAD");
    }
    std::sort(allowed.begin(), allowed.end());
    wrapped(MethodNotAllowedProblem(allowed, request.path));
    return;
  }

  RouteParams params;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Segment& seg = best->segments[i];
    if (!seg.is_param) continue;
    StatusOr<std::string> decoded = PercentDecode(parts[i], false);
    if (!decoded.ok()) {
      wrapped(MakeProblem(ProblemKind::kBadRequest, decoded.status().message(), nullptr, request.path));
      return;
    }
    params.Set(seg.text, std::move(decoded).value());
  }

  try {
    best->handler(std::move(request), std::move(params), wrapped);
  } catch (const std::exception& e) {
    HttpResponse res = MakeProblem(ProblemKind::kInternal, "the server could not complete the request");
    res.log_cause = std::string("the handler threw: ") + e.what();  // logged by the transport
    wrapped(std::move(res));
  } catch (...) {
    HttpResponse res = MakeProblem(ProblemKind::kInternal, "the server could not complete the request");
    res.log_cause = "the handler threw a non-standard exception";
    wrapped(std::move(res));
  }
}

}  // namespace relais::server
