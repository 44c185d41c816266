using System.Runtime.InteropServices;
using Kiln.Proofs.Sdr.Pool;

namespace Kiln.Proofs.Tests.Sdr.Pool;

/// <summary>
/// Seeded simulations of PC1 jobs sharing a label pool: each job labels 2–11 layers front to back, one block at a
/// time, in an order a random scheduler picks; some jobs fail or are cancelled part way. Checked after every step:
/// no block is held twice (each block carries its owner's stamp), the pool stays within its bounds, and some job can
/// always move (no deadlock); at the end every block is back (unit: no I/O, deterministic).
/// </summary>
public sealed unsafe class LabelPoolPropertyTests
{
    private const ulong Sector = 2048;

    [Fact]
    public void Jobs_at_the_minimum_pool_never_deadlock_and_return_every_block()
    {
        for (var seed = 0; seed < 120; seed++)
        {
            var random = new Random(seed);
            var jobs = random.Next(1, 9);
            var block = 128UL >> random.Next(0, 2);
            var perLayer = (int)(Sector / block);
            Simulate(seed, LabelPoolLayout.Create(Sector, jobs, block, (ulong)((jobs + 1) * perLayer) * block), failures: false);
        }
    }

    [Fact]
    public void Jobs_at_any_pool_size_with_failures_and_cancellation_return_every_block()
    {
        for (var seed = 1000; seed < 1150; seed++)
        {
            var random = new Random(seed);
            var jobs = random.Next(1, 9);
            var perLayer = 16;
            var total = random.Next((jobs + 1) * perLayer, (2 * jobs * perLayer) + 1);
            Simulate(seed, LabelPoolLayout.Create(Sector, jobs, 128, (ulong)total * 128), failures: true);
        }
    }

    private static void Simulate(int seed, LabelPoolLayout layout, bool failures)
    {
        var random = new Random(seed);
        using var pool = new LabelPool(layout);
        var perLayer = layout.BlocksPerLayer;
        var launches = random.Next(layout.Jobs, (3 * layout.Jobs) + 2);
        var waitingToStart = new List<Task<LabelPoolJob>>();
        var running = new List<SimJob>();
        var movable = new List<SimJob>();
        var owners = new Dictionary<nint, (long Job, int Layer, int Index)>();
        var launched = 0;
        var finished = 0;
        var steps = 0;
        while (finished < launches)
        {
            Assert.True(++steps < 1_000_000, $"seed {seed}: the simulation does not end");

            // New PC1 jobs arrive at random moments, in launch order.
            if (launched < launches && (running.Count == 0 || random.Next(4) == 0))
            {
                waitingToStart.Add(pool.BeginJobAsync(CancellationToken.None).AsTask());
                launched++;
            }

            while (waitingToStart.Count > 0 && waitingToStart[0].IsCompleted)
            {
                running.Add(new SimJob(waitingToStart[0].Result, random.Next(2, 12), random.Next(1, 3)));
                waitingToStart.RemoveAt(0);
            }

            movable.Clear();
            foreach (var j in running)
            {
                if (j.Pending is null || j.Pending.IsCompleted)
                {
                    movable.Add(j);
                }
            }

            if (movable.Count == 0)
            {
                Assert.Fail($"seed {seed}: deadlock with {running.Count} jobs, {pool.BlocksInUse}/{pool.TotalBlocks} blocks in use, ranks [{string.Join(",", layout.Ranks)}]");
            }

            var job = movable[random.Next(movable.Count)];
            if (Step(job, layout, owners, random, failures))
            {
                running.Remove(job);
                finished++;
            }

            // Granted but not yet seen by its job: a finished wait.
            var granted = owners.Count;
            foreach (var j in running)
            {
                granted += j.Pending is { IsCompletedSuccessfully: true } ? 1 : 0;
                if (j.Job.BlocksHeld > 2 * perLayer)
                {
                    Assert.Fail($"seed {seed}: job {j.Job.Sequence} holds {j.Job.BlocksHeld} blocks");
                }
            }

            Assert.Equal(granted, pool.BlocksInUse);
            Assert.True(pool.HighWaterBlocks <= layout.TotalBlocks);
        }

        Assert.Empty(owners);
        Assert.Equal(0, pool.BlocksInUse);
        Assert.Equal(0, pool.ActiveJobs);
        Assert.Equal(0, pool.PendingAcquires);
        Assert.Equal(0, pool.QueuedJobs);
    }

