using System.Numerics;
using Kiln.Proofs.Hashing;

namespace Kiln.Proofs.Pieces;

/// <summary>
/// Zero-piece commitments: Z[0] is 32 zero bytes, Z[i] = sha254(Z[i−1] ‖ Z[i−1]) is the root over
/// 32·2^i zero bytes (Fr32 of zeros is zeros), for i = 0..36 (up to 2 TiB).
/// </summary>
public static class ZeroComm
{
    /// <summary>Highest level in the table.</summary>
    public const int MaxLevel = 36;

    private static readonly byte[] Table = Build();

    /// <summary>Z[level] as raw bytes.</summary>
    public static ReadOnlySpan<byte> GetSpan(int level)
    {
        if ((uint)level > MaxLevel)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"zero commitments exist for levels 0 to {MaxLevel}");
        }

        return Table.AsSpan(level * 32, 32);
    }

    /// <summary>Z[level].</summary>
    public static Commitment Get(int level) => new(GetSpan(level));

    /// <summary>The commitment of <paramref name="padded"/> zero bytes (a power of two from 32 to 2 TiB).</summary>
    public static Commitment ForPaddedSize(ulong padded)
    {
        if (padded < 32 || !BitOperations.IsPow2(padded) || padded > (32UL << MaxLevel))
        {
            throw new ProofsException($"no zero commitment for size {padded}: it must be a power of two from 32 to {32UL << MaxLevel} bytes");
        }

        return Get(BitOperations.Log2(padded) - 5);
    }

    private static byte[] Build()
    {
        var table = new byte[(MaxLevel + 1) * 32];
        for (var i = 1; i <= MaxLevel; i++)
        {
            var previous = table.AsSpan((i - 1) * 32, 32);
            Sha254.HashPair(previous, previous, table.AsSpan(i * 32, 32));
        }

        return table;
    }
}
