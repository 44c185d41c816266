using System.Buffers.Binary;
using Kiln.Api.Types;
using Kiln.Proofs.Hashing;

namespace Kiln.Miner.Mining;

/// <summary>Lotus chain/rand <c>DrawRandomnessFromBase</c>: randomness a block producer draws itself from a beacon entry.</summary>
public static class MiningRandomness
{
    /// <summary>
    /// BLAKE2b-256 of the tag (int64 big-endian) ‖ BLAKE2b-256(<paramref name="rbase"/>) ‖ the round (int64
    /// big-endian) ‖ <paramref name="entropy"/>.
    /// </summary>
    public static byte[] DrawFromBase(ReadOnlySpan<byte> rbase, DomainSeparationTag tag, long round, ReadOnlySpan<byte> entropy)
    {
        var input = new byte[8 + 32 + 8 + entropy.Length];
        BinaryPrimitives.WriteInt64BigEndian(input, (long)tag);
        Blake2b.HashData(rbase, input.AsSpan(8, 32));
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(40), round);
        entropy.CopyTo(input.AsSpan(48));
        var output = new byte[32];
        Blake2b.HashData(input, output);
        return output;
    }
}
