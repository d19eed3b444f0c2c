#include "engine/util/uuid.h"

#include <openssl/sha.h>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

namespace relais {

std::string NewUuid() {
  // A per-thread Mersenne Twister seeded once from the OS: event ids need
  // uniqueness, not secrecy, and boost's default generator makes a getrandom
  // system call for every id.
  thread_local boost::uuids::random_generator_mt19937 generator;
  return boost::uuids::to_string(generator());
}

std::string NameUuid(std::string_view name) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest);
  boost::uuids::uuid u;
  std::copy(digest, digest + 16, u.begin());
  u.data[6] = static_cast<uint8_t>((u.data[6] & 0x0f) | 0x80);  // version 8
  u.data[8] = static_cast<uint8_t>((u.data[8] & 0x3f) | 0x80);  // RFC variant
  return boost::uuids::to_string(u);
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace relais
