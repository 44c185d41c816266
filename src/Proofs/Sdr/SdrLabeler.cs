using System.Diagnostics;
using Kiln.Proofs.Interop;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// Labels every layer of a sector into its cache directory (rust-fil-proofs replicate_phase1):
/// <c>sc-02-data-layer-N.dat</c>, written through <c>..tmp</c> and renamed; layers already on disk
/// with the right size are kept (resume) and stale temporaries removed. Layer buffers are native.
/// <see cref="LabelBatch(uint*, ulong, ReadOnlySpan{byte}, int, IReadOnlyList{string}, LabelKernel, IProgress{LabelingProgress}?, CancellationToken)"/>
/// labels several sectors of one graph together, which the native kernel hashes faster than one by one.
/// </summary>
public static unsafe class SdrLabeler
{
    /// <summary>Nodes labeled between progress reports and cancellation checks.</summary>
    private const ulong Step = 1 << 16;

    /// <summary>Runs synchronously on the calling thread; returns each layer's labeling time (zero when resumed).</summary>
    public static TimeSpan[] Label(uint* parents, ulong nodes, ReadOnlySpan<byte> replicaId, int layers, string cacheDir, LabelKernel kernel = LabelKernel.Auto, IProgress<LabelingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cacheDir);
        return LabelBatch(parents, nodes, replicaId, layers, [cacheDir], kernel, progress, cancellationToken);
    }

    /// <summary>Labels every layer with the parents of <paramref name="parents"/>; see the pointer overload.</summary>
    public static TimeSpan[] Label(ParentCache parents, ReadOnlySpan<byte> replicaId, int layers, string cacheDir, LabelKernel kernel = LabelKernel.Auto, IProgress<LabelingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parents);
        return Label(parents.Pointer, parents.Nodes, replicaId, layers, cacheDir, kernel, progress, cancellationToken);
    }

    /// <summary>
    /// Labels every layer of K sectors of one graph together (<see cref="LayerLabeler.LabelRangeBatch"/>): sector s has
    /// replica id <c>replicaIds[32 s .. 32 s + 32]</c> and cache directory <paramref name="cacheDirs"/>[s], and ends with
    /// the layer files single-sector labeling writes, resuming each sector from its own files. Needs 2 × K layer buffers.
    /// Runs synchronously on the calling thread; returns each layer's labeling time for the batch (zero when every
    /// sector had it on disk).
    /// </summary>
    public static TimeSpan[] LabelBatch(uint* parents, ulong nodes, ReadOnlySpan<byte> replicaIds, int layers, IReadOnlyList<string> cacheDirs, LabelKernel kernel = LabelKernel.Auto, IProgress<LabelingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 2UL);
        ArgumentNullException.ThrowIfNull(cacheDirs);
        var count = cacheDirs.Count;
        if (count == 0 || replicaIds.Length != 32 * count)
        {
            throw new ArgumentException($"one 32-byte replica id per cache directory: {count} directories, {replicaIds.Length} bytes of replica ids", nameof(replicaIds));
        }

        if (cacheDirs.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Count() != count)
        {
            throw new ArgumentException("every sector of a batch needs its own cache directory", nameof(cacheDirs));
        }

        kernel = LayerLabeler.Resolve(kernel);
        var layerBytes = nodes * 32;
        var generated = new bool[count, layers + 1];
        for (var s = 0; s < count; s++)
        {
            Directory.CreateDirectory(cacheDirs[s]);
            for (var l = 1; l <= layers; l++)
            {
                var path = CacheFiles.Layer(cacheDirs[s], l);
                File.Delete(CacheFiles.Temporary(path));
                generated[s, l] = File.Exists(path) && new FileInfo(path).Length == (long)layerBytes;
            }
        }

        var times = new TimeSpan[layers];
        var buffers = new NativeBuffer[2 * count];
        try
        {
            // Sector s labels into buffers[2 s + cur[s]] and reads the previous layer from the other one.
            using var tables = new NativeBuffer(2 * count * sizeof(nint));
            var views = new LayerBlocks[2 * count];
            var shift = LayerBlocks.OneBlockShift(nodes);
            for (var i = 0; i < buffers.Length; i++)
            {
                buffers[i] = new NativeBuffer(layerBytes);
                views[i] = LayerBlocks.Over(buffers[i], shift, (byte**)tables.Pointer + i);
            }

            var cur = new int[count];
            var inPrevious = new int[count];
            var batch = new List<int>(count);
            for (var l = 1; l <= layers; l++)
            {
                batch.Clear();
                for (var s = 0; s < count; s++)
                {
                    if (!generated[s, l])
                    {
                        batch.Add(s);
                    }
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                var current = new LayerBlocks[batch.Count];
                var previous = new LayerBlocks[batch.Count];
                var ids = new byte[32 * batch.Count];
                for (var i = 0; i < batch.Count; i++)
                {
                    var s = batch[i];
                    if (l > 1 && inPrevious[s] != l - 1)
                    {
                        ReadLayer(CacheFiles.Layer(cacheDirs[s], l - 1), buffers[(2 * s) + 1 - cur[s]]);
                    }

                    current[i] = views[(2 * s) + cur[s]];
                    previous[i] = views[(2 * s) + 1 - cur[s]];
                    replicaIds.Slice(32 * s, 32).CopyTo(ids.AsSpan(32 * i));
                }

                var started = Stopwatch.GetTimestamp();
                for (ulong v = 0; v < nodes; v += Step)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var end = Math.Min(nodes, v + Step);
                    LayerLabeler.LabelRangeBatch(parents, current, previous, ids, (uint)l, v, end, kernel);
                    progress?.Report(new LabelingProgress(l, layers, end, nodes));
                }

                times[l - 1] = Stopwatch.GetElapsedTime(started);
                foreach (var s in batch)
                {
                    WriteLayer(CacheFiles.Layer(cacheDirs[s], l), buffers[(2 * s) + cur[s]]);
                    cur[s] = 1 - cur[s];
                    inPrevious[s] = l;
                }
            }

            return times;
        }
        finally
        {
            foreach (var buffer in buffers)
            {
                buffer?.Dispose();
            }
        }
    }

    /// <summary>Labels every layer of K sectors with the parents of <paramref name="parents"/>; see the pointer overload.</summary>
    public static TimeSpan[] LabelBatch(ParentCache parents, ReadOnlySpan<byte> replicaIds, int layers, IReadOnlyList<string> cacheDirs, LabelKernel kernel = LabelKernel.Auto, IProgress<LabelingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parents);
        return LabelBatch(parents.Pointer, parents.Nodes, replicaIds, layers, cacheDirs, kernel, progress, cancellationToken);
    }

    private static void WriteLayer(string path, NativeBuffer buffer)
    {
        var region = buffer.Pointer;
        LayerFile.Write(path, &region, 1, buffer.Length);
    }

    private static void ReadLayer(string path, NativeBuffer buffer)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        LayerFile.Read(handle, path, buffer.Pointer, buffer.Length, 0);
    }
}
