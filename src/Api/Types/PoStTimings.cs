namespace Kiln.Api.Types;

/// <summary>
/// How long a PoSt worker spent on one partition: reading vanilla proofs (local paths and holders over HTTP) and
/// the SNARK. Kiln's addition to <see cref="WindowPoStResult"/> (sent as <c>KilnTimings</c>, left out when absent):
/// Lotus's decoders ignore the field, and a lotus-worker never sends it.
/// </summary>
public sealed record PoStTimings(long VanillaMicros, long SnarkMicros, int VanillasRead);
