using Kiln.Api.Types;

namespace Kiln.Miner.Proving;

/// <summary>A verified Winning PoSt: its proofs, the challenged sectors, and whether the miner proved it itself.</summary>
public sealed record WinningPoStOutcome(IReadOnlyList<PoStProof> Proofs, IReadOnlyList<ulong> Challenged, bool Local);
