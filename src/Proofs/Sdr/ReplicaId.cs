using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// replica_id = trunc254(SHA-256(prover_id ‖ sector_id u64 BE ‖ ticket ‖ comm_d ‖ porep_id)),
/// storage-proofs-porep generate_replica_id.
/// </summary>
public static class ReplicaId
{
    public static byte[] Compute(ReadOnlySpan<byte> proverId, ulong sectorNumber, ReadOnlySpan<byte> ticket, ReadOnlySpan<byte> commD, ReadOnlySpan<byte> porepId)
    {
        Require(proverId, nameof(proverId));
        Require(ticket, nameof(ticket));
        Require(commD, nameof(commD));
        Require(porepId, nameof(porepId));
        Span<byte> pre = stackalloc byte[136];
        proverId.CopyTo(pre);
        BinaryPrimitives.WriteUInt64BigEndian(pre[32..], sectorNumber);
        ticket.CopyTo(pre[40..]);
        commD.CopyTo(pre[72..]);
        porepId.CopyTo(pre[104..]);
        var id = SHA256.HashData(pre);
        id[31] &= 0x3F;
        return id;
    }

    private static void Require(ReadOnlySpan<byte> value, string name)
    {
        if (value.Length != 32)
        {
            throw new ArgumentException($"{name} must be 32 bytes, got {value.Length}", name);
        }
    }
}
