using Kiln.Api.Chain;

namespace Kiln.Miner.Sealing;

/// <summary>One sector in a batch: its number, what the message needs of it, the funds it locks, and its cutoff (the batch goes out one slack before it).</summary>
public sealed record BatchEntry<T>(ulong Sector, T Value, TokenAmount Funds, DateTimeOffset Cutoff)
    where T : class;
