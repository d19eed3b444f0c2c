// What refusals say about the rules of a workflow file: where a rule is
// (the workflow's name, line and column: never the server's path of the
// file), every unmet `requires:` clause of a command, and the file's
// `message:` in French and English. Internal to the decision (decision.cc).
//
// Thread-safety: pure functions over immutable inputs; safe from any thread.
#pragma once

#include <optional>
#include <string>

#include "engine/util/json.h"
#include "engine/workflow/decision.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/guard.h"

namespace relais::workflow {

// {"workflow": "cbe", "line": 123, "column": 7}: details.at of refusals.
Json RuleLocation(const WorkflowDefinition& def, SourceLocation at);
// "workflow cbe, line 123, column 7": the same in a sentence.
std::string RuleLocationText(const WorkflowDefinition& def, SourceLocation at);

// A guard or value that can not be computed, refused as expression_error.
Refusal ExpressionRefusal(const WorkflowDefinition& def, const std::string& event_type, const std::string& what,
                          const Guard& expr, const ExpressionError& error, SourceLocation at);

// Evaluates every `requires:` clause of event in order. nullopt when all
// hold. A clause that can not be computed before any clause failed refuses
// with expression_error (as when it was alone); after one, it is listed as
// unmet with its `error`. Otherwise guard_failed, whose details keep the
// first unmet clause's guard, values and at, and list every unmet clause in
// `unmet: [{guard, values, at, messages}]` (messages: the clause's
// {fr, en}, or null); the refusal's messages and message join every unmet
// clause's text (its message:, else "condition not met: <guard>").
std::optional<Refusal> CheckPreconditions(const WorkflowDefinition& def, const EventType& event,
                                          const GuardContext& ctx);

// One transition whose `when` did not hold, for no_transition_matched's
// `tried`: {guard, values, at, messages}.
Json TriedTransition(const WorkflowDefinition& def, const GuardClause& when, const GuardResult& result);

// no_transition_matched over `tried` (TriedTransition entries): messages
// join the tried transitions' message: (nothing when none has one).
Refusal NoTransitionRefusal(const EventType& event, Json tried);

}  // namespace relais::workflow
