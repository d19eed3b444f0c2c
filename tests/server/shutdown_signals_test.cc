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

TEST(ShutdownSignalsTest, SigtermShutsTheServerDown) {
  ShutdownSignals signals;  // before Start, as a main program does
  Router router;
  ServerConfig config;
  config.port = 0;
  config.io_threads = 1;
  HttpServer server(config, router);
  ASSERT_TRUE(server.Start().ok());
  std::raise(SIGTERM);
  EXPECT_EQ(RunUntilShutdownSignal(server, signals), SIGTERM);
  server.Wait();  // already shut down: returns at once
}

}  // namespace
}  // namespace relais::server
