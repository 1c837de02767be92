using ConvSharp.Nn;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.Layers;

/// <summary>Linear, Flatten, activations, softmax, cross-entropy, max, cat and stack against PyTorch: outputs and every gradient.</summary>
[Trait("Category", "Parity")]
public class LayerParityTests
{
    public static TheoryData<int> LinearCases() => LayerFixtures.Indices("linear");

    public static TheoryData<int> UnaryCases() => LayerFixtures.Indices("unary");

    public static TheoryData<int> FlattenCases() => LayerFixtures.Indices("flatten");

    public static TheoryData<int> SoftmaxCases() => LayerFixtures.Indices("softmax");

    public static TheoryData<int> CrossEntropyCases() => LayerFixtures.Indices("cross_entropy");

    public static TheoryData<int> MaxCases() => LayerFixtures.Indices("max");

    public static TheoryData<int> JoinCases() => LayerFixtures.Indices("join");

    [Theory]
    [MemberData(nameof(LinearCases))]
    public void Linear_matches_pytorch(int index)
    {
        var c = LayerFixtures.Cases("linear")[index];
        var name = c.GetProperty("name").GetString();
        var (x, w) = (c.GetProperty("input").Leaf(), c.GetProperty("weight").Leaf());
        var b = c.GetProperty("bias").ToTensorOrNull();
        if (b is not null)
        {
            b.RequiresGrad = true;
        }

        var y = F.Linear(x, w, b);
        Expect.Close(c.GetProperty("output").ToTensor(), y, what: $"{name}: output");
        if (x.Rank == 2)
        {
            Assert.Equal(b is null ? "MmBackward0" : "AddmmBackward0", y.GradFn!.Name);
        }

        y.Backward(c.GetProperty("upstream").ToTensor());
        Expect.Close(c.GetProperty("grad_input").ToTensor(), x.Grad, what: $"{name}: grad input");
        Expect.Close(c.GetProperty("grad_weight").ToTensor(), w.Grad, what: $"{name}: grad weight");
        if (b is not null)
        {
            Expect.Close(c.GetProperty("grad_bias").ToTensor(), b.Grad, what: $"{name}: grad bias");
        }
    }

    [Fact]
    public void Linear_module_draws_pytorchs_initial_parameters_after_a_seed()
    {
        var c = LayerFixtures.Get("linear_init");
        Rng.ManualSeed(c.GetProperty("seed").GetUInt64());
        var layer = new Linear(c.GetProperty("in_features").GetInt32(), c.GetProperty("out_features").GetInt32());
        Expect.Close(c.GetProperty("weight").ToTensor(), layer.Weight, rtol: 0, atol: 1e-7, what: "weight");
        Expect.Close(c.GetProperty("bias").ToTensor(), layer.Bias, rtol: 0, atol: 1e-7, what: "bias");
        Assert.Equal(["weight", "bias"], layer.NamedParameters().Select(p => p.Name));
        Assert.Equal(c.GetProperty("repr").GetString(), layer.ToString());
    }

    [Fact]
    public void Modules_print_as_pytorch()
    {
        var r = LayerFixtures.Get("reprs");
        Assert.Equal(r.GetProperty("linear").GetString(), new Linear(400, 120).ToString());
        Assert.Equal(r.GetProperty("linear_no_bias").GetString(), new Linear(3, 2, bias: false).ToString());
        Assert.Equal(r.GetProperty("flatten").GetString(), new Nn.Flatten().ToString());
        Assert.Equal(r.GetProperty("sigmoid").GetString(), new Nn.Sigmoid().ToString());
        Assert.Equal(r.GetProperty("tanh").GetString(), new Nn.Tanh().ToString());
        Assert.Equal(r.GetProperty("relu").GetString(), new ReLU().ToString());
        Assert.Equal(r.GetProperty("dropout").GetString(), new Dropout().ToString());
        Assert.Equal(r.GetProperty("dropout_01").GetString(), new Dropout(0.1f).ToString());
        Assert.Equal(r.GetProperty("cross_entropy").GetString(), new CrossEntropyLoss().ToString());
    }

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void Activation_matches_pytorch(int index)
    {
        var c = LayerFixtures.Cases("unary")[index];
        var op = c.GetProperty("op").GetString();
        var x = c.GetProperty("input").Leaf();
        Module layer = op switch
        {
            "sigmoid" => new Nn.Sigmoid(),
            "tanh" => new Nn.Tanh(),
            _ => new ReLU(),
        };
        var y = layer.Forward(x);
        Expect.Close(c.GetProperty("output").ToTensor(), y, rtol: 1e-6, atol: 1e-7, what: $"{op}: output");
        y.Backward(c.GetProperty("upstream").ToTensor());
        Expect.Close(c.GetProperty("grad_input").ToTensor(), x.Grad, rtol: 1e-5, atol: 1e-7, what: $"{op}: grad input");
    }

    [Theory]
    [MemberData(nameof(FlattenCases))]
    public void Flatten_matches_pytorch(int index)
    {
        var c = LayerFixtures.Cases("flatten")[index];
        var (start, end) = (c.GetProperty("start_dim").GetInt32(), c.GetProperty("end_dim").GetInt32());
        var x = c.GetProperty("input").Leaf();
        var layer = new Nn.Flatten(start, end);
        var y = layer.Forward(x);
        Expect.Close(c.GetProperty("output").ToTensor(), y, rtol: 0, atol: 0, what: "output");
        Assert.Equal(c.GetProperty("repr").GetString(), layer.ToString());
        y.Backward(c.GetProperty("upstream").ToTensor());
        Expect.Close(c.GetProperty("grad_input").ToTensor(), x.Grad, rtol: 0, atol: 0, what: "grad input");
    }

