using System.Security.Cryptography;
using Kiln.Proofs.Interop;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// Produces the parent cache bytes of a graph in order: batches of chunks are generated on all cores
/// while the previous batch is hashed (SHA-256) and handed to the sink, so memory stays at two batches.
/// </summary>
internal static class ParentCacheGenerator
{
    /// <summary>Nodes per parallel work item (16 Ki nodes = 896 KiB of rows).</summary>
    internal const int ChunkNodes = 1 << 14;

    /// <summary>Chunks per batch (512 Ki nodes = 28 MiB per buffer, two buffers).</summary>
    internal const int BatchChunks = 32;

    internal const int RowBytes = StackedGraph.Degree * sizeof(uint);

    /// <summary>
    /// Streams the whole cache of <paramref name="graph"/> through SHA-256 and, if given, <paramref name="sink"/>
    /// (called in node order with consecutive pieces); returns the digest.
    /// </summary>
    public static async Task<byte[]> RunAsync(
        StackedGraph graph,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? sink,
        IProgress<double>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ThrowIfBigEndian();

        const ulong batchNodes = (ulong)ChunkNodes * BatchChunks;
        var nodes = graph.Nodes;
        var batches = (nodes + batchNodes - 1) / batchNodes;
        var bufferBytes = (int)(Math.Min(batchNodes, nodes) * RowBytes);

        using var first = new NativeBuffer(bufferBytes);
        using var second = new NativeBuffer(bufferBytes);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        Task? generating = Task.Run(() => Generate(graph, 0, Math.Min(batchNodes, nodes), first, cancellationToken), cancellationToken);
        try
        {
            for (ulong batch = 0; batch < batches; batch++)
            {
                await generating!.ConfigureAwait(false);
                generating = null;

                var current = batch % 2 == 0 ? first : second;
                var start = batch * batchNodes;
                var count = Math.Min(batchNodes, nodes - start);
                if (batch + 1 < batches)
                {
                    var next = batch % 2 == 0 ? second : first;
                    var nextStart = start + batchNodes;
                    var nextCount = Math.Min(batchNodes, nodes - nextStart);
                    generating = Task.Run(() => Generate(graph, nextStart, nextCount, next, cancellationToken), cancellationToken);
                }

                var bytes = current.Memory[..(int)(count * RowBytes)];
                hash.AppendData(bytes.Span);
                if (sink is not null)
                {
                    await sink(bytes, cancellationToken).ConfigureAwait(false);
                }

                progress?.Report((double)(batch + 1) / batches);
            }
        }
        finally
        {
            // Never free a buffer a worker may still be writing.
            if (generating is not null)
            {
                try
                {
                    await generating.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The first failure is already propagating.
                }
            }
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Fills <paramref name="destination"/> with rows of all nodes, in parallel chunks.</summary>
    public static unsafe void Fill(StackedGraph graph, uint* destination, CancellationToken cancellationToken)
    {
        ThrowIfBigEndian();
        var nodes = graph.Nodes;
        var chunks = (long)((nodes + ChunkNodes - 1) / ChunkNodes);
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0L, chunks, options, chunk =>
        {
            var start = (ulong)chunk * ChunkNodes;
            var count = (int)Math.Min((ulong)ChunkNodes, nodes - start);
            graph.FillRows(start, new Span<uint>(destination + (start * StackedGraph.Degree), count * StackedGraph.Degree));
        });
    }

    private static unsafe void Generate(StackedGraph graph, ulong start, ulong count, NativeBuffer buffer, CancellationToken cancellationToken)
    {
        var rows = (uint*)buffer.Pointer;
        var chunks = (int)((count + ChunkNodes - 1) / ChunkNodes);
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, chunks, options, chunk =>
        {
            var offset = (ulong)chunk * ChunkNodes;
            var n = (int)Math.Min((ulong)ChunkNodes, count - offset);
            graph.FillRows(start + offset, new Span<uint>(rows + (offset * StackedGraph.Degree), n * StackedGraph.Degree));
        });
    }

    private static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the parent cache is u32 little-endian and is produced in place; big-endian hosts are not supported");
        }
    }
}
