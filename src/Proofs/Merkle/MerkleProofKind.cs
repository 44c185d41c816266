namespace Kiln.Proofs.Merkle;

/// <summary>rust-fil-proofs' <c>ProofData</c> variants; the values are their bincode tags.</summary>
public enum MerkleProofKind
{
    /// <summary>One base tree: a base path only.</summary>
    Single = 0,

    /// <summary>Base trees under a sub root: base path, then one sub level.</summary>
    Sub = 1,

    /// <summary>Sub trees under a top root: base path, one sub level, one top level.</summary>
    Top = 2,
}
