// Writes sample calendar feeds (French and English) of a programme run with
// an injected clock, and beside each the expectations an independent parser
// checks (tests/programme/ics/check_feed.mjs): usage: ics_feed_sample OUT_DIR
#include <cstdio>
#include <fstream>

#include "engine/programme/ics_feed.h"
#include "engine/programme/programme_service.h"
#include "engine/store/memory_event_store.h"
#include "engine/util/time_format.h"

using namespace relais;
using namespace relais::programme;

namespace {

int Fail(const Status& s) {
  std::fprintf(stderr, "ics_feed_sample: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ics_feed_sample OUT_DIR\n");
    return 2;
  }
  const std::string out = argv[1];
  ManualClock clock(*ParseIso8601("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  ProgrammeService service(store, clock);
  Json definition = {{"id", "sud-val-de-marnais"},
                     {"title", "Plate-forme d'appui du Sud Val-de-Marnais; services, mobilité, emploi"},
                     {"plan_years", {2027, 2028, 2029}},
                     {"axes",
                      {{{"id", "2"}, {"title", "Services aux particuliers"}},
                       {{"id", "2A"},
                        {"title", "Personnes âgées et dépendantes, aide à domicile, portage de repas, téléassistance"},
                        {"parent", "2"}},
                       {{"id", "3"}, {"title", "Mobilité"}}}},
                     {"reviews", {{"months", {3, 6, 11}}, {"day", 28}}},
                     {"yearly",
                      {{{"kind", "annual_event"},
                        {"title_fr", "Prix de l'innovation"},
                        {"title_en", "Innovation prize"},
                        {"month", 11},
                        {"day", 20}}}}};
  auto def = ProgrammeDefinition::FromJson(definition);
  if (!def.ok()) return Fail(def.status());
  if (auto s = service.Define(*def, "person:claire.dumas"); !s.ok()) return Fail(s.status());
  auto marc = service.Assign("sud-val-de-marnais",
                             {"person:marc.lefort", "elu_referent", "2A", {2027, 1, 1}, {2029, 12, 31}}, "x");
  if (!marc.ok()) return Fail(marc.status());
  auto julie = service.Assign("sud-val-de-marnais",
                              {"person:julie.moreau", "elu_referent", "3", {2027, 1, 1}, {2029, 12, 31}}, "x");
  if (!julie.ok()) return Fail(julie.status());
  // A move (SEQUENCE 1) and a whole term ended (its reviews cancelled).
  auto before = service.Get("sud-val-de-marnais");
  if (!before.ok()) return Fail(before.status());
  std::string first_review;
  for (const auto& [id, m] : (*before)->milestones)
    if (m.kind == "review" && m.axis == "2A" &&
        (first_review.empty() || m.due < (*before)->milestones.at(first_review).due))
      first_review = id;
  if (auto m = service.Move("sud-val-de-marnais", first_review, CivilDate{2027, 4, 6}, "x"); !m.ok())
    return Fail(m.status());
  if (auto e = service.EndTerm("sud-val-de-marnais", julie->id, "x"); !e.ok()) return Fail(e.status());
  // A second programme in New Caledonia (UTC+11): the same feed carries two
  // VTIMEZONEs, and each event's start is checked against the instant date/tz
  // computed, as ical.js reads it from libical's VTIMEZONE.
  Json noumea = {{"id", "province-sud"},
                 {"title", "Plate-forme de la Province Sud, Nouvelle-Calédonie"},
                 {"plan_years", {2027, 2028}},
                 {"time_zone", "Pacific/Noumea"},
                 {"reviews", {{"time", "08:30"}}},
                 {"yearly",
                  {{{"kind", "evaluation"},
                    {"title_fr", "Prix de l'innovation (évaluation)"},
                    {"title_en", "Innovation prize (evaluation)"},
                    {"month", 1},
                    {"day", 4}}}}};
  auto noumea_def = ProgrammeDefinition::FromJson(noumea);
  if (!noumea_def.ok()) return Fail(noumea_def.status());
  if (auto s = service.Define(*noumea_def, "person:claire.dumas"); !s.ok()) return Fail(s.status());
  std::vector<StatePtr> states;
  for (const char* id : {"sud-val-de-marnais", "province-sud"}) {
    auto state = service.Get(id);
    if (!state.ok()) return Fail(state.status());
    states.push_back(*state);
  }
  for (std::string lang : {"fr", "en"}) {
    std::vector<FeedEntry> entries;
    Json expected = {{"calendar_name", "Relais " + lang}, {"events", Json::object()}};
    for (const StatePtr& state : states)
      for (const auto& [id, m] : state->milestones) {
        entries.push_back({state.get(), &m});
        std::string summary = m.kind == "review" ? (lang == "fr" ? "Point d'étape" : "Review of axis")
                                                 : (lang == "fr" ? "Prix de l'innovation" : "Innovation prize");
        expected["events"][id + "@" + state->definition.id + ".relais"] = {
            {"start_utc", ToMicros(m.due) / 1'000'000},
            {"tzid", state->definition.time_zone.name()},
            {"sequence", m.sequence},
            {"status", m.status == MilestoneStatus::kCancelled ? "CANCELLED" : "CONFIRMED"},
            {"summary_contains", summary}};
      }
    expected["count"] = entries.size();
    expected["zones"] = {"Europe/Paris", "Pacific/Noumea"};
    auto feed = RenderIcsFeed("Relais " + lang, entries, lang, "https://relais.example");
    if (!feed.ok()) return Fail(feed.status());
    std::ofstream(out + "/feed-" + lang + ".ics", std::ios::binary) << *feed;
    std::ofstream(out + "/feed-" + lang + ".json") << expected.dump(2);
  }
  return 0;
}
