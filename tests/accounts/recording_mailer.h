// A Mailer for tests: queues each message as a key-value write
// ("test-mail/<n>") in the caller's append, like a real outbox, and keeps
// what it was asked to send; Committed() reads back what the store holds.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "engine/accounts/mailer.h"
#include "engine/util/json.h"

namespace relais::accounts::testing {

class RecordingMailer final : public Mailer {
 public:
  explicit RecordingMailer(EventStore& store) : store_(store) {}

  Status Enqueue(const MailMessage& message, KvWrites& writes) override {
    std::lock_guard lock(mu_);
    char key[32];
    std::snprintf(key, sizeof key, "test-mail/%08zu", ++count_);
    writes.Put(key, DumpJson(Json{{"to", message.to}, {"subject", message.subject}, {"text", message.text}}));
    return Status::Ok();
  }

  // The messages whose append committed, in order.
  std::vector<Json> Committed() {
    std::vector<Json> out;
    auto entries = store_.KvScan("test-mail/", "", 100000);
    if (!entries.ok()) return out;
    for (const KvEntry& e : *entries) out.push_back(Json::parse(e.value));
    return out;
  }

  // The link (the last http URL) of the last committed message to `to`.
  std::string LastLinkTo(const std::string& to) {
    std::string link;
    for (const Json& m : Committed()) {
      if (m["to"] != to) continue;
      const std::string text = m["text"];
      size_t at = text.rfind("http");
      if (at == std::string::npos) continue;
      link = text.substr(at, text.find_first_of("\n ", at) - at);
    }
    return link;
  }

 private:
  EventStore& store_;
  std::mutex mu_;
  size_t count_ = 0;
};

}  // namespace relais::accounts::testing
