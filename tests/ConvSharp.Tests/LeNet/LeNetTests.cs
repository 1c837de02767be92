using System.Text.Json;
using ConvSharp.Cli.LeNet;
using ConvSharp.Data;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.LeNet;

/// <summary>
/// The book's LeNet: PyTorch's key names, PyTorch-trained weights giving PyTorch's logits
/// (tools/fixtures/make_lenet_fixtures.py), and training on the committed Fashion-MNIST subset.
/// </summary>
public class LeNetTests
{
    private static readonly string Subset = Photos.Fixture("fashion-mnist-subset");

    private static MnistDataset SubsetSplit(bool train) => FashionMnist.Load(Subset, train);

    private static LeNetVariant Variant(string name) => name == "modern" ? LeNetVariant.Modern : LeNetVariant.D2l;

    [Theory]
    [InlineData("d2l")]
    [InlineData("modern")]
    public void The_state_dict_has_the_books_Sequential_keys_and_shapes(string variant)
    {
        var state = LeNetModel.Create(Variant(variant)).StateDict();
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"], state.Keys);
        Assert.Equal([6, 1, 5, 5], state["0.weight"].Shape);
        Assert.Equal([16, 6, 5, 5], state["3.weight"].Shape);
        Assert.Equal([120, 400], state["7.weight"].Shape);
        Assert.Equal([10, 84], state["11.weight"].Shape);
    }

    [Theory]
    [Trait("Category", "Parity")]
    [InlineData("d2l")]
    [InlineData("modern")]
    public void A_model_PyTorch_trained_gives_PyTorchs_logits(string name)
    {
        var network = LeNetModel.Create(Variant(name));
        network.Load(Photos.Fixture("lenet", name + ".safetensors"), strict: true);
        var test = SubsetSplit(train: false);
        var logits = LeNetTrainer.Logits(network, test);
        var expected = Tensor.LoadNpy(Photos.Fixture("lenet", name + "-logits.npy"));
        Assert.Equal(expected.Shape, logits.Shape);
        var worst = logits.ToArray().Zip(expected.ToArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-4, $"{name}: largest logit difference {worst}");

        using var json = JsonDocument.Parse(File.ReadAllText(Photos.Fixture("lenet", name + ".json")));
        var accuracy = LeNetTrainer.Correct(logits, test.Labels) / (double)test.Count;
        Assert.Equal(json.RootElement.GetProperty("test_acc").GetDouble(), accuracy, 1e-6);
    }

    [Fact]
    public void Training_on_the_subset_learns_what_a_wrong_gradient_could_not()
    {
        // Chance is 0.1; PyTorch, with this recipe, ends 8 epochs at 0.58–0.77 on these 500 test images, depending on the seed.
        Rng.ManualSeed(3);
        var network = LeNetModel.Create(LeNetVariant.Modern);
        var settings = new TrainSettings(Epochs: 8, BatchSize: 32, LearningRate: 0.1f, Seed: 5);
        var epochs = LeNetTrainer.Train(network, SubsetSplit(train: true), SubsetSplit(train: false), settings);
        Assert.Equal(8, epochs.Count);
        Assert.True(epochs[^1].Loss < epochs[0].Loss, $"loss went from {epochs[0].Loss} to {epochs[^1].Loss}");
        Assert.True(epochs[^1].TestAccuracy > 0.5, $"test accuracy {epochs[^1].TestAccuracy}");
        Assert.All(epochs, e => Assert.True(e.ExamplesPerSecond > 0 && e.Seconds > 0));
    }

    [Fact]
    public void The_same_seed_trains_the_same_model()
    {
        static float[] Run()
        {
            Rng.ManualSeed(11);
            var network = LeNetModel.Create(LeNetVariant.D2l);
            LeNetModel.InitXavier(network);
            var train = SubsetSplit(train: true);
            LeNetTrainer.Train(network, train, SubsetSplit(train: false), new TrainSettings(1, 200, 0.9f, 2));
            return network.StateDict()["11.weight"].ToArray();
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Xavier_init_draws_within_the_glorot_bound()
    {
        Rng.ManualSeed(1);
        var network = LeNetModel.Create(LeNetVariant.D2l);
        LeNetModel.InitXavier(network);
        var weight = network.StateDict()["7.weight"].ToArray();
        var bound = Math.Sqrt(6.0 / (400 + 120));
        Assert.All(weight, w => Assert.InRange(w, -bound, bound));
        // U(−b, b) has variance b²/3; 48,000 draws pin it within a few percent.
        var variance = weight.Select(w => (double)w * w).Average();
        Assert.InRange(variance, bound * bound / 3 * 0.95, bound * bound / 3 * 1.05);
    }
}
