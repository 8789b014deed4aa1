"""The device check's last word: one table from GpuCheck's cnnc.json and torch_simplecnn.py's torch.json."""
import json
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"(no {path}: {e})")
        return {}


def main():
    cnnc, torch = load(sys.argv[1]), load(sys.argv[2])
    if "unavailable" in cnnc:
        print("cnnc could not use the GPU:", cnnc["unavailable"])
    kernels = cnnc.get("kernels", [])
    passed = sum(1 for k in kernels if k.get("pass"))
    print(f"kernel checks: {passed}/{len(kernels)} runs match the reference interpreter")
    for k in kernels:
        if not k.get("pass"):
            print(f"  FAIL {k['network']} ({k['images']} images): {k['worst_relative_error']:.3g} in {k['worst_tensor']}")
    opts = cnnc.get("optimizers", [])
    print(f"optimizers bit-exact with the CPU ones: {sum(1 for o in opts if o['differing_parameters'] == 0 and o['same_state'])}/{len(opts)}")
    if "nvrtc_relative_error" in cnnc:
        print(f"NVRTC module vs cubin: relative error {cnnc['nvrtc_relative_error']:.3g}")
    if "train" in cnnc:
        t = cnnc["train"]
        print(f"one epoch of SimpleCNN on the slice: test accuracy {100 * t['test_acc']:.1f}%,"
              f" {t['train_images_per_s']:,.0f} training images/s through the Trainer")
    torch_rows = {(r["batch"], r["mode"]): r["train_images_per_s"] for r in torch.get("rows", [])}
    print()
    print("SimpleCNN training images/s on", torch.get("device", "the GPU"), "(median of 5 × 100 steps)")
    print(f"{'batch':>6} {'cnnc CUDA':>12} {'torch eager':>12} {'torch fp32':>12} {'torch no-sync':>14} {'cnnc/torch':>11}")
    for b in cnnc.get("bench", []):
        batch, ours = b["batch"], b["train_images_per_s"]
        d, f, n = (torch_rows.get((batch, m)) for m in ("default", "fp32", "no-sync"))
        fmt = lambda v: f"{v:12,.0f}" if v else f"{'-':>12}"
        ratio = f"{ours / d:10.2f}x" if d else f"{'-':>11}"
        print(f"{batch:>6} {fmt(ours)} {fmt(d)} {fmt(f)} {fmt(n):>14} {ratio}")


if __name__ == "__main__":
    main()
