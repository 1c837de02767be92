using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.Commands;

namespace ConvSharp.Cli.Learning;

/// <summary><c>convsharp learn</c> with no files: a bundled photograph, a hidden Sobel kernel, and the kernel recovered.</summary>
internal static class LearnDemo
{
    public static int Run(CliContext context, FitOptions options, string folder, FilePlan plan)
    {
        if (options.KernelHeight != 3 || options.KernelWidth != 3 || options.Sharing != ChannelSharing.Shared)
        {
            throw new UsageException("the demo hides a 3×3 kernel shared by all channels; give INPUT and TARGET to learn other sizes");
        }

        var photo = BundledPhotos.Camera();
        var hidden = Kernels.SobelX();
        Tensor target;
        using (Tensor.NoGrad())
        {
            // The target's border is made with reflection; the default fit never looks at it.
            target = Functional.Conv2d(photo.Unsqueeze(1), hidden.Reshape(1, 1, 3, 3), padding: Padding.Same, paddingMode: PaddingMode.Reflect).Squeeze(1);
        }

        context.Out.WriteLine("demo: the bundled photograph camera.png (CC0, Lav Varshney) filtered with a hidden 3×3 kernel; recovering it.");
        var result = LearnCommand.LearnAndReport(context, photo, target, options, folder, plan, "camera.png", "camera.png ⋆ hidden");
        var error = (result.Kernel - hidden).Abs().ToArray().Max();
        context.Out.WriteLine("the hidden kernel was Sobel x:");
        context.Out.WriteLine(hidden.ToString());
        context.Out.WriteLine($"largest difference between learned and hidden taps: {LearnCommand.Format(error)}");
        return 0;
    }
}
