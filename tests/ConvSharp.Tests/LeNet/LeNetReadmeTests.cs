using ConvSharp.Data;
using ConvSharp.Interop;
using ConvSharp.Nn;
using ConvSharp.Optim;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.LeNet;

/// <summary>The README's LeNet example is <see cref="Example"/>, verbatim, and it trains and saves a model PyTorch's keys name.</summary>
public class LeNetReadmeTests
{
    [Fact]
    public void The_readme_lenet_example_is_this_code()
    {
        var readme = File.ReadAllText(Path.Combine(ProjectTests.RepositoryRoot(), "README.md"));
        var start = readme.IndexOf("var net = new Sequential(", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has no LeNet example");
        var body = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];

        var source = File.ReadAllText(Path.Combine(ProjectTests.RepositoryRoot(), "tests", "ConvSharp.Tests", "LeNet", "LeNetReadmeTests.cs"));
        var begin = source.LastIndexOf("// README begin", StringComparison.Ordinal);
        var end = source.LastIndexOf("// README end", StringComparison.Ordinal);
        var code = string.Join("\n", source[begin..end].Split('\n').Skip(1).Select(l => l.Length >= 8 ? l[8..] : l.Trim()));
        Assert.Equal(Normalise(body), Normalise(code));
    }

    [Fact]
    public void The_readme_lenet_example_trains_and_saves_a_model()
    {
        using var temp = new TempFolder();
        Rng.ManualSeed(1);
        var checkpoint = temp.File("lenet.safetensors");
        Example(Photos.Fixture("fashion-mnist-subset"), epochs: 1, checkpoint);
        var saved = Safetensors.Load(checkpoint).Tensors;
        Assert.Equal(["0.bias", "0.weight", "11.bias", "11.weight", "3.bias", "3.weight", "7.bias", "7.weight", "9.bias", "9.weight"], saved.Keys.Order(StringComparer.Ordinal));
        Assert.All(saved.Values, t => Assert.All(t.ToArray(), v => Assert.True(float.IsFinite(v))));
    }

    private static string Normalise(string text) => string.Join("\n", text.Replace("\r", string.Empty, StringComparison.Ordinal).Trim().Split('\n').Select(l => l.TrimEnd()));

    private static void Example(string folder, int epochs, string checkpoint)
    {
        // README begin
        var net = new Sequential(
            new Conv2d(1, 6, kernelSize: 5, padding: 2), new Sigmoid(),
            new AvgPool2d(2, stride: 2),
            new Conv2d(6, 16, kernelSize: 5), new Sigmoid(),
            new AvgPool2d(2, stride: 2),
            new Flatten(),
            new Linear(16 * 5 * 5, 120), new Sigmoid(),
            new Linear(120, 84), new Sigmoid(),
            new Linear(84, 10));
        foreach (var (_, weight) in net.NamedParameters().Where(p => p.Name.EndsWith("weight", StringComparison.Ordinal)))
        {
            Init.XavierUniform(weight); // the book's init_weights
        }

        var optimizer = new Sgd(net.Parameters(), lr: 0.9f);
        var batches = new DataLoader(FashionMnist.Load(folder, train: true), batchSize: 256, shuffle: true, seed: 1);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            net.Train();
            foreach (var (X, y) in batches)
            {
                optimizer.ZeroGrad();
                var loss = F.CrossEntropyLoss(net.Forward(X), y);
                loss.Backward();
                optimizer.Step();
            }
        }

        net.Save(checkpoint); // PyTorch's load_state_dict takes it: keys 0.weight … 11.bias
        // README end
    }
}
