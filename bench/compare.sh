#!/usr/bin/env bash
# Side-by-side speed of cnnc and PyTorch on the same networks, batch, threads and synthetic data.
#
#   bench/compare.sh [ROUNDS]        (default 3 rounds; about 1 minute per network per round)
#
# Runs `cnnc bench` and bench/torch_bench.py alternately, ROUNDS times per network, and prints the
# median images/s of each side and their ratio, and the median and range of the per-round ratios
# (each round's two runs are back to back). Machines here are shared and noisy: alternating and
# taking medians keeps the ratio fair. Needs PyTorch for /usr/bin/python3:
#   apt-get update && apt-get install -y python3-torch
# Environment: THREADS (2), BATCH (64), INFER_BATCH (256), NETWORKS ("seed_simple_cnn resnet20"),
# CNNC (the command to run, ./cnnc; another build's launcher compares builds, and keeps a run going
# while these sources change).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-3}"
threads="${THREADS:-2}"
batch="${BATCH:-64}"
infer_batch="${INFER_BATCH:-256}"
networks="${NETWORKS:-seed_simple_cnn resnet20}"
python="${PYTHON:-/usr/bin/python3}"
cnnc="${CNNC:-./cnnc}"
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "compare.sh: PyTorch is missing for $python; install it with: apt-get update && apt-get install -y python3-torch" >&2
  exit 2
fi
"$cnnc" --version >/dev/null 2>&1 || true   # builds cnnc once, outside the timed runs
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for net in $networks; do
  for ((r = 1; r <= rounds; r++)); do
    # the side that goes first alternates, so neither always runs on a machine the other warmed
    if ((r % 2)); then sides="cnnc pytorch"; else sides="pytorch cnnc"; fi
    for side in $sides; do
      echo "[$net round $r/$rounds] $side…" >&2
      if [[ $side == cnnc ]]; then
        "$cnnc" bench "examples/$net.cnn" --threads "$threads" --batch "$batch" --infer-batch "$infer_batch" \
          --skip-layers --format json 2>/dev/null
      else
        OMP_NUM_THREADS="$threads" "$python" bench/torch_bench.py "$net" --threads "$threads" --batch "$batch" \
          --infer-batch "$infer_batch"
      fi | "$python" -c "import json,sys; d=json.load(sys.stdin); d['side']='$side'; d['net']='$net'; d['round']=$r; print(json.dumps(d))" >>"$results"
    done
  done
done
"$python" - "$results" "$threads" "$batch" "$infer_batch" <<'PY'
import json, statistics, sys, platform, subprocess
rows = [json.loads(l) for l in open(sys.argv[1])]
threads, batch, infer_batch = sys.argv[2:5]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
torch_version = next(r["framework"] for r in rows if r["side"] == "pytorch")
print(f"machine: {cpu}, {threads} threads; training batch {batch}, inference batch {infer_batch}; {torch_version}")
print(f"{'network':<18} {'':<10} {'cnnc img/s':>11} {'pytorch img/s':>14} {'ratio':>7}   per-round ratios (median, range)")
for net in dict.fromkeys(r["net"] for r in rows):
    for key, label in (("train_images_per_s", "training"), ("infer_images_per_s", "inference")):
        mine = sorted((r for r in rows if r["net"] == net), key=lambda r: r["round"])
        cs = [r[key] for r in mine if r["side"] == "cnnc"]
        ps = [r[key] for r in mine if r["side"] == "pytorch"]
        c, p = statistics.median(cs), statistics.median(ps)
        # each round's two runs were back to back, so their ratio shares the machine's state
        paired = [a / b for a, b in zip(cs, ps)]
        print(f"{net:<18} {label:<10} {c:>11.1f} {p:>14.1f} {c / p:>6.2f}x   "
              f"{statistics.median(paired):.2f}x ({min(paired):.2f}-{max(paired):.2f}x over {len(paired)})")
# `cnnc bench` names any GEMM kernel the JIT compiled without the Vector API's intrinsics (that
# JVM's figures are about 15x low); such a round stays in the table, flagged here
for r in rows:
    if r["side"] == "cnnc" and r.get("jit_suspects"):
        print(f"note: {r['net']} round {r['round']}: the JIT compiled {', '.join(r['jit_suspects'])} without the "
              f"Vector API's intrinsics, so that round's cnnc figures are far too low")
PY
