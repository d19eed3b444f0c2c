// Writes an élu's review invitation (REQUEST), its update after a move
// (REQUEST, SEQUENCE raised) and its cancellation (CANCEL), built with an
// injected clock, and beside each the expectations an independent parser
// checks (tests/programme/ics/check_itip.mjs): usage: itip_sample OUT_DIR
#include <cstdio>
#include <fstream>

#include "engine/calendar/itip.h"
#include "engine/util/json.h"
#include "engine/util/time_format.h"

using namespace relais;
using namespace relais::calendar;

namespace {

int Fail(const Status& s) {
  std::fprintf(stderr, "itip_sample: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: itip_sample OUT_DIR\n");
    return 2;
  }
  const std::string out = argv[1];
  ManualClock clock(*ParseIso8601("2026-12-01T08:00:00Z"));
  struct Sample {
    const char* name;
    const char* zone;
    LocalDateTime start;
    int sequence;
    EventStatus status;
  };
  const Sample samples[] = {
      {"request",
       "Europe/Paris",
       {{2027, 3, 29}, 10, 0, 0},
       0,
       EventStatus::kConfirmed},  // the Monday after the change
      {"update", "Europe/Paris", {{2027, 11, 2}, 14, 30, 0}, 1, EventStatus::kConfirmed},  // moved to winter time
      {"cancel", "Europe/Paris", {{2027, 11, 2}, 14, 30, 0}, 2, EventStatus::kCancelled},
      {"request-reunion", "Indian/Reunion", {{2027, 5, 3}, 9, 0, 0}, 0, EventStatus::kConfirmed},
      {"cancel-noumea", "Pacific/Noumea", {{2027, 1, 4}, 8, 30, 0}, 3, EventStatus::kCancelled},
  };
  for (const Sample& s : samples) {
    auto zone = TimeZone::Find(s.zone);
    if (!zone.ok()) return Fail(zone.status());
    Invitation inv;
    inv.uid = std::string("review-2A-review-") + s.start.date.Compact() + "@sud-val-de-marnais.relais";
    if (std::string(s.name) != "request-reunion" && std::string(s.name) != "cancel-noumea")
      inv.uid = "review-2A-review-20270329@sud-val-de-marnais.relais";  // one review: invited, moved, cancelled
    inv.sequence = s.sequence;
    inv.summary = "Point d'étape de l'axe 2A : Personnes âgées, aide à domicile; avec l'élu référent Marc Lefort";
    inv.description = "Programme : Plate-forme d'appui du Sud Val-de-Marnais\nAxe 2A : Personnes âgées";
    inv.url = "https://relais.example/ui/index.html#/programme/sud-val-de-marnais";
    inv.start = s.start;
    inv.zone = *zone;
    inv.duration = std::chrono::minutes(90);
    inv.organizer = {"Claire Dumas, coordinatrice", "claire.dumas@ccas.example"};
    inv.attendees = {{"Marc Lefort", "marc.lefort@mairie.example", AttendeeRole::kRequired},
                     {"Claire Dumas, coordinatrice", "claire.dumas@ccas.example", AttendeeRole::kChair}};
    inv.status = s.status;
    clock.Set(clock.Now() + std::chrono::hours(1));
    auto text = BuildInvitation(inv, clock);
    if (!text.ok()) return Fail(text.status());
    const bool cancel = s.status == EventStatus::kCancelled;
    Json expected = {
        {"method", cancel ? "CANCEL" : "REQUEST"},
        {"status", cancel ? "CANCELLED" : "CONFIRMED"},
        {"uid", inv.uid},
        {"sequence", inv.sequence},
        {"tzid", s.zone},
        {"start_utc", ToMicros(zone->ToUtc(s.start)) / 1'000'000},
        {"end_utc", ToMicros(zone->ToUtc(s.start) + inv.duration) / 1'000'000},
        {"dtstamp_utc", ToMicros(clock.Now()) / 1'000'000},
        {"summary", inv.summary},
        {"organizer", {{"cn", inv.organizer.name}, {"email", inv.organizer.email}}},
        {"attendees",
         {{{"cn", "Marc Lefort"}, {"email", "marc.lefort@mairie.example"}, {"role", "REQ-PARTICIPANT"}},
          {{"cn", "Claire Dumas, coordinatrice"}, {"email", "claire.dumas@ccas.example"}, {"role", "CHAIR"}}}}};
    std::ofstream(out + "/" + s.name + ".ics", std::ios::binary) << *text;
    std::ofstream(out + "/" + s.name + ".json") << expected.dump(2);
  }
  return 0;
}
