#!/usr/bin/env bash
# Builds bench/gpu/bundle/, everything the GPU device check needs on a machine with no network and
# no Maven: a jlink'd Java runtime, the jars, the JNI libraries actually used, cubins precompiled
# for sm_90, a CIFAR-10 slice and the accuracy the CPU backend reaches on it. Then checks that the
# bundled Java starts here and stops with the clean no-GPU message. Run it from anywhere; it needs Maven, a JDK 17 with jlink, nvcc (for the
# cubins; without it the GPU machine compiles them) and the CIFAR-10 binary data.
#
#   bench/gpu/prepare.sh [CIFAR_DIR]      (default: $CNNC_DATA, then the usual places)
#   TRAIN_IMAGES=10000 TEST_IMAGES=2000   slice sizes (the bundle must stay under the 64 MiB a call carries)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bundle="$here/bundle"
train_images="${TRAIN_IMAGES:-10000}"
test_images="${TEST_IMAGES:-2000}"
limit_mib=64

step() { echo "== $*"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
. "$here/prepare-common.sh"
data="$(find_cifar "${1:-}")"
rm -rf "$bundle"
mkdir -p "$bundle/lib" "$bundle/cubins"

step "building cnnc: the whole reactor, so no SNAPSHOT jar of another checkout sneaks in"
(cd "$repo" && mvn -q -B -DskipTests package dependency:copy-dependencies -pl cli -am \
    -DincludeScope=runtime -DexcludeGroupIds=dev.cnnc -DoutputDirectory="$work/deps")
for m in grammar runtime compiler cli; do cp "$repo/$m"/target/cnnc-$m-*.jar "$bundle/lib/"; done
# Only what the device check loads: no plotting (curves.png is skipped with a warning), no archive code.
for j in antlr4-runtime gson javapoet cuda javacpp progressbar jline-terminal jline-native picocli; do
  cp "$work/deps/$j"-[0-9]*.jar "$bundle/lib/"
done

step "the JNI libraries of the JavaCPP presets the backend uses (cudart with the driver API, cublas, nvrtc)"
stage_jni "$bundle/lib" "$bundle/cudart"

step "the check itself"
mkdir -p "$work/classes"
javac -q -d "$work/classes" -cp "$bundle/lib/*" "$here/src/dev/cnnc/bench/GpuCheck.java" 2>/dev/null \
  || javac -d "$work/classes" -cp "$bundle/lib/*" "$here/src/dev/cnnc/bench/GpuCheck.java"
jar --create --file "$bundle/lib/cnnc-gpucheck.jar" -C "$work/classes" .

step "cubins for sm_90 (H100/H200), one per network"
if command -v nvcc >/dev/null; then
  java -cp "$bundle/lib/*" dev.cnnc.bench.GpuCheck cubins --repo "$repo" --cubins "$bundle/cubins" --out "$work/out"
else
  echo "   nvcc is not installed here: the GPU machine will compile the kernels (nvcc or NVRTC) at start"
fi

step "a Java runtime: java.base, jdk.unsupported (JavaCPP), java.logging (jline), java.compiler (javapoet's types)"
jlink --add-modules java.base,jdk.unsupported,java.logging,java.compiler,java.management --strip-debug --no-header-files \
    --no-man-pages --compress=0 --output "$work/jre"
XZ_OPT="-6 -T0" tar -C "$work" -cJf "$bundle/jre.tar.xz" jre

step "a CIFAR-10 slice from $data: $train_images training and $test_images test images"
mkdir -p "$work/cifar-10-batches-bin"
head -c $((3073 * train_images)) "$data/data_batch_1.bin" > "$work/cifar-10-batches-bin/data_batch_1.bin"
# The reader wants every file of the official layout; one image in each of the others.
for i in 2 3 4 5; do head -c 3073 "$data/data_batch_$i.bin" > "$work/cifar-10-batches-bin/data_batch_$i.bin"; done
head -c $((3073 * test_images)) "$data/test_batch.bin" > "$work/cifar-10-batches-bin/test_batch.bin"
cp "$data/batches.meta.txt" "$work/cifar-10-batches-bin/"
XZ_OPT="-6 -T0" tar -C "$work" -cJf "$bundle/cifar-slice.tar.xz" cifar-10-batches-bin

step "the CPU's results the GPU must match: SimpleCNN 1 epoch, ResNet-20 2 epochs on the slice (a minute or two)"
# Java as ./cnnc runs it (the Vector API for the CPU kernels; see the comment there).
java --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 -XX:PerMethodTrapLimit=1000000 \
    -XX:PerMethodRecompilationCutoff=1000000 -XX:CompileCommand=quiet -XX:CompileCommand=inline,jdk/incubator/vector/*.* \
    -XX:CompileCommand=inline,dev/cnnc/runtime/cpu/VectorGemm.load -XX:CompileCommand=inline,dev/cnnc/runtime/cpu/VectorGemm.put \
    -cp "$bundle/lib/*" dev.cnnc.bench.GpuCheck cpu-reference --repo "$repo" --data "$work/cifar-10-batches-bin" \
    --out "$bundle" 2>&1 | grep -v "^epoch [0-9]*/[0-9]* *[0-9]*%" | sed 's/^/   /'
[ -f "$bundle/cpu-reference.json" ] || { echo "prepare.sh: the CPU training runs failed" >&2; exit 1; }

step "size: what a device call carries (the working tree plus the bundle) must stay under $limit_mib MiB"
tree_bytes="$(tree_bytes)"
bundle_bytes="$(du -sb "$bundle" | cut -f1)"
du -sh "$bundle"/* "$bundle"/lib/* | sed 's/^/   /'
total=$((tree_bytes + bundle_bytes))
printf '   working tree %.1f MiB + bundle %.1f MiB = %.1f MiB\n' "$(echo "$tree_bytes/1048576" | bc -l)" \
    "$(echo "$bundle_bytes/1048576" | bc -l)" "$(echo "$total/1048576" | bc -l)"
if [ "$total" -gt $((limit_mib * 1048576)) ]; then
  echo "prepare.sh: over $limit_mib MiB; use smaller TRAIN_IMAGES / TEST_IMAGES" >&2
  exit 1
fi

step "smoke test: the bundled Java starts here and, without a GPU, stops with one sentence"
tar -C "$work" -xJf "$bundle/jre.tar.xz" --transform 's:^jre:jre-test:'
set +e
"$work/jre-test/bin/java" -Dorg.bytedeco.javacpp.cachedir="$work/javacpp" -cp "$bundle/lib/*" \
    dev.cnnc.bench.GpuCheck kernels --repo "$repo" --cubins "$bundle/cubins" --out "$work/out" > "$work/smoke.log" 2>&1
status=$?
set -e
sed 's/^/   /' "$work/smoke.log"
if [ "$status" = 3 ] && ! grep -q "Exception\|\sat " "$work/smoke.log"; then
  echo "   ok: no GPU here, and the message says what is missing"
elif [ "$status" = 0 ]; then
  echo "   this machine has a GPU: the check ran"
else
  echo "prepare.sh: the bundled runtime failed unexpectedly (exit $status)" >&2
  exit 1
fi
# and the command line's GPU bench (run.sh runs it after the check): the same one sentence
set +e
(cd "$repo" && "$work/jre-test/bin/java" -Dorg.bytedeco.javacpp.cachedir="$work/javacpp" -cp "$bundle/lib/*" \
    dev.cnnc.cli.Main bench examples/resnet20.cnn --backend cuda > "$work/smoke-cli.log" 2>&1)
status=$?
set -e
sed 's/^/   /' "$work/smoke-cli.log"
if [ "$status" = 1 ] && grep -q "^cnnc: " "$work/smoke-cli.log" && ! grep -q "Exception\|\sat " "$work/smoke-cli.log"; then
  echo "   ok: cnnc bench --backend cuda says the same"
elif [ "$status" != 0 ]; then
  echo "prepare.sh: the bundled command line failed unexpectedly (exit $status)" >&2
  exit 1
fi
echo "== bundle ready in $bundle; see bench/gpu/README.md to run it on the GPU machine"
