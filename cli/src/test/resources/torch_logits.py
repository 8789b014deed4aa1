"""For PyTorchCompatTest: load a cnnc weights.safetensors into the PyTorch twin of an example
(bench/torch_models.py, whose folder is the first argument) with load_state_dict(strict=True), and
print the logits of the images in a raw float32 file as JSON."""
import json
import sys

import torch

sys.path.insert(0, sys.argv[1])
from torch_models import NETWORKS  # noqa: E402
from safetensors_reader import read  # noqa: E402


def main():
    network, weights, images, count = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    model = NETWORKS[network]()
    model.load_state_dict(read(weights), strict=True)
    model.eval()
    with open(images, "rb") as f:
        x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(count, 3, 32, 32)
    with torch.no_grad():
        print(json.dumps(model(x).flatten().tolist()))


if __name__ == "__main__":
    main()
