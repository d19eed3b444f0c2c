#include "plugins/webhook/target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
  for (const char* a : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "169.254.1.1",
                        "0.0.0.0", "100.64.0.1", "224.0.0.1", "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1",
                        "::"}) {
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

}  // namespace
}  // namespace relais::plugins::webhook
