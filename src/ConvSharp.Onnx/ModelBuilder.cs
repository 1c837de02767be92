using ConvSharp.Nn;
using Onnx;

namespace ConvSharp.Onnx;

/// <summary>Assembles the ONNX model: opset, graph input and output with a dynamic batch, and the layers between.</summary>
internal static class ModelBuilder
{
    /// <summary>
    /// Opset 19 (ONNX 1.14): the first with Pad's wrap mode, which circular borders need; ONNX
    /// Runtime runs it, and IR version 9 is the one that goes with it.
    /// </summary>
    public const int Opset = 19;

    private const long IrVersion = 9;

    public static ModelProto Build(Module model, int channels, int height, int width, OnnxExportOptions options)
    {
        if (options.InputName == options.OutputName || string.IsNullOrEmpty(options.InputName) || string.IsNullOrEmpty(options.OutputName))
        {
            throw new ArgumentException($"input and output need two different, non-empty names, but got '{options.InputName}' and '{options.OutputName}'", nameof(options));
        }

        // Initializers take the state-dict keys (0.weight, 1.running_mean); a tensor shared by two layers is stored once.
        var stateNames = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, parameter) in model.NamedParameters())
        {
            stateNames.TryAdd(parameter, name);
        }

        foreach (var (name, buffer) in model.NamedBuffers())
        {
            stateNames.TryAdd(buffer, name);
        }

        var graph = new GraphProto { Name = options.GraphName };
        var builder = new GraphBuilder(graph, stateNames);
        var input = new Activation(options.InputName, [channels, height, width]);
        builder.Reserve(input.Name);
        builder.Reserve(options.OutputName);
        graph.Input.Add(ValueInfo(input.Name, input.Dims));
        var output = LayerExport.Export(builder, model, string.Empty, input);
        Rename(graph, output.Name, options.OutputName);
        graph.Output.Add(ValueInfo(options.OutputName, output.Dims));

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "ConvSharp",
            ProducerVersion = typeof(ModelBuilder).Assembly.GetName().Version?.ToString(3) ?? string.Empty,
            DocString = options.Description ?? string.Empty,
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        return proto;
    }

    /// <summary>Makes the last node write the graph output; a model of identities alone (Dropout) gets an Identity node.</summary>
    private static void Rename(GraphProto graph, string last, string output)
    {
        var node = graph.Node.LastOrDefault(n => n.Output.Contains(last));
        if (node is null)
        {
            var identity = new NodeProto { OpType = "Identity", Name = "/Identity" };
            identity.Input.Add(last);
            identity.Output.Add(output);
            graph.Node.Add(identity);
            return;
        }

        node.Output[node.Output.IndexOf(last)] = output;
    }

    /// <summary>A float32 tensor of shape (N, dims…), N a named dynamic dimension.</summary>
    private static ValueInfoProto ValueInfo(string name, int[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
