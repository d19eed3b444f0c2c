// ResponseStream: a response body produced over time (Server-Sent Events),
// without any networking types. A handler returns an HttpResponse whose
// `stream` is set; the session writes the status line and fields (no
// Content-Length, Connection: close: the body ends when the connection
// does), then calls Start with a sink. The producer pushes text through the
// sink from any thread; the session writes it in order, sends
// KeepAliveChunk() whenever nothing was written for keepalive(), and calls
// Stop() once when the connection ends (client gone, write timeout, buffer
// overflow, server shutdown).
//
// Thread-safety: StreamSink is safe for concurrent access from multiple
// threads without any external synchronization. ResponseStream's Start and
// Stop are called from the session's strand; implementations must make them
// safe against their own producer threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace relais::server {

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues text for the client. Returns false once the stream is over (the
  // connection closed, or the client let server.stream_buffer_limit_bytes
  // pile up): the producer should stop and drop the sink.
  virtual bool Write(std::string text) = 0;
  // Ends the response (the connection closes once queued text is sent).
  virtual void Close() = 0;
};

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // The head has been written; from now on the producer may write.
  virtual void Start(std::shared_ptr<StreamSink> sink) = 0;
  // The stream is over: stop producing (Write returns false from now on).
  virtual void Stop() = 0;
  // Sent after this much silence, so intermediaries keep the connection.
  virtual std::chrono::milliseconds keepalive() const = 0;
  virtual std::string KeepAliveChunk() const { return ":\n\n"; }
};

}  // namespace relais::server
