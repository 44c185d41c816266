using Kiln.Api.Types;
using Kiln.Stores.Locks;

namespace Kiln.Stores.Tests.Locks;

public sealed class SectorLockTableTests
{
    private static readonly SectorId S = new(1000, 9);
    private readonly SectorLockTable _locks = new();

    [Fact]
    public void Readers_share_and_writers_exclude()
    {
        using var r1 = _locks.TryLock(S, SectorFileType.Sealed | SectorFileType.Cache, SectorFileType.None);
        using var r2 = _locks.TryLock(S, SectorFileType.Sealed, SectorFileType.None);
        Assert.NotNull(r1);
        Assert.NotNull(r2);
        Assert.Null(_locks.TryLock(S, SectorFileType.None, SectorFileType.Sealed));
        Assert.Null(_locks.TryLock(S, SectorFileType.None, SectorFileType.Cache));

        using var w = _locks.TryLock(S, SectorFileType.None, SectorFileType.Unsealed);
        Assert.NotNull(w);
        Assert.Null(_locks.TryLock(S, SectorFileType.Unsealed, SectorFileType.None));
        Assert.Null(_locks.TryLock(S, SectorFileType.None, SectorFileType.Unsealed));

        // Another sector is independent.
        using var other = _locks.TryLock(new SectorId(1000, 10), SectorFileType.None, SectorFileType.All);
        Assert.NotNull(other);
    }

    [Fact]
    public void Snapshot_has_lotus_shape_and_empties_after_release()
    {
        var r1 = _locks.TryLock(S, SectorFileType.Sealed | SectorFileType.Cache, SectorFileType.None)!;
        var r2 = _locks.TryLock(S, SectorFileType.Cache, SectorFileType.Unsealed)!;

        var json = System.Text.Json.JsonSerializer.Serialize(_locks.Snapshot(), ApiJson.Options);
        Assert.Equal("""{"Locks":[{"Sector":{"Miner":1000,"Number":9},"Write":[1,0,0,0,0,0],"Read":[0,1,2,0,0,0]}]}""", json);

        r1.Dispose();
        r1.Dispose(); // a second dispose is harmless
        r2.Dispose();
        Assert.Empty(_locks.Snapshot().Locks!);
    }

    [Fact]
    public async Task Lock_waits_for_a_conflicting_holder()
    {
        var w = await _locks.LockAsync(S, SectorFileType.None, SectorFileType.Sealed, CancellationToken.None);
        var waiting = _locks.LockAsync(S, SectorFileType.Sealed, SectorFileType.None, CancellationToken.None);
        // Parked on a signal that only a release of the sector gives: no amount of waiting completes it.
        Assert.False(waiting.IsCompleted);
        Assert.Single(_locks.Snapshot().Locks!);

        w.Dispose();
        using var r = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(_locks.TryLock(S, SectorFileType.None, SectorFileType.Sealed));
    }

    [Fact]
    public async Task Cancelled_wait_holds_nothing()
    {
        using var w = _locks.TryLock(S, SectorFileType.None, SectorFileType.Cache)!;
        using var cts = new CancellationTokenSource();
        var waiting = _locks.LockAsync(S, SectorFileType.None, SectorFileType.Cache | SectorFileType.Sealed, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        // The cancelled request did not take Sealed.
        using var s = _locks.TryLock(S, SectorFileType.None, SectorFileType.Sealed);
        Assert.NotNull(s);
    }

    [Fact]
    public async Task Many_writers_run_one_at_a_time()
    {
        var inside = 0;
        var maxInside = 0;
        var tasks = Enumerable.Range(0, 20).Select(async _ =>
        {
            using var h = await _locks.LockAsync(S, SectorFileType.None, SectorFileType.Sealed, CancellationToken.None);
            var n = Interlocked.Increment(ref inside);
            InterlockedMax(ref maxInside, n);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
        });
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, maxInside);
        Assert.Empty(_locks.Snapshot().Locks!);
    }

    [Fact]
    public async Task StorageLock_blocks_until_the_holder_releases_and_holds_until_the_callers_context_ends()
    {
        // Lotus storage/paths/index_locks.go StorageLock: blocks until acquired, then held until ctx is done.
        using var first = new CancellationTokenSource();
        await _locks.StorageLockAsync(S, SectorFileType.Unsealed, SectorFileType.Sealed | SectorFileType.Cache, first.Token);
        var first0 = Assert.Single(_locks.Snapshot().Locks!);
        Assert.Equal([0u, 1, 1, 0, 0, 0], first0.Write);
        Assert.Equal([1u, 0, 0, 0, 0, 0], first0.Read);

        using var second = new CancellationTokenSource();
        var waiting = _locks.StorageLockAsync(S, SectorFileType.Sealed, SectorFileType.Cache, second.Token);
        Assert.False(waiting.IsCompleted);
        Assert.False(_locks.StorageTryLock(S, SectorFileType.Cache, SectorFileType.None, CancellationToken.None));

        await first.CancelAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        var held = Assert.Single(_locks.Snapshot().Locks!);
        Assert.Equal([0u, 0, 1, 0, 0, 0], held.Write);
        Assert.Equal([0u, 1, 0, 0, 0, 0], held.Read);

        await second.CancelAsync();
        Assert.Empty(_locks.Snapshot().Locks!);
    }

    [Fact]
    public async Task StorageTryLock_holds_until_its_context_ends_and_refuses_conflicts_and_empty_requests()
    {
        using var reader = new CancellationTokenSource();
        Assert.True(_locks.StorageTryLock(S, SectorFileType.Sealed, SectorFileType.None, reader.Token));
        Assert.True(_locks.StorageTryLock(S, SectorFileType.Sealed, SectorFileType.None, reader.Token));
        Assert.Equal(2u, _locks.Snapshot().Locks![0].Read[1]);
        Assert.False(_locks.StorageTryLock(S, SectorFileType.None, SectorFileType.Sealed, CancellationToken.None));

        // Lotus: read|write == 0 takes nothing (TryLock false, StorageLock "failed to acquire lock").
        Assert.False(_locks.StorageTryLock(S, SectorFileType.None, SectorFileType.None, CancellationToken.None));
        var none = await Assert.ThrowsAsync<InvalidOperationException>(() => _locks.StorageLockAsync(S, SectorFileType.None, SectorFileType.None, CancellationToken.None));
        Assert.Contains("failed to acquire lock", none.Message, StringComparison.Ordinal);

        await reader.CancelAsync();
        Assert.Empty(_locks.Snapshot().Locks!);
        using var writer = new CancellationTokenSource();
        Assert.True(_locks.StorageTryLock(S, SectorFileType.None, SectorFileType.Sealed, writer.Token));
    }

    [Fact]
    public async Task A_StorageLock_whose_context_ends_while_it_waits_holds_nothing()
    {
        using var holder = new CancellationTokenSource();
        await _locks.StorageLockAsync(S, SectorFileType.None, SectorFileType.Unsealed, holder.Token);
        using var waiter = new CancellationTokenSource();
        var waiting = _locks.StorageLockAsync(S, SectorFileType.Unsealed, SectorFileType.Sealed, waiter.Token);
        await waiter.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        await holder.CancelAsync();
        Assert.Empty(_locks.Snapshot().Locks!);
        Assert.True(_locks.StorageTryLock(S, SectorFileType.None, SectorFileType.Sealed, CancellationToken.None));
    }

    [Fact]
    public void Unknown_types_are_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _locks.TryLock(S, (SectorFileType)64, SectorFileType.None));

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
