using Kiln.Api.Types;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Workers;

public sealed class WorkerTaskTypesTests
{
    [Fact]
    public async Task Tasks_disabled_on_a_worker_leave_its_handle_at_the_next_heartbeat_and_come_back_when_enabled()
    {
        var fake = new FakeWorker { Tasks = [TaskType.AddPiece, TaskType.PreCommit1, TaskType.Commit1, TaskType.Fetch] };
        var registry = new WorkerRegistry(_ => fake, new WorkerRegistryOptions(), TimeProvider.System, NullLogger<WorkerRegistry>.Instance);
        var worker = await registry.ConnectAsync("http://w/rpc/v0", CancellationToken.None);
        var selector = TaskSelector.Instance;
        Assert.True(await selector.OkAsync(worker, TaskType.Commit1, RegisteredSealProof.StackedDrg2KiBV1_1, CancellationToken.None));

        fake.Tasks.Remove(TaskType.Commit1); // kiln-worker tasks disable C1
        Assert.True(worker.Tasks.Contains(TaskType.Commit1), "nothing changes before the heartbeat asks");
        await registry.HeartbeatAsync(CancellationToken.None);
        Assert.True(worker.Tasks.SetEquals([TaskType.AddPiece, TaskType.PreCommit1, TaskType.Fetch]));
        Assert.False(await selector.OkAsync(worker, TaskType.Commit1, RegisteredSealProof.StackedDrg2KiBV1_1, CancellationToken.None));

        fake.Tasks.Add(TaskType.Commit1);
        await registry.HeartbeatAsync(CancellationToken.None);
        Assert.True(await selector.OkAsync(worker, TaskType.Commit1, RegisteredSealProof.StackedDrg2KiBV1_1, CancellationToken.None));
    }
}
