using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Miner.Proving;

/// <summary>A sector to prove: its number, seal proof and sealed CID (comm_r).</summary>
public sealed record ProvingSector(ulong Number, RegisteredSealProof SealProof, Cid SealedCid);
