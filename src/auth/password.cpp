#include "auth/password.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>

namespace cscx::auth {
namespace {

constexpr uint32_t kTimeCost = 2;
constexpr uint32_t kMemoryKiB = 19456;
constexpr uint32_t kParallelism = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

}  // namespace

Result<std::string> hash_password(std::string_view password) {
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), salt.size()) != 1) {
    return make_error(Code::kInternal, "no randomness for a password salt");
  }
  std::string encoded(argon2_encodedlen(kTimeCost, kMemoryKiB, kParallelism, kSaltBytes,
                                        kHashBytes, Argon2_id),
                      '\0');
  const int rc = argon2id_hash_encoded(
      kTimeCost, kMemoryKiB, kParallelism, password.data(), password.size(), salt.data(),
      salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return make_error(Code::kInternal, "password hashing failed",
                      argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool verify_password(std::string_view password, const std::string& encoded) {
  if (encoded.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

const std::string& decoy_hash() {
  static const std::string hash = [] {
    auto h = hash_password("cscx decoy password, never valid");
    return h ? *h : std::string();
  }();
  return hash;
}

}  // namespace cscx::auth
