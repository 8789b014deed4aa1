"""PyTorch twins of cnnc's example networks, with cnnc's tensor names, so a cnnc checkpoint loads
into them with load_state_dict(strict=True): every network in examples/ (seed_simple_cnn.cnn,
resnet20.cnn / resnet56.cnn as ResNet(3) / ResNet(9) with option-A shortcuts, vgg11.cnn,
airbench94.cnn, lenet5.cnn).

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


class Named(nn.Module):
    """A module whose children carry cnnc's dotted layer names (`cbr_0.conv_0`), so its state_dict keys
    are the checkpoint's tensor names. Children are created in the spec's order."""

    def child(self, name, module):
        owner = self
        *path, last = name.split(".")
        for part in path:
            if not hasattr(owner, part):
                owner.add_module(part, nn.Module())
            owner = getattr(owner, part)
        owner.add_module(last, module)
        return module


class VGG11(Named):
    """examples/vgg11.cnn: eight conv-bn-relu blocks (`cbr_0` … `cbr_7`, conv 3×3 pad 1 with bias),
    2×2 max pools after blocks 0, 1, 3, 5 and 7, flatten, fc 512→10 (`classifier`)."""

    WIDTHS = (64, 128, 256, 256, 512, 512, 512, 512)
    POOL_AFTER = (0, 1, 3, 5, 7)

    def __init__(self):
        super().__init__()
        self.layers = []
        cin = 3
        for i, c in enumerate(self.WIDTHS):
            conv = self.child(f"cbr_{i}.conv_0", nn.Conv2d(cin, c, 3, padding=1))
            bn = self.child(f"cbr_{i}.bn_0", nn.BatchNorm2d(c))
            self.layers.append((conv, bn, i in self.POOL_AFTER))
            cin = c
        self.child("classifier", nn.Linear(512, 10))

    def forward(self, x):
        for conv, bn, pool in self.layers:
            x = F.relu(bn(conv(x)))
            if pool:
                x = F.max_pool2d(x, 2)
        return self.classifier(torch.flatten(x, 1))


class Airbench94(Named):
    """examples/airbench94.cnn: whitening conv 3→24 k2 (valid, bias), gelu; three groups of conv 3×3
    same (no bias) → 2×2 max pool → bn → gelu → conv 3×3 same (no bias) → bn → gelu, 64, 256 and 256
    wide; 3×3 max pool; flatten; fc 256→10 without bias (`head`). gelu is the exact (erf) one, as in
    cnnc."""

    def __init__(self):
        super().__init__()
        self.whiten = nn.Conv2d(3, 24, 2)
        self.groups = []
        cin = 24
        for name, c in (("block1", 64), ("block2", 256), ("block3", 256)):
            self.groups.append(tuple(self.child(f"{name}.{layer}", module) for layer, module in (
                ("conv1", nn.Conv2d(cin, c, 3, padding=1, bias=False)), ("bn1", nn.BatchNorm2d(c)),
                ("conv2", nn.Conv2d(c, c, 3, padding=1, bias=False)), ("bn2", nn.BatchNorm2d(c)))))
            cin = c
        self.head = nn.Linear(256, 10, bias=False)

    def forward(self, x):
        x = F.gelu(self.whiten(x))
        for conv1, bn1, conv2, bn2 in self.groups:
            x = F.gelu(bn1(F.max_pool2d(conv1(x), 2)))
            x = F.gelu(bn2(conv2(x)))
        return self.head(torch.flatten(F.max_pool2d(x, 3), 1))


class LeNet5(nn.Module):
    """examples/lenet5.cnn: conv 3→6 k5, relu, 2×2 max pool, conv 6→16 k5, relu, 2×2 max pool, fc
    400→120, relu, fc 120→84, relu, fc 84→10."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 6, 5)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.f5 = nn.Linear(400, 120)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c3(x)), 2)
        return self.out(F.relu(self.f6(F.relu(self.f5(torch.flatten(x, 1))))))


NETWORKS = {"seed_simple_cnn": SimpleCNN, "resnet20": lambda: ResNet(3), "resnet56": lambda: ResNet(9),
            "vgg11": VGG11, "airbench94": Airbench94, "lenet5": LeNet5}
