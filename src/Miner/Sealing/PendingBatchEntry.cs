using Kiln.Api.Chain;

namespace Kiln.Miner.Sealing;

/// <summary>One sector waiting in a batch: its number, when it joined, and the funds it needs (deposit or pledge).</summary>
public sealed record PendingBatchEntry(ulong Sector, DateTimeOffset Added, TokenAmount Funds);
