#!/usr/bin/env bash
# Accuracy benchmark: trains the seed article's SimpleCNN (examples/seed_simple_cnn.cnn, with its
# own train section: batch 64, SGD lr 0.01 momentum 0.9, crop+flip) for 10 epochs on all of
# CIFAR-10 and prints the final JSON line (test_acc, train_images_per_s, epochs, seconds, …).
# DESIGN.md's target is ≥ 70% test accuracy within 10 epochs.
#
# How long: measured with `./cnnc train examples/seed_simple_cnn.cnn --epochs 1` (java backend,
# 2 threads) on a 2-core machine shared with other builds (load average 7-10): one epoch took
# 678 s (79 training images/s, 53.3% test accuracy) while the process got about half a core
# (318 s of CPU time in 684 s). So 10 epochs take about 2 hours on such a machine; on 2 idle
# cores expect roughly half that. The first run also builds cnnc (about a minute) and compiles
# the network (seconds; cached in ~/.cache/cnnc/classes afterwards).
#
# Usage: bench/accuracy.sh [more cnnc train flags, e.g. --threads 8 --data DIR]
# The run folder is runs/bench-accuracy-<date>-<time> (or $CNNC_BENCH_OUT); progress goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${CNNC_BENCH_OUT:-$root/runs/bench-accuracy-$(date +%Y%m%d-%H%M%S)}"
"$root/cnnc" train "$root/examples/seed_simple_cnn.cnn" --epochs 10 --out "$out" "$@" | tail -n 1
