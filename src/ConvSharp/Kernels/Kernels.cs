using System.Globalization;

namespace ConvSharp;

/// <summary>
/// Classic kernels for cross-correlation (<see cref="Functional.Corr2d"/>, <see cref="Functional.Conv2d"/>),
/// as 2-D tensors (KH, KW). Each is written the way cross-correlation reads it: the tap at
/// [a, b] multiplies the pixel a rows down and b columns right of the window's corner. The
/// derivative kernels point the way OpenCV's <c>Sobel</c> does: x grows to the right, y downwards.
/// </summary>
public static class Kernels
{
    /// <summary>Every kernel <see cref="FromName"/> knows, with a one-line description; a parameter after a colon where it takes one.</summary>
    public static IReadOnlyList<(string Name, string Description)> Catalogue { get; } =
    [
        ("edge", "the chapter's [1, -1]: horizontal differences, vertical edges"),
        ("sobel-x", "Sobel, derivative along x (vertical edges)"),
        ("sobel-y", "Sobel, derivative along y (horizontal edges)"),
        ("scharr-x", "Scharr, a rotation-accurate derivative along x"),
        ("scharr-y", "Scharr, a rotation-accurate derivative along y"),
        ("prewitt-x", "Prewitt, derivative along x"),
        ("prewitt-y", "Prewitt, derivative along y"),
        ("laplacian", "4-neighbour Laplacian, the second derivative"),
        ("laplacian8", "8-neighbour Laplacian"),
        ("log:SIGMA", "Laplacian of Gaussian (zero sum), blob and edge detector, e.g. log:1.4"),
        ("gaussian:SIGMA", "Gaussian blur (sum 1), size 2·⌈3σ⌉ + 1, e.g. gaussian:2"),
        ("box:N", "N×N mean filter, the discrete integral over the window, e.g. box:3"),
        ("sharpen", "identity plus the negated 4-neighbour Laplacian"),
        ("emboss", "directional relief"),
        ("derivative:D", "the smallest kernel of the D-th derivative along x (D + 1 taps), e.g. derivative:2"),
    ];

    /// <summary>
    /// A kernel by its catalogue name, with its parameter after a colon where it takes one:
    /// <c>sobel-x</c>, <c>gaussian:1.5</c>, <c>box:5</c>, <c>derivative:3</c>.
    /// </summary>
    public static Tensor FromName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var parts = name.Trim().ToLowerInvariant().Split(':', 2);
        var (key, argument) = (parts[0], parts.Length > 1 ? parts[1] : null);
        var known = Catalogue.Any(c => c.Name.Split(':')[0] == key);
        if (!known)
        {
            throw new ArgumentException(
                $"unknown kernel '{name}'; the catalogue has {string.Join(", ", Catalogue.Select(c => c.Name))}", nameof(name));
        }

