using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;
using ConvSharp.Imaging.Pictures;

namespace ConvSharp.Cli.Tour;

/// <summary>
/// The tensors the tour's cells compute that are worth looking at, gathered as the cells run
/// and drawn afterwards by <see cref="Write"/> (<c>convsharp tour -o DIR</c>).
/// </summary>
internal sealed class TourFigures
{
    private readonly List<Grid> _grids = [];
    private readonly List<(string File, string Title, Tensor Kernel)> _kernels = [];

    /// <summary>Adds a tile to the grid picture <paramref name="file"/>, mapped for display.</summary>
    public void Tile(string file, string title, string label, Tensor value, DisplayMap map, double saturate = 0)
    {
        var grid = _grids.Find(g => g.File == file);
        if (grid is null)
        {
            grid = new Grid(file, title, []);
            _grids.Add(grid);
        }

        using var noGrad = Tensor.NoGrad();
        grid.Tiles.Add(new GridTile(label, Display.Map(value.Detach().Contiguous(), map, saturate)));
    }

    /// <summary>A kernel, drawn with its values.</summary>
    public void Kernel(string file, string title, Tensor kernel) => _kernels.Add((file, title, kernel.Detach().Contiguous()));

    /// <summary>Writes every picture into <paramref name="folder"/>; returns their paths.</summary>
    public IReadOnlyList<string> Write(string folder)
    {
        OutputFolder.Prepare(folder, "--output", recursive: false);
        var written = new List<string>();
        foreach (var (file, title, tiles) in _grids)
        {
            var path = Path.Combine(folder, file);
            ImageFile.Save(ImageGrid.Render(tiles, columns: tiles.Count <= 4 ? tiles.Count : 0, cellSize: 240, title: title), path);
            written.Add(path);
        }

        foreach (var (file, title, kernel) in _kernels)
        {
            var path = Path.Combine(folder, file);
            ImageFile.Save(KernelPicture.Render(kernel, title), path);
            written.Add(path);
        }

        return written;
    }

    private sealed record Grid(string File, string Title, List<GridTile> Tiles);
}
