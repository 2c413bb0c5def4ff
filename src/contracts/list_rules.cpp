// Lists: entitlements from order-form tables (a header naming the product and
// quantity columns) and from bullets under an entitlement heading; technical
// requirements from the bullets or sentences under a technical heading.
#include <algorithm>
#include <string>

#include "contracts/contract_rules.h"

namespace cscx::contracts::internal {
namespace {

bool any_word(std::string_view hay, std::initializer_list<std::string_view> words) {
  return std::any_of(words.begin(), words.end(), [&](std::string_view w) { return contains_word(hay, w); });
}

// "3. TECHNICAL REQUIREMENTS:" -> "technical requirements".
std::string heading_text(std::string_view line) {
  std::string lower = lower_ascii(trim(line));
  std::string_view v = lower;
  while (!v.empty() && (v.front() == '#' || v.front() == ' ')) v.remove_prefix(1);
  for (std::string_view lead : {"section ", "schedule ", "exhibit ", "annex ", "appendix ", "part ", "anlage "}) {
    if (v.rfind(lead, 0) == 0) {
      v.remove_prefix(lead.size());
      while (!v.empty() && v.front() != ' ' && v.front() != ':' && v.front() != '-') v.remove_prefix(1);
    }
  }
  while (!v.empty() && ((v.front() >= '0' && v.front() <= '9') || v.front() == '.' || v.front() == ' ' ||
                        v.front() == '-' || v.front() == ':' || v.front() == ')')) {
    v.remove_prefix(1);
  }
  return std::string(trim_value(v));
}

template <std::size_t N>
bool heading_matches(std::string_view heading, const std::string_view (&phrases)[N]) {
  if (heading.empty()) return false;
  return std::any_of(std::begin(phrases), std::end(phrases), [&](std::string_view p) {
    // One-word phrases ("security") must be the whole heading; longer ones
    // may sit inside it ("3. Technical Requirements (Schedule B)").
    // (A phrase no shorter than the heading is inside it only when equal.)
    return heading == p ||
           (heading.size() > p.size() && p.find(' ') != std::string_view::npos && contains_word(heading, p));
  });
}

// A section heading for the list rules: the scan's headings, numbered ones
// included, and any short line that is exactly a lexicon heading.
bool is_known_heading(std::string_view line) {
  std::string h = heading_text(line);
  return heading_matches(h, lexicon::kEntitlementHeadings) || heading_matches(h, lexicon::kTechnicalHeadings) ||
         heading_matches(h, lexicon::kContactHeadings);
}

bool is_section_heading(const Scan& scan, std::size_t i) {
  std::string_view line = trim(scan.ix.line_text(i));
  if (line.empty() || line.size() > 70) return false;
  if (bullet_length(line) > 0 && !(line[0] >= '0' && line[0] <= '9')) return false;
  std::string h = heading_text(line);
  if (heading_matches(h, lexicon::kEntitlementHeadings) || heading_matches(h, lexicon::kTechnicalHeadings) ||
      heading_matches(h, lexicon::kContactHeadings)) {
    return line.find(':') == std::string_view::npos || line.back() == ':';
  }
  if (bullet_length(line) > 0 && !(line[0] >= '0' && line[0] <= '9')) return false;
  return scan.is_heading(i);
}

constexpr std::string_view kHeaderHints[] = {
    "qty", "quantit", "unit", "seat", "licen", "user", "price", "fee", "amount", "total", "cost",
    "menge", "anzahl", "preis", "betrag", "volume", "count", "no. of"};

bool is_separator_row(std::string_view line) {
  return !line.empty() && std::all_of(line.begin(), line.end(), [](char c) {
    return c == '|' || c == '-' || c == ':' || c == ' ' || c == '+' || c == '=';
  });
}

const lexicon::UnitWord* unit_in(std::string_view lower, std::size_t& at) {
  const lexicon::UnitWord* best = nullptr;
  std::size_t best_at = std::string_view::npos;
  for (const auto& u : lexicon::kUnits) {
    std::size_t p = 0;
    while ((p = find_word(lower, u.word, p)) != std::string_view::npos) {
      auto count = count_before(lower, p);
      if (!count && p > 1) {
        // One qualifying word between count and unit: "75 technician licenses".
        std::size_t w = lower.rfind(' ', p - 2);
        if (w != std::string_view::npos && p - w < 20) count = count_before(lower, w + 1);
      }
      if (count && count->value > 0 &&
          (best == nullptr || p < best_at || (p == best_at && u.word.size() > best->word.size()))) {
        best = &u;
        best_at = p;
        break;
      }
      p += u.word.size();
    }
  }
  at = best_at;
  return best;
}

class ListRules {
 public:
  ListRules(const Scan& scan, Draft& draft) : scan_(scan), draft_(draft), ix_(scan.ix) {}
  void entitlements();
  void technical_requirements();

