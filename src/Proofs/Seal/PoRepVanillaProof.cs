using Kiln.Proofs.Merkle;

namespace Kiln.Proofs.Seal;

/// <summary>
/// One challenge's vanilla PoRep proof (storage-proofs-porep stacked/vanilla/params.rs <c>Proof</c>): the tree_d proof of the
/// data node, the tree_r_last proof of the replica node, the columns of the node and of its 6 DRG and
/// 8 expander parents, the labeling proof of every layer and the encoding proof.
/// </summary>
public sealed record PoRepVanillaProof(
    MerkleProof CommDProof,
    MerkleProof CommRLastProof,
    ColumnProof Column,
    IReadOnlyList<ColumnProof> DrgParents,
    IReadOnlyList<ColumnProof> ExpParents,
    IReadOnlyList<LabelingProof> LabelingProofs,
    LabelingProof EncodingProof);
