// SHA-256 of a byte string, as lowercase hex.
#pragma once

#include <string>
#include <string_view>

namespace cscx::core {

std::string sha256_hex(std::string_view bytes);

}  // namespace cscx::core
