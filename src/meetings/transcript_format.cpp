// Format detection and turn splitting for the transcript analyser.
//
// Exporters differ in small ways, so every parser is lenient: WebVTT (Zoom,
// Teams `<v Name>`, Meet), SubRip, `[hh:mm:ss] Name: text` lines, `Name: text`
// lines and prose. The format is chosen from the content alone.
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "meetings/transcript_internal.h"

namespace cscx::meetings::internal {
namespace {

void append_utf8(std::string& out, utf8proc_int32_t cp) {
  std::array<utf8proc_uint8_t, 4> buf{};
  auto n = utf8proc_encode_char(cp, buf.data());
  out.append(reinterpret_cast<const char*>(buf.data()), static_cast<std::size_t>(n));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = nl + 1;
  }
  return lines;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A leading clock such as "[00:01:02]", "(1:02)", "00:01:02.5" or "00:01:02 -";
// returns the bytes it takes (with trailing space) or 0.
std::size_t leading_clock(std::string_view line, double* seconds) {
  std::size_t i = 0;
  char close = 0;
  if (i < line.size() && (line[i] == '[' || line[i] == '(')) {
    close = line[i] == '[' ? ']' : ')';
    ++i;
  }
  std::size_t begin = i;
  while (i < line.size() && (is_digit(line[i]) || line[i] == ':' || line[i] == '.' ||
                             line[i] == ',')) {
    ++i;
  }
  std::string_view clock = line.substr(begin, i - begin);
  if (clock.find(':') == std::string_view::npos) return 0;
  auto secs = parse_clock(clock);
  if (!secs) return 0;
  if (close) {
    if (i >= line.size() || line[i] != close) return 0;
    ++i;
  } else if (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) {
    return 0;
  }
  while (i < line.size() && (std::isspace(static_cast<unsigned char>(line[i])) ||
                             line[i] == '-' || line[i] == '|')) {
    ++i;
  }
  *seconds = *secs;
  return i;
}

// Words that end a "Label:" prefix which is not a speaker.
constexpr std::array<std::string_view, 22> kNotSpeakers = {
    "note",     "notes",     "action item", "action items", "decision", "decisions",
    "agenda",   "summary",   "subject",     "re",           "date",     "time",
    "attendees", "participants", "transcript", "todo",      "next steps", "follow-up",
    "location", "title",     "meeting",     "http"};

// "Sarah Chen: hello" -> {"Sarah Chen", "hello"}. Labels are 1-5 words, at
// most 48 bytes, start with an upper-case letter or digit, hold no sentence
// punctuation, and are not a known heading ("Note:", "Action items:").
bool split_label(std::string_view line, std::string_view* label, std::string_view* rest) {
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 48) return false;
  std::string_view cand = trim(line.substr(0, colon));
  if (cand.empty()) return false;
  unsigned char first = static_cast<unsigned char>(cand.front());
  if (!(std::isupper(first) || is_digit(static_cast<char>(first)) || first >= 0x80)) return false;
  std::size_t words = 1;
  bool has_alpha = false;
  for (char c : cand) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == ' ') ++words;
    if (std::isalpha(u) || u >= 0x80) has_alpha = true;
    if (c == '.' && words > 1 && &c == &cand.back()) return false;
    if (c == '?' || c == '!' || c == ',' || c == ';' || c == '"' || c == '[' || c == '{') {
      return false;
    }
  }
  if (!has_alpha || words > 5) return false;
  std::string lower(cand);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (std::find(kNotSpeakers.begin(), kNotSpeakers.end(), lower) != kNotSpeakers.end()) {
    return false;
  }
  std::string_view after = line.substr(colon + 1);
  if (!after.empty() && after.front() == '/') return false;  // a URL
  *label = cand;
  *rest = trim(after);
  return true;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      static constexpr std::array<std::pair<std::string_view, char>, 6> kEntities = {{
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&nbsp;", ' '},
          {"&quot;", '"'}, {"&apos;", '\''}}};
      bool done = false;
      for (const auto& [name, ch] : kEntities) {
        if (s.substr(i, name.size()) == name) {
          out += ch;
          i += name.size() - 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out += s[i];
  }
  return out;
}

// Cue payload: takes the speaker of `<v Name>` and strips all other tags.
std::string strip_cue_tags(std::string_view s, std::string* voice) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '<') {
      out += s[i];
      continue;
    }
    std::size_t close = s.find('>', i);
    if (close == std::string_view::npos) {
      out += s[i];
      continue;
    }
    std::string_view tag = s.substr(i + 1, close - i - 1);
    if (!tag.empty() && tag.front() == 'v' && (tag.size() == 1 || tag[1] == ' ' || tag[1] == '.')) {
      std::size_t sp = tag.find(' ');
      if (sp != std::string_view::npos && voice) *voice = std::string(trim(tag.substr(sp + 1)));
    }
    i = close;
  }
  return decode_entities(out);
}

