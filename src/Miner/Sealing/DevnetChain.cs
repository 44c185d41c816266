using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Kiln.Miner.Sealing;

/// <summary>
/// The built-in devnet chain's randomness: a seal ticket and an interactive seed per sector derived from
/// the devnet seed, so a devnet run is reproducible. Not a real chain: these tickets and seeds are valid on no
/// network.
/// </summary>
public sealed class DevnetChain(string seed)
{
    public const string DefaultSeed = "kiln-devnet";

    public byte[] TicketFor(ulong actorId, ulong sectorNumber) => Derive("ticket", actorId, sectorNumber);

    /// <summary>The interactive seed (Lotus draws it InteractivePoRepConfidence epochs after the pre-commit lands).</summary>
    public byte[] SeedFor(ulong actorId, ulong sectorNumber) => Derive("seed", actorId, sectorNumber);

    /// <summary>PoSt randomness for <paramref name="purpose"/> ("window", "winning") drawn at <paramref name="epoch"/>.</summary>
    public byte[] PoStRandomnessFor(string purpose, ulong actorId, long epoch) => Derive("post/" + purpose, actorId, (ulong)epoch);

    private byte[] Derive(string purpose, ulong actorId, ulong sectorNumber)
    {
        // The ticket keeps its original derivation (seed ‖ actor ‖ number) so existing devnets seal the same sectors.
        var prefix = purpose == "ticket" ? seed : seed + "/" + purpose;
        var input = new byte[Encoding.UTF8.GetByteCount(prefix) + 16];
        var n = Encoding.UTF8.GetBytes(prefix, input);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(n), actorId);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(n + 8), sectorNumber);
        return SHA256.HashData(input);
    }
}
