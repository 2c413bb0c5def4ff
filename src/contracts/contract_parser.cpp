#include "contracts/contract_parser.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "contracts/contract_rules.h"
#include "contracts/document_text.h"

namespace cscx::contracts {
namespace internal {
namespace {

bool is_upper_ascii(char c) { return c >= 'A' && c <= 'Z'; }

lexicon::Label label_kind(std::string_view lower_label) {
  for (const auto& l : lexicon::kLabels) {
    if (l.label == lower_label) return l.kind;
  }
  // Bilingual labels: "Paiement / Payment terms".
  if (std::size_t slash = lower_label.find(" / "); slash != std::string_view::npos) {
    lexicon::Label k = label_kind(trim(lower_label.substr(slash + 3)));
    return k != lexicon::Label::kNone ? k : label_kind(trim(lower_label.substr(0, slash)));
  }
  return lexicon::Label::kNone;
}

bool known_label(std::string_view lower_label) {
  if (label_kind(lower_label) != lexicon::Label::kNone) return true;
  return std::any_of(std::begin(lexicon::kRoles), std::end(lexicon::kRoles),
                     [&](const auto& r) { return r.word == lower_label; });
}

// "Annual Fee (EUR)" -> "annual fee"; "**Term**" -> "term".
std::string_view clean_label(std::string_view label, std::string_view* role = nullptr) {
  label = trim_value(label);
  if (std::size_t paren = label.find('('); paren != std::string_view::npos && paren > 0) {
    std::size_t close = label.find(')', paren);
    if (close != std::string_view::npos && role != nullptr) {
      std::string_view inner = label.substr(paren + 1, close - paren - 1);
      if (side_of_role(inner) != lexicon::Side::kUnknown) *role = inner;
    }
    label = trim_value(label.substr(0, paren));
  }
  return label;
}

void collect_labels(const TextIndex& ix, std::vector<LabelLine>& out) {
  for (std::size_t i = 0; i < ix.line_count(); ++i) {
    std::string_view line = ix.line_text(i);
    if (line.size() < 3 || line.size() > 2000) continue;
    std::size_t skip = bullet_length(line);
    std::size_t base = ix.line(i).begin + skip;
    std::string_view body = line.substr(skip);
    std::string_view lower = ix.line_lower(i).substr(skip);
    std::size_t colon = lower.find(':');
    if (colon != std::string_view::npos && colon > 0 && colon <= 45) {
      std::string_view role;
      std::string_view label = clean_label(lower.substr(0, colon), &role);
      std::size_t words = static_cast<std::size_t>(std::count(label.begin(), label.end(), ' ')) + 1;
      if (!label.empty() && words <= 8 && label.find('.') == std::string_view::npos) {
        Span value{base + colon + 1, ix.line(i).end};
        std::string_view v = trim(ix.slice(value));
        if (v.empty() && i + 1 < ix.line_count() && !is_blank(ix.line_text(i + 1)) &&
            ix.line_text(i + 1).size() <= 100 &&
            ix.line_text(i + 1).find(':') == std::string_view::npos) {
          value = ix.line(i + 1);
        }
        // "Term: 12 months | Billing: Annual" puts two labels on a row.
        std::string_view rest = ix.slice(value);
        if (std::size_t bar = rest.find('|'); bar != std::string_view::npos) {
          value.end = value.begin + bar;
        }
        out.push_back({label, label_kind(label), value, i, role});
        continue;
      }
    }
    std::vector<Span> cells = split_cells(body);
    if (cells.size() >= 2) {
      std::string_view first = clean_label(lower.substr(cells[0].begin, cells[0].end - cells[0].begin));
      if (known_label(first)) {
        out.push_back({first, label_kind(first),
                       {base + cells[1].begin, base + cells.back().end}, i});
      }
    }
  }
}

}  // namespace

Scan::Scan(std::string_view text) : ix(text) {
  collect_labels(ix, labels);
  money = find_money(ix.text(), ix.lower());
  std::size_t european = 0;
  for (const auto& m : money) european += (m.currency == "EUR" || m.currency == "GBP" ||
                                           m.currency == "CHF");
  day_first = european * 2 > money.size() && !money.empty();
  // One "30/09/2027" settles it for the whole document.
  std::string_view t = ix.lower();
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t p = t.find('/'); p != std::string_view::npos && !day_first; p = t.find('/', p + 1)) {
    if (p < 2 || p + 4 >= t.size()) continue;
    if (!digit(t[p - 1]) || !digit(t[p - 2]) || (p >= 3 && digit(t[p - 3])) || !digit(t[p + 1]) ||
        !digit(t[p + 2]) || t[p + 3] != '/') {
      continue;
    }
    int first = (t[p - 2] - '0') * 10 + (t[p - 1] - '0');
    int second = (t[p + 1] - '0') * 10 + (t[p + 2] - '0');
    if (first > 12 && first <= 31 && second >= 1 && second <= 12) day_first = true;
  }
  dates = find_dates(ix.lower(), day_first);
  std::string_view head = ix.lower().substr(0, 800);
  amendment = contains_word(head, "amendment") || contains_word(head, "addendum") ||
              contains_word(head, "change order") || contains_word(head, "renewal order") ||
              contains_word(head, "nachtrag");
}

const LabelLine* Scan::label(lexicon::Label kind) const {
  for (const auto& l : labels) {
    if (l.kind == kind && !trim(ix.slice(l.value)).empty()) return &l;
  }
  return nullptr;
}

bool Scan::is_heading(std::size_t i) const {
  std::string_view line = trim(ix.line_text(i));
  if (line.empty() || line.size() > 70) return false;
  if (bullet_length(line) > 0 && !(line[0] >= '0' && line[0] <= '9')) return false;
  if (line.find('|') != std::string_view::npos) return false;
  if (line.front() == '#') return true;
  if (line.back() == ':') return true;
  std::size_t colon = line.find(':');
  if (colon != std::string_view::npos && colon + 1 < line.size()) return false;
  if (line.back() == '.' || line.back() == ',' || line.back() == ';') return false;
  std::size_t letters = 0, upper = 0;
  for (char c : line) {
    if ((c >= 'a' && c <= 'z') || is_upper_ascii(c)) {
      ++letters;
      upper += is_upper_ascii(c);
    }
  }
  if (letters >= 3 && upper * 10 >= letters * 8) return true;
  // "3. Technical Requirements", "Schedule B - Entitlements", "Order Details"
  std::size_t words = static_cast<std::size_t>(std::count(line.begin(), line.end(), ' ')) + 1;
  if (words > 6) return false;
  if (line[0] >= '0' && line[0] <= '9') return true;
  std::size_t start = 0;
  while (start < line.size()) {
    std::size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    std::string_view w = line.substr(start, end - start);
    bool small = w == "and" || w == "of" || w == "&" || w == "the" || w == "for" || w == "to" ||
                 w == "in" || w == "-" || w == "/";
    if (!w.empty() && !small && !is_upper_ascii(w[0])) return false;
    if (std::any_of(w.begin(), w.end(), [](char c) { return c == '@' || c == ','; })) return false;
    start = end + 1;
  }
  return true;
}

void Draft::note(const std::string& path, Span span, double confidence) {
  Evidence e;
  e.confidence = std::clamp(confidence, 0.0, 1.0);
  e.start = span.begin;
  e.end = span.end;
  out.evidence[path] = e;
}

std::string name_key(std::string_view name) {
  std::string key;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    bool suffix = word == "the" || std::any_of(std::begin(lexicon::kLegalSuffixes),
                                               std::end(lexicon::kLegalSuffixes),
                                               [&](std::string_view s) { return s == word; });
    if (!suffix) key += word;
    word.clear();
  };
  for (char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80) {
      word.push_back(c);
    } else if (is_upper_ascii(c)) {
      word.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (c == '&') {
      word.push_back('&');
    } else if (c != '.') {
      flush();
    }
  }
  flush();
  return key;
}

