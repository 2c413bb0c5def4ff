// A transcript file's text, whatever the user exported: VTT, SRT and plain
// text as they are; Word (DOCX) and PDF exports, which Teams, Zoom and
// note-taking tools also offer, through the document reader the contract
// parser uses (src/contracts). The analyser itself only ever sees text.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace cscx::meetings {

// Input bytes accepted before any reading: PDF and DOCX carry markup and
// images around their text, so they may be larger than the analyser's
// text limit (AnalyzeLimits::max_bytes), which applies to what they yield.
inline constexpr std::size_t kMaxTranscriptFileBytes = 25u << 20;

// The text of `bytes`. kPayloadTooLarge past kMaxTranscriptFileBytes;
// kInvalidArgument for a damaged, encrypted or image-only PDF or DOCX.
[[nodiscard]] Result<std::string> transcript_text(std::string bytes);

// True when `bytes` is a PDF or DOCX file rather than text.
bool is_document_file(std::string_view bytes);

}  // namespace cscx::meetings
