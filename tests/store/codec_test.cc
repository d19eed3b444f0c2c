#include "engine/store/codec.h"

#include <gtest/gtest.h>

#include "engine/store/event_store.h"
#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using testing::StatusIs;

TEST(CodecTest, U64KeysSortNumerically) {
  EXPECT_LT(codec::EncodeU64Key(255), codec::EncodeU64Key(256));
  EXPECT_LT(codec::EncodeU64Key(1), codec::EncodeU64Key(uint64_t{1} << 40));
  EXPECT_EQ(codec::DecodeU64Key(codec::EncodeU64Key(0x0102030405060708ULL)), 0x0102030405060708ULL);
}

TEST(CodecTest, StreamKeysGroupByStreamThenVersion) {
  EXPECT_LT(codec::StreamKey("p1", 9), codec::StreamKey("p1", 10));
  EXPECT_LT(codec::StreamKey("p1", UINT64_MAX), codec::StreamKey("p10", 1));
  EXPECT_LT(codec::StreamKey("p", UINT64_MAX), codec::StreamKey("p1", 1));
  EXPECT_TRUE(codec::StreamKey("p1", 3).starts_with(codec::StreamPrefix("p1")));
  EXPECT_FALSE(codec::StreamKey("p10", 3).starts_with(codec::StreamPrefix("p1")));
}

TEST(CodecTest, EnvelopeRoundTripsWithPatchedVersion) {
  NewEvent e;
  e.event_id = "0b5f6a52-1111-4c1e-9a55-0123456789ab";
  e.type = "verdict.recorded";
  e.data = {{"positive", true}, {"note", "ça marche"}};
  e.metadata = {"elu:bob", "cause", "corr", {}};
  e.schema_version = 3;
  TimePoint at = FromMicros(1'700'000'000'123'456);
  std::string env = codec::EncodeEvent(e, "project-7", at);
  codec::PatchVersion(env, 42);
  auto r = codec::DecodeEvent(env, 99);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stream_id, "project-7");
  EXPECT_EQ(r->version, 42u);
  EXPECT_EQ(r->position, 99u);
  EXPECT_EQ(r->event_id, e.event_id);
  EXPECT_EQ(r->type, e.type);
  EXPECT_EQ(r->Data(), e.data);
  EXPECT_EQ(r->metadata.actor, "elu:bob");
  EXPECT_EQ(r->metadata.causation_id, "cause");
  EXPECT_EQ(r->metadata.correlation_id, "corr");
  EXPECT_EQ(r->metadata.recorded_at, at);
  EXPECT_EQ(r->schema_version, 3u);
}

TEST(CodecTest, EncodedSizeIsComputedWithoutEncoding) {
  NewEvent e;
  e.event_id = "0b5f6a52-1111-4c1e-9a55-0123456789ab";
  e.type = "t";
  e.metadata = {"actor", "c", "", {}};
  e.schema_version = 300;
  for (size_t pad : {0, 10, 127, 128, 20000}) {
    e.data = {{"pad", std::string(pad, 'x')}};
    std::string text = DumpJson(e.data);
    EXPECT_EQ(codec::EncodedEventSize(e, "stream", text.size()), codec::EncodeEvent(e, "stream", {}).size()) << pad;
  }
  e.data_json = R"({"given":true})";
  EXPECT_EQ(codec::DecodeEvent(codec::EncodeEvent(e, "s", {}), 1)->data_json, e.data_json) << "data_json wins";
}

TEST(CodecTest, EveryTruncationIsCorruptionNotACrash) {
  NewEvent e;
  e.event_id = "0b5f6a52-1111-4c1e-9a55-0123456789ab";
  e.type = "t";
  std::string env = codec::EncodeEvent(e, "s", FromMicros(0));
  for (size_t n = 0; n < env.size(); ++n)
    EXPECT_THAT(codec::DecodeEvent(env.substr(0, n), 1), StatusIs(StatusCode::kCorruption)) << n;
  EXPECT_THAT(codec::DecodeEvent(env + "x", 1), StatusIs(StatusCode::kCorruption));
  env[0] = 7;
  EXPECT_THAT(codec::DecodeEvent(env, 1), StatusIs(StatusCode::kCorruption, ::testing::HasSubstr("format 7")));
}

TEST(CodecTest, SnapshotAndLocationRoundTrip) {
  Snapshot s{12, "project-state/v1", std::string("payload\0with nul", 16)};
  auto back = codec::DecodeSnapshot(codec::EncodeSnapshot(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->version, 12u);
  EXPECT_EQ(back->schema, s.schema);
  EXPECT_EQ(back->payload, s.payload);
  codec::EventLocation loc{"stream-x", 5, 77};
  auto l = codec::DecodeLocation(codec::EncodeLocation(loc));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->stream_id, "stream-x");
  EXPECT_EQ(l->version, 5u);
  EXPECT_EQ(l->position, 77u);
  EXPECT_THAT(codec::DecodeLocation("short"), StatusIs(StatusCode::kCorruption));
}

}  // namespace
}  // namespace relais

namespace relais {
namespace {

TEST(RecordedEventTest, JsonTextIsTheDumpOfToJson) {
  RecordedEvent e;
  e.stream_id = "project-p\"1";
  e.version = 7;
  e.position = 123456789012;
  e.event_id = "0b7c5b0e-2f61-4b59-9a55-3c1d2ef0a001";
  e.type = "phase_terminee";
  e.data_json = R"({"a":[1,2,{"é":"\n"}],"effects":{"set":{"x":null}}})";
  e.metadata.actor = "person:zoé \\ \"q\"";
  e.metadata.causation_id = "";
  e.metadata.correlation_id = "c-1";
  e.metadata.recorded_at = TimePoint(std::chrono::microseconds(1'700'000'000'123'456));
  e.schema_version = 3;
  EXPECT_EQ(e.ToJsonText(), DumpJson(e.ToJson()));
  e.data_json = "{}";
  EXPECT_EQ(e.ToJsonText(), DumpJson(e.ToJson()));
}

}  // namespace
}  // namespace relais
