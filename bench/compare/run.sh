#!/usr/bin/env bash
# ConvSharp side by side with PyTorch, ONNX Runtime and OpenCV on bench/suite.json, in one command:
#
#   bench/compare/run.sh [--threads N] [--cases a,b] [--rounds R] [--out DIR] [--isa widest|avx2]
#
# --isa avx2 holds both sides to AVX2 on an AVX-512 machine: DOTNET_EnableAVX512=0 for ConvSharp
# (and the ONNX Runtime runner's .NET host), ONEDNN_MAX_CPU_ISA=AVX2 for PyTorch's oneDNN.
# ONNX Runtime's MLAS has no such switch and keeps its widest kernels; the table says so.
#
# Needs the .NET SDK and Debian's python3-torch and python3-opencv
# (apt-get install python3-torch python3-opencv). The libraries take turns, round after
# round, so a noisy neighbour slows them alike; the table shows medians over rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."

threads=$(nproc); cases=""; rounds=3; out=""; isa=widest
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --isa) isa=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$isa" in
  widest) ;;
  avx2) export DOTNET_EnableAVX512=0 ONEDNN_MAX_CPU_ISA=AVX2 ;;
  *) echo "--isa must be widest or avx2, not $isa" >&2; exit 2 ;;
esac
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $threads threads, ISA: $isa" >&2
out=${out:-$(mktemp -d)}
mkdir -p "$out"
case_args=(); [ -n "$cases" ] && case_args=(--cases "$cases")

dotnet build bench/ConvSharp.Benchmarks -c Release -v quiet -nologo >/dev/null
dotnet build bench/compare/OrtRunner -c Release -v quiet -nologo >/dev/null
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  dotnet artifacts/bin/ConvSharp.Benchmarks/release/ConvSharp.Benchmarks.dll suite --threads "$threads" "${case_args[@]}" --json "$out/convsharp-$round.json" >&2
  /usr/bin/python3 bench/compare/pytorch_suite.py --threads "$threads" "${case_args[@]}" --json "$out/torch-$round.json" --onnx-dir "$out/onnx" 2>/dev/null >&2
  dotnet artifacts/bin/OrtRunner/release/OrtRunner.dll "$out/torch-$round.json" "$out/ort-$round.json" "$threads" >&2
done
/usr/bin/python3 bench/compare/compare.py "$out"
echo "(raw figures in $out)" >&2
