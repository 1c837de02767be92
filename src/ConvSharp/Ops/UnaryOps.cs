using ConvSharp.Autograd;

namespace ConvSharp.Ops;

/// <summary>Element-wise functions of one tensor and their gradients.</summary>
internal static class UnaryOps
{
    public static Tensor Neg(Tensor x) =>
        Tensor.Record(Elementwise.Map(x, new NegOperator()), () => new NegBackward0(), x);

    public static Tensor Exp(Tensor x)
    {
        var y = Elementwise.Map(x, new ExpOperator());
        return Tensor.Record(y, () => new ExpBackward0(y), x);
    }

    public static Tensor Log(Tensor x) =>
        Tensor.Record(Elementwise.Map(x, new LogOperator()), () => new LogBackward0(x), x);

    public static Tensor Sqrt(Tensor x)
    {
        var y = Elementwise.Map(x, new SqrtOperator());
        return Tensor.Record(y, () => new SqrtBackward0(y), x);
    }

    public static Tensor Abs(Tensor x) =>
        Tensor.Record(Elementwise.Map(x, new AbsOperator()), () => new AbsBackward0(x), x);

    public static Tensor Pow(Tensor x, float exponent) =>
        Tensor.Record(Elementwise.Map(x, new PowOperator(exponent)), () => new PowBackward0(x, exponent), x);

    public static Tensor Relu(Tensor x)
    {
        var y = ActivationOps.Map(x, ActivationKernels.Relu);
        return Tensor.Record(y, () => new ReluBackward0(y), x);
    }

    public static Tensor Sigmoid(Tensor x)
    {
        var y = ActivationOps.Map(x, ActivationKernels.Sigmoid);
        return Tensor.Record(y, () => new SigmoidBackward0(y), x);
    }

    public static Tensor Tanh(Tensor x)
    {
        var y = ActivationOps.Map(x, ActivationKernels.Tanh);
        return Tensor.Record(y, () => new TanhBackward0(y), x);
    }
}

internal sealed class NegBackward0 : Node
{
    internal override Tensor?[] Apply(Tensor g) => [-g];
}

internal sealed class ExpBackward0(Tensor result) : Node
{
    private readonly SavedTensor _result = new(result);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) => [g * _result.Get(this)];
}

internal sealed class LogBackward0(Tensor x) : Node
{
    private readonly SavedTensor _x = new(x);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) => [g / _x.Get(this)];
}

internal sealed class SqrtBackward0(Tensor result) : Node
{
    private readonly SavedTensor _result = new(result);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) => [g / (_result.Get(this) * 2f)];
}

internal sealed class AbsBackward0(Tensor x) : Node
{
    private readonly SavedTensor _x = new(x);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) => [g * Elementwise.Map(_x.Get(this), new SignOperator())];
}

internal sealed class PowBackward0(Tensor x, float exponent) : Node
{
    private readonly SavedTensor _x = new(x);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) =>
        [exponent == 0f ? g * 0f : g * (_x.Get(this).Pow(exponent - 1f) * exponent)];
}

internal sealed class ReluBackward0(Tensor result) : Node
{
    private readonly SavedTensor _result = new(result);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) => [ActivationOps.Zip(_result.Get(this), g, ActivationKernels.ReluBackward)];
}

internal sealed class SigmoidBackward0(Tensor result) : Node
{
    private readonly SavedTensor _result = new(result);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) => [ActivationOps.Zip(_result.Get(this), g, ActivationKernels.SigmoidBackward)];
}

internal sealed class TanhBackward0(Tensor result) : Node
{
    private readonly SavedTensor _result = new(result);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) => [ActivationOps.Zip(_result.Get(this), g, ActivationKernels.TanhBackward)];
}
