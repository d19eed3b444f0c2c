// HttpSession: one TCP connection speaking HTTP/1.1 (after the Boost.Beast
// advanced server). Reads requests with a parser bounded by the body and
// header limits and a timeout before every read, hands them to the Router,
// and writes the responses back in request order from a bounded queue.
//
// Thread-safety: a session runs only on its own strand; the Respond callback
// it hands out and Connection's calls may be used from any thread (they post
// to the strand).
#include "engine/server/http_session.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <optional>
#include <sstream>
#include <string>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/server/problem.h"
#include "engine/server/request_id.h"
#include "engine/server/response_stream.h"

namespace relais::server::internal {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// How long, and how many bytes, we keep reading (and discarding) after an
// error response before closing, so the client can read that response
// instead of a connection reset.
constexpr std::chrono::milliseconds kMaxLinger{2000};
constexpr size_t kMaxLingerBytes = 1 << 20;
constexpr size_t kReadChunk = 4096;

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsSafeField(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Fields the transport owns; a handler's copies are dropped.
bool IsTransportField(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "Keep-Alive") ||
         EqualsIgnoreCase(name, kRequestIdHeader);
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Framing a server must refuse before reading a body (RFC 9112): an
// HTTP/1.1 request needs exactly one Host field (section 3.2, else 400), and
// the only transfer coding Relais decodes is chunked, so any other list of
// codings (gzip; gzip, chunked; chunked, chunked) is 501 (section 6.1),
// never a body read as if it were not encoded.
std::optional<HttpResponse> CheckFraming(const http::request_parser<http::string_body>::value_type& req) {
  if (req.version() >= 11 && req.count(http::field::host) != 1) {
    return MakeProblem(ProblemKind::kBadRequest, req.count(http::field::host) == 0
                                                     ? "an HTTP/1.1 request must have a Host field"
                                                     : "a request must have one Host field, not several");
  }
  std::vector<std::string_view> codings;
  for (const auto& field : req) {  // in arrival order
    if (field.name() != http::field::transfer_encoding) continue;
    std::string_view list(field.value().data(), field.value().size());
    for (size_t start = 0; start <= list.size();) {
      size_t comma = list.find(',', start);
      if (comma == std::string_view::npos) comma = list.size();
      codings.push_back(Trim(list.substr(start, comma - start)));
      start = comma + 1;
    }
  }
  if (!codings.empty() && !(codings.size() == 1 && EqualsIgnoreCase(codings[0], "chunked"))) {
    std::string listed;
    for (std::string_view c : codings) listed += (listed.empty() ? "" : ", ") + std::string(c);
    return MakeProblem(ProblemKind::kNotImplemented, "Transfer-Encoding '" + listed +
                                                         "' is not supported: the only transfer coding accepted is "
                                                         "'chunked' alone");
  }
  return std::nullopt;
}

// The client address of a peer, without the port: what
// max_connections_per_client counts. IPv4-mapped IPv6 reads as IPv4.
std::string ClientAddressOf(const tcp::endpoint& peer) {
  net::ip::address address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

std::string Millis(std::chrono::steady_clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f",
                static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()) / 1000.0);
  return text;
}

class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<ServerState> state)
      : stream_(std::move(socket)),
        state_(std::move(state)),
        idle_timer_(stream_.get_executor()),
        ping_timer_(stream_.get_executor()) {
    beast::error_code ec;
    tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      std::string host = peer.address().to_string();
      remote_ = (peer.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(peer.port());
      client_ = ClientAddressOf(peer);
    }
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  ~HttpSession() override {
    if (id_ != 0) state_->registry.Remove(id_);
  }

  // Serves the connection as registered connection id.
  void Run(uint64_t id) {
    id_ = id;
    state_->counters.connections_total->Increment();
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::DoRead, shared_from_this()));
  }

  // The client address (IP, no port); empty when unknown.
  const std::string& client() const { return client_; }

  // Answers 503 (the registry had no room, or is draining) or 429 (this
  // client holds max_connections_per_client), then closes.
  void Reject(ConnectionRegistry::Admission why) {
    HttpResponse refusal;
    if (why == ConnectionRegistry::Admission::kClientFull) {
      state_->counters.connections_client_rejected->Increment();
      refusal = TooManyRequestsProblem("too many open connections from " + client_ + " (at most " +
                                           std::to_string(config().max_connections_per_client) +
                                           "); reuse an open connection or retry later",
                                       1);
    } else {
      state_->counters.connections_rejected->Increment();
      refusal =
          UnavailableProblem(why == ConnectionRegistry::Admission::kDraining ? "the server is shutting down"
                                                                             : "too many connections; retry later",
                             1);
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), refusal = std::move(refusal)]() mutable {
      self->read_done_ = true;
      self->QueueFinalResponse(std::move(refusal), 11);
    });
  }

  void CloseIdle() override {
    net::post(stream_.get_executor(), beast::bind_front_handler(&HttpSession::OnReclaimed, shared_from_this()));
  }

  void BeginDrain() override {
    net::post(stream_.get_executor(), beast::bind_front_handler(&HttpSession::OnDrain, shared_from_this()));
  }

  void ForceClose() override {
    net::post(stream_.get_executor(), beast::bind_front_handler(&HttpSession::CloseNow, shared_from_this()));
  }

  // Delivers the response for request number seq; from any thread.
  void PostResponse(uint64_t seq, HttpResponse response) {
    net::post(stream_.get_executor(), [self = shared_from_this(), seq, r = std::move(response)]() mutable {
      self->OnResponse(seq, std::move(r));
    });
  }

 private:
  // One response slot per request read, in request order.
  struct Pending {
    bool ready = false;
    bool keep_alive = true;
    bool head = false;
    bool linger = false;  // close after it, reading what the client still sends
    unsigned version = 11;
    // For X-Request-Id, problem `instance` and the logs.
    std::string request_id;
    std::string method;  // "-" when the request line was not read
    std::string target;  // the response's log_target once it is filled
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    http::response<http::string_body> response;
    std::shared_ptr<ResponseStream> stream;  // set: a streamed body (head in response)
  };

  // The sink handed to a ResponseStream's producer: queues text on the
  // strand, refuses once the stream is over or too much is queued.
  class Sink final : public StreamSink {
   public:
    Sink(std::weak_ptr<HttpSession> session, size_t limit) : session_(std::move(session)), limit_(limit) {}
    bool Write(std::string text) override {
      if (!open_.load()) return false;
      if (queued_.fetch_add(text.size()) + text.size() > limit_) {
        Close();
        return false;
      }
      auto session = session_.lock();
      if (!session) return false;
      net::post(session->stream_.get_executor(),
                [session, t = std::move(text)]() mutable { session->StreamEnqueue(std::move(t)); });
      return true;
    }
    void Close() override {
      if (!open_.exchange(false)) return;
      if (auto session = session_.lock())
        net::post(session->stream_.get_executor(), [session] { session->StreamFinish(); });
    }
    void Sent(size_t bytes) { queued_.fetch_sub(bytes); }
    void Queued(size_t bytes) { queued_.fetch_add(bytes); }  // text the session adds itself
    void MarkClosed() { open_.store(false); }

   private:
    std::weak_ptr<HttpSession> session_;
    const size_t limit_;
    std::atomic<bool> open_{true};
    std::atomic<size_t> queued_{0};
  };

  // Hands out the one Respond of one request: answers 500 if every copy is
  // dropped without being called, and ignores calls after the first.
  class Responder {
   public:
    Responder(std::shared_ptr<HttpSession> session, uint64_t seq) : session_(std::move(session)), seq_(seq) {}
    ~Responder() {
      if (!done_.load()) {
        HttpResponse res = MakeProblem(ProblemKind::kInternal, "the handler did not respond");
        res.log_cause = "the handler dropped its Respond without calling it";
        session_->PostResponse(seq_, std::move(res));
      }
    }
    void Respond(HttpResponse response) {
      if (done_.exchange(true)) return;
      session_->PostResponse(seq_, std::move(response));
    }

   private:
    std::shared_ptr<HttpSession> session_;
    uint64_t seq_;
    std::atomic<bool> done_{false};
  };

  const ServerConfig& config() const { return state_->config; }

  void DoRead() {
    if (closed_ || read_done_ || reading_) return;
    if (pending_.size() >= config().pipeline_limit) return;  // OnWrite resumes
    parser_.emplace();
    request_id_.clear();
    parser_->body_limit(config().body_limit_bytes);
    parser_->header_limit(static_cast<uint32_t>(config().header_limit_bytes));
    reading_ = true;
    if (requests_ > 0 && buffer_.size() == 0) {
      // Keep-alive: wait for the next request's first byte under the idle
      // timeout (idle_timer_, armed only while no response is pending).
      idle_wait_ = true;
      stream_.expires_never();
      ArmIdleTimer();
      stream_.async_read_some(buffer_.prepare(kReadChunk),
                              beast::bind_front_handler(&HttpSession::OnFirstByte, shared_from_this()));
      return;
    }
    ReadRequest();
  }

  void OnFirstByte(beast::error_code ec, std::size_t bytes) {
    reading_ = false;
    idle_wait_ = false;
    idle_timer_.cancel();
    UpdateIdle();
    if (closed_) return;
    if (ec == net::error::eof) return StopReading();
    if (ec == net::error::operation_aborted) return;
    if (ec) return Fail(ec, "read");
    buffer_.commit(bytes);
    if (draining_) return StopReading();
    reading_ = true;
    ReadRequest();
  }

  // Reads the request line and fields, then the body, all within one
  // read_timeout.
  void ReadRequest() {
    request_start_ = std::chrono::steady_clock::now();
    read_deadline_ = request_start_ + config().read_timeout;
    stream_.expires_at(read_deadline_);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t bytes) {
    if (ec || closed_) return OnRead(ec, bytes);
    const auto& req = parser_->get();
    CurrentRequestId();
    if (std::optional<HttpResponse> refusal = CheckFraming(req)) {
      // The body's framing is unknown: answer and close without reading it.
      (refusal->status == 501 ? state_->counters.not_implemented : state_->counters.bad_request)->Increment();
      reading_ = false;
      return QueueFinalResponse(std::move(*refusal), req.version(), RequestLine(req));
    }
    // A client that sent "Expect: 100-continue" waits for this before the
    // body. Interim responses must not overtake earlier final ones, so it is
    // only sent when nothing else is queued (otherwise the client's own
    // expectation timeout sends the body anyway).
    if (req.version() >= 11 && EqualsIgnoreCase(req[http::field::expect], "100-continue") && !parser_->is_done() &&
        pending_.empty() && !writing_) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      writing_ = true;
      stream_.expires_after(config().write_timeout);
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                         self->writing_ = false;
                         if (self->closed_) return;
                         if (write_ec) return self->Fail(write_ec, "write");
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_at(read_deadline_);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (closed_) return;
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return StopReading();
    if (ec == net::error::operation_aborted) return;
    if (ec == beast::error::timeout) {
      // The stream has closed the socket: a slow or silent client.
      state_->counters.read_timeout->Increment();
      return CloseNow();
    }
    if (ec == http::error::body_limit) {
      state_->counters.body_too_large->Increment();
      return QueueFinalResponse(PayloadTooLargeProblem(config().body_limit_bytes), ParserVersion(), ParsedLine());
    }
    if (ec == http::error::header_limit) {
      state_->counters.headers_too_large->Increment();
      return QueueFinalResponse(HeadersTooLargeProblem(config().header_limit_bytes), ParserVersion(), ParsedLine());
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
      state_->counters.bad_request->Increment();
      return QueueFinalResponse(MakeProblem(ProblemKind::kBadRequest, "malformed HTTP request: " + ec.message()),
                                ParserVersion(), ParsedLine());
    }
    if (ec) return Fail(ec, "read");
    if (draining_) return StopReading();  // read after shutdown began: not served

    ++requests_;
    http::request<http::string_body> req = parser_->release();
    auto slot = std::make_unique<Pending>();
    slot->keep_alive = req.keep_alive();
    slot->head = req.method() == http::verb::head;
    slot->version = req.version();
    slot->request_id = request_id_;
    slot->method = std::string(req.method_string());
    slot->target = std::string(req.target());
    slot->start = request_start_;
    if (!slot->keep_alive) read_done_ = true;
    const uint64_t seq = front_seq_ + pending_.size();
    pending_.push_back(std::move(slot));

    HttpRequest request;
    request.method = std::string(req.method_string());
    for (const auto& field : req) request.headers.Add(std::string(field.name_string()), std::string(field.value()));
    request.body = std::move(req.body());
    request.remote_address = remote_;
    request.request_id = request_id_;
    Status target = ParseRequestTarget(std::string_view(req.target().data(), req.target().size()), request);
    if (!target.ok()) {
      state_->counters.bad_request->Increment();
      OnResponse(seq, MakeProblem(ProblemKind::kBadRequest, target.message()));
    } else {
      auto responder = std::make_shared<Responder>(shared_from_this(), seq);
      state_->router.Dispatch(std::move(request), [responder](HttpResponse r) { responder->Respond(std::move(r)); });
    }
    DoRead();  // read ahead, up to pipeline_limit
  }

  unsigned ParserVersion() const { return parser_ && parser_->is_header_done() ? parser_->get().version() : 11; }

  // The id of the request being read: from its fields, else a new one (a
  // request whose fields were not read, or a refused connection, still gets
  // an id to quote).
  std::string CurrentRequestId() {
    // The fields read so far: a body refused for its declared length, or
    // fields cut at the limit, still quote the client's id if it came.
    if (request_id_.empty() && parser_) {
      const auto& req = parser_->get();
      auto incoming = req.find(kRequestIdHeader);
      if (incoming != req.end()) {
        request_id_ = RequestIdFor(std::string_view(incoming->value().data(), incoming->value().size()));
      }
    }
    if (request_id_.empty()) request_id_ = RequestIdFor(std::nullopt);
    return request_id_;
  }

  struct Line {
    std::string method;
    std::string target;
  };
  static Line RequestLine(const http::request_parser<http::string_body>::value_type& req) {
    return {std::string(req.method_string()), std::string(req.target())};
  }
  // The request line, if the parser got that far.
  Line ParsedLine() const {
    return parser_ && !parser_->get().target().empty() ? RequestLine(parser_->get()) : Line{"-", "-"};
  }

  // Answers with response and closes afterwards (errors that leave the
  // stream unusable, or refusals).
  void QueueFinalResponse(HttpResponse response, unsigned version) {
    QueueFinalResponse(std::move(response), version, Line{"-", "-"});
  }
  void QueueFinalResponse(HttpResponse response, unsigned version, Line line) {
    read_done_ = true;
    auto slot = std::make_unique<Pending>();
    slot->keep_alive = false;
    slot->linger = true;
    slot->version = version;
    slot->request_id = CurrentRequestId();
    slot->method = std::move(line.method);
    slot->target = std::move(line.target);
    slot->start = request_start_;
    pending_.push_back(std::move(slot));
    OnResponse(front_seq_ + pending_.size() - 1, std::move(response));
  }

  void OnResponse(uint64_t seq, HttpResponse response) {
    if (closed_ || seq < front_seq_ || seq >= front_seq_ + pending_.size()) return;
    Pending& slot = *pending_[seq - front_seq_];
    if (slot.ready) return;
    Fill(slot, std::move(response));
    slot.ready = true;
    DoWrite();
  }

  void Fill(Pending& slot, HttpResponse r) {
    if (r.status < 100 || r.status > 999) {
      const int given = r.status;
      r = MakeProblem(ProblemKind::kInternal, "the handler gave an invalid status");
      r.log_cause = "the handler answered status " + std::to_string(given);
    }
    if (!r.log_target.empty()) slot.target = std::move(r.log_target);
    if (r.status == 500) LogInternalError(slot, r.log_cause);
    StampProblemInstance(r, slot.request_id);
    auto& res = slot.response;
    res.result(static_cast<unsigned>(r.status));
    res.version(slot.version);
    res.set(http::field::server, "relais");
    res.set(kRequestIdHeader, slot.request_id);
    for (const auto& [name, value] : r.headers) {
      if (IsSafeField(name, value) && !IsTransportField(name)) res.insert(name, value);
    }
    if (!r.content_type.empty() && !r.headers.Has("Content-Type") && IsSafeField("Content-Type", r.content_type)) {
      res.set(http::field::content_type, r.content_type);
    }
    if (r.stream && slot.head) {
      r.stream->Stop();  // HEAD: the fields only, no endless body
      r.stream.reset();
      return;
    }
    if (r.stream) {
      slot.stream = std::move(r.stream);  // the head only; the body follows
      return;
    }
    const bool no_body = r.status < 200 || r.status == 204 || r.status == 304;
    if (no_body) {
      res.body().clear();
    } else if (slot.head) {
      res.content_length(r.body.size());
    } else {
      res.body() = std::move(r.body);
      res.prepare_payload();
    }
  }

  void DoWrite() {
    if (writing_ || closed_ || pending_.empty() || !pending_.front()->ready) return;
    Pending& slot = *pending_.front();
    if (slot.stream) return StartStreaming(slot);
    const bool last_one = read_done_ && pending_.size() == 1;
    slot.keep_alive = slot.keep_alive && !draining_ && !last_one;
    slot.response.keep_alive(slot.keep_alive);
    writing_ = true;
    stream_.expires_after(config().write_timeout);
    http::async_write(stream_, slot.response, beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (closed_) return;
    if (ec == net::error::operation_aborted) return;
    if (ec) return Fail(ec, "write");
    std::unique_ptr<Pending> done = std::move(pending_.front());
    pending_.pop_front();
    ++front_seq_;
    LogAccess(*done, done->head ? 0 : done->response.body().size());
    if (!done->keep_alive) {
      read_done_ = true;
      return done->linger ? LingerClose() : CloseNow();
    }
    DoWrite();
    DoRead();  // resumes reading paused at pipeline_limit
    ArmIdleTimer();
    MaybeClose();
  }

  void ArmIdleTimer() {
    UpdateIdle();
    if (!idle_wait_ || !pending_.empty() || closed_) return;
    idle_timer_.expires_after(config().idle_timeout);
    idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_ || !self->idle_wait_ || !self->pending_.empty()) return;
      self->CloseNow();
    });
  }

  // The client will send no more requests (or we will read none).
  void StopReading() {
    read_done_ = true;
    MaybeClose();
  }

  void MaybeClose() {
    if (read_done_ && pending_.empty() && !writing_) CloseNow();
  }

  // Tells the registry whether the connection is idle between requests (the
  // only ones it may reclaim).
  void UpdateIdle() {
    const bool idle = !closed_ && idle_wait_ && pending_.empty() && !writing_ && !stream_body_;
    if (idle == marked_idle_) return;
    marked_idle_ = idle;
    if (idle) {
      state_->registry.MarkIdle(id_);
    } else {
      state_->registry.MarkBusy(id_);
    }
  }

  // The registry reclaimed this connection to make room for another.
  void OnReclaimed() {
    if (closed_) return;
    if (idle_wait_ && pending_.empty() && !writing_) return CloseNow();
    // A request began meanwhile: answer it (with Connection: close), then close.
    read_done_ = true;
    if (!reading_) MaybeClose();
  }

  void LogInternalError(const Pending& slot, const std::string& cause) {
    state_->counters.internal_request->Increment();
    state_->logger.Error("internal error answering a request",
                         {{"request_id", slot.request_id},
                          {"method", slot.method},
                          {"target", slot.target},
                          {"status", "500"},
                          {"cause", cause.empty() ? "a handler answered 500 without a cause" : cause},
                          {"client", remote_}});
  }

  void LogAccess(const Pending& slot, size_t bytes) {
    if (!config().access_log || !state_->logger.Enabled(LogLevel::kInfo)) return;
    state_->logger.Info("request", {{"method", slot.method},
                                    {"target", slot.target},
                                    {"status", std::to_string(slot.response.result_int())},
                                    {"bytes", std::to_string(bytes)},
                                    {"duration_ms", Millis(std::chrono::steady_clock::now() - slot.start)},
                                    {"request_id", slot.request_id},
                                    {"client", remote_}});
  }

  void OnDrain() {
    if (closed_) return;
    if (stream_body_) return CloseNow();  // a stream never ends by itself
    draining_ = true;
    read_done_ = true;
    if (pending_.empty() && !writing_) return CloseNow();
    // Otherwise the last pending response goes out with Connection: close.
    if (!writing_) DoWrite();
  }

  // --- Streamed bodies (response_stream.h) ---------------------------------

  // Writes the head of a streamed response, then hands the producer a sink.
  // No further request is read on this connection.
  void StartStreaming(Pending& slot) {
    read_done_ = true;
    stream_body_ = slot.stream;
    slot.response.keep_alive(false);
    slot.response.erase(http::field::content_length);
    std::ostringstream head;
    head << slot.response.base();
    auto text = std::make_shared<std::string>(head.str());
    writing_ = true;
    stream_.expires_after(config().write_timeout);
    net::async_write(stream_, net::buffer(*text), [self = shared_from_this(), text](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (self->closed_) return;
      if (ec) return self->Fail(ec, "write");
      if (!self->pending_.empty()) self->LogAccess(*self->pending_.front(), 0);  // the body is streamed
      self->sink_ = std::make_shared<Sink>(self->weak_from_this(), self->config().stream_buffer_limit_bytes);
      self->stream_body_->Start(self->sink_);
      self->ArmPing();
      self->StreamDoWrite();
    });
  }

  void StreamEnqueue(std::string text) {
    if (closed_ || !stream_body_) return;
    stream_queue_.push_back(std::move(text));
    StreamDoWrite();
  }

  void StreamFinish() {
    stream_closing_ = true;
    StreamDoWrite();
  }

  void StreamDoWrite() {
    if (writing_ || closed_ || !stream_body_) return;
    if (stream_queue_.empty()) {
      if (stream_closing_) CloseNow();
      return;
    }
    writing_ = true;
    stream_.expires_after(config().write_timeout);
    net::async_write(stream_, net::buffer(stream_queue_.front()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                       self->writing_ = false;
                       if (self->closed_) return;
                       if (ec) return self->Fail(ec, "write");
                       self->sink_->Sent(bytes);
                       self->stream_queue_.pop_front();
                       self->ArmPing();
                       self->StreamDoWrite();
                     });
  }

  // After keepalive() without a write, sends the keep-alive chunk.
  void ArmPing() {
    if (closed_ || !stream_body_) return;
    ping_timer_.expires_after(stream_body_->keepalive());
    ping_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_ || !self->stream_body_) return;
      std::string ping = self->stream_body_->KeepAliveChunk();
      self->sink_->Queued(ping.size());
      self->StreamEnqueue(std::move(ping));
      self->ArmPing();
    });
  }

  // Shuts our side down, then discards what the client still sends for a
  // little while, so it reads our response rather than a reset.
  void LingerClose() {
    if (closed_) return;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return CloseNow();
    stream_.expires_after(std::min<std::chrono::milliseconds>(config().read_timeout, kMaxLinger));
    DoLinger();
  }

  void DoLinger() {
    if (closed_) return;
    if (buffer_.size() > 0) buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(kReadChunk), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > kMaxLingerBytes) return self->CloseNow();
      self->buffer_.commit(n);
      self->DoLinger();
    });
  }

  void CloseNow() {
    if (closed_) return;
    closed_ = true;
    UpdateIdle();
    idle_timer_.cancel();
    ping_timer_.cancel();
    if (stream_body_) {
      sink_->MarkClosed();
      stream_body_->Stop();
      stream_body_.reset();
    }
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  void Fail(beast::error_code ec, const char* what) {
    (void)what;  // counted, not logged: resets and broken pipes are routine
    if (ec != net::error::connection_reset && ec != net::error::broken_pipe && ec != net::error::eof) {
      state_->counters.io_error->Increment();
    }
    CloseNow();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<ServerState> state_;
  net::steady_timer idle_timer_;
  net::steady_timer ping_timer_;  // streamed bodies: keep-alive chunks
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  std::string client_;  // remote_'s address, without the port
  uint64_t id_ = 0;
  bool marked_idle_ = false;  // what the registry was last told
  std::string request_id_;    // of the request being read; empty before its fields
  // When the request being read began to arrive (access log durations).
  std::chrono::steady_clock::time_point request_start_ = std::chrono::steady_clock::now();
  std::deque<std::unique_ptr<Pending>> pending_;  // responses in request order
  uint64_t front_seq_ = 0;                        // request number of pending_.front()
  uint64_t requests_ = 0;                         // requests read so far
  size_t lingered_ = 0;
  std::chrono::steady_clock::time_point read_deadline_;
  bool reading_ = false;    // a read is outstanding
  bool idle_wait_ = false;  // ...and it waits for the first byte of a request
  bool writing_ = false;
  bool read_done_ = false;  // no further request will be read
  bool draining_ = false;
  bool closed_ = false;
  std::shared_ptr<ResponseStream> stream_body_;  // set while streaming
  std::shared_ptr<Sink> sink_;
  std::deque<std::string> stream_queue_;  // text to write, in order
  bool stream_closing_ = false;           // the producer closed: end after the queue
};

}  // namespace

void StartConnection(tcp::socket socket, std::shared_ptr<ServerState> state) {
  auto session = std::make_shared<HttpSession>(std::move(socket), state);
  ConnectionRegistry::AddResult added = state->registry.TryAdd(session, session->client());
  if (added.reclaimed) {
    state->counters.connections_reclaimed->Increment();
    added.reclaimed->CloseIdle();
  }
  if (added.admission == ConnectionRegistry::Admission::kAdmitted) {
    session->Run(added.id);
  } else {
    session->Reject(added.admission);
  }
}

}  // namespace relais::server::internal
