// Lets a generated .cu translation unit compile as plain C++ for the CPU, so its kernels can be
// checked without a GPU. Generated kernels never synchronise their threads, so running the
// threads of a grid one after another, in any order (blocks spread over CPU threads), computes
// what the GPU computes.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

using std::max;
using std::min;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)

struct cnnc_dim3 {
  unsigned x, y, z;
};
extern thread_local cnnc_dim3 threadIdx, blockIdx;
extern cnnc_dim3 blockDim, gridDim;

inline float __int_as_float(int i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

// The explicitly rounded intrinsics: plain IEEE operations, compiled with -ffp-contract=off.
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
