// Who the customer is: defined-term roles ("Acme Inc. (the \"Customer\")"),
// role labels ("Customer: Acme Inc.", "End Customer | Acme"), and, as a
// guess, the parties named in "between X and Y".
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "contracts/contract_rules.h"

namespace cscx::contracts::internal {
namespace {

using lexicon::Side;

std::string collapse_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\t';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool is_legal_suffix(std::string_view word_lower) {
  return std::any_of(std::begin(lexicon::kLegalSuffixes), std::end(lexicon::kLegalSuffixes),
                     [&](std::string_view s) { return s == word_lower; });
}

// "AS", "AB", "SE", "CO" are legal forms in capitals and ordinary words otherwise.
bool is_legal_suffix_as_written(std::string_view word) {
  std::string lower = lower_ascii(word);
  if (!is_legal_suffix(lower)) return false;
  if (lower.size() > 2) return true;
  return std::all_of(word.begin(), word.end(), [](char c) { return !(c >= 'a' && c <= 'z'); });
}

// Cuts the descriptors that follow a party's name: ", a Delaware
// corporation", ", with offices at", ", 12 Main Street".
Span clean_party_span(std::string_view text, std::string_view lower, Span s) {
  std::string_view v = lower.substr(s.begin, s.end - s.begin);
  // "Jane Roe, director of FreeCook": the party is the company, not its signatory.
  for (std::string_view via : {"director of ", "president of ", "ceo of ", "owner of ", "on behalf of ",
                               "representing ", "manager of "}) {
    std::size_t at = find_in(v, via);
    if (at != std::string_view::npos) {
      s.begin += at + via.size();
      v = lower.substr(s.begin, s.end - s.begin);
    }
  }
  std::size_t cut = v.size();
  // "ACME INC. a Nevada corporation having ...": an article that starts a description.
  for (std::string_view article : {" a ", " an "}) {
    for (std::size_t at = find_in(v, article); at != std::string_view::npos && at < cut; at = find_in(v, article, at + 1)) {
      std::string_view next = v.substr(at, 60);
      if (find_in(next, "corporation") != std::string_view::npos || find_in(next, "company") != std::string_view::npos ||
          find_in(next, "partnership") != std::string_view::npos || find_in(next, "limited") != std::string_view::npos ||
          find_in(next, "organization") != std::string_view::npos || find_in(next, "entity") != std::string_view::npos ||
          find_in(next, "institution") != std::string_view::npos) {
        cut = at;
        break;
      }
    }
  }
  cut = std::min(cut, find_any(v, {", a ", ", an ", " a corporation", " a company", ", with ", ", having ",
                                   ", located", ", whose ", ", organized", ", organised",
                                   ", incorporated", " with its principal", " with offices",
                                   " with a principal", " located at", ", registered", " (", ", of ",
                                   ", acting", " acting ", ", represented", " represented by", " whose ",
                                   ", company", ", nif", ", vat", ", registration", ", reg.", "\n\n",
                                   " - ", ", address", " address", " c/o "},
                                 cut));
  for (std::size_t i = 0; i + 1 < v.size(); ++i) {
    // An address on the next line: "ACME, INC.\n53702 Generations Drive".
    if (v[i] == '\n' && v[i + 1] >= '0' && v[i + 1] <= '9') {
      cut = std::min(cut, i);
      break;
    }
  }
  // A comma ends the name unless a legal suffix follows ("Acme, Inc.",
  // "Evergreen Dental Group, P.C."); what follows is an address or a descriptor.
  for (std::size_t i = 0; i + 1 < v.size() && i < cut; ++i) {
    if (v[i] != ',') continue;
    std::size_t b = i + 1;
    while (b < v.size() && (v[b] == ' ' || v[b] == '\n')) ++b;
    std::size_t e = b;
    while (e < v.size() && v[e] != ' ' && v[e] != ',' && v[e] != '\n' && v[e] != '(') ++e;
    std::string_view word = text.substr(s.begin + b, e - b);
    if (!is_legal_suffix_as_written(word) &&
        !(word.size() > 1 && is_legal_suffix_as_written(word.substr(0, word.size() - 1)))) {
      cut = i;
      break;
    }
  }
  // The name ends after its legal suffix ("DRAGON SYSTEMS, INC. 320 NEVADA
  // STREET"), unless another suffix follows ("Smith & Co. Ltd").
  {
    std::size_t i = 0;
    while (i < cut) {
      while (i < cut && (v[i] == ' ' || v[i] == '\n' || v[i] == ',')) ++i;
      std::size_t e = i;
      while (e < cut && v[e] != ' ' && v[e] != '\n' && v[e] != ',') ++e;
      std::string_view orig = text.substr(s.begin, cut);
      if (e > i && i > 0 && is_legal_suffix_as_written(orig.substr(i, e - i))) {
        std::size_t j = e;
        while (j < cut && (v[j] == ' ' || v[j] == '\n' || v[j] == ',')) ++j;
        std::size_t k = j;
        while (k < cut && v[k] != ' ' && v[k] != '\n' && v[k] != ',') ++k;
        if (j >= cut || !is_legal_suffix_as_written(orig.substr(j, k - j))) {
          cut = e;
          break;
        }
      }
      i = e;
    }
  }
  Span out{s.begin, s.begin + cut};
  auto junk = [](char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == ',' || c == ';' || c == ':' || c == '"' ||
           c == '\'' || c == '*' || c == '_' || c == '|' || c == '(' || c == '-';
  };
  while (out.begin < out.end && junk(text[out.begin])) ++out.begin;
  while (out.end > out.begin && junk(text[out.end - 1])) --out.end;
  // Skip a verb or two before the name: "authorizes International Direct
  // Response, Inc.".
  if (out.begin < out.end && text[out.begin] >= 'a' && text[out.begin] <= 'z') {
    for (int words = 0; words < 4 && out.begin < out.end && text[out.begin] >= 'a' && text[out.begin] <= 'z'; ++words) {
      std::size_t sp = text.find_first_of(" \n", out.begin);
      if (sp == std::string_view::npos || sp >= out.end) break;
      out.begin = sp + 1;
    }
    if (out.begin >= out.end || !(text[out.begin] >= 'A' && text[out.begin] <= 'Z')) return {out.end, out.end};
  }
  // Drop a lead-in the boundary search left behind ("and\nAcme").
  for (std::string_view lead : {"by and between", "by and among", "between", "among", "and", "by",
                                "with", "the undersigned", "for"}) {
    std::string_view rest = lower.substr(out.begin, out.end - out.begin);
    if (rest.size() > lead.size() && rest.rfind(lead, 0) == 0 &&
        (rest[lead.size()] == ' ' || rest[lead.size()] == '\n')) {
      out.begin += lead.size();
      while (out.begin < out.end && (text[out.begin] == ' ' || text[out.begin] == '\n')) ++out.begin;
    }
  }
  return out;
}

bool names_a_document(std::string_view name) {
  std::string lower = lower_ascii(name);
  for (std::string_view w : {"agreement", "amendment", "exhibit", "addendum", "order form", "statement of work",
                             "appendix", "schedule", "the parties", "as follows", "hereinafter", "recitals",
                             "act of", "as amended", "dated", "section"}) {
    if (contains_word(lower, w)) return true;
  }
  return false;
}

bool has_legal_suffix(std::string_view name) {
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t end = name.find_first_of(" ,\n", start);
    if (end == std::string_view::npos) end = name.size();
    if (is_legal_suffix_as_written(name.substr(start, end - start))) return true;
    start = end + 1;
  }
  return false;
}

