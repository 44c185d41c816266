namespace Kiln.Testing.Chain;

/// <summary>One StateGetRandomnessFromTickets / FromBeacon answer.
/// FromBeacon: True for beacon randomness, false for ticket randomness.
/// TipSetKey: The CIDs of the tipset key the caller passed (empty for the head).
/// </summary>
public sealed record RandomnessDraw(bool FromBeacon, long Tag, long Epoch, byte[] Entropy, IReadOnlyList<string> TipSetKey, byte[] Randomness);
