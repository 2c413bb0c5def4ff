#include "contracts/document_text.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <fstream>
#include <sstream>
#include <string>

#include "contracts/contract_parser.h"

namespace cscx::contracts {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CSCX_SOURCE_DIR) + "/tests/data/contracts/fixtures/" + name,
                   std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A DOCX whose word/document.xml holds `body` (WordprocessingML body content).
std::string make_docx(const std::string& body, std::size_t padding = 0) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
      "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" +
      body + std::string(padding, ' ') + "</w:body></w:document>";
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(out);
  zip_t* z = zip_open_from_source(out, ZIP_TRUNCATE, &error);
  zip_source_t* part = zip_source_buffer(z, xml.data(), xml.size(), 0);
  zip_file_add(z, "word/document.xml", part, ZIP_FL_OVERWRITE);
  zip_close(z);
  zip_source_open(out);
  zip_source_seek(out, 0, SEEK_END);
  auto size = zip_source_tell(out);
  zip_source_seek(out, 0, SEEK_SET);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  zip_source_read(out, bytes.data(), static_cast<zip_uint64_t>(size));
  zip_source_close(out);
  zip_source_free(out);
  zip_error_fini(&error);
  return bytes;
}

std::string para(const std::string& text) {
  return "<w:p><w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r></w:p>";
}

TEST(DetectFormat, SeesPdfFromItsHeader) {
  EXPECT_EQ(detect_format("%PDF-1.7\n..."), DocumentFormat::kPdf);
}

TEST(DetectFormat, SeesDocxFromTheZipAndItsDocumentPart) {
  EXPECT_EQ(detect_format(make_docx(para("x"))), DocumentFormat::kDocx);
}

TEST(DetectFormat, TreatsAnythingElseAsText) {
  EXPECT_EQ(detect_format("Customer: Acme"), DocumentFormat::kText);
  EXPECT_EQ(detect_format(std::string("PK\x03\x04 not a docx", 18)), DocumentFormat::kText);
}

TEST(ParseLimits, RefusesInputOverTheSizeLimit) {
  ParseLimits limits;
  limits.max_bytes = 10;
  auto r = parse_contract("Customer: Acme Corporation", limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kPayloadTooLarge);
}

TEST(ParseLimits, RefusesPdfsOverThePageLimit) {
  ParseLimits limits;
  limits.max_pages = 1;
  auto r = parse_contract(fixture("two_pages.pdf"), limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kPayloadTooLarge);
  EXPECT_NE(r.error().message.find("pages"), std::string::npos);
}

TEST(ParseLimits, RefusesADocxThatUnpacksOverTheLimit) {
  ParseLimits limits;
  limits.max_docx_xml_bytes = 64 * 1024;
  // Spaces compress ~1000:1: a small archive, a large part (a zip bomb in miniature).
  std::string docx = make_docx(para("Customer: Acme"), 1 << 20);
  ASSERT_LT(docx.size(), 16u * 1024);
  auto r = parse_contract(docx, limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kPayloadTooLarge);
}

TEST(ParseLimits, RefusesEncryptedPdfs) {
  auto r = parse_contract(fixture("encrypted.pdf"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  EXPECT_NE(r.error().message.find("no extractable text"), std::string::npos);
}

TEST(ParseLimits, RefusesImageOnlyPdfs) {
  auto r = parse_contract(fixture("image_only.pdf"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no extractable text"), std::string::npos);
}

TEST(ParseLimits, RefusesDamagedPdfs) {
  auto r = parse_contract("%PDF-1.4\nnothing else");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
}

TEST(ParseLimits, RefusesEmptyDocuments) {
  auto r = parse_contract(" \n\t ");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
}

TEST(ParseLimits, RepairsInvalidUtf8ByDefault) {
  auto r = parse_contract("Customer: Acme\xff Corp");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NE(r->text.find("\xef\xbf\xbd"), std::string::npos);
}

TEST(ParseLimits, RefusesInvalidUtf8WhenAsked) {
  ParseLimits limits;
  limits.invalid_utf8 = InvalidUtf8::kRefuse;
  auto r = parse_contract("Customer: Acme\xff Corp", limits);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("UTF-8"), std::string::npos);
}

TEST(Normalise, MakesQuotesDashesAndSpacesAscii) {
  std::string out;
  std::size_t repaired = 0;
  internal::append_normalised("\xe2\x80\x9c" "Customer" "\xe2\x80\x9d \xe2\x80\x93 a\xc2\xa0" "b\r\nc", out,
                              repaired);
  EXPECT_EQ(out, "\"Customer\" - a b\nc");
}

TEST(Normalise, ComposesAndAppliesCompatibilityMappings) {
  std::string out;
  std::size_t repaired = 0;
  internal::append_normalised("Mu\xcc\x88ller \xef\xac\x81nance", out, repaired);  // u + U+0308, "fi" ligature
  EXPECT_EQ(out, "M\xc3\xbcller finance");
}

TEST(Normalise, ReadsUtf16WithABom) {
  std::string utf16("\xff\xfe" "C\0u\0s\0t\0o\0m\0e\0r\0:\0 \0X\0 \0I\0n\0c\0", 32);
  auto r = parse_contract(utf16);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->text, "Customer: X Inc");
}

TEST(PdfText, ExtractsEveryPageAndKnowsWhereEachStarts) {
  auto r = parse_contract(fixture("two_pages.pdf"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->format, DocumentFormat::kPdf);
  EXPECT_EQ(r->pages, 2);
  EXPECT_EQ(r->company_name, "Acme Corp");
  EXPECT_EQ(r->contract_term.start_date, "2024-01-01");
  EXPECT_EQ(r->evidence.at("company_name").page, 1);
  EXPECT_EQ(r->evidence.at("contract_term.start_date").page, 2);
}

TEST(DocxText, TurnsParagraphsAndTableRowsIntoLines) {
  std::string body = para("Customer: Pinecrest Software Inc.") +
                     "<w:tbl><w:tr><w:tc>" + para("Product") + "</w:tc><w:tc>" + para("Quantity") +
                     "</w:tc></w:tr><w:tr><w:tc>" + para("Build Runners") + "</w:tc><w:tc>" + para("20") +
                     "</w:tc></w:tr></w:tbl>";
  auto r = parse_contract(make_docx(body));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->format, DocumentFormat::kDocx);
  EXPECT_NE(r->text.find("Build Runners | 20"), std::string::npos) << r->text;
  EXPECT_EQ(r->company_name, "Pinecrest Software Inc.");
  ASSERT_EQ(r->entitlements.size(), 1u);
  EXPECT_EQ(r->entitlements[0].quantity, 20);
}

TEST(DocxText, RefusesADocxWithoutText) {
  auto r = parse_contract(make_docx("<w:p/>"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no extractable text"), std::string::npos);
}

TEST(DocxText, RefusesBrokenXml) {
  auto r = parse_contract(make_docx("<w:p><w:r>"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
}

}  // namespace
}  // namespace cscx::contracts