        return key switch
        {
            "edge" => NoArgument(argument, key, Edge()),
            "sobel-x" => NoArgument(argument, key, SobelX()),
            "sobel-y" => NoArgument(argument, key, SobelY()),
            "scharr-x" => NoArgument(argument, key, ScharrX()),
            "scharr-y" => NoArgument(argument, key, ScharrY()),
            "prewitt-x" => NoArgument(argument, key, PrewittX()),
            "prewitt-y" => NoArgument(argument, key, PrewittY()),
            "laplacian" => NoArgument(argument, key, Laplacian()),
            "laplacian8" => NoArgument(argument, key, Laplacian8()),
            "sharpen" => NoArgument(argument, key, Sharpen()),
            "emboss" => NoArgument(argument, key, Emboss()),
            "log" => LaplacianOfGaussian(Number(argument, key)),
            "gaussian" => Gaussian(Number(argument, key)),
            "box" => Box(Integer(argument, key)),
            _ => Derivative(Integer(argument, key)),
        };
    }

    /// <summary>The chapter's edge detector [1, −1]: X[i, j] − X[i, j + 1], so 1 marks white-to-black, −1 black-to-white.</summary>
    public static Tensor Edge() => Tensor.From(new float[,] { { 1, -1 } });

    /// <summary>The 4-neighbour Laplacian, a discrete second derivative in x and y.</summary>
    public static Tensor Laplacian() => Tensor.From(new float[,] { { 0, 1, 0 }, { 1, -4, 1 }, { 0, 1, 0 } });

    /// <summary>The 8-neighbour Laplacian.</summary>
    public static Tensor Laplacian8() => Tensor.From(new float[,] { { 1, 1, 1 }, { 1, -8, 1 }, { 1, 1, 1 } });

    /// <summary>A size×size box (mean) filter: the discrete integral over the window, divided by its area.</summary>
    public static Tensor Box(int size = 3)
    {
        if (size <= 0 || size > 1001)
        {
            throw new ArgumentException($"a box kernel's size must be between 1 and 1001 (as for every kernel the catalogue makes), but got {size}", nameof(size));
        }

        return Tensor.Ones(size, size) / (size * size);
    }

    /// <summary>Sobel operator for the horizontal derivative (responds to vertical edges).</summary>
    public static Tensor SobelX() => Tensor.From(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } });

    /// <summary>Sobel operator for the vertical derivative (responds to horizontal edges).</summary>
    public static Tensor SobelY() => SobelX().T.Contiguous();

    /// <summary>Scharr operator for the horizontal derivative: Sobel with better rotational symmetry.</summary>
    public static Tensor ScharrX() => Tensor.From(new float[,] { { -3, 0, 3 }, { -10, 0, 10 }, { -3, 0, 3 } });

    /// <summary>Scharr operator for the vertical derivative.</summary>
    public static Tensor ScharrY() => ScharrX().T.Contiguous();

    /// <summary>Prewitt operator for the horizontal derivative.</summary>
    public static Tensor PrewittX() => Tensor.From(new float[,] { { -1, 0, 1 }, { -1, 0, 1 }, { -1, 0, 1 } });

    /// <summary>Prewitt operator for the vertical derivative.</summary>
    public static Tensor PrewittY() => PrewittX().T.Contiguous();

    /// <summary>Sharpening: the identity minus the 4-neighbour Laplacian.</summary>
    public static Tensor Sharpen() => Tensor.From(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } });

    /// <summary>Embossing: a diagonal derivative plus the identity.</summary>
    public static Tensor Emboss() => Tensor.From(new float[,] { { -2, -1, 0 }, { -1, 1, 1 }, { 0, 1, 2 } });

    /// <summary>A Gaussian of standard deviation <paramref name="sigma"/>, size 2·⌈3σ⌉ + 1 unless given, normalised to sum 1.</summary>
    public static Tensor Gaussian(double sigma, int size = 0)
    {
        var (values, n) = Sampled(sigma, size, (x, y, s) => Math.Exp(-((x * x) + (y * y)) / (2 * s * s)));
        var total = values.Sum();
        return Tensor.FromArray([.. values.Select(v => (float)(v / total))], n, n);
    }

    /// <summary>
    /// The Laplacian of a Gaussian of standard deviation <paramref name="sigma"/>, size
    /// 2·⌈3σ⌉ + 1 unless given, shifted to sum exactly 0 (so flat regions give 0).
    /// </summary>
    public static Tensor LaplacianOfGaussian(double sigma, int size = 0)
    {
        var (values, n) = Sampled(sigma, size, (x, y, s) =>
        {
            var r2 = ((x * x) + (y * y)) / (2 * s * s);
            return -(1 - r2) * Math.Exp(-r2) / (Math.PI * s * s * s * s);
        });
        var mean = values.Average();
        return Tensor.FromArray([.. values.Select(v => (float)(v - mean))], n, n);
    }

    /// <summary>
    /// The smallest kernel for the <paramref name="order"/>-th derivative along a row: the forward
    /// difference Δᵈ, with d + 1 taps (−1)^(d−k)·C(d, k). Fewer taps cannot work: a kernel of
    /// d taps sends every polynomial of degree d − 1 to a constant, so it cannot tell degree d
    /// apart. For d = 1 this is [−1, 1] (the chapter's edge kernel with its sign flipped),
    /// for d = 2 [1, −2, 1]. Coefficients are exact in float32 up to d = 24.
    /// </summary>
    public static Tensor Derivative(int order)
    {
        if (order < 1 || order > 24)
        {
            // Beyond 24 the binomial taps are no longer exact in float32, and the kernel no longer sums to 0.
            throw new ArgumentException($"the derivative order must be between 1 and 24 (its taps are exact in float32 up to there), but got {order}", nameof(order));
        }

        var taps = new float[1, order + 1];
        var binomial = 1.0;
        for (var k = 0; k <= order; k++)
        {
            taps[0, k] = (float)((order - k) % 2 == 0 ? binomial : -binomial);
            binomial = binomial * (order - k) / (k + 1);
        }

        return Tensor.From(taps);
    }

    private static (double[] Values, int Size) Sampled(double sigma, int size, Func<double, double, double, double> f)
    {
        if (!(sigma >= 0.01 && sigma <= 100))
        {
            // Below 0.01 the kernel is a single 1 anyway, and 2σ² underflows on the way there.
            throw new ArgumentException($"sigma must be a number from 0.01 to 100, but got {sigma}", nameof(sigma));
        }

        if (size < 0)
        {
            throw new ArgumentException($"the kernel size must be odd and at most 1001, or 0 to take 2·⌈3σ⌉ + 1, but got {size}", nameof(size));
        }

        var n = size > 0 ? size : (2 * (int)Math.Ceiling(3 * sigma)) + 1;
        if (n % 2 == 0 || n > 1001)
        {
            throw new ArgumentException($"the kernel size must be odd and at most 1001, but got {n}", nameof(size));
        }

        var half = n / 2;
        var values = new double[n * n];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                values[(y * n) + x] = f(x - half, y - half, sigma);
            }
        }

        return (values, n);
    }

    private static Tensor NoArgument(string? argument, string key, Tensor kernel) =>
        argument is null ? kernel : throw new ArgumentException($"the kernel '{key}' takes no parameter, but got '{key}:{argument}'");

    private static double Number(string? argument, string key) =>
        double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"the kernel '{key}' needs a number after a colon, e.g. '{key}:1.5', but got '{argument}'");

    private static int Integer(string? argument, string key) =>
        int.TryParse(argument, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"the kernel '{key}' needs an integer after a colon, e.g. '{key}:3', but got '{argument}'");
}