    /// <summary>Moves one job one step; true when the job has ended.</summary>
    private static bool Step(SimJob sim, LabelPoolLayout layout, Dictionary<nint, (long Job, int Layer, int Index)> owners, Random random, bool failures)
    {
        var job = sim.Job;
        if (sim.Pending is { } pending)
        {
            sim.Pending = null;
            if (!pending.IsCompletedSuccessfully)
            {
                Assert.True(pending.IsCanceled, "only cancelled waits end without a block");
                End(sim, owners);
                return true;
            }

            Take(sim, pending.Result, owners);
        }

        if (failures && random.Next(200) == 0)
        {
            End(sim, owners);
            return true;
        }

        if (sim.Next < layout.BlocksPerLayer)
        {
            using var cancel = failures && random.Next(50) == 0 ? new CancellationTokenSource() : null;
            var acquire = job.AcquireAsync(sim.Layer, sim.Next, cancel?.Token ?? CancellationToken.None).AsTask();
            if (acquire.IsCompletedSuccessfully)
            {
                Take(sim, acquire.Result, owners);
            }
            else
            {
                cancel?.Cancel();
                sim.Pending = acquire;
            }

            return false;
        }

        // The layer is labeled and written: check the previous layer survived, then release it.
        foreach (var (pointer, owner) in owners.Where(o => o.Value.Job == job.Sequence && o.Value.Layer == sim.Layer - 1).ToList())
        {
            Assert.Equal(Stamp(owner.Job, owner.Layer, owner.Index), *(long*)pointer);
            owners.Remove(pointer);
        }

        job.CompleteLayer(sim.Layer);
        if (sim.Layer == sim.FirstLayer + sim.Layers - 1)
        {
            End(sim, owners);
            return true;
        }

        sim.Layer++;
        sim.Next = 0;
        return false;
    }

    private static void Take(SimJob sim, LabelBlock block, Dictionary<nint, (long Job, int Layer, int Index)> owners)
    {
        Assert.Equal(sim.Layer, block.Layer);
        Assert.Equal(sim.Next, block.Index);
        Assert.True(sim.Job.BlockTable(sim.Layer)[block.Index] == block.Pointer);
        Assert.True(owners.TryAdd((nint)block.Pointer, (sim.Job.Sequence, block.Layer, block.Index)), "a block is held twice");
        *(long*)block.Pointer = Stamp(sim.Job.Sequence, block.Layer, block.Index);
        MemoryMarshal.Write(block.Span[^8..], Stamp(sim.Job.Sequence, block.Layer, block.Index));
        sim.Next++;
    }

    private static void End(SimJob sim, Dictionary<nint, (long Job, int Layer, int Index)> owners)
    {
        foreach (var pointer in owners.Where(o => o.Value.Job == sim.Job.Sequence).Select(o => o.Key).ToList())
        {
            owners.Remove(pointer);
        }

        sim.Job.Dispose();
    }

    private static long Stamp(long job, int layer, int index) => (job << 32) | ((long)layer << 16) | (long)index;

    private sealed class SimJob(LabelPoolJob job, int layers, int firstLayer)
    {
        public LabelPoolJob Job { get; } = job;

        public int Layers { get; } = layers;

        public int FirstLayer { get; } = firstLayer;

        public int Layer { get; set; } = firstLayer;

        public int Next { get; set; }

        public Task<LabelBlock>? Pending { get; set; }
    }
}
