using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace ConvSharp.Onnx;

/// <summary>
/// Collects the nodes and initializers of one ONNX graph. Parameters become initializers named
/// by their state-dict keys; every intermediate value gets a fresh name from the layer path
/// that made it, so two layers never collide.
/// </summary>
internal sealed class GraphBuilder(GraphProto graph, IReadOnlyDictionary<Tensor, string> stateNames)
{
    private readonly Dictionary<Tensor, string> _added = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public GraphProto Graph { get; } = graph;

    /// <summary>Keeps <paramref name="name"/> (the graph's input or output) from being given to anything else.</summary>
    public void Reserve(string name) => _names.Add(name);

    /// <summary>The initializer holding <paramref name="tensor"/>, added once however many layers use it.</summary>
    public string Weight(Tensor tensor, string fallbackName)
    {
        if (_added.TryGetValue(tensor, out var name))
        {
            return name;
        }

        name = Fresh(stateNames.TryGetValue(tensor, out var key) ? key : fallbackName);
        _added.Add(tensor, name);
        Graph.Initializer.Add(FloatTensor(name, tensor.Shape, tensor.ToArray()));
        return name;
    }

    /// <summary>A float initializer that no state-dict entry holds (the ones and zeros of a BatchNorm2d without affine parameters).</summary>
    public string Constant(string name, int[] dims, float[] values)
    {
        name = Fresh(name);
        Graph.Initializer.Add(FloatTensor(name, dims, values));
        return name;
    }

    /// <summary>A 1-D int64 initializer: the pads, shapes and indices some operators take as inputs.</summary>
    public string Int64s(string name, params long[] values)
    {
        name = Fresh(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.Add(values);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds one node reading <paramref name="inputs"/> and returns the name of its single output.</summary>
    public string Node(string opType, string path, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var label = (path.Length == 0 ? string.Empty : path + "/") + opType;
        var node = new NodeProto { OpType = opType, Name = Fresh("/" + label) };
        node.Input.AddRange(inputs);
        node.Output.Add(Fresh(label + "_output"));
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return node.Output[0];
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A name not used yet in this graph: <paramref name="wanted"/> itself, or with _1, _2 … appended.</summary>
    private string Fresh(string wanted)
    {
        var name = wanted;
        for (var i = 1; !_names.Add(name); i++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{wanted}_{i}");
        }

        return name;
    }

    private static TensorProto FloatTensor(string name, int[] dims, float[] values)
    {
        // raw_data is little-endian by the ONNX spec, whatever this machine's order.
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.Add(dims.Select(d => (long)d));
        return tensor;
    }
}
