"""The device check's last word: one table from GpuCheck's cnnc.json and torch_eager.py's torch.json."""
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
    for what, error in cnnc.get("stopped", {}).items():
        print(f"STOPPED {what}: {error}")
    kernels = cnnc.get("kernels", [])
    passed = sum(1 for k in kernels if k.get("pass"))
    stopped = sum(1 for what in cnnc.get("stopped", {}) if what.startswith("kernels "))
    print(f"kernel checks: {passed}/{len(kernels) + stopped} runs match the reference interpreter"
          + (f" ({stopped} stopped with an error, above)" if stopped else ""))
    for k in kernels:
        if not k.get("pass"):
            print(f"  FAIL {k['network']} ({k.get('convolutions', '?')} conv, {k['images']} images):"
                  f" {k['worst_relative_error']:.3g} in {k['worst_tensor']}")
    opts = cnnc.get("optimizers", [])
    print(f"optimizers bit-exact with the CPU ones: {sum(1 for o in opts if o['differing_parameters'] == 0 and o['same_state'])}/{len(opts)}")
    if "nvrtc_relative_error" in cnnc:
        print(f"NVRTC module vs cubin: relative error {cnnc['nvrtc_relative_error']:.3g}")
    for t in cnnc.get("train", []):
        cpu = f", CPU {100 * t['cpu_test_acc']:.2f}%" if "cpu_test_acc" in t else ""
        print(f"{t['network']}, {t['epochs']} epoch(s) on the slice: GPU test accuracy {100 * t['test_acc']:.2f}%{cpu},"
              f" {t['train_images_per_s']:,.0f} training images/s through the Trainer: {'PASS' if t['pass'] else 'FAIL'}")
    torch_rows = {(r.get("network", "SimpleCNN"), r["batch"], r["mode"]): r["train_images_per_s"]
                  for r in torch.get("rows", [])}
    ours = {}
    for b in cnnc.get("bench", []):
        ours.setdefault((b.get("network", "SimpleCNN"), b["batch"]), {})[b.get("convolutions", "auto")] = b["train_images_per_s"]
    print()
    print("training images/s on", torch.get("device", "the GPU"), "(median of 5 × 100 steps)")
    print(f"{'network':>9} {'batch':>6} {'cnnc auto':>11} {'cnnc direct':>12} {'cnnc gemm':>10} {'torch eager':>12} {'torch fp32':>11}"
          f" {'torch no-sync':>14} {'cnnc/torch':>11}")
    fmt = lambda v, w: f"{v:{w},.0f}" if v else f"{'-':>{w}}"
    for (network, batch), ways in ours.items():
        d, f, n = (torch_rows.get((network, batch, m)) for m in ("default", "fp32", "no-sync"))
        best = max(ways.values())
        ratio = f"{best / d:10.2f}x" if d else f"{'-':>11}"
        print(f"{network:>9} {batch:>6} {fmt(ways.get('auto'), 11)} {fmt(ways.get('direct'), 12)} {fmt(ways.get('gemm'), 10)} {fmt(d, 12)}"
              f" {fmt(f, 11)} {fmt(n, 14)} {ratio}")
    print("(cnnc/torch: the faster cnnc way against PyTorch's defaults)")


if __name__ == "__main__":
    main()
