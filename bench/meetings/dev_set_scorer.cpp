#include "dev_set_scorer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <boost/json.hpp>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "meetings/transcript_analyzer.h"

namespace cscx::meetings::bench {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

// Predicted and labelled texts match at this token-overlap F1.
constexpr double kTextMatch = 0.5;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> words_of(const std::string& s) {
  static const std::set<std::string> kStop = {"the", "a", "an", "to", "of", "and", "for",
                                              "on", "in", "by", "we", "i", "i'll", "we'll",
                                              "will", "is", "it", "that", "this", "with"};
  std::vector<std::string> out;
  std::string cur;
  for (char c : s + " ") {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '\'') {
      cur += static_cast<char>(std::tolower(u));
    } else if (!cur.empty()) {
      if (!kStop.contains(cur)) out.push_back(cur);
      cur.clear();
    }
  }
  return out;
}

// Greedy one-to-one matching, best pairs first.
template <class Pred, class Gold, class Sim>
std::vector<std::pair<std::size_t, std::size_t>> match(const std::vector<Pred>& pred,
                                                       const std::vector<Gold>& gold, Sim sim,
                                                       double threshold) {
  std::vector<std::tuple<double, std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < pred.size(); ++i) {
    for (std::size_t j = 0; j < gold.size(); ++j) {
      double s = sim(pred[i], gold[j]);
      if (s >= threshold) pairs.emplace_back(s, i, j);
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  std::vector<bool> pi(pred.size()), gj(gold.size());
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const auto& [s, i, j] : pairs) {
    if (pi[i] || gj[j]) continue;
    pi[i] = gj[j] = true;
    out.emplace_back(i, j);
  }
  return out;
}

void add(FieldScore& f, std::size_t matched, std::size_t predicted, std::size_t gold) {
  f.matched_predicted += static_cast<double>(matched);
  f.matched_gold += static_cast<double>(matched);
  f.predicted += static_cast<double>(predicted);
  f.gold += static_cast<double>(gold);
}

struct Item {
  std::string description;
  std::string owner;  // "" = null
  std::string due;    // "" = null
};

std::string str_or_empty(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : std::string();
}

std::vector<std::string> strings(const json::object& o, const char* key) {
  std::vector<std::string> out;
  if (auto* v = o.if_contains(key)) {
    for (const auto& x : v->as_array()) out.emplace_back(x.as_string());
  }
  return out;
}

void score_texts(const char* field, const fs::path& file, const std::vector<std::string>& pred,
                 const std::vector<std::string>& gold, DevSetScore& out) {
  auto m = match(pred, gold, text_similarity, kTextMatch);
  add(out.fields[field], m.size(), pred.size(), gold.size());
  std::vector<bool> pm(pred.size()), gm(gold.size());
  for (auto [i, j] : m) pm[i] = gm[j] = true;
  for (std::size_t i = 0; i < pred.size(); ++i) {
    if (!pm[i]) out.mistakes.push_back(file.filename().string() + " " + field + " extra: " + pred[i]);
  }
  for (std::size_t j = 0; j < gold.size(); ++j) {
    if (!gm[j]) out.mistakes.push_back(file.filename().string() + " " + field + " missed: " + gold[j]);
  }
}

