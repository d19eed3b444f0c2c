#include "engine/email/digest.h"

#include <map>

#include "engine/calendar/time_zone.h"
#include "engine/email/digest_keys.h"
#include "engine/email/email_service.h"
#include "engine/email/templates.h"
#include "engine/util/uuid.h"

namespace relais::email {

namespace {

constexpr std::string_view kDigestDayPrefix = "email/digest-day/";
constexpr size_t kPage = 512;
constexpr size_t kMaxNoticesPerDigest = 500;  // more wait for the next day

std::string DayKey(const std::string& person) { return std::string(kDigestDayPrefix) + person; }

}  // namespace

StatusOr<size_t> DigestRunner::RunDue(TimePoint now) {
  // The digest hour is read in the default zone (programmes.time_zone's default).
  static const calendar::TimeZone zone = *calendar::TimeZone::Find(calendar::kDefaultTimeZone);
  const calendar::LocalDateTime local = zone.ToLocal(now);
  if (static_cast<size_t>(local.hour) < service_.options().digest_hour) return size_t{0};
  // The people with notices waiting: one scan, skipping past each person's entries.
  size_t sent = 0;
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(std::string(kDigestPrefix), after, 1));
    if (page.empty()) return sent;
    const std::string rest = page.front().key.substr(kDigestPrefix.size());
    const std::string person = rest.substr(0, rest.find('/'));
    RELAIS_ASSIGN_OR_RETURN(bool queued, RunFor(person, local.date, now));
    if (queued) ++sent;
    after = DigestPersonPrefix(person) + "~";
  }
}

StatusOr<bool> DigestRunner::RunFor(const std::string& person, const calendar::CivilDate& today, TimePoint now) {
  const std::string date = today.ToString();
  RELAIS_ASSIGN_OR_RETURN(auto last, store_.KvGet(DayKey(person)));
  if (last && *last == date) return false;
  RELAIS_ASSIGN_OR_RETURN(auto recipient, people_.Person(person));
  if (!recipient) {
    service_.options().dispatcher.info_log->Warn("e-mail: digest notices wait for a person the directory lacks",
                                                 {{"person", person}});
    return false;
  }
  std::map<std::string, bool> working;  // programme -> today is a working day for it
  std::vector<Notice> notices;
  KvWrites writes;
  std::string after;
  const std::string prefix = DigestPersonPrefix(person);
  while (notices.size() < kMaxNoticesPerDigest) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(prefix, after, kPage));
    for (const KvEntry& e : page) {
      after = e.key;
      auto json = ParseJson(e.value);
      auto notice = json.ok() ? Notice::FromJson(*json) : StatusOr<Notice>(json.status());
      if (!notice.ok()) {
        writes.Delete(e.key);  // unreadable: dropped, said in the log
        service_.options().dispatcher.info_log->Error("e-mail: an unreadable digest notice was dropped",
                                                      {{"key", e.key}});
        continue;
      }
      if (notice->at > now) continue;
      auto it = working.find(notice->programme);
      if (it == working.end())
        it = working.emplace(notice->programme, calendars_(notice->programme).IsWorkingDay(today)).first;
      if (!it->second) continue;
      writes.Delete(e.key);
      notices.push_back(std::move(*notice));
      if (notices.size() == kMaxNoticesPerDigest) break;
    }
    if (page.size() < kPage) break;
  }
  if (notices.empty()) {
    if (!writes.empty()) RELAIS_RETURN_IF_ERROR(store_.KvWrite(writes));
    return false;
  }
  // One unsubscribe link per digest: the programme of its first notice
  // (the page it opens lets the person choose for each programme).
  const std::string base = service_.options().public_base_url;
  const std::string unsubscribe = service_.unsubscribe_links().Url(base, {person, notices.front().programme});
  const Rendered words = RenderDigest(notices, *recipient, date, unsubscribe);
  OutgoingEmail email;
  email.id = NameUuid("email/digest/" + person + "/" + date);
  email.to = {recipient->name, recipient->address};
  email.subject = words.subject;
  email.text = words.text;
  email.html = words.html;
  email.unsubscribe_url = unsubscribe;
  email.kind = "digest";
  auto queued = service_.EnqueueMessage(email, writes);
  if (!queued.ok()) {
    service_.options().dispatcher.info_log->Warn("e-mail: a digest could not be queued",
                                                 {{"person", person}, {"cause", queued.status().ToString()}});
    return false;
  }
  writes.Put(DayKey(person), date);
  RELAIS_RETURN_IF_ERROR(store_.KvWrite(writes));
  service_.Wake();
  return true;
}

}  // namespace relais::email
