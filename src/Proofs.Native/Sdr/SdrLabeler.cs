using System.Diagnostics;
using Kiln.Proofs.Native;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// Labels every layer of a sector into its cache directory (rust-fil-proofs replicate_phase1):
/// <c>sc-02-data-layer-N.dat</c>, written through <c>..tmp</c> and renamed; layers already on disk
/// with the right size are kept (resume) and stale temporaries removed. Layer buffers are native.
/// </summary>
public static unsafe class SdrLabeler
{
    /// <summary>Nodes labeled between progress reports and cancellation checks.</summary>
    private const ulong Step = 1 << 16;

    /// <summary>Runs synchronously on the calling thread; returns each layer's labeling time (zero when resumed).</summary>
    public static TimeSpan[] Label(uint* parents, ulong nodes, ReadOnlySpan<byte> replicaId, int layers, string cacheDir, LabelKernel kernel = LabelKernel.Auto, IProgress<LabelingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 2UL);
        kernel = LayerLabeler.Resolve(kernel);
        Directory.CreateDirectory(cacheDir);
        var layerBytes = nodes * 32;
        var generated = new bool[layers + 1];
        for (var l = 1; l <= layers; l++)
        {
            var path = CacheFiles.Layer(cacheDir, l);
            File.Delete(CacheFiles.Temporary(path));
            generated[l] = File.Exists(path) && new FileInfo(path).Length == (long)layerBytes;
        }

        var times = new TimeSpan[layers];
        using var a = new NativeBuffer(layerBytes);
        using var b = new NativeBuffer(layerBytes);
        var current = a;
        var previous = b;
        var inPrevious = 0;
        for (var l = 1; l <= layers; l++)
        {
            if (generated[l])
            {
                continue;
            }

            if (l > 1 && inPrevious != l - 1)
            {
                ReadLayer(CacheFiles.Layer(cacheDir, l - 1), previous);
            }

            var started = Stopwatch.GetTimestamp();
            var prev = l == 1 ? null : previous.Pointer;
            for (ulong v = 0; v < nodes; v += Step)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var end = Math.Min(nodes, v + Step);
                LayerLabeler.LabelRange(parents, current.Pointer, prev, replicaId, (uint)l, v, end, kernel);
                progress?.Report(new LabelingProgress(l, layers, end, nodes));
            }

            times[l - 1] = Stopwatch.GetElapsedTime(started);
            WriteLayer(CacheFiles.Layer(cacheDir, l), current);
            (current, previous) = (previous, current);
            inPrevious = l;
        }

        return times;
    }

    /// <summary>Labels every layer with the parents of <paramref name="parents"/>; see the pointer overload.</summary>
    public static TimeSpan[] Label(ParentCache parents, ReadOnlySpan<byte> replicaId, int layers, string cacheDir, LabelKernel kernel = LabelKernel.Auto, IProgress<LabelingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parents);
        return Label(parents.Pointer, parents.Nodes, replicaId, layers, cacheDir, kernel, progress, cancellationToken);
    }

    internal static void WriteLayer(string path, NativeBuffer buffer)
    {
        var tmp = CacheFiles.Temporary(path);
        using (var handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.None, (long)buffer.Length))
        {
            WriteAll(handle, buffer, 0);
            RandomAccess.FlushToDisk(handle);
        }

        File.Move(tmp, path, overwrite: true);
    }

    internal static void WriteAll(Microsoft.Win32.SafeHandles.SafeFileHandle handle, NativeBuffer buffer, long fileOffset)
    {
        const int Chunk = 1 << 30;
        for (ulong off = 0; off < buffer.Length; off += Chunk)
        {
            var n = (int)Math.Min(Chunk, buffer.Length - off);
            RandomAccess.Write(handle, buffer.Slice(off, n), fileOffset + (long)off);
        }
    }

    private static void ReadLayer(string path, NativeBuffer buffer)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        const int Chunk = 1 << 30;
        for (ulong off = 0; off < buffer.Length;)
        {
            var n = (int)Math.Min(Chunk, buffer.Length - off);
            var read = RandomAccess.Read(handle, buffer.Slice(off, n), (long)off);
            if (read <= 0)
            {
                throw new ProofsException($"layer file {path} is shorter than the layer ({off} of {buffer.Length} bytes)");
            }

            off += (ulong)read;
        }
    }
}
