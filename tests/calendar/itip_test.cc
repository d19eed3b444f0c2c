// iTIP invitations (RFC 5546): REQUEST and CANCEL of one élu's review, with
// the zone's VTIMEZONE, DTSTAMP from the injected clock, and the refusals.
#include "engine/calendar/itip.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/util/time_format.h"

namespace relais::calendar {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TimePoint T(const char* iso) { return *ParseIso8601(iso); }

// Logical lines (unfolded), "\n"-joined.
std::string Unfolded(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\r\n", start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (!line.empty() && line[0] == ' ')
      out.insert(out.size() - 1, line.substr(1));  // before the previous line's "\n"
    else
      out += line + "\n";
    start = end + 2;
  }
  return out;
}

Invitation Review() {
  Invitation inv;
  inv.uid = "review-2A-review-20270503@sud-val-de-marnais.relais";
  inv.sequence = 3;
  inv.summary = "Point d'étape de l'axe 2A avec l'élu référent";
  inv.description = "Programme : Sud Val-de-Marnais\nAxe 2A : Personnes âgées";
  inv.url = "https://relais.example/ui/index.html#/programme/sud-val-de-marnais";
  inv.start = {{2027, 5, 3}, 10, 0, 0};
  inv.zone = *TimeZone::Find("Indian/Reunion");
  inv.duration = std::chrono::minutes(90);
  inv.organizer = {"Claire Dumas", "claire.dumas@ccas.example"};
  inv.attendees = {{"Marc Lefort", "marc.lefort@mairie.example", AttendeeRole::kRequired},
                   {"Claire Dumas", "claire.dumas@ccas.example", AttendeeRole::kChair}};
  return inv;
}

TEST(CalendarItip, RequestCarriesMethodUidSequenceOrganizerAttendeesAndZone) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  auto text = BuildInvitation(Review(), clock);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const std::string all = Unfolded(*text);
  EXPECT_THAT(all, HasSubstr("\nMETHOD:REQUEST\n"));
  EXPECT_THAT(all, HasSubstr("\nPRODID:-//Relais//Invitations//FR\n"));
  EXPECT_THAT(all, HasSubstr("\nUID:review-2A-review-20270503@sud-val-de-marnais.relais\n"));
  EXPECT_THAT(all, HasSubstr("\nSEQUENCE:3\n"));
  EXPECT_THAT(all, HasSubstr("\nDTSTAMP:20261201T080000Z\n"));
  EXPECT_THAT(all, HasSubstr("\nSTATUS:CONFIRMED\n"));
  EXPECT_THAT(all, HasSubstr("\nORGANIZER;CN=Claire Dumas:mailto:claire.dumas@ccas.example\n"));
  EXPECT_THAT(all, HasSubstr("\nATTENDEE;CN=Marc Lefort;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
                             "mailto:marc.lefort@mairie.example\n"));
  EXPECT_THAT(all, HasSubstr("\nATTENDEE;CN=Claire Dumas;ROLE=CHAIR;"));
  EXPECT_THAT(all, HasSubstr("\nBEGIN:VTIMEZONE\nTZID:Indian/Reunion\n"));
  EXPECT_THAT(all, HasSubstr("\nTZOFFSETTO:+0400\n"));
  EXPECT_THAT(all, HasSubstr("\nDTSTART;TZID=Indian/Reunion:20270503T100000\n"));
  EXPECT_THAT(all, HasSubstr("\nDTEND;TZID=Indian/Reunion:20270503T113000\n"));
  EXPECT_THAT(all, HasSubstr("\nURL:https://relais.example/ui/index.html#/programme/sud-val-de-marnais\n"));
  // DTSTAMP follows the clock: a later build of the same invitation says so.
  clock.Set(T("2026-12-02T09:30:15Z"));
  EXPECT_THAT(Unfolded(*BuildInvitation(Review(), clock)), HasSubstr("\nDTSTAMP:20261202T093015Z\n"));
}

TEST(CalendarItip, CancelledReviewIsAMethodCancel) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  Invitation inv = Review();
  inv.sequence = 4;
  inv.status = EventStatus::kCancelled;
  auto text = BuildInvitation(inv, clock);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const std::string all = Unfolded(*text);
  EXPECT_THAT(all, HasSubstr("\nMETHOD:CANCEL\n"));
  EXPECT_THAT(all, Not(HasSubstr("METHOD:REQUEST")));
  EXPECT_THAT(all, HasSubstr("\nSTATUS:CANCELLED\n"));
  EXPECT_THAT(all, HasSubstr("\nUID:review-2A-review-20270503@sud-val-de-marnais.relais\n"));
  EXPECT_THAT(all, HasSubstr("\nSEQUENCE:4\n"));
  EXPECT_THAT(all, HasSubstr("\nORGANIZER;CN=Claire Dumas:mailto:claire.dumas@ccas.example\n"));
  EXPECT_THAT(all, HasSubstr("mailto:marc.lefort@mairie.example\n"));
  EXPECT_THAT(all, HasSubstr("\nDTSTART;TZID=Indian/Reunion:20270503T100000\n"));
}

TEST(CalendarItip, ParisReviewAcrossTheSummerTimeChange) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  Invitation inv = Review();
  inv.zone = *TimeZone::Find("Europe/Paris");
  inv.start = {{2027, 3, 29}, 10, 0, 0};  // the Monday after the change
  const std::string all = Unfolded(*BuildInvitation(inv, clock));
  EXPECT_THAT(all, HasSubstr("\nTZID:Europe/Paris\n"));
  EXPECT_THAT(all, HasSubstr("\nDTSTART;TZID=Europe/Paris:20270329T100000\n"));
  EXPECT_THAT(all, HasSubstr("BYDAY=-1SU;BYMONTH=3"));
}

TEST(CalendarItip, RefusesWhatAClientCouldNotUse) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  struct Case {
    const char* field;
    void (*spoil)(Invitation&);
  };
  const Case cases[] = {
      {"invitation.uid", [](Invitation& i) { i.uid.clear(); }},
      {"invitation.sequence", [](Invitation& i) { i.sequence = -1; }},
      {"invitation.summary", [](Invitation& i) { i.summary.clear(); }},
      {"invitation.start", [](Invitation& i) { i.start.hour = 24; }},
      {"invitation.duration", [](Invitation& i) { i.duration = std::chrono::minutes(0); }},
      {"invitation.organizer.email", [](Invitation& i) { i.organizer.email = "claire.dumas"; }},
      {"invitation.attendees", [](Invitation& i) { i.attendees.clear(); }},
      {"invitation.attendees[1].email", [](Invitation& i) { i.attendees[1].email = "a@b@c"; }},
      {"invitation.attendees[0].email", [](Invitation& i) { i.attendees[0].email = "marc lefort@mairie.example"; }},
  };
  for (const Case& c : cases) {
    Invitation inv = Review();
    c.spoil(inv);
    auto text = BuildInvitation(inv, clock);
    ASSERT_EQ(text.status().code(), StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(text.status().message(), HasSubstr(std::string(c.field) + ":")) << c.field;
  }
}

}  // namespace
}  // namespace relais::calendar
