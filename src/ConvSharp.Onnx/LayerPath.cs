namespace ConvSharp.Onnx;

/// <summary>Where a layer sits in the model, as its dotted state-dict prefix ("" for the model itself, "1.0" inside a nested Sequential).</summary>
internal static class LayerPath
{
    public static string Child(string path, string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>"Conv2d at '3'", or "Conv2d (the model itself)": what an error message names.</summary>
    public static string Describe(Nn.Module module, string path) =>
        path.Length == 0 ? $"{module.GetType().Name} (the model itself)" : $"{module.GetType().Name} at '{path}'";
}
