using Kiln.Proofs.Interop;
using Kiln.Proofs.Sdr.Pool;

namespace Kiln.Proofs.Tests.Sdr.Pool;

/// <summary>Admission, wake-up order, block tables and misuse of the label pool (unit: no I/O).</summary>
public sealed class LabelPoolTests
{
    private const ulong Sector = 2048;
    private const ulong Block = 128;
    private const int PerLayer = 16;

    private static LabelPool Pool(int jobs, int totalBlocks) => new(LabelPoolLayout.Create(Sector, jobs, Block, (ulong)totalBlocks * Block));

    private static unsafe nint Address(LabelBlock block) => (nint)block.Pointer;

    private static unsafe nint Table(LabelPoolJob job, int layer) => (nint)job.BlockTable(layer);

    private static unsafe nint Entry(LabelPoolJob job, int layer, int index) => (nint)job.BlockTable(layer)[index];

    /// <summary>Starts <paramref name="count"/> jobs and takes each through layer 1, in launch order, so that they stand in launch order again.</summary>
    private static async Task<LabelPoolJob[]> ThroughLayerOneAsync(LabelPool pool, int count)
    {
        var jobs = new LabelPoolJob[count];
        for (var i = 0; i < count; i++)
        {
            jobs[i] = await pool.BeginJobAsync(CancellationToken.None);
            await FillLayerAsync(jobs[i], 1);
        }

        foreach (var job in jobs)
        {
            job.CompleteLayer(1);
        }

        return jobs;
    }

    private static async Task FillLayerAsync(LabelPoolJob job, int layer, int from = 0, int to = PerLayer)
    {
        for (var i = from; i < to; i++)
        {
            var block = await job.AcquireAsync(layer, i, CancellationToken.None);
            Assert.Equal(i, block.Index);
        }
    }

    [Fact]
    public async Task Blocks_carry_their_node_range_and_fill_the_tables()
    {
        using var pool = Pool(2, 3 * PerLayer);
        await using var job = await pool.BeginJobAsync(CancellationToken.None);
        var first = await job.AcquireAsync(1, 0, CancellationToken.None);
        var fifth = await job.AcquireAsync(1, 5, CancellationToken.None);
        Assert.Equal(2, job.NodeShift);
        Assert.Equal(20UL, fifth.FirstNode);
        Assert.Equal(Block, fifth.Length);
        Assert.Equal(128, fifth.Span.Length);
        Assert.NotEqual(Address(first), Address(fifth));
        var table = Table(job, 1);
        Assert.Equal(Address(first), Entry(job, 1, 0));
        Assert.Equal(Address(fifth), Entry(job, 1, 5));
        Assert.Equal(0, Entry(job, 1, 1));

        // Asking again for a block the job holds returns the same block.
        Assert.Equal(Address(fifth), Address(await job.AcquireAsync(1, 5, CancellationToken.None)));
        Assert.Equal(2, pool.BlocksInUse);

        await FillLayerAsync(job, 1);
        job.CompleteLayer(1);
        Assert.Equal(2, job.Layer);
        Assert.Equal(1, job.PreviousLayer);
        Assert.Equal(table, Table(job, 1));
        Assert.Equal(Address(fifth), Address(await job.AcquireAsync(1, 5, CancellationToken.None)));
        await FillLayerAsync(job, 2);
        job.CompleteLayer(2);
        Assert.Equal(0, Entry(job, 3, 0));
        Assert.Equal(PerLayer, job.BlocksHeld);
        Assert.Equal(2 * PerLayer, pool.HighWaterBlocks);
    }