class TurnBuilder {
 public:
  explicit TurnBuilder(const AnalyzeLimits& limits) : limits_(limits) {}

  // Appends text; merges with the previous turn when the speaker is the same.
  Result<void> add(std::string_view speaker, std::string_view text,
                   std::optional<double> start, std::optional<double> end) {
    text = trim(text);
    if (text.empty()) return ok();
    if (!turns_.empty() && turns_.back().speaker == speaker) {
      Turn& t = turns_.back();
      t.text += ' ';
      t.text += text;
      if (end) t.end_s = end;
      if (start && !t.start_s) t.start_s = start;
      return ok();
    }
    if (turns_.size() >= limits_.max_turns) {
      return make_error(Code::kPayloadTooLarge,
                        "transcript has more than " + std::to_string(limits_.max_turns) +
                            " speaker turns");
    }
    turns_.push_back(Turn{std::string(speaker), std::string(text), start, end});
    return ok();
  }
  std::vector<Turn> take() { return std::move(turns_); }

 private:
  const AnalyzeLimits& limits_;
  std::vector<Turn> turns_;
};

bool is_cue_timing(std::string_view line) { return line.find("-->") != std::string_view::npos; }

Result<ParsedTranscript> parse_cues(const std::vector<std::string_view>& lines, bool vtt,
                                    const AnalyzeLimits& limits) {
  TurnBuilder builder(limits);
  std::string last_speaker;
  std::size_t i = 0;
  while (i < lines.size()) {
    std::string_view line = trim(lines[i]);
    if (line.starts_with("NOTE") || line.starts_with("STYLE") || line.starts_with("REGION")) {
      while (i < lines.size() && !trim(lines[i]).empty()) ++i;
      continue;
    }
    if (!is_cue_timing(line)) {
      ++i;
      continue;
    }
    std::size_t arrow = line.find("-->");
    auto start = parse_clock(trim(line.substr(0, arrow)));
    std::string_view after = trim(line.substr(arrow + 3));
    auto end = parse_clock(after.substr(0, after.find(' ')));
    ++i;
    while (i < lines.size() && !trim(lines[i]).empty() && !is_cue_timing(lines[i])) {
      std::string voice;
      std::string payload = strip_cue_tags(trim(lines[i]), &voice);
      std::string_view text = trim(payload);
      if (text.starts_with("- ")) text.remove_prefix(2);
      std::string_view label, rest;
      std::string speaker = voice;
      if (voice.empty() && split_label(text, &label, &rest)) {
        speaker = std::string(label);
        text = rest;
      } else if (voice.empty()) {
        speaker = last_speaker;  // a cue's second line, or an untagged export
      }
      last_speaker = speaker;
      if (auto r = builder.add(speaker, text, start, end); !r) return r.error();
      ++i;
    }
  }
  ParsedTranscript parsed;
  parsed.format = vtt ? TranscriptFormat::kWebVtt : TranscriptFormat::kSrt;
  parsed.turns = builder.take();
  return parsed;
}

// `Name: text` or `[hh:mm:ss] Name: text` lines. Lines without a label continue
// the previous turn; a line that is only a clock (Meet) or `Name  0:03`
// (Otter) sets the time or speaker for what follows.
Result<ParsedTranscript> parse_lines(const std::vector<std::string_view>& lines,
                                     TranscriptFormat format, const AnalyzeLimits& limits) {
  TurnBuilder builder(limits);
  std::string speaker;
  std::optional<double> clock;
  for (std::string_view raw : lines) {
    std::string_view line = trim(raw);
    if (line.empty()) continue;
    double secs = 0;
    if (std::size_t n = leading_clock(line, &secs); n > 0) {
      clock = secs;
      line = line.substr(n);
      if (line.empty()) continue;
    }
    if (std::size_t sp = line.rfind(' '); sp != std::string_view::npos) {
      // "Sarah Chen  0:03" / "Sarah Chen (00:01:02)": a speaker header (Otter).
      double at = 0;
      std::string_view tail = trim(line.substr(sp + 1));
      std::string_view head = trim(line.substr(0, sp));
      if (!tail.empty() && leading_clock(tail, &at) == tail.size() && !head.empty() &&
          head.size() <= 48 && std::isupper(static_cast<unsigned char>(head.front())) &&
          head.find(':') == std::string_view::npos) {
        speaker = std::string(head);
        clock = at;
        continue;
      }
    }
    std::string_view label, rest;
    if (split_label(line, &label, &rest)) {
      speaker = std::string(label);
      line = rest;
    }
    if (auto r = builder.add(speaker, line, clock, std::nullopt); !r) return r.error();
    clock.reset();
  }
  ParsedTranscript parsed;
  parsed.format = format;
  parsed.turns = builder.take();
  bool any_speaker = std::any_of(parsed.turns.begin(), parsed.turns.end(),
                                 [](const Turn& t) { return !t.speaker.empty(); });
  if (!any_speaker && format == TranscriptFormat::kSpeakerLines) {
    parsed.format = TranscriptFormat::kPlainText;
  }
  return parsed;
}