void add_party(Scan& scan, Span span, Side side, double confidence, bool from_label) {
  std::string name = collapse_spaces(scan.ix.slice(span));
  if (!looks_like_name(name) || names_a_document(name)) return;
  std::string key = name_key(name);
  if (key.empty() || side_of_role(key) != Side::kUnknown || key == "company") return;
  scan.parties.push_back({std::move(name), span, side, confidence, from_label});
}

void parties_from_labels(Scan& scan) {
  for (const auto& l : scan.labels) {
    Side side = side_of_role(l.label);
    if (side == Side::kUnknown) side = side_of_role(l.role);
    if (side == Side::kUnknown) continue;
    // "Customer: Jane Roe, CTO, jane@acme.com" names a person, not the party.
    std::string_view line = scan.ix.line_text(l.line);
    if (line.find('@') != std::string_view::npos) continue;
    // Prose such as "Customer: shall pay ..." is not a label.
    Span value = clean_party_span(scan.ix.text(), scan.ix.lower(), l.value);
    bool end_customer = l.label.find("end") != std::string_view::npos;
    add_party(scan, value, side, end_customer ? 0.97 : 0.95, true);
  }
}

// `NAME, a Delaware corporation ("Customer")`, `NAME (the "Licensor")`,
// `NAME (hereinafter referred to as "Client")`.
void parties_from_defined_terms(Scan& scan) {
  std::string_view text = scan.ix.text();
  std::string_view lower = scan.ix.lower();
  std::size_t p = 0;
  while ((p = text.find('(', p)) != std::string_view::npos) {
    std::size_t close = text.find(')', p);
    if (close == std::string_view::npos) break;
    if (close - p > 120) {
      ++p;
      continue;
    }
    std::string_view inner = lower.substr(p + 1, close - p - 1);
    std::size_t q1 = inner.find('"');
    std::size_t q2 = q1 == std::string_view::npos ? q1 : inner.find('"', q1 + 1);
    if (q2 == std::string_view::npos) {
      ++p;
      continue;
    }
    std::string_view role = inner.substr(q1 + 1, q2 - q1 - 1);
    Side side = side_of_role(role);
    // Most quoted terms define things ("Services", "Term"), not parties: a
    // short name needs its own words, or a company form, just before it.
    if (side == Side::kUnknown && role != "company") {
      std::string_view near = lower.substr(p > 300 ? p - 300 : 0, std::min<std::size_t>(p, 300));
      std::string_view first = role.substr(0, std::min(role.find(' '), role.size()));
      bool plausible = first.size() >= 2 && find_in(near, first) != std::string_view::npos;
      for (std::string_view form : {" inc", " ltd", " llc", " corp", " gmbh", " plc", " limited", " company",
                                    " l.l.c", " s.a", " ag", " b.v", " pty", " co."}) {
        plausible = plausible || find_in(near, form) != std::string_view::npos;
      }
      if (!plausible) {
        ++p;
        continue;
      }
    }
    // The name runs back from "(" to the last boundary word.
    std::size_t from = p > 300 ? p - 300 : 0;
    // Line breaks count as spaces when looking for the boundary words, but a
    // blank line is a boundary of its own.
    std::string window(lower.substr(from, p - from));
    std::size_t floor = 0;
    if (std::size_t blank = window.rfind("\n\n"); blank != std::string::npos) floor = blank + 2;
    for (char& c : window) {
      if (c == '\n' || c == '\t') c = ' ';
    }
    // Try the boundaries from the nearest back: the nearest may sit inside a
    // descriptor ("organized and existing under ..."), so take the first that
    // leaves something shaped like a name.
    std::vector<std::size_t> starts{floor};
    for (std::string_view b : {"between ", "among ", " and ", ":", ";", ")", " by ", " with "}) {
      for (std::size_t at = find_in(window, b); at != std::string::npos; at = find_in(window, b, at + 1)) {
        if (at + b.size() > floor) starts.push_back(at + b.size());
      }
    }
    std::sort(starts.rbegin(), starts.rend());
    if (starts.size() > 6) starts.resize(6);
    Span span{p, p};
    for (std::size_t begin : starts) {
      Span candidate = clean_party_span(text, lower, {from + begin, p});
      if (looks_like_name(collapse_spaces(scan.ix.slice(candidate)))) {
        span = candidate;
        break;
      }
    }
    bool is_role = side != Side::kUnknown || role == "company";
    // A quoted short name ("Helix") defines a party only when the name holds it;
    // ("Agreement"), ("Effective Date") and the like define other things.
    // A quoted short name defines a party when the name is a company (a legal
    // suffix) or starts with it: ("Bankers Bank") for "The Bankers Bank".
    std::string short_key = name_key(role);
    std::string long_key = name_key(scan.ix.slice(span));
    if (!is_role && (short_key.size() < 2 ||
                     (!has_legal_suffix(scan.ix.slice(span)) && long_key.rfind(short_key, 0) != 0))) {
      p = close;
      continue;
    }
    add_party(scan, span, side, is_role ? 0.9 : 0.5, false);
    p = close;
  }
}

