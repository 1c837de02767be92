using System.Buffers.Binary;
using System.Text;
using ConvSharp.Interop;
using ConvSharp.Nn;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Interop;

/// <summary>State dicts (keys, order, strict loading) and safetensors files: PyTorch's, ConvSharp's own, and hostile ones.</summary>
public class SafetensorsTests
{
    /// <summary>What <c>torch.nn.Sequential(Conv2d(1,2,3), BatchNorm2d(2), ReLU(), Conv2d(2,3,3)).state_dict().keys()</c> prints.</summary>
    private static readonly string[] PyTorchKeys =
        ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "3.weight", "3.bias"];

    [Fact]
    public void State_dict_keys_come_in_PyTorchs_order()
    {
        var state = StateFixtures.Model().StateDict();
        Assert.Equal(PyTorchKeys, state.Keys);
        Assert.Equal([2, 1, 3, 3], state["0.weight"].Shape);
        Assert.Empty(state["1.num_batches_tracked"].Shape);
    }

    [Fact]
    public void State_dict_tensors_are_detached_views_of_the_modules_tensors()
    {
        var model = StateFixtures.Model();
        var state = model.StateDict();
        Assert.All(state.Values, t => Assert.False(t.RequiresGrad));
        var conv = (Conv2d)model.Layers[0];
        using (Tensor.NoGrad())
        {
            conv.Bias!.Fill(7f);
        }

        Expect.Values([7, 7], state["0.bias"]); // shares storage, as PyTorch's state_dict does
    }

    [Fact]
    public void Loading_a_state_dict_copies_into_the_existing_tensors()
    {
        var source = StateFixtures.Model();
        var target = StateFixtures.Model();
        var weight = ((Conv2d)target.Layers[0]).Weight;
        var result = target.LoadStateDict(source.StateDict());
        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);
        Assert.Same(weight, ((Conv2d)target.Layers[0]).Weight);
        Assert.True(Tensor.Equal(((Conv2d)source.Layers[0]).Weight, weight));
        Assert.True(weight.RequiresGrad && weight.IsLeaf);
    }

    [Fact]
    public void Strict_loading_lists_every_problem_and_loads_nothing()
    {
        var model = StateFixtures.Model();
        var before = model.StateDict().ToDictionary(e => e.Key, e => e.Value.Clone());
        var state = new Dictionary<string, Tensor>(Safetensors.Load(StateFixtures.File("model.safetensors")).Tensors);
        state.Remove("3.bias");
        state.Remove("1.running_var");
        state["extra.weight"] = Tensor.Zeros(1);
        state["0.weight"] = Tensor.Zeros(6, 1, 5, 5);

        var message = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state)).Message;
        Assert.Contains("Error(s) in loading state_dict for Sequential:", message);
        Assert.Contains("Missing key(s) in state_dict: \"1.running_var\", \"3.bias\".", message);
        Assert.Contains("Unexpected key(s) in state_dict: \"extra.weight\".", message);
        Assert.Contains(
            "size mismatch for 0.weight: copying a param with shape [6, 1, 5, 5] from checkpoint, the shape in current model is [2, 1, 3, 3].",
            message);
        foreach (var (name, tensor) in model.StateDict())
        {
            Assert.True(Tensor.Equal(before[name], tensor), $"{name} changed although the load failed");
        }
    }

    [Fact]
    public void Non_strict_loading_reports_missing_and_unexpected_keys_but_still_refuses_wrong_shapes()
    {
        var model = StateFixtures.Model();
        var state = new Dictionary<string, Tensor>(Safetensors.Load(StateFixtures.File("model.safetensors")).Tensors);
        state.Remove("3.bias");
        state["extra"] = Tensor.Zeros(1);
        var result = model.LoadStateDict(state, strict: false);
        Assert.Equal(["3.bias"], result.MissingKeys);
        Assert.Equal(["extra"], result.UnexpectedKeys);
        Assert.True(Tensor.Equal(state["1.running_mean"], ((BatchNorm2d)model.Layers[1]).RunningMean!));

        state["0.bias"] = Tensor.Zeros(3);
        Assert.Contains("size mismatch for 0.bias", Assert.Throws<ArgumentException>(() => model.LoadStateDict(state, strict: false)).Message);
    }

    [Fact]
    public void A_PyTorch_file_loads_strictly_with_its_values_and_metadata()
    {
        var content = Safetensors.Load(StateFixtures.File("model.safetensors"));
        Assert.Equal("pt", content.Metadata["format"]);
        Assert.Equal(PyTorchKeys.Order(StringComparer.Ordinal), content.Tensors.Keys.Order(StringComparer.Ordinal));
        var model = StateFixtures.Model();
        model.Load(StateFixtures.File("model.safetensors"));
        var bn = (BatchNorm2d)model.Layers[1];
        Assert.Equal(3f, bn.NumBatchesTracked!.Item()); // I64 in the file
        Assert.True(Tensor.Equal(content.Tensors["1.running_var"], bn.RunningVar!));
    }

    [Fact]
    public void ConvSharp_writes_the_PyTorch_file_byte_for_byte()
    {
        // The fixture is laid out as the reference writer lays it out, and PyTorch loads it
        // strictly (make_state_fixtures.py --check); ConvSharp's writer must produce the same bytes.
        var model = StateFixtures.Model();
        model.Load(StateFixtures.File("model.safetensors"));
        using var folder = new TempFolder();
        model.Save(folder.File("model.safetensors"), new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal(File.ReadAllBytes(StateFixtures.File("model.safetensors")), File.ReadAllBytes(folder.File("model.safetensors")));
    }

    [Fact]
    public void Round_trip_keeps_names_shapes_values_and_metadata()
    {
        var data = new TestData(5);
        var tensors = new OrderedDictionary<string, Tensor>
        {
            ["b"] = data.Normal(2, 3),
            ["a.scalar"] = Tensor.Scalar(-1.25f),
            ["empty"] = Tensor.Zeros(0, 4),
            ["bn.num_batches_tracked"] = Tensor.Scalar(12345f),
            ["view"] = data.Normal(3, 4).T, // not contiguous
            ["ünïcode name \"quoted\""] = Tensor.From([float.NaN, float.PositiveInfinity, -0f]),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ümlaut \"quoted\"\n" };
        using var folder = new TempFolder();
        var path = folder.File("t.safetensors");
        Safetensors.Save(path, tensors, metadata);
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        Assert.Contains("\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[]", Encoding.UTF8.GetString(bytes, 8, headerLength), StringComparison.Ordinal);

        var content = Safetensors.Load(path);
        Assert.Equal(metadata, content.Metadata);
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), content.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in tensors)
        {
            Assert.Equal(tensor.Shape, content.Tensors[name].Shape);
            Assert.Equal(tensor.ToArray(), content.Tensors[name].ToArray());
        }
    }

    [Theory]
    [InlineData("f16")]
    [InlineData("bf16")]
    [InlineData("f64")]
    [InlineData("i64")]
    public void Reads_PyTorchs_files_of_each_dtype(string dtype)
    {
        var t = Safetensors.Load(StateFixtures.File($"dtype_{dtype}.safetensors")).Tensors["t"];
        var expected = StateFixtures.Get("dtype." + dtype);
        Assert.Equal(expected.Shape, t.Shape);
        Assert.Equal(expected.ToArray(), t.ToArray());
    }

    [Fact]
    public void A_batch_count_that_is_not_a_whole_number_is_refused_and_the_old_file_kept()
    {
        using var folder = new TempFolder();
        var path = folder.File("m.safetensors");
        File.WriteAllText(path, "old");
        var bad = new Dictionary<string, Tensor> { ["num_batches_tracked"] = Tensor.Scalar(1.5f) };
        Assert.Contains("whole numbers", Assert.Throws<ArgumentException>(() => Safetensors.Save(path, bad)).Message);
        Assert.Throws<ArgumentException>(() => Safetensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Zeros(1) }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories));
    }

    public static TheoryData<string, byte[], string> HostileFiles()
    {
        var good = Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", new byte[8]);
        var data = new TheoryData<string, byte[], string>
        {
            { "empty", [], "empty" },
            { "shorter than the length", [1, 0, 0], "too short for the 8-byte header length" },
            { "header beyond the file", Length(1000, "{}"), "only 2 bytes follow it" },
            { "header over 100 MB", Length(200_000_000, "{}"), "more than the 100000000-byte limit" },
            { "header length 2^64 - 1", Length(ulong.MaxValue, "{}"), "more than the 100000000-byte limit" },
            { "truncated data", good[..^3], "reach past the end of the data" },
            { "truncated header", good[..20], "only 12 bytes follow it" },
            { "bad JSON", Header("""{"a":{"dtype":"F32",""", []), "not valid JSON" },
            { "not UTF-8", Header("{\"\u00ff\":1}", [], latin1: true), "not valid UTF-8" },
            { "not an object", Header("[1, 2]", []), "not an object" },
            { "entry not an object", Header("""{"a":3}""", []), "must be an object" },
            { "unknown dtype", Header("""{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}""", new byte[2]), "unsupported dtype \"F8_E4M3\"" },
            { "no dtype", Header("""{"a":{"shape":[2],"data_offsets":[0,8]}}""", new byte[8]), "no dtype" },
            { "negative size", Header("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", new byte[8]), "shape must hold whole numbers" },
            { "fractional size", Header("""{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}""", new byte[8]), "shape must hold whole numbers" },
            {
                "shape product overflow",
                Header("""{"a":{"dtype":"F32","shape":[65536,65536,65536,65536],"data_offsets":[0,0]}}""", []),
                "more elements than a tensor can hold"
            },
            { "offsets not matching the shape", Header("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]), "take 12" },
            { "offsets not matching the dtype", Header("""{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}""", new byte[8]), "take 16" },
            { "offsets backwards", Header("""{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", new byte[8]), "end before they begin" },
            { "three offsets", Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,16]}}""", new byte[8]), "[begin, end]" },
            { "offsets out of range", Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", new byte[8]), "reach past the end of the data" },
            {
                "huge offsets",
                Header("""{"a":{"dtype":"U8","shape":[2],"data_offsets":[9223372036854775806,9223372036854775808]}}""", new byte[8]),
                "data_offsets must hold whole numbers"
            },
            {
                "overlapping offsets",
                Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]),
                "overlap those of \"a\""
            },
            {
                "a gap",
                Header("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", new byte[12]),
                "gap of 4 bytes"
            },
            {
                "duplicate names",
                Header("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]),
                "names the tensor \"a\" twice"
            },
            { "trailing garbage", [.. good, 1, 2, 3], "3 bytes follow the last tensor's data" },
            { "metadata not strings", Header("""{"__metadata__":{"k":1}}""", []), "must be a string" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public void Hostile_files_get_a_clear_error_naming_the_file_and_the_problem(string what, byte[] bytes, string problem)
    {
        using var folder = new TempFolder();
        var path = folder.File("hostile.safetensors");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => Safetensors.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains(problem, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public void The_header_may_be_padded_and_empty_tensors_and_files_without_tensors_are_fine()
    {
        using var folder = new TempFolder();
        var path = folder.File("padded.safetensors");
        File.WriteAllBytes(path, Header("""{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}}      """, []));
        Assert.Equal([0, 3], Safetensors.Load(path).Tensors["e"].Shape);
        File.WriteAllBytes(path, Header("{}", []));
        Assert.Empty(Safetensors.Load(path).Tensors);
    }

    private static byte[] Header(string json, byte[] data, bool latin1 = false)
    {
        var header = (latin1 ? Encoding.Latin1 : Encoding.UTF8).GetBytes(json);
        return [.. Length((ulong)header.Length, ""), .. header, .. data];
    }

    private static byte[] Length(ulong length, string rest)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        return [.. bytes, .. Encoding.UTF8.GetBytes(rest)];
    }
}
