#!/usr/bin/env bash
# Side-by-side speed of cnnc and PyTorch on the same networks, batch, threads and synthetic data.
#
#   bench/compare.sh [ROUNDS]        (default 3 rounds; about 1 minute per network per round)
#
# Runs `cnnc bench` and bench/torch_bench.py alternately, ROUNDS times per network, and prints the
# median images/s of each side and their ratio. Machines here are shared and noisy: alternating
# and taking medians keeps the ratio fair. Needs PyTorch for /usr/bin/python3:
#   apt-get update && apt-get install -y python3-torch
# Environment: THREADS (2), BATCH (64), INFER_BATCH (256), NETWORKS ("seed_simple_cnn resnet20").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-3}"
threads="${THREADS:-2}"
batch="${BATCH:-64}"
infer_batch="${INFER_BATCH:-256}"
networks="${NETWORKS:-seed_simple_cnn resnet20}"
python="${PYTHON:-/usr/bin/python3}"
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "compare.sh: PyTorch is missing for $python; install it with: apt-get update && apt-get install -y python3-torch" >&2
  exit 2
fi
./cnnc --version >/dev/null 2>&1 || true   # builds cnnc once, outside the timed runs
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for net in $networks; do
  for ((r = 1; r <= rounds; r++)); do
    echo "[$net round $r/$rounds] cnnc…" >&2
    ./cnnc bench "examples/$net.cnn" --threads "$threads" --batch "$batch" --infer-batch "$infer_batch" \
      --skip-layers --format json 2>/dev/null | "$python" -c "import json,sys; d=json.load(sys.stdin); d['side']='cnnc'; d['net']='$net'; print(json.dumps(d))" >>"$results"
    echo "[$net round $r/$rounds] pytorch…" >&2
    OMP_NUM_THREADS="$threads" "$python" bench/torch_bench.py "$net" --threads "$threads" --batch "$batch" \
      --infer-batch "$infer_batch" | "$python" -c "import json,sys; d=json.load(sys.stdin); d['side']='pytorch'; d['net']='$net'; print(json.dumps(d))" >>"$results"
  done
done
"$python" - "$results" "$threads" "$batch" "$infer_batch" <<'PY'
import json, statistics, sys, platform, subprocess
rows = [json.loads(l) for l in open(sys.argv[1])]
threads, batch, infer_batch = sys.argv[2:5]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
torch_version = next(r["framework"] for r in rows if r["side"] == "pytorch")
print(f"machine: {cpu}, {threads} threads; training batch {batch}, inference batch {infer_batch}; {torch_version}")
print(f"{'network':<18} {'':<10} {'cnnc img/s':>11} {'pytorch img/s':>14} {'ratio':>7}")
for net in dict.fromkeys(r["net"] for r in rows):
    for key, label in (("train_images_per_s", "training"), ("infer_images_per_s", "inference")):
        c = statistics.median(r[key] for r in rows if r["net"] == net and r["side"] == "cnnc")
        p = statistics.median(r[key] for r in rows if r["net"] == net and r["side"] == "pytorch")
        print(f"{net:<18} {label:<10} {c:>11.1f} {p:>14.1f} {c / p:>6.2f}x")
PY
