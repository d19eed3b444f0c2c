// /v1/projects/{id}/events: POST a command (Idempotency-Key, If-Match), GET
// the project's history, paged.
#include <charconv>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/api/command_response.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::JsonResponse;
using server::MakeProblem;
using server::ProblemKind;
using server::RouteParams;

constexpr size_t kMaxEventTypeBytes = 128;

// The handlers of /v1/projects/{id}/events.
class CommandHandlers {
 public:
  explicit CommandHandlers(Api& api) : s_(api.services()), scopes_(api.scopes()), config_(api.config()) {}

  // POST: record a command; the project must be one who may record on.
  // Answers from the command's commit (AsyncApiHandler).
  bool Record(const access::Principal& who, const std::shared_ptr<const HttpRequest>& request,
              const RouteParams& params, const server::Respond& respond, bool may_wait);
  // GET: the history, paged.
  HttpResponse History(const access::Principal& who, const HttpRequest& req, const RouteParams& params);

 private:
  // The command the request asks for, or the problem to answer.
  std::variant<runtime::CommandRequest, HttpResponse> ReadCommand(const access::Principal& who, const HttpRequest& req,
                                                                  const std::string& id,
                                                                  std::optional<Scoped<uint64_t>>& project);
  // The answer to a command's outcome.
  static HttpResponse CommandAnswer(const StatusOr<runtime::CommandOutcome>& outcome, const HttpRequest& req,
                                    const std::string& id);

  ApiServices& s_;
  Scopes& scopes_;
  const ApiOptions& config_;
};

bool CommandHandlers::Record(const access::Principal& who, const std::shared_ptr<const HttpRequest>& request,
                             const RouteParams& params, const server::Respond& respond, bool may_wait) {
  const HttpRequest& req = *request;
  const std::string id = params.Get("id");
  std::optional<Scoped<uint64_t>> project = may_wait
                                                ? std::optional(scopes_.ProjectVersion(who, id, access::Verb::kRecord))
                                                : scopes_.TryProjectVersion(who, id, access::Verb::kRecord);
  if (!project) return false;  // not in memory: a worker loads it
  auto command = ReadCommand(who, req, id, project);
  if (auto* problem = std::get_if<HttpResponse>(&command)) {
    respond(std::move(*problem));
    return true;
  }
  // Answered from the commit callback: no thread waits for the fsync.
  s_.projects.ExecuteAsync(std::move(std::get<runtime::CommandRequest>(command)),
                           [request, respond, id](StatusOr<runtime::CommandOutcome> outcome) {
                             respond(CommandAnswer(outcome, *request, id));
                           });
  return true;
}

std::variant<runtime::CommandRequest, HttpResponse> CommandHandlers::ReadCommand(
    const access::Principal& who, const HttpRequest& req, const std::string& id,
    std::optional<Scoped<uint64_t>>& project) {
  if (!project->ok()) return std::move(project->problem());
  Json body;
  if (auto p = ReadJsonObject(req, config_.max_json_depth, &body)) return *p;
  auto type = body.find("type");
  if (type == body.end() || !type->is_string() || type->get_ref<const std::string&>().empty() ||
      type->get_ref<const std::string&>().size() > kMaxEventTypeBytes)
    return MakeProblem(ProblemKind::kBadRequest, "the body needs a string member 'type' (the event type)");
  for (const auto& [key, value] : body.items())
    if (key != "type" && key != "data")
      return MakeProblem(ProblemKind::kBadRequest,
                         "unknown member '" + key + "': a command is {type, data}; the actor is the token's subject");
  runtime::CommandRequest command;
  command.project_id = id;
  command.event_type = type->get<std::string>();
  if (auto data = body.find("data"); data != body.end() && !data->is_null()) {
    if (!data->is_object()) return MakeProblem(ProblemKind::kBadRequest, "'data' must be an object");
    command.data = std::move(*data);
  }
  command.actor = who.ToActor();
  if (auto p = ReadIdempotencyKey(req, &command.idempotency_key)) return *p;
  if (auto p = ReadIfMatch(req, &command.expected_version)) return *p;
  return command;
}

HttpResponse CommandHandlers::CommandAnswer(const StatusOr<runtime::CommandOutcome>& outcome, const HttpRequest& req,
                                            const std::string& id) {
  if (!outcome.ok()) {
    std::optional<uint64_t> expected;
    (void)ReadIfMatch(req, &expected);
    return CommandFailure(outcome.status(), expected);
  }
  if (outcome->refusal) return RefusalProblem(*outcome->refusal, req);
  return CommandResponse(*outcome, id);
}

HttpResponse CommandHandlers::History(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
  const std::string id = params.Get("id");
  auto project = scopes_.ProjectVersion(who, id, access::Verb::kRead);
  if (!project.ok()) return project.problem();
  auto from = QueryUintFrom(req, "from", 1, 1, std::numeric_limits<uint64_t>::max() - 1);
  if (from.problem) return *from.problem;
  auto limit = QueryUint(req, "limit", config_.default_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  uint64_t first = std::max<uint64_t>(from.value, 1);
  // One more than asked, to know whether another page follows.
  auto events = s_.store.ReadStream(runtime::ProjectStream(id), first, limit.value + 1);
  if (!events.ok()) return server::ProblemFromStatus(events.status());
  bool has_more = events->size() > limit.value;
  if (has_more) events->resize(limit.value);
  // {"events", "has_more", "next_from", "version"}, the events spliced as stored.
  std::string body = "{\"events\":[";
  for (const RecordedEvent& e : *events) {
    if (body.back() != '[') body += ',';
    body += e.ToJsonText();
  }
  uint64_t next = events->empty() ? first : events->back().version + 1;
  body += "],\"has_more\":" + std::string(has_more ? "true" : "false") + ",\"next_from\":" + std::to_string(next) +
          ",\"version\":" + std::to_string(*project) + "}";
  return server::TextResponse(200, std::move(body), std::string(server::kJsonContentType));
}

}  // namespace

void AddCommandRoutes(RouteContext& ctx) {
  auto h = std::make_shared<CommandHandlers>(ctx.api);
  ctx.router.AddRoute("POST", "/v1/projects/{id}/events",
                      ctx.guarded_async([h](const access::Principal& who, const std::shared_ptr<const HttpRequest>& req,
                                            const RouteParams& params, const server::Respond& respond,
                                            bool may_wait) { return h->Record(who, req, params, respond, may_wait); }));
  ctx.router.AddRoute("GET", "/v1/projects/{id}/events", ctx.guarded(Handle(h, &CommandHandlers::History)));
}

}  // namespace relais::api
