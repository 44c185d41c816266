using Kiln.Proofs.Interop;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// The key a replica is decoded with: the labels of the last SDR layer, regenerated from the replica id
/// (rust-fil-proofs storage-proofs-porep stacked <c>generate_labels_for_decoding</c>). Unlike PC1 nothing
/// is written to disk: the layers are labeled in two native sector-sized buffers, the previous layer
/// being overwritten as the next one is labeled, and only the last one is kept. The labeling kernel
/// is PC1's (<see cref="LayerLabeler.LabelRangeBatch"/>), so the labels are PC1's byte for byte.
/// </summary>
public static unsafe class DecodingKey
{
    /// <summary>Nodes labeled between progress reports and cancellation checks.</summary>
    private const ulong Step = 1 << 16;

    /// <summary>
    /// Labels every layer of the graph of <paramref name="parents"/> for <paramref name="replicaId"/> in memory and returns
    /// the last layer (nodes × 32 bytes), which the caller disposes. Runs synchronously on the calling thread.
    /// </summary>
    public static NativeBuffer Label(ParentCache parents, ReadOnlySpan<byte> replicaId, int layers, LabelKernel kernel = LabelKernel.Auto, IProgress<LabelingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        if (replicaId.Length != 32)
        {
            throw new ArgumentException($"a replica id is 32 bytes, got {replicaId.Length}", nameof(replicaId));
        }

        kernel = LayerLabeler.Resolve(kernel);
        var nodes = parents.Nodes;
        var layerBytes = nodes * 32;
        var buffers = new NativeBuffer?[2];
        try
        {
            buffers[0] = new NativeBuffer(layerBytes);
            buffers[1] = layers > 1 ? new NativeBuffer(layerBytes) : null;
            var tables = stackalloc byte*[2];
            var shift = LayerBlocks.OneBlockShift(nodes);
            var views = new LayerBlocks[2];
            for (var i = 0; i < 2; i++)
            {
                if (buffers[i] is { } buffer)
                {
                    views[i] = LayerBlocks.Over(buffer, shift, tables + i);
                }
            }

            var cur = 0;
            for (var l = 1; l <= layers; l++)
            {
                for (ulong v = 0; v < nodes; v += Step)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var end = Math.Min(nodes, v + Step);
                    LayerLabeler.LabelRange(parents.Pointer, views[cur], l == 1 ? default : views[1 - cur], replicaId, (uint)l, v, end, kernel);
                    progress?.Report(new LabelingProgress(l, layers, end, nodes));
                }

                cur = 1 - cur;
            }

            // The last layer is in the buffer labeled last; the other one is freed now rather than with the key.
            var key = buffers[1 - cur]!;
            buffers[1 - cur] = null;
            return key;
        }
        finally
        {
            foreach (var buffer in buffers)
            {
                buffer?.Dispose();
            }
        }
    }
}
