namespace Kiln.Proofs.Seal;

/// <summary>
/// storage-proofs-porep LabelingProof (and EncodingProof, same fields): the 37 parent labels that went
/// into the label of <see cref="Node"/> in layer <see cref="LayerIndex"/>.
/// </summary>
public sealed record LabelingProof(IReadOnlyList<byte[]> Parents, uint LayerIndex, ulong Node);
