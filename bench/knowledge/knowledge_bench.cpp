// The knowledge index's benchmark (issue 8): N generated articles, index
// build time (wall and CPU) and memory, then, for each ef_search over the
// one built index, top-10 search latency (p50/p99, wall and CPU) and
// recall@10 against exact search, two ways:
//   strict      the exact top-10 ids, found among the 10 returned;
//   ann-bench   ann-benchmarks' definition: a returned article counts when
//               its distance (1 - cos) is within the 10th exact distance
//               times (1 + 1e-3), so near-ties at the boundary are not
//               counted as misses.
// bench/README.md has the figures and how to run it.
//
//   build/bench/bench_knowledge [--articles 100000] [--queries 2000]
//       [--recall-queries 300] [--m 32] [--efc 200] [--ef 128]
//       [--efs 64,128,256] [--threads 0] [--kernel avx2|plain]
//       [--codec int8|float16|float32] [--reranks 40]
//       [--query-mode topic|article|passage|both|all] [--scan-mibs 0,32]
//       [--seed 42]
//   --sweep is --efs 64,128,256,512. --reranks: the candidates re-ranked
//   exactly (AnnOptions::rerank_candidates, 0 = the whole beam), each
//   value measured at every ef over the one built index. --scan-mibs:
//   AnnOptions::exact_scan_bytes in MiB (0 = the graph only), each measured;
//   a row whose queries all scan does not depend on ef and is printed once.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "generated_articles.h"
#include "knowledge/ann_distance.h"
#include "knowledge/ann_index.h"
#include "knowledge/embedder.h"

namespace {
using namespace cscx::knowledge;
using Clock = std::chrono::steady_clock;

struct Options {
  std::size_t articles = 100000;
  std::size_t queries = 2000;
  std::size_t recall_queries = 300;
  std::size_t m = 32;
  std::size_t ef_construction = 200;
  std::vector<std::size_t> efs{128};
  std::size_t threads = 0;
  DistanceKernel kernel = best_distance_kernel();
  VectorCodec codec = VectorCodec::kInt8;
  std::vector<std::size_t> reranks{40};
  bool topic_queries = true;
  bool article_queries = true;
  bool passage_queries = true;
  std::vector<std::size_t> scan_mibs{0, AnnOptions{}.exact_scan_bytes >> 20};
  std::uint32_t seed = 42;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double cpu_seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string line;
  std::getline(in, line);
  return line;
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

std::vector<std::size_t> parse_list(const char* text) {
  std::vector<std::size_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoul(item));
  return out;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--sweep") {
      o.efs = {64, 128, 256, 512};
      continue;
    }
    if (i + 1 >= argc) return false;
    const char* value = argv[++i];
    const std::size_t n = std::strtoul(value, nullptr, 10);
    if (flag == "--articles") o.articles = n;
    else if (flag == "--queries") o.queries = n;
    else if (flag == "--recall-queries") o.recall_queries = n;
    else if (flag == "--ef") o.efs = {n};
    else if (flag == "--efs") o.efs = parse_list(value);
    else if (flag == "--m") o.m = n;
    else if (flag == "--efc") o.ef_construction = n;
    else if (flag == "--threads") o.threads = n;
    else if (flag == "--seed") o.seed = static_cast<std::uint32_t>(n);
    else if (flag == "--kernel" && std::strcmp(value, "plain") == 0) o.kernel = DistanceKernel::kPlain;
    else if (flag == "--kernel" && std::strcmp(value, "avx2") == 0) o.kernel = DistanceKernel::kAvx2;
    else if (flag == "--codec" && std::strcmp(value, "int8") == 0) o.codec = VectorCodec::kInt8;
    else if (flag == "--codec" && std::strcmp(value, "float16") == 0) o.codec = VectorCodec::kFloat16;
    else if (flag == "--codec" && std::strcmp(value, "float32") == 0) o.codec = VectorCodec::kFloat32;
    else if (flag == "--reranks") o.reranks = parse_list(value);
    else if (flag == "--scan-mibs") o.scan_mibs = parse_list(value);
    else if (flag == "--query-mode") {
      const std::string mode = value;
      o.topic_queries = mode == "topic" || mode == "both" || mode == "all";
      o.article_queries = mode == "article" || mode == "both" || mode == "all";
      o.passage_queries = mode == "passage" || mode == "all";
      if (!o.topic_queries && !o.article_queries && !o.passage_queries) return false;
    }
    else return false;
  }
  return o.articles > 0 && o.queries > 0 && !o.efs.empty() && !o.reranks.empty() &&
         !o.scan_mibs.empty();
}

struct Exact {
  std::vector<std::size_t> top10;  // ids, exact order (ties by index)
  float tenth = 0;                 // the 10th distance
  std::size_t near_ties = 0;       // articles within the ann-bench tolerance of it
  std::size_t within_1pct = 0;     // articles within 1% of it: how crowded the boundary is
};

