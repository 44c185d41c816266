namespace Kiln.Proofs.Tests.Core;

public sealed class SealProofInfoTests
{
    [Theory]
    [InlineData(0, "StackedDrg2KiBV1", 2048UL, 64UL, 2, ProofsApiVersion.V1_0_0, SealProofFeatures.None)]
    [InlineData(3, "StackedDrg32GiBV1", 34359738368UL, 1073741824UL, 11, ProofsApiVersion.V1_0_0, SealProofFeatures.None)]
    [InlineData(6, "StackedDrg8MiBV1_1", 8388608UL, 262144UL, 2, ProofsApiVersion.V1_1_0, SealProofFeatures.None)]
    [InlineData(9, "StackedDrg64GiBV1_1", 68719476736UL, 2147483648UL, 11, ProofsApiVersion.V1_1_0, SealProofFeatures.None)]
    [InlineData(12, "StackedDrg512MiBV1_1_Feat_SyntheticPoRep", 536870912UL, 16777216UL, 2, ProofsApiVersion.V1_2_0, SealProofFeatures.SyntheticPoRep)]
    [InlineData(18, "StackedDrg32GiBV1_2_Feat_NonInteractivePoRep", 34359738368UL, 1073741824UL, 11, ProofsApiVersion.V1_2_0, SealProofFeatures.NonInteractivePoRep)]
    public void Table_row_matches_the_registry(long id, string name, ulong size, ulong nodes, int layers, ProofsApiVersion version, SealProofFeatures features)
    {
        var p = SealProofInfo.Get(id);
        Assert.Equal(name, p.Name);
        Assert.Equal(size, p.SectorSize);
        Assert.Equal(nodes, p.Nodes);
        Assert.Equal(layers, p.Layers);
        Assert.Equal(version, p.ApiVersion);
        Assert.Equal(features, p.Features);
    }

    [Fact]
    public void All_twenty_ids_exist_and_porep_id_is_the_id_little_endian()
    {
        var all = SealProofInfo.All.ToArray();
        Assert.Equal(20, all.Length);
        for (var id = 0; id < 20; id++)
        {
            var porep = SealProofInfo.Get(id).PoRepId.ToArray();
            Assert.Equal(32, porep.Length);
            Assert.Equal((byte)id, porep[0]);
            Assert.All(porep[1..], b => Assert.Equal(0, b));
        }
    }

    [Theory]
    [InlineData(2048UL, "StackedDrg2KiBV1")]
    [InlineData(34359738368UL, "StackedDrg32GiBV1")]
    [InlineData(68719476736UL, "StackedDrg64GiBV1")]
    public void Labels_variant_is_chosen_by_sector_size_only(ulong size, string variant)
    {
        foreach (var p in SealProofInfo.All.Where(p => p.SectorSize == size))
        {
            Assert.Equal(variant, p.LabelsVariantName);
        }
    }

    [Fact]
    public void Unknown_proof_id_is_a_clear_error()
    {
        var e = Assert.Throws<ProofsException>(() => SealProofInfo.Get(20));
        Assert.Contains("unknown RegisteredSealProof 20", e.Message, StringComparison.Ordinal);
        Assert.Throws<ProofsException>(() => SealProofInfo.ForSectorSize(4096));
        Assert.False(SealProofInfo.TryParseName("StackedDrg4KiBV1", out _));
        Assert.True(SealProofInfo.TryParseName("StackedDrg2KiBV1_1", out var p));
        Assert.Equal(RegisteredSealProof.StackedDrg2KiBV1_1, p.Proof);
    }

    [Theory]
    [InlineData("2KiB", 2048UL)]
    [InlineData("2K", 2048UL)]
    [InlineData("2k", 2048UL)]
    [InlineData("8MiB", 8388608UL)]
    [InlineData("512MiB", 536870912UL)]
    [InlineData("32GiB", 34359738368UL)]
    [InlineData("64GiB", 68719476736UL)]
    [InlineData("64G", 68719476736UL)]
    [InlineData("2048", 2048UL)]
    public void Sizes_parse_as_lotus_does(string text, ulong bytes)
    {
        Assert.Equal(bytes, SectorSizes.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("KiB")]
    [InlineData("-2KiB")]
    [InlineData("2XB")]
    public void Bad_sizes_are_rejected(string text)
    {
        Assert.Throws<FormatException>(() => SectorSizes.Parse(text));
    }

    [Theory]
    [InlineData(2048UL, "2KiB")]
    [InlineData(8388608UL, "8MiB")]
    [InlineData(34359738368UL, "32GiB")]
    [InlineData(1000UL, "1000B")]
    public void Sizes_format_as_lotus_prints_them(ulong bytes, string text)
    {
        Assert.Equal(text, SectorSizes.Format(bytes));
    }
}
