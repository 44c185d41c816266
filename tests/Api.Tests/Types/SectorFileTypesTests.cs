using Kiln.Api.Types;

namespace Kiln.Api.Tests.Types;

public sealed class SectorFileTypesTests
{
    private const ulong GiB32 = 32UL << 30;

    [Theory]
    [InlineData(SectorFileType.Unsealed, "unsealed", 1)]
    [InlineData(SectorFileType.Sealed, "sealed", 2)]
    [InlineData(SectorFileType.Cache, "cache", 4)]
    [InlineData(SectorFileType.Update, "update", 8)]
    [InlineData(SectorFileType.UpdateCache, "update-cache", 16)]
    [InlineData(SectorFileType.Piece, "piece", 32)]
    public void Single_types_have_their_directory_names_both_ways(SectorFileType type, string name, int bit)
    {
        Assert.Equal(bit, (int)type);
        Assert.Equal(name, SectorFileTypes.Format(type));
        Assert.Equal(type, SectorFileTypes.Parse(name));
    }

    [Fact]
    public void Masks_format_like_go()
    {
        Assert.Equal(63, (int)SectorFileType.All);
        Assert.Equal("<unknown 6 [sealed cache]>", SectorFileTypes.Format(SectorFileType.Sealed | SectorFileType.Cache));
        Assert.Equal("<unknown 0 []>", SectorFileTypes.Format(SectorFileType.None));
        Assert.Equal(["unsealed", "sealed", "cache", "update", "update-cache", "piece"], SectorFileTypes.Names(SectorFileType.All));
        Assert.Equal([SectorFileType.Sealed, SectorFileType.Cache], SectorFileTypes.AllSet(SectorFileType.Cache | SectorFileType.Sealed));
    }

    [Fact]
    public void Seal_and_store_space_follow_the_overhead_tables()
    {
        var pc1 = SectorFileType.Unsealed | SectorFileType.Sealed | SectorFileType.Cache;
        Assert.Equal((10 + 10 + 141) * GiB32 / 10, SectorFileTypes.SealSpaceUse(pc1, GiB32));
        Assert.Equal(21 * GiB32 / 10, SectorFileTypes.SealSpaceUse(SectorFileType.UpdateCache, GiB32));
        Assert.Equal((10 + 1) * GiB32 / 10, SectorFileTypes.StoreSpaceUse(SectorFileType.Sealed | SectorFileType.Cache, GiB32));
        Assert.Equal(GiB32 / 10, SectorFileTypes.StoreSpaceUse(SectorFileType.UpdateCache, GiB32));
        Assert.Equal(0UL, SectorFileTypes.SealSpaceUse(SectorFileType.None, GiB32));
        Assert.Throws<ArgumentOutOfRangeException>(() => SectorFileTypes.SealOverhead(SectorFileType.Sealed | SectorFileType.Cache));
    }

    [Fact]
    public void Allow_and_deny_lists_ignore_unknown_names()
    {
        Assert.True(SectorFileTypes.Allowed(SectorFileType.Sealed, null, null));
        Assert.False(SectorFileTypes.Allowed(SectorFileType.Sealed, ["cache"], null));
        Assert.True(SectorFileTypes.Allowed(SectorFileType.Sealed, ["sealed", "bogus"], null));
        Assert.False(SectorFileTypes.Allowed(SectorFileType.Sealed | SectorFileType.Cache, null, ["cache"]));
        Assert.True(SectorFileTypes.AnyAllowed(SectorFileType.Sealed | SectorFileType.Cache, null, ["cache"]));
        Assert.False(SectorFileTypes.AnyAllowed(SectorFileType.Cache, ["sealed"], null));
    }
}