// With start times only, a turn lasts until the next one starts; the last
// turn gets 2.5 words a second. Non-monotonic clocks disable timing.
void fill_end_times(ParsedTranscript& parsed) {
  auto& turns = parsed.turns;
  if (turns.empty()) return;
  for (std::size_t i = 0; i < turns.size(); ++i) {
    if (!turns[i].start_s) return;
    if (turns[i].end_s) continue;
    if (i + 1 < turns.size()) {
      if (!turns[i + 1].start_s || *turns[i + 1].start_s < *turns[i].start_s) return;
      turns[i].end_s = turns[i + 1].start_s;
    } else {
      double words = static_cast<double>(
          std::count(turns[i].text.begin(), turns[i].text.end(), ' ') + 1);
      turns[i].end_s = *turns[i].start_s + words / 2.5;
    }
  }
  parsed.timed = std::all_of(turns.begin(), turns.end(), [](const Turn& t) {
    return t.start_s && t.end_s && *t.end_s >= *t.start_s;
  });
}

}  // namespace

std::optional<double> parse_clock(std::string_view text) {
  // [[h]h:]mm:ss[.,fff]
  double parts[3] = {0, 0, 0};
  int count = 0;
  double fraction = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) return std::nullopt;
    double v = 0;
    std::size_t digits = 0;
    while (i < text.size() && is_digit(text[i]) && digits < 4) {
      v = v * 10 + (text[i] - '0');
      ++i;
      ++digits;
    }
    if (count == 3) return std::nullopt;
    parts[count++] = v;
    if (i == text.size()) break;
    if (text[i] == ':') {
      ++i;
      continue;
    }
    if (text[i] == '.' || text[i] == ',') {
      ++i;
      double scale = 0.1;
      std::size_t frac_digits = 0;
      while (i < text.size() && is_digit(text[i])) {
        if (frac_digits++ < 6) fraction += (text[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      if (i != text.size()) return std::nullopt;
      break;
    }
    return std::nullopt;
  }
  if (count < 2) return std::nullopt;
  double secs = count == 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2]
                           : parts[0] * 60 + parts[1];
  if ((count == 3 ? parts[2] : parts[1]) >= 60) return std::nullopt;
  return secs + fraction;
}

std::string normalize_text(std::string_view in, bool* repaired) {
  std::string out;
  out.reserve(in.size());
  *repaired = false;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(in.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(in.size());
  while (left > 0) {
    if (*p < 0x80) {
      char c = static_cast<char>(*p);
      if (c == '\n' || c == '\t' || c == '\r' || c >= 0x20) out += (c == '\t' ? ' ' : c);
      ++p;
      --left;
      continue;
    }
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n < 0) {
      *repaired = true;
      append_utf8(out, 0xFFFD);
      ++p;
      --left;
      continue;
    }
    p += n;
    left -= n;
    switch (cp) {
      case 0xFEFF:  // BOM
      case 0x200B:  // zero-width space
        break;
      case 0x2018: case 0x2019: case 0x201B: case 0x2032:
        out += '\'';
        break;
      case 0x201C: case 0x201D: case 0x201F: case 0x2033:
        out += '"';
        break;
      case 0x2013: case 0x2014: case 0x2212:
        out += '-';
        break;
      case 0x2026:
        out += "...";
        break;
      case 0x00A0: case 0x2009: case 0x202F: case 0x2028: case 0x2029:
        out += ' ';
        break;
      default:
        if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CC) break;
        append_utf8(out, cp);
    }
  }
  return out;
}

Result<ParsedTranscript> parse_transcript(std::string_view text, const AnalyzeLimits& limits) {
  std::vector<std::string_view> lines = split_lines(text);
  std::size_t first = 0;
  while (first < lines.size() && trim(lines[first]).empty()) ++first;
  Result<ParsedTranscript> parsed = ParsedTranscript{};
  bool cues = std::any_of(lines.begin(), lines.end(), [](std::string_view l) {
    return is_cue_timing(l) && l.find(':') != std::string_view::npos;
  });
  if (first < lines.size() && trim(lines[first]).starts_with("WEBVTT")) {
    parsed = parse_cues(lines, true, limits);
  } else if (cues) {
    parsed = parse_cues(lines, false, limits);
  } else {
    std::size_t nonempty = 0, clocked = 0;
    for (std::string_view l : lines) {
      l = trim(l);
      if (l.empty()) continue;
      ++nonempty;
      double secs = 0;
      if (leading_clock(l, &secs) > 0) ++clocked;
    }
    auto format = clocked * 2 >= nonempty && clocked > 0 ? TranscriptFormat::kTimestampedLines
                                                          : TranscriptFormat::kSpeakerLines;
    parsed = parse_lines(lines, format, limits);
  }
  if (!parsed) return parsed;
  fill_end_times(*parsed);
  return parsed;
}

}  // namespace cscx::meetings::internal
