// One process life of the e-mail outbox over a RocksDB store, for
// email_crash_test: email_crash_child <store-dir> <smtp-url> enqueue <n>
// queues n messages (synced batches of 25), prints "queued", and delivers
// until killed; email_crash_child <store-dir> <smtp-url> drain delivers
// until the queue is empty, prints "drained" and exits 0.
#include <cstdio>
#include <string>
#include <thread>

#include "engine/email/email_service.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/uuid.h"

using namespace relais;
using namespace std::chrono_literals;

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "email crash child: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) Die("usage: email_crash_child <store> <smtp-url> enqueue <n> | drain");
  RocksDbStoreOptions store_options;
  store_options.path = argv[1];
  auto store = RocksDbEventStore::Open(store_options);
  if (!store.ok()) Die(store.status().ToString());
  email::EmailOptions options;
  options.smtp_url = argv[2];
  options.tls = "none";
  options.from_address = "relais@crash.example.org";
  options.dispatcher.retry_schedule = {0ms, 50ms, 100ms, 200ms};
  options.dispatcher.jitter_percent = 0;
  options.dispatcher.max_sleep = 20ms;
  options.dispatcher.max_concurrency_per_endpoint = 8;
  auto service = email::EmailService::Create(**store, SystemClock::Instance(), options);
  if (!service.ok()) Die(service.status().ToString());
  const std::string mode = argv[3];
  if (mode == "enqueue") {
    if (argc < 5) Die("enqueue needs a count");
    const int n = std::stoi(argv[4]);
    if (Status s = (*service)->Start(); !s.ok()) Die(s.ToString());
    for (int first = 0; first < n; first += 25) {
      KvWrites writes;
      for (int i = first; i < std::min(n, first + 25); ++i) {
        email::OutgoingEmail e;
        e.id = NameUuid("email/crash/" + std::to_string(i));
        e.to = {"Personne " + std::to_string(i), "p" + std::to_string(i) + "@example.org"};
        e.subject = "Message n° " + std::to_string(i);
        e.text = "Numéro " + std::to_string(i) + "\n";
        e.kind = "crash";
        if (auto id = (*service)->EnqueueMessage(e, writes); !id.ok()) Die(id.status().ToString());
      }
      if (Status s = (*store)->KvWrite(writes); !s.ok()) Die(s.ToString());
    }
    std::printf("queued\n");
    std::fflush(stdout);
    for (;;) std::this_thread::sleep_for(1s);  // delivering, until SIGKILL
  }
  if (mode != "drain") Die("unknown mode " + mode);
  if (Status s = (*service)->Start(); !s.ok()) Die(s.ToString());
  for (int waited = 0; waited < 6000; ++waited) {
    auto pending = (*service)->admin().Pending("smtp", "", 1);
    if (!pending.ok()) Die(pending.status().ToString());
    if (pending->items.empty()) {
      (*service)->Stop();
      auto dead = (*service)->admin().DeadLetters(std::nullopt, "", 10);
      std::printf("drained, %zu dead\n", dead.ok() ? dead->items.size() : size_t{999});
      std::fflush(stdout);
      return 0;
    }
    std::this_thread::sleep_for(10ms);
  }
  Die("the queue did not empty in 60 s");
}
