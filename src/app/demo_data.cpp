#include "app/demo_data.h"

#include <span>

#include "core/embedded_file.h"

namespace cscx::app {
namespace internal {
std::span<const core::EmbeddedFile> demo_files();  // generated
}  // namespace internal

Result<bool> load_demo_data_if_empty(db::Connection& conn) {
  auto count =
      conn.exec_params("count_customers", "SELECT count(*) FROM public.customers");
  if (!count) return count.error();
  if (count->value(0, 0) != "0") return false;
  for (const core::EmbeddedFile& f : internal::demo_files()) {
    if (auto r = conn.exec("begin", "BEGIN"); !r) return r.error();
    if (auto r = conn.exec(f.name, std::string(f.content)); !r) {
      (void)conn.exec("rollback", "ROLLBACK");
      return r.error();
    }
    if (auto r = conn.exec("commit", "COMMIT"); !r) return r.error();
  }
  return true;
}

}  // namespace cscx::app
