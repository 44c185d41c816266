namespace Kiln.Proofs.PoSt;

/// <summary>
/// PoSt randomness as the proofs take it: the chain's 32 bytes with the top two bits of the last byte cleared so the
/// value is a BLS12-381 scalar field element (Lotus storage/sealer/manager_post.go GenerateWinningPoSt and
/// GenerateWindowPoStAdv, storage/sealer/ffiwrapper/verifier_cgo.go clear <c>randomness[31]</c> the same way).
/// </summary>
public static class PoStRandomness
{
    /// <summary>The length of PoSt randomness in bytes.</summary>
    public const int Length = 32;

    /// <summary>A copy of <paramref name="randomness"/> made a field element (idempotent: a masked value stays the same).</summary>
    /// <exception cref="ArgumentException">Not <see cref="Length"/> bytes.</exception>
    public static byte[] ToFieldElement(ReadOnlySpan<byte> randomness)
    {
        if (randomness.Length != Length)
        {
            throw new ArgumentException($"PoSt randomness must be {Length} bytes, got {randomness.Length}", nameof(randomness));
        }

        var r = randomness.ToArray();
        r[Length - 1] &= 0x3f;
        return r;
    }
}
