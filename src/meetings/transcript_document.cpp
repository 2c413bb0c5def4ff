#include "meetings/transcript_document.h"

#include "contracts/contract_parser.h"

namespace cscx::meetings {

bool is_document_file(std::string_view bytes) {
  return contracts::detect_format(bytes) != contracts::DocumentFormat::kText;
}

Result<std::string> transcript_text(std::string bytes) {
  if (bytes.size() > kMaxTranscriptFileBytes) {
    return make_error(Code::kPayloadTooLarge, "transcript file is larger than " +
                                                  std::to_string(kMaxTranscriptFileBytes) +
                                                  " bytes");
  }
  // Text stays byte for byte what the user sent: the analyser reads VTT and
  // SRT timing lines itself.
  if (!is_document_file(bytes)) return bytes;
  contracts::ParseLimits limits;
  limits.max_bytes = kMaxTranscriptFileBytes;
  return contracts::extract_text(bytes, limits);
}

}  // namespace cscx::meetings
