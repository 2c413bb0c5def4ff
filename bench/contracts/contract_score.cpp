// Accuracy of the contract parser.
//
//   contract_score dev DIR [--floor F] [--verbose]
//     Parses every document in DIR that has a NAME.expected.json beside it
//     and prints per-field precision, recall and F1, and their macro-F1.
//     With --floor, exits 1 when macro-F1 is below F (the ctest floor).
//   contract_score cuad DIR
//     Runs the parser on CUAD (DIR/annotations.jsonl, txt/ and pdf/) and
//     reports company_name against the Parties and start/end dates against
//     the Effective/Agreement/Expiration Date answers.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "contracts/contract_parser.h"
#include "contracts/text_scan.h"

namespace fs = std::filesystem;
namespace json = boost::json;
using cscx::contracts::parse_contract;
using cscx::contracts::to_json;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string norm(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) out.push_back(static_cast<char>(std::tolower(u)));
  }
  return out;
}

std::vector<std::string> tokens(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) {
      cur.push_back(static_cast<char>(std::tolower(u)));
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

double jaccard(std::string_view a, std::string_view b) {
  auto ta = tokens(a), tb = tokens(b);
  std::set<std::string> sa(ta.begin(), ta.end()), sb(tb.begin(), tb.end());
  std::size_t inter = 0;
  for (const auto& t : sa) inter += sb.count(t);
  std::size_t uni = sa.size() + sb.size() - inter;
  return uni == 0 ? 1.0 : static_cast<double>(inter) / static_cast<double>(uni);
}

struct Counts {
  int tp = 0, fp = 0, fn = 0;
  double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / (tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : double(tp) / (tp + fn); }
  double f1() const {
    double p = precision(), r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
  bool empty() const { return tp + fp + fn == 0; }
};

const json::value* at_path(const json::value& v, std::string_view path) {
  const json::value* cur = &v;
  while (!path.empty()) {
    std::size_t dot = path.find('.');
    std::string key(path.substr(0, dot));
    if (!cur->is_object()) return nullptr;
    auto it = cur->as_object().find(key);
    if (it == cur->as_object().end()) return nullptr;
    cur = &it->value();
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return cur;
}

bool same_scalar(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) {
    return std::fabs(json::value_to<double>(a) - json::value_to<double>(b)) < 0.5;
  }
  if (a.is_string() && b.is_string()) return norm(a.as_string()) == norm(b.as_string());
  return a == b;
}

void score_scalar(Counts& c, const json::value* pred, const json::value* gold, bool& miss) {
  bool p = pred && !pred->is_null(), g = gold && !gold->is_null();
  bool same = p && g && same_scalar(*pred, *gold);
  if (same) ++c.tp;
  if (p && !same) ++c.fp;
  if (g && !same) ++c.fn;
  miss = (p || g) && !same;
}

std::string str(const json::value& o, std::string_view key) {
  if (!o.is_object()) return {};
  auto it = o.as_object().find(key);
  if (it == o.as_object().end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

std::string unit_key(const json::value& o) {
  std::string u = norm(str(o, "unit"));
  if (!u.empty() && u.back() == 's') u.pop_back();
  return u;
}

bool same_entitlement(const json::value& a, const json::value& b) {
  return jaccard(str(a, "name"), str(b, "name")) >= 0.5 &&
         a.as_object().at("quantity") == b.as_object().at("quantity") && unit_key(a) == unit_key(b);
}

bool same_person(const json::value& a, const json::value& b) {
  return jaccard(str(a, "name"), str(b, "name")) >= 0.5;
}

bool same_requirement(const json::value& a, const json::value& b) {
  return jaccard(a.as_string(), b.as_string()) >= 0.5;
}

// Greedy one-to-one matching; returns matched (pred index, gold index) pairs.
template <class Same>
std::vector<std::pair<std::size_t, std::size_t>> match(const json::array& pred, const json::array& gold,
                                                       Same same) {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  std::vector<bool> used(gold.size());
  for (std::size_t i = 0; i < pred.size(); ++i) {
    for (std::size_t j = 0; j < gold.size(); ++j) {
      if (!used[j] && same(pred[i], gold[j])) {
        used[j] = true;
        pairs.push_back({i, j});
        break;
      }
    }
  }
  return pairs;
}

const json::array& array_at(const json::value& v, std::string_view key) {
  static const json::array kEmpty;
  const json::value* a = at_path(v, key);
  return a && a->is_array() ? a->as_array() : kEmpty;
}

constexpr std::string_view kScalars[] = {
    "company_name", "arr", "currency", "contract_term.start_date", "contract_term.end_date",
    "contract_term.months", "contract_term.auto_renew", "contract_term.renewal_notice_days",
    "pricing_terms.total_value", "pricing_terms.billing_frequency",
    "pricing_terms.payment_terms_days", "pricing_terms.currency"};

int score_dev(const fs::path& dir, double floor, bool verbose) {
  std::map<std::string, Counts> fields;
  std::vector<fs::path> expected;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() > 14 && name.ends_with(".expected.json")) expected.push_back(e.path());
  }
  std::sort(expected.begin(), expected.end());
  int docs = 0;
  for (const fs::path& exp : expected) {
    std::string stem = exp.filename().string();
    stem.resize(stem.size() - 14);
    fs::path doc;
    for (const char* ext : {".txt", ".docx", ".pdf"}) {
      if (fs::exists(dir / (stem + ext))) doc = dir / (stem + ext);
    }
    if (doc.empty()) {
      std::fprintf(stderr, "%s: no document beside it\n", exp.c_str());
      return 2;
    }
    json::value gold = json::parse(slurp(exp));
    auto parsed = parse_contract(slurp(doc));
    if (!parsed) {
      std::fprintf(stderr, "%s: %s\n", doc.c_str(), parsed.error().message.c_str());
      return 2;
    }
    json::value pred = to_json(*parsed);
    ++docs;
    std::vector<std::string> misses;
    for (std::string_view f : kScalars) {
      bool miss = false;
      const json::value* p = at_path(pred, f);
      const json::value* g = at_path(gold, f);
      score_scalar(fields[std::string(f)], p, g, miss);
      if (miss) {
        misses.push_back(std::string(f) + ": got " + (p ? json::serialize(*p) : "-") + ", want " +
                         (g ? json::serialize(*g) : "-"));
      }
    }
    auto list = [&](std::string_view key, auto same) {
      const json::array& p = array_at(pred, key);
      const json::array& g = array_at(gold, key);
      auto pairs = match(p, g, same);
      Counts& c = fields[std::string(key)];
      c.tp += static_cast<int>(pairs.size());
      c.fp += static_cast<int>(p.size() - pairs.size());
      c.fn += static_cast<int>(g.size() - pairs.size());
      if (pairs.size() != p.size() || pairs.size() != g.size()) {
        misses.push_back(std::string(key) + ": got " + json::serialize(p) + "\n      want " + json::serialize(g));
      }
      return pairs;
    };
    list("entitlements", same_entitlement);
    list("technical_requirements", same_requirement);
    auto people = list("stakeholders", same_person);
    // Stakeholder details, over matched and unmatched people alike.
    const json::array& pp = array_at(pred, "stakeholders");
    const json::array& gp = array_at(gold, "stakeholders");
    for (std::string_view sub : {"title", "email", "phone"}) {
      Counts& c = fields["stakeholders." + std::string(sub)];
      std::vector<bool> pm(pp.size()), gm(gp.size());
      for (auto [i, j] : people) {
        pm[i] = gm[j] = true;
        bool miss = false;
        score_scalar(c, at_path(pp[i], sub), at_path(gp[j], sub), miss);
        if (miss) {
          misses.push_back("stakeholders." + std::string(sub) + ": got " +
                           json::serialize(*at_path(pp[i], sub)) + ", want " +
                           json::serialize(*at_path(gp[j], sub)));
        }
      }
      for (std::size_t i = 0; i < pp.size(); ++i) {
        if (!pm[i] && !at_path(pp[i], sub)->is_null()) ++c.fp;
      }
      for (std::size_t j = 0; j < gp.size(); ++j) {
        if (!gm[j] && !at_path(gp[j], sub)->is_null()) ++c.fn;
      }
    }
    if (verbose && !misses.empty()) {
      std::printf("%s\n", doc.filename().c_str());
      for (const auto& m : misses) std::printf("    %s\n", m.c_str());
    }
  }
  std::printf("%-36s %9s %7s %7s   tp/fp/fn\n", "field", "precision", "recall", "F1");
  double sum = 0;
  int n = 0;
  for (const auto& [name, c] : fields) {
    if (c.empty()) continue;
    std::printf("%-36s %9.3f %7.3f %7.3f   %d/%d/%d\n", name.c_str(), c.precision(), c.recall(), c.f1(),
                c.tp, c.fp, c.fn);
    sum += c.f1();
    ++n;
  }
  double macro = n == 0 ? 0 : sum / n;
  std::printf("documents: %d   fields: %d   macro-F1: %.3f\n", docs, n, macro);
  if (floor > 0 && macro < floor) {
    std::printf("macro-F1 %.3f is below the floor %.3f\n", macro, floor);
    return 1;
  }
  return 0;
}

std::vector<std::string> split_parties(std::string_view answer) {
  std::vector<std::string> out;
  std::size_t b = 0;
  for (std::size_t i = 0; i <= answer.size(); ++i) {
    if (i == answer.size() || answer[i] == ';') {
      out.emplace_back(answer.substr(b, i - b));
      b = i + 1;
    }
  }
  return out;
}

// Case, punctuation and legal suffixes do not matter; either name may be the
// longer form of the other ("Galacticomm" vs "Galacticomm, Inc.").
bool same_party(std::string_view a, std::string_view b) {
  auto strip = [](std::string_view s) {
    std::string out;
    for (const auto& t : tokens(s)) {
      static const std::set<std::string> kSuffixes = {"inc", "corp", "corporation", "llc", "ltd", "limited",
                                                      "co", "company", "plc", "the", "lp", "llp", "sa", "ag",
                                                      "gmbh", "incorporated"};
      if (!kSuffixes.count(t)) out += t;
    }
    return out;
  };
  std::string x = strip(a), y = strip(b);
  if (x.size() < 3 || y.size() < 3) return false;
  return x == y || x.find(y) != std::string::npos || y.find(x) != std::string::npos;
}

std::string gold_date(const json::object& row, std::string_view key) {
  auto it = row.find(key);
  if (it == row.end()) return {};
  std::string answer(it->value().as_object().at("answer").as_string());
  std::string lower = answer;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto hits = cscx::contracts::internal::find_dates(lower, false);
  return hits.empty() ? std::string() : hits.front().date.iso();
}

long days_apart(const std::string& a, const std::string& b) {
  auto parse = [](const std::string& iso) {
    return cscx::contracts::internal::Date{std::stoi(iso.substr(0, 4)), std::stoi(iso.substr(5, 2)),
                                           std::stoi(iso.substr(8, 2))};
  };
  return std::labs(parse(a).days_since_epoch() - parse(b).days_since_epoch());
}

int score_cuad(const fs::path& dir) {
  std::ifstream in(dir / "annotations.jsonl");
  if (!in) {
    std::fprintf(stderr, "no %s\n", (dir / "annotations.jsonl").c_str());
    return 2;
  }
  int docs = 0, named = 0, name_right = 0, failed = 0;
  int start_gold = 0, start_pred = 0, start_right = 0, start_pred_on_gold = 0;
  int end_gold = 0, end_pred = 0, end_right = 0, end_near = 0, start_near = 0;
  int arr_pred = 0;
  double seconds = 0;
  std::size_t bytes = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json::object row = json::parse(line).as_object();
    fs::path file = dir / std::string(row.at("file").as_string());
    std::string text = slurp(file);
    auto t0 = std::chrono::steady_clock::now();
    auto parsed = parse_contract(text);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    bytes += text.size();
    ++docs;
    if (!parsed) {
      ++failed;
      std::printf("FAILED %s: %s\n", file.filename().c_str(), parsed.error().message.c_str());
      continue;
    }
    std::string parties(row.at("Parties").as_object().at("answer").as_string());
    const auto& x = *parsed;
    bool right = false;
    if (x.company_name) {
      ++named;
      for (const auto& p : split_parties(parties)) right |= same_party(*x.company_name, p);
      name_right += right;
    }
    std::string gs = gold_date(row, "Effective Date");
    if (gs.empty()) gs = gold_date(row, "Agreement Date");
    std::string ge = gold_date(row, "Expiration Date");
    const auto& t = x.contract_term;
    if (!gs.empty()) ++start_gold;
    if (t.start_date) ++start_pred;
    if (!gs.empty() && t.start_date) ++start_pred_on_gold;
    if (!gs.empty() && t.start_date && *t.start_date == gs) ++start_right;
    if (!gs.empty() && t.start_date && days_apart(*t.start_date, gs) <= 1) ++start_near;
    if (!ge.empty()) ++end_gold;
    if (t.end_date && !ge.empty()) ++end_pred;
    if (!ge.empty() && t.end_date && *t.end_date == ge) ++end_right;
    // CUAD's "one year from March 1" ends on March 1; we report the last day
    // of the term (February 28): count those within a day apart too.
    if (!ge.empty() && t.end_date && days_apart(*t.end_date, ge) <= 1) ++end_near;
    arr_pred += x.arr.has_value();
    std::printf("%-70.70s company=%s%s start=%s (gold %s) end=%s (gold %s)\n", file.filename().c_str(),
                x.company_name.value_or("-").c_str(), x.company_name ? (right ? " [ok]" : " [WRONG]") : "",
                t.start_date.value_or("-").c_str(), gs.empty() ? "-" : gs.c_str(),
                t.end_date.value_or("-").c_str(), ge.empty() ? "-" : ge.c_str());
  }
  std::printf("\nCUAD documents: %d, parse failures: %d, %.1f MB in %.3f s\n", docs, failed, bytes / 1e6, seconds);
  std::printf("company_name: answered %d/%d, in Parties %d/%d (precision %.3f, recall %.3f)\n", named, docs,
              name_right, named, named ? double(name_right) / named : 0.0, docs ? double(name_right) / docs : 0.0);
  std::printf("start_date vs Effective/Agreement Date: %d gold dates, %d answered there, %d exact "
              "(precision %.3f, recall %.3f); %d start dates answered in all\n",
              start_gold, start_pred_on_gold, start_right,
              start_pred_on_gold ? double(start_right) / start_pred_on_gold : 0.0,
              start_gold ? double(start_right) / start_gold : 0.0, start_pred);
  std::printf("start_date within a day: %d\n", start_near);
  std::printf("end_date vs Expiration Date (where a date): %d gold dates, %d answered, %d exact, %d within a day\n",
              end_gold, end_pred, end_right, end_near);
  std::printf("arr answered on %d/%d documents (CUAD has no ARR gold; these are not SaaS order forms)\n", arr_pred,
              docs);
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: contract_score dev DIR [--floor F] [--verbose] | cuad DIR\n");
    return 2;
  }
  std::string mode = argv[1];
  fs::path dir = argv[2];
  double floor = 0;
  bool verbose = false;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--floor" && i + 1 < argc) floor = std::stod(argv[++i]);
    if (a == "--verbose") verbose = true;
  }
  if (mode == "dev") return score_dev(dir, floor, verbose);
  if (mode == "cuad") {
    if (!fs::exists(dir)) {
      std::printf("%s is absent; skipping\n", dir.c_str());
      return 77;
    }
    return score_cuad(dir);
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
