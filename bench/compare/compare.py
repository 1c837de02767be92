#!/usr/bin/python3
"""Prints the side-by-side table of bench/compare/run.sh: each library's median over rounds,
and ConvSharp's speed-up (the other's time divided by ConvSharp's; above 1 means ConvSharp
is faster).

    /usr/bin/python3 bench/compare/compare.py RESULTS_DIR
"""
import glob
import json
import os
import statistics
import sys


def load(folder, prefix):
    rounds = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(folder, prefix + "-*.json")))]
    merged = {}
    for r in rounds:
        for c in r["cases"]:
            for key, value in c.items():
                if isinstance(value, (int, float)):
                    merged.setdefault(c["name"], {}).setdefault(key, []).append(value)
    return {name: {k: statistics.median(v) for k, v in fields.items()} for name, fields in merged.items()}, rounds


def fmt(ms):
    if ms is None:
        return "—"
    return f"{ms * 1000:.2f} µs" if ms < 0.01 else f"{ms:.3f}" if ms < 1 else f"{ms:.2f}"


def ratio(other, ours):
    return f"{other / ours:.2f}×" if other and ours else "—"


def main():
    folder = sys.argv[1]
    ours, ours_rounds = load(folder, "convsharp")
    torch, torch_rounds = load(folder, "torch")
    ort, _ = load(folder, "ort")
    machine = ours_rounds[0].get("machine", "") if ours_rounds else ""
    print(f"Machine: {machine}")
    print(f"Libraries: ConvSharp; {torch_rounds[0]['library'] if torch_rounds else 'PyTorch'} (oneDNN); ONNX Runtime (MLAS); OpenCV (filter2D, single-channel cases)")
    print(f"Median of {len(ours_rounds)} rounds, each the median of 15 timed samples; speed-up = other's time / ConvSharp's time.\n")
    print("| case | ConvSharp fwd ms | PyTorch fwd | speed-up | ONNX Runtime fwd | speed-up | OpenCV fwd | speed-up "
          "| ConvSharp fwd+bwd ms | PyTorch fwd+bwd | speed-up |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, o in ours.items():
        t, r = torch.get(name, {}), ort.get(name, {})
        cv = t.get("opencv_fwd_ms")
        print(f"| {name} | {fmt(o['fwd_ms'])} | {fmt(t.get('fwd_ms'))} | {ratio(t.get('fwd_ms'), o['fwd_ms'])} "
              f"| {fmt(r.get('fwd_ms'))} | {ratio(r.get('fwd_ms'), o['fwd_ms'])} | {fmt(cv)} | {ratio(cv, o['fwd_ms'])} "
              f"| {fmt(o['fwdbwd_ms'])} | {fmt(t.get('fwdbwd_ms'))} | {ratio(t.get('fwdbwd_ms'), o['fwdbwd_ms'])} |")


if __name__ == "__main__":
    main()
