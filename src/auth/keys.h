// The project's JWT secret and the two API keys derived from it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.h"

namespace cscx::auth {

// Secrets shorter than this are refused (as Supabase does).
inline constexpr size_t kMinSecretLength = 32;

// $CSCX_JWT_SECRET when set (its bytes are the HMAC key); else the secret
// in <home>/jwt_secret, generated on first use (48 random bytes, base64url)
// and written with mode 0600. Fails on a short secret, or a secret file
// that others can read.
[[nodiscard]] Result<std::string> load_jwt_secret(const std::filesystem::path& home);

struct ApiKeys {
  std::string anon;
  std::string service_role;
};

// Long-lived JWTs for roles anon and service_role, as in Supabase. They are
// deterministic: the same secret always gives the same keys.
ApiKeys api_keys(std::string_view secret);

}  // namespace cscx::auth
