using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Tests.Types;

public sealed class TaskTypesTests
{
    [Theory]
    [InlineData(TaskType.RegenSectorKey, "seal/v0/regensectorkey", "GSK", 11)]
    [InlineData(TaskType.DataCid, "seal/v0/datacid", "DC", 10)]
    [InlineData(TaskType.AddPiece, "seal/v0/addpiece", "AP", 9)]
    [InlineData(TaskType.ReplicaUpdate, "seal/v0/replicaupdate", "RU", 8)]
    [InlineData(TaskType.ProveReplicaUpdate2, "seal/v0/provereplicaupdate/2", "PR2", 7)]
    [InlineData(TaskType.ProveReplicaUpdate1, "seal/v0/provereplicaupdate/1", "PR1", 6)]
    [InlineData(TaskType.PreCommit1, "seal/v0/precommit/1", "PC1", 5)]
    [InlineData(TaskType.PreCommit2, "seal/v0/precommit/2", "PC2", 4)]
    [InlineData(TaskType.Commit2, "seal/v0/commit/2", "C2", 3)]
    [InlineData(TaskType.Commit1, "seal/v0/commit/1", "C1", 2)]
    [InlineData(TaskType.Unseal, "seal/v0/unseal", "UNS", 1)]
    [InlineData(TaskType.FinalizeReplicaUpdate, "seal/v0/finalize/replicaupdate", "FRU", 0)]
    [InlineData(TaskType.Fetch, "seal/v0/fetch", "GET", -1)]
    [InlineData(TaskType.DownloadSector, "seal/v0/download/sector", "DL", -2)]
    [InlineData(TaskType.Finalize, "seal/v0/finalize", "FIN", -3)]
    [InlineData(TaskType.FinalizeUnsealed, "seal/v0/finalizeunsealed", "FUS", -4)]
    [InlineData(TaskType.GenerateWindowPoSt, "post/v0/windowproof", "WDP", -5)]
    [InlineData(TaskType.GenerateWinningPoSt, "post/v0/winningproof", "WNP", -6)]
    public void Ids_short_names_and_order_are_lotus(TaskType type, string id, string shortName, int order)
    {
        Assert.Equal(id, TaskTypes.Id(type));
        Assert.Equal(shortName, TaskTypes.ShortName(type));
        Assert.Equal(order, TaskTypes.Order(type));
        Assert.Equal(type, TaskTypes.Parse(id));
        Assert.True(TaskTypes.TryParseShortName(shortName, out var back));
        Assert.Equal(type, back);
        Assert.Equal($"\"{id}\"", System.Text.Json.JsonSerializer.Serialize(type, ApiJson.Options));
    }

    [Fact]
    public void Every_enum_value_is_in_the_table()
    {
        Assert.Equal(Enum.GetValues<TaskType>().Order(), TaskTypes.All.Order());
    }

    [Fact]
    public void Scheduling_and_keys()
    {
        Assert.True(TaskTypes.Less(TaskType.Fetch, TaskType.PreCommit1));
        Assert.False(TaskTypes.Less(TaskType.AddPiece, TaskType.PreCommit1));
        Assert.Equal("8:seal/v0/precommit/1", TaskTypes.SealTaskKey(RegisteredSealProof.StackedDrg32GiBV1_1, TaskType.PreCommit1));
        Assert.True(TaskTypes.IsPoSt(TaskType.GenerateWindowPoSt));
        Assert.False(TaskTypes.IsPoSt(TaskType.Commit2));
        Assert.False(TaskTypes.TryParseShortName("pc1", out _));
    }
}
