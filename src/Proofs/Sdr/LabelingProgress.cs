namespace Kiln.Proofs.Sdr;

/// <summary>Where a labeling run is: layer (1-based) of layers, nodes done of the layer's nodes.</summary>
public readonly record struct LabelingProgress(int Layer, int Layers, ulong NodesDone, ulong Nodes);
