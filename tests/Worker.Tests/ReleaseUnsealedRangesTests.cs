using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Worker.Sealing;

namespace Kiln.Worker.Tests;

/// <summary>
/// The padded ranges FinalizeUnsealed frees for a keep list (Lotus ffiwrapper/sealer_cgo.go Sealer.ReleaseUnsealed:
/// the whole sector minus each kept unpadded run, freed at <c>UnpaddedPieceSize.Padded</c> offsets).
/// </summary>
public sealed class ReleaseUnsealedRangesTests
{
    private static readonly SectorRef Sector = new(new SectorId(1000, 3), RegisteredSealProof.StackedDrg8MiBV1_1);
    private const ulong Size = 8 << 20;

    [Fact]
    public void Keeping_the_first_piece_frees_everything_after_it()
    {
        var free = SealingTasks.UnsealedRangesToFree(Sector, Size, [new UnpaddedRange(0, 1016 * 1024)]);
        Assert.Equal([(1UL << 20, Size - (1 << 20))], free);
    }

    [Fact]
    public void Kept_ranges_in_any_order_leave_the_gaps_between_them()
    {
        var free = SealingTasks.UnsealedRangesToFree(
            Sector, Size, [new UnpaddedRange(4 * 1016 * 1024, 1016 * 1024), new UnpaddedRange(1016 * 1024, 1016 * 1024)]);
        Assert.Equal([(0UL, 1UL << 20), (2UL << 20, 2UL << 20), (5UL << 20, 3UL << 20)], free);
    }

    [Fact]
    public void Keeping_the_whole_sector_frees_nothing()
    {
        Assert.Empty(SealingTasks.UnsealedRangesToFree(Sector, Size, [new UnpaddedRange(0, Size / 128 * 127)]));
    }

    [Theory]
    [InlineData(0UL, 8UL << 20)]
    [InlineData(8UL * 1016 * 1024, 1016UL)]
    [InlineData(100UL, 1016UL)]
    [InlineData(0UL, 1000UL)]
    public void A_keep_range_outside_the_sector_or_off_the_127_grid_is_refused_naming_the_sector(ulong offset, ulong size)
    {
        var e = Assert.Throws<ArgumentException>(() => SealingTasks.UnsealedRangesToFree(Sector, Size, [new UnpaddedRange(offset, size)]));
        Assert.Contains("s-t01000-3", e.Message, StringComparison.Ordinal);
    }
}
