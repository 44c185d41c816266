using System.Diagnostics.CodeAnalysis;
using Kiln.Proofs;
using Kiln.Proofs.Multiformats;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Seal;
using Kiln.Proofs.Snark;

namespace Kiln.Api.Types;

/// <summary>
/// The one place where the wire types (Lotus's JSON shapes, this namespace) and the proofs types (Kiln.Proofs) meet.
/// The proof ids need no mapping: <see cref="RegisteredSealProof"/> and <see cref="RegisteredPoStProof"/> are the same
/// enums on both sides. Everything else converts here, through bytes, never through CID text: a commitment CID is
/// CIDv1 ‖ codec ‖ multihash ‖ 32 ‖ commitment (go-fil-commcid <c>CIDToCommitment</c> / <c>CommitmentToCID</c>),
/// comm_r under fil-commitment-sealed (0xf102) with poseidon-bls12_381-a2-fc1 (0xb401), comm_d and piece commitments
/// under fil-commitment-unsealed (0xf101) with sha2-256-trunc254-padded (0x1012).
/// </summary>
public static class ProofsMapping
{
    /// <summary>go-fil-commcid <c>CIDToReplicaCommitmentV1</c>: the 32-byte comm_r of a sealed CID (<c>bagboea4b5abc…</c>).</summary>
    /// <exception cref="ProofsException">The CID is undefined, does not decode, or is not a sealed commitment CID; the message says which.</exception>
    public static byte[] ToSealedCommitment(this Cid cid) => ToCommitment(cid, CommCid.FilCommitmentSealed);

    /// <summary>
    /// go-fil-commcid <c>CIDToDataCommitmentV1</c>: the 32-byte commitment of an unsealed CID (<c>baga6ea4sea…</c>):
    /// a sector's comm_d or a piece's commP.
    /// </summary>
    /// <exception cref="ProofsException">The CID is undefined, does not decode, or is not an unsealed commitment CID; the message says which.</exception>
    public static byte[] ToUnsealedCommitment(this Cid cid) => ToCommitment(cid, CommCid.FilCommitmentUnsealed);

    /// <summary><see cref="ToUnsealedCommitment"/> without the exception: false, with the reason, when the CID is not one.</summary>
    public static bool TryToUnsealedCommitment(this Cid cid, [NotNullWhen(true)] out byte[]? commitment, [NotNullWhen(false)] out string? error)
        => TryToCommitment(cid, CommCid.FilCommitmentUnsealed, out commitment, out error);

    /// <summary>go-fil-commcid <c>ReplicaCommitmentV1ToCID</c>: the sealed CID of a 32-byte comm_r.</summary>
    /// <exception cref="ProofsException">The commitment is not 32 bytes.</exception>
    public static Cid SealedCid(ReadOnlySpan<byte> commR) => Cid.FromBytes(CommCid.ToSealedCidBytes(commR));

    /// <summary>go-fil-commcid <c>DataCommitmentV1ToCID</c>: the unsealed CID of a 32-byte comm_d or commP.</summary>
    /// <exception cref="ProofsException">The commitment is not 32 bytes.</exception>
    public static Cid UnsealedCid(ReadOnlySpan<byte> commD) => Cid.FromBytes(CommCid.ToPieceCidBytes(commD));

    /// <summary>The unsealed (piece) CID of a commitment.</summary>
    public static Cid ToUnsealedCid(this Commitment commitment)
    {
        Span<byte> bytes = stackalloc byte[Commitment.Size];
        commitment.CopyTo(bytes);
        return UnsealedCid(bytes);
    }

    /// <summary>Lotus <c>storiface.SectorCids</c> of PreCommit2's output: <c>Unsealed</c> = comm_d, <c>Sealed</c> = comm_r.</summary>
    public static SectorCids ToSectorCids(this PreCommit2Output output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return new SectorCids(UnsealedCid(output.CommD), SealedCid(output.CommR));
    }

    /// <summary>The proofs' piece of a go-state-types <c>abi.PieceInfo</c>: padded size and commP.</summary>
    /// <exception cref="ProofsException">The piece CID is not an unsealed commitment CID.</exception>
    public static PieceCommitment ToPieceCommitment(this PieceInfo piece)
    {
        return new PieceCommitment(new PaddedPieceSize(piece.Size), new Commitment(piece.PieceCID.ToUnsealedCommitment()));
    }

    /// <summary>The go-state-types <c>abi.PieceInfo</c> of a proofs piece.</summary>
    public static PieceInfo ToPieceInfo(this PieceCommitment piece) => new(piece.Size.Value, piece.Commitment.ToUnsealedCid());

    /// <summary>go-state-types <c>proof.PoStProof</c> of a SNARK's output.</summary>
    public static PoStProof ToPoStProof(this PoStProofBytes proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return new PoStProof(proof.PostType, proof.Proof);
    }

    /// <summary>The SNARK verifier's view of a go-state-types <c>proof.PoStProof</c>; a proof without bytes has none.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The proof type is not a registered PoSt proof.</exception>
    public static PoStProofBytes ToPoStProofBytes(this PoStProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return new PoStProofBytes(proof.ProofType, proof.ProofBytes ?? []);
    }

    /// <summary>What a PoSt verifier knows of a challenged sector: proof type, comm_r and number.</summary>
    /// <exception cref="ProofsException">The challenge's sealed CID is not a sealed commitment CID.</exception>
    public static PublicReplica ToPublicReplica(this PostSectorChallenge challenge, RegisteredPoStProof postProof)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        return new PublicReplica(postProof, challenge.SealedCID.ToSealedCommitment(), challenge.SectorNumber);
    }

    private static byte[] ToCommitment(Cid cid, ulong codec)
        => TryToCommitment(cid, codec, out var commitment, out var error) ? commitment : throw new ProofsException(error);

    private static bool TryToCommitment(Cid cid, ulong codec, [NotNullWhen(true)] out byte[]? commitment, [NotNullWhen(false)] out string? error)
    {
        commitment = null;
        var kind = codec == CommCid.FilCommitmentSealed ? "a sealed commitment CID (comm_r)" : "an unsealed commitment CID (comm_d or commP)";
        if (!cid.TryGetBytes(out var bytes, out var decodeError))
        {
            error = $"expected {kind}: {decodeError}";
            return false;
        }

        if (!CommCid.TryParseCidBytes(bytes, codec, out commitment, out var parseError))
        {
            error = $"cid '{cid}' is not {kind}: {parseError}";
            return false;
        }

        error = null;
        return true;
    }
}
