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

import torch
import torch.nn as nn
import torch.nn.functional as F


class SimpleCNN(nn.Module):
    """conv 3→16 k3 p1, relu, 2×2 max pool, conv 16→32 k3 p1, relu, 2×2 max pool, fc 2048→512, relu, fc 512→10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 8 * 8, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


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
