// Where a webhook may be sent: URL parsing (http/https only) and the SSRF
// guard that refuses loopback, private, link-local (incl. the cloud metadata
// address 169.254.169.254), multicast and other special addresses unless a
// configured CIDR range allows them.
//
// Thread-safety: WebhookUrl and AddressGuard are values; const use is safe
// from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include "engine/util/status.h"

namespace relais::plugins::webhook {

struct WebhookUrl {
  bool tls = false;    // https
  std::string host;    // a name or an address literal (IPv6 without brackets)
  uint16_t port = 0;   // 80/443 when the URL names none
  std::string target;  // path and query, at least "/"

  // Accepts http://host[:port][/path][?query]; no user info, no fragment,
  // at most 2048 bytes. Errors: kInvalidArgument saying what is wrong.
  static StatusOr<WebhookUrl> Parse(std::string_view url);
  std::string HostHeader() const;
};

// An IPv4 address carried inside an IPv6 one, and the form that carries it.
struct EmbeddedV4 {
  std::optional<boost::asio::ip::address_v4> v4;  // nullopt: the form carries one we cannot locate
  std::string_view form;                          // "NAT64", "6to4", "Teredo client"...
};

// The IPv4 addresses an IPv6 address embeds: IPv4-mapped ::ffff:0:0/96,
// IPv4-translated ::ffff:0:0:0/96, IPv4-compatible ::/96, NAT64
// 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32 (server
// and client). Empty for any other address.
std::vector<EmbeddedV4> EmbeddedV4Of(const boost::asio::ip::address_v6& address);

class AddressGuard {
 public:
  // allowed_ranges: CIDRs ("127.0.0.1/32", "10.0.0.0/8", "::1/128"; a bare
  // address means just it). Errors: kInvalidArgument naming the bad range.
  static StatusOr<AddressGuard> Create(const std::vector<std::string>& allowed_ranges);
  AddressGuard() = default;

  // OK for a public address or one in an allowed range; kPermissionDenied
  // naming the address and its kind otherwise. An IPv6 address that embeds
  // an IPv4 one (EmbeddedV4Of) passes only if every embedded IPv4 address
  // passes too. Used at registration and before every delivery.
  Status Check(const boost::asio::ip::address& address) const;

 private:
  // shown: the address as given; via: the embedding form ("" for plain IPv4).
  Status CheckV4(const boost::asio::ip::address_v4& a, const boost::asio::ip::address& shown,
                 const std::string& via) const;

  std::vector<boost::asio::ip::network_v4> allowed_v4_;
  std::vector<boost::asio::ip::network_v6> allowed_v6_;
};

}  // namespace relais::plugins::webhook
