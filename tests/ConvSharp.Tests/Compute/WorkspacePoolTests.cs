using ConvSharp.Compute.Parallel;

namespace ConvSharp.Tests.Compute;

/// <summary>
/// The workspace pool: every request up to the bound is served, counted as its size class (an
/// exact power of two takes that class, not the next), seen as the floats asked for, and the pool
/// lets go of what it holds past its cap or what has gone unused. These read and empty the
/// process-wide pool, so they run alone.
/// </summary>
[Collection(GlobalGeneratorTests.Name)]
public class WorkspacePoolTests
{
    [Fact]
    public void The_bound_itself_can_be_rented()
    {
        // Once an IndexOutOfRangeException: MaxFloats plus the Debug guard rounded up past the last size class.
        Workspace.ResetPeak();
        var before = Workspace.PeakFloats;
        using (var buffer = Workspace.Rent(Workspace.MaxFloats))
        {
            Assert.Equal(Workspace.MaxFloats, buffer.Span.Length);
            Assert.Equal(Workspace.MaxFloats, buffer.Capacity);
            buffer.Span[^1] = 1f;
        }

        Assert.Equal(Workspace.MaxFloats, Workspace.PeakFloats - before);
    }

    [Theory]
    [InlineData(1 << 10)]
    [InlineData(1 << 16)]
    [InlineData(Workspace.WeightBudgetFloats)]
    public void A_request_of_exactly_a_power_of_two_takes_that_size_class(int floats)
    {
        // A 16 MB request once took a 32 MB array: the Debug guard floats were counted into the class.
        Assert.Equal(floats, Workspace.Footprint(floats));
        Assert.Equal(2L * floats, Workspace.Footprint(floats + 1L));
        Workspace.ResetPeak();
        var before = Workspace.PeakFloats;
        using (var buffer = Workspace.Rent(floats))
        {
            Assert.Equal(floats, buffer.Capacity);
        }

        Assert.Equal(floats, Workspace.PeakFloats - before);
    }

    [Fact]
    public void A_buffer_shows_the_floats_asked_for_not_the_pooled_array()
    {
        using var buffer = Workspace.Rent(1000);
        Assert.Equal(1000, buffer.Span.Length);
        Assert.Equal(1024, buffer.Capacity);
        using var empty = Workspace.Rent(0);
        Assert.Equal(0, empty.Span.Length);
        Assert.Equal(0, empty.Capacity);
        Assert.Equal(0, Workspace.Footprint(0));
    }

    [Fact]
    public void The_pool_keeps_no_more_than_its_cap()
    {
        Workspace.Trim(long.MaxValue, all: true);
        var buffers = Enumerable.Range(0, 3).Select(_ => Workspace.Rent(Workspace.MaxFloats)).ToList();
        foreach (var buffer in buffers)
        {
            buffer.Dispose();
        }

        Assert.Equal(Workspace.PoolCapFloats, Workspace.PooledFloats);
        Workspace.Trim(long.MaxValue, all: true);
        Assert.Equal(0, Workspace.PooledFloats);
    }

    [Fact]
    public void Trimming_releases_the_size_classes_that_went_unused()
    {
        Workspace.Trim(long.MaxValue, all: true);
        Workspace.Rent(1 << 20).Dispose();
        var rented = Environment.TickCount64;
        Assert.True(Workspace.PooledFloats >= 1 << 20);

        // Rented since the idle mark: kept. Idle since before the mark: released.
        Workspace.Trim(rented - Workspace.IdleMilliseconds);
        Assert.True(Workspace.PooledFloats >= 1 << 20);
        Workspace.Trim(rented + 1);
        Assert.Equal(0, Workspace.PooledFloats);
    }

    [Fact]
    public void The_collector_calls_back_until_told_to_stop()
    {
        // The pool trims from this callback after gen-2 collections, as ArrayPool.Shared does.
        var calls = 0;
        Gen2GcCallback.Register(() => Interlocked.Increment(ref calls) < 2);
        for (var i = 0; i < 10 && Volatile.Read(ref calls) < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.Equal(2, Volatile.Read(ref calls));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(2, Volatile.Read(ref calls));
    }
}
