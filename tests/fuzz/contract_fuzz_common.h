// Shared by the contract_*_fuzz targets: parse, then check what every
// extraction must satisfy whatever the input.
#pragma once

#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <string_view>

#include "contracts/contract_parser.h"

namespace cscx::contracts::fuzz {

inline std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

inline void parse_and_check(std::string_view bytes) {
  ParseLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_pages = 20;
  limits.max_docx_xml_bytes = 4 << 20;
  auto r = parse_contract(bytes, limits);
  if (!r) {
    if (r.error().message.empty()) std::abort();
    return;
  }
  const std::size_t length = code_points(r->text);
  for (const auto& [path, e] : r->evidence) {
    if (e.start > e.end || e.end > length || e.page < 1 || e.page > r->pages) std::abort();
    if (!(e.confidence >= 0 && e.confidence <= 1)) std::abort();
  }
  if (r->arr && !(*r->arr >= 0)) std::abort();
  if (boost::json::serialize(to_json(*r)).empty()) std::abort();
}

}  // namespace cscx::contracts::fuzz
