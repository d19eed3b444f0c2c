// iCalendar text written through libical: CRLF, folding at 75 octets, TEXT
// escaping, one VTIMEZONE per zone under its IANA name, DTSTART/DTEND with
// TZID, DTEND across a change of offset.
#include "engine/calendar/ics_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "engine/util/time_format.h"

namespace relais::calendar {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TimePoint T(const char* iso) { return *ParseIso8601(iso); }

// The logical lines of a calendar text (RFC 5545 3.1 unfolding), checking
// the physical ones: CRLF only, at most 75 octets, no UTF-8 sequence split.
std::vector<std::string> Unfold(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "no CRLF after offset " << start;
    if (end == std::string::npos) break;
    std::string line = text.substr(start, end - start);
    EXPECT_LE(line.size(), 75u) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos) << "bare LF in " << line;
    if (!line.empty() && line[0] == ' ') {
      EXPECT_FALSE(lines.empty());
      line = line.substr(1);
      if (!line.empty()) {
        EXPECT_NE(static_cast<unsigned char>(line[0]) & 0xC0, 0x80) << "a UTF-8 sequence split by a fold";
      }
      if (!lines.empty()) lines.back() += line;
    } else {
      lines.push_back(line);
    }
    start = end + 2;
  }
  return lines;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

IcsEvent Event(const char* zone, LocalDateTime start) {
  IcsEvent e;
  e.uid = "review-1@programme.relais";
  e.sequence = 2;
  e.stamp = T("2026-12-01T08:00:00.750Z");
  e.start = start;
  e.zone = *TimeZone::Find(zone);
  e.summary = "Point d'étape";
  return e;
}

TEST(CalendarIcsWriter, EscapesAndFoldsThroughLibical) {
  IcsCalendar cal("-//Relais//Test//FR", IcsMethod::kPublish);
  cal.SetName("Échéances; de Claire, CCAS");
  IcsEvent e = Event("Europe/Paris", {{2027, 5, 3}, 10, 0, 0});
  std::string long_title;
  for (int i = 0; i < 60; ++i) long_title += "é";  // two octets each: folded, never split
  e.summary = "a,b;c\\d\ne" + long_title + "\x01";
  e.description = "Programme : Sud\r\nAxe 2A : Personnes âgées";
  e.url = "https://relais.example/ui/index.html#/programme/sud";
  e.category = "review";
  cal.Add(e);
  auto text = cal.Text();
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const std::vector<std::string> lines = Unfold(*text);
  const std::string all = Joined(lines);
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  EXPECT_THAT(all, HasSubstr("\nSUMMARY:a\\,b\\;c\\\\d\\ne" + long_title + "\n"));  // control character dropped
  EXPECT_THAT(all, HasSubstr("\nDESCRIPTION:Programme : Sud\\nAxe 2A : Personnes âgées\n"));
  EXPECT_THAT(all, HasSubstr("\nNAME:Échéances\\; de Claire\\, CCAS\n"));
  EXPECT_THAT(all, HasSubstr("\nX-WR-CALNAME:Échéances; de Claire, CCAS\n"));  // libical writes X- values verbatim
  EXPECT_THAT(all, HasSubstr("\nMETHOD:PUBLISH\n"));
  EXPECT_THAT(all, HasSubstr("\nVERSION:2.0\n"));
  EXPECT_THAT(all, HasSubstr("\nUID:review-1@programme.relais\n"));
  EXPECT_THAT(all, HasSubstr("\nSEQUENCE:2\n"));
  EXPECT_THAT(all, HasSubstr("\nDTSTAMP:20261201T080000Z\n"));  // truncated to the second
  EXPECT_THAT(all, HasSubstr("\nSTATUS:CONFIRMED\n"));
  EXPECT_THAT(all, HasSubstr("\nCATEGORIES:review\n"));
  EXPECT_THAT(all, HasSubstr("\nURL:https://relais.example/ui/index.html#/programme/sud\n"));
}

TEST(CalendarIcsWriter, ParisEventsCarryTzidAndTheZonesVtimezone) {
  IcsCalendar cal("-//Relais//Test//FR", IcsMethod::kPublish);
  cal.Add(Event("Europe/Paris", {{2027, 5, 3}, 10, 0, 0}));
  auto text = cal.Text();
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const std::string all = Joined(Unfold(*text));
  EXPECT_THAT(all, HasSubstr("\nX-WR-TIMEZONE:Europe/Paris\n"));
  EXPECT_THAT(all, HasSubstr("\nBEGIN:VTIMEZONE\nTZID:Europe/Paris\n"));
  EXPECT_THAT(all, Not(HasSubstr("freeassociation")));   // libical's own prefix is replaced by the IANA name
  EXPECT_THAT(all, HasSubstr("BYDAY=-1SU;BYMONTH=3"));   // summer time from the last Sunday of March
  EXPECT_THAT(all, HasSubstr("BYDAY=-1SU;BYMONTH=10"));  // to the last Sunday of October
  EXPECT_THAT(all, HasSubstr("\nTZOFFSETTO:+0200\n"));
  EXPECT_THAT(all, HasSubstr("\nDTSTART;TZID=Europe/Paris:20270503T100000\n"));
  EXPECT_THAT(all, HasSubstr("\nDTEND;TZID=Europe/Paris:20270503T110000\n"));
  // Truncated: no observance of the 19th century (Paris mean time).
  EXPECT_THAT(all, Not(HasSubstr("PMT")));
  // The VTIMEZONE comes before the event that uses it.
  EXPECT_LT(all.find("BEGIN:VTIMEZONE"), all.find("BEGIN:VEVENT"));
}

