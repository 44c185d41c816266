using Kiln.Api.Chain;

namespace Kiln.Miner.Sealing;

/// <summary>A sector's proof as it goes into ProveCommitSectors3, with its activation manifest and the pledge it locks.</summary>
public sealed record CommitEntry(SectorActivationManifest Activation, byte[] Proof, TokenAmount Pledge);
