using System.Numerics;

namespace ConvSharp.Ops;

/// <summary>A function of one float, as a struct so the JIT inlines it into the loop.</summary>
/// <remarks>
/// The vector form computes the scalar form lane by lane. Where the scalar form is one IEEE
/// operation (+, ×, √, negation, …) the two agree bit for bit; exp and log are evaluated in double
/// and rounded once, so body and tail agree except, rarely, by one ulp.
/// </remarks>
internal interface IUnaryOperator
{
    /// <summary>Whether <see cref="Invoke(Vector{float})"/> exists; when false, loops take the scalar form only.</summary>
    bool Vectorizable { get; }

    float Invoke(float x);

    Vector<float> Invoke(Vector<float> x);
}

/// <summary>A function of two floats, as a struct so the JIT inlines it into the loop; the vector form works lane by lane.</summary>
internal interface IBinaryOperator
{
    float Invoke(float x, float y);

    Vector<float> Invoke(Vector<float> x, Vector<float> y);
}

// The operators themselves: each IEEE operation once as a scalar and once as a vector.
internal readonly struct AddOperator : IBinaryOperator
{
    public float Invoke(float x, float y) => x + y;

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) => x + y;
}

internal readonly struct SubOperator : IBinaryOperator
{
    public float Invoke(float x, float y) => x - y;

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) => x - y;
}

internal readonly struct MulOperator : IBinaryOperator
{
    public float Invoke(float x, float y) => x * y;

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) => x * y;
}

internal readonly struct DivOperator : IBinaryOperator
{
    public float Invoke(float x, float y) => x / y;

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) => x / y;
}

/// <summary>Takes the second operand: a copy (<c>copy_</c>, <c>fill_</c>).</summary>
internal readonly struct SecondOperator : IBinaryOperator
{
    public float Invoke(float x, float y) => y;

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) => y;
}

internal readonly struct AddScalarOperator(float s) : IUnaryOperator
{
    public bool Vectorizable => true;

    public float Invoke(float x) => x + s;

    public Vector<float> Invoke(Vector<float> x) => x + new Vector<float>(s);
}

internal readonly struct MulScalarOperator(float s) : IUnaryOperator
{
    public bool Vectorizable => true;

    public float Invoke(float x) => x * s;

    public Vector<float> Invoke(Vector<float> x) => x * new Vector<float>(s);
}

internal readonly struct DivScalarOperator(float s) : IUnaryOperator
{
    public bool Vectorizable => true;

    // A true division, not x · (1/s): the reciprocal would round twice.
    public float Invoke(float x) => x / s;

    public Vector<float> Invoke(Vector<float> x) => x / new Vector<float>(s);
}

internal readonly struct ScalarSubOperator(float s) : IUnaryOperator
{
    public bool Vectorizable => true;

    public float Invoke(float x) => s - x;

    public Vector<float> Invoke(Vector<float> x) => new Vector<float>(s) - x;
}

internal readonly struct NegOperator : IUnaryOperator
{
    public bool Vectorizable => true;

    public float Invoke(float x) => -x;

    public Vector<float> Invoke(Vector<float> x) => -x;
}

internal readonly struct AbsOperator : IUnaryOperator
{
    public bool Vectorizable => true;

    public float Invoke(float x) => MathF.Abs(x);

    public Vector<float> Invoke(Vector<float> x) => Vector.Abs(x);
}

internal readonly struct SqrtOperator : IUnaryOperator
{
    public bool Vectorizable => true;

    public float Invoke(float x) => MathF.Sqrt(x);

    public Vector<float> Invoke(Vector<float> x) => Vector.SquareRoot(x);
}

/// <summary>1, −1 or 0 (for ±0 and NaN).</summary>
internal readonly struct SignOperator : IUnaryOperator
{
    public bool Vectorizable => true;

    public float Invoke(float x) => x > 0f ? 1f : x < 0f ? -1f : 0f;

    public Vector<float> Invoke(Vector<float> x) =>
        Vector.ConditionalSelect(
            Vector.GreaterThan(x, Vector<float>.Zero),
            Vector<float>.One,
            Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -Vector<float>.One, Vector<float>.Zero));
}

/// <summary>e^x in double, rounded once: within an ulp of the exact value, vector body and scalar tail alike.</summary>
internal readonly struct ExpOperator : IUnaryOperator
{
    public bool Vectorizable => true;

    public float Invoke(float x) => (float)Math.Exp(x);

    public Vector<float> Invoke(Vector<float> x)
    {
        Vector.Widen(x, out var low, out var high);
        return Vector.Narrow(Vector.Exp(low), Vector.Exp(high));
    }
}

/// <summary>ln x in double, rounded once: within an ulp of the exact value, vector body and scalar tail alike.</summary>
internal readonly struct LogOperator : IUnaryOperator
{
    public bool Vectorizable => true;

    public float Invoke(float x) => (float)Math.Log(x);

    public Vector<float> Invoke(Vector<float> x)
    {
        Vector.Widen(x, out var low, out var high);
        return Vector.Narrow(Vector.Log(low), Vector.Log(high));
    }
}

/// <summary>x^p; the exponents 0, 1 and 2 are exact products and vectorise, any other goes through <see cref="MathF.Pow"/>.</summary>
internal readonly struct PowOperator(float exponent) : IUnaryOperator
{
    public bool Vectorizable => exponent is 0f or 1f or 2f;

    public float Invoke(float x) => exponent switch
    {
        2f => x * x,
        1f => x,
        0f => 1f,
        _ => MathF.Pow(x, exponent),
    };

    public Vector<float> Invoke(Vector<float> x) => exponent switch
    {
        2f => x * x,
        1f => x,
        _ => Vector<float>.One, // 0: only reached when Vectorizable
    };
}
