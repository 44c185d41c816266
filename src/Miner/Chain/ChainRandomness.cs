namespace Kiln.Miner.Chain;

/// <summary>32 bytes of chain randomness and the epoch they were drawn at (a seal ticket or an interactive seed).</summary>
/// <param name="Value">The randomness (Lotus <c>abi.Randomness</c>).</param>
/// <param name="Epoch">The epoch it was drawn at (Lotus's ticket epoch, or seed epoch).</param>
public sealed record ChainRandomness(byte[] Value, long Epoch);
