"""Trains bench/torch_models.py's ResNet-20 on the CIFAR-10 binary files with the recipe of
bench/resnet20_short.cnn, in PyTorch, as the reference for cnnc's accuracy on the same data.

    /usr/bin/python3 bench/torch_train.py --data DIR [--epochs 10] [--threads 2] [--device cuda]

The recipe, as cnnc runs it: batch 128 (the last partial batch kept), SGD lr 0.1, momentum 0.9,
Nesterov, weight decay 5e-4 on every parameter; a linear warm-up over the first epoch's steps
(step s gets 0.1·(s+1)/W), then cosine to 0 over the remaining steps, per step; random crop
after 4 black pixels of padding and a random horizontal flip; per-channel normalisation with
CIFAR-10's usual mean and std; cross-entropy. Prints one JSON line per epoch.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import NETWORKS  # noqa: E402

MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32).reshape(1, 3, 1, 1)
STD = np.array([0.2470, 0.2435, 0.2616], dtype=np.float32).reshape(1, 3, 1, 1)


def load(path):
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
    return raw[:, 1:].reshape(-1, 3, 32, 32), raw[:, 0].astype(np.int64)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--network", default="resnet20")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU (PyTorch's defaults: cuDNN, TF32 convolutions)")
    a = p.parse_args()
    device = torch.device(a.device)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    parts = [load(os.path.join(a.data, f"data_batch_{i}.bin")) for i in range(1, 6)]
    x_train = np.concatenate([q[0] for q in parts])
    y_train = np.concatenate([q[1] for q in parts])
    x_test, y_test = load(os.path.join(a.data, "test_batch.bin"))
    test = torch.from_numpy((x_test.astype(np.float32) / 255 - MEAN) / STD).to(device)
    test_y = torch.from_numpy(y_test).to(device)

    model = NETWORKS[a.network]().to(device)
    decay = 5e-4
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=decay)
    batch, n = 128, len(x_train)
    steps_per_epoch = math.ceil(n / batch)
    total = steps_per_epoch * a.epochs
    warm = steps_per_epoch

    def lr_at(step):
        if step < warm:
            return 0.1 * (step + 1) / warm
        return 0.1 * (1 + math.cos(math.pi * (step - warm) / (total - warm))) / 2

    padded = np.zeros((n, 3, 40, 40), dtype=np.uint8)
    padded[:, :, 4:36, 4:36] = x_train
    step = 0
    for epoch in range(1, a.epochs + 1):
        start = time.time()
        model.train()
        order = rng.permutation(n)
        loss_sum, correct = 0.0, 0
        for b0 in range(0, n, batch):
            idx = order[b0:b0 + batch]
            dy, dx = rng.integers(0, 9, len(idx)), rng.integers(0, 9, len(idx))
            flip = rng.random(len(idx)) < 0.5
            imgs = np.empty((len(idx), 3, 32, 32), dtype=np.uint8)
            for j, i in enumerate(idx):
                crop = padded[i, :, dy[j]:dy[j] + 32, dx[j]:dx[j] + 32]
                imgs[j] = crop[:, :, ::-1] if flip[j] else crop
            x = torch.from_numpy((imgs.astype(np.float32) / 255 - MEAN) / STD).to(device, non_blocking=True)
            y = torch.from_numpy(y_train[idx]).to(device, non_blocking=True)
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == y).sum().item()
        train_seconds = time.time() - start
        model.eval()
        with torch.no_grad():
            hits = sum((model(test[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum().item() for i in range(0, 10000, 1000))
        print(json.dumps({"epoch": epoch, "train_loss": loss_sum / n, "train_acc": correct / n, "test_acc": hits / 10000,
                          "lr": lr_at(step - 1), "images_per_s": n / train_seconds, "seconds": time.time() - start}),
              flush=True)


if __name__ == "__main__":
    main()
