// libFuzzer target: any bytes as a transcript. The analyser must return a
// value or an Error, never crash, hang or read out of bounds, and its JSON
// must serialise.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "meetings/transcript_analyzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cscx::meetings::AnalyzeOptions options;
  options.meeting_date = std::chrono::year_month_day{std::chrono::year(2024),
                                                     std::chrono::March, std::chrono::day(6)};
  options.limits.max_bytes = 1 << 20;
  auto a = cscx::meetings::analyze_transcript(
      std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (a) (void)boost::json::serialize(cscx::meetings::to_json(*a));
  return 0;
}