constexpr double kRelativeTolerance = 1e-3;  // ann-benchmarks' epsilon

float threshold(float tenth) { return tenth * float(1.0 + kRelativeTolerance); }

// Distances (1 - cos) from every article to `query`: the exact top 10, the
// 10th distance, and how many articles are as close as it within tolerance.
Exact exact_answer(const std::vector<Embedding>& vectors, const Embedding& query) {
  std::vector<std::pair<float, std::size_t>> ranked(vectors.size());
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    ranked[i] = {1.0f - similarity(vectors[i], query), i};
  }
  std::partial_sort(ranked.begin(), ranked.begin() + 10, ranked.end());
  Exact e;
  for (std::size_t r = 0; r < 10; ++r) e.top10.push_back(ranked[r].second);
  e.tenth = ranked[9].first;
  for (const auto& entry : ranked) {
    e.near_ties += entry.first <= threshold(e.tenth);
    e.within_1pct += entry.first <= e.tenth * 1.01f;
  }
  return e;
}

// Latency and both recalls of `texts` as queries, for each ef_search.
void evaluate(const Options& o, AnnIndex& index, const std::vector<Embedding>& vectors,
              const std::vector<std::string>& texts, std::string_view mode) {
  auto start = Clock::now();
  std::vector<Embedding> queries;
  for (const std::string& text : texts) queries.push_back(embed_text(text));
  const double query_embed_us = seconds_since(start) * 1e6 / double(o.queries);

  // Exact answers once, then latency and both recalls for each beam width.
  const std::size_t recall_queries = std::min(o.recall_queries, queries.size());
  std::vector<Exact> exact(recall_queries);
  {
    // Exhaustive search is slow at 100,000: spread the queries over the cores.
    std::vector<std::jthread> workers;
    const std::size_t n = std::max(1u, std::thread::hardware_concurrency());
    for (std::size_t t = 0; t < n; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t q = t; q < recall_queries; q += n) {
          exact[q] = exact_answer(vectors, queries[q]);
        }
      });
    }
  }
  double mean_ties = 0, mean_crowd = 0;
  for (const Exact& e : exact) {
    mean_ties += double(e.near_ties) / double(recall_queries);
    mean_crowd += double(e.within_1pct) / double(recall_queries);
  }

  std::vector<double> nonzero;
  for (const Embedding& q : queries) {
    nonzero.push_back(double(std::count_if(q.begin(), q.end(), [](float x) { return x != 0; })));
  }
  fmt::print("queries                 {} ({}), embedding {:.1f} us each, non-zero values "
             "p50 {:.0f} p99 {:.0f}\n",
             o.queries, mode, query_embed_us, percentile(nonzero, 0.5), percentile(nonzero, 0.99));
  fmt::print("exact top-10            {} queries; on average {:.1f} articles within "
             "1e-3 (relative) of the 10th distance (>10 means ties at the boundary), "
             "{:.1f} within 1%\n",
             recall_queries, mean_ties, mean_crowd);
  for (const std::size_t scan_mib : o.scan_mibs) {
  index.set_exact_scan_bytes(scan_mib << 20);
  std::size_t scanned = 0;
  for (const Embedding& q : queries) scanned += index.method_for(q) == SearchMethod::kExactScan;
  for (const std::size_t rerank : o.reranks) {
  index.set_rerank_candidates(rerank);
  for (const std::size_t ef : o.efs) {
    // Every query scans: ef plays no part, one row says it all.
    if (scanned == queries.size() && ef != o.efs.front()) break;
    index.set_ef_search(ef);
    std::vector<double> wall_us, cpu_us;
    std::vector<std::vector<AnnHit>> results;
    for (const Embedding& q : queries) {
      const auto t = Clock::now();
      const double c = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
      results.push_back(index.search(q, 10));
      cpu_us.push_back((cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - c) * 1e6);
      wall_us.push_back(seconds_since(t) * 1e6);
    }
    std::size_t strict = 0, tolerant = 0;
    for (std::size_t q = 0; q < recall_queries; ++q) {
      for (const AnnHit& hit : results[q]) {
        const std::size_t i = std::stoul(hit.id);
        strict += std::find(exact[q].top10.begin(), exact[q].top10.end(), i) !=
                  exact[q].top10.end();
        // The distance recomputed exactly, not the one the kernel returned.
        tolerant += 1.0f - similarity(vectors[i], queries[q]) <= threshold(exact[q].tenth);
      }
    }
    const double wanted = 10.0 * double(recall_queries);
    fmt::print("top-10 scan<={:<3}MiB ({:3.0f}% scanned) ef={:<4} rerank={:<4} wall p50 {:5.0f} us "
               "p99 {:5.0f} us | CPU p50 {:5.0f} us p99 {:5.0f} us | recall@10 strict {:.4f}, "
               "ann-bench {:.4f} | load {}\n",
               scan_mib, 100.0 * double(scanned) / double(queries.size()),
               scanned == queries.size() ? std::string("-") : std::to_string(ef),
               rerank == 0 ? ef : rerank, percentile(wall_us, 0.50), percentile(wall_us, 0.99),
               percentile(cpu_us, 0.50), percentile(cpu_us, 0.99), double(strict) / wanted,
               std::min(1.0, double(tolerant) / wanted), loadavg());
  }
  }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    fmt::print(stderr,
               "usage: bench_knowledge [--articles N] [--queries N] [--recall-queries N] "
               "[--m N] [--efc N] [--ef N | --efs A,B,.. | --sweep] [--threads N] "
               "[--kernel avx2|plain] [--codec int8|float16|float32] [--reranks A,B,..] "
               "[--query-mode topic|article|passage|both|all] [--scan-mibs A,B,..] [--seed N]\n");
    return 2;
  }
  fmt::print("load average at start   {}\n", loadavg());
  bench::ArticleGenerator generator(o.seed);
  bench::ArticleGenerator query_text(7);
  std::vector<Embedding> vectors;
  std::vector<std::string> topic_text, article_text, passage_text;
  vectors.reserve(o.articles);
  // In article mode query q is drawn from article (q * 7919 + 13) mod N.
  std::vector<std::size_t> query_source(o.queries);
  for (std::size_t q = 0; q < o.queries; ++q) query_source[q] = (q * 7919 + 13) % o.articles;
  std::vector<std::size_t> wanted_by(o.articles, SIZE_MAX);
  for (std::size_t q = 0; q < o.queries; ++q) wanted_by[query_source[q]] = q;
  article_text.resize(o.queries);
  passage_text.resize(o.queries);
  bench::ArticleGenerator passage_words(11);
  auto start = Clock::now();
  for (std::size_t i = 0; i < o.articles; ++i) {
    const auto a = generator.article();
    vectors.push_back(embed_article(a.title, a.content));
    if ((o.article_queries || o.passage_queries) && wanted_by[i] != SIZE_MAX) {
      for (std::size_t q = 0; q < o.queries; ++q) {
        if (query_source[q] != i) continue;
        article_text[q] = query_text.query_from(a);
        if (o.passage_queries) passage_text[q] = passage_words.query_from(a, 20, 40);
      }
    }
  }
  const double embed_seconds = seconds_since(start);
  if (o.topic_queries) {
    bench::ArticleGenerator topic_queries(7);
    for (std::size_t q = 0; q < o.queries; ++q) topic_text.push_back(topic_queries.query());
  }

  const std::size_t rss_before = rss_bytes();
  AnnIndex index(AnnOptions{.initial_capacity = o.articles,
                            .m = o.m,
                            .ef_construction = o.ef_construction,
                            .ef_search = o.efs.front(),
                            .build_threads = o.threads,
                            .kernel = o.kernel,
                            .codec = o.codec,
                            .rerank_candidates = o.reranks.front()});
  std::vector<std::string> ids;
  std::vector<AnnItem> items;
  for (std::size_t i = 0; i < vectors.size(); ++i) ids.push_back(std::to_string(i));
  for (std::size_t i = 0; i < vectors.size(); ++i) items.push_back(AnnItem{ids[i], vectors[i]});
  start = Clock::now();
  const double build_cpu_start = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  if (!index.upsert_batch(items)) return 1;
  const double build_seconds = seconds_since(start);
  const double build_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - build_cpu_start;
  const std::size_t rss_after = rss_bytes();
  fmt::print("load average after build {}\n", loadavg());

  fmt::print("articles                {}\n", o.articles);
  fmt::print("embedder                {} ({:.1f} us/article)\n", kEmbedderVersion,
             embed_seconds * 1e6 / double(o.articles));
  fmt::print("hnsw                    M={} ef_construction={} kernel={} codec={}\n", o.m,
             o.ef_construction, kernel_name(index.kernel()), codec_name(o.codec));
  fmt::print("index build             {:.1f} s wall, {:.1f} s CPU ({:.0f} articles/s, "
             "{} threads)\n",
             build_seconds, build_cpu, double(o.articles) / build_seconds,
             o.threads == 0 ? std::thread::hardware_concurrency() : o.threads);
  fmt::print("index memory            {:.0f} MiB (graph+vectors), RSS +{:.0f} MiB\n",
             double(index.memory_bytes()) / (1 << 20),
             double(rss_after - rss_before) / (1 << 20));
  if (o.topic_queries) evaluate(o, index, vectors, topic_text, "topic: 3-6 words of one topic");
  if (o.article_queries) {
    evaluate(o, index, vectors, article_text, "article: 3-6 words of one article");
  }
  if (o.passage_queries) {
    evaluate(o, index, vectors, passage_text, "passage: 20-40 words of one article");
  }
  fmt::print("load average at end     {}\n", loadavg());
  return 0;
}
