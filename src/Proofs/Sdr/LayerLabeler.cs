using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Kiln.Proofs.Interop;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// Labels of one SDR layer (rust-fil-proofs storage-proofs-porep/src/stacked/vanilla/create_label/single.rs
/// <c>create_label</c> and <c>create_label_exp</c>): label(v) = trunc254(SHA-256(prefix ‖ 37 parent labels)),
/// prefix = replica_id ‖ layer u32 BE ‖ v u64 BE ‖ 20 zero bytes; node 0 hashes the prefix alone.
/// Layer 1 repeats the six base parents; later layers the six base then eight expander parents.
/// Layers are addressed through <see cref="LayerBlocks"/>; the raw-pointer overload takes contiguous layers.
/// </summary>
public static unsafe class LayerLabeler
{
    /// <summary>Parent-cache entries per node: 6 base then 8 expander.</summary>
    public const int Degree = 14;

    private const int BaseDegree = 6;
    private const int ParentsPerLabel = 37;
    private const int MessageBytes = 64 + (ParentsPerLabel * 32);

    /// <summary>The kernel that <see cref="LabelKernel.Auto"/> resolves to here.</summary>
    public static LabelKernel Resolve(LabelKernel kernel)
    {
        return kernel switch
        {
            LabelKernel.Auto => KilnNative.IsAvailable ? LabelKernel.Native : LabelKernel.Managed,
            LabelKernel.Native when !KilnNative.IsAvailable =>
                throw new ProofsException("the native SHA-NI labeling kernel is not available: " + KilnNative.WhyUnavailable),
            _ => kernel,
        };
    }

    /// <summary>
    /// Labels nodes [start, end) of layer <paramref name="layer"/> (1-based) into the contiguous layer <paramref name="current"/>.
    /// <paramref name="parents"/> is the node-major parent cache (14 u32 per node, from node 0);
    /// <paramref name="previous"/> is the previous layer, null for layer 1. Labels below start
    /// must already be in <paramref name="current"/>.
    /// </summary>
    public static void LabelRange(uint* parents, byte* current, byte* previous, ReadOnlySpan<byte> replicaId, uint layer, ulong start, ulong end, LabelKernel kernel = LabelKernel.Auto)
    {
        if (layer > 1 && previous == null)
        {
            ThrowNoPreviousLayer();
        }

        var tables = stackalloc byte*[2];
        tables[0] = current;
        tables[1] = previous;
        LabelRange(parents, LayerBlocks.Unbounded(tables), layer == 1 ? default : LayerBlocks.Unbounded(tables + 1), replicaId, layer, start, end, kernel);
    }

    /// <summary>
    /// Labels nodes [start, end) of layer <paramref name="layer"/> (1-based) of one sector whose layers are blocks;
    /// <paramref name="previous"/> is ignored (may be <c>default</c>) for layer 1. See <see cref="LabelRangeBatch"/>.
    /// </summary>
    public static void LabelRange(uint* parents, LayerBlocks current, LayerBlocks previous, ReadOnlySpan<byte> replicaId, uint layer, ulong start, ulong end, LabelKernel kernel = LabelKernel.Auto)
    {
        LabelRangeBatch(parents, new ReadOnlySpan<LayerBlocks>(in current), layer == 1 ? default : new ReadOnlySpan<LayerBlocks>(in previous), replicaId, layer, start, end, kernel);
    }

    /// <summary>
    /// Labels nodes [start, end) of layer <paramref name="layer"/> (1-based) for K sectors of the same graph at once:
    /// sector s has replica id <c>replicaIds[32 s .. 32 s + 32]</c>, writes <paramref name="current"/>[s] and reads its
    /// expander parents from <paramref name="previous"/>[s] (empty or ignored for layer 1). Every layer has the same
    /// node count. Labels below start must already be in each current layer. The block table entries read are those
    /// of the current layers' nodes below <paramref name="end"/> and every block of the previous layers. The native
    /// kernel hashes the sectors in interleaved pairs; the managed one labels them one after another. Both give the
    /// bytes of single-sector labeling.
    /// </summary>
    public static void LabelRangeBatch(uint* parents, ReadOnlySpan<LayerBlocks> current, ReadOnlySpan<LayerBlocks> previous, ReadOnlySpan<byte> replicaIds, uint layer, ulong start, ulong end, LabelKernel kernel = LabelKernel.Auto)
    {
        CheckBatch(current, previous, replicaIds, layer, start, end);
        if (Resolve(kernel) == LabelKernel.Native)
        {
            fixed (LayerBlocks* c = current)
            fixed (LayerBlocks* p = previous)
            fixed (byte* r = replicaIds)
            {
                KilnNative.kiln_sdr_label_batch(parents, c, layer == 1 ? null : p, r, (uint)current.Length, layer, start, end);
            }

            return;
        }

        for (var s = 0; s < current.Length; s++)
        {
            LabelRangeManaged(parents, current[s], layer == 1 ? default : previous[s], replicaIds.Slice(32 * s, 32), layer, start, end);
        }
    }

