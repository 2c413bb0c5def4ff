#include "auth/keys.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "auth/jwt.h"

namespace cscx::auth {
namespace fs = std::filesystem;

namespace {

// Fixed issue and expiry times make the keys a pure function of the secret.
constexpr std::int64_t kKeyIssuedAt = 1735689600;   // 2025-01-01
constexpr std::int64_t kKeyExpiresAt = 4102444800;  // 2100-01-01

Result<std::string> create_secret_file(const fs::path& path) {
  unsigned char random[48];
  if (RAND_bytes(random, sizeof random) != 1) {
    return make_error(Code::kInternal, "cannot generate a JWT secret (no randomness)");
  }
  const std::string secret = base64url_encode(
      std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return std::string();  // another cscx won the race
    return make_error(Code::kFailedPrecondition,
                      "cannot create " + path.string() + ": " + std::strerror(errno));
  }
  const std::string line = secret + "\n";
  const bool written =
      ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    ::unlink(path.c_str());
    return make_error(Code::kFailedPrecondition, "cannot write " + path.string());
  }
  return secret;
}

}  // namespace

Result<std::string> load_jwt_secret(const fs::path& home) {
  if (const char* env = std::getenv("CSCX_JWT_SECRET"); env != nullptr && *env != '\0') {
    std::string secret(env);
    if (secret.size() < kMinSecretLength) {
      return make_error(Code::kFailedPrecondition,
                        "CSCX_JWT_SECRET is too short (" + std::to_string(secret.size()) +
                            " characters; at least 32 are needed)");
    }
    return secret;
  }
  const fs::path path = home / "jwt_secret";
  std::error_code ec;
  fs::create_directories(home, ec);
  if (!fs::exists(path, ec)) {
    auto created = create_secret_file(path);
    if (!created) return created.error();
    if (!created->empty()) return *created;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return make_error(Code::kFailedPrecondition,
                      "cannot read " + path.string() + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    return make_error(Code::kFailedPrecondition,
                      path.string() + " is readable by other users; chmod 600 it");
  }
  std::ifstream in(path);
  std::string secret;
  std::getline(in, secret);
  if (secret.size() < kMinSecretLength) {
    return make_error(Code::kFailedPrecondition,
                      path.string() + " holds a secret shorter than 32 characters");
  }
  return secret;
}

ApiKeys api_keys(std::string_view secret) {
  auto key = [&](const char* role) {
    boost::json::object claims;
    claims["iss"] = "cscx";
    claims["role"] = role;
    claims["iat"] = kKeyIssuedAt;
    claims["exp"] = kKeyExpiresAt;
    return sign_jwt(claims, secret);
  };
  return ApiKeys{key("anon"), key("service_role")};
}

}  // namespace cscx::auth
