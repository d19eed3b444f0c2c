#include "plugins/webhook/target.h"

#include <charconv>

namespace relais::plugins::webhook {

namespace ip = boost::asio::ip;

StatusOr<WebhookUrl> WebhookUrl::Parse(std::string_view url) {
  if (url.size() > 2048) return InvalidArgument("url: at most 2048 bytes");
  WebhookUrl out;
  std::string_view rest;
  if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "https://") {
    out.tls = true;
    rest = url.substr(8);
  } else {
    return InvalidArgument("url: expected an http:// or https:// URL, got '" + std::string(url.substr(0, 64)) + "'");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return InvalidArgument("url: no spaces or control characters");
  }
  if (url.find('#') != std::string_view::npos) return InvalidArgument("url: no fragment (#) allowed");
  size_t path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  out.target = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
  if (out.target[0] == '?') out.target = "/" + out.target;
  if (authority.find('@') != std::string_view::npos) return InvalidArgument("url: no user information (user@) allowed");
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgument("url: unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return InvalidArgument("url: expected ':port' after ']'");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return InvalidArgument("url: the host is missing");
  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return InvalidArgument("url: the port must be a number from 1 to 65535, got '" + std::string(port_text) + "'");
    }
    out.port = static_cast<uint16_t>(value);
  }
  return out;
}

std::string WebhookUrl::HostHeader() const {
  std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool default_port = (tls && port == 443) || (!tls && port == 80);
  return default_port ? name : name + ":" + std::to_string(port);
}

StatusOr<AddressGuard> AddressGuard::Create(const std::vector<std::string>& allowed_ranges) {
  AddressGuard guard;
  for (const std::string& range : allowed_ranges) {
    std::string cidr = range;
    boost::system::error_code ec;
    if (cidr.find('/') == std::string::npos) {
      ip::address a = ip::make_address(cidr, ec);
      if (ec) return InvalidArgument("allowed range '" + range + "': not an IP address or CIDR range");
      cidr += a.is_v4() ? "/32" : "/128";
    }
    if (cidr.find(':') != std::string::npos) {
      auto net = ip::make_network_v6(cidr, ec);
      if (ec) return InvalidArgument("allowed range '" + range + "': not an IPv6 CIDR range such as ::1/128");
      guard.allowed_v6_.push_back(net);
    } else {
      auto net = ip::make_network_v4(cidr, ec);
      if (ec) return InvalidArgument("allowed range '" + range + "': not an IPv4 CIDR range such as 10.0.0.0/8");
      guard.allowed_v4_.push_back(net);
    }
  }
  return guard;
}

namespace {

bool InV4(const ip::address_v4& a, const char* network, unsigned prefix) {
  uint32_t bits = a.to_uint();
  uint32_t net = ip::make_address_v4(network).to_uint();
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (bits & mask) == (net & mask);
}

// The kind of a special-purpose IPv4 address; nullptr for a public one.
const char* SpecialV4(const ip::address_v4& a) {
  if (InV4(a, "169.254.169.254", 32)) return "the cloud metadata address";
  if (InV4(a, "0.0.0.0", 8)) return "a 'this network' address";
  if (InV4(a, "127.0.0.0", 8)) return "a loopback address";
  if (InV4(a, "10.0.0.0", 8) || InV4(a, "172.16.0.0", 12) || InV4(a, "192.168.0.0", 16)) return "a private address";
  if (InV4(a, "100.64.0.0", 10)) return "a shared (carrier-grade NAT) address";
  if (InV4(a, "169.254.0.0", 16)) return "a link-local address";
  if (InV4(a, "192.0.0.0", 24) || InV4(a, "198.18.0.0", 15)) return "a reserved address";
  if (InV4(a, "224.0.0.0", 4)) return "a multicast address";
  if (InV4(a, "240.0.0.0", 4)) return "a reserved address";
  return nullptr;
}

const char* SpecialV6(const ip::address_v6& a) {
  if (a.is_loopback()) return "a loopback address";
  if (a.is_unspecified()) return "the unspecified address";
  if (a.is_link_local()) return "a link-local address";
  if (a.is_multicast()) return "a multicast address";
  auto bytes = a.to_bytes();
  if ((bytes[0] & 0xfe) == 0xfc) return "a private (unique local) address";
  if (a.is_site_local()) return "a site-local address";
  return nullptr;
}

ip::address_v4 V4At(const ip::address_v6::bytes_type& b, std::initializer_list<int> at, uint32_t xor_mask = 0) {
  uint32_t v = 0;
  for (int i : at) v = (v << 8) | b[static_cast<size_t>(i)];
  return ip::address_v4(v ^ xor_mask);
}

bool AllZero(const ip::address_v6::bytes_type& b, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i)
    if (b[i] != 0) return false;
  return true;
}

}  // namespace

