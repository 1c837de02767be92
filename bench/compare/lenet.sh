#!/usr/bin/env bash
# The book's LeNet trained on Fashion-MNIST by ConvSharp and by PyTorch, side by side, in one command:
#
#   bench/compare/lenet.sh [--epochs 2] [--threads N] [--variant d2l|modern] [--rounds R] [-o DIR]
#
# Both train the same network with the same recipe (bench/compare/lenet_torch.py is the PyTorch side)
# on the same thread count, taking turns round after round; the table shows each epoch's
# examples per second (median over epochs and rounds) and the last epoch's accuracies.
# Needs the .NET SDK, Debian's python3-torch and dataset-fashion-mnist.
set -euo pipefail
cd "$(dirname "$0")/../.."

epochs=2; threads=$(nproc); variant=d2l; rounds=1; out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --variant) variant=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -o|--out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $threads threads, LeNet $variant, $epochs epochs" >&2
out=${out:-$(mktemp -d)}
mkdir -p "$out"

dotnet build src/ConvSharp.Cli -c Release -v quiet -nologo >/dev/null
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  dotnet artifacts/bin/ConvSharp.Cli/release/ConvSharp.Cli.dll lenet train --variant "$variant" --epochs "$epochs" \
    --threads "$threads" -o "$out/convsharp-$round" >&2
  /usr/bin/python3 bench/compare/lenet_torch.py --variant "$variant" --epochs "$epochs" --threads "$threads" \
    --json "$out/torch-$round.json" >/dev/null
done

/usr/bin/python3 - "$out" "$rounds" <<'EOF'
import json, statistics, sys
folder, rounds = sys.argv[1], int(sys.argv[2])
def runs(path):
    return [json.load(open(path.format(r)))["epochs"] for r in range(1, rounds + 1)]
ours = runs(folder + "/convsharp-{}/metrics.json")
theirs = runs(folder + "/torch-{}.json")
def speed(rs):
    return statistics.median(e["examples_per_s"] for r in rs for e in r)
print("| library | examples/s (median of epochs) | last loss | last train acc | last test acc |")
print("| --- | ---: | ---: | ---: | ---: |")
for name, rs in (("ConvSharp", ours), ("PyTorch", theirs)):
    last = rs[-1][-1]
    print(f"| {name} | {speed(rs):,.0f} | {last['loss']:.3f} | {last['train_acc']:.3f} | {last['test_acc']:.3f} |")
print(f"\nConvSharp / PyTorch throughput: {speed(ours) / speed(theirs):.2f}×")
EOF
echo "(raw figures in $out)" >&2
