#!/usr/bin/env bash
# `convsharp apply` on a folder of 200 photo crops against the OpenCV loop a user would write
# (cv2.imread → /255 → filter2D → map → 8 bits → imwrite), side by side, in one command:
#
#   bench/compare/apply.sh [--native] [--rounds R] [--count N] [--threads N] [--cases png-sobel,jpg-sobel,png-gaussian,jpg-gaussian] [--out DIR] [--extra "--compression 6"]
#
# ConvSharp runs as a user installs it: the .NET tool, packed for this machine's platform (its
# assemblies ReadyToRun, see ConvSharp.Cli.csproj) and installed into artifacts/apply-bench-tool
# with `dotnet tool install`; --native adds the NativeAOT program (README, "A native binary"; its
# publish takes about two minutes).
# Needs the .NET SDK and Debian's python3-opencv (apt-get install python3-opencv; --native needs
# clang too). The crops are made from data/images by bench/compare/apply/make_crops.py; the loop
# is apply/opencv_loop.py, copied beside them. Prints medians of wall and CPU time (user + system).
set -euo pipefail
cd "$(dirname "$0")/../.."
tool="$PWD/artifacts/apply-bench-tool"
rid=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)
rm -rf "$tool"
dotnet pack src/ConvSharp.Cli -c Release -p:ToolPackageRuntimeIdentifiers="$rid" -o "$tool/packages" -v quiet -nologo >/dev/null
cat > "$tool/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /><add key="built" value="$tool/packages" /></packageSources></configuration>
XML
# A cache of its own, so that an earlier package of the same version is not installed instead.
NUGET_PACKAGES="$tool/cache" dotnet tool install --tool-path "$tool/bin" --configfile "$tool/nuget.config" ConvSharp.Tool >/dev/null
builds=(--convsharp "tool=$tool/bin/convsharp")
if [ "${1:-}" = "--native" ]; then
  shift
  dotnet publish src/ConvSharp.Cli -c Release -r linux-x64 -p:PublishAot=true -o artifacts/apply-bench-native -v quiet -nologo >/dev/null
  builds+=(--convsharp "native=artifacts/apply-bench-native/convsharp")
fi
exec /usr/bin/python3 bench/compare/apply/run.py "${builds[@]}" "$@"
