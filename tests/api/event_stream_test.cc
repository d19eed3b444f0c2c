// GET /v1/stream without sockets: the response's stream is started with a
// recording sink; events arrive as SSE as they commit, only those the caller
// may see, resumable from Last-Event-ID, bounded by api.max_streams.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "engine/server/response_stream.h"
#include "tests/api/api_fixture.h"

namespace relais::api {
namespace {

using testing::Harness;
using ::testing::HasSubstr;
using ::testing::Not;

// Records what a stream writes; Wait blocks (bounded) until text appears.
class RecordingSink final : public server::StreamSink {
 public:
  bool Write(std::string text) override {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    text_ += text;
    changed_.notify_all();
    return true;
  }
  void Close() override {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }
  bool WaitFor(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return text_.find(needle) != std::string::npos; });
  }
  bool WaitClosed(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return closed_; });
  }
  std::string text() {
    std::lock_guard lock(mu_);
    return text_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::string text_;
  bool closed_ = false;
};

const Json kIndicator = {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", 1}}}};

struct OpenStream {
  server::HttpResponse response;
  std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();
  ~OpenStream() {
    if (response.stream) response.stream->Stop();
  }
};

std::unique_ptr<OpenStream> Open(Harness& h, const std::string& token, const std::string& last_event_id = "") {
  auto s = std::make_unique<OpenStream>();
  std::vector<std::pair<std::string, std::string>> headers;
  if (!last_event_id.empty()) headers.push_back({"Last-Event-ID", last_event_id});
  s->response = h.Call("GET", "/v1/stream", token, "", headers);
  EXPECT_EQ(s->response.status, 200) << s->response.body;
  EXPECT_THAT(s->response.content_type, HasSubstr("text/event-stream"));
  if (s->response.stream) s->response.stream->Start(s->sink);
  return s;
}

TEST(EventStreamTest, NewEventsArriveAsServerSentEvents) {
  Harness h;
  h.CreateOwnAndOther();
  auto stream = Open(h, testing::kCoordinator);
  ASSERT_TRUE(stream->response.stream);
  auto r = h.Call("POST", "/v1/projects/own/events", testing::kCoordinator, kIndicator.dump());
  ASSERT_EQ(r.status, 201);
  const uint64_t position = Harness::Body(r)["events"][0]["position"];
  const std::string expected = "id: " + std::to_string(position) + "\nevent: indicateur_enregistre\ndata: {";
  ASSERT_TRUE(stream->sink->WaitFor(expected)) << stream->sink->text();
  EXPECT_THAT(stream->sink->text(), Not(HasSubstr("project_registered"))) << "starts at the events from now on";
  EXPECT_THAT(stream->response.stream->keepalive().count(), h.api->config().stream_keepalive.count());
}

TEST(EventStreamTest, OnlyEventsOfVisibleProjectsAreSent) {
  Harness h;
  h.CreateOwnAndOther();
  auto partner = Open(h, testing::kPartner);
  auto admin = Open(h, testing::kAdmin);
  auto other = h.Call("POST", "/v1/projects/other/events", testing::kCoordinator, kIndicator.dump());
  ASSERT_EQ(other.status, 201);
  auto own = h.Call("POST", "/v1/projects/own/events", testing::kCoordinator, kIndicator.dump());
  ASSERT_EQ(own.status, 201);
  const std::string own_id =
      "id: " + std::to_string(Harness::Body(own)["events"][0]["position"].get<uint64_t>()) + "\n";
  const std::string other_id =
      "id: " + std::to_string(Harness::Body(other)["events"][0]["position"].get<uint64_t>()) + "\n";
  ASSERT_TRUE(admin->sink->WaitFor(own_id));
  EXPECT_THAT(admin->sink->text(), HasSubstr(other_id));
  ASSERT_TRUE(partner->sink->WaitFor(own_id)) << partner->sink->text();
  // The "other" event committed first, so it would have been written before.
  EXPECT_THAT(partner->sink->text(), Not(HasSubstr(other_id)));
  EXPECT_THAT(partner->sink->text(), Not(HasSubstr("\"stream\":\"project-other\"")));
}

TEST(EventStreamTest, ResumesAfterLastEventId) {
  Harness h;
  h.CreateOwnAndOther();                                                                         // positions 1-4
  auto r = h.Call("POST", "/v1/projects/own/events", testing::kCoordinator, kIndicator.dump());  // position 5
  ASSERT_EQ(r.status, 201);
  auto resumed = Open(h, testing::kCoordinator, "2");
  ASSERT_TRUE(resumed->sink->WaitFor("id: 5\n")) << resumed->sink->text();
  const std::string text = resumed->sink->text();
  EXPECT_THAT(text, Not(HasSubstr("id: 1\n")));
  EXPECT_THAT(text, Not(HasSubstr("id: 2\n")));
  EXPECT_THAT(text, HasSubstr("id: 3\n"));
  EXPECT_LT(text.find("id: 3\n"), text.find("id: 4\n"));
  EXPECT_LT(text.find("id: 4\n"), text.find("id: 5\n"));
  EXPECT_EQ(h.Call("GET", "/v1/stream", testing::kCoordinator, "", {{"Last-Event-ID", "x"}}).status, 400);
}

TEST(EventStreamTest, StreamsAreBoundedAndEndOnStop) {
  api::ApiOptions config = testing::TestApiConfig();
  config.max_streams = 2;
  Harness h(config);
  auto a = Open(h, testing::kAdmin);
  auto b = Open(h, testing::kObserver);
  auto refused = h.Call("GET", "/v1/stream", testing::kElu);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(h.api->streams().open_streams(), 2u);
  b->response.stream->Stop();  // the client went away
  EXPECT_EQ(h.Call("GET", "/v1/stream", testing::kElu).status, 200);
  h.api->Stop();  // shutdown ends the streams
  EXPECT_TRUE(a->sink->WaitClosed());
}

TEST(EventStreamTest, AStreamThatCanNotWriteIsDropped) {
  Harness h;
  h.CreateOwnAndOther();
  auto s = Open(h, testing::kAdmin);
  s->sink->Close();  // Write now returns false, as for a closed connection
  ASSERT_EQ(h.Call("POST", "/v1/projects/own/events", testing::kCoordinator, kIndicator.dump()).status, 201);
  for (int i = 0; i < 1000 && h.api->streams().open_streams() != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the hub thread runs asynchronously
  EXPECT_EQ(h.api->streams().open_streams(), 0u);
}

}  // namespace
}  // namespace relais::api
