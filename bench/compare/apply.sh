#!/usr/bin/env bash
# `convsharp apply` on a folder of 200 photo crops against the OpenCV loop a user would write
# (cv2.imread → /255 → filter2D → map → 8 bits → imwrite), side by side, in one command:
#
#   bench/compare/apply.sh [--native] [--rounds R] [--count N] [--threads N] [--cases png-sobel,jpg-sobel,png-gaussian,jpg-gaussian] [--out DIR] [--extra "--compression 6"]
#
# ConvSharp runs as the .NET tool runs it (the JIT-compiled Release build); --native adds the
# NativeAOT program (README, "A native binary"; its publish takes about two minutes).
# Needs the .NET SDK and Debian's python3-opencv (apt-get install python3-opencv; --native needs
# clang too). The crops are made from data/images by bench/compare/apply/make_crops.py; the loop
# is apply/opencv_loop.py, copied beside them. Prints medians of wall and CPU time (user + system).
set -euo pipefail
cd "$(dirname "$0")/../.."
builds=(--convsharp "jit=dotnet artifacts/bin/ConvSharp.Cli/release/ConvSharp.Cli.dll")
if [ "${1:-}" = "--native" ]; then
  shift
  dotnet publish src/ConvSharp.Cli -c Release -r linux-x64 -p:PublishAot=true -o artifacts/apply-bench-native -v quiet -nologo >/dev/null
  builds+=(--convsharp "native=artifacts/apply-bench-native/convsharp")
fi
dotnet build src/ConvSharp.Cli -c Release -v quiet -nologo >/dev/null
exec /usr/bin/python3 bench/compare/apply/run.py "${builds[@]}" "$@"
