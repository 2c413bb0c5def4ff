// The knowledge index's benchmark (issue 8): N generated articles, top-10
// search latency (p50/p99) and recall@10 against exact search, index build
// time and memory. bench/README.md has the figures and how to run it.
//
//   build/bench/bench_knowledge [--articles 100000] [--queries 2000]
//                               [--recall-queries 300] [--ef 128] [--m 32] [--efc 200]
//   build/bench/bench_knowledge --sweep [...]   (ef_search 64, 128, 256, 512)
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "generated_articles.h"
#include "knowledge/ann_index.h"
#include "knowledge/embedder.h"

namespace {
using namespace cscx::knowledge;
using Clock = std::chrono::steady_clock;

struct Options {
  std::size_t articles = 100000;
  std::size_t queries = 2000;
  std::size_t recall_queries = 300;
  std::size_t ef = 128;
  std::size_t m = 32;
  std::size_t ef_construction = 200;
  bool sweep = false;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Resident set size, from /proc (Linux).
std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * double(v.size())))];
}

bool parse(int argc, char** argv, Options& o) {
  if (argc > 1 && std::strcmp(argv[1], "--sweep") == 0) {  // must come first
    o.sweep = true;
    ++argv;
    --argc;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::size_t n = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--articles") == 0) o.articles = n;
    else if (std::strcmp(argv[i], "--queries") == 0) o.queries = n;
    else if (std::strcmp(argv[i], "--recall-queries") == 0) o.recall_queries = n;
    else if (std::strcmp(argv[i], "--ef") == 0) o.ef = n;
    else if (std::strcmp(argv[i], "--m") == 0) o.m = n;
    else if (std::strcmp(argv[i], "--efc") == 0) o.ef_construction = n;
    else return false;
  }
  return (argc % 2) == 1 && o.articles > 0 && o.queries > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    fmt::print(stderr, "usage: bench_knowledge [--sweep] [--articles N] [--queries N] "
                       "[--recall-queries N] [--ef N] [--m N] [--efc N]\n");
    return 2;
  }
  bench::ArticleGenerator generator(42);
  std::vector<Embedding> vectors;
  vectors.reserve(o.articles);
  auto start = Clock::now();
  for (std::size_t i = 0; i < o.articles; ++i) {
    const auto a = generator.article();
    vectors.push_back(embed_article(a.title, a.content));
  }
  const double embed_seconds = seconds_since(start);

  const std::size_t rss_before = rss_bytes();
  AnnIndex index(AnnOptions{.initial_capacity = o.articles,
                           .m = o.m,
                           .ef_construction = o.ef_construction,
                           .ef_search = o.ef});
  start = Clock::now();
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    if (!index.upsert(std::to_string(i), vectors[i])) return 1;
  }
  const double build_seconds = seconds_since(start);
  const std::size_t rss_after = rss_bytes();

  bench::ArticleGenerator query_text(7);
  std::vector<Embedding> queries;
  start = Clock::now();
  for (std::size_t q = 0; q < o.queries; ++q) queries.push_back(embed_text(query_text.query()));
  const double query_embed_us = seconds_since(start) * 1e6 / double(o.queries);

  // Exact answers once; then latency and recall for each beam width.
  const std::size_t recall_queries = std::min(o.recall_queries, queries.size());
  std::vector<std::vector<std::size_t>> exact;
  for (std::size_t q = 0; q < recall_queries; ++q) {
    exact.push_back(exact_top_k(vectors, queries[q], 10));
  }
  struct Run {
    std::size_t ef;
    double p50, p99, max, recall;
  };
  std::vector<Run> runs;
  std::vector<std::size_t> efs{o.ef};
  if (o.sweep) efs = {64, 128, 256, 512};
  for (const std::size_t ef : efs) {
    index.set_ef_search(ef);
    std::vector<double> latency_us;
    std::vector<std::vector<AnnHit>> results;
    for (const Embedding& q : queries) {
      const auto t = Clock::now();
      results.push_back(index.search(q, 10));
      latency_us.push_back(seconds_since(t) * 1e6);
    }
    std::size_t found = 0, wanted = 0;
    for (std::size_t q = 0; q < recall_queries; ++q) {
      for (const std::size_t i : exact[q]) {
        ++wanted;
        const std::string id = std::to_string(i);
        found += std::any_of(results[q].begin(), results[q].end(),
                             [&](const AnnHit& h) { return h.id == id; });
      }
    }
    runs.push_back(Run{ef, percentile(latency_us, 0.50), percentile(latency_us, 0.99),
                       percentile(latency_us, 1.0), double(found) / double(wanted)});
  }

  fmt::print("articles            {}\n", o.articles);
  fmt::print("embedder            {} ({:.1f} us/article)\n", kEmbedderVersion,
             embed_seconds * 1e6 / double(o.articles));
  fmt::print("hnsw                M={} ef_construction={} ef_search={}\n", o.m,
             o.ef_construction, o.ef);
  fmt::print("index build         {:.1f} s ({:.0f} articles/s, one thread)\n", build_seconds,
             double(o.articles) / build_seconds);
  fmt::print("index memory        {:.0f} MiB (graph+vectors), RSS +{:.0f} MiB\n",
             double(index.memory_bytes()) / (1 << 20),
             double(rss_after - rss_before) / (1 << 20));
  fmt::print("query embedding     {:.1f} us\n", query_embed_us);
  for (const Run& r : runs) {
    fmt::print("top-10, ef={:<4}     p50 {:.0f} us, p99 {:.0f} us, max {:.0f} us ({} queries); "
               "recall@10 {:.4f} ({} queries)\n",
               r.ef, r.p50, r.p99, r.max, o.queries, r.recall, recall_queries);
  }
  return 0;
}