bool looks_like_name(std::string_view value) {
  value = trim_value(value);
  if (value.size() < 2 || value.size() > 90) return false;
  char c = value.front();
  if (!(is_upper_ascii(c) || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80)) {
    return false;
  }
  std::size_t words = static_cast<std::size_t>(std::count(value.begin(), value.end(), ' ')) + 1;
  if (words > 9) return false;
  std::string lower = lower_ascii(value);
  for (std::string_view verb : {"shall", "will", "means", "agrees", "may", "must", "hereby",
                                "herein", "this agreement", "the parties", "signature", "____"}) {
    if (contains_word(lower, verb)) return false;
  }
  return std::any_of(value.begin(), value.end(),
                     [](char ch) { return (ch >= 'a' && ch <= 'z') || is_upper_ascii(ch); });
}

lexicon::Side side_of_role(std::string_view role_lower) {
  for (const auto& r : lexicon::kRoles) {
    if (r.word == role_lower) return r.side;
  }
  return lexicon::Side::kUnknown;
}

namespace {

// Evidence offsets: bytes -> code points, in one pass over the text.
void to_code_points(const DocumentText& doc, ContractExtraction& out) {
  std::vector<std::size_t*> offsets;
  for (auto& [path, e] : out.evidence) {
    e.page = doc.page_of(e.start);
    offsets.push_back(&e.start);
    offsets.push_back(&e.end);
  }
  std::sort(offsets.begin(), offsets.end(), [](auto* a, auto* b) { return *a < *b; });
  std::size_t byte = 0, cp = 0;
  for (std::size_t* off : offsets) {
    std::size_t target = std::min(*off, doc.text.size());
    for (; byte < target; ++byte) {
      if ((static_cast<unsigned char>(doc.text[byte]) & 0xC0) != 0x80) ++cp;
    }
    *off = cp;
  }
}

}  // namespace
}  // namespace internal

