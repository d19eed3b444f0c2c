#include "engine/server/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace relais::server {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersCountersGaugesAndCallbacksInTextFormat) {
  Metrics m;
  m.GetCounter("relais_store_appends_total", "Events appended.", {{"kind", "command"}}).Increment(3);
  m.GetGauge("relais_queue_depth", "Items waiting.", {{"queue", "webhooks"}}).Set(2.5);
  double size = 4096;
  m.AddGaugeCallback("relais_store_size_bytes", "Bytes on disk.", {}, [&] { return size; });
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP relais_queue_depth Items waiting.\n"
            "# TYPE relais_queue_depth gauge\n"
            "relais_queue_depth{queue=\"webhooks\"} 2.5\n"
            "# HELP relais_store_appends_total Events appended.\n"
            "# TYPE relais_store_appends_total counter\n"
            "relais_store_appends_total{kind=\"command\"} 3\n"
            "# HELP relais_store_size_bytes Bytes on disk.\n"
            "# TYPE relais_store_size_bytes gauge\n"
            "relais_store_size_bytes 4096\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInf) {
  Metrics m;
  Histogram& h = m.GetHistogram("relais_latency_seconds", "Latency.", {{"route", "/x"}}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // le is inclusive
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP relais_latency_seconds Latency.\n"
            "# TYPE relais_latency_seconds histogram\n"
            "relais_latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "relais_latency_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "relais_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "relais_latency_seconds_sum{route=\"/x\"} 7.65\n"
            "relais_latency_seconds_count{route=\"/x\"} 4\n");
}

TEST(MetricsTest, SameNameAndLabelsIsTheSameSeriesWhateverTheLabelOrder) {
  Metrics m;
  Counter& a = m.GetCounter("c_total", "h", {{"a", "1"}, {"b", "2"}});
  Counter& b = m.GetCounter("c_total", "h", {{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &m.GetCounter("c_total", "h", {{"a", "1"}, {"b", "3"}}));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Metrics m;
  m.GetCounter("c_total", "line1\nback\\slash", {{"path", "a\"b\\c\nd"}}).Increment();
  std::string text = m.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# HELP c_total line1\\nback\\\\slash\n"));
  EXPECT_THAT(text, HasSubstr("c_total{path=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(MetricsTest, ProgrammerErrorsThrow) {
  Metrics m;
  m.GetCounter("x_total", "h");
  EXPECT_THROW(m.GetGauge("x_total", "h"), std::invalid_argument);
  EXPECT_THROW(m.GetCounter("9bad", "h"), std::invalid_argument);
  EXPECT_THROW(m.GetCounter("ok_total", "h", {{"le", "1"}}), std::invalid_argument);
  EXPECT_THROW(m.GetCounter("ok_total", "h", {{"a", "1"}, {"a", "2"}}), std::invalid_argument);
  EXPECT_THROW(m.GetHistogram("h_seconds", "h", {}, {1, 0.5}), std::invalid_argument);
}

TEST(MetricsTest, RemovedCallbackIsNotCalled) {
  Metrics m;
  bool called = false;
  auto id = m.AddGaugeCallback("g", "h", {}, [&] {
    called = true;
    return 1.0;
  });
  m.RemoveGaugeCallback(id);
  m.RenderPrometheus();
  EXPECT_FALSE(called);
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        m.GetCounter("n_total", "h", {{"t", "x"}}).Increment();
        m.GetHistogram("d_seconds", "h").Observe(0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.GetCounter("n_total", "h", {{"t", "x"}}).value(), 40000u);
  EXPECT_EQ(m.GetHistogram("d_seconds", "h").count(), 40000u);
}

}  // namespace
}  // namespace relais::server