// "between X and Y" with no roles: both are parties, side unknown.
void parties_from_between(Scan& scan) {
  std::string_view text = scan.ix.text();
  std::string_view lower = scan.ix.lower().substr(0, std::min<std::size_t>(6000, text.size()));
  std::size_t p = scan.ix.find_word("between", 0, lower.size());
  if (p == std::string_view::npos) return;
  // Only the "between" that introduces the parties of an agreement.
  std::string_view lead = lower.substr(p > 200 ? p - 200 : 0, std::min<std::size_t>(p, 200));
  if (lead.find("agreement") == std::string_view::npos && lead.find("entered") == std::string_view::npos &&
      lead.find("made") == std::string_view::npos && lead.find("contract") == std::string_view::npos) {
    return;
  }
  std::size_t b = p + 8;
  std::size_t and_at = lower.find(" and ", b);
  if (and_at == std::string_view::npos || and_at - b > 250) return;
  auto capital = [&](Span s) { return s.begin < s.end && text[s.begin] >= 'A' && text[s.begin] <= 'Z'; };
  if (Span first = clean_party_span(text, lower, {b, and_at}); capital(first)) {
    add_party(scan, first, Side::kUnknown, 0.35, false);
  }
  std::size_t c = and_at + 5;
  std::size_t e = c;
  while (e < lower.size() && e - c < 250 && lower[e] != '(' && lower[e] != ';' &&
         !(lower[e] == '\n' && e + 1 < lower.size() && lower[e + 1] == '\n') &&
         !(lower[e] == '.' && e + 1 < lower.size() && lower[e + 1] == ' ' &&
           !is_legal_suffix(std::string_view(lower).substr(
               lower.rfind(' ', e) + 1, e - lower.rfind(' ', e) - 1)))) {
    ++e;
  }
  if (Span second = clean_party_span(text, lower, {c, e}); capital(second)) {
    add_party(scan, second, Side::kUnknown, 0.35, false);
  }
}

