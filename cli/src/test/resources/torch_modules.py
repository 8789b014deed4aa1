"""PyTorch twins of examples/seed_simple_cnn.cnn and examples/resnet20.cnn with cnnc's tensor names,
for PyTorchCompatTest: load a weights.safetensors written by cnnc with load_state_dict(strict=True)
and print the logits of the images in a raw float32 file."""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(2048, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.stride, self.pad = stride, cout - cin

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        s = x[:, :, ::self.stride, ::self.stride]
        s = F.pad(s, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return F.relu(y + s)


class Stage(nn.Module):
    """cnnc's `block stage(c, stride, n) { first: basic(c, stride)  rest: basic(c, 1) * (n - 1) }`."""

    def __init__(self, cin, cout, stride, n):
        super().__init__()
        self.first = Basic(cin, cout, stride)
        self.rest = nn.Sequential(*[Basic(cout, cout, 1) for _ in range(n - 1)])

    def forward(self, x):
        return self.rest(self.first(x))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = Stage(16, 16, 1, 3)
        self.layer2 = Stage(16, 32, 2, 3)
        self.layer3 = Stage(32, 64, 2, 3)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(F.relu(self.bn1(self.conv1(x))))))
        return self.fc(x.mean((2, 3)))


def main():
    name, weights, images, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    from safetensors_reader import read
    model = {"SimpleCNN": SimpleCNN, "ResNet20": ResNet20}[name]()
    model.load_state_dict(read(weights), strict=True)
    model.eval()
    with open(images, "rb") as f:
        x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(count, 3, 32, 32)
    with torch.no_grad():
        print(json.dumps(model(x).flatten().tolist()))


if __name__ == "__main__":
    main()
