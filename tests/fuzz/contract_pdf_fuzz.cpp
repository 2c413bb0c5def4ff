// libFuzzer target: the contract parser on PDF bytes (poppler underneath).
// Inputs that do not start with a PDF header get one, so every run takes the
// PDF path.
#include <cstddef>
#include <cstdint>
#include <string>

#include "contract_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.rfind("%PDF-", 0) != 0) bytes.insert(0, "%PDF-1.4\n");
  cscx::contracts::fuzz::parse_and_check(bytes);
  return 0;
}
