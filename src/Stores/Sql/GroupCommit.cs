using System.Data.Common;
using System.Threading.Channels;

namespace Kiln.Stores.Sql;

/// <summary>
/// Group commit for one database (SQLite or PostgreSQL): writes arriving concurrently are queued and run by one
/// writer, as many as are waiting in one write transaction, each in its own savepoint, so that one failing write rolls
/// back alone and the rest commit together with one sync of the log. A write is acknowledged only after its
/// transaction has committed (SQLite with <c>synchronous = FULL</c>, PostgreSQL with <c>fsync</c>: on disk); a write
/// whose caller gave up while it was still queued is not run. Durability is the same as one transaction per write;
/// the cost of the sync is shared.
/// </summary>
public sealed class GroupCommit : IAsyncDisposable
{
    /// <summary>At most this many writes share one transaction (bounds the time a reader waits behind a checkpoint).</summary>
    public const int MaxGroup = 4096;

    private readonly Func<CancellationToken, Task<DbConnection>> _connect;
    private readonly Func<DbConnection, CancellationToken, Task<DbTransaction>> _begin;
    private readonly Func<Exception, bool> _isFatal;
    private readonly int _maxGroup;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private long _groups;
    private long _writes;

    /// <summary>
    /// A group committer over <paramref name="connect"/> (a pooled connection per group) whose groups run in the write
    /// transaction <paramref name="begin"/> opens; an exception <paramref name="isFatal"/> names (an I/O error, a full
    /// disk, a lost connection) fails the whole group. <paramref name="maxGroup"/> 1 is one transaction per write (for
    /// comparison).
    /// </summary>
    public GroupCommit(Func<CancellationToken, Task<DbConnection>> connect, Func<DbConnection, CancellationToken, Task<DbTransaction>> begin, Func<Exception, bool> isFatal, int maxGroup = MaxGroup)
    {
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(begin);
        ArgumentNullException.ThrowIfNull(isFatal);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroup, 1);
        _connect = connect;
        _begin = begin;
        _isFatal = isFatal;
        _maxGroup = maxGroup;
        _writer = Task.Run(RunAsync);
    }

    /// <summary>Transactions committed so far.</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>Writes committed so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Runs <paramref name="write"/> in the next group's transaction; completes once that transaction has committed.</summary>
    /// <exception cref="ObjectDisposedException">The database is closing.</exception>
    public async Task WriteAsync(Func<DbConnection, DbTransaction, CancellationToken, Task> write, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(write);
        ct.ThrowIfCancellationRequested();
        var pending = new Pending(write, null, null, ct);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommit), "the database is closing; the write was not made");
        }

        await pending.Done.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Adds <paramref name="item"/> to the next group: consecutive items of <paramref name="kind"/> in a group run as one
    /// call of its statement (one round trip for many rows); completes once that transaction has committed.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The database is closing.</exception>
    public async Task WriteAsync<T>(BatchedWrite<T> kind, T item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ct.ThrowIfCancellationRequested();
        var pending = new Pending(null, kind, item, ct);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommit), "the database is closing; the write was not made");
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

    /// <summary>
    /// Runs the group in one transaction, first without savepoints (one round trip per statement on a server); only
    /// when a write fails is the transaction rolled back and the group run again with a savepoint around each write,
    /// so that the failing one is undone alone.
    /// </summary>
    private async Task CommitAsync(List<Pending> group)
    {
        var failed = new Dictionary<Pending, Exception>();
        try
        {
            if (!await TryRunAsync(group, failed, isolate: false).ConfigureAwait(false))
            {
                failed.Clear();
                await TryRunAsync(group, failed, isolate: true).ConfigureAwait(false);
            }
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

    /// <summary>
    /// One transaction over the group; false when a write failed without <paramref name="isolate"/> (the transaction is
    /// then rolled back: nothing of it is kept). With <paramref name="isolate"/>, a failing write is undone alone and
    /// noted in <paramref name="failed"/>. Committed when it returns true.
    /// </summary>
    private async Task<bool> TryRunAsync(List<Pending> group, Dictionary<Pending, Exception> failed, bool isolate)
    {
        var c = await _connect(CancellationToken.None).ConfigureAwait(false);
        await using var cScope = c.ConfigureAwait(false);
        var tx = await _begin(c, CancellationToken.None).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        for (var i = 0; i < group.Count;)
        {
            // Without isolation a run of batched items of one kind goes as one call; isolated, each goes alone.
            var end = i + 1;
            if (!isolate && group[i].Kind is { } kind)
            {
                while (end < group.Count && ReferenceEquals(group[end].Kind, kind))
                {
                    end++;
                }
            }

            var savepoint = "w" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (isolate)
            {
                await tx.SaveAsync(savepoint).ConfigureAwait(false);
            }

            try
            {
                // Once in a group a write runs to the end: its caller's token no longer applies.
                if (group[i].Kind is { } batched)
                {
                    await batched.RunAsync(c, tx, [.. group.Skip(i).Take(end - i).Select(p => p.Item)]).ConfigureAwait(false);
                }
                else
                {
                    await group[i].Write!(c, tx, CancellationToken.None).ConfigureAwait(false);
                }

                if (isolate)
                {
                    await tx.ReleaseAsync(savepoint).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (!_isFatal(e) && c.State == System.Data.ConnectionState.Open)
            {
                // Not an I/O error, a full disk or a lost connection.
                if (!isolate)
                {
                    await tx.RollbackAsync().ConfigureAwait(false);
                    return false;
                }

                // This write alone is undone.
                await tx.RollbackAsync(savepoint).ConfigureAwait(false);
                await tx.ReleaseAsync(savepoint).ConfigureAwait(false);
                failed[group[i]] = e;
            }

            i = end;
        }

        await tx.CommitAsync().ConfigureAwait(false);
        return true;
    }

    private sealed record Pending(Func<DbConnection, DbTransaction, CancellationToken, Task>? Write, IBatchedWrite? Kind, object? Item, CancellationToken Token)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
