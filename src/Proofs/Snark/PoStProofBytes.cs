namespace Kiln.Proofs.Snark;

/// <summary>
/// A PoSt SNARK as Lotus carries it on chain (<c>proof.PoStProof</c>, ffi <c>PoStProof_t</c>): the registered
/// PoSt proof id and the proof bytes (192 bytes per partition).
/// </summary>
public sealed class PoStProofBytes
{
    /// <param name="postType">The registered PoSt proof.</param>
    /// <param name="proof">The proof bytes; kept, not copied.</param>
    public PoStProofBytes(RegisteredPoStProof postType, byte[] proof)
    {
        SnarkArguments.ThrowIfUndefined(postType, nameof(postType));
        ArgumentNullException.ThrowIfNull(proof);
        PostType = postType;
        Proof = proof;
    }

    /// <summary>The registered PoSt proof.</summary>
    public RegisteredPoStProof PostType { get; }

    public byte[] Proof { get; }

    public override string ToString() => $"PoStProof(type {PostType}, {Proof.Length} bytes)";
}
