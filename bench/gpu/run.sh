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

. "$here/cuda-env.sh"
cuda_env "$bundle/cudart"

say "cnnc: kernels, optimizers, NVRTC, one epoch, speed, time per launch"
java="$tmp/jre/bin/java"
"$java" -Xmx16g -Dorg.bytedeco.javacpp.cachedir="$tmp/javacpp" -Dcnnc.cuda.cache="$bundle/cubins" \
    -cp "$bundle/lib/*" dev.cnnc.bench.GpuCheck all --repo "$repo" --out "$out" \
    --data "$tmp/cifar-10-batches-bin" --cubins "$bundle/cubins" 2>&1 | tee "$out/cnnc.log"
status=${PIPESTATUS[0]}

say "cnnc bench --backend cuda, the command line's own GPU measurement (ResNet-20)"
(cd "$repo" && "$java" -Xmx8g -Dorg.bytedeco.javacpp.cachedir="$tmp/javacpp" -Dcnnc.cuda.cache="$bundle/cubins" \
    -cp "$bundle/lib/*" dev.cnnc.cli.Main bench examples/resnet20.cnn --backend cuda --batch 128 --infer-batch 128 \
    --windows 3 --seconds 1 --format json > "$out/cli-bench.json") || { echo "cnnc bench --backend cuda failed"; status=1; }
python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print("  %s on %s: training %.0f, inference %.0f images/s, %d launches profiled" % (j["network"], j["device"], j["train_images_per_s"], j["infer_images_per_s"], len(j["launches"])))' "$out/cli-bench.json" || status=1

say "PyTorch eager, the same network and loop"
PYTHONUNBUFFERED=1 python3 "$here/torch_eager.py" --out "$out/torch.json" 2>&1 | tee "$out/torch.log"

say "summary"
python3 "$here/summary.py" "$out/cnnc.json" "$out/torch.json" 2>&1 | tee "$out/summary.txt"
say "done: cnnc exit status $status; files in $out"
exit "$status"
