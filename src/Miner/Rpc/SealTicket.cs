namespace Kiln.Miner.Rpc;

/// <summary>Lotus api.SealTicket: the seal ticket's randomness and the epoch it was drawn at (zero values until drawn).</summary>
public sealed record SealTicket(byte[]? Value, long Epoch);
