using Kiln.Proofs.Hashing;

namespace Kiln.Proofs.Tests.Pieces;

/// <summary>Independent reference: the sha254 tree root over 32-byte leaves, zero-extended to <c>treeSize</c> bytes.</summary>
internal static class TreeRoot
{
    public static byte[] Of(ReadOnlySpan<byte> padded, ulong treeSize)
    {
        var level = new byte[treeSize];
        padded.CopyTo(level);
        var length = level.Length;
        while (length > 32)
        {
            var next = new byte[length / 2];
            for (var i = 0; i < length / 64; i++)
            {
                Sha254.HashPair(level.AsSpan(i * 64, 32), level.AsSpan((i * 64) + 32, 32), next.AsSpan(i * 32, 32));
            }

            level = next;
            length = next.Length;
        }

        return level[..32];
    }
}
