// The distance the HNSW index ranks by, 1 - <a, b> over float vectors, in
// hnswlib's DISTFUNC shape, with a kernel chosen when the program starts.
//
// The binary is built for plain x86-64, so hnswlib's own distance is the
// SSE one it picks at compile time. At 1536 dimensions the distance is most
// of a search's CPU time, so on a CPU with AVX2 and FMA (checked at run
// time) a kernel from a file compiled with -mavx2 -mfma is used instead.
// Both kernels sum in a different order, so they agree to float rounding
// (about 1e-6 here), not bit for bit.
#pragma once

#include <cstddef>
#include <string_view>

namespace cscx::knowledge {

// hnswlib::DISTFUNC<float>: the third argument points to the size_t count
// of floats.
using DistanceFunction = float (*)(const void*, const void*, const void*);

enum class DistanceKernel {
  kPlain,  // hnswlib's inner-product distance (SSE on x86-64)
  kAvx2,   // ann_distance_avx2.cpp
};

// The kernel's function for vectors of `dimensions` floats, or nullptr when
// this build or this CPU lacks the kernel.
DistanceFunction distance_function(DistanceKernel kernel, std::size_t dimensions);

// kAvx2 where available, else kPlain.
DistanceKernel best_distance_kernel();

std::string_view kernel_name(DistanceKernel kernel);

}  // namespace cscx::knowledge
