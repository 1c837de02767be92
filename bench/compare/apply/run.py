#!/usr/bin/python3
"""`convsharp apply` on a folder of photos side by side with the OpenCV loop a user would write
(opencv_loop.py), in one command: bench/compare/apply.sh. Each case makes its folder of crops
(make_crops.py), then runs both programs in turn, round after round, and prints the medians of
wall time and CPU time (user + system, from the kernel's accounting of each child process), the
ratios, and the size of what each wrote. A last line times one 1080p picture through apply,
start-up included.

    /usr/bin/python3 bench/compare/apply/run.py --convsharp "tool=artifacts/apply-bench-tool/bin/convsharp" \
        [--convsharp "native=native/convsharp"] [--rounds 3] [--count 200] [--threads N] \
        [--cases png-sobel,jpg-sobel,png-gaussian,jpg-gaussian] [--out DIR] [--extra "--compression 6"]
"""
import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name: (input format, colour photographs only, ConvSharp's kernel options, the loop's kernel)
CASES = {
    "png-sobel": ("png", False, ["-k", "sobel-x", "--map", "abs"], "sobel-x"),
    "jpg-sobel": ("jpg", False, ["-k", "sobel-x", "--map", "abs"], "sobel-x"),
    "png-gaussian": ("png", True, ["-k", "gaussian:2"], "gaussian:2"),
    "jpg-gaussian": ("jpg", True, ["-k", "gaussian:2"], "gaussian:2"),
}


def run(command):
    """Runs a command; returns (wall s, CPU s) from wait4's resource usage of that child alone."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    error = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if status != 0:
        sys.exit(f"failed ({status}): {shlex.join(command)}\n{error}")
    return wall, usage.ru_utime + usage.ru_stime


def size(folder):
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--convsharp", required=True, action="append", help="NAME=COMMAND that runs convsharp (repeat to compare builds)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--out", default=None)
    parser.add_argument("--extra", default="", help="more convsharp options, e.g. '--compression 6'")
    args = parser.parse_args()
    builds = [(spec.split("=", 1)[0], shlex.split(spec.split("=", 1)[1])) for spec in args.convsharp]
    out = args.out or os.path.join("/tmp", f"convsharp-apply-bench-{os.getpid()}")
    os.makedirs(out, exist_ok=True)
    shutil.copy(os.path.join(HERE, "opencv_loop.py"), out)  # the loop, beside the folder it filters

    rows = []
    for name in args.cases.split(","):
        fmt, colour, options, loop_kernel = CASES[name]
        source = os.path.join(out, f"in-{fmt}{'-colour' if colour else ''}")
        if not os.path.isdir(source):
            subprocess.run([sys.executable, os.path.join(HERE, "make_crops.py"), source, "--count", str(args.count), "--format", fmt]
                           + (["--colour-only"] if colour else []), check=True)
        results = {who: [] for who, _ in builds + [("opencv", None)]}
        for round_ in range(args.rounds):
            for who, command in builds + [("opencv", None)]:
                target = os.path.join(out, f"{name}-{who}")
                shutil.rmtree(target, ignore_errors=True)
                if command is not None:
                    command = command + ["apply", source, *options, "-o", target, "--threads", str(args.threads)] + shlex.split(args.extra)
                else:
                    command = [sys.executable, os.path.join(out, "opencv_loop.py"), source, target, loop_kernel]
                results[who].append(run(command))
            print(f"{name} round {round_ + 1}: " + "; ".join(f"{who} {r[-1][0]:.2f} s wall {r[-1][1]:.2f} s CPU" for who, r in results.items()), file=sys.stderr)
        median = lambda runs, i: statistics.median(r[i] for r in runs)
        theirs = results["opencv"]
        for who, _ in builds:
            rows.append((f"{name} ({who})", median(results[who], 0), median(results[who], 1), median(theirs, 0), median(theirs, 1),
                         size(os.path.join(out, f"{name}-{who}")), size(os.path.join(out, f"{name}-opencv"))))

    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((l.split(":", 1)[1].strip() for l in cpu.splitlines() if l.startswith("Model name")), "?")
    print(f"CPU: {model}, {os.cpu_count()} cores; ConvSharp on {args.threads} thread(s), the OpenCV loop on one; "
          f"{args.count} images a case; medians of {args.rounds} rounds")
    print("| case (ConvSharp build) | ConvSharp wall | OpenCV loop wall | wall ratio | ConvSharp CPU | OpenCV loop CPU | CPU ratio | ConvSharp output | OpenCV output |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, ow, oc, tw, tc, os_, ts in rows:
        print(f"| {name} | {ow:.2f} s | {tw:.2f} s | {ow / tw:.2f} | {oc:.2f} s | {tc:.2f} s | {oc / tc:.2f} | {os_ / 1e6:.1f} MB | {ts / 1e6:.1f} MB |")

    # One large picture, start-up included: what a person waits for at the prompt.
    photo = os.path.join(out, "photo-1080p.png")
    if not os.path.exists(photo):
        subprocess.run([sys.executable, "-c", "import cv2,sys; cv2.imwrite(sys.argv[2], cv2.resize(cv2.imread(sys.argv[1]), (1920, 1080), interpolation=cv2.INTER_CUBIC))",
                        os.path.join(HERE, "../../../data/images/coffee.png"), photo], check=True)
    median = lambda runs, i: statistics.median(r[i] for r in runs)
    for who, command in builds:
        single = [run(command + ["apply", photo, "-k", "sobel-x", "-o", os.path.join(out, "photo-1080p.sobel-x.png")] + shlex.split(args.extra))
                  for _ in range(max(args.rounds, 5))]
        print(f"One 1920×1080 colour photo (coffee.png enlarged), `apply -k sobel-x`, start-up included ({who}): "
              f"{median(single, 0):.2f} s wall, {median(single, 1):.2f} s CPU (median of {len(single)})")


if __name__ == "__main__":
    main()
