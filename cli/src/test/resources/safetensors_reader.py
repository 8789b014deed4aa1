"""A safetensors reader in plain Python (the format is an 8-byte header length, a JSON header and
raw little-endian data), so the test needs only torch, not the safetensors package."""
import json
import struct

import torch


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        start, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + start:base + end]), dtype=torch.float32)
        out[name] = t.reshape(info["shape"]).clone()
    return out
