using System.Globalization;

namespace ConvSharp.Nn;

/// <summary>What the pooling layers share: PyTorch's printing of their sizes and the checks that need no input.</summary>
internal static class PoolingRepr
{
    /// <summary>
    /// PyTorch's pooling layers print their arguments as given, an int as <c>2</c> and a tuple as
    /// <c>(2, 3)</c>. A <see cref="Size2"/> does not remember which it was: equal sides print as an int.
    /// </summary>
    public static string Format(Size2 size) => size.H == size.W ? size.H.ToString(CultureInfo.InvariantCulture) : size.ToString();

    public static void CheckPositive(Size2 value, string name)
    {
        if (value.H <= 0 || value.W <= 0)
        {
            throw new ArgumentException($"{name} must be greater than zero, but got {name}={value}", name);
        }
    }
}