TEST(CalendarIcsWriter, DtendIsTheLocalTimeOfTheEndInstant) {
  IcsCalendar cal("-//Relais//Test//FR", IcsMethod::kPublish);
  IcsEvent e = Event("Europe/Paris", {{2027, 3, 28}, 1, 30, 0});  // an hour across the spring change
  cal.Add(e);
  e.uid = "autumn";
  e.start = {{2027, 10, 31}, 1, 30, 0};  // an hour into the repeated hour
  e.duration = std::chrono::minutes(90);
  cal.Add(e);
  const std::string all = Joined(Unfold(*cal.Text()));
  EXPECT_THAT(all, HasSubstr("\nDTEND;TZID=Europe/Paris:20270328T033000\n"));
  EXPECT_THAT(all, HasSubstr("\nDTEND;TZID=Europe/Paris:20271031T020000\n"));
}

TEST(CalendarIcsWriter, OneVtimezonePerZoneInUse) {
  IcsCalendar cal("-//Relais//Test//FR", IcsMethod::kPublish);
  cal.Add(Event("Indian/Reunion", {{2027, 5, 3}, 10, 0, 0}));
  cal.Add(Event("Pacific/Noumea", {{2027, 5, 4}, 9, 0, 0}));
  cal.Add(Event("Indian/Reunion", {{2028, 5, 3}, 10, 0, 0}));
  auto text = cal.Text();
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const std::string all = Joined(Unfold(*text));
  EXPECT_THAT(all, Not(HasSubstr("X-WR-TIMEZONE")));  // no single zone to name
  size_t count = 0;
  for (size_t at = all.find("BEGIN:VTIMEZONE"); at != std::string::npos; at = all.find("BEGIN:VTIMEZONE", at + 1))
    ++count;
  EXPECT_EQ(count, 2u);
  EXPECT_THAT(all, HasSubstr("\nTZID:Indian/Reunion\n"));
  EXPECT_THAT(all, HasSubstr("\nTZID:Pacific/Noumea\n"));
  EXPECT_THAT(all, HasSubstr("\nTZOFFSETTO:+1100\n"));
  EXPECT_THAT(all, HasSubstr("\nDTSTART;TZID=Indian/Reunion:20270503T100000\n"));
  EXPECT_THAT(all, HasSubstr("\nDTSTART;TZID=Pacific/Noumea:20270504T090000\n"));
}

TEST(CalendarIcsWriter, UtcEventsUseTheUtcFormWithoutVtimezone) {
  IcsCalendar cal("-//Relais//Test//FR", IcsMethod::kPublish);
  IcsEvent e = Event("UTC", {{2027, 5, 3}, 10, 0, 0});
  cal.Add(e);
  const std::string all = Joined(Unfold(*cal.Text()));
  EXPECT_THAT(all, HasSubstr("\nDTSTART:20270503T100000Z\n"));
  EXPECT_THAT(all, HasSubstr("\nDTEND:20270503T110000Z\n"));
  EXPECT_THAT(all, Not(HasSubstr("VTIMEZONE")));
}

TEST(CalendarIcsWriter, EmptyCalendarIsStillACalendar) {
  IcsCalendar cal("-//Relais//Test//FR", IcsMethod::kPublish);
  auto text = cal.Text();
  ASSERT_TRUE(text.ok());
  const std::vector<std::string> lines = Unfold(*text);
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
}

TEST(CalendarIcsWriter, ThreadsWritingCalendarsAtOnceGetTheSameText) {
  const char* zones[] = {"Europe/Paris",    "Indian/Reunion", "America/Guadeloupe", "America/Martinique",
                         "America/Cayenne", "Indian/Mayotte", "Pacific/Noumea",     "America/Montreal",
                         "Europe/Busingen", "Asia/Tokyo"};
  auto render = [&](size_t i) {
    IcsCalendar cal("-//Relais//Test//FR", IcsMethod::kPublish);
    cal.Add(Event(zones[i % std::size(zones)], {{2027, 5, 3}, 10, 0, 0}));
    cal.Add(Event(zones[(i + 3) % std::size(zones)], {{2028, 1, 1}, 0, 30, 0}));
    auto text = cal.Text();
    return text.ok() ? *text : text.status().ToString();
  };
  // Threads first, while libical's zone cache is cold; then one by one.
  std::vector<std::string> together(40);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = t; i < together.size(); i += 4) together[i] = render(i);
    });
  for (std::thread& t : threads) t.join();
  std::vector<std::string> alone;
  for (size_t i = 0; i < together.size(); ++i) alone.push_back(render(i));
  for (size_t i = 0; i < alone.size(); ++i) {
    EXPECT_THAT(alone[i], HasSubstr("BEGIN:VTIMEZONE")) << i;
    EXPECT_EQ(together[i], alone[i]) << i;
  }
}

}  // namespace
}  // namespace relais::calendar
