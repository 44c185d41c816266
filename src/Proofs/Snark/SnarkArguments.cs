namespace Kiln.Proofs.Snark;

/// <summary>Argument checks shared by every <see cref="ISnarkProver"/>, so each rejects bad shapes the same way.</summary>
internal static class SnarkArguments
{
    public const int ValueSize = 32;

    /// <exception cref="ArgumentException"><paramref name="value"/> is not 32 bytes.</exception>
    public static void ThrowIfNot32(ReadOnlySpan<byte> value, string paramName)
    {
        if (value.Length != ValueSize)
        {
            throw new ArgumentException($"{paramName} must be {ValueSize} bytes, got {value.Length}", paramName);
        }
    }

    /// <summary>Checks the public inputs of a seal proof (verify_seal).</summary>
    public static void SealInputs(
        RegisteredSealProof proofType,
        ReadOnlySpan<byte> commR,
        ReadOnlySpan<byte> commD,
        ReadOnlySpan<byte> proverId,
        ReadOnlySpan<byte> ticket,
        ReadOnlySpan<byte> seed)
    {
        if (!Enum.IsDefined(proofType))
        {
            throw new ArgumentOutOfRangeException(nameof(proofType), proofType, "not a RegisteredSealProof id (0..19)");
        }

        ThrowIfNot32(commR, nameof(commR));
        ThrowIfNot32(commD, nameof(commD));
        ThrowIfNot32(proverId, nameof(proverId));
        ThrowIfNot32(ticket, nameof(ticket));
        ThrowIfNot32(seed, nameof(seed));
    }

    /// <summary>Checks the common arguments of the three PoSt SNARK generators.</summary>
    public static void PoStGeneration(
        int postType,
        bool winning,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        IReadOnlyList<byte[]> vanillaProofs)
    {
        PoStProofIds.ThrowIfUndefined(postType, nameof(postType));
        if (winning != PoStProofIds.IsWinning(postType))
        {
            throw new ArgumentException(
                $"PoSt proof type {postType} is a {(winning ? "Window" : "Winning")} proof; this step needs a {(winning ? "Winning (0..4)" : "Window (5..14)")} one",
                nameof(postType));
        }

        ThrowIfNot32(randomness, nameof(randomness));
        ThrowIfNot32(proverId, nameof(proverId));
        NonEmpty(vanillaProofs, nameof(vanillaProofs));
        if (winning && vanillaProofs.Count != 1)
        {
            throw new ArgumentException($"Winning PoSt takes exactly one vanilla proof, got {vanillaProofs.Count}", nameof(vanillaProofs));
        }
    }

    /// <summary>Checks the common arguments of the two PoSt verifiers.</summary>
    public static void PoStVerification(
        ReadOnlySpan<byte> randomness,
        IReadOnlyList<PublicReplica> replicas,
        IReadOnlyList<PoStProofBytes> proofs,
        ReadOnlySpan<byte> proverId)
    {
        ThrowIfNot32(randomness, nameof(randomness));
        ThrowIfNot32(proverId, nameof(proverId));
        NonEmpty(replicas, nameof(replicas));
        NonEmpty(proofs, nameof(proofs));
    }

    /// <exception cref="ArgumentException"><paramref name="items"/> is null, empty or holds a null.</exception>
    public static void NonEmpty<T>(IReadOnlyList<T> items, string paramName)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(items, paramName);
        if (items.Count == 0)
        {
            throw new ArgumentException($"{paramName} is empty", paramName);
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                throw new ArgumentException($"{paramName}[{i}] is null", paramName);
            }
        }
    }
}
