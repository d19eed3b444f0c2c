// Entry point from the listener into per-connection HTTP handling. The
// session itself (Boost.Beast) lives entirely in http_session.cc, the only
// translation unit of Relais that includes Beast.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "engine/server/server_state.h"

namespace relais::server::internal {

// Takes an accepted socket (bound to its own strand). If the registry has
// room, serves it as a keep-alive HTTP/1.1 session; otherwise answers 503
// problem+json with Connection: close and closes it gracefully.
// Returns at once; all work happens on the socket's strand.
void StartConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state);

}  // namespace relais::server::internal
