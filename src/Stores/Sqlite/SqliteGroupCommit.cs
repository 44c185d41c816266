using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Kiln.Stores.Sqlite;

/// <summary>
/// Group commit for one SQLite database: writes arriving concurrently are queued and run by one writer, as many as
/// are waiting in one transaction (<c>BEGIN IMMEDIATE</c>), each in its own savepoint, so that one failing write
/// rolls back alone and the rest commit together with one WAL sync. A write is acknowledged only after its
/// transaction has committed (with <c>synchronous = FULL</c>, on disk); a write whose caller gave up while it was
/// still queued is not run. Durability is the same as one transaction per write; the cost of the sync is shared.
/// </summary>
public sealed class SqliteGroupCommit : IAsyncDisposable
{
    /// <summary>At most this many writes share one transaction (bounds the time a reader waits behind a checkpoint).</summary>
    public const int MaxGroup = 4096;

    private readonly string _connectionString;
    private readonly int _maxGroup;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private long _groups;
    private long _writes;

    /// <summary>A group committer for the pooled database of <paramref name="connectionString"/>; <paramref name="maxGroup"/> 1 is one transaction per write (for comparison).</summary>
    public SqliteGroupCommit(string connectionString, int maxGroup = MaxGroup)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroup, 1);
        _connectionString = connectionString;
        _maxGroup = maxGroup;
        _writer = Task.Run(RunAsync);
    }

    /// <summary>Transactions committed so far.</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>Writes committed so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Runs <paramref name="write"/> in the next group's transaction; completes once that transaction has committed.</summary>
    /// <exception cref="ObjectDisposedException">The database is closing.</exception>
    public async Task WriteAsync(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task> write, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(write);
        ct.ThrowIfCancellationRequested();
        var pending = new Pending(write, ct);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(SqliteGroupCommit), "the index database is closing; the write was not made");
        }

        await pending.Done.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var group = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            while (group.Count < _maxGroup && _queue.Reader.TryRead(out var next))
            {
                if (next.Token.IsCancellationRequested)
                {
                    next.Done.TrySetCanceled(next.Token);
                    continue;
                }

                group.Add(next);
            }

            if (group.Count > 0)
            {
                await CommitAsync(group).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitAsync(List<Pending> group)
    {
        var failed = new Dictionary<Pending, Exception>();
        try
        {
            var c = await SqliteDatabase.ConnectAsync(_connectionString, CancellationToken.None).ConfigureAwait(false);
            await using var cScope = c.ConfigureAwait(false);
            using var tx = c.BeginTransaction(deferred: false);
            for (var i = 0; i < group.Count; i++)
            {
                var savepoint = "w" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await tx.SaveAsync(savepoint).ConfigureAwait(false);
                try
                {
                    // Once in a group a write runs to the end: its caller's token no longer applies.
                    await group[i].Write(c, tx, CancellationToken.None).ConfigureAwait(false);
                    await tx.ReleaseAsync(savepoint).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not SqliteException { SqliteErrorCode: 10 or 13 })
                {
                    // Not an I/O error or a full disk: this write alone is undone.
                    await tx.RollbackAsync(savepoint).ConfigureAwait(false);
                    await tx.ReleaseAsync(savepoint).ConfigureAwait(false);
                    failed[group[i]] = e;
                }
            }

            await tx.CommitAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The transaction itself failed: nothing of the group is on disk.
            foreach (var p in group)
            {
                p.Done.TrySetException(e);
            }

            return;
        }

        Interlocked.Increment(ref _groups);
        Interlocked.Add(ref _writes, group.Count - failed.Count);
        foreach (var p in group)
        {
            if (failed.TryGetValue(p, out var e))
            {
                p.Done.TrySetException(e);
            }
            else
            {
                p.Done.TrySetResult();
            }
        }
    }

    private sealed record Pending(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task> Write, CancellationToken Token)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
