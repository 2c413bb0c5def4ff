// Password hashing with Argon2id (libargon2), in the PHC string format
// ($argon2id$v=19$m=19456,t=2,p=1$salt$hash), OWASP's recommended
// parameters. Hashing takes tens of milliseconds of CPU on purpose: call
// these off the I/O threads. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace cscx::auth {

[[nodiscard]] Result<std::string> hash_password(std::string_view password);

// False for a wrong password and for anything that is not an Argon2id hash.
bool verify_password(std::string_view password, const std::string& encoded);

// A valid hash of a password nobody knows: sign-in verifies against it when
// the e-mail is unknown, so both cases take the same time.
const std::string& decoy_hash();

}  // namespace cscx::auth
