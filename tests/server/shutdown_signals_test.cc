#include "engine/server/shutdown_signals.h"

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

namespace relais::server {
namespace {

TEST(ShutdownSignalsTest, SigtermWakesWait) {
  ShutdownSignals signals;
  std::raise(SIGTERM);  // queued until Wait
  EXPECT_EQ(signals.Wait(), SIGTERM);
}

TEST(ShutdownSignalsTest, SigintWakesWait) {
  ShutdownSignals signals;
  std::thread t([] { std::raise(SIGINT); });
  EXPECT_EQ(signals.Wait(), SIGINT);
  t.join();
}

TEST(ShutdownSignalsTest, CancelWakesWaitWithZero) {
  ShutdownSignals signals;
  std::thread t([&] { signals.Cancel(); });
  EXPECT_EQ(signals.Wait(), 0);
  t.join();
}

}  // namespace
}  // namespace relais::server