void score_file(const fs::path& transcript, const fs::path& labels, DevSetScore& out) {
  json::object gold = json::parse(slurp(labels)).as_object();
  AnalyzeOptions options;
  if (auto* d = gold.if_contains("meeting_date"); d && d->is_string()) {
    options.meeting_date = parse_iso_date(std::string(d->as_string())).value();
  }
  auto analysis = analyze_transcript(slurp(transcript), options);
  std::string name = transcript.filename().string();
  if (!analysis) {
    out.mistakes.push_back(name + " failed: " + analysis.error().message);
    return;
  }
  ++out.files;
  score_texts("decisions", transcript, analysis->decisions, strings(gold, "decisions"), out);
  score_texts("concerns", transcript, analysis->concerns, strings(gold, "concerns"), out);

  std::vector<Item> pred, want;
  for (const auto& a : analysis->action_items) {
    pred.push_back({a.description, a.owner.value_or(""),
                    a.due_date ? format_iso_date(*a.due_date) : ""});
  }
  for (const auto& v : gold.at("action_items").as_array()) {
    const auto& o = v.as_object();
    want.push_back({std::string(o.at("description").as_string()), str_or_empty(o.at("owner")),
                    str_or_empty(o.at("due_date"))});
  }
  auto text_sim = [](const Item& a, const Item& b) {
    return text_similarity(a.description, b.description);
  };
  auto by_text = match(pred, want, text_sim, 0.4);
  add(out.fields["action_items_text"], by_text.size(), pred.size(), want.size());
  std::size_t owner_ok = 0, due_ok = 0, strict = 0;
  std::vector<bool> pm(pred.size()), gm(want.size());
  for (auto [i, j] : by_text) {
    pm[i] = gm[j] = true;
    bool o = pred[i].owner == want[j].owner, d = pred[i].due == want[j].due;
    owner_ok += o;
    due_ok += d;
    strict += o && d;
    if (!o || !d) {
      out.mistakes.push_back(name + " action_items wrong " + (o ? "" : "owner ") +
                             (d ? "" : "due ") + "'" + pred[i].description + "': got (" +
                             pred[i].owner + ", " + pred[i].due + ") want (" + want[j].owner +
                             ", " + want[j].due + ")");
    }
  }
  for (std::size_t i = 0; i < pred.size(); ++i) {
    if (!pm[i]) out.mistakes.push_back(name + " action_items extra: " + pred[i].description + " (" + pred[i].owner + ")");
  }
  for (std::size_t j = 0; j < want.size(); ++j) {
    if (!gm[j]) out.mistakes.push_back(name + " action_items missed: " + want[j].description);
  }
  add(out.fields["action_items"], strict, pred.size(), want.size());
  add(out.fields["action_owner"], owner_ok, by_text.size(), by_text.size());
  add(out.fields["action_due_date"], due_ok, by_text.size(), by_text.size());

  std::set<std::string> got_risks, want_risks;
  for (const auto& r : analysis->risk_signals) got_risks.insert(std::string(risk_type_name(r.type)));
  for (const auto& r : strings(gold, "risk_signals")) want_risks.insert(r);
  std::size_t both = 0;
  for (const auto& r : got_risks) {
    if (want_risks.contains(r)) {
      ++both;
    } else {
      out.mistakes.push_back(name + " risk_signals extra: " + r);
    }
  }
  for (const auto& r : want_risks) {
    if (!got_risks.contains(r)) out.mistakes.push_back(name + " risk_signals missed: " + r);
  }
  add(out.fields["risk_signals"], both, got_risks.size(), want_risks.size());

  const auto& sentiment = gold.at("sentiment").as_object();
  std::size_t right = 0, total = 1;
  std::string overall(sentiment_name(analysis->overall_sentiment));
  if (overall == sentiment.at("overall").as_string()) {
    ++right;
  } else {
    out.mistakes.push_back(name + " sentiment overall: got " + overall + " want " +
                           std::string(sentiment.at("overall").as_string()));
  }
  for (const auto& [speaker, label] : sentiment.at("per_speaker").as_object()) {
    ++total;
    auto it = std::find_if(analysis->speakers.begin(), analysis->speakers.end(),
                           [&](const SpeakerStats& s) { return s.name == speaker; });
    std::string got = it == analysis->speakers.end() ? "absent" : std::string(sentiment_name(it->sentiment));
    if (got == label.as_string()) {
      ++right;
    } else {
      out.mistakes.push_back(name + " sentiment " + std::string(speaker) + ": got " + got +
                             " want " + std::string(label.as_string()));
    }
  }
  add(out.fields["sentiment"], right, total, total);
}

}  // namespace

double text_similarity(const std::string& a, const std::string& b) {
  std::vector<std::string> x = words_of(a), y = words_of(b);
  if (x.empty() || y.empty()) return 0;
  std::multiset<std::string> ys(y.begin(), y.end());
  double common = 0;
  for (const auto& w : x) {
    if (auto it = ys.find(w); it != ys.end()) {
      ++common;
      ys.erase(it);
    }
  }
  if (common == 0) return 0;
  double p = common / static_cast<double>(x.size()), r = common / static_cast<double>(y.size());
  return 2 * p * r / (p + r);
}

double DevSetScore::macro_f1() const {
  double sum = 0;
  int n = 0;
  for (const char* f : {"decisions", "action_items", "concerns", "risk_signals", "sentiment"}) {
    auto it = fields.find(f);
    sum += it == fields.end() ? 0 : it->second.f1();
    ++n;
  }
  return sum / n;
}

