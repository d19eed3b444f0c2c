// ServerConfig: the HTTP transport's options (section `server:` of the
// configuration file, docs/config.md), and the parser of that section.
//
// Thread-safety: plain values; the parser is stateless.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/util/config_section.h"

namespace relais::server {

// The HTTP transport's limits (section `server:`).
struct ServerConfig {
  std::string listen_address = "127.0.0.1";  // an IPv4 or IPv6 address literal
  uint16_t port = 8080;                      // 0: an ephemeral port (HttpServer::port())
  int io_threads = 2;                        // threads running the I/O context
  size_t body_limit_bytes = 1024 * 1024;     // larger bodies get 413
  size_t header_limit_bytes = 16 * 1024;     // request line + fields; larger get 431
  // Time allowed to receive one whole request (line, fields and body) once
  // its first byte has arrived, and for the first request of a connection.
  std::chrono::milliseconds read_timeout{10'000};
  // Time a keep-alive connection may stay idle between requests.
  std::chrono::milliseconds idle_timeout{60'000};
  // Time allowed to send one response to a client that reads slowly.
  std::chrono::milliseconds write_timeout{30'000};
  size_t max_connections = 1024;  // further connections get 503 and are closed
  // Connections one client address (IP, any port) holds at most; further
  // ones get 429 and are closed. Behind a reverse proxy every connection
  // comes from the proxy: raise it to max_connections there.
  size_t max_connections_per_client = 256;
  // Once this percentage of max_connections is open, each new connection
  // closes the keep-alive connection idle the longest (between requests), so
  // idle sockets cannot lock other clients out; 503 only when none is idle.
  size_t idle_reclaim_threshold_percent = 90;
  // One info record per request (method, target, status, bytes, duration,
  // request id, client) in the log.
  bool access_log = false;
  size_t pipeline_limit = 16;  // requests read ahead of their responses, per connection
  // On shutdown, time in-flight requests get to finish before connections are cut.
  std::chrono::milliseconds drain_timeout{10'000};
  // Streamed responses (live stream): text queued for a client that reads
  // slower than it is produced; beyond it the stream is closed.
  size_t stream_buffer_limit_bytes = 1024 * 1024;
};

// Parses section `server:` into *out (keys absent keep their value).
Status ParseServerSection(const ConfigReader& r, const YAML::Node& node, ServerConfig* out);

}  // namespace relais::server
