using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using ConvSharp.Compute.Gemm;

namespace ConvSharp.Compute;

/// <summary>
/// What this process may use: the widest SIMD the runtime accelerates and the core count.
/// Read once. <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> and
/// <c>DOTNET_EnableHWIntrinsic=0</c> change what the runtime reports, so the fallbacks can be
/// exercised on any x64 machine; <c>CONVSHARP_GEMM_KERNEL</c> forces one of the kernels the CPU offers.
/// </summary>
internal sealed record CpuCaps(GemmKernel Kernel, bool Vector256Fma, bool Vector512Fma, int Threads)
{
    public static CpuCaps Current { get; } = Detect();

    private static CpuCaps Detect()
    {
        // Vector512.IsHardwareAccelerated can be false where the instructions exist (the runtime
        // may decline them on some CPUs, where 512-bit code would lower the clock); both must hold.
        var has512 = Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
        var has256 = Vector256.IsHardwareAccelerated && Fma.IsSupported;
        var hasNeon = AdvSimd.Arm64.IsSupported;
        var has128 = Vector128.IsHardwareAccelerated;
        var kernel = has512 ? GemmKernel.Avx512
            : has256 ? GemmKernel.Avx2
            : hasNeon ? GemmKernel.AdvSimd
            : has128 ? GemmKernel.Vector128
            : GemmKernel.Scalar;
        var forced = Environment.GetEnvironmentVariable("CONVSHARP_GEMM_KERNEL");
        if (!string.IsNullOrEmpty(forced))
        {
            kernel = Enum.TryParse<GemmKernel>(forced, ignoreCase: true, out var k) && Enum.IsDefined(k)
                ? k
                : throw new InvalidOperationException($"CONVSHARP_GEMM_KERNEL={forced} is not one of {string.Join(", ", Enum.GetNames<GemmKernel>()).ToLowerInvariant()}");
            bool Offered(GemmKernel option) => option switch
            {
                GemmKernel.Avx512 => has512,
                GemmKernel.Avx2 => has256,
                GemmKernel.AdvSimd => hasNeon,
                GemmKernel.Vector128 => has128,
                _ => true,
            };

            if (!Offered(kernel))
            {
                var usable = Enum.GetValues<GemmKernel>().Where(Offered).Select(option => option.ToString().ToLowerInvariant());
                throw new InvalidOperationException(
                    $"CONVSHARP_GEMM_KERNEL={forced} asks for instructions this CPU (or the runtime's settings, such as DOTNET_EnableAVX512=0) does not offer; use {string.Join(", ", usable)}");
            }
        }

        return new CpuCaps(kernel, has256, has512, Environment.ProcessorCount);
    }
}
