#include "engine/workflow/effects.h"

#include <gtest/gtest.h>

#include "engine/util/time_format.h"

namespace relais::workflow {
namespace {

std::string Text(const Effects& e) {
  std::string out;
  e.AppendJsonText(out);
  return out;
}

// Every member filled, with texts that need escaping and non-ASCII ones.
Effects Full() {
  Effects e;
  e.phase = PhaseChange{"mobilisation", "étude"};
  e.tracks = std::map<std::string, std::string>{{"partenaires", "en_cours"}, {"publics", "a \"quoted\" step"}};
  e.keyed_tracks["financeurs"] = KeyedTrackChange{false, true, {{"ASP", "pending"}, {"Région", "granted"}}, {"old"}};
  e.keyed_tracks["ended"] = KeyedTrackChange{true, false, {}, {}};
  e.keyed_tracks["empty"] = KeyedTrackChange{};
  e.set = {{"porteur", {{"nom", "Association\nSud"}, {"nature", "association"}}}, {"total", 12.5}, {"n", -3}};
  e.append = {{"indicateurs", Json::array({{{"indicateur", "autre"}, {"valeur", 3}}})}};
  e.unset = {"motif_fin", "a\\b"};
  e.suspended = false;
  e.timers.armed = {{"bilan", "portage"}, {"relance", "montage"}};
  e.timers.cancelled = {"x"};
  e.timers.fired = {"y", "z"};
  e.timers.paused = {{"p", 3600}, {"q", -1}};
  e.timers.resumed = {"r"};
  e.timers.due = {{"bilan", *ParseIso8601("2027-03-01T10:00:00.123456Z")}};
  e.membership.partners_joined = {"mission-locale"};
  e.membership.partners_left = {"pole-emploi"};
  e.membership.people_joined = {{"person:élu", "elu"}, {"person:ref", "referent"}};
  e.membership.people_left = {"person:old"};
  SpawnEffect spawn;
  spawn.project_id = "p-1";
  spawn.workflow = "cbe_action";
  spawn.link = "copie";
  spawn.title = "Copie « Sud »";
  spawn.programme = "2027";
  spawn.fields = {{"k", 1}};
  e.spawned = {spawn, SpawnEffect{}};
  return e;
}

TEST(EffectsTest, JsonTextIsTheDumpOfToJson) {
  std::vector<Effects> samples;
  samples.push_back(Effects{});
  samples.push_back(Full());
  Effects phase_only;
  phase_only.phase = PhaseChange{std::nullopt, "mobilisation"};
  phase_only.tracks.emplace();  // entering a phase without tracks: recorded empty
  samples.push_back(phase_only);
  Effects suspended;
  suspended.suspended = true;
  suspended.timers.paused = {{"t", 0}};
  samples.push_back(suspended);
  Effects people_left;
  people_left.membership.people_left = {"person:x"};
  samples.push_back(people_left);
  for (const Effects& e : samples) EXPECT_EQ(Text(e), DumpJson(e.ToJson()));
}

TEST(EffectsTest, JsonTextAppendsAndReadsBack) {
  std::string out = "prefix:";
  Full().AppendJsonText(out);
  ASSERT_EQ(out.rfind("prefix:", 0), 0u);
  auto parsed = ParseJson(out.substr(7));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto back = Effects::FromJson(*parsed);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(DumpJson(back->ToJson()), DumpJson(Full().ToJson()));
}

}  // namespace
}  // namespace relais::workflow
