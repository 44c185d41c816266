namespace Kiln.Miner.Rpc;

/// <summary>Lotus api.SealSeed: the interactive seed's randomness and the epoch it was drawn at (zero values until drawn).</summary>
public sealed record SealSeed(byte[]? Value, long Epoch);
