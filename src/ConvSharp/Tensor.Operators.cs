using ConvSharp.Ops;

namespace ConvSharp;

/// <summary>Arithmetic operators with broadcasting, element-wise functions, reductions and matmul.</summary>
public partial class Tensor
{
    /// <summary>Element-wise sum with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Arithmetic.Add(NotNull(a), NotNull(b));

    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor operator +(Tensor a, float s) => Arithmetic.Add(NotNull(a), s);

    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor operator +(float s, Tensor a) => Arithmetic.Add(NotNull(a), s);

    /// <summary>Element-wise difference with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Arithmetic.Sub(NotNull(a), NotNull(b));

    /// <summary>Subtracts a scalar from every element.</summary>
    public static Tensor operator -(Tensor a, float s) => Arithmetic.Sub(NotNull(a), s);

    /// <summary>A scalar minus every element.</summary>
    public static Tensor operator -(float s, Tensor a) => Arithmetic.ReverseSub(s, NotNull(a));

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => UnaryOps.Neg(NotNull(a));

    /// <summary>Element-wise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Arithmetic.Mul(NotNull(a), NotNull(b));

    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor operator *(Tensor a, float s) => Arithmetic.Mul(NotNull(a), s);

    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor operator *(float s, Tensor a) => Arithmetic.Mul(NotNull(a), s);

    /// <summary>Element-wise quotient with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Arithmetic.Div(NotNull(a), NotNull(b));

    /// <summary>Divides every element by a scalar.</summary>
    public static Tensor operator /(Tensor a, float s) => Arithmetic.Div(NotNull(a), s);

    /// <summary>A scalar divided by every element.</summary>
    public static Tensor operator /(float s, Tensor a) => Arithmetic.Div(Scalar(s), NotNull(a));

    /// <summary>Element-wise sum with broadcasting: <c>torch.add</c>.</summary>
    public Tensor Add(Tensor other) => this + other;

    /// <summary>Element-wise difference with broadcasting: <c>torch.sub</c>.</summary>
    public Tensor Sub(Tensor other) => this - other;

    /// <summary>Element-wise product with broadcasting: <c>torch.mul</c>.</summary>
    public Tensor Mul(Tensor other) => this * other;

    /// <summary>Element-wise quotient with broadcasting: <c>torch.div</c>.</summary>
    public Tensor Div(Tensor other) => this / other;

    /// <summary>Negation: <c>torch.neg</c>.</summary>
    public Tensor Neg() => -this;

    /// <summary>Each element raised to <paramref name="exponent"/>: <c>tensor ** exponent</c>.</summary>
    public Tensor Pow(float exponent) => UnaryOps.Pow(this, exponent);

    /// <summary>Each element squared: <c>torch.square</c>.</summary>
    public Tensor Square() => UnaryOps.Pow(this, 2f);

    /// <summary>e to each element: <c>torch.exp</c>.</summary>
    public Tensor Exp() => UnaryOps.Exp(this);

    /// <summary>Natural logarithm: <c>torch.log</c>.</summary>
    public Tensor Log() => UnaryOps.Log(this);

    /// <summary>Square root: <c>torch.sqrt</c>.</summary>
    public Tensor Sqrt() => UnaryOps.Sqrt(this);

    /// <summary>Absolute value: <c>torch.abs</c>.</summary>
    public Tensor Abs() => UnaryOps.Abs(this);

    /// <summary>max(x, 0): <c>torch.relu</c>.</summary>
    public Tensor Relu() => UnaryOps.Relu(this);

    /// <summary>1 / (1 + e^−x): <c>torch.sigmoid</c>.</summary>
    public Tensor Sigmoid() => UnaryOps.Sigmoid(this);

    /// <summary>Hyperbolic tangent: <c>torch.tanh</c>.</summary>
    public Tensor Tanh() => UnaryOps.Tanh(this);

    /// <summary>The sum of all elements, a 0-D tensor: <c>tensor.sum()</c>.</summary>
    public Tensor Sum() => Reductions.Sum(this);

    /// <summary>The sum over one dimension: <c>tensor.sum(dim, keepdim)</c>.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Reductions.Sum(this, [dim], keepDim);

    /// <summary>The sum over several dimensions: <c>tensor.sum((d0, d1), keepdim)</c>.</summary>
    public Tensor Sum(int[] dims, bool keepDim = false) => Reductions.Sum(this, dims, keepDim);

    /// <summary>The mean of all elements, a 0-D tensor: <c>tensor.mean()</c>.</summary>
    public Tensor Mean() => Reductions.Mean(this);

    /// <summary>The mean over one dimension: <c>tensor.mean(dim, keepdim)</c>.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Reductions.Mean(this, [dim], keepDim);

    /// <summary>The mean over several dimensions.</summary>
    public Tensor Mean(int[] dims, bool keepDim = false) => Reductions.Mean(this, dims, keepDim);

    /// <summary>Matrix product with <c>torch.matmul</c>'s rules (1-D, 2-D and broadcast batches).</summary>
    public Tensor MatMul(Tensor other) => MatMulOps.MatMul(this, NotNull(other));

    /// <summary>The largest element, as a float (no gradient).</summary>
    public float Max() => NumElements == 0 ? throw EmptyReduction("max") : Extrema.Max(ContiguousSpan());

    /// <summary>The smallest element, as a float (no gradient).</summary>
    public float Min() => NumElements == 0 ? throw EmptyReduction("min") : Extrema.Min(ContiguousSpan());

    private InvalidOperationException EmptyReduction(string name) =>
        new($"{name}(): Expected reduction dim to be specified for input.numel() == 0 (shape {Shapes.Format(Dims)}).");

    private static Tensor NotNull(Tensor t, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(t))] string? name = null) =>
        t ?? throw new ArgumentNullException(name);
}
