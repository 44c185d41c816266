namespace Kiln.Proofs.Merkle;

/// <summary>The node hash of a Filecoin Merkle tree (rust-fil-proofs' <c>Hasher</c> of the tree).</summary>
public enum MerkleHasher
{
    /// <summary>Poseidon of the arity's children in order (tree_c, tree_r_last; any arity neptune supports for trees).</summary>
    Poseidon,

    /// <summary>sha256-trunc254 of the two children concatenated (tree_d, commP): binary trees only.</summary>
    Sha254,
}
