using ConvSharp.Imaging;

namespace ConvSharp.Cli.Filtering;

/// <summary>How <c>convsharp apply</c> filters: the geometry, the border, and how the response becomes a picture.</summary>
/// <param name="Convolve">true convolution (kernel flipped) instead of cross-correlation</param>
/// <param name="Padding">same, valid or explicit pixels</param>
/// <param name="Mode">what the border holds</param>
/// <param name="Stride">step between windows</param>
/// <param name="Map">the display mapping, or null to choose it from the kernel (<see cref="ImageFilter.ChooseMap"/>)</param>
internal sealed record FilterSettings(bool Convolve, Padding Padding, PaddingMode Mode, int Stride, DisplayMap? Map);
