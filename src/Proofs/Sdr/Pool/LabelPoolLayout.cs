using System.Numerics;

namespace Kiln.Proofs.Sdr.Pool;

/// <summary>
/// The checked shape of a label pool for one sector size: S bytes per layer split into
/// <see cref="BlocksPerLayer"/> blocks (C) of <see cref="BlockSize"/> bytes, <see cref="TotalBlocks"/> blocks in the
/// pool (T), <see cref="Jobs"/> PC1 jobs (N), with <c>(N+1)·C ≤ T ≤ 2N·C</c>.
/// </summary>
/// <remarks>
/// Admission ("rank" rule): the gap <c>2N·C − T</c> is spread over the N places of the priority order
/// (<see cref="Ranks"/>, place 0 gets 0, later places more, each at most C). A job in place p may hold at most
/// <c>2C − rank[p]</c> blocks (previous layer and the front of its current layer). The limits of all places add up to
/// T, so a job within its limit is never short of a free block, and the job in place 0 can always finish its layer:
/// no deadlock while <c>T ≥ (N+1)·C</c>. When the gap allows, ranks stay below C, so that a job holding only its
/// previous layer may always take a block (mpool's rule); only pools less than N−1 blocks above the minimum need
/// rank C for some places.
/// </remarks>
public sealed class LabelPoolLayout
{
    private const int NodeSize = SealProofInfo.NodeSize;

    /// <summary>Keeps block indices and tables comfortably in <c>int</c>.</summary>
    private const long MaxBlocks = 1L << 28;

    private LabelPoolLayout(ulong sectorSize, int jobs, ulong blockSize, int blocksPerLayer, int totalBlocks)
    {
        SectorSize = sectorSize;
        Jobs = jobs;
        BlockSize = blockSize;
        BlocksPerLayer = blocksPerLayer;
        TotalBlocks = totalBlocks;
        NodeShift = BitOperations.Log2(blockSize / NodeSize);
        Ranks = SpreadGap((2L * jobs * blocksPerLayer) - totalBlocks, jobs, blocksPerLayer);
    }

    /// <summary>Sector (and layer) size S in bytes.</summary>
    public ulong SectorSize { get; }

    /// <summary>PC1 jobs the pool admits at once (N).</summary>
    public int Jobs { get; }

    /// <summary>Bytes per block (after scaling down for small sectors).</summary>
    public ulong BlockSize { get; }

    /// <summary>log2 of the nodes per block: node v of a layer lies in block <c>v &gt;&gt; NodeShift</c>.</summary>
    public int NodeShift { get; }

    /// <summary>Nodes per block (<c>1 &lt;&lt; NodeShift</c>).</summary>
    public ulong NodesPerBlock => 1UL << NodeShift;

    /// <summary>Blocks per layer (C).</summary>
    public int BlocksPerLayer { get; }

    /// <summary>Blocks in the pool (T).</summary>
    public int TotalBlocks { get; }

    /// <summary>Pool size in bytes (<c>T · block</c>).</summary>
    public ulong PoolSize => (ulong)TotalBlocks * BlockSize;

    /// <summary>The smallest pool that runs <see cref="Jobs"/> jobs without deadlock: <c>(N+1)·S</c>.</summary>
    public ulong MinimumPoolSize => MinimumFor(SectorSize, Jobs);

    /// <summary>The pool at which no job ever waits: <c>2N·S</c>.</summary>
    public ulong MaximumPoolSize => MaximumFor(SectorSize, Jobs);

    /// <summary>Each job's share of the pool, rounded up to whole bytes: <c>⌈T·block / N⌉</c>.</summary>
    public ulong PerJobSize => (PoolSize + (ulong)Jobs - 1) / (ulong)Jobs;

    /// <summary>Rank of each place of the priority order (place 0 first); non-decreasing, each at most C, summing to <c>2N·C − T</c>.</summary>
    public IReadOnlyList<int> Ranks { get; }

    /// <summary>mpool's default pool, the middle of the bounds: <c>(3N+1)·S/2</c>.</summary>
    public static ulong DefaultFor(ulong sectorSize, int jobs) => checked((((3 * (ulong)jobs) + 1) * sectorSize) / 2);

    /// <summary><c>(N+1)·S</c>.</summary>
    public static ulong MinimumFor(ulong sectorSize, int jobs) => checked(((ulong)jobs + 1) * sectorSize);

    /// <summary><c>2N·S</c>.</summary>
    public static ulong MaximumFor(ulong sectorSize, int jobs) => checked(2 * (ulong)jobs * sectorSize);

