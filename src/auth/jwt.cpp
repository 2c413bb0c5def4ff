#include "auth/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <climits>
#include <optional>

namespace cscx::auth {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Error refuse(std::string message) {
  return make_error(Code::kUnauthenticated, std::move(message));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
       &length);
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

Result<boost::json::object> decode_json_object(std::string_view part, const char* what) {
  auto bytes = base64url_decode(part);
  if (!bytes)
    return refuse(std::string("malformed token: ") + what + " is not base64url");
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*bytes, ec);
  if (ec || !value.is_object()) {
    return refuse(std::string("malformed token: ") + what + " is not a JSON object");
  }
  return std::move(value.as_object());
}

// A NumericDate claim: absent is nullopt, present must be a number.
Result<std::optional<std::int64_t>> numeric_date(const boost::json::object& claims,
                                                 std::string_view name) {
  const boost::json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<std::int64_t>{};
  if (v->is_int64()) return std::optional<std::int64_t>{v->as_int64()};
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
    return std::optional<std::int64_t>{static_cast<std::int64_t>(v->as_uint64())};
  }
  if (v->is_double())
    return std::optional<std::int64_t>{static_cast<std::int64_t>(v->as_double())};
  return refuse("malformed token: claim '" + std::string(name) + "' is not a number");
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i])))
      return false;
  }
  return true;
}

bool audience_contains(const boost::json::value& aud, std::string_view wanted) {
  if (aud.is_string()) return aud.as_string() == wanted;
  if (aud.is_array()) {
    for (const auto& item : aud.as_array()) {
      if (item.is_string() && item.as_string() == wanted) return true;
    }
  }
  return false;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    const unsigned v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  static const std::array<int, 256> kIndex = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = i;
    return t;
  }();
  if (text.size() % 4 == 1)
    return make_error(Code::kInvalidArgument, "bad base64url length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = kIndex[static_cast<unsigned char>(c)];
    if (v < 0) return make_error(Code::kInvalidArgument, "bad base64url character");
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero, or two encodings would mean one value.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) {
    return make_error(Code::kInvalidArgument, "bad base64url padding bits");
  }
  return out;
}

std::string sign_jwt(const boost::json::object& claims, std::string_view secret) {
  const std::string signing_input = base64url_encode(R"({"alg":"HS256","typ":"JWT"})") +
                                    "." +
                                    base64url_encode(boost::json::serialize(claims));
  return signing_input + "." + base64url_encode(hmac_sha256(secret, signing_input));
}

Result<VerifiedToken> verify_jwt(std::string_view token, std::string_view secret,
                                 std::int64_t now) {
  if (token.empty()) return refuse("missing token");
  if (token.size() > kMaxTokenBytes) return refuse("token too large");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos ||
      token.find('.', dot2 + 1) != std::string_view::npos) {
    return refuse("malformed token: expected three dot-separated parts");
  }
  auto header = decode_json_object(token.substr(0, dot1), "header");
  if (!header) return header.error();
  const boost::json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "HS256") {
    return refuse("unsupported token algorithm: only HS256 is accepted");
  }
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature) return refuse("malformed token: signature is not base64url");
  const std::string expected = hmac_sha256(secret, token.substr(0, dot2));
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return refuse("invalid token signature");
  }
  auto claims = decode_json_object(token.substr(dot1 + 1, dot2 - dot1 - 1), "payload");
  if (!claims) return claims.error();

  auto exp = numeric_date(*claims, "exp");
  if (!exp) return exp.error();
  if (!*exp) return refuse("token has no expiry (exp)");
  if (**exp <= now) {
    return make_error_with_reason(Code::kUnauthenticated, std::string(kTokenExpired),
                                  "token expired");
  }
  auto nbf = numeric_date(*claims, "nbf");
  if (!nbf) return nbf.error();
  if (*nbf && **nbf > now) return refuse("token not valid yet (nbf)");

  VerifiedToken out;
  const boost::json::value* role = claims->if_contains("role");
  if (role == nullptr || !role->is_string()) return refuse("token has no role");
  out.role = std::string(role->as_string());
  if (out.role != "anon" && out.role != "authenticated" && out.role != "service_role") {
    return refuse("token role '" + out.role + "' is not allowed");
  }
  if (const boost::json::value* aud = claims->if_contains("aud");
      aud != nullptr && out.role == "authenticated" &&
      !audience_contains(*aud, "authenticated")) {
    return refuse("token audience does not include 'authenticated'");
  }
  if (const boost::json::value* sub = claims->if_contains("sub"); sub != nullptr) {
    // auth.uid() casts sub to uuid; anything else would fail every query.
    if (!sub->is_string() || !is_uuid(sub->as_string())) {
      return refuse("malformed token: 'sub' is not a user id");
    }
    out.subject = std::string(sub->as_string());
  }
  out.expires = **exp;
  out.claims = std::move(*claims);
  return out;
}

}  // namespace cscx::auth
