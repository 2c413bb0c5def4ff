// A file compiled into the binary (see cmake/embed_files.cmake).
#pragma once

#include <string_view>

namespace cscx::core {

struct EmbeddedFile {
  std::string_view name;     // base name, e.g. "001_initial.sql"
  std::string_view content;  // the file's bytes
};

}  // namespace cscx::core