    /// <summary>Checks every bound and returns the layout.</summary>
    /// <param name="sectorSize">S, a multiple of 32 bytes.</param>
    /// <param name="jobs">N ≥ 1.</param>
    /// <param name="blockSize">Requested block: a power-of-two number of nodes; halved until a layer has 16 blocks.</param>
    /// <param name="poolSize">Pool bytes, or null for <see cref="DefaultFor"/>.</param>
    /// <exception cref="ProofsException">Any bound is violated; the message names the variable to change.</exception>
    public static LabelPoolLayout Create(ulong sectorSize, int jobs, ulong blockSize, ulong? poolSize)
    {
        if (sectorSize == 0 || sectorSize % NodeSize != 0)
        {
            throw new ProofsException($"sector size {sectorSize} is not a positive multiple of {NodeSize} bytes");
        }

        if (jobs < 1)
        {
            throw new ProofsException($"the label pool needs at least one PC1 job ({LabelPoolOptions.JobsVariable}), got {jobs}");
        }

        CheckBlock(blockSize);
        var block = blockSize;
        while (block > NodeSize && sectorSize / block < LabelPoolOptions.MinBlocksPerLayer)
        {
            block /= 2;
        }

        if (sectorSize % block != 0)
        {
            throw new ProofsException(
                $"the label block of {block} bytes ({LabelPoolOptions.BlockSizeVariable}) does not divide the {SectorSizes.Format(sectorSize)} sector");
        }

        var perLayer = sectorSize / block;
        ulong min, max, size;
        try
        {
            min = MinimumFor(sectorSize, jobs);
            max = MaximumFor(sectorSize, jobs);
            size = poolSize ?? DefaultFor(sectorSize, jobs);
        }
        catch (OverflowException)
        {
            throw new ProofsException($"{jobs} PC1 jobs of {SectorSizes.Format(sectorSize)} sectors do not fit a 64-bit pool size");
        }

        var what = $"{LabelPoolOptions.PoolSizeVariable}={size} for {jobs} PC1 jobs ({LabelPoolOptions.JobsVariable}) of {SectorSizes.Format(sectorSize)} sectors";
        if (size < min)
        {
            throw new ProofsException($"{what} is below the minimum (N+1)·S = {min} bytes: one job could not finish its layer");
        }

        if (size > max)
        {
            throw new ProofsException($"{what} is above the maximum 2N·S = {max} bytes, more than the jobs can use; lower it or run more jobs");
        }

        if (size % block != 0)
        {
            throw new ProofsException($"{what} is not a multiple of the {block}-byte label block ({LabelPoolOptions.BlockSizeVariable})");
        }

        var total = size / block;
        if (total > MaxBlocks)
        {
            throw new ProofsException($"{what} makes {total} blocks of {block} bytes; use a larger {LabelPoolOptions.BlockSizeVariable}");
        }

        return new LabelPoolLayout(sectorSize, jobs, block, (int)perLayer, (int)total);
    }

    /// <summary>A block must be a power-of-two number of 32-byte nodes, at most <see cref="LabelPoolOptions.MaxBlockSize"/>.</summary>
    internal static void CheckBlock(ulong blockSize)
    {
        if (blockSize < NodeSize || blockSize % NodeSize != 0 || !BitOperations.IsPow2(blockSize / NodeSize) || blockSize > LabelPoolOptions.MaxBlockSize)
        {
            throw new ProofsException(
                $"{LabelPoolOptions.BlockSizeVariable}={blockSize} is not a power-of-two number of {NodeSize}-byte nodes up to {LabelPoolOptions.MaxBlockSize} bytes (e.g. 33554432 = 32MiB)");
        }
    }

    /// <summary>
    /// Spreads <paramref name="gap"/> over places 1..N−1 in proportion to the place (a staggered pipeline: the job in
    /// place p is about p/N of a layer behind place 0), each at most the cap, filling from the back.
    /// </summary>
    private static int[] SpreadGap(long gap, int jobs, int perLayer)
    {
        var ranks = new int[jobs];
        var cap = gap <= (long)(jobs - 1) * (perLayer - 1) ? perLayer - 1 : perLayer;
        var remaining = gap;
        for (var p = jobs - 1; p >= 1 && remaining > 0; p--)
        {
            // Places 1..p share what remains with weights 1..p; place p's part is 2·remaining/(p+1), rounded up.
            var share = ((2 * remaining) + p) / (p + 1);
            ranks[p] = (int)Math.Min(Math.Min(cap, share), remaining);
            remaining -= ranks[p];
        }

        Array.Sort(ranks);
        return ranks;
    }
}