std::vector<EmbeddedV4> EmbeddedV4Of(const ip::address_v6& address) {
  const auto b = address.to_bytes();
  std::vector<EmbeddedV4> out;
  auto last32 = [&] { return V4At(b, {12, 13, 14, 15}); };
  // IPv4-mapped ::ffff:0:0/96 (RFC 4291).
  if (AllZero(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) out.push_back({last32(), "IPv4-mapped"});
  // IPv4-translated ::ffff:0:0:0/96 (RFC 2765).
  else if (AllZero(b, 0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
    out.push_back({last32(), "IPv4-translated"});
  // IPv4-compatible ::/96 (RFC 4291, deprecated; :: and ::1 are special already).
  else if (AllZero(b, 0, 12))
    out.push_back({last32(), "IPv4-compatible"});
  // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052).
  else if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && AllZero(b, 4, 12))
    out.push_back({last32(), "NAT64"});
  // NAT64 local-use prefix 64:ff9b:1::/48 (RFC 8215): the operator picks
  // where the IPv4 address sits; the /96 form (zeros up to the last 32 bits)
  // is the one we can read, any other is reported as unreadable (nullopt).
  else if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 && b[5] == 0x01)
    out.push_back(AllZero(b, 6, 12) ? EmbeddedV4{last32(), "NAT64 local-use"}
                                    : EmbeddedV4{std::nullopt, "NAT64 local-use"});
  // 6to4 2002::/16 (RFC 3056): the relay's IPv4 address in bits 16-47.
  else if (b[0] == 0x20 && b[1] == 0x02)
    out.push_back({V4At(b, {2, 3, 4, 5}), "6to4"});
  // Teredo 2001::/32 (RFC 4380): the server in bits 32-63, the client's
  // address obfuscated (inverted) in the last 32 bits.
  else if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) {
    out.push_back({V4At(b, {4, 5, 6, 7}), "Teredo server"});
    out.push_back({V4At(b, {12, 13, 14, 15}, 0xffffffffu), "Teredo client"});
  }
  return out;
}

Status AddressGuard::CheckV4(const ip::address_v4& a, const ip::address& shown, const std::string& via) const {
  for (const auto& net : allowed_v4_) {
    if (InV4(a, net.network().to_string().c_str(), net.prefix_length())) return Status::Ok();
  }
  const char* kind = SpecialV4(a);
  if (kind == nullptr) return Status::Ok();
  return PermissionDenied("refusing to send to " + shown.to_string() + ": it is " + kind +
                          (via.empty() ? "" : " (" + a.to_string() + " embedded as " + via + ")") +
                          " (allow its range in webhooks.allowed_ranges to permit it)");
}

Status AddressGuard::Check(const ip::address& address) const {
  ip::address a = address;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  const char* kind = nullptr;
  if (a.is_v4()) {
    return CheckV4(a.to_v4(), a, "");
  } else {
    for (const auto& net : allowed_v6_) {
      auto want = net.network().to_bytes();
      auto have = a.to_v6().to_bytes();
      unsigned prefix = net.prefix_length();
      bool inside = true;
      for (unsigned i = 0; i < 16 && inside; ++i) {
        unsigned bits = prefix >= 8 * (i + 1) ? 8 : (prefix > 8 * i ? prefix - 8 * i : 0);
        unsigned char mask = static_cast<unsigned char>(bits == 0 ? 0 : 0xff << (8 - bits));
        inside = (want[i] & mask) == (have[i] & mask);
      }
      if (inside) return Status::Ok();
    }
    kind = SpecialV6(a.to_v6());
    // An IPv6 form that carries an IPv4 address reaches that address
    // (through a translator, a relay or the host's own stack): the IPv4
    // address passes the IPv4 checks, or the IPv6 one does not.
    if (kind == nullptr) {
      for (const EmbeddedV4& embedded : EmbeddedV4Of(a.to_v6())) {
        if (!embedded.v4)
          return PermissionDenied("refusing to send to " + a.to_string() + ": it is a " + std::string(embedded.form) +
                                  " NAT64 address whose IPv4 address cannot be read (allow its range in "
                                  "webhooks.allowed_ranges to permit it)");
        RELAIS_RETURN_IF_ERROR(CheckV4(*embedded.v4, a, std::string(embedded.form)));
      }
    }
  }
  if (kind == nullptr) return Status::Ok();
  return PermissionDenied("refusing to send to " + a.to_string() + ": it is " + kind +
                          " (allow its range in webhooks.allowed_ranges to permit it)");
}

}  // namespace relais::plugins::webhook
