#include "plugins/webhook/target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

namespace relais::plugins::webhook {
namespace {

using ::testing::HasSubstr;
namespace ip = boost::asio::ip;

TEST(WebhookUrlTest, ParsesSchemeHostPortAndTarget) {
  auto u = WebhookUrl::Parse("https://hooks.ccas-fresnes.example:8443/relais?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "hooks.ccas-fresnes.example");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/relais?x=1");
  auto plain = WebhookUrl::Parse("http://127.0.0.1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/");
  EXPECT_EQ(plain->HostHeader(), "127.0.0.1");
  auto v6 = WebhookUrl::Parse("http://[::1]:9000/h");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->HostHeader(), "[::1]:9000");
}

TEST(WebhookUrlTest, RefusesWhatIsNotAPlainHttpUrl) {
  EXPECT_THAT(WebhookUrl::Parse("ftp://x/").status().message(), HasSubstr("http:// or https://"));
  EXPECT_THAT(WebhookUrl::Parse("http://user@x/").status().message(), HasSubstr("user information"));
  EXPECT_THAT(WebhookUrl::Parse("http://x:0/").status().message(), HasSubstr("port"));
  EXPECT_THAT(WebhookUrl::Parse("http://x:99999/").status().message(), HasSubstr("port"));
  EXPECT_THAT(WebhookUrl::Parse("http:///path").status().message(), HasSubstr("host is missing"));
  EXPECT_THAT(WebhookUrl::Parse("http://x/a b").status().message(), HasSubstr("spaces"));
  EXPECT_THAT(WebhookUrl::Parse("http://x/#f").status().message(), HasSubstr("fragment"));
}

TEST(AddressGuardTest, RefusesSpecialAddressesByDefault) {
  auto guard = AddressGuard::Create({});
  ASSERT_TRUE(guard.ok());
  for (const char* a :
       {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "169.254.1.1", "0.0.0.0", "100.64.0.1",
        "224.0.0.1", "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::"}) {
    Status s = guard->Check(ip::make_address(a));
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << a;
  }
  EXPECT_THAT(guard->Check(ip::make_address("169.254.169.254")).message(), HasSubstr("metadata"));
  for (const char* a : {"93.184.216.34", "8.8.8.8", "2606:4700::1111"}) {
    EXPECT_TRUE(guard->Check(ip::make_address(a)).ok()) << a;
  }
}

TEST(AddressGuardTest, AllowedRangesAreExemptAndNothingMore) {
  auto guard = AddressGuard::Create({"127.0.0.1/32", "10.20.0.0/16", "::1"});
  ASSERT_TRUE(guard.ok());
  EXPECT_TRUE(guard->Check(ip::make_address("127.0.0.1")).ok());
  EXPECT_FALSE(guard->Check(ip::make_address("127.0.0.2")).ok());
  EXPECT_TRUE(guard->Check(ip::make_address("10.20.99.1")).ok());
  EXPECT_FALSE(guard->Check(ip::make_address("10.21.0.1")).ok());
  EXPECT_TRUE(guard->Check(ip::make_address("::1")).ok());
  EXPECT_THAT(AddressGuard::Create({"10.0.0.0/33"}).status().message(), HasSubstr("10.0.0.0/33"));
  EXPECT_EQ(AddressGuard::Create({"not-an-address"}).status().code(), StatusCode::kInvalidArgument);
}

// Every IPv6 form that embeds an IPv4 address, each carrying a denied IPv4
// address (refused) and a public one (passes).
struct EmbeddingForm {
  const char* name;
  std::string (*embed)(uint32_t v4);
};

std::string Hex16(uint32_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%x", v & 0xffff);
  return buf;
}
std::string High(uint32_t v4) { return Hex16(v4 >> 16); }
std::string Low(uint32_t v4) { return Hex16(v4); }

const EmbeddingForm kEmbeddingForms[] = {
    {"IPv4-mapped", [](uint32_t v) { return "::ffff:" + High(v) + ":" + Low(v); }},
    {"IPv4-translated", [](uint32_t v) { return "::ffff:0:" + High(v) + ":" + Low(v); }},
    {"IPv4-compatible", [](uint32_t v) { return "::" + High(v) + ":" + Low(v); }},
    {"NAT64", [](uint32_t v) { return "64:ff9b::" + High(v) + ":" + Low(v); }},
    {"NAT64 local-use", [](uint32_t v) { return "64:ff9b:1::" + High(v) + ":" + Low(v); }},
    {"6to4", [](uint32_t v) { return "2002:" + High(v) + ":" + Low(v) + "::1"; }},
    // Teredo: the address as the server (client public), then as the client
    // (obfuscated: inverted), with a public server.
    {"Teredo server",
     [](uint32_t v) {
       return "2001:0:" + High(v) + ":" + Low(v) + "::" + High(~0x08080404u) + ":" + Low(~0x08080404u);
     }},
    {"Teredo client", [](uint32_t v) { return "2001:0:808:808::" + High(~v) + ":" + Low(~v); }},
};

uint32_t V4(const char* text) { return ip::make_address_v4(text).to_uint(); }

TEST(AddressGuardTest, IPv6FormsThatEmbedADeniedIPv4AddressAreRefused) {
  auto guard = AddressGuard::Create({});
  ASSERT_TRUE(guard.ok());
  for (const EmbeddingForm& form : kEmbeddingForms) {
    for (const char* denied : {"127.0.0.1", "10.0.0.1", "169.254.169.254"}) {
      const std::string text = form.embed(V4(denied));
      boost::system::error_code ec;
      auto address = ip::make_address(text, ec);
      ASSERT_FALSE(ec) << form.name << ": " << text;
      ASSERT_TRUE(address.is_v6()) << text;
      Status s = guard->Check(address);
      EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << form.name << " " << text << " embeds " << denied;
      EXPECT_THAT(s.message(), HasSubstr(denied)) << form.name << " " << text;
    }
    const std::string open = form.embed(V4("93.184.216.34"));
    EXPECT_TRUE(guard->Check(ip::make_address(open)).ok()) << form.name << " " << open << " embeds a public address";
  }
}

TEST(AddressGuardTest, EmbeddedAddressesAreReadFromTheRightBits) {
  auto one = [](const char* text) {
    auto found = EmbeddedV4Of(ip::make_address_v6(text));
    return found.empty() || !found[0].v4 ? std::string("none") : found[0].v4->to_string();
  };
  EXPECT_EQ(one("64:ff9b::a9fe:a9fe"), "169.254.169.254");
  EXPECT_EQ(one("2002:7f00:1::"), "127.0.0.1");
  EXPECT_EQ(one("::ffff:0:10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(one("2606:4700::1111"), "none");
  // Teredo: server 65.54.227.120, client 192.0.2.45 (RFC 4380's example).
  auto teredo = EmbeddedV4Of(ip::make_address_v6("2001:0:4136:e378:8000:63bf:3fff:fdd2"));
  ASSERT_EQ(teredo.size(), 2u);
  EXPECT_EQ(teredo[0].v4->to_string(), "65.54.227.120");
  EXPECT_EQ(teredo[1].v4->to_string(), "192.0.2.45");
  // A local-use NAT64 address with the IPv4 address elsewhere than the last
  // 32 bits cannot be read: refused.
  auto guard = AddressGuard::Create({});
  EXPECT_EQ(guard->Check(ip::make_address("64:ff9b:1:7f00:1::")).code(), StatusCode::kPermissionDenied);
  // An allowed IPv4 range covers its embedded forms too.
  auto allowing = AddressGuard::Create({"127.0.0.1/32"});
  EXPECT_TRUE(allowing->Check(ip::make_address("64:ff9b::7f00:1")).ok());
  EXPECT_FALSE(allowing->Check(ip::make_address("64:ff9b::7f00:2")).ok());
}

}  // namespace
}  // namespace relais::plugins::webhook
