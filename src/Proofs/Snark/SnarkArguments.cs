using Kiln.Proofs.PoSt;

namespace Kiln.Proofs.Snark;

/// <summary>Argument checks shared by every <see cref="ISnarkProver"/>, so each rejects bad shapes the same way.</summary>
internal static class SnarkArguments
{
    public const int ValueSize = 32;

    /// <summary>Whether <paramref name="postType"/> is one of the 15 registered PoSt proofs.</summary>
    public static bool IsDefined(RegisteredPoStProof postType) => postType is >= RegisteredPoStProof.StackedDrgWinning2KiBV1 and <= RegisteredPoStProof.StackedDrgWindow64GiBV1_1;

    /// <summary>Whether <paramref name="postType"/> is a Winning PoSt proof (0..4).</summary>
    public static bool IsWinning(RegisteredPoStProof postType) => postType is >= RegisteredPoStProof.StackedDrgWinning2KiBV1 and <= RegisteredPoStProof.StackedDrgWinning64GiBV1;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="postType"/> is not a registered PoSt proof.</exception>
    public static void ThrowIfUndefined(RegisteredPoStProof postType, string paramName)
    {
        if (!IsDefined(postType))
        {
            throw new ArgumentOutOfRangeException(paramName, postType, "not a RegisteredPoStProof id: Winning 2KiB..64GiB are 0..4, Window V1 5..9, Window V1_1 10..14");
        }
    }

    /// <summary>The PoStConfig of a registered PoSt proof, refusing an unknown id as an argument error.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="postType"/> is not a registered PoSt proof.</exception>
    public static PoStProofInfo Info(RegisteredPoStProof postType, string paramName)
    {
        ThrowIfUndefined(postType, paramName);
        return PoStProofInfo.Get(postType);
    }

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
        RegisteredPoStProof postType,
        bool winning,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        IReadOnlyList<byte[]> vanillaProofs)
    {
        ThrowIfUndefined(postType, nameof(postType));
        if (winning != IsWinning(postType))
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
