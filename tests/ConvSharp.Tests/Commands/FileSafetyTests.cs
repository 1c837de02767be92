using System.Diagnostics;
using System.Security.Cryptography;
using ConvSharp.Imaging;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Commands;

/// <summary>
/// The command line's cases of issue 8, one test each: no input is ever replaced, outputs of one
/// run never collide, links are not followed round a loop, killed runs leave nothing behind for
/// long, and every refusal is one line with the right exit code.
/// </summary>
public class FileSafetyTests
{
    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static void Photo(string path) => ImageFile.Save(ImageFile.Load(Photos.Data("camera.png"))[.., ..24, ..32], path);

    [Fact]
    public void Case1_an_output_that_is_the_input_is_refused_before_any_work()
    {
        using var folder = new TempFolder();
        var photo = folder.File("photo.png");
        Photo(photo);
        var before = Hash(photo);
        File.WriteAllText(folder.File("kernel.json"), "[[1, -1]]");
        Directory.CreateSymbolicLink(folder.File("here"), folder.Path);

        foreach (var args in new[]
        {
            new[] { "apply", photo, "-k", "sobel-x", "-o", folder.Path },
            ["apply", photo, "-k", "sobel-x", "-o", photo],
            ["apply", photo, "-k", "sobel-x", "-o", folder.Path + "/"],
            ["apply", photo, "-k", "sobel-x", "-o", folder.File("here", "photo.png")],
            ["apply", photo, "-k", "sobel-x", "-o", folder.File("here") + "/../" + Path.GetFileName(folder.Path) + "/photo.png"],
        })
        {
            var line = CliRunner.RunExpectingOneLineError(2, args);
            Assert.Contains("would replace the input", line, StringComparison.Ordinal);
        }

        // The kernel file named by --npy's output: kernel.json is not .npy, but kernel.npy is.
        File.Copy(Photos.Fixture("learn", "random3.npy"), folder.File("k.npy"));
        Assert.Contains("would replace the input", CliRunner.RunExpectingOneLineError(2, "apply", photo, "-k", folder.File("k.npy"), "-o", folder.File("k.png"), "--npy"), StringComparison.Ordinal);

        // learn's outputs are named for it: a target called kernel.npy in its -o folder is refused.
        File.Copy(Photos.Fixture("learn", "random3.npy"), folder.File("kernel.npy"));
        Assert.Contains("would replace the input", CliRunner.RunExpectingOneLineError(2, "learn", photo, folder.File("kernel.npy"), "--size", "3", "-o", folder.Path), StringComparison.Ordinal);

        Assert.Equal(before, Hash(photo));
        Assert.False(File.Exists(folder.File("kernel.png")));
    }

    [Fact]
    public void Case1_an_output_that_is_a_link_to_the_input_or_the_same_file_is_refused()
    {
        using var folder = new TempFolder();
        var photo = folder.File("photo.png");
        Photo(photo);
        var before = Hash(photo);
        File.CreateSymbolicLink(folder.File("link.png"), photo);
        Assert.Contains("would replace the input", CliRunner.RunExpectingOneLineError(2, "apply", photo, "-k", "sobel-x", "-o", folder.File("link.png")), StringComparison.Ordinal);
        Assert.Contains("would replace the input", CliRunner.RunExpectingOneLineError(2, "apply", folder.File("link.png"), "-k", "sobel-x", "-o", folder.File("link.png")), StringComparison.Ordinal);

        // The same file by another name: a hard link (a second mount of the folder is the same case).
        if (OperatingSystem.IsLinux())
        {
            using (var ln = Process.Start("ln", [photo, folder.File("hard.png")]))
            {
                ln.WaitForExit();
            }

            Assert.Contains("would replace the input", CliRunner.RunExpectingOneLineError(2, "apply", photo, "-k", "sobel-x", "-o", folder.File("hard.png")), StringComparison.Ordinal);
        }

        Assert.Equal(before, Hash(photo));
        Assert.NotNull(new FileInfo(folder.File("link.png")).LinkTarget);
    }