Result<std::string> extract_text(std::string_view bytes, const ParseLimits& limits) {
  auto doc = internal::extract_document(bytes, limits);
  if (!doc) return doc.error();
  return std::move(doc->text);
}

Result<ContractExtraction> parse_contract(std::string_view bytes, const ParseLimits& limits) {
  auto doc = internal::extract_document(bytes, limits);
  if (!doc) return doc.error();
  internal::Scan scan(doc->text);
  internal::Draft draft;
  internal::find_parties(scan, draft);
  internal::find_term(scan, draft);
  internal::find_money_terms(scan, draft);
  internal::find_entitlements(scan, draft);
  internal::find_stakeholders(scan, draft);
  internal::find_technical_requirements(scan, draft);
  internal::to_code_points(*doc, draft.out);
  draft.out.format = doc->format;
  draft.out.pages = static_cast<int>(doc->page_starts.size());
  draft.out.text = std::move(doc->text);
  return std::move(draft.out);
}

namespace {

boost::json::value number(const std::optional<double>& v) {
  if (!v) return nullptr;
  double r = std::round(*v * 100) / 100;
  if (std::fabs(r) < 1e15 && r == std::floor(r)) return static_cast<std::int64_t>(r);
  return r;
}

template <class T>
boost::json::value optional_value(const std::optional<T>& v) {
  if (!v) return nullptr;
  return boost::json::value(*v);
}

}  // namespace

boost::json::object to_json(const ContractExtraction& x) {
  boost::json::object o;
  o["company_name"] = optional_value(x.company_name);
  o["arr"] = number(x.arr);
  o["currency"] = optional_value(x.currency);
  const ContractTerm& t = x.contract_term;
  o["contract_term"] = boost::json::object{
      {"start_date", optional_value(t.start_date)},
      {"end_date", optional_value(t.end_date)},
      {"months", optional_value(t.months)},
      {"auto_renew", optional_value(t.auto_renew)},
      {"renewal_notice_days", optional_value(t.renewal_notice_days)}};
  boost::json::array entitlements;
  for (const auto& e : x.entitlements) {
    entitlements.push_back(boost::json::object{{"name", e.name},
                                               {"quantity", optional_value(e.quantity)},
                                               {"unit", optional_value(e.unit)}});
  }
  o["entitlements"] = std::move(entitlements);
  boost::json::array stakeholders;
  for (const auto& s : x.stakeholders) {
    stakeholders.push_back(boost::json::object{{"name", s.name},
                                               {"title", optional_value(s.title)},
                                               {"email", optional_value(s.email)},
                                               {"phone", optional_value(s.phone)}});
  }
  o["stakeholders"] = std::move(stakeholders);
  boost::json::array requirements;
  for (const auto& r : x.technical_requirements) requirements.push_back(boost::json::value(r));
  o["technical_requirements"] = std::move(requirements);
  const PricingTerms& p = x.pricing_terms;
  o["pricing_terms"] = boost::json::object{
      {"total_value", number(p.total_value)},
      {"billing_frequency", optional_value(p.billing_frequency)},
      {"payment_terms_days", optional_value(p.payment_terms_days)},
      {"currency", optional_value(p.currency)}};
  boost::json::object evidence;
  for (const auto& [path, e] : x.evidence) {
    evidence[path] = boost::json::object{{"confidence", std::round(e.confidence * 100) / 100},
                                         {"page", e.page},
                                         {"start", e.start},
                                         {"end", e.end},
                                         {"source", e.source}};
  }
  o["evidence"] = std::move(evidence);
  return o;
}

}  // namespace cscx::contracts
