namespace Kiln.Proofs.Snark;

/// <summary>
/// filecoin-ffi's <c>RegisteredPoStProof_t</c> ids (identical in go-state-types and rust-filecoin-proofs-api):
/// Winning 2KiB..64GiB = 0..4, Window V1 = 5..9, Window V1_1 = 10..14. The SNARK API takes these ids as
/// plain <see cref="int"/> so it does not depend on any managed PoSt enum.
/// </summary>
public static class PoStProofIds
{
    public const int StackedDrgWinning2KiBV1 = 0;
    public const int StackedDrgWinning8MiBV1 = 1;
    public const int StackedDrgWinning512MiBV1 = 2;
    public const int StackedDrgWinning32GiBV1 = 3;
    public const int StackedDrgWinning64GiBV1 = 4;
    public const int StackedDrgWindow2KiBV1 = 5;
    public const int StackedDrgWindow8MiBV1 = 6;
    public const int StackedDrgWindow512MiBV1 = 7;
    public const int StackedDrgWindow32GiBV1 = 8;
    public const int StackedDrgWindow64GiBV1 = 9;
    public const int StackedDrgWindow2KiBV1_1 = 10;
    public const int StackedDrgWindow8MiBV1_1 = 11;
    public const int StackedDrgWindow512MiBV1_1 = 12;
    public const int StackedDrgWindow32GiBV1_1 = 13;
    public const int StackedDrgWindow64GiBV1_1 = 14;

    /// <summary>Size in bytes of one Groth16 proof: one per partition (filecoin-proofs
    /// constants.rs <c>SINGLE_PARTITION_PROOF_LEN</c>).</summary>
    public const int PartitionProofSize = 192;

    private static readonly ulong[] SectorSizeTable = [2UL << 10, 8UL << 20, 512UL << 20, 32UL << 30, 64UL << 30];

    /// <summary>Window PoSt sectors per partition by sector size: 2 for the test sizes, 2349 (32 GiB), 2300 (64 GiB).</summary>
    private static readonly int[] WindowSectorsPerPartitionTable = [2, 2, 2, 2349, 2300];

    /// <summary>Whether <paramref name="id"/> is one of the 15 registered PoSt proofs.</summary>
    public static bool IsDefined(int id) => id is >= StackedDrgWinning2KiBV1 and <= StackedDrgWindow64GiBV1_1;

    /// <summary>Whether <paramref name="id"/> is a Winning PoSt proof (0..4).</summary>
    public static bool IsWinning(int id) => id is >= StackedDrgWinning2KiBV1 and <= StackedDrgWinning64GiBV1;

    /// <summary>Whether <paramref name="id"/> is a Window PoSt proof (5..14).</summary>
    public static bool IsWindow(int id) => id is >= StackedDrgWindow2KiBV1 and <= StackedDrgWindow64GiBV1_1;

    /// <summary>The sector size the proof is registered for.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a registered PoSt proof.</exception>
    public static ulong SectorSize(int id) => SectorSizeTable[SizeIndex(id)];

    /// <summary>PoStConfig.sector_count: sectors one partition proves (1 for Winning).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a registered PoSt proof.</exception>
    public static int SectorsPerPartition(int id) => IsWinning(id) ? 1 : WindowSectorsPerPartitionTable[SizeIndex(id)];

    /// <summary>
    /// rust-filecoin-proofs-api <c>get_num_partition_for_fallback_post</c>: 1 for Winning; for Window
    /// ceil(sectors / sectors per partition), at least 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not registered or <paramref name="numSectors"/> is negative.</exception>
    public static int Partitions(int id, int numSectors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numSectors);
        if (IsWinning(id))
        {
            return 1;
        }

        var perPartition = SectorsPerPartition(id);
        return Math.Max(1, (numSectors + perPartition - 1) / perPartition);
    }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a registered PoSt proof.</exception>
    public static void ThrowIfUndefined(int id, string paramName)
    {
        if (!IsDefined(id))
        {
            throw new ArgumentOutOfRangeException(paramName, id, "not a RegisteredPoStProof id: Winning 2KiB..64GiB are 0..4, Window V1 5..9, Window V1_1 10..14");
        }
    }

    private static int SizeIndex(int id)
    {
        ThrowIfUndefined(id, nameof(id));
        return id % 5;
    }
}
