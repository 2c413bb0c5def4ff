// Contract parser: a contract document (plain text, PDF or DOCX bytes) becomes
// structured fields (issue 6), offline and deterministically.
//
// The parser detects the format from the bytes, extracts and normalises the
// text (NFKC via utf8proc, straight quotes and dashes, LF line ends), then runs
// readable rules and lexicons (contracts/lexicon.h) over labels, tables,
// signature blocks, contact sections and prose. Every field it fills has an
// Evidence entry saying where in the text it came from and how sure it is.
//
// This area knows no HTTP and no database: storing the result (customers,
// contracts, entitlements, stakeholders) is the caller's job.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/error.h"

namespace cscx::contracts {

enum class InvalidUtf8 { kRepair, kRefuse };

struct ParseLimits {
  std::size_t max_bytes = 25u << 20;               // input size
  int max_pages = 500;                              // PDF pages
  std::size_t max_docx_xml_bytes = 50u << 20;       // word/document.xml, uncompressed
  std::size_t max_text_bytes = 25u << 20;           // extracted text
  InvalidUtf8 invalid_utf8 = InvalidUtf8::kRepair;  // repair with U+FFFD or refuse
};

enum class DocumentFormat { kText, kPdf, kDocx };

std::string_view format_name(DocumentFormat format);

// Where an answer came from. `start`/`end` are offsets in Unicode code points
// into ContractExtraction::text (the whole document, not the page); `page` is
// 1-based (always 1 for plain text; DOCX counts explicit page breaks).
struct Evidence {
  double confidence = 0;  // 0..1; below 0.5 means "a guess, check it"
  int page = 1;
  std::size_t start = 0;
  std::size_t end = 0;
  // "rules" for the built-in parser, "llm" for a value the optional LLM
  // provider gave (llm/llm_assist.h).
  std::string source = "rules";
};

struct ContractTerm {
  std::optional<std::string> start_date;  // ISO YYYY-MM-DD
  std::optional<std::string> end_date;
  std::optional<int> months;
  std::optional<bool> auto_renew;
  std::optional<int> renewal_notice_days;
};

struct Entitlement {
  std::string name;
  std::optional<long long> quantity;
  std::optional<std::string> unit;
};

struct Stakeholder {
  std::string name;
  std::optional<std::string> title;
  std::optional<std::string> email;
  std::optional<std::string> phone;
};

struct PricingTerms {
  std::optional<double> total_value;
  std::optional<std::string> billing_frequency;  // annual|semi-annual|quarterly|monthly|one-time
  std::optional<int> payment_terms_days;
  std::optional<std::string> currency;  // ISO 4217
};

struct ContractExtraction {
  std::optional<std::string> company_name;  // the customer
  std::optional<double> arr;                // per year, in `currency`, never converted
  std::optional<std::string> currency;      // ISO 4217
  ContractTerm contract_term;
  std::vector<Entitlement> entitlements;
  std::vector<Stakeholder> stakeholders;
  std::vector<std::string> technical_requirements;
  PricingTerms pricing_terms;
  // Field path ("arr", "contract_term.start_date", "stakeholders[1].email")
  // -> where it came from. Only filled fields have an entry.
  std::map<std::string, Evidence> evidence;

  // Not part of the JSON output: the normalised text the offsets refer to,
  // its format and page count.
  std::string text;
  DocumentFormat format = DocumentFormat::kText;
  int pages = 1;
};

// Detects the format of `bytes`: "%PDF-" is PDF, a zip holding
// word/document.xml is DOCX, anything else is text.
DocumentFormat detect_format(std::string_view bytes);

// Parses a contract document. Pure and thread-safe (poppler, libzip and
// pugixml keep no shared state we touch). Fails with
//  - kPayloadTooLarge: over max_bytes, max_pages, max_docx_xml_bytes or
//    max_text_bytes (zip bombs included);
//  - kInvalidArgument: a damaged or encrypted PDF or DOCX, a PDF or DOCX with
//    no extractable text (image-only scans), invalid UTF-8 when refused, or
//    an empty document.
// Anything the document does not say stays empty (null in JSON).
[[nodiscard]] Result<ContractExtraction> parse_contract(std::string_view bytes,
                                                        const ParseLimits& limits = {});

// The text of a document (plain text, PDF or DOCX, told apart by its
// bytes), normalised as parse_contract() reads it. For the other analysers
// that take the same kinds of files (meeting transcripts exported from Word,
// Teams or a PDF printer); the limits and errors are parse_contract()'s.
[[nodiscard]] Result<std::string> extract_text(std::string_view bytes,
                                               const ParseLimits& limits = {});

// The issue-6 output object: company_name, arr, currency, contract_term,
// entitlements, stakeholders, technical_requirements, pricing_terms and
// evidence, with null for unknown values.
boost::json::object to_json(const ContractExtraction& extraction);

}  // namespace cscx::contracts
