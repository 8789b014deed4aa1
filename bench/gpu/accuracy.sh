#!/usr/bin/env bash
# The full-data accuracy run on the GPU machine, staged by prepare-accuracy.sh (see there for the
# device calls). Stages, in the order given:
#   unpack  unpacks whatever parts this call carried (the runtime, the data files) into bench/gpu/acc/
#   train   checks that all of CIFAR-10 is there (SHA-256), then trains with cnnc's command line on
#           the GPU: SimpleCNN 10 epochs (bench/accuracy.sh's run) and ResNet-20 60 epochs of
#           bench/resnet20_short.cnn (the README's 87.63% CPU run), each with the spec's recipe and
#           the default seed; then PyTorch eager trains its ResNet-20 twin with the same recipe
#           (bench/torch_train.py --device cuda) in the time left before ACC_DEADLINE seconds.
# Writes simplecnn.log, resnet20.log, *-metrics.jsonl and torch-resnet20.jsonl to $OUT.
# Overrides for a smoke test on a machine without a GPU (prepare-accuracy.sh runs one): ACC_DIR,
# ACC_BACKEND, ACC_LIMIT, ACC_SIMPLE_EPOCHS, ACC_RESNET_EPOCHS, ACC_TORCH=0.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
acc="${ACC_DIR:-$here/acc}"
out="${OUT:-$repo/out/gpu-accuracy}"
data="$acc/cifar-10-batches-bin"
backend="${ACC_BACKEND:-cuda}"
deadline="${ACC_DEADLINE:-500}"
start=$SECONDS
say() { echo "[$(date +%H:%M:%S)] $*"; }
mkdir -p "$out" "$data"

unxz_to() { xz -dc "$1" > "$2" 2>/dev/null || python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }

unpack() {
  for part in "$acc"/part*; do
    [ -d "$part" ] || continue
    if [ -f "$part/jre.tar.xz" ] && [ ! -x "$acc/jre/bin/java" ]; then
      say "unpacking the Java runtime from $(basename "$part")"
      tar -C "$acc" -xJf "$part/jre.tar.xz" 2>/dev/null \
        || python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$part/jre.tar.xz" "$acc"
    fi
    for f in "$part"/*.bin.xz; do
      [ -f "$f" ] || continue
      name="$(basename "$f" .xz)"
      [ -f "$data/$name" ] && [ "$(stat -c %s "$data/$name")" = 30730000 ] && continue
      say "unpacking $name from $(basename "$part")"
      unxz_to "$f" "$data/$name.part" && mv "$data/$name.part" "$data/$name"
    done
    for f in batches.meta.txt SHA256SUMS; do [ -f "$part/$f" ] && cp "$part/$f" "$data/"; done
  done
  ls -la "$data"
}

train() {
  say "checking the data"
  if [ ! -f "$data/SHA256SUMS" ] || ! (cd "$data" && sha256sum -c --quiet SHA256SUMS); then
    echo "accuracy.sh: CIFAR-10 is incomplete in $data (a part was not carried, or the machine was given back between calls)" >&2
    return 2
  fi
  if [ "$backend" = cuda ]; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || echo "(nvidia-smi failed)"
    . "$here/cuda-env.sh"
    cuda_env "$acc/part1/cudart"
  fi
  echo "$(nproc) CPUs; $(uname -srm)"
  local java="$acc/jre/bin/java" limit=()
  [ -n "${ACC_LIMIT:-}" ] && limit=(--limit "$ACC_LIMIT")
  cnnc() {
    "$java" --add-modules jdk.incubator.vector -Xmx16g -Dorg.bytedeco.javacpp.cachedir="$acc/javacpp" \
        -Dcnnc.cuda.cache="$acc/cubins" -cp "$acc/part1/lib/*" dev.cnnc.cli.Main "$@"
  }
  local status=0 name spec epochs
  for run in "simplecnn examples/seed_simple_cnn.cnn ${ACC_SIMPLE_EPOCHS:-10}" \
             "resnet20 bench/resnet20_short.cnn ${ACC_RESNET_EPOCHS:-60}"; do
    read -r name spec epochs <<< "$run"
    say "cnnc train $spec --backend $backend --epochs $epochs"
    rm -rf "$acc/runs/$name"
    (cd "$repo" && cnnc train "$spec" --backend "$backend" --data "$data" --epochs "$epochs" ${limit[@]+"${limit[@]}"} \
        --out "$acc/runs/$name") 2>&1 | grep --line-buffered -v '^epoch [0-9]*/[0-9]* *[0-9]*%' | tee "$out/$name.log"
    [ "${PIPESTATUS[0]}" = 0 ] || status=1
    cp "$acc/runs/$name/metrics.jsonl" "$out/$name-metrics.jsonl" 2>/dev/null
    [ -f "$acc/runs/$name/curves.png" ] && cp "$acc/runs/$name/curves.png" "$out/$name-curves.png"
  done
  if [ "${ACC_TORCH:-1}" = 1 ]; then
    local left=$((deadline - (SECONDS - start)))
    say "PyTorch eager, ResNet-20 with the same recipe, for at most 60 epochs or ${left} s"
    if [ "$left" -gt 30 ]; then
      PYTHONUNBUFFERED=1 timeout "$left" python3 "$repo/bench/torch_train.py" --data "$data" --epochs 60 --device cuda \
          2>&1 | tee "$out/torch-resnet20.jsonl"
    fi
  fi
  say "done in $((SECONDS - start)) s; files in $out"
  return $status
}

status=0
for stage in "$@"; do
  case "$stage" in
    unpack) unpack || status=$? ;;
    train) train || status=$? ;;
    *) echo "accuracy.sh: unknown stage $stage (unpack, train)" >&2; exit 2 ;;
  esac
done
exit $status