int priority(const Party& p) {
  int base = p.side == Side::kCustomer ? 300 : p.side == Side::kUnknown ? 200 : 100;
  return base + static_cast<int>(p.confidence * 100);
}

}  // namespace

void find_parties(Scan& scan, Draft& draft) {
  parties_from_labels(scan);
  parties_from_defined_terms(scan);
  bool any_role = std::any_of(scan.parties.begin(), scan.parties.end(),
                              [](const Party& p) { return p.side != Side::kUnknown; });
  if (!any_role && scan.parties.empty()) parties_from_between(scan);
  if (scan.parties.empty()) return;

  // A name also defined with a role elsewhere takes that role.
  for (Party& p : scan.parties) {
    if (p.side != Side::kUnknown) continue;
    for (const Party& q : scan.parties) {
      if (q.side != Side::kUnknown && name_key(q.name) == name_key(p.name)) p.side = q.side;
    }
  }
  const Party* best = nullptr;
  bool has_customer = false, has_vendor = false, has_reseller = false;
  for (const Party& p : scan.parties) {
    has_customer |= p.side == Side::kCustomer;
    has_vendor |= p.side == Side::kVendor;
    has_reseller |= p.side == Side::kReseller;
  }
  for (const Party& p : scan.parties) {
    // Without a customer, a reseller is the vendor's buyer; the vendor
    // itself is never the answer.
    if (p.side == Side::kVendor) continue;
    if (p.side == Side::kReseller && (has_customer || !has_vendor)) continue;
    if (p.side == Side::kUnknown && has_customer) continue;
    if (best == nullptr || priority(p) > priority(*best)) best = &p;
  }
  if (best == nullptr) return;
  double confidence = best->confidence;
  if (best->side == Side::kUnknown) {
    // Only the vendor was named with a role: the other party is the customer.
    confidence = has_vendor ? 0.6 : std::min(confidence, 0.4);
    // With two unnamed parties, the second of "between X and Y" is more
    // often the buyer (vendors write the paper and name themselves first).
    if (!has_vendor) {
      for (const Party& p : scan.parties) {
        if (p.side == Side::kUnknown && p.span.begin > best->span.begin &&
            p.confidence >= best->confidence) {
          best = &p;
        }
      }
    }
  } else if (best->side == Side::kReseller) {
    confidence = 0.5;
  }
  draft.out.company_name = best->name;
  draft.note("company_name", best->span, confidence);
}

}  // namespace cscx::contracts::internal