    [Theory]
    [MemberData(nameof(SoftmaxCases))]
    public void Softmax_and_log_softmax_match_pytorch(int index)
    {
        var c = LayerFixtures.Cases("softmax")[index];
        var (op, dim) = (c.GetProperty("op").GetString(), c.GetProperty("dim").GetInt32());
        var x = c.GetProperty("input").Leaf();
        var y = op == "softmax" ? F.Softmax(x, dim) : F.LogSoftmax(x, dim);
        Assert.Equal(op == "softmax" ? "SoftmaxBackward0" : "LogSoftmaxBackward0", y.GradFn!.Name);
        Expect.Close(c.GetProperty("output").ToTensor(), y, rtol: 1e-5, atol: 1e-6, what: $"{op} dim {dim}: output");
        y.Backward(c.GetProperty("upstream").ToTensor());
        Expect.Close(c.GetProperty("grad_input").ToTensor(), x.Grad, rtol: 1e-4, atol: 1e-5, what: $"{op} dim {dim}: grad input");
    }

    [Theory]
    [MemberData(nameof(CrossEntropyCases))]
    public void Cross_entropy_matches_pytorch(int index)
    {
        var c = LayerFixtures.Cases("cross_entropy")[index];
        var reduction = Enum.Parse<Reduction>(c.GetProperty("reduction").GetString()!, ignoreCase: true);
        var what = $"{c.GetProperty("name").GetString()}, {reduction}";
        var target = c.GetProperty("target").ToInts();
        var expected = c.GetProperty("output").ToTensor();
        var upstream = c.GetProperty("upstream").ToTensor();

        // Targets as a float tensor of class indices, through the module.
        var x = c.GetProperty("input").Leaf();
        var loss = new CrossEntropyLoss(reduction).Forward(x, Tensor.From([.. target.Select(t => (float)t)]));
        Expect.Close(expected, loss, rtol: 1e-5, atol: 1e-6, what: $"{what}: loss");
        Assert.Equal("NllLossBackward0", loss.GradFn!.Name);
        loss.Backward(upstream);
        Expect.Close(c.GetProperty("grad_input").ToTensor(), x.Grad, rtol: 1e-5, atol: 1e-6, what: $"{what}: grad input");

        // Targets as int[], through the function.
        var x2 = c.GetProperty("input").Leaf();
        var loss2 = F.CrossEntropyLoss(x2, target, reduction);
        Expect.Close(expected, loss2, rtol: 1e-5, atol: 1e-6, what: $"{what}: loss (int[] target)");
        loss2.Backward(upstream);
        Expect.Close(c.GetProperty("grad_input").ToTensor(), x2.Grad, rtol: 1e-5, atol: 1e-6, what: $"{what}: grad input (int[] target)");
    }

    [Theory]
    [MemberData(nameof(MaxCases))]
    public void Max_and_argmax_along_a_dimension_match_pytorch(int index)
    {
        var c = LayerFixtures.Cases("max")[index];
        var (dim, keepDim) = (c.GetProperty("dim").GetInt32(), c.GetProperty("keepdim").GetBoolean());
        var x = c.GetProperty("input").Leaf();
        var (values, indices) = x.Max(dim, keepDim);
        var expectedValues = c.GetProperty("values").ToTensor();
        Expect.Close(expectedValues, values, rtol: 0, atol: 0, what: "values");
        Assert.Equal(Flat(c.GetProperty("indices")), indices.ToArray());
        Assert.Equal(expectedValues.Shape, indices.Shape);
        Assert.False(indices.RequiresGrad);
        var argmax = x.ArgMax(dim, keepDim);
        Assert.Equal(Flat(c.GetProperty("argmax")), argmax.ToArray());
        Assert.Equal(expectedValues.Shape, argmax.Shape);
        Assert.Equal("MaxBackward0", values.GradFn!.Name);
        values.Backward(c.GetProperty("upstream").ToTensor());
        Expect.Close(c.GetProperty("grad_input").ToTensor(), x.Grad, rtol: 0, atol: 0, what: "grad input");
    }

    [Theory]
    [MemberData(nameof(JoinCases))]
    public void Cat_and_stack_match_pytorch(int index)
    {
        var c = LayerFixtures.Cases("join")[index];
        var (op, dim) = (c.GetProperty("op").GetString(), c.GetProperty("dim").GetInt32());
        var inputs = c.GetProperty("inputs").EnumerateArray().Select(e => e.Leaf()).ToArray();
        var y = op == "cat" ? Tensor.Cat(inputs, dim) : Tensor.Stack(inputs, dim);
        Assert.Equal(op == "cat" ? "CatBackward0" : "StackBackward0", y.GradFn!.Name);
        Expect.Close(c.GetProperty("output").ToTensor(), y, rtol: 0, atol: 0, what: $"{op} {dim}: output");
        y.Backward(c.GetProperty("upstream").ToTensor());
        var grads = c.GetProperty("grads").EnumerateArray().ToArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            Expect.Close(grads[i].ToTensor(), inputs[i].Grad, rtol: 0, atol: 0, what: $"{op} {dim}: grad of input {i}");
        }
    }

    /// <summary>A nested JSON list of integers (or one integer) in row-major order, as floats.</summary>
    private static float[] Flat(System.Text.Json.JsonElement element) =>
        element.ValueKind == System.Text.Json.JsonValueKind.Array
            ? [.. element.EnumerateArray().SelectMany(Flat)]
            : [element.GetInt32()];
}
