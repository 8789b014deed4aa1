"""PyTorch eager counterparts of examples/seed_simple_cnn.cnn and resnet20.cnn, timed the way
GpuCheck times cnnc.

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
from torch_models import ResNet, SimpleCNN  # noqa: E402  (bench/torch_models.py: one PyTorch twin of each example)


NETWORKS = {"SimpleCNN": SimpleCNN, "ResNet-20": lambda: ResNet(3)}


def measure(network, batch, mode, device="cuda", steps=100, runs=5, warmup=30):
    torch.backends.cudnn.allow_tf32 = mode != "fp32"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = False
    sync = mode != "no-sync"
    torch.manual_seed(1)
    model = NETWORKS[network]().to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    pin = (lambda t: t.pin_memory()) if device == "cuda" else (lambda t: t)
    xs = [pin(torch.randn(batch, 3, 32, 32)) for _ in range(8)]
    ys = [pin(torch.randint(0, 10, (batch,))) for _ in range(8)]
    synchronize = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def step(i):
        x = xs[i % 8].to(device, non_blocking=True)
        y = ys[i % 8].to(device, non_blocking=True)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    for i in range(warmup):
        step(i).item()
    synchronize()
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for i in range(steps):
            loss = step(i)
            if sync:
                loss.item()
        synchronize()
        rates.append(steps * batch / (time.perf_counter() - t0))
    return statistics.median(rates), rates


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", default="SimpleCNN:64,256;ResNet-20:128",
                   help="network:batch,batch;… (networks: " + ", ".join(NETWORKS) + ")")
    p.add_argument("--out", default=None)
    p.add_argument("--device", default="cuda", help="cuda, or cpu to try the script where there is no GPU")
    p.add_argument("--quick", action="store_true", help="1 run of 2 steps: to try the script, not to measure")
    a = p.parse_args()
    name = torch.cuda.get_device_name(0) if a.device == "cuda" else "CPU"
    print(f"PyTorch {torch.__version__}, {name}, cuDNN {torch.backends.cudnn.version()}")
    sizes = dict(steps=2, runs=1, warmup=1) if a.quick else {}
    rows = []
    for run in a.runs.split(";"):
        network, batches = run.split(":")
        for batch in [int(b) for b in batches.split(",")]:
            for mode in ["default", "fp32", "no-sync"]:
                median, rates = measure(network, batch, mode, a.device, **sizes)
                rows.append({"network": network, "batch": batch, "mode": mode, "train_images_per_s": median,
                             "runs": rates})
                print(f"  {network:9s} batch {batch:4d} {mode:8s}: {median:12,.0f} images/s"
                      f"  (runs {' '.join(f'{r:.0f}' for r in rates)})", flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"torch": torch.__version__, "device": name, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
