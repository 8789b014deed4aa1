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
import torch.nn as nn
import torch.nn.functional as F


class SimpleCNN(nn.Module):
    """examples/seed_simple_cnn.cnn: the seed article's network with fc1 = 32*8*8 -> 512."""

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


class Basic(nn.Module):
    """A ResNet basic block with the option-A shortcut of examples/resnet20.cnn."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.stride, self.pad = stride, cout - cin

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        s = x[:, :, ::self.stride, ::self.stride] if self.stride > 1 else x
        if self.pad:
            s = F.pad(s, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return F.relu(y + s)


class ResNet(nn.Module):
    """examples/resnet20.cnn (n = 3) and resnet56.cnn (n = 9)."""

    def __init__(self, n):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(n):
                blocks.append(Basic(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


NETWORKS = {"seed_simple_cnn": SimpleCNN, "resnet20": lambda: ResNet(3), "resnet56": lambda: ResNet(9)}


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
