#!/usr/bin/env bash
# The GPU device check, in one command, on the machine with the GPU (see README.md): every kernel
# of every example against the reference interpreter, the GPU optimizers against the CPU ones,
# NVRTC, one epoch of SimpleCNN on the CIFAR-10 slice, and SimpleCNN training images/s against
# PyTorch eager on the same GPU. Needs bench/gpu/bundle (prepare.sh) and nothing from a network.
# Prints everything; writes cnnc.json, cnnc.log, torch.json, torch.log, metrics.jsonl and
# summary.txt to $OUT. Exits non-zero when a check fails.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bundle="$here/bundle"
out="${OUT:-$repo/out/gpu}"
tmp="${TMPDIR:-/tmp}/cnnc-gpu"
mkdir -p "$out"
rm -rf "$tmp" && mkdir -p "$tmp"
say() { echo "[$(date +%H:%M:%S)] $*"; }

[ -f "$bundle/jre.tar.xz" ] || { echo "run.sh: no $bundle; run bench/gpu/prepare.sh first and carry bench/gpu/bundle" >&2; exit 2; }

say "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,temperature.gpu,utilization.gpu \
    --format=csv 2>&1 || echo "(nvidia-smi failed)"
echo "$(nproc) CPUs; $(uname -srm)"

untar() { tar -C "$tmp" -xJf "$1" 2>/dev/null || python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$tmp"; }
say "unpacking the Java runtime and the CIFAR-10 slice"
untar "$bundle/jre.tar.xz"
untar "$bundle/cifar-slice.tar.xz"

# The JNI libraries link against the driver (libcuda.so.1) and the CUDA 13 runtime, cuBLAS and
# NVRTC: from the toolkit if it has them, else from PyTorch's nvidia-* wheels.
libdirs="/usr/local/nvidia/lib64:/usr/local/nvidia/lib:/usr/local/cuda/lib64"
for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13; do
  if ! ls /usr/local/cuda/lib64/$lib >/dev/null 2>&1; then
    f="$(find /opt /usr/local /usr/lib -name "$lib" 2>/dev/null | head -1)"
    [ -n "$f" ] && libdirs="$libdirs:$(dirname "$f")"
  fi
done
# Last resort for the runtime: the copy prepare.sh carried (the driver must still support CUDA 13).
if [ -f "$bundle/cudart/libcudart.so.13" ] && ! (IFS=:; for d in $libdirs; do [ -e "$d/libcudart.so.13" ] && exit 0; done; exit 1) \
    && ! ldconfig -p 2>/dev/null | grep -q 'libcudart.so.13 '; then
  libdirs="$libdirs:$bundle/cudart"
fi
export LD_LIBRARY_PATH="$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
for lib in libcuda.so.1 libcudart.so.13 libcublas.so.13 libnvrtc.so.13; do
  where="$( (IFS=:; for d in $LD_LIBRARY_PATH; do [ -e "$d/$lib" ] && echo "$d/$lib" && break; done) ; ldconfig -p 2>/dev/null | awk -v l="$lib" '$1 == l {print $NF; exit}')"
  echo "  $lib: ${where:-NOT FOUND}" | head -1
done
command -v nvcc >/dev/null && nvcc --version | tail -1

say "cnnc: kernels, optimizers, NVRTC, one epoch, speed, time per launch"
java="$tmp/jre/bin/java"
"$java" -Xmx16g -Dorg.bytedeco.javacpp.cachedir="$tmp/javacpp" -Dcnnc.cuda.cache="$bundle/cubins" \
    -cp "$bundle/lib/*" dev.cnnc.bench.GpuCheck all --repo "$repo" --out "$out" \
    --data "$tmp/cifar-10-batches-bin" --cubins "$bundle/cubins" 2>&1 | tee "$out/cnnc.log"
status=${PIPESTATUS[0]}

say "PyTorch eager, the same network and loop"
PYTHONUNBUFFERED=1 python3 "$here/torch_eager.py" --out "$out/torch.json" 2>&1 | tee "$out/torch.log"

say "summary"
python3 "$here/summary.py" "$out/cnnc.json" "$out/torch.json" 2>&1 | tee "$out/summary.txt"
say "done: cnnc exit status $status; files in $out"
exit "$status"
