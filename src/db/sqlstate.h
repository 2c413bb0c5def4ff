// SQLSTATE -> Code: the one translation table from PostgreSQL's error codes
// to cscx's canonical codes (tested entry by entry in sqlstate_test.cpp).
#pragma once

#include <string_view>

#include "core/error.h"

namespace cscx::db {

Code code_from_sqlstate(std::string_view sqlstate);

}  // namespace cscx::db
