using Kiln.Proofs.Merkle;

namespace Kiln.Proofs.Seal;

/// <summary>
/// storage-proofs-porep ColumnProof: the labels of one node in every layer (its column) and the tree_c
/// inclusion proof of the column's hash.
/// </summary>
public sealed record ColumnProof(uint Index, IReadOnlyList<byte[]> Rows, MerkleProof InclusionProof);
