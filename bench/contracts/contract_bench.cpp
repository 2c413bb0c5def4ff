// Throughput of the contract parser on one core.
//
//   contract_bench [SECONDS] [DIR...]
//
// Parses every .txt file of the given directories (default: the dev set and
// CUAD's txt/) over and over for SECONDS (default 5) on one thread and prints
// MB/s of contract text. Text only: PDF and DOCX time is poppler's and
// libzip's, reported separately by the per-format line.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "contracts/contract_parser.h"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Figure {
  double mb_per_s = 0;      // per second of this thread's CPU time
  double wall_mb_per_s = 0;  // per second of wall time (lower on a busy machine)
  double ms_per_doc = 0;
  long parses = 0;
};

// CPU time of this thread: on a shared machine the wall clock also counts
// the time other processes held the core.
double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

Figure run(const std::vector<std::string>& docs, double seconds) {
  std::size_t bytes = 0;
  long parses = 0;
  auto start = std::chrono::steady_clock::now();
  double cpu_start = thread_seconds();
  double elapsed = 0;
  std::size_t checksum = 0;
  while (elapsed < seconds) {
    for (const std::string& d : docs) {
      auto r = cscx::contracts::parse_contract(d);
      if (!r) {
        std::fprintf(stderr, "parse failed: %s\n", r.error().message.c_str());
        std::exit(1);
      }
      checksum += r->evidence.size();
      bytes += d.size();
      ++parses;
    }
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (checksum == 42) std::puts("");  // keep the work observable
  double cpu = thread_seconds() - cpu_start;
  return {bytes / 1e6 / cpu, bytes / 1e6 / elapsed, cpu * 1e3 / parses, parses};
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 5;
  std::vector<fs::path> dirs;
  for (int i = 2; i < argc; ++i) dirs.emplace_back(argv[i]);
  // The source tree from CMake: __FILE__ is relative when ccache rewrites
  // paths (CCACHE_BASEDIR), and the default directories were then not found.
  fs::path source = CSCX_SOURCE_DIR;
  if (dirs.empty()) {
    dirs = {source / "tests/data/contracts/dev", source / "../shared/data/cuad/txt",
            source / "../shared/data/cuad/pdf"};
  }
  std::vector<std::string> text, binary;
  std::size_t text_bytes = 0;
  for (const auto& dir : dirs) {
    if (!fs::exists(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string ext = e.path().extension().string();
      for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (ext == ".txt") {
        text.push_back(slurp(e.path()));
        text_bytes += text.back().size();
      } else if (ext == ".pdf" || ext == ".docx") {
        binary.push_back(slurp(e.path()));
      }
    }
  }
  if (text.empty()) {
    std::fprintf(stderr, "no .txt contracts found\n");
    return 1;
  }
  Figure t = run(text, seconds);
  std::printf("text: %zu documents, %.2f MB; %.1f MB/s on one core (thread CPU time; %.1f MB/s wall), "
              "%.2f ms per document (%ld parses)\n",
              text.size(), text_bytes / 1e6, t.mb_per_s, t.wall_mb_per_s, t.ms_per_doc, t.parses);
  if (!binary.empty()) {
    Figure b = run(binary, seconds / 2);
    std::printf("pdf+docx: %zu documents; %.2f ms per document (%ld parses)\n", binary.size(), b.ms_per_doc,
                b.parses);
  }
  return 0;
}
