#!/usr/bin/env bash
# Stages the full-data accuracy run on the GPU machine (bench/gpu/accuracy.sh): the cnnc command
# line, a jlink'd Java runtime for it and all of CIFAR-10. The data alone
# (184 MB, 122 MB compressed) is more than one device call carries (64 MiB), so it goes in three
# parts, each a folder under bench/gpu/acc/ (ignored by git) for one call's `carry`; the machine
# keeps what earlier calls left there while it stays warm. The GPU machine compiles the two
# networks' CUDA itself (nvcc there, else NVRTC; seconds), into the cache the command line keeps.
# Needs Maven, a JDK 17 with jlink and the CIFAR-10 data.
#
#   bench/gpu/prepare-accuracy.sh [CIFAR_DIR]      (default: $CNNC_DATA, then the usual places)
#
# then, through the device tool, one call per part, each within the 30 s the machine stays warm:
#   run(command="bash bench/gpu/accuracy.sh unpack", carry=["bench/gpu/acc/part1"], timeout_s=120)
#   run(command="bash bench/gpu/accuracy.sh unpack", carry=["bench/gpu/acc/part2"], timeout_s=120)
#   run(command="bash bench/gpu/accuracy.sh unpack train", carry=["bench/gpu/acc/part3"], timeout_s=540)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
acc="$here/acc"
limit_bytes=$((64 * 1048576))

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
. "$here/prepare-common.sh"
data="$(find_cifar "${1:-}")"
rm -rf "$acc"
mkdir -p "$acc/part1/lib" "$acc/part2" "$acc/part3"

echo "== building cnnc's command line and its dependencies"
(cd "$repo" && mvn -q -B -DskipTests package dependency:copy-dependencies -pl cli -am \
    -DincludeScope=runtime -DexcludeGroupIds=dev.cnnc -DoutputDirectory="$work/deps")
for m in grammar runtime compiler cli; do cp "$repo/$m"/target/cnnc-$m-*.jar "$acc/part1/lib/"; done
cp "$work"/deps/*.jar "$acc/part1/lib/"
# (the whole natives jars, which the cuda profile adds on a machine with a GPU, are hundreds of MB)
rm -f "$acc"/part1/lib/cuda-*-linux-x86_64.jar "$acc"/part1/lib/javacpp-*-linux-x86_64.jar
stage_jni "$acc/part1/lib" "$acc/part1/cudart"

echo "== a Java runtime for the command line (the vector API and java.desktop for curves.png too)"
jlink --add-modules java.base,jdk.unsupported,java.logging,java.compiler,java.desktop,java.management,jdk.incubator.vector \
    --strip-debug --no-header-files --no-man-pages --compress=0 --output "$work/jre"
XZ_OPT="-6 -T0" tar -C "$work" -cJf "$acc/part1/jre.tar.xz" jre

echo "== CIFAR-10 from $data, compressed (xz with a 32-byte delta filter: pixels above each other)"
pack() { xz -c --delta=dist=32 --lzma2=preset=9 "$data/$1" > "$2/$1.xz"; }
pack data_batch_1.bin "$acc/part1" &
pack data_batch_2.bin "$acc/part2" &
pack data_batch_3.bin "$acc/part2" &
wait
pack data_batch_4.bin "$acc/part2" &
pack data_batch_5.bin "$acc/part3" &
pack test_batch.bin "$acc/part3" &
wait
cp "$data/batches.meta.txt" "$acc/part3/"
(cd "$data" && sha256sum data_batch_*.bin test_batch.bin) > "$acc/part3/SHA256SUMS"

echo "== sizes: each call carries the working tree and one part, under 64 MiB"
tree_bytes="$(tree_bytes)"
for p in part1 part2 part3; do
  bytes=$(( $(du -sb "$acc/$p" | cut -f1) + tree_bytes ))
  printf '   %s: %.1f MiB with the working tree\n' "$p" "$(echo "$bytes/1048576" | bc -l)"
  [ "$bytes" -le "$limit_bytes" ] || { echo "prepare-accuracy.sh: $p is over 64 MiB" >&2; exit 1; }
done

echo "== smoke test: the staged runtime and jars, unpacked as the GPU machine will, train 1 epoch of 512 images on the CPU"
rm -rf "$work/check" && mkdir -p "$work/check"
cp -r "$acc"/part1 "$acc"/part2 "$acc"/part3 "$work/check/"
ACC_DIR="$work/check" ACC_BACKEND=java ACC_LIMIT=512 ACC_SIMPLE_EPOCHS=1 ACC_RESNET_EPOCHS=1 ACC_TORCH=0 \
    OUT="$work/check/out" bash "$here/accuracy.sh" unpack train 2>&1 | tail -n 12 | sed 's/^/   /'
echo "== staged in $acc; see bench/gpu/README.md"
