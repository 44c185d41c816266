using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Calls;

public sealed class WorkStoreTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly SectorId Sector = new(1000, 9);
    private const string BenchCommR = Kiln.Testing.BenchSector.CommR;
    private const string BenchCommD = Kiln.Testing.BenchSector.CommD;
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-works-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<WorkStore> OpenAsync() => WorkStore.OpenAsync(Path.Combine(_dir, "works.sqlite"), _time, None);

    [Fact]
    public void Work_ids_are_the_task_and_the_params_json_hashed_above_256_bytes()
    {
        var shortId = WorkId.For(TaskType.Finalize, Sector);
        Assert.Equal("""seal/v0/finalize([{"Miner":1000,"Number":9}])""", shortId.ToString());
        Assert.Equal(shortId, WorkId.For(TaskType.Finalize, new SectorId(1000, 9)));

        var pieces = Enumerable.Range(0, 8).Select(i => new PieceInfo(2048, Cid.Parse("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uyuhg33xlp3pxw2hfhsq"))).ToArray();
        var longId = WorkId.For(TaskType.PreCommit1, Sector, new byte[32], pieces);
        Assert.Matches("^[0-9a-f]{64}$", longId.Params);
        Assert.NotEqual(longId, WorkId.For(TaskType.PreCommit1, Sector, Enumerable.Repeat((byte)1, 32).ToArray(), pieces));
        Assert.True(WorkId.IsPersisted(TaskType.PreCommit1));
        Assert.False(WorkId.IsPersisted(TaskType.AddPiece));
    }

    [Fact]
    public async Task A_running_work_and_its_result_survive_a_reopen_and_a_result_lands_only_once()
    {
        var id = WorkId.For(TaskType.PreCommit1, Sector, new byte[32]);
        var call = new CallId(Sector, Guid.NewGuid());
        await using (var works = await OpenAsync())
        {
            await works.StartAsync(id, Sector, None);
            Assert.False(await works.CompleteAsync(call, new byte[] { 1 }, null, None)); // not running yet: no such call
            await works.RunningAsync(id, call, Guid.Parse("11111111-2222-3333-4444-555555555555"), "pc1-host", None);
        }

        await using (var works = await OpenAsync())
        {
            var running = await works.GetAsync(id, None);
            Assert.Equal(WorkStatus.Running, running!.Status);
            Assert.Equal(call, running.Call);
            Assert.Equal("pc1-host", running.HostName);

            Assert.True(await works.CompleteAsync(call, new byte[] { 7, 8, 9 }, null, None));
            Assert.False(await works.CompleteAsync(call, new byte[] { 0 }, null, None));
        }

        await using (var works = await OpenAsync())
        {
            var done = await works.GetAsync(id, None);
            Assert.Equal(WorkStatus.Done, done!.Status);
            var result = done.ToResult();
            Assert.True(result.Succeeded);
            Assert.Equal([7, 8, 9], ((JsonElement)result.Value!).Deserialize<byte[]>());

            await works.RemoveAsync(id, None);
            Assert.Null(await works.GetAsync(id, None));
            Assert.Empty(await works.ListAsync(None));
        }
    }

    [Fact]
    public async Task A_failed_call_keeps_its_error_and_a_new_dispatch_starts_clean()
    {
        var id = WorkId.For(TaskType.PreCommit1, Sector, new byte[32]);
        var call = new CallId(Sector, Guid.NewGuid());
        await using var works = await OpenAsync();
        await works.StartAsync(id, Sector, None);
        await works.RunningAsync(id, call, Guid.NewGuid(), "h", None);
        Assert.True(await works.CompleteAsync(call, null, new CallError(CallError.ErrTempWorkerRestart, "worker [name: h] restarted"), None));
        var failed = (await works.GetAsync(id, None))!.ToResult();
        Assert.Equal(new CallError(CallError.ErrTempWorkerRestart, "worker [name: h] restarted"), failed.Error);
        Assert.Null(failed.Value);

        await works.StartAsync(id, Sector, None);
        var restarted = await works.GetAsync(id, None);
        Assert.Equal(WorkStatus.Start, restarted!.Status);
        Assert.Null(restarted.Call);
        Assert.Null(restarted.Error);
    }

    /// <summary>Lotus storage/sealer/manager.go keeps work results by WorkID (m.results); so does the store for a given-up call.</summary>
    [Fact]
    public async Task A_given_up_calls_late_result_is_kept_under_its_work_across_a_reopen_and_taken_once()
    {
        var id = WorkId.For(TaskType.PreCommit2, Sector, new byte[] { 1, 2, 3 });
        var other = WorkId.For(TaskType.PreCommit2, new SectorId(1000, 10), new byte[] { 1, 2, 3 });
        var call = new CallId(Sector, Guid.NewGuid());
        var worker = Guid.Parse("11111111-2222-3333-4444-555555555555");
        await using (var works = await OpenAsync())
        {
            await works.StartAsync(id, Sector, None);
            await works.RunningAsync(id, call, worker, "pc2-host", None);
            Assert.True(await works.GiveUpAsync(id, None));
            Assert.Null(await works.GetAsync(id, None)); // the work's row is gone: a re-dispatch starts clean
            Assert.False(await works.CompleteAsync(call, new byte[] { 9 }, null, None));
        }

        await using (var works = await OpenAsync())
        {
            var cids = new SectorCids(Cid.Parse(BenchCommD), Cid.Parse(BenchCommR));
            Assert.Equal(LateReturn.Unknown, await works.KeepLateAsync(new CallId(Sector, Guid.NewGuid()), cids, null, None));
            Assert.Equal(LateReturn.Kept, await works.KeepLateAsync(call, cids, null, None));
            Assert.Equal(LateReturn.Unknown, await works.KeepLateAsync(call, cids, null, None)); // a second copy is not kept twice
            Assert.Null(await works.TakeLateAsync(other, None));
        }

        await using (var works = await OpenAsync())
        {
            var kept = await works.TakeLateAsync(id, None);
            Assert.Equal(WorkStatus.Done, kept!.Status);
            Assert.Equal(call, kept.Call);
            Assert.Equal(worker, kept.Worker);
            Assert.Equal("pc2-host", kept.HostName);
            var value = ((JsonElement)kept.ToResult().Value!).Deserialize<SectorCids>(ApiJson.Options);
            Assert.Equal(BenchCommR, value.Sealed.ToString());
            Assert.Equal(BenchCommD, value.Unsealed.ToString());
            Assert.Null(await works.TakeLateAsync(id, None));
        }
    }

    [Fact]
    public async Task A_given_up_calls_late_error_is_dropped_and_a_finished_work_forgets_its_given_up_calls()
    {
        var id = WorkId.For(TaskType.Commit2, Sector, new byte[] { 4 });
        var lost = new CallId(Sector, Guid.NewGuid());
        var alsoLost = new CallId(Sector, Guid.NewGuid());
        await using var works = await OpenAsync();
        await works.StartAsync(id, Sector, None);
        await works.RunningAsync(id, lost, Guid.NewGuid(), "a", None);
        Assert.True(await works.GiveUpAsync(id, None));
        Assert.Equal(LateReturn.Dropped, await works.KeepLateAsync(lost, null, new CallError(CallError.ErrTempWorkerRestart, "worker restarted"), None));
        Assert.Equal(LateReturn.Unknown, await works.KeepLateAsync(lost, new byte[] { 1 }, null, None));

        await works.StartAsync(id, Sector, None);
        await works.RunningAsync(id, alsoLost, Guid.NewGuid(), "b", None);
        Assert.True(await works.GiveUpAsync(id, None));
        await works.ForgetGivenUpAsync(id, None); // the next dispatch finished the work on another worker
        Assert.Equal(LateReturn.Unknown, await works.KeepLateAsync(alsoLost, new byte[] { 1 }, null, None));
        Assert.Null(await works.TakeLateAsync(id, None));
        Assert.False(await works.GiveUpAsync(id, None)); // nothing running under that work any more
    }
}
