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

std::string_view kernel_name(DistanceKernel kernel);
std::string_view codec_name(VectorCodec codec);

}  // namespace cscx::knowledge
