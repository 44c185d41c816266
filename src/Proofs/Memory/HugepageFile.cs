namespace Kiln.Proofs.Memory;

/// <summary>A pre-created memory file found by <see cref="HugepageFiles.Scan"/>: its path, NUMA node and size in bytes.</summary>
public sealed record HugepageFile(string Path, int Node, ulong Size);
