using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Kiln.Miner.Sealing;

/// <summary>
/// The built-in devnet chain's randomness: a seal ticket per sector derived from the devnet seed, so a
/// devnet run is reproducible. Not a real chain; a later issue adds the Lotus full-node source.
/// </summary>
public sealed class DevnetChain(string seed)
{
    public const string DefaultSeed = "kiln-devnet";

    public byte[] TicketFor(ulong actorId, ulong sectorNumber)
    {
        var input = new byte[Encoding.UTF8.GetByteCount(seed) + 16];
        var n = Encoding.UTF8.GetBytes(seed, input);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(n), actorId);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(n + 8), sectorNumber);
        return SHA256.HashData(input);
    }
}
