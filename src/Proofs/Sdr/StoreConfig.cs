namespace Kiln.Proofs.Sdr;

/// <summary>merkletree's StoreConfig as it appears in PC1 output: where a layer or tree lives.</summary>
/// <param name="Path">Cache directory.</param>
/// <param name="Id">"layer-N" or "tree-d".</param>
/// <param name="Size">Nodes in the store (layers: nodes; tree-d: 2·nodes − 1).</param>
/// <param name="RowsToDiscard">Tree rows not kept on disk (0 for PC1 stores).</param>
public sealed record StoreConfig(string Path, string Id, ulong? Size, ulong RowsToDiscard);
