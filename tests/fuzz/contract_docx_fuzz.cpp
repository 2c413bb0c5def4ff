// libFuzzer target: the contract parser on DOCX files. The input is the
// word/document.xml part; the target zips it (random bytes almost never make
// a valid zip, and the zip reader is libzip's) so the fuzzer explores the
// XML walker and the rules behind it.
#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "contract_fuzz_common.h"

namespace {

std::string zip_document(const std::string& xml) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(out);
  zip_t* z = zip_open_from_source(out, ZIP_TRUNCATE, &error);
  zip_source_t* part = zip_source_buffer(z, xml.data(), xml.size(), 0);
  zip_file_add(z, "word/document.xml", part, ZIP_FL_OVERWRITE);
  zip_close(z);
  std::string bytes;
  if (zip_source_open(out) == 0) {
    zip_source_seek(out, 0, SEEK_END);
    zip_int64_t size = zip_source_tell(out);
    zip_source_seek(out, 0, SEEK_SET);
    bytes.resize(static_cast<std::size_t>(size > 0 ? size : 0));
    if (size > 0) zip_source_read(out, bytes.data(), static_cast<zip_uint64_t>(size));
    zip_source_close(out);
  }
  zip_source_free(out);
  zip_error_fini(&error);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string xml(reinterpret_cast<const char*>(data), size);
  cscx::contracts::fuzz::parse_and_check(zip_document(xml));
  return 0;
}