 private:
  void add_entitlement(std::string name, std::optional<long long> qty, std::optional<std::string> unit,
                       Span span, double confidence);
  void table_at(std::size_t header_line, std::size_t& next_line);
  void bullet_entitlement(Span content);
  void prose_entitlements();
  void add_requirement(Span span);

  const Scan& scan_;
  Draft& draft_;
  const TextIndex& ix_;
};

void ListRules::add_entitlement(std::string name, std::optional<long long> qty,
                                std::optional<std::string> unit, Span span, double confidence) {
  name = std::string(trim_value(name));
  while (!name.empty() && (name.back() == '-' || name.back() == ':' || name.back() == ' ')) name.pop_back();
  if (name.size() < 2 || name.size() > 120) return;
  for (const Entitlement& e : draft_.out.entitlements) {
    if (lower_ascii(e.name) == lower_ascii(name)) return;
  }
  std::string path = "entitlements[" + std::to_string(draft_.out.entitlements.size()) + "]";
  draft_.out.entitlements.push_back({std::move(name), qty, std::move(unit)});
  draft_.note(path, span, confidence);
}

// Header row: a product column and a quantity (or price) column.
void ListRules::table_at(std::size_t header_line, std::size_t& next_line) {
  std::string_view header = ix_.line_text(header_line);
  // Cheap test before splitting: a header names a quantity or a price.
  std::string_view lower_header = ix_.line_lower(header_line);
  if (header.size() > 300 ||
      !std::any_of(std::begin(kHeaderHints), std::end(kHeaderHints),
                   [&](std::string_view h) { return lower_header.find(h) != std::string_view::npos; })) {
    return;
  }
  std::vector<Span> cells = split_cells(header);
  int name_col = -1, qty_col = -1, unit_col = -1, price_col = -1;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    std::string h = lower_ascii(header.substr(cells[c].begin, cells[c].end - cells[c].begin));
    int ci = static_cast<int>(c);
    if (any_word(h, {"qty", "quantity", "menge", "anzahl", "volume", "count", "seats", "licenses",
                     "users", "no. of"}) && qty_col < 0) {
      qty_col = ci;
    } else if (any_word(h, {"unit", "units", "metric", "uom", "einheit", "unit of measure"}) &&
               !contains_word(h, "price") && unit_col < 0) {
      unit_col = ci;
    } else if (any_word(h, {"product", "item", "description", "service", "services", "module", "sku",
                            "name", "plan", "edition", "package", "component", "offering", "produkt",
                            "leistung", "subscription", "license type", "feature"}) && name_col < 0) {
      name_col = ci;
    } else if (any_word(h, {"price", "fee", "fees", "amount", "total", "cost", "preis", "betrag"})) {
      price_col = ci;
    }
  }
  // "Units" alone counts things.
  if (qty_col < 0 && unit_col >= 0) std::swap(qty_col, unit_col);
  if (name_col < 0 || (qty_col < 0 && price_col < 0)) return;
  std::string qty_header = qty_col >= 0 ? lower_ascii(header.substr(cells[static_cast<std::size_t>(qty_col)].begin,
                                                                   cells[static_cast<std::size_t>(qty_col)].end -
                                                                       cells[static_cast<std::size_t>(qty_col)].begin))
                                        : std::string();
  std::size_t i = header_line + 1;
  for (; i < ix_.line_count(); ++i) {
    std::string_view row = ix_.line_text(i);
    if (is_separator_row(row) && !is_blank(row)) continue;
    std::vector<Span> rc = split_cells(row);
    if (is_blank(row) || rc.size() < 2) break;
    auto cell = [&](int c) -> std::string_view {
      if (c < 0 || static_cast<std::size_t>(c) >= rc.size()) return {};
      return row.substr(rc[static_cast<std::size_t>(c)].begin,
                        rc[static_cast<std::size_t>(c)].end - rc[static_cast<std::size_t>(c)].begin);
    };
    std::string name(cell(name_col));
    std::string lname = lower_ascii(name);
    if (name.empty() || any_word(lname, {"total", "subtotal", "sub-total", "grand total", "discount", "tax",
                                         "vat", "gesamt", "summe"})) {
      continue;
    }
    std::optional<long long> qty;
    std::optional<std::string> unit;
    std::string_view q = cell(qty_col);
    if (std::size_t d = q.find_first_of("0123456789"); d != std::string_view::npos) {
      if (auto n = scan_number(q, d); n && n->value < 1e12) qty = static_cast<long long>(n->value);
      std::string lq = lower_ascii(q);
      std::size_t at = 0;
      if (const auto* u = unit_in(lq, at)) unit = std::string(u->unit);
    }
    if (!unit && unit_col >= 0 && !cell(unit_col).empty()) {
      std::string lu = lower_ascii(trim_value(cell(unit_col)));
      unit = lu;
      for (const auto& u : lexicon::kUnits) {
        if (u.word == lu) unit = std::string(u.unit);
      }
    }
    if (!unit && qty) {
      for (const auto& u : lexicon::kUnits) {
        if (contains_word(qty_header, u.word)) {
          unit = std::string(u.unit);
          break;
        }
      }
    }
    // "Core Helpdesk Seats | 50": the name says what is counted.
    if (!unit && qty) {
      std::size_t sp = lname.rfind(' ');
      std::string_view last = trim_value(std::string_view(lname).substr(sp == std::string::npos ? 0 : sp + 1));
      while (!last.empty() && (last.front() == '(' || last.front() == '[')) last.remove_prefix(1);
      while (!last.empty() && (last.back() == ')' || last.back() == ']')) last.remove_suffix(1);
      for (const auto& u : lexicon::kUnits) {
        if (u.word == last) {
          unit = std::string(u.unit);
          break;
        }
      }
    }
    Span span{ix_.line(i).begin + rc.front().begin, ix_.line(i).begin + rc.back().end};
    add_entitlement(name, qty, unit, span, qty ? 0.85 : 0.7);
  }
  next_line = i;
}

// "Analytics Pro: 250 named users", "250 seats of Analytics Pro", "Premium Support".
void ListRules::bullet_entitlement(Span content) {
  std::string_view text = ix_.slice(content);
  // Prices after the item are not part of its name.
  for (const MoneyHit& m : scan_.money) {
    if (m.begin >= content.begin && m.begin < content.end) {
      text = text.substr(0, m.begin - content.begin);
      break;
    }
  }
  std::string lower = lower_ascii(text);
  std::size_t at = 0;
  const lexicon::UnitWord* unit = unit_in(lower, at);
  if (unit == nullptr) {
    std::string name(trim_value(text));
    for (std::string_view sep : {" - ", " @ ", " at ", "("}) {
      if (std::size_t p = name.find(sep); p != std::string::npos && p > 2) name.resize(p);
    }
    add_entitlement(name, std::nullopt, std::nullopt, content, 0.6);
    return;
  }
  auto count = count_before(lower, at);
  if (!count) {
    std::size_t w = lower.rfind(' ', at - 2);
    count = count_before(lower, w + 1);
  }
  std::string left(trim_value(text.substr(0, count->begin)));
  std::string right(trim_value(text.substr(at + unit->word.size())));
  for (std::string_view lead : {"up to", "including", "includes", "bis zu"}) {
    std::string ll = lower_ascii(left);
    if (ll.size() >= lead.size() && ll.compare(ll.size() - lead.size(), lead.size(), lead) == 0) {
      left = std::string(trim_value(left.substr(0, left.size() - lead.size())));
    }
  }
  std::string_view r = right;
  for (std::string_view lead : {"of ", "for ", "with ", "- ", "in ", "on "}) {
    if (lower_ascii(r).rfind(lead, 0) == 0) r = trim_value(r.substr(lead.size()));
  }
  for (std::string_view sep : {" per ", " - ", "(", ","}) {
    if (std::size_t p = r.find(sep); p != std::string_view::npos) r = trim_value(r.substr(0, p));
  }
  std::string name = !left.empty() ? left : std::string(r);
  if (name.empty()) name = std::string(unit->word);
  add_entitlement(name, count->value, std::string(unit->unit), content, 0.75);
}

// "The number of Fleet Planner users is increased from 80 to 120 users."
void ListRules::prose_entitlements() {
  std::string_view lower = ix_.lower();
  std::size_t at = 0;
  int n = 0;
  while ((at = ix_.find_word("number of", at)) != std::string_view::npos && n++ < 50) {
    std::size_t name_begin = at + 10;
    Span sentence = ix_.sentence_around(at);
    at = name_begin;
    std::string_view rest = lower.substr(name_begin, sentence.end - std::min(sentence.end, name_begin));
    std::size_t verb = std::string_view::npos;
    for (std::string_view v : {" is increased", " is reduced", " is decreased", " is changed", " is amended",
                               " shall be", " will be", " is set", " increases", " is "}) {
      verb = std::min(verb, rest.find(v));
    }
    if (verb == std::string_view::npos) continue;
    std::string_view subject = rest.substr(0, verb);
    std::size_t unit_at = 0;
    const lexicon::UnitWord* unit = nullptr;
    for (const auto& u : lexicon::kUnits) {
      std::size_t p = find_word(subject, u.word);
      if (p != std::string_view::npos && p + u.word.size() == subject.size()) {
        unit = &u;
        unit_at = p;
        break;
      }
    }
    if (unit == nullptr || unit_at == 0) continue;
    // The last count of that unit in the sentence is the new quantity.
    std::optional<CountHit> qty;
    std::size_t p = name_begin + verb;
    while ((p = find_word(lower.substr(0, sentence.end), unit->word, p)) != std::string_view::npos) {
      if (auto c = count_before(lower, p)) qty = c;
      p += unit->word.size();
    }
    if (!qty) continue;
    std::string name(trim_value(ix_.text().substr(name_begin, unit_at)));
    add_entitlement(name, qty->value, std::string(unit->unit), sentence, 0.6);
  }
}

void ListRules::entitlements() {
  bool in_section = false;
  bool seen_item = false;
  for (std::size_t i = 0; i < ix_.line_count(); ++i) {
    std::string_view line = ix_.line_text(i);
    if (is_blank(line)) continue;
    std::vector<Span> cells = split_cells(line);
    if (cells.size() >= 2 && (line.find('|') != std::string_view::npos || line.find('\t') != std::string_view::npos ||
                              cells.size() >= 3)) {
      std::size_t before = draft_.out.entitlements.size();
      std::size_t next = i;
      table_at(i, next);
      if (draft_.out.entitlements.size() > before) {
        i = next - 1;
        continue;
      }
      if (!in_section) continue;
    }
    if (is_section_heading(scan_, i) && (is_known_heading(line) || !(in_section && bullet_length(line) > 0))) {
      in_section = heading_matches(heading_text(line), lexicon::kEntitlementHeadings);
      seen_item = false;
      continue;
    }
    if (!in_section) continue;
    std::size_t b = bullet_length(line);
    if (b == 0) {
      // "Analytics Pro: 250 users" is an item; prose or another label ends the list.
      std::string_view lower = ix_.line_lower(i);
      std::size_t at = 0;
      if (line.find(':') == std::string_view::npos || unit_in(lower, at) == nullptr) {
        if (seen_item || line.find(':') != std::string_view::npos || line.size() > 80) in_section = false;
        continue;
      }
    }
    seen_item = true;
    bullet_entitlement({ix_.line(i).begin + b, ix_.line(i).end});
  }
  if (draft_.out.entitlements.empty()) prose_entitlements();
}

void ListRules::add_requirement(Span span) {
  std::string_view v = trim_value(ix_.slice(span));
  if (v.size() < 6) return;
  if (v.size() > 300) v = v.substr(0, 300);
  std::string item;
  for (char c : v) {
    if (c == '\n' || c == '\t') c = ' ';
    if (c == ' ' && !item.empty() && item.back() == ' ') continue;
    item.push_back(c);
  }
  while (!item.empty() && (item.back() == '.' || item.back() == ';')) item.pop_back();
  for (const std::string& r : draft_.out.technical_requirements) {
    if (r == item) return;
  }
  std::string path = "technical_requirements[" + std::to_string(draft_.out.technical_requirements.size()) + "]";
  draft_.out.technical_requirements.push_back(std::move(item));
  draft_.note(path, span, 0.7);
}

void ListRules::technical_requirements() {
  for (const LabelLine& l : scan_.labels) {
    if (!heading_matches(std::string(l.label), lexicon::kTechnicalHeadings)) continue;
    std::string_view v = ix_.slice(l.value);
    std::size_t b = 0;
    for (std::size_t k = 0; k <= v.size(); ++k) {
      if (k == v.size() || v[k] == ';') {
        add_requirement({l.value.begin + b, l.value.begin + k});
        b = k + 1;
      }
    }
  }
  // "3. Security. The Company shall maintain SOC 2 ...": a numbered clause
  // whose title is a technical heading.
  for (std::size_t i = 0; i < ix_.line_count(); ++i) {
    std::string_view line = ix_.line_text(i);
    std::size_t b = bullet_length(line);
    if (b == 0 || !(line[0] >= '0' && line[0] <= '9')) continue;
    std::size_t dot = line.find(". ", b);
    if (dot == std::string_view::npos || dot - b > 40) continue;
    std::string title = heading_text(line.substr(b, dot - b));
    if (!heading_matches(title, lexicon::kTechnicalHeadings)) continue;
    std::size_t p = ix_.line(i).begin + dot + 2;
    while (p < ix_.text().size()) {
      Span s = ix_.sentence_around(p);
      if (s.end <= p || ix_.line_of(p) > i + 8) break;
      add_requirement({std::max(s.begin, p), s.end});
      std::size_t next = s.end;
      while (next < ix_.text().size() && (ix_.text()[next] == ' ' || ix_.text()[next] == '\n')) {
        if (ix_.text()[next] == '\n' && next + 1 < ix_.text().size() && ix_.text()[next + 1] == '\n') {
          next = ix_.text().size();
          break;
        }
        ++next;
      }
      if (next >= ix_.text().size() || bullet_length(ix_.line_text(ix_.line_of(next))) > 0) break;
      p = next;
    }
  }
  bool in_section = false;
  bool seen_bullet = false, seen_prose = false;
  for (std::size_t i = 0; i < ix_.line_count() && draft_.out.technical_requirements.size() < 40; ++i) {
    std::string_view line = ix_.line_text(i);
    if (is_blank(line)) {
      if (seen_prose) in_section = false;
      continue;
    }
    if (is_section_heading(scan_, i) && (is_known_heading(line) || !(in_section && bullet_length(line) > 0))) {
      in_section = heading_matches(heading_text(line), lexicon::kTechnicalHeadings);
      seen_bullet = seen_prose = false;
      continue;
    }
    if (!in_section) continue;
    std::size_t b = bullet_length(line);
    Span body{ix_.line(i).begin + b, ix_.line(i).end};
    if (b > 0) {
      seen_bullet = true;
      add_requirement(body);
      continue;
    }
    // After a list, the first line that is not a bullet ends the section.
    if (seen_bullet) {
      in_section = false;
      continue;
    }
    seen_prose = true;
    // Prose: one requirement per sentence.
    std::size_t p = body.begin;
    while (p < body.end) {
      Span s = ix_.sentence_around(p);
      Span clipped{std::max(s.begin, p), std::min(s.end, body.end)};
      if (clipped.end <= clipped.begin) break;
      add_requirement(clipped);
      p = clipped.end + 1;
    }
  }
}

}  // namespace

void find_entitlements(const Scan& scan, Draft& draft) { ListRules(scan, draft).entitlements(); }

void find_technical_requirements(const Scan& scan, Draft& draft) {
  ListRules(scan, draft).technical_requirements();
}

}  // namespace cscx::contracts::internal
