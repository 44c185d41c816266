namespace Kiln.Proofs.Seal;

/// <summary>How far PreCommit2 is: <see cref="Phase"/> is "tree-c" (column hashes and tree_c) or "tree-r-last" (encoding and tree_r_last).</summary>
public readonly record struct PreCommit2Progress(string Phase, ulong NodesDone, ulong Nodes);
