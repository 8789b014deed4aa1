"""PyTorch eager counterpart of examples/seed_simple_cnn.cnn, timed the way GpuCheck times cnnc.

Each step: the batch comes from pinned host memory (non_blocking copy), forward, cross-entropy,
backward, SGD (lr 0.01, momentum 0.9), and loss.item(), as the cnnc training loop reads the loss
every step. Reported: median images/s of 5 runs of 100 steps after 30 warm-up steps, for PyTorch's
defaults (cuDNN may use TF32 for convolutions), strict float32 (TF32 off, cnnc's arithmetic), and
defaults without the per-step loss.item() (PyTorch's best case for this loop).
"""
import argparse
import json
import statistics
import time

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from torch_models import SimpleCNN  # noqa: E402  (bench/torch_models.py: one PyTorch twin of each example)


def measure(batch, mode, steps=100, runs=5, warmup=30):
    torch.backends.cudnn.allow_tf32 = mode != "fp32"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = False
    sync = mode != "no-sync"
    torch.manual_seed(1)
    model = SimpleCNN().cuda()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    xs = [torch.randn(batch, 3, 32, 32).pin_memory() for _ in range(8)]
    ys = [torch.randint(0, 10, (batch,)).pin_memory() for _ in range(8)]

    def step(i):
        x = xs[i % 8].cuda(non_blocking=True)
        y = ys[i % 8].cuda(non_blocking=True)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    for i in range(warmup):
        step(i).item()
    torch.cuda.synchronize()
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for i in range(steps):
            loss = step(i)
            if sync:
                loss.item()
        torch.cuda.synchronize()
        rates.append(steps * batch / (time.perf_counter() - t0))
    return statistics.median(rates), rates


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batches", default="64,256")
    p.add_argument("--out", default=None)
    a = p.parse_args()
    print(f"PyTorch {torch.__version__}, {torch.cuda.get_device_name(0)}, cuDNN {torch.backends.cudnn.version()}")
    rows = []
    for batch in [int(b) for b in a.batches.split(",")]:
        for mode in ["default", "fp32", "no-sync"]:
            median, rates = measure(batch, mode)
            rows.append({"batch": batch, "mode": mode, "train_images_per_s": median, "runs": rates})
            print(f"  batch {batch:4d} {mode:8s}: {median:12,.0f} images/s  (runs {' '.join(f'{r:.0f}' for r in rates)})")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
