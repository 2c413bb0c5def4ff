// `cscx contract parse`, run as a user would.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <string>

#include "support/run_cscx.h"

namespace cscx {
namespace {

const std::string kDev = std::string(CSCX_SOURCE_DIR) + "/tests/data/contracts/dev/";

TEST(ContractCli, PrintsTheExtractionAsJson) {
  auto r = testing::run_cscx({"contract", "parse", kDev + "01_orderform_brightpath.txt", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto v = boost::json::parse(r.out).as_object();
  EXPECT_EQ(v.at("company_name").as_string(), "BrightPath Logistics LLC");
  EXPECT_EQ(v.at("arr").as_int64(), 105000);
  EXPECT_TRUE(v.contains("evidence"));
}

TEST(ContractCli, PrintsAReadableSummary) {
  auto r = testing::run_cscx({"contract", "parse", kDev + "09_pdf_redwood.pdf"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("company:       Redwood Credit Union"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pdf (2 pages)"), std::string::npos) << r.out;
}

TEST(ContractCli, ReadsDocx) {
  auto r = testing::run_cscx({"contract", "parse", kDev + "08_docx_pinecrest.docx", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(boost::json::parse(r.out).at("company_name").as_string(), "Pinecrest Software Inc.");
}

TEST(ContractCli, FailsWithAMessageForAMissingFile) {
  auto r = testing::run_cscx({"contract", "parse", "/nonexistent/contract.pdf"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("cscx: cannot read", 0), 0u) << r.err;
}

TEST(ContractCli, FailsWithAMessageForAnImageOnlyPdf) {
  auto r = testing::run_cscx(
      {"contract", "parse", std::string(CSCX_SOURCE_DIR) + "/tests/data/contracts/fixtures/image_only.pdf"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no extractable text"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cscx