    [Fact]
    public void Case1_a_folder_run_whose_output_would_land_on_an_input_is_refused()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("in", "sub", "sub"));
        Photo(folder.File("in", "sub", "a.png"));
        Photo(folder.File("in", "sub", "sub", "a.png"));
        var before = Hash(folder.File("in", "sub", "a.png"));
        var line = CliRunner.RunExpectingOneLineError(2, "apply", folder.File("in", "sub"), "-k", "edge", "-o", folder.File("in"));
        Assert.Contains("would replace the input", line, StringComparison.Ordinal);
        Assert.Equal(before, Hash(folder.File("in", "sub", "a.png")));
    }

    [Fact]
    public void Case2_inputs_sharing_a_name_get_distinct_outputs()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        foreach (var extension in new[] { "png", "jpg" })
        {
            Photo(input.File($"pic.{extension}"));
        }

        File.Copy(Photos.Fixture("images", "rgb.bmp"), input.File("pic.bmp"));
        File.Copy(Photos.Fixture("images", "palette.gif"), input.File("pic.gif"));
        var (code, _, error) = CliRunner.Run("apply", input.Path, "-k", "edge", "-o", output.Path, "--npy");
        Assert.True(code == 0, error);
        Assert.Contains("filtered 4 of 4 images", error, StringComparison.Ordinal);
        string[] expected = ["pic.bmp.npy", "pic.bmp.png", "pic.gif.npy", "pic.gif.png", "pic.jpg.jpg", "pic.jpg.npy", "pic.png.npy", "pic.png.png"];
        Assert.Equal(expected, Directory.EnumerateFiles(output.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using var pngs = new TempFolder();
        Assert.Equal(0, CliRunner.Run("apply", input.Path, "-k", "edge", "-o", pngs.Path, "--format", "png").Code);
        Assert.Equal(["pic.bmp.png", "pic.gif.png", "pic.jpg.png", "pic.png.png"], Directory.EnumerateFiles(pngs.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Case3_a_folder_reached_twice_through_links_is_read_once()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        Photo(input.File("a.png"));
        Directory.CreateSymbolicLink(input.File("self"), input.Path);
        Directory.CreateDirectory(input.File("sub"));
        Photo(input.File("sub", "b.png"));
        Directory.CreateSymbolicLink(input.File("again"), input.File("sub"));
        var (code, _, error) = CliRunner.Run("apply", input.Path, "-k", "edge", "-o", output.Path);
        Assert.True(code == 0, error);
        Assert.Contains("filtered 2 of 2 images", error, StringComparison.Ordinal);
        Assert.Contains("2 linked folder(s) already read passed over", error, StringComparison.Ordinal);
        Assert.Equal(2, Directory.EnumerateFiles(output.Path, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void Case4_leftovers_of_killed_runs_are_removed_and_nothing_else()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        Photo(input.File("a.png"));
        Directory.CreateDirectory(output.File("sub"));
        string[] stale = [output.File($".a.png.convsharp-{Guid.NewGuid():N}.tmp"), output.File("sub", $".b.npy.convsharp-{Guid.NewGuid():N}.tmp")];
        string[] kept = [output.File(".notes.tmp"), output.File($".a.png.{Guid.NewGuid():N}.tmp"), output.File("keep.convsharp-x.tmp")];
        var live = output.File($".c.png.convsharp-{Guid.NewGuid():N}.tmp");
        foreach (var path in stale.Concat(kept))
        {
            File.WriteAllText(path, "x");
        }

        // A run still writing holds its temporary file open (and so locked): it must survive.
        using (var writing = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.Delete))
        {
            var (code, _, error) = CliRunner.Run("apply", input.Path, "-k", "edge", "-o", output.Path, "--npy");
            Assert.True(code == 0, error);
            Assert.Contains("2 temporary file(s) of an interrupted run removed", error, StringComparison.Ordinal);
        }

        Assert.All(stale, path => Assert.False(File.Exists(path), path));
        Assert.All(kept.Append(live), path => Assert.True(File.Exists(path), path));
    }

    [Fact]
    public void Case4_a_killed_run_leaves_no_temporary_file_once_the_next_run_is_done()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        var big = Tensor.Rand(1, 1500, 1500);
        for (var i = 0; i < 8; i++)
        {
            ImageFile.Save(big, input.File($"big{i}.png"));
        }

        // Killed mid-run, again and again, until a kill has left a temporary file behind.
        var leftovers = 0;
        for (var attempt = 0; attempt < 6 && leftovers == 0; attempt++)
        {
            using var process = Cli.Start("apply", input.Path, "-k", "gaussian:3", "-o", output.Path, "--npy", "--threads", "2");
            Thread.Sleep(1200 + (300 * attempt));
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            leftovers = Directory.EnumerateFiles(output.Path, "*.tmp", SearchOption.AllDirectories).Count();
        }

        var (code, _, error) = CliRunner.Run("apply", input.Path, "-k", "gaussian:3", "-o", output.Path, "--npy", "--skip-existing");
        Assert.True(code == 0, error);
        Assert.Empty(Directory.EnumerateFiles(output.Path, "*.tmp", SearchOption.AllDirectories));
        if (leftovers > 0)
        {
            Assert.Contains("temporary file(s) of an interrupted run removed", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Case4_cleanup_stays_in_the_output_folder_and_never_takes_an_input()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("out"));
        Directory.CreateDirectory(folder.File("elsewhere"));
        var outside = folder.File("elsewhere", $".z.png.convsharp-{Guid.NewGuid():N}.tmp");
        File.WriteAllText(outside, "not this run's");
        Directory.CreateSymbolicLink(folder.File("out", "link"), folder.File("elsewhere"));
        Directory.CreateSymbolicLink(folder.File("out", "loop"), folder.File("out"));
        Directory.CreateDirectory(folder.File("in"));
        Photo(folder.File("in", "a.png"));

        // A kernel file named like a temporary file, in the folder being cleaned: it is an input.
        var kernel = folder.File("out", $".k.json.convsharp-{Guid.NewGuid():N}.tmp");
        File.WriteAllText(kernel, "[[1, -1]]");
        var (code, _, error) = CliRunner.Run("apply", folder.File("in"), "-k", kernel, "-o", folder.File("out"));
        Assert.True(code == 0, error);
        Assert.True(File.Exists(outside), "a file behind a link to another folder was removed");
        Assert.True(File.Exists(kernel), "the run's own kernel file was removed");
    }

    [Fact]
    public void Case6_pipes_and_devices_are_refused_without_being_opened()
    {
        using var folder = new TempFolder();
        var photo = folder.File("photo.png");
        Photo(photo);
        Assert.Contains("not a regular file", CliRunner.RunExpectingOneLineError(1, "apply", photo, "-k", "/dev/zero"), StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            using (var mkfifo = Process.Start("mkfifo", [folder.File("pipe.png"), folder.File("pipe.npy")]))
            {
                mkfifo.WaitForExit();
            }

            Assert.Contains("not a regular file", CliRunner.RunExpectingOneLineError(1, "apply", folder.File("pipe.png"), "-k", "edge"), StringComparison.Ordinal);
            Assert.Contains("not a regular file", CliRunner.RunExpectingOneLineError(1, "apply", photo, "-k", folder.File("pipe.npy")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Case6_links_to_pipes_and_pipes_named_like_leftovers_do_not_stop_a_run()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // pipes made by mkfifo: the Linux CI's case
        }

        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("in"));
        Directory.CreateDirectory(folder.File("out"));
        Photo(folder.File("in", "a.png"));
        using (var mkfifo = Process.Start("mkfifo", [folder.File("pipe"), folder.File("out", $".x.png.convsharp-{Guid.NewGuid():N}.tmp")]))
        {
            mkfifo.WaitForExit();
        }

        File.CreateSymbolicLink(folder.File("in", "b.png"), folder.File("pipe"));
        File.CreateSymbolicLink(folder.File("k.npy"), folder.File("pipe"));

        // In a child process with a deadline: a regression here is a hang, not a failure.
        var (code, error) = Cli.RunWithin(30, "apply", folder.File("in"), "-k", "edge", "-o", folder.File("out"));
        Assert.Equal(1, code);
        Assert.Contains("b.png: not a regular file", error, StringComparison.Ordinal);
        Assert.True(File.Exists(folder.File("out", "a.png")));
        (code, error) = Cli.RunWithin(30, "apply", folder.File("in", "a.png"), "-k", folder.File("k.npy"), "-o", folder.File("o.png"));
        Assert.Equal(1, code);
        Assert.Contains("not a regular file", error, StringComparison.Ordinal);
        Assert.Contains("not a regular file", Assert.Throws<InvalidDataException>(() => Tensor.LoadNpy(folder.File("k.npy"))).Message, StringComparison.Ordinal);
        Assert.Contains("a device or a pipe", Assert.Throws<IOException>(() => Tensor.Ones(2).SaveNpy(folder.File("pipe"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Case4_an_interrupted_run_removes_what_it_was_writing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // SIGINT sent with kill(1)
        }

        using var input = new TempFolder();
        using var output = new TempFolder();
        for (var i = 0; i < 6; i++)
        {
            ImageFile.Save(Tensor.Rand(1, 1500, 1500), input.File($"big{i}.png"));
        }

        using var process = Cli.Start("apply", input.Path, "-k", "gaussian:3", "-o", output.Path, "--npy", "--threads", "2");
        Thread.Sleep(1500);
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.True(process.WaitForExit(30_000), "the run did not end on SIGINT");
        Assert.Empty(Directory.EnumerateFiles(output.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Case13_a_bad_output_folder_is_refused_before_any_work()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("afile"), "a file");
        var photo = folder.File("photo.png");
        Photo(photo);
        Assert.Contains("afile is a file, not a folder", CliRunner.RunExpectingOneLineError(2, "tour", "-o", folder.File("afile")), StringComparison.Ordinal);
        Assert.Contains("afile is a file, not a folder", CliRunner.RunExpectingOneLineError(2, "learn", "-o", folder.File("afile")), StringComparison.Ordinal);
        Assert.Contains("afile is a file, not a folder", CliRunner.RunExpectingOneLineError(2, "kernels", "sobel-x", "-o", folder.File("afile", "k.png")), StringComparison.Ordinal);
        Assert.Contains("between 1 and 256", CliRunner.RunExpectingOneLineError(2, "apply", photo, "-k", "edge", "--threads", "0"), StringComparison.Ordinal);
        Assert.Contains("give one or the other", CliRunner.RunExpectingOneLineError(2, "apply", photo, "-k", "edge", "--format", "jpg", "-o", folder.File("o.png")), StringComparison.Ordinal);
        Assert.Contains("between 1 and 24", CliRunner.RunExpectingOneLineError(2, "kernels", "derivative:100"), StringComparison.Ordinal);
        Assert.Contains("from 0.01 to 100", CliRunner.RunExpectingOneLineError(2, "apply", photo, "-k", "gaussian:1e-300"), StringComparison.Ordinal);
        Assert.Contains("Must be one of", CliRunner.RunExpectingOneLineError(2, "apply", photo, "-k", "edge", "--mode", "mirror"), StringComparison.Ordinal);
        Assert.Contains(
            "--mode reflect mirrors the image without repeating its edge, so the padding can be at most 23 rows",
            CliRunner.RunExpectingOneLineError(1, "apply", photo, "-k", "edge", "--mode", "reflect", "--padding", "24"),
            StringComparison.Ordinal);
        Assert.Equal(["afile", "photo.png"], Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Case13_a_long_name_that_the_file_system_takes_can_be_written()
    {
        using var folder = new TempFolder();
        var photo = folder.File("photo.png");
        Photo(photo);
        var name = folder.File(new string('中', 80) + ".png"); // 244 bytes of UTF-8
        var (code, _, error) = CliRunner.Run("apply", photo, "-k", "edge", "-o", name);
        Assert.True(code == 0, error);
        Assert.True(File.Exists(name));
    }

    [Fact]
    public void Case11_running_out_of_memory_is_one_line()
    {
        using var folder = new TempFolder();
        ImageFile.Save(Tensor.Rand(1, 2000, 2000), folder.File("big.png"));
        using var process = Cli.Start(
            new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x1000000" },
            "apply", folder.File("big.png"), "-k", "gaussian:2", "-o", folder.File("out.png"));
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(1, process.ExitCode);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("convsharp apply: error: out of memory", error, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("out.png")));
    }

    [Fact]
    public void Case12_absurd_sizes_are_refused_before_anything_is_allocated()
    {
        using var folder = new TempFolder();
        var small = folder.File("small.png");
        ImageFile.Save(Tensor.Rand(1, 20, 20), small);
        Assert.Contains("between 1 and 1001", CliRunner.RunExpectingOneLineError(2, "kernels", "box:46000"), StringComparison.Ordinal);
        Assert.Contains("between 1 and 1001", CliRunner.RunExpectingOneLineError(2, "apply", small, "-k", "box:30000"), StringComparison.Ordinal);
        Assert.Contains("more than the 268435456 pixels apply draws", CliRunner.RunExpectingOneLineError(1, "apply", small, "-k", "edge", "--padding", "20000", "--mode", "zeros"), StringComparison.Ordinal);
        Assert.Contains("more than the 268435456 pixels apply draws", CliRunner.RunExpectingOneLineError(1, "apply", small, "-k", "edge", "--padding", "2147483647", "--mode", "zeros", "--npy", "-o", folder.File("o.png")), StringComparison.Ordinal);
        Assert.Contains("at most 101 taps a side", CliRunner.RunExpectingOneLineError(2, "learn", small, small, "--size", "5000"), StringComparison.Ordinal);
        Assert.Contains("--threads must be between 1 and 256", CliRunner.RunExpectingOneLineError(2, "apply", folder.Path, "-k", "edge", "-o", folder.File("out"), "--threads", "100000"), StringComparison.Ordinal);
        Assert.Equal(["small.png"], Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Case13_errors_are_one_line_with_getopts_exit_codes()
    {
        using var folder = new TempFolder();
        var photo = folder.File("photo.png");
        Photo(photo);

        // A parse error: nothing on stdout, one line pointing to the help, exit 2.
        var (code, text, error) = CliRunner.Run("apply", photo, "-k", "sobel-x", "--bogus");
        Assert.Equal(2, code);
        Assert.Equal("", text);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("convsharp apply: error: Unrecognized command or argument '--bogus'.", error, StringComparison.Ordinal);
        Assert.Contains("See 'convsharp apply --help'.", error, StringComparison.Ordinal);
        Assert.Equal(2, CliRunner.Run().Code);

        // An output whose folder is a file; a .npy kernel that is not one names its file.
        File.WriteAllText(folder.File("notes.txt"), "a file, not a folder");
        Assert.Contains("notes.txt is a file, not a folder", CliRunner.RunExpectingOneLineError(2, "apply", photo, "-k", "edge", "-o", folder.File("notes.txt", "x.png")), StringComparison.Ordinal);
        File.WriteAllText(folder.File("bad.npy"), "not numpy");
        Assert.Contains(folder.File("bad.npy") + ": not a .npy file", CliRunner.RunExpectingOneLineError(1, "apply", photo, "-k", folder.File("bad.npy")), StringComparison.Ordinal);
        File.WriteAllBytes(folder.File("forged.npy"), [0x93, .. "NUMPY"u8, 1, 0, 70, 0, .. "{'descr': '<f4', 'fortran_order': False, 'shape': (500000000,), }      \n"u8]);
        Assert.Contains("the header promises 500000000 elements", CliRunner.RunExpectingOneLineError(1, "apply", photo, "-k", folder.File("forged.npy")), StringComparison.Ordinal);
    }

    /// <summary>The real <c>convsharp</c> as a child process: what a kill, a memory limit or an exit code can only be seen from outside.</summary>
    private static class Cli
    {
        /// <summary>Runs to the end, or fails the test (and kills the process) after <paramref name="seconds"/>.</summary>
        public static (int Code, string Error) RunWithin(int seconds, params string[] args)
        {
            using var process = Start(args);
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(seconds * 1000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"convsharp {string.Join(" ", args)} did not finish within {seconds} s");
            }

            return (process.ExitCode, error.Result);
        }

        public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

        public static Process Start(Dictionary<string, string> environment, params string[] args)
        {
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            var info = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ConvSharp.Cli.dll"));
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }

            return Process.Start(info) ?? throw new InvalidOperationException("could not start convsharp");
        }
    }
}
