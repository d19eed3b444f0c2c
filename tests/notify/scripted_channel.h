// ScriptedChannel: a NotificationChannel for tests that records every
// attempt and answers with a scripted outcome, or holds the attempt in
// flight until the test releases it.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "plugins/channel.h"

namespace relais::notify::testing {

// Records every attempt; answers with `respond`, or holds the callback when
// it returns nullopt (the attempt stays in flight until Release).
class ScriptedChannel final : public plugins::NotificationChannel {
 public:
  struct Shared {
    std::mutex mu;
    std::condition_variable changed;
    std::vector<plugins::Delivery> attempts;
    std::vector<Done> held;
    std::function<std::optional<plugins::DeliveryOutcome>(const plugins::Delivery&)> respond = [](const plugins::
                                                                                                      Delivery&) {
      return std::optional<plugins::DeliveryOutcome>(plugins::DeliveryOutcome{plugins::OutcomeKind::kDelivered, 200});
    };
    size_t max_in_flight = 0;
    boost::asio::io_context* io = nullptr;
  };
  explicit ScriptedChannel(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  void Deliver(const plugins::Delivery& d, Done done) override {
    std::optional<plugins::DeliveryOutcome> outcome;
    {
      std::lock_guard lock(shared_->mu);
      shared_->attempts.push_back(d);
      outcome = shared_->respond(d);
      if (!outcome) {
        shared_->held.push_back(std::move(done));
        shared_->max_in_flight = std::max(shared_->max_in_flight, shared_->held.size());
      }
    }
    shared_->changed.notify_all();
    if (outcome) done(*outcome);
  }
  void Stop() override {}

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace relais::notify::testing
