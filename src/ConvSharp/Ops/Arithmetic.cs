using ConvSharp.Autograd;

namespace ConvSharp.Ops;

/// <summary>+ − × ÷ with broadcasting, between tensors and with scalars, and their gradients.</summary>
internal static class Arithmetic
{
    public static Tensor Add(Tensor a, Tensor b) =>
        Tensor.Record(Elementwise.Zip(a, b, new AddOperator()), () => new AddBackward0(a.Dims, b.Dims), a, b);

    public static Tensor Sub(Tensor a, Tensor b) =>
        Tensor.Record(Elementwise.Zip(a, b, new SubOperator()), () => new SubBackward0(a.Dims, b.Dims), a, b);

    public static Tensor Mul(Tensor a, Tensor b) =>
        Tensor.Record(Elementwise.Zip(a, b, new MulOperator()), () => new MulBackward0(a, b), a, b);

    public static Tensor Div(Tensor a, Tensor b) =>
        Tensor.Record(Elementwise.Zip(a, b, new DivOperator()), () => new DivBackward0(a, b), a, b);

    public static Tensor Add(Tensor a, float s) =>
        Tensor.Record(Elementwise.Map(a, new AddScalarOperator(s)), () => new AddScalarBackward(), a);

    public static Tensor Sub(Tensor a, float s) =>
        Tensor.Record(Elementwise.Map(a, new AddScalarOperator(-s)), () => new SubScalarBackward(), a);

    public static Tensor ReverseSub(float s, Tensor a) =>
        Tensor.Record(Elementwise.Map(a, new ScalarSubOperator(s)), () => new RsubBackward1(), a);

    public static Tensor Mul(Tensor a, float s) =>
        Tensor.Record(Elementwise.Map(a, new MulScalarOperator(s)), () => new MulScalarBackward(s), a);

    public static Tensor Div(Tensor a, float s) =>
        Tensor.Record(Elementwise.Map(a, new DivScalarOperator(s)), () => new DivScalarBackward(s), a);
}

internal sealed class AddBackward0(int[] aShape, int[] bShape) : Node
{
    internal override Tensor?[] Apply(Tensor g) =>
        [NeedsInputGrad(0) ? g.SumTo(aShape) : null, NeedsInputGrad(1) ? g.SumTo(bShape) : null];
}

internal sealed class SubBackward0(int[] aShape, int[] bShape) : Node
{
    internal override Tensor?[] Apply(Tensor g) =>
        [NeedsInputGrad(0) ? g.SumTo(aShape) : null, NeedsInputGrad(1) ? (-g).SumTo(bShape) : null];
}

internal sealed class MulBackward0(Tensor a, Tensor b) : Node
{
    private readonly SavedTensor _a = new(a);
    private readonly SavedTensor _b = new(b);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) =>
    [
        NeedsInputGrad(0) ? (g * _b.Get(this)).SumTo(a.Dims) : null,
        NeedsInputGrad(1) ? (g * _a.Get(this)).SumTo(b.Dims) : null,
    ];
}

internal sealed class DivBackward0(Tensor a, Tensor b) : Node
{
    private readonly SavedTensor _a = new(a);
    private readonly SavedTensor _b = new(b);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g)
    {
        var denominator = _b.Get(this);
        return
        [
            NeedsInputGrad(0) ? (g / denominator).SumTo(a.Dims) : null,
            NeedsInputGrad(1) ? (-g * _a.Get(this) / (denominator * denominator)).SumTo(b.Dims) : null,
        ];
    }
}

/// <summary>PyTorch wraps the scalar in a tensor, so it prints this as AddBackward0.</summary>
internal sealed class AddScalarBackward : Node
{
    public override string Name => "AddBackward0";

    internal override Tensor?[] Apply(Tensor g) => [g];
}

/// <summary>PyTorch wraps the scalar in a tensor, so it prints this as SubBackward0.</summary>
internal sealed class SubScalarBackward : Node
{
    public override string Name => "SubBackward0";

    internal override Tensor?[] Apply(Tensor g) => [g];
}

internal sealed class RsubBackward1 : Node
{
    internal override Tensor?[] Apply(Tensor g) => [-g];
}

/// <summary>PyTorch wraps the scalar in a tensor, so it prints this as MulBackward0.</summary>
internal sealed class MulScalarBackward(float s) : Node
{
    public override string Name => "MulBackward0";

    internal override Tensor?[] Apply(Tensor g) => [g * s];
}

/// <summary>PyTorch wraps the scalar in a tensor, so it prints this as DivBackward0.</summary>
internal sealed class DivScalarBackward(float s) : Node
{
    public override string Name => "DivBackward0";

    internal override Tensor?[] Apply(Tensor g) => [g / s];
}
