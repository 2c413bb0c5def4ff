// The distances the HNSW index ranks by, 1 - <a, b>, in hnswlib's DISTFUNC
// shape, over vectors in one of three encodings, with a kernel chosen when
// the program starts.
//
// The binary is built for plain x86-64, so hnswlib's own distance is the
// SSE one it picks at compile time. At 1536 dimensions the distance is most
// of a search's CPU time, so on a CPU with AVX2, FMA and F16C (checked at run
// time) a kernel from a file compiled with -mavx2 -mfma -mf16c is used
// instead. The kernels sum in a different order, so they agree to float
// rounding (about 1e-6 here), not bit for bit.
//
// Why encodings: every distance of a graph search reads a whole vector, and
// at 1536 floats (6 KiB) a wide beam is bound by memory traffic. The index
// walks its graph on a compact copy (float16: 3 KiB; int8 with a per-vector
// scale: 1.5 KiB) and re-ranks the candidates it found by the exact float
// inner product (ann_index.h), so the compact distance only has to order
// neighbours well enough, not be exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace cscx::knowledge {

// hnswlib::DISTFUNC<float>: the third argument points to the size_t count
// of dimensions.
using DistanceFunction = float (*)(const void*, const void*, const void*);

enum class DistanceKernel {
  kPlain,  // hnswlib's inner-product distance (SSE on x86-64); portable C++ for the encodings
  kAvx2,   // ann_distance_avx2.cpp
};

// How the graph stores a vector of `dimensions` floats.
enum class VectorCodec {
  kFloat32,  // as given: the distance is exact
  kFloat16,  // IEEE binary16 per value; |error| of the inner product ~1e-4 for unit vectors
  kInt8,     // one float scale (max |x| / 127), then one int8 per value; ~1e-3
};

// Bytes one encoded vector takes.
std::size_t encoded_size(VectorCodec codec, std::size_t dimensions);

// Writes `vector` encoded into `out` (encoded_size() bytes). Values must be
// finite; unit vectors are what the index stores.
void encode_vector(VectorCodec codec, std::span<const float> vector, void* out);

// The kernel's function for two vectors of `dimensions` values encoded
// with `codec`, or nullptr when this build or this CPU lacks the kernel.
DistanceFunction distance_function(VectorCodec codec, DistanceKernel kernel,
                                   std::size_t dimensions);

// distance_function(VectorCodec::kFloat32, kernel, dimensions).
DistanceFunction distance_function(DistanceKernel kernel, std::size_t dimensions);

// kAvx2 where available, else kPlain.
DistanceKernel best_distance_kernel();

// ---- The exact scan (AnnOptions::exact_scan_bytes in ann_index.h) ----
//
// A query of a few words has a few dozen non-zero values out of 1536, so
// its inner product with every article needs only those dimensions of each.
// For that the index keeps every article's int8 codes (the kInt8 encoding's)
// a second time, dimension-major: one column of codes per dimension, an
// article's code at its label. A scan reads the query's columns side by
// side, kScanLanes articles at a time (one cache line of each column).
inline constexpr std::size_t kScanLanes = 64;

// For the kScanLanes articles starting at `first` (a pointer into column 0):
// out[j] = sum over i < count of weights[i] * first[dims[i] * stride + j].
// Each column's line `ahead` bytes further on is prefetched (0: none).
// The caller multiplies each sum by its article's int8 scale.
using ScanFunction = void (*)(const std::int8_t* first, std::size_t stride,
                              const std::uint32_t* dims, const float* weights, std::size_t count,
                              std::size_t ahead, float* out);

// The kernel's scan function (kAvx2 needs the CPU to have it, else kPlain's).
ScanFunction scan_function(DistanceKernel kernel);

std::string_view kernel_name(DistanceKernel kernel);
std::string_view codec_name(VectorCodec codec);

}  // namespace cscx::knowledge
