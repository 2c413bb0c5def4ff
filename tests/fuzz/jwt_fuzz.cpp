// libFuzzer target: verify_jwt and base64url on arbitrary bytes. Nothing
// may crash or leak, and nothing but a correctly signed token may pass.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/jwt.h"

namespace {
constexpr std::string_view kSecret = "fuzz-secret-fuzz-secret-fuzz-secret-0001";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto verified = cscx::auth::verify_jwt(input, kSecret, 1'800'000'000);
  if (verified) {
    // Only a token we could have signed verifies: re-signing its claims with
    // the secret must reproduce a valid token with the same role.
    auto again = cscx::auth::verify_jwt(cscx::auth::sign_jwt(verified->claims, kSecret), kSecret,
                                        1'800'000'000);
    if (!again || again->role != verified->role) std::abort();
  }
  auto decoded = cscx::auth::base64url_decode(input);
  if (decoded && cscx::auth::base64url_encode(*decoded) != input) std::abort();
  const std::string encoded = cscx::auth::base64url_encode(input);
  auto round = cscx::auth::base64url_decode(encoded);
  if (!round || *round != input) std::abort();
  return 0;
}
