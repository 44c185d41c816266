using Kiln.Api.Types;
using SectorLocks = Kiln.Stores.Locks.SectorLocks;

namespace Kiln.Stores.Tests.Locks;

public sealed class SectorLocksTests
{
    private static readonly SectorId S = new(1000, 9);
    private readonly SectorLocks _locks = new();

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
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

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
