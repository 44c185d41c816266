namespace Kiln.Proofs.Snark;

/// <summary>
/// A PoSt SNARK as Lotus carries it on chain (<c>proof.PoStProof</c>, ffi <c>PoStProof_t</c>): the registered
/// PoSt proof id and the proof bytes (192 bytes per partition).
/// </summary>
public sealed class PoStProofBytes
{
    /// <param name="postType">RegisteredPoStProof id (<see cref="PoStProofIds"/>).</param>
    /// <param name="proof">The proof bytes; kept, not copied.</param>
    public PoStProofBytes(int postType, byte[] proof)
    {
        PoStProofIds.ThrowIfUndefined(postType, nameof(postType));
        ArgumentNullException.ThrowIfNull(proof);
        PostType = postType;
        Proof = proof;
    }

    /// <summary>RegisteredPoStProof id (<see cref="PoStProofIds"/>).</summary>
    public int PostType { get; }

    public byte[] Proof { get; }

    public override string ToString() => $"PoStProof(type {PostType}, {Proof.Length} bytes)";
}
