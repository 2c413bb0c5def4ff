// Internal: contract bytes -> normalised UTF-8 text with page boundaries.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>  // IWYU pragma: keep

#include "contracts/contract_parser.h"
#include "core/error.h"

namespace cscx::contracts::internal {

struct DocumentText {
  std::string text;                     // normalised UTF-8, LF line ends
  std::vector<std::size_t> page_starts;  // byte offset where each page begins
  DocumentFormat format = DocumentFormat::kText;
  std::size_t repaired_bytes = 0;  // invalid UTF-8 sequences replaced by U+FFFD

  // 1-based page of a byte offset.
  int page_of(std::size_t offset) const;
};

// Extracts and normalises the text of `bytes` (format from detect_format).
[[nodiscard]] Result<DocumentText> extract_document(std::string_view bytes,
                                                    const ParseLimits& limits);

// Normalises one piece of text and appends it to `out`: invalid UTF-8 becomes
// U+FFFD (counted in `repaired`), NFKC, curly quotes and dashes become ASCII,
// CR and CRLF become LF, other control characters become spaces.
void append_normalised(std::string_view in, std::string& out, std::size_t& repaired);

}  // namespace cscx::contracts::internal
