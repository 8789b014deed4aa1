// A CPU stand-in for a GPU, driven by dev.cnnc.compiler.cuda.EmulatedDevice over stdin/stdout.
// Requests (little-endian): one op byte, then its fields. Every request gets a status byte (0)
// and its payload; a failure prints to stderr and exits, which the Java side reports.
//   'A' u64 bytes                   -> u64 address of zeroed memory
//   'U' u64 dst, u64 bytes, data    -> (nothing)
//   'D' u64 src, u64 bytes          -> data
//   'S' u64 dst, u32 bits, u64 count (fill 32-bit words)
//   'K' u32 kernel, u32 gx, u32 gy, u32 block, u32 nargs, u64 args[nargs]
//   'G' u8 ta, u8 tb, i32 m, n, k, f32 alpha, u64 a, i32 lda, u64 b, i32 ldb, f32 beta, u64 c, i32 ldc
//   'Q' quit
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <thread>
#include <vector>

#include "cnnc_emu.h"

typedef void (*cnnc_trampoline)(const uint64_t* args);
extern const cnnc_trampoline cnnc_kernels[];
extern const int cnnc_kernel_count;

thread_local cnnc_dim3 threadIdx, blockIdx;
cnnc_dim3 blockDim, gridDim;

// Runs every block of a launch; CPU thread w takes blocks w, w + workers, … (kernels never share
// data between threads of a launch except through what they only read).
static void run_grid(int kernel, uint32_t gx, uint32_t gy, uint32_t block, const uint64_t* args) {
  blockDim = {block, 1, 1};
  gridDim = {gx, gy, 1};
  uint64_t blocks = (uint64_t) gx * gy;
  unsigned workers = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  if (blocks < 4 * workers) workers = 1;
  auto work = [&](unsigned w) {
    for (uint64_t b = w; b < blocks; b += workers) {
      blockIdx = {(unsigned) (b % gx), (unsigned) (b / gx), 0};
      for (uint32_t tx = 0; tx < block; tx++) {
        threadIdx = {tx, 0, 0};
        cnnc_kernels[kernel](args);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; w++) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
}

static void read_exact(void* p, size_t n) {
  if (fread(p, 1, n, stdin) != n) {
    fprintf(stderr, "emulator: the host closed the pipe\n");
    exit(3);
  }
}

template <typename T>
static T get() {
  T v;
  read_exact(&v, sizeof v);
  return v;
}

static void ok() { fputc(0, stdout); }

// cuBLAS's sgemm, column-major; beta == 0 never reads C, as cuBLAS.
static void sgemm(bool ta, bool tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                  int ldb, float beta, float* c, int ldc) {
  for (int j = 0; j < n; j++) {
    for (int i = 0; i < m; i++) {
      float acc = 0.f;
      for (int p = 0; p < k; p++) {
        float av = ta ? a[p + (size_t) i * lda] : a[i + (size_t) p * lda];
        float bv = tb ? b[j + (size_t) p * ldb] : b[p + (size_t) j * ldb];
        acc += av * bv;
      }
      float* out = &c[i + (size_t) j * ldc];
      *out = beta == 0.f ? alpha * acc : alpha * acc + beta * *out;
    }
  }
}

int main() {
  std::vector<uint64_t> args;
  for (;;) {
    int op = fgetc(stdin);
    if (op == EOF || op == 'Q') return 0;
    switch (op) {
      case 'A': {
        uint64_t bytes = get<uint64_t>();
        void* p = calloc(bytes ? bytes : 1, 1);
        if (!p) {
          fprintf(stderr, "emulator: out of memory for %llu bytes\n", (unsigned long long) bytes);
          return 4;
        }
        ok();
        uint64_t a = (uint64_t) (uintptr_t) p;
        fwrite(&a, 8, 1, stdout);
        break;
      }
      case 'U': {
        uint64_t dst = get<uint64_t>(), bytes = get<uint64_t>();
        read_exact((void*) (uintptr_t) dst, bytes);
        ok();
        break;
      }
      case 'D': {
        uint64_t src = get<uint64_t>(), bytes = get<uint64_t>();
        ok();
        fwrite((void*) (uintptr_t) src, 1, bytes, stdout);
        break;
      }
      case 'S': {
        uint64_t dst = get<uint64_t>();
        uint32_t bits = get<uint32_t>();
        uint64_t count = get<uint64_t>();
        uint32_t* p = (uint32_t*) (uintptr_t) dst;
        for (uint64_t i = 0; i < count; i++) p[i] = bits;
        ok();
        break;
      }
      case 'K': {
        uint32_t kernel = get<uint32_t>(), gx = get<uint32_t>(), gy = get<uint32_t>(), block = get<uint32_t>();
        uint32_t nargs = get<uint32_t>();
        args.resize(nargs);
        read_exact(args.data(), 8 * (size_t) nargs);
        if ((int) kernel >= cnnc_kernel_count) {
          fprintf(stderr, "emulator: no kernel %u\n", kernel);
          return 5;
        }
        run_grid((int) kernel, gx, gy, block, args.data());
        ok();
        break;
      }
      case 'G': {
        bool ta = get<uint8_t>(), tb = get<uint8_t>();
        int m = get<int32_t>(), n = get<int32_t>(), k = get<int32_t>();
        float alpha = get<float>();
        uint64_t a = get<uint64_t>();
        int lda = get<int32_t>();
        uint64_t b = get<uint64_t>();
        int ldb = get<int32_t>();
        float beta = get<float>();
        uint64_t c = get<uint64_t>();
        int ldc = get<int32_t>();
        // cuBLAS refuses these (CUBLAS_STATUS_INVALID_VALUE) before touching memory; so does the emulator.
        if (m < 0 || n < 0 || k < 0 || lda < std::max(1, ta ? k : m) || ldb < std::max(1, tb ? n : k) ||
            ldc < std::max(1, m)) {
          fprintf(stderr, "emulator: cublasSgemm(%c%c, m %d, n %d, k %d, lda %d, ldb %d, ldc %d): invalid value\n",
                  ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, lda, ldb, ldc);
          return 7;
        }
        sgemm(ta, tb, m, n, k, alpha, (const float*) (uintptr_t) a, lda, (const float*) (uintptr_t) b, ldb, beta,
              (float*) (uintptr_t) c, ldc);
        ok();
        break;
      }
      default:
        fprintf(stderr, "emulator: unknown request %d\n", op);
        return 6;
    }
    fflush(stdout);
  }
}
