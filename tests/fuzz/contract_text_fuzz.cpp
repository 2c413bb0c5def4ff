// libFuzzer target: the contract parser on arbitrary text (and whatever
// format detection makes of it). Nothing may crash, hang or leak, and every
// evidence offset must stay inside the text.
#include <cstddef>
#include <cstdint>

#include "contract_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cscx::contracts::fuzz::parse_and_check({reinterpret_cast<const char*>(data), size});
  return 0;
}
