using System.Diagnostics;

namespace Kiln.Proofs.Sdr.Pool;

/// <summary>
/// Labels every layer of one sector with its memory from a <see cref="LabelPool"/>: each block of the
/// current layer is taken from the pool just before its nodes are labeled (so a job holds its previous
/// layer plus the part of the current one it has produced), the layer is written to
/// <c>sc-02-data-layer-N.dat</c> (through <c>..tmp</c>) when complete, and the previous layer's blocks
/// go back to the pool. Same layer files, byte for byte, as <see cref="SdrLabeler"/>; layers already on
/// disk are kept (the last of them is read back into pool blocks to label the next).
/// </summary>
public static class PooledSdrLabeler
{
    /// <summary>Nodes labeled between progress reports and cancellation checks (at most).</summary>
    private const ulong Step = 1 << 16;

    /// <summary>
    /// Labels the sector on the calling thread (a dedicated one: PC1 is long CPU work), blocking while the
    /// pool has no block for it yet. Returns each layer's labeling time, waits included (zero when resumed).
    /// </summary>
    public static TimeSpan[] Label(
        LabelPool pool,
        ParentCache parents,
        ReadOnlyMemory<byte> replicaId,
        int layers,
        string cacheDir,
        LabelKernel kernel = LabelKernel.Auto,
        IProgress<LabelingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentNullException.ThrowIfNull(cacheDir);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        var layout = pool.Layout;
        var nodes = parents.Nodes;
        if (nodes * 32 != layout.SectorSize)
        {
            throw new ArgumentException($"the pool is laid out for {layout.SectorSize}-byte sectors, the graph has {nodes} nodes ({nodes * 32} bytes)", nameof(parents));
        }

        if (replicaId.Length != 32)
        {
            throw new ArgumentException("replica id must be 32 bytes", nameof(replicaId));
        }

        kernel = LayerLabeler.Resolve(kernel);
        Directory.CreateDirectory(cacheDir);
        var generated = new bool[layers + 1];
        for (var l = 1; l <= layers; l++)
        {
            var path = CacheFiles.Layer(cacheDir, l);
            File.Delete(CacheFiles.Temporary(path));
            generated[l] = File.Exists(path) && new FileInfo(path).Length == (long)layout.SectorSize;
        }

        var times = new TimeSpan[layers];
        using var job = Wait(pool.BeginJobAsync(cancellationToken));
        var blocks = layout.BlocksPerLayer;
        var held = 0; // the layer whose labels the job holds as "previous", 0 = none
        for (var l = 1; l <= layers; l++)
        {
            if (generated[l])
            {
                continue;
            }

            if (l > 1 && held != l - 1)
            {
                // Resume: the previous layer comes back from its file into pool blocks.
                ReadLayer(job, l - 1, CacheFiles.Layer(cacheDir, l - 1), blocks, cancellationToken);
            }

            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < blocks; i++)
            {
                Wait(job.AcquireAsync(l, i, cancellationToken));
                LabelBlock(job, parents, replicaId.Span, l, layers, i, kernel, progress, cancellationToken);
            }

            times[l - 1] = Stopwatch.GetElapsedTime(started);
            WriteLayer(CacheFiles.Layer(cacheDir, l), job, l, blocks);
            job.CompleteLayer(l);
            held = l;
        }

        return times;
    }

    /// <summary>Labels the nodes of block <paramref name="index"/> of layer <paramref name="layer"/> (the block is held).</summary>
    private static unsafe void LabelBlock(LabelPoolJob job, ParentCache parents, ReadOnlySpan<byte> replicaId, int layer, int layers, int index, LabelKernel kernel, IProgress<LabelingProgress>? progress, CancellationToken ct)
    {
        var nodes = parents.Nodes;
        var shift = job.NodeShift;
        var current = new LayerBlocks(job.BlockTable(layer), shift, nodes);
        var previous = layer == 1 ? default : new LayerBlocks(job.BlockTable(layer - 1), shift, nodes);
        var blockEnd = Math.Min(nodes, (ulong)(index + 1) << shift);
        for (var v = (ulong)index << shift; v < blockEnd;)
        {
            ct.ThrowIfCancellationRequested();
            var end = Math.Min(blockEnd, v + Step);
            LayerLabeler.LabelRange(parents.Pointer, current, previous, replicaId, (uint)layer, v, end, kernel);
            progress?.Report(new LabelingProgress(layer, layers, end, nodes));
            v = end;
        }
    }

    private static T Wait<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void ReadLayer(LabelPoolJob job, int layer, string path, int blocks, CancellationToken ct)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        for (var i = 0; i < blocks; i++)
        {
            ReadBlock(handle, path, Wait(job.AcquireAsync(layer, i, ct)), i);
        }

        job.CompleteLayer(layer);
    }

    private static unsafe void ReadBlock(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path, LabelBlock block, int index) =>
        LayerFile.Read(handle, path, block.Pointer, block.Length, (long)((ulong)index * block.Length));

    private static unsafe void WriteLayer(string path, LabelPoolJob job, int layer, int blocks) =>
        LayerFile.Write(path, job.BlockTable(layer), blocks, 32UL << job.NodeShift);
}
