"""PyTorch twins of cnnc's example networks, with cnnc's tensor names, so a cnnc checkpoint loads
into them with load_state_dict(strict=True): examples/seed_simple_cnn.cnn (SimpleCNN) and
examples/resnet20.cnn / resnet56.cnn (ResNet(3) / ResNet(9), option-A shortcuts).

Used by bench/torch_bench.py, bench/gpu/torch_eager.py and the CLI's PyTorchCompatTest."""
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
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class Basic(nn.Module):
    """cnnc's `block basic(c, stride)`: conv-bn-relu-conv-bn plus the option-A shortcut (every
    stride-th pixel, zero channels split before/after as cnnc's zeropad does), then relu."""

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


class Stage(nn.Module):
    """cnnc's `block stage(c, stride, n) { first: basic(c, stride)  rest: basic(c, 1) * (n - 1) }`."""

    def __init__(self, cin, cout, stride, n):
        super().__init__()
        self.first = Basic(cin, cout, stride)
        self.rest = nn.Sequential(*[Basic(cout, cout, 1) for _ in range(n - 1)])

    def forward(self, x):
        return self.rest(self.first(x))


class ResNet(nn.Module):
    """ResNet-6n+2 for CIFAR-10 (He et al., 2015): n = 3 is ResNet-20, n = 9 ResNet-56."""

    def __init__(self, n):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = Stage(16, 16, 1, n)
        self.layer2 = Stage(16, 32, 2, n)
        self.layer3 = Stage(32, 64, 2, n)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(F.relu(self.bn1(self.conv1(x))))))
        return self.fc(x.mean((2, 3)))


NETWORKS = {"seed_simple_cnn": SimpleCNN, "resnet20": lambda: ResNet(3), "resnet56": lambda: ResNet(9)}
