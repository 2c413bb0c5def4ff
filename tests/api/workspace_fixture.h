// The fixture of the workspace API tests (issue 8): ApiTest (two CSMs A
// and B with one customer each, a real `cscx serve`, calls as A, B,
// service_role or anon) and what a workspace route could have written.
#pragma once

#include <string>

#include "api/api_fixture.h"

namespace cscx::testing {

class WorkspaceApi : public ApiTest {
 protected:
  // Counts of every table a workspace route writes, to show that a refused
  // request wrote nothing.
  std::string written_rows() {
    return value(
        "SELECT concat_ws('/', (SELECT count(*) FROM customers),"
        " (SELECT count(*) FROM meetings), (SELECT count(*) FROM training_progress),"
        " (SELECT count(*) FROM activity_log), (SELECT string_agg(md5(c::text), ',' ORDER BY"
        " id) FROM customers c), (SELECT string_agg(md5(p::text), ',' ORDER BY id) FROM"
        " training_progress p))");
  }
};

}  // namespace cscx::testing
