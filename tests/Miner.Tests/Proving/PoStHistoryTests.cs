using Kiln.Miner.Chain;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Microsoft.Data.Sqlite;

namespace Kiln.Miner.Tests.Proving;

/// <summary>
/// The one PoSt history: deadline outcomes and proof timelines in one store, and a miner repo of the old layout
/// (outcomes in <c>deadlines.sqlite</c>, timelines in <c>jobs.sqlite</c>'s <c>post_timeline</c>) opened without losing either.
/// </summary>
public sealed class PoStHistoryTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private static readonly Guid Worker = Guid.Parse("0c6a3f4e-2222-4000-8000-000000000002");
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-post-history-").FullName;

    private string DeadlinesPath => Path.Combine(_dir, "deadlines.sqlite");

    private string JobsPath => Path.Combine(_dir, PoStHistory.LegacyTimelineDatabase);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_repo_of_the_old_layout_shows_its_deadlines_and_timelines_and_is_copied_once()
    {
        await ExecuteAsync(
            DeadlinesPath,
            """
            CREATE TABLE deadlines (idx INTEGER PRIMARY KEY, open_epoch INTEGER NOT NULL, sectors INTEGER NOT NULL, skipped INTEGER NOT NULL,
                partitions INTEGER NOT NULL, proven_ms INTEGER NOT NULL, outcome TEXT NOT NULL, error TEXT NULL);
            INSERT INTO deadlines VALUES (7, 420, 4, 1, 2, 1795161602500, 'Succeeded', NULL);
            INSERT INTO deadlines VALUES (9, 540, 2, 0, 0, 1795161610000, 'Failed', 'deadline 9 closed at epoch 600 before its window PoSt of 2 sectors finished');
            """);
        await ExecuteAsync(
            JobsPath,
            """
            CREATE TABLE post_timeline (proof TEXT NOT NULL, epoch INTEGER NOT NULL, deadline INTEGER NOT NULL, phase TEXT NOT NULL, partition INTEGER NULL,
                host TEXT NOT NULL, worker TEXT NOT NULL, start_us INTEGER NOT NULL, end_us INTEGER NOT NULL, sectors INTEGER NOT NULL, outcome TEXT NOT NULL, detail TEXT NULL);
            INSERT INTO post_timeline VALUES ('window', 420, 7, 'challenges', NULL, 'miner-host', '00000000-0000-0000-0000-000000000000', 1795161600000000, 1795161600040000, 4, 'Succeeded', '2 partitions of up to 2 sectors');
            INSERT INTO post_timeline VALUES ('window', 420, 7, 'partition', 1, 'post-1', '0c6a3f4e-2222-4000-8000-000000000002', 1795161600040000, 1795161602300000, 2, 'Skipped', '1 sectors skipped');
            INSERT INTO post_timeline VALUES ('window', 420, 7, 'deadline', NULL, 'miner-host', '00000000-0000-0000-0000-000000000000', 1795161600000000, 1795161602500000, 3, 'Succeeded', '3 sectors proven, 1 skipped');
            INSERT INTO post_timeline VALUES ('winning', 500, -1, 'round', NULL, 'miner-host', '00000000-0000-0000-0000-000000000000', 1795161605000000, 1795161605200000, 1, 'Succeeded', NULL);
            """);

        await using (var history = await PoStHistory.OpenAsync(DeadlinesPath, TimeProvider.System, Ct))
        {
            var deadlines = await history.ListDeadlinesAsync(Ct);
            Assert.Equal(
                [
                    new DeadlineRecord(7, 420, 4, 1, 2, DateTimeOffset.FromUnixTimeMilliseconds(1795161602500), "Succeeded", null),
                    new DeadlineRecord(9, 540, 2, 0, 0, DateTimeOffset.FromUnixTimeMilliseconds(1795161610000), "Failed", "deadline 9 closed at epoch 600 before its window PoSt of 2 sectors finished"),
                ],
                deadlines);

            var steps = await history.LatestTimelineAsync(PoStTimelineEntry.WindowProof, 7, Ct);
            Assert.Equal(["challenges", "deadline", "partition"], steps.Select(s => s.Phase));
            var partition = steps.Single(s => s.Phase == "partition");
            Assert.Equal(("post-1", Worker, 1, "Skipped", "1 sectors skipped"), (partition.Host, partition.Worker, partition.Partition!.Value, partition.Outcome, partition.Detail));
            Assert.Equal(TimeSpan.FromMilliseconds(2260), partition.Duration);
            Assert.Equal(TimeSpan.FromMilliseconds(2500), (await history.LatestDeadlinesAsync(Ct))[7].Duration);
            Assert.Equal((500L, "round"), Assert.Single(await history.LatestTimelineAsync(PoStTimelineEntry.WinningProof, -1, Ct)) is var r ? (r.Epoch, r.Phase) : default);
        }

        // Opened again (a restart): the old rows are not copied a second time, and the old table is left as it was.
        await using (var again = await PoStHistory.OpenAsync(DeadlinesPath, TimeProvider.System, Ct))
        {
            Assert.Equal(3, (await again.LatestTimelineAsync(PoStTimelineEntry.WindowProof, 7, Ct)).Count);
            Assert.Single(await again.LatestTimelineAsync(PoStTimelineEntry.WinningProof, -1, Ct));
        }

        Assert.Equal(4L, await ScalarAsync(JobsPath, "SELECT COUNT(*) FROM post_timeline"));

        // The job tracker still opens its file, which no longer needs the timeline table.
        await using var jobs = await JobTracker.OpenAsync(new JobTrackerOptions { DatabasePath = JobsPath }, TimeProvider.System, Ct);
        Assert.Empty(await jobs.ListAsync(10, Ct));
    }

    [Fact]
    public async Task A_new_repo_keeps_outcomes_and_timelines_together_and_a_later_proof_of_a_deadline_is_the_latest()
    {
        await using var history = await PoStHistory.OpenAsync(DeadlinesPath, TimeProvider.System, Ct);
        Assert.Empty(await history.ListDeadlinesAsync(Ct));
        Assert.False(File.Exists(JobsPath));

        await history.RecordTimelineAsync([Step(180, "deadline", "Failed", 0, 900)], Ct);
        await history.RecordDeadlineAsync(new DeadlineRecord(3, 180, 2, 0, 0, T0, "Failed", "no window worker"), Ct);
        var later = 180 + DeadlineInfo.ProvingPeriod;
        await history.RecordTimelineAsync([Step(later, "partition", "Succeeded", 10, 400), Step(later, "deadline", "Succeeded", 0, 500)], Ct);
        await history.RecordDeadlineAsync(new DeadlineRecord(3, later, 2, 0, 1, T0.AddHours(1), "Succeeded", null), Ct);

        Assert.Equal(new DeadlineRecord(3, later, 2, 0, 1, T0.AddHours(1), "Succeeded", null), Assert.Single(await history.ListDeadlinesAsync(Ct)));
        var latest = await history.LatestTimelineAsync(PoStTimelineEntry.WindowProof, 3, Ct);
        Assert.Equal(["deadline", "partition"], latest.Select(s => s.Phase));
        Assert.All(latest, s => Assert.Equal(later, s.Epoch));
        Assert.Equal(("Succeeded", TimeSpan.FromMilliseconds(500)), (await history.LatestDeadlinesAsync(Ct))[3] is var d ? (d.Outcome, d.Duration) : default);
    }

    private static PoStTimelineEntry Step(long epoch, string phase, string outcome, int fromMs, int toMs) =>
        new(PoStTimelineEntry.WindowProof, epoch, 3, phase, phase == "partition" ? 0 : null, "miner-host", Guid.Empty, T0.AddMilliseconds(fromMs), T0.AddMilliseconds(toMs), 2, outcome, null);

    private static async Task ExecuteAsync(string path, string sql)
    {
        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string path, string sql)
    {
        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
