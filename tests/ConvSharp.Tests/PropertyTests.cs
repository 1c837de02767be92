using ConvSharp.Tests.Support;
using CsCheck;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

/// <summary>Identities that must hold for every shape, checked on random shapes with CsCheck (it shrinks failures).</summary>
public class PropertyTests
{
    /// <summary>A random valid convolution: sizes, stride, padding, dilation, groups, and a seed for the values.</summary>
    private sealed record ConvCase(int N, int GroupChannels, int Groups, int GroupOutChannels, int KH, int KW, int Stride, int Padding, int Dilation, int H, int W, int Seed)
    {
        public int C => GroupChannels * Groups;

        public int OC => GroupOutChannels * Groups;

        public bool Fits => H + (2 * Padding) >= (Dilation * (KH - 1)) + 1 && W + (2 * Padding) >= (Dilation * (KW - 1)) + 1;
    }

    private static readonly Gen<ConvCase> Cases =
        Gen.Select(
            Gen.Select(Gen.Int[1, 2], Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[1, 2], Gen.Int[1, 4], (n, cg, g, og, kh) => (n, cg, g, og, kh)),
            Gen.Select(Gen.Int[1, 4], Gen.Int[1, 3], Gen.Int[0, 2], Gen.Int[1, 2], (kw, s, p, d) => (kw, s, p, d)),
            Gen.Select(Gen.Int[1, 9], Gen.Int[1, 9], Gen.Int[0, 100000], (h, w, seed) => (h, w, seed)),
            (a, b, c) => new ConvCase(a.n, a.cg, a.g, a.og, a.kh, b.kw, b.s, b.p, b.d, c.h, c.w, c.seed))
        .Where(c => c.Fits);

    [Fact]
    public void Conv2d_equals_unfold_then_matmul()
    {
        Cases.Sample(c =>
        {
            var data = new TestData(c.Seed);
            var x = data.Normal(c.N, c.C, c.H, c.W);
            var w = data.Normal(c.OC, c.GroupChannels, c.KH, c.KW);
            var y = F.Conv2d(x, w, null, c.Stride, c.Padding, c.Dilation, c.Groups);
            for (var g = 0; g < c.Groups; g++)
            {
                var columns = F.Unfold(x[.., (g * c.GroupChannels)..((g + 1) * c.GroupChannels)], (c.KH, c.KW), c.Dilation, c.Padding, c.Stride);
                var weights = w[(g * c.GroupOutChannels)..((g + 1) * c.GroupOutChannels)].Reshape(c.GroupOutChannels, -1);
                var expected = weights.MatMul(columns).Reshape(c.N, c.GroupOutChannels, y.Size(2), y.Size(3));
                Expect.Close(expected, y[.., (g * c.GroupOutChannels)..((g + 1) * c.GroupOutChannels)], what: c.ToString());
            }
        });
    }

    [Fact]
    public void ConvTranspose2d_is_the_adjoint_of_Conv2d()
    {
        // ⟨conv(x), y⟩ = ⟨x, convT(y)⟩ with the same weight, stride, padding, dilation and groups;
        // the output padding picks, among the sizes that conv maps to y's size, x's own.
        Cases.Sample(c =>
        {
            var data = new TestData(c.Seed);
            var x = data.Normal(c.N, c.C, c.H, c.W);
            var w = data.Normal(c.OC, c.GroupChannels, c.KH, c.KW);
            var convX = F.Conv2d(x, w, null, c.Stride, c.Padding, c.Dilation, c.Groups);
            var y = data.Normal(convX.Shape);
            var outputPadding = (
                (c.H + (2 * c.Padding) - (c.Dilation * (c.KH - 1)) - 1) % c.Stride,
                (c.W + (2 * c.Padding) - (c.Dilation * (c.KW - 1)) - 1) % c.Stride);
            var convTY = F.ConvTranspose2d(y, w, null, c.Stride, c.Padding, outputPadding, c.Groups, c.Dilation);
            Assert.Equal(x.Shape, convTY.Shape);
            var left = Dot(convX, y);
            var right = Dot(x, convTY);
            Assert.True(Math.Abs(left - right) <= 1e-4 * (1 + Math.Abs(left)), $"{c}: ⟨conv x, y⟩ = {left}, ⟨x, convT y⟩ = {right}");
        });
    }

    [Fact]
    public void Fold_of_unfold_multiplies_by_the_overlap_count()
    {
        Cases.Sample(c =>
        {
            var x = new TestData(c.Seed).Normal(c.N, c.C, c.H, c.W);
            Size2 kernel = (c.KH, c.KW);
            var refolded = F.Fold(F.Unfold(x, kernel, c.Dilation, c.Padding, c.Stride), (c.H, c.W), kernel, c.Dilation, c.Padding, c.Stride);
            var overlaps = F.Fold(F.Unfold(Tensor.OnesLike(x), kernel, c.Dilation, c.Padding, c.Stride), (c.H, c.W), kernel, c.Dilation, c.Padding, c.Stride);
            Expect.Close(x * overlaps, refolded, what: c.ToString());
        });
    }

    [Fact]
    public void Convolve2d_equals_conv2d_with_the_flipped_kernel()
    {
        Cases.Sample(c =>
        {
            var data = new TestData(c.Seed);
            var x = data.Normal(c.N, c.C, c.H, c.W);
            var w = data.Normal(c.OC, c.GroupChannels, c.KH, c.KW);
            Assert.True(Tensor.Equal(
                F.Conv2d(x, w.Flip(2, 3), null, c.Stride, c.Padding, c.Dilation, c.Groups),
                F.Convolve2d(x, w, null, c.Stride, c.Padding, c.Dilation, c.Groups)));
        });
    }

    private static double Dot(Tensor a, Tensor b) => a.ToArray().Zip(b.ToArray(), (p, q) => (double)p * q).Sum();
}
