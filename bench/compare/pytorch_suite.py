#!/usr/bin/python3
"""Times bench/suite.json in PyTorch (and OpenCV for the single-channel cases), and exports
each case as an ONNX model for the ONNX Runtime runner. Same cases, same thread count, same
statistic (median of 15 samples after warm-up) as ConvSharp's suite runner.

    /usr/bin/python3 bench/compare/pytorch_suite.py --threads 2 --json torch.json --onnx-dir /tmp/onnx

Needs Debian's python3-torch (and python3-opencv for the OpenCV column).
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def median_ms(fn, samples=15, min_sample_ms=2.0, warmup_ms=300.0):
    start = time.perf_counter()
    calls = 0
    while (time.perf_counter() - start) * 1000 < warmup_ms or calls < 3:
        fn()
        calls += 1
    per_call = (time.perf_counter() - start) * 1000 / calls
    batch = max(1, int(min_sample_ms / max(per_call, 1e-6) + 0.999))
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        times.append((time.perf_counter() - t0) * 1000 / batch)
    return statistics.median(times)


def torch_case(c):
    torch.manual_seed(1)
    x = torch.randn(c["n"], c["c"], c["h"], c["w"])
    w = torch.randn(c["oc"], c["c"] // c["groups"], c["kh"], c["kw"])
    b = torch.randn(c["oc"])
    args = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"], groups=c["groups"])
    with torch.no_grad():
        fwd = median_ms(lambda: F.conv2d(x, w, b, **args))
    xg, wg, bg = x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_()
    upstream = torch.randn(F.conv2d(x, w, b, **args).shape)

    def step():
        y = F.conv2d(xg, wg, bg, **args)
        y.backward(upstream)
        xg.grad = wg.grad = bg.grad = None

    return fwd, median_ms(step)


def opencv_case(c, threads):
    """cv2.filter2D per plane, where OpenCV can compute the case: one input channel per output, stride 1."""
    try:
        import cv2
        import numpy as np
    except ImportError:
        return None
    if c["c"] // c["groups"] != 1 or c["oc"] != c["c"] or c["stride"] != 1 or c["dilation"] != 1:
        return None
    cv2.setNumThreads(threads)
    rng = np.random.default_rng(1)
    planes = [rng.standard_normal((c["h"], c["w"])).astype(np.float32) for _ in range(c["n"] * c["c"])]
    kernel = rng.standard_normal((c["kh"], c["kw"])).astype(np.float32)
    p = c["padding"]

    def run():
        for plane in planes:
            # filter2D keeps the size; with zero borders this is conv2d with padding (k-1)/2.
            cv2.filter2D(plane, -1, kernel, borderType=cv2.BORDER_CONSTANT) if p > 0 else cv2.filter2D(plane, -1, kernel)

    return median_ms(run)


def export_onnx(c, folder):
    torch.manual_seed(1)
    conv = torch.nn.Conv2d(c["c"], c["oc"], (c["kh"], c["kw"]), stride=c["stride"], padding=c["padding"],
                           dilation=c["dilation"], groups=c["groups"])
    x = torch.randn(c["n"], c["c"], c["h"], c["w"])
    path = os.path.join(folder, c["name"] + ".onnx")
    torch.onnx.export(conv, x, path, input_names=["x"], output_names=["y"], opset_version=13)
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--cases", default=None)
    parser.add_argument("--suite", default=os.path.join(HERE, "..", "suite.json"))
    parser.add_argument("--json", default=None)
    parser.add_argument("--onnx-dir", default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cases = json.load(open(args.suite))["cases"]
    if args.cases:
        wanted = args.cases.split(",")
        cases = [c for c in cases if c["name"] in wanted]
    results = {"library": f"PyTorch {torch.__version__}", "threads": args.threads, "cases": []}
    for c in cases:
        fwd, fwdbwd = torch_case(c)
        entry = {"name": c["name"], "fwd_ms": fwd, "fwdbwd_ms": fwdbwd}
        cv = opencv_case(c, args.threads)
        if cv is not None:
            entry["opencv_fwd_ms"] = cv
        if args.onnx_dir:
            os.makedirs(args.onnx_dir, exist_ok=True)
            entry["onnx"] = export_onnx(c, args.onnx_dir)
        results["cases"].append(entry)
        print(f"  {c['name']}: torch forward {fwd:.3f} ms, forward + backward {fwdbwd:.3f} ms"
              + (f", opencv {cv:.3f} ms" if cv is not None else ""), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
