using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Jobs;

public sealed class JobTrackerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-jobs-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 3, 18, 20, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private JobTrackerOptions Options => new() { DatabasePath = Path.Combine(_dir, "jobs.sqlite"), LogDirectory = Path.Combine(_dir, "logs") };

    [Fact]
    public async Task Finished_job_has_its_duration_and_a_line_in_the_days_log()
    {
        var call = Guid.NewGuid();
        var worker = Guid.Parse("8a4acfbf-0000-4000-8000-000000000001");
        await using (var jobs = await JobTracker.OpenAsync(Options, _time, CancellationToken.None))
        {
            await jobs.StartedAsync(call, "sealer-1", worker, new SectorId(1000, 7), TaskType.PreCommit1, CancellationToken.None);
            _time.Advance(TimeSpan.FromMilliseconds(12745));
            var done = await jobs.FinishedAsync(call, JobOutcome.Succeeded, null, CancellationToken.None);

            Assert.NotNull(done);
            Assert.Equal(TimeSpan.FromMilliseconds(12745), done.Duration);
            Assert.Equal(JobOutcome.Succeeded, done.Outcome);
        }

        var log = await File.ReadAllLinesAsync(Path.Combine(_dir, "logs", "jobs-2026-11-21.log"));
        Assert.Equal(["HostName\tWorker\tSector\tTaskType\tStartTime\tEndTime\tDuration", "sealer-1\t8a4acfbf\t7\tPC1\t2026-11-21 03:18:20\t2026-11-21 03:18:32\t12.745s"], log);
    }

    [Fact]
    public async Task History_survives_a_restart_and_a_second_finish_changes_nothing()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await using (var jobs = await JobTracker.OpenAsync(Options, _time, CancellationToken.None))
        {
            await jobs.StartedAsync(first, "h1", Guid.NewGuid(), new SectorId(1000, 1), TaskType.AddPiece, CancellationToken.None);
            _time.Advance(TimeSpan.FromSeconds(1));
            await jobs.StartedAsync(second, "h2", Guid.NewGuid(), new SectorId(1000, 2), TaskType.AddPiece, CancellationToken.None);
            await jobs.FinishedAsync(first, JobOutcome.Failed, "disk full", CancellationToken.None);
        }

        await using (var jobs = await JobTracker.OpenAsync(Options, _time, CancellationToken.None))
        {
            Assert.Equal(1, await jobs.AbortOrphansAsync([], CancellationToken.None));
            var all = await jobs.ListAsync(10, CancellationToken.None);
            Assert.Equal([second, first], all.Select(j => j.CallId));
            Assert.Equal(JobOutcome.Aborted, all[0].Outcome); // it was running when the miner stopped
            Assert.Equal("miner restarted", all[0].Error);
            Assert.NotNull(all[0].End);
            Assert.Equal("disk full", all[1].Error);

            _time.Advance(TimeSpan.FromSeconds(5));
            await jobs.FinishedAsync(first, JobOutcome.Succeeded, null, CancellationToken.None);
            Assert.Equal(JobOutcome.Failed, (await jobs.GetAsync(first, CancellationToken.None))!.Outcome);
            Assert.Null(await jobs.FinishedAsync(Guid.NewGuid(), JobOutcome.Succeeded, null, CancellationToken.None));
        }

        Assert.Equal(2, (await File.ReadAllLinesAsync(Directory.GetFiles(Path.Combine(_dir, "logs")).Single())).Length);
    }

    [Fact]
    public async Task A_job_whose_call_is_still_awaited_stays_open_across_a_restart_and_finishes_later()
    {
        var awaited = Guid.NewGuid();
        var orphan = Guid.NewGuid();
        await using (var jobs = await JobTracker.OpenAsync(Options, _time, CancellationToken.None))
        {
            await jobs.StartedAsync(awaited, "pc1-host", Guid.NewGuid(), new SectorId(1000, 3), TaskType.PreCommit1, CancellationToken.None);
            await jobs.StartedAsync(orphan, "pc1-host", Guid.NewGuid(), new SectorId(1000, 4), TaskType.AddPiece, CancellationToken.None);
        }

        _time.Advance(TimeSpan.FromMinutes(3));
        await using (var jobs = await JobTracker.OpenAsync(Options, _time, CancellationToken.None))
        {
            Assert.Equal(1, await jobs.AbortOrphansAsync([awaited], CancellationToken.None));
            Assert.Equal(JobOutcome.Aborted, (await jobs.GetAsync(orphan, CancellationToken.None))!.Outcome);
            Assert.Equal(JobOutcome.Running, (await jobs.GetAsync(awaited, CancellationToken.None))!.Outcome);

            var done = await jobs.FinishedAsync(awaited, JobOutcome.Succeeded, null, CancellationToken.None);
            Assert.Equal(TimeSpan.FromMinutes(3), done!.Duration);
        }
    }
}
