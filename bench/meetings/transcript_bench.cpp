// Throughput of the transcript analyser on a synthetic one-hour meeting
// (~9,000 words), and its behaviour on the 12 AMI meetings (robustness,
// ROUGE-1 of the summary against QMSum's reference summary).
//   bench_transcripts [--iterations N]
// Exits 1 when the median CPU time for one hour exceeds 50 ms. CPU time, not
// wall time, is the gate because the build machines are shared: wall time is
// printed too.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "dev_set_scorer.h"
#include "meetings/transcript_analyzer.h"

int main(int argc, char** argv) {
  using namespace cscx::meetings;
  int iterations = 30;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0) iterations = std::max(1, std::atoi(argv[i + 1]));
  }
  std::string hour =
      bench::one_hour_transcript(CSCX_SOURCE_DIR "/tests/data/transcripts", 9000);
  AnalyzeOptions options;
  options.meeting_date = parse_iso_date("2024-03-06").value();
  std::vector<double> ms, cpu_ms;
  std::size_t words = 0;
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    std::clock_t cpu_start = std::clock();
    auto a = analyze_transcript(hour, options);
    cpu_ms.push_back(1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!a) {
      fmt::print(stderr, "analysis failed: {}\n", a.error().message);
      return 1;
    }
    words = a->word_count;
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu_ms.begin(), cpu_ms.end());
  double median = cpu_ms[cpu_ms.size() / 2];
  fmt::print("one-hour transcript: {} words, {} bytes, {} runs\n", words, hour.size(), ms.size());
  fmt::print("  CPU time:  min {:.1f} ms, median {:.1f} ms, max {:.1f} ms ({:.0f} words/s)\n",
             cpu_ms.front(), median, cpu_ms.back(), static_cast<double>(words) / (median / 1000));
  fmt::print("  wall time: min {:.1f} ms, median {:.1f} ms, max {:.1f} ms\n", ms.front(),
             ms[ms.size() / 2], ms.back());

  auto ami = bench::run_ami(CSCX_SOURCE_DIR "/../shared/data/ami");
  if (ami.empty()) {
    fmt::print("AMI: ../shared/data/ami not found; skipped\n");
  } else {
    fmt::print("\nAMI (QMSum product meetings), summary vs QMSum general summary:\n");
    fmt::print("{:<9} {:>6} {:>8} {:>7} {:>7} {:>7} {:>4} {:>4} {:>4} {}\n", "meeting", "words",
               "ms", "R1-P", "R1-R", "R1-F", "dec", "act", "risk", "sentiment");
    double r = 0, p = 0, f = 0;
    std::size_t ok = 0, foreign_owners = 0;
    for (const auto& m : ami) {
      if (!m.ok) {
        fmt::print("{:<9} FAILED {}\n", m.meeting, m.error);
        continue;
      }
      ++ok;
      r += m.rouge.recall;
      p += m.rouge.precision;
      f += m.rouge.f1;
      foreign_owners += m.owners_not_speakers;
      fmt::print("{:<9} {:>6} {:>8.1f} {:>7.3f} {:>7.3f} {:>7.3f} {:>4} {:>4} {:>4} {}\n", m.meeting,
                 m.words, m.millis, m.rouge.precision, m.rouge.recall, m.rouge.f1, m.decisions,
                 m.action_items, m.risk_signals, m.sentiment);
    }
    double n = static_cast<double>(std::max<std::size_t>(ok, 1));
    fmt::print("AMI: {}/{} analysed; mean ROUGE-1 precision {:.3f} recall {:.3f} F1 {:.3f}; "
               "{} action-item owners are not speaker labels\n",
               ok, ami.size(), p / n, r / n, f / n, foreign_owners);
    if (ok != ami.size()) return 1;
  }
  if (median > 50) {
    fmt::print("FAIL: median CPU time {:.1f} ms exceeds the 50 ms budget\n", median);
    return 1;
  }
  return 0;
}
