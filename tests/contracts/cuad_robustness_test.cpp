// The parser on real contracts (CUAD, ../shared/data/cuad): every one parses
// without a crash, quickly, and answers only with names the contract holds.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "contracts/contract_parser.h"

namespace cscx::contracts {
namespace {

namespace fs = std::filesystem;

const fs::path kCuad = fs::path(CSCX_SOURCE_DIR) / ".." / "shared" / "data" / "cuad";

std::string collapse_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void parse_every_file_in(const fs::path& dir) {
  if (!fs::exists(dir)) GTEST_SKIP() << dir << " is absent";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string bytes = slurp(entry.path());
    auto start = std::chrono::steady_clock::now();
    auto r = parse_contract(bytes);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(r) << entry.path() << ": " << r.error().message;
    EXPECT_LT(seconds, 2.0) << entry.path();
    std::string json = boost::json::serialize(to_json(*r));
    EXPECT_FALSE(json.empty());
    if (r->company_name) {
      EXPECT_NE(collapse_spaces(r->text).find(*r->company_name), std::string::npos)
          << entry.path() << ": company_name is not in the text: " << *r->company_name;
    }
    ++files;
  }
  EXPECT_GT(files, 0);
}

TEST(CuadRobustness, ParsesEveryTextContract) { parse_every_file_in(kCuad / "txt"); }

TEST(CuadRobustness, ParsesEveryPdfContract) { parse_every_file_in(kCuad / "pdf"); }

}  // namespace
}  // namespace cscx::contracts
