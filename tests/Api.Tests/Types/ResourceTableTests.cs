using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Tests.Types;

public sealed class ResourceTableTests
{
    [Fact]
    public void Default_table_serializes_to_the_documented_table()
    {
        Assert.Equal(LotusDocVectors.ResourceTable, JsonSerializer.Serialize(ResourceTable.Default, ApiJson.Options));
    }

    [Fact]
    public void Known_rows_have_lotus_values()
    {
        var pc1 = ResourceTable.Default[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1];
        Assert.Equal(56UL << 30, pc1.MinMemory);
        Assert.Equal(64UL << 30, pc1.MaxMemory);
        Assert.Equal(1, pc1.MaxParallelism);
        Assert.Equal(4UL << 30, ResourceTable.Default[TaskType.AddPiece][RegisteredSealProof.StackedDrg32GiBV1].MinMemory);
    }

    [Fact]
    public void Environment_overrides_apply_per_size_then_globally()
    {
        var env = new Dictionary<string, string>
        {
            ["PC1_32G_MAX_CONCURRENT"] = "4",
            ["PC1_MAX_MEMORY"] = "1000",
            ["AP_2K_MIN_MEMORY"] = "7",
        };
        var table = ResourceTable.WithOverrides(k => env.GetValueOrDefault(k));
        Assert.Equal(4, table[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1].MaxConcurrent);
        Assert.Equal(0, table[TaskType.PreCommit1][RegisteredSealProof.StackedDrg64GiBV1_1].MaxConcurrent);
        Assert.Equal(1000UL, table[TaskType.PreCommit1][RegisteredSealProof.StackedDrg64GiBV1_1].MaxMemory);
        Assert.Equal(7UL, table[TaskType.AddPiece][RegisteredSealProof.StackedDrg2KiBV1_1].MinMemory);
        Assert.Equal(8388608UL, table[TaskType.AddPiece][RegisteredSealProof.StackedDrg8MiBV1_1].MinMemory);
        Assert.Throws<FormatException>(() => ResourceTable.WithOverrides(k => k == "PC1_MIN_MEMORY" ? "lots" : null));
    }
}
