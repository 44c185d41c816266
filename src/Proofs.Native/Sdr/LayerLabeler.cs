using System.Buffers.Binary;
using System.Security.Cryptography;
using Kiln.Proofs.Native;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// Labels of one SDR layer (sdr.md §9.1): label(v) = trunc254(SHA-256(prefix ‖ 37 parent labels)),
/// prefix = replica_id ‖ layer u32 BE ‖ v u64 BE ‖ 20 zero bytes; node 0 hashes the prefix alone.
/// Layer 1 repeats the six base parents; later layers the six base then eight expander parents.
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
    /// Labels nodes [start, end) of layer <paramref name="layer"/> (1-based) into <paramref name="current"/>.
    /// <paramref name="parents"/> is the node-major parent cache (14 u32 per node, from node 0);
    /// <paramref name="previous"/> is the previous layer, null for layer 1. Labels below start
    /// must already be in <paramref name="current"/>.
    /// </summary>
    public static void LabelRange(uint* parents, byte* current, byte* previous, ReadOnlySpan<byte> replicaId, uint layer, ulong start, ulong end, LabelKernel kernel = LabelKernel.Auto)
    {
        if (replicaId.Length != 32)
        {
            throw new ArgumentException("replica id must be 32 bytes", nameof(replicaId));
        }

        if (layer < 1 || (layer > 1 && previous == null))
        {
            throw new ArgumentException("layers are 1-based and every layer after the first needs the previous one", nameof(layer));
        }

        if (Resolve(kernel) == LabelKernel.Native)
        {
            fixed (byte* r = replicaId)
            {
                KilnNative.kiln_sdr_label_range(parents, current, layer == 1 ? null : previous, r, layer, start, end);
            }

            return;
        }

        LabelRangeManaged(parents, current, layer == 1 ? null : previous, replicaId, layer, start, end);
    }

    private static void LabelRangeManaged(uint* parents, byte* current, byte* previous, ReadOnlySpan<byte> replicaId, uint layer, ulong start, ulong end)
    {
        Span<byte> msg = stackalloc byte[MessageBytes];
        msg.Clear();
        replicaId.CopyTo(msg);
        BinaryPrimitives.WriteUInt32BigEndian(msg[32..], layer);
        var n = previous == null ? BaseDegree : Degree;
        for (var v = start; v < end; v++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(msg[36..], v);
            var label = new Span<byte>(current + (32 * v), 32);
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
                var src = k < BaseDegree ? current + (32 * (ulong)p[k]) : previous + (32 * (ulong)p[k]);
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