Rouge1 rouge1(const std::string& candidate, const std::string& reference) {
  auto all_words = [](const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s + " ") {
      unsigned char u = static_cast<unsigned char>(c);
      if (std::isalnum(u)) {
        cur += static_cast<char>(std::tolower(u));
      } else if (!cur.empty()) {
        out.push_back(std::move(cur));
        cur.clear();
      }
    }
    return out;
  };
  std::vector<std::string> c = all_words(candidate), r = all_words(reference);
  std::multiset<std::string> pool(r.begin(), r.end());
  double common = 0;
  for (const auto& w : c) {
    if (auto it = pool.find(w); it != pool.end()) {
      ++common;
      pool.erase(it);
    }
  }
  Rouge1 out;
  if (c.empty() || r.empty() || common == 0) return out;
  out.precision = common / static_cast<double>(c.size());
  out.recall = common / static_cast<double>(r.size());
  out.f1 = 2 * out.precision * out.recall / (out.precision + out.recall);
  return out;
}

std::vector<AmiResult> run_ami(const fs::path& ami_dir) {
  std::vector<AmiResult> out;
  std::ifstream refs(ami_dir / "references.jsonl");
  std::string line;
  while (std::getline(refs, line)) {
    if (line.empty()) continue;
    json::object ref = json::parse(line).as_object();
    AmiResult r;
    r.meeting = std::string(ref.at("meeting").as_string());
    std::string text = slurp(ami_dir / std::string(ref.at("transcript").as_string()));
    auto start = std::chrono::steady_clock::now();
    auto a = analyze_transcript(text, {});
    std::string serialized = a ? json::serialize(to_json(*a)) : std::string();
    r.millis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                   .count();
    if (!a) {
      r.error = a.error().message;
      out.push_back(std::move(r));
      continue;
    }
    boost::system::error_code ec;
    json::parse(serialized, ec);
    r.ok = !ec;
    r.words = a->word_count;
    r.rouge = rouge1(a->summary, std::string(ref.at("summary").as_string()));
    r.decisions = a->decisions.size();
    r.action_items = a->action_items.size();
    r.risk_signals = a->risk_signals.size();
    for (const auto& item : a->action_items) {
      if (!item.owner) continue;
      bool speaker = std::any_of(a->speakers.begin(), a->speakers.end(),
                                 [&](const SpeakerStats& s) { return s.name == *item.owner; });
      if (!speaker) ++r.owners_not_speakers;
    }
    r.sentiment = std::string(sentiment_name(a->overall_sentiment));
    out.push_back(std::move(r));
  }
  return out;
}

std::string one_hour_transcript(const fs::path& dev_dir, std::size_t words) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dev_dir)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::pair<std::string, std::string>> turns;
  for (const auto& f : files) {
    std::istringstream in(slurp(f));
    std::string l;
    while (std::getline(in, l)) {
      auto colon = l.find(": ");
      if (colon == std::string::npos || colon > 40) continue;
      std::string speaker = l.substr(0, colon);
      if (speaker.front() == '[' || speaker.front() == '(') speaker = speaker.substr(speaker.find(' ') + 1);
      turns.emplace_back(speaker, l.substr(colon + 2));
    }
  }
  std::string out;
  std::size_t total = 0;
  double seconds = 0;
  for (std::size_t i = 0; total < words && !turns.empty(); ++i) {
    const auto& [speaker, text] = turns[i % turns.size()];
    std::size_t n = static_cast<std::size_t>(std::count(text.begin(), text.end(), ' ') + 1);
    int s = static_cast<int>(seconds);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "[%02d:%02d:%02d] ", s / 3600, s / 60 % 60, s % 60);
    out += stamp + speaker + ": " + text + "\n";
    total += n;
    seconds += static_cast<double>(n) / 2.5;  // 150 words a minute
  }
  return out;
}

DevSetScore score_dev_set(const fs::path& dir) {
  DevSetScore out;
  std::vector<fs::path> transcripts;
  for (const auto& e : fs::directory_iterator(dir)) {
    auto ext = e.path().extension().string();
    if (ext == ".txt" || ext == ".vtt" || ext == ".srt") transcripts.push_back(e.path());
  }
  std::sort(transcripts.begin(), transcripts.end());
  for (const auto& t : transcripts) {
    fs::path labels = t;
    labels.replace_extension(".expected.json");
    if (!fs::exists(labels)) continue;
    try {
      score_file(t, labels, out);
    } catch (const std::exception& e) {
      throw std::runtime_error(labels.string() + ": " + e.what());
    }
  }
  return out;
}

}  // namespace cscx::meetings::bench
