// Internal: the rules that turn normalised contract text into fields. Each
// rule family lives in its own file (party_rules, term_rules, money_rules,
// list_rules); they share the scanned text and write into a Draft.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/contract_parser.h"
#include "contracts/lexicon.h"
#include "contracts/text_scan.h"

namespace cscx::contracts::internal {

// A "Label: value" line (or a two-cell table row "Label | value").
struct LabelLine {
  std::string_view label;  // lowercased
  lexicon::Label kind = lexicon::Label::kNone;
  Span value;
  std::size_t line = 0;
  // A role in parentheses: "Primary Contact (Client)" -> "client".
  std::string_view role;
};

struct Party {
  std::string name;
  Span span;
  lexicon::Side side = lexicon::Side::kUnknown;
  double confidence = 0;
  bool from_label = false;
};

// Everything the rules read, computed once.
struct Scan {
  explicit Scan(std::string_view text);

  TextIndex ix;
  std::vector<LabelLine> labels;
  std::vector<DateHit> dates;
  std::vector<MoneyHit> money;
  std::vector<Party> parties;
  bool amendment = false;
  bool day_first = false;

  // The first label of `kind`, if any.
  const LabelLine* label(lexicon::Label kind) const;
  // True for a short line that introduces a section ("Entitlements:",
  // "3. TECHNICAL REQUIREMENTS", "## Contacts").
  bool is_heading(std::size_t line) const;
};

// The extraction being filled, with evidence kept as byte spans until the
// end (contract_parser.cpp turns them into code-point offsets).
struct Draft {
  ContractExtraction out;
  void note(const std::string& path, Span span, double confidence);
};

// Lowercase alphanumerics without legal suffixes: "ACME Corp." -> "acme".
std::string name_key(std::string_view name);
// A name-like value: starts with a capital or digit, few words, no verbs of
// obligation.
bool looks_like_name(std::string_view value);
lexicon::Side side_of_role(std::string_view role_lower);

void find_parties(Scan& scan, Draft& draft);
void find_stakeholders(const Scan& scan, Draft& draft);
void find_term(const Scan& scan, Draft& draft);
void find_money_terms(const Scan& scan, Draft& draft);
void find_entitlements(const Scan& scan, Draft& draft);
void find_technical_requirements(const Scan& scan, Draft& draft);

}  // namespace cscx::contracts::internal