    private static void CheckBatch(ReadOnlySpan<LayerBlocks> current, ReadOnlySpan<LayerBlocks> previous, ReadOnlySpan<byte> replicaIds, uint layer, ulong start, ulong end)
    {
        if (current.IsEmpty)
        {
            throw new ArgumentException("a batch needs at least one sector", nameof(current));
        }

        if (replicaIds.Length != 32 * current.Length)
        {
            throw new ArgumentException($"replica ids are 32 bytes per sector: {current.Length} sectors need {32 * current.Length} bytes, got {replicaIds.Length}", nameof(replicaIds));
        }

        if (layer < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, "layers are 1-based");
        }

        if (layer > 1 && previous.Length != current.Length)
        {
            throw new ArgumentException($"layer {layer} needs each sector's previous layer: {current.Length} current layers but {previous.Length} previous ones", nameof(previous));
        }

        if (start > end)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"the range [{start}, {end}) is reversed");
        }

        var nodes = current[0].Nodes;
        for (var s = 0; s < current.Length; s++)
        {
            CheckLayer(current[s], nodes, s, nameof(current));
            if (layer > 1)
            {
                CheckLayer(previous[s], nodes, s, nameof(previous));
            }

            for (var t = 0; t < s; t++)
            {
                if (current[t].Table == current[s].Table)
                {
                    throw new ArgumentException($"sectors {t} and {s} of the batch write the same layer", nameof(current));
                }
            }
        }

        if (end > nodes)
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, $"the layers have {nodes} nodes");
        }
    }

    private static void CheckLayer(in LayerBlocks blocks, ulong nodes, int sector, string name)
    {
        if (blocks.IsEmpty)
        {
            throw new ArgumentException($"sector {sector} has no {name} layer (default LayerBlocks)", name);
        }

        if (blocks.Nodes != nodes)
        {
            throw new ArgumentException($"the sectors of a batch share one graph: sector {sector}'s {name} layer has {blocks.Nodes} nodes, sector 0's current layer {nodes}", name);
        }
    }

    [DoesNotReturn]
    private static void ThrowNoPreviousLayer() =>
        throw new ArgumentException("layers are 1-based and every layer after the first needs the previous one", "layer");

    private static void LabelRangeManaged(uint* parents, LayerBlocks current, LayerBlocks previous, ReadOnlySpan<byte> replicaId, uint layer, ulong start, ulong end)
    {
        Span<byte> msg = stackalloc byte[MessageBytes];
        msg.Clear();
        replicaId.CopyTo(msg);
        BinaryPrimitives.WriteUInt32BigEndian(msg[32..], layer);
        var n = layer == 1 ? BaseDegree : Degree;
        for (var v = start; v < end; v++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(msg[36..], v);
            var label = new Span<byte>(current.Label(v), 32);
            if (v == 0)
            {
                SHA256.HashData(msg[..64], label);
                label[31] &= 0x3F;
                continue;
            }

            var p = parents + (Degree * v);
            var body = msg[64..];
            for (var k = 0; k < n; k++)
            {
                var src = k < BaseDegree ? current.Label(p[k]) : previous.Label(p[k]);
                new ReadOnlySpan<byte>(src, 32).CopyTo(body[(32 * k)..]);
            }

            // parent j = parent (j mod n): replicate the first n labels over the 37 slots
            for (var filled = n; filled < ParentsPerLabel;)
            {
                var take = Math.Min(filled, ParentsPerLabel - filled);
                body[..(32 * take)].CopyTo(body[(32 * filled)..]);
                filled += take;
            }

            SHA256.HashData(msg, label);
            label[31] &= 0x3F;
        }
    }
}
