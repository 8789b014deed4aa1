#!/usr/bin/env python3
"""PyTorch side of bench/compare.sh: the same networks as examples/*.cnn, timed the same way.

Training images/s is forward + cross-entropy + backward + SGD(momentum 0.9) step on one synthetic
batch, as `cnnc bench` times it; inference is a forward pass under no_grad in eval mode. Each figure
is the median of several timed windows after a warm-up window. Prints one JSON line.

Needs PyTorch: on Debian, `apt-get install -y python3-torch`, then run with /usr/bin/python3.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

from torch_models import NETWORKS


def median_rate(step, images, windows, seconds):
    def window():
        start = time.perf_counter()
        calls = 0
        while True:
            step()
            calls += 1
            now = time.perf_counter()
            if now - start >= seconds:
                return images * calls / (now - start)
    window()
    return statistics.median(window() for _ in range(windows))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("network", choices=sorted(NETWORKS))
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--infer-batch", type=int, default=256)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--windows", type=int, default=5)
    p.add_argument("--seconds", type=float, default=2.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = NETWORKS[a.network]()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(max(a.batch, a.infer_batch), 3, 32, 32)
    y = torch.randint(0, 10, (a.batch,))
    xb = x[: a.batch].contiguous()
    xi = x[: a.infer_batch].contiguous()

    def train_step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(xb), y).backward()
        opt.step()

    model.train()
    train = median_rate(train_step, a.batch, a.windows, a.seconds)
    model.eval()
    with torch.no_grad():
        infer = median_rate(lambda: model(xi), a.infer_batch, a.windows, a.seconds)
    print(json.dumps({"framework": "pytorch " + torch.__version__, "network": a.network, "threads": a.threads,
                      "batch": a.batch, "infer_batch": a.infer_batch,
                      "train_images_per_s": train, "infer_images_per_s": infer}))


if __name__ == "__main__":
    main()
