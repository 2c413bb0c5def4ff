#include "core/sha256.h"

#include <openssl/evp.h>

#include <array>

namespace cscx::core {

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // EVP_Digest only fails on allocation failure; an empty string is then the
  // honest answer and can never match a recorded checksum.
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(),
                 nullptr) != 1) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace cscx::core
