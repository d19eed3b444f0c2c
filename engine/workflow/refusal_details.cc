#include "engine/workflow/refusal_details.h"

#include <vector>

namespace relais::workflow {
namespace {

constexpr const char* kJoin = "; ";

Json MessagesOrNull(const Message& m) { return m.empty() ? Json(nullptr) : m.ToJson(); }

// Joins texts per language into one Message (empty when texts is).
Message Joined(const std::vector<Message>& texts) {
  Message out;
  for (const Message& m : texts) {
    out.fr += (out.fr.empty() ? "" : kJoin) + m.fr;
    out.en += (out.en.empty() ? "" : kJoin) + m.en;
  }
  out.per_language = !texts.empty();
  return out;
}

// A clause's words: its message, else what the engine says of it.
Message ClauseWords(const GuardClause& clause) {
  if (!clause.message.empty()) return clause.message;
  Message m;
  m.fr = "condition non remplie : " + clause.guard.source();
  m.en = "condition not met: " + clause.guard.source();
  return m;
}

}  // namespace

Json RuleLocation(const WorkflowDefinition& def, SourceLocation at) {
  return {{"workflow", def.name}, {"line", at.line}, {"column", at.column}};
}

std::string RuleLocationText(const WorkflowDefinition& def, SourceLocation at) {
  return "workflow " + def.name + ", line " + std::to_string(at.line) + ", column " + std::to_string(at.column);
}

Refusal ExpressionRefusal(const WorkflowDefinition& def, const std::string& event_type, const std::string& what,
                          const Guard& expr, const ExpressionError& error, SourceLocation at) {
  return Refusal{
      RefusalCode::kExpressionError,
      "can not compute " + what + " of '" + event_type + "' (" + RuleLocationText(def, at) + "): " + error.message,
      {{"event_type", event_type},
       {"expression", expr.source()},
       {"column", error.column},
       {"error", error.message},
       {"at", RuleLocation(def, at)}}};
}

std::optional<Refusal> CheckPreconditions(const WorkflowDefinition& def, const EventType& event,
                                          const GuardContext& ctx) {
  Json unmet = Json::array();
  std::vector<Message> words;
  std::string message;  // as before messages: the file's text (French first), else English
  const GuardClause* first = nullptr;
  GuardResult first_result;
  for (const auto& clause : event.preconditions) {
    GuardResult r = clause.guard.EvaluateExplainingFailure(ctx);
    if (r.error && first == nullptr)
      return ExpressionRefusal(def, event.type, "a requires guard", clause.guard, *r.error, clause.location);
    if (r.passed) continue;
    Json entry = {{"guard", clause.guard.source()},
                  {"values", r.observed},
                  {"at", RuleLocation(def, clause.location)},
                  {"messages", MessagesOrNull(clause.message)}};
    if (r.error) entry["error"] = r.error->message;
    unmet.push_back(std::move(entry));
    words.push_back(ClauseWords(clause));
    message += (message.empty() ? "" : kJoin) +
               (clause.message.empty() ? "condition not met: " + clause.guard.source() : clause.message.fr);
    if (first == nullptr) {
      first = &clause;
      first_result = std::move(r);
    }
  }
  if (first == nullptr) return std::nullopt;
  Refusal refusal{RefusalCode::kGuardFailed,
                  std::move(message),
                  {{"event_type", event.type},
                   {"guard", first->guard.source()},
                   {"values", first_result.observed},
                   {"at", RuleLocation(def, first->location)},
                   {"unmet", std::move(unmet)}}};
  refusal.messages = Joined(words);
  return refusal;
}

Json TriedTransition(const WorkflowDefinition& def, const GuardClause& when, const GuardResult& result) {
  return {{"guard", when.guard.source()},
          {"values", result.observed},
          {"at", RuleLocation(def, when.location)},
          {"messages", MessagesOrNull(when.message)}};
}

Refusal NoTransitionRefusal(const EventType& event, Json tried) {
  std::vector<Message> said;
  for (const auto& t : event.transitions)
    if (t.when && !t.when->message.empty()) said.push_back(t.when->message);
  // Only the transitions that were tried (all of them: none matched).
  Refusal refusal{RefusalCode::kNoTransitionMatched,
                  "no transition of '" + event.type + "' applies",
                  {{"event_type", event.type}, {"tried", std::move(tried)}}};
  if (!said.empty()) {
    refusal.messages = Joined(said);
    refusal.message += ": " + refusal.messages.fr;
  }
  return refusal;
}

}  // namespace relais::workflow
