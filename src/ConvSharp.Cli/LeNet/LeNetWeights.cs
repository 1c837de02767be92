using ConvSharp.Interop;
using ConvSharp.Nn;

namespace ConvSharp.Cli.LeNet;

/// <summary>A saved LeNet loaded into the network of the variant asked for, as <c>lenet eval</c> loads it.</summary>
internal static class LeNetWeights
{
    /// <summary>The network of <paramref name="variant"/> with the weights in <paramref name="path"/>.</summary>
    /// <exception cref="CommandLine.UsageException">the file's metadata names the other variant</exception>
    /// <exception cref="InvalidDataException">the file is not a state dict of this LeNet</exception>
    public static Sequential Load(string path, LeNetVariant variant)
    {
        var name = variant.ToString().ToLowerInvariant();
        var network = LeNetModel.Create(variant);
        var saved = Safetensors.Load(path);
        if (saved.Metadata.GetValueOrDefault("model") == "LeNet" && saved.Metadata.TryGetValue("variant", out var savedVariant) && savedVariant != name)
        {
            // Both variants have the same shapes, so the weights would load and compute the wrong network.
            throw new CommandLine.UsageException($"--variant {name}, but {path} holds a LeNet ({savedVariant}) by its metadata; pass --variant {savedVariant}");
        }

        try
        {
            network.LoadStateDict(saved.Tensors, strict: true);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path} is not a LeNet ({name}) state dict: {e.Message}", e);
        }

        return network;
    }
}