    [Fact]
    public async Task Layer_and_block_misuse_is_refused()
    {
        using var pool = Pool(1, 2 * PerLayer);
        var job = await pool.BeginJobAsync(CancellationToken.None);
        await job.AcquireAsync(3, 0, CancellationToken.None);
        Assert.Equal(3, job.Layer);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await job.AcquireAsync(4, 0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await job.AcquireAsync(3, PerLayer, CancellationToken.None));
        Assert.Throws<InvalidOperationException>(() => job.CompleteLayer(3));
        Assert.Throws<InvalidOperationException>(() => job.CompleteLayer(2));
        job.Dispose();
        Assert.True(job.IsEnded);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await job.AcquireAsync(3, 1, CancellationToken.None));
        Assert.Equal(0, pool.BlocksInUse);
        job.Dispose();
    }

    [Fact]
    public async Task A_job_behind_the_first_waits_at_its_limit_until_it_moves_up()
    {
        // N = 2 at the minimum (3 layers): the second job may hold one layer only.
        using var pool = Pool(2, 3 * PerLayer);
        var jobs = await ThroughLayerOneAsync(pool, 2);
        var (a, b) = (jobs[0], jobs[1]);
        Assert.Equal([0, PerLayer], pool.Layout.Ranks);

        await FillLayerAsync(a, 2, 0, 3);
        var waiting = b.AcquireAsync(2, 0, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, pool.PendingAcquires);

        await FillLayerAsync(a, 2, 3);
        Assert.False(waiting.IsCompleted);
        a.CompleteLayer(2);
        Assert.Equal(0, (await waiting).Index);
        Assert.Equal(0, pool.PendingAcquires);
        a.Dispose();
        b.Dispose();
        Assert.Equal(0, pool.BlocksInUse);
    }

    [Fact]
    public async Task A_job_holding_only_its_previous_layer_takes_a_block_when_the_pool_has_room()
    {
        using var pool = Pool(3, (4 * PerLayer) + 2);
        foreach (var job in await ThroughLayerOneAsync(pool, 3))
        {
            Assert.True(job.AcquireAsync(2, 0, CancellationToken.None).IsCompletedSuccessfully);
            job.Dispose();
        }
    }

    [Fact]
    public async Task Waiters_are_woken_in_launch_order()
    {
        // N = 3, T = 5 layers: ranks [0, 5, 11], limits 32, 27, 21 blocks.
        using var pool = Pool(3, 5 * PerLayer);
        Assert.Equal([0, 5, 11], pool.Layout.Ranks);
        var granted = new List<long>();
        var jobs = await ThroughLayerOneAsync(pool, 3);
        var (j0, j1, j2) = (jobs[0], jobs[1], jobs[2]);
        await FillLayerAsync(j1, 2, 0, 11);
        await FillLayerAsync(j2, 2, 0, 5);
        pool.Granted = (job, layer, index) => granted.Add(job.Sequence);

        // The later job asks first; both wait at their limits.
        var second = j2.AcquireAsync(2, 5, CancellationToken.None);
        var first = j1.AcquireAsync(2, 11, CancellationToken.None);
        Assert.False(second.IsCompleted);
        Assert.False(first.IsCompleted);

        // j0 ends: j1 and j2 move up together and are served in launch order.
        j0.Dispose();
        Assert.Equal([1L, 2L], granted);
        Assert.Equal(11, (await first).Index);
        Assert.Equal(5, (await second).Index);
        j1.Dispose();
        j2.Dispose();
        Assert.Equal(0, pool.BlocksInUse);
    }

    [Fact]
    public async Task Jobs_beyond_N_queue_and_start_when_a_place_frees()
    {
        using var pool = Pool(2, 4 * PerLayer);
        var a = await pool.BeginJobAsync(CancellationToken.None);
        var b = await pool.BeginJobAsync(CancellationToken.None);
        var c = pool.BeginJobAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var d = pool.BeginJobAsync(cancel.Token);
        Assert.False(c.IsCompleted);
        Assert.Equal(2, pool.QueuedJobs);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await d);
        Assert.Equal(1, pool.QueuedJobs);

        await FillLayerAsync(b, 1, 0, 4);
        b.Dispose();
        var third = await c;
        Assert.Equal(2, third.Sequence);
        Assert.Equal(2, pool.ActiveJobs);
        third.Dispose();
        a.Dispose();
        Assert.Equal(0, pool.ActiveJobs);
    }

    [Fact]
    public async Task Cancelling_a_wait_or_ending_a_waiting_job_returns_everything()
    {
        using var pool = Pool(2, 3 * PerLayer);
        var jobs = await ThroughLayerOneAsync(pool, 2);
        var (a, b) = (jobs[0], jobs[1]);
        using var cancel = new CancellationTokenSource();
        var cancelled = b.AcquireAsync(2, 0, cancel.Token);
        var orphaned = b.AcquireAsync(2, 1, CancellationToken.None);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
        Assert.Equal(1, pool.PendingAcquires);
        await b.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await orphaned);
        a.Dispose();
        Assert.Equal(0, pool.BlocksInUse);
        Assert.Equal(0, pool.PendingAcquires);
    }

    [Fact]
    public async Task Concurrent_jobs_at_the_minimum_finish_and_return_every_block()
    {
        using var pool = Pool(4, 5 * PerLayer);
        var runs = Enumerable.Range(0, 8).Select(n => Task.Run(async () =>
        {
            await using var job = await pool.BeginJobAsync(CancellationToken.None);
            for (var layer = 1; layer <= 2 + (n % 4); layer++)
            {
                await FillLayerAsync(job, layer);
                job.CompleteLayer(layer);
            }
        }));
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, pool.BlocksInUse);
        Assert.InRange(pool.HighWaterBlocks, 2 * PerLayer, 5 * PerLayer);
    }

    [Fact]
    public void Memory_can_come_from_several_buffers_and_must_hold_the_pool()
    {
        var layout = LabelPoolLayout.Create(Sector, 1, Block, 2 * Sector);
        using (var pool = new LabelPool(layout, [new NativeBuffer(Sector + 100), new NativeBuffer(Sector)]))
        {
            Assert.Equal(2 * PerLayer, pool.TotalBlocks);
        }

        Assert.Throws<ProofsException>(() => new LabelPool(layout, [new NativeBuffer(Sector), new NativeBuffer(Sector - 1)]));
    }

    [Fact]
    public void A_pool_from_options_is_checked_against_the_sector()
    {
        using var pool = new LabelPool(new LabelPoolOptions { Enabled = true, Jobs = 2 }, Sector);
        Assert.Equal(7 * PerLayer / 2, pool.TotalBlocks);
        var e = Assert.Throws<ProofsException>(() => new LabelPool(new LabelPoolOptions { Jobs = 2, PoolSize = (3 * Sector) - Block }, Sector));
        Assert.Contains("below the minimum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_the_pool_fails_waiters()
    {
        var pool = Pool(1, 2 * PerLayer);
        var job = await pool.BeginJobAsync(CancellationToken.None);
        var next = pool.BeginJobAsync(CancellationToken.None);
        pool.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await next);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await job.AcquireAsync(1, 0, CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pool.BeginJobAsync(CancellationToken.None));
        job.Dispose();
    }
}
