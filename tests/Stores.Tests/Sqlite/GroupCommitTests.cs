using Dapper;
using System.Data.Common;
using Kiln.Stores.Sql;
using Kiln.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kiln.Stores.Tests.Sqlite;

/// <summary>
/// Group commit (on SQLite): writes queued while a transaction runs go together in the next one, each acknowledged only after
/// that transaction commits; a failing write is undone alone; a write given up while queued never runs.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private const string Schema = "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);";

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-groupcommit-").FullName;
    private string _cs = null!;

    public async Task InitializeAsync() => _cs = await SqliteDatabase.OpenPooledAsync(Path.Combine(_dir, "g.sqlite"), Schema, "restore it", CancellationToken.None);

    public Task DisposeAsync()
    {
        SqliteDatabase.ClearPool(_cs);
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Writes_queued_behind_a_running_transaction_commit_together_in_the_next_one()
    {
        await using var commit = NewCommit();
        var (blocker, release) = await BlockAsync(commit);

        var writes = Enumerable.Range(1, 100).Select(i => commit.WriteAsync((c, tx, ct) => InsertAsync(c, tx, i, ct), CancellationToken.None)).ToList();
        Assert.All(writes, w => Assert.False(w.IsCompleted)); // not acknowledged before their commit
        release.SetResult();
        await blocker;
        await Task.WhenAll(writes);

        Assert.Equal(2, commit.Groups); // the blocker's transaction, then one for all 100
        Assert.Equal(101, commit.Writes);
        Assert.Equal(101, await CountAsync());
    }

    [Fact]
    public async Task A_failing_write_is_undone_alone_and_the_others_of_its_group_commit()
    {
        await using var commit = NewCommit();
        var (blocker, release) = await BlockAsync(commit);

        var first = commit.WriteAsync((c, tx, ct) => InsertAsync(c, tx, 1, ct), CancellationToken.None);
        var failing = commit.WriteAsync(
            async (c, tx, ct) =>
            {
                await InsertAsync(c, tx, 2, ct);
                await InsertAsync(c, tx, 1, ct); // a duplicate key: this write fails after one row of its own
            },
            CancellationToken.None);
        var last = commit.WriteAsync((c, tx, ct) => InsertAsync(c, tx, 3, ct), CancellationToken.None);
        release.SetResult();
        await blocker;

        await first;
        await last;
        var e = await Assert.ThrowsAsync<SqliteException>(() => failing);
        Assert.Equal(19, e.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal(2, commit.Groups);
        await using var c = await SqliteDatabase.ConnectAsync(_cs, CancellationToken.None);
        Assert.Equal([0L, 1, 3], await c.QueryAsync<long>("SELECT id FROM t ORDER BY id"));
    }

    [Fact]
    public async Task A_write_given_up_while_queued_never_runs()
    {
        await using var commit = NewCommit();
        var (blocker, release) = await BlockAsync(commit);
        using var giveUp = new CancellationTokenSource();

        var abandoned = commit.WriteAsync((c, tx, ct) => InsertAsync(c, tx, 7, ct), giveUp.Token);
        await giveUp.CancelAsync();
        release.SetResult();
        await blocker;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal(1, await CountAsync());
    }

    [Fact]
    public async Task Writes_after_dispose_are_refused_and_queued_ones_finish_first()
    {
        var commit = NewCommit();
        var (blocker, release) = await BlockAsync(commit);
        var queued = commit.WriteAsync((c, tx, ct) => InsertAsync(c, tx, 5, ct), CancellationToken.None);
        var disposing = commit.DisposeAsync().AsTask();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => commit.WriteAsync((c, tx, ct) => InsertAsync(c, tx, 6, ct), CancellationToken.None));
        release.SetResult();
        await blocker;
        await queued;
        await disposing;
        Assert.Equal(2, await CountAsync());
    }

    [Fact]
    public async Task Batched_items_of_one_kind_run_as_one_call_and_a_failing_one_is_then_undone_alone()
    {
        await using var commit = NewCommit();
        var calls = new List<int>();
        var insert = new BatchedWrite<int>(async (c, tx, ids) =>
        {
            calls.Add(ids.Count);
            foreach (var id in ids)
            {
                await InsertAsync(c, tx, id, CancellationToken.None);
            }
        });
        var (blocker, release) = await BlockAsync(commit);

        var good = Enumerable.Range(1, 50).Select(i => commit.WriteAsync(insert, i, CancellationToken.None)).ToList();
        release.SetResult();
        await blocker;
        await Task.WhenAll(good);
        Assert.Equal([50], calls); // one call for the 50 queued together

        (blocker, release) = await BlockAsync(commit, id: 100);
        calls.Clear();
        var more = new[] { 101, 1, 102 }.Select(i => commit.WriteAsync(insert, i, CancellationToken.None)).ToList(); // 1 exists already
        release.SetResult();
        await blocker;
        await more[0];
        await more[2];
        await Assert.ThrowsAsync<SqliteException>(() => more[1]);
        Assert.Equal([3, 1, 1, 1], calls); // the batch failed, then each item alone
        Assert.Equal(1 + 50 + 1 + 2, await CountAsync());
    }

    /// <summary>A first write (row 0) that holds the writer until released, once it is running.</summary>
    private static async Task<(Task Blocker, TaskCompletionSource Release)> BlockAsync(GroupCommit commit, int id = 0)
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = commit.WriteAsync(
            async (c, tx, ct) =>
            {
                await InsertAsync(c, tx, id, ct);
                running.SetResult();
                await release.Task;
            },
            CancellationToken.None);
        await running.Task;
        return (blocker, release);
    }

    /// <summary>A group committer over the test database, SQLite's write transaction (BEGIN IMMEDIATE).</summary>
    private GroupCommit NewCommit() => new(
        async ct => await SqliteDatabase.ConnectAsync(_cs, ct),
        (c, _) => Task.FromResult<DbTransaction>(((SqliteConnection)c).BeginTransaction(deferred: false)),
        e => e is SqliteException { SqliteErrorCode: 10 or 13 });

    private static Task InsertAsync(DbConnection c, DbTransaction tx, int id, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition("INSERT INTO t (id, v) VALUES (@id, 'x')", new { id }, tx, cancellationToken: ct));

    private async Task<long> CountAsync()
    {
        await using var c = await SqliteDatabase.ConnectAsync(_cs, CancellationToken.None);
        return await c.ExecuteScalarAsync<long>("SELECT count(*) FROM t");
    }
}
