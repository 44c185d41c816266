using Kiln.Api.Types;

namespace Kiln.Stores.Locks;

/// <summary>
/// The miner's sector locks (Lotus storage/paths/index_locks.go <c>indexLocks</c>): per sector and per file type, any
/// number of readers of a type, or one writer and no readers. A request takes all its types at once or waits. Two
/// ways to hold a lock: <see cref="LockAsync"/>/<see cref="TryLock"/> until the returned handle is disposed, or, as
/// Lotus's <c>StorageLock</c>/<c>StorageTryLock</c>, <see cref="StorageLockAsync"/>/<see cref="StorageTryLock"/>
/// until the caller's context (<see cref="CancellationToken"/>) ends. The sealing manager holds them around each
/// task; over JSON-RPC a lock lives as long as the call that took it (go-jsonrpc cancels a call's context when it
/// returns), so a remote caller never keeps one.
/// </summary>
public sealed class SectorLockTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SectorId, State> _sectors = [];

    /// <summary>
    /// Raised after locks were taken or released (outside the table's lock): <see cref="Snapshot"/> then shows the
    /// change. Handlers run on the taker's or releaser's thread and must not block.
    /// </summary>
    public event Action? Changed;

    /// <summary>Waits until every type of <paramref name="read"/> can be read-locked and <paramref name="write"/> write-locked.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> fired first; nothing is held.</exception>
    public async Task<IDisposable> LockAsync(SectorId sector, SectorFileType read, SectorFileType write, CancellationToken ct)
    {
        Check(read, write);
        while (true)
        {
            Handle? taken;
            TaskCompletionSource? waiter = null;
            lock (_lock)
            {
                taken = TryTake(sector, read, write);
                if (taken is null)
                {
                    waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    GetState(sector).Waiters.Add(waiter);
                }
            }

            if (waiter is null)
            {
                Changed?.Invoke();
                return taken!;
            }

            try
            {
                await waiter.Task.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_lock)
                {
                    if (_sectors.TryGetValue(sector, out var s))
                    {
                        s.Waiters.Remove(waiter);
                        Forget(sector, s);
                    }
                }

                throw;
            }
        }
    }

    /// <summary>Takes the locks if they are free now; null when any is held in a conflicting way.</summary>
    public IDisposable? TryLock(SectorId sector, SectorFileType read, SectorFileType write)
    {
        Check(read, write);
        Handle? handle;
        lock (_lock)
        {
            handle = TryTake(sector, read, write);
            if (handle is null && _sectors.TryGetValue(sector, out var s))
            {
                Forget(sector, s);
            }
        }

        if (handle is not null)
        {
            Changed?.Invoke();
        }

        return handle;
    }

    /// <summary>
    /// Lotus <c>StorageLock</c>: waits until the locks can be taken, then holds them until <paramref name="context"/> is
    /// cancelled (a token that cannot be cancelled holds them for the life of the process, as Lotus's background
    /// context does). Asking for no type at all fails with Lotus's "failed to acquire lock".
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="context"/> ended before the locks were free; nothing is held.</exception>
    public async Task StorageLockAsync(SectorId sector, SectorFileType read, SectorFileType write, CancellationToken context)
    {
        if ((read | write) == SectorFileType.None)
        {
            throw new InvalidOperationException($"sector {sector.Number}: failed to acquire lock (no file type to lock)");
        }

        HoldUntil(await LockAsync(sector, read, write, context).ConfigureAwait(false), context);
    }

    /// <summary>
    /// Lotus <c>StorageTryLock</c>: takes the locks if they are free now and holds them until <paramref name="context"/>
    /// is cancelled; false when any is held in a conflicting way or when no type is asked for.
    /// </summary>
    public bool StorageTryLock(SectorId sector, SectorFileType read, SectorFileType write, CancellationToken context)
    {
        if ((read | write) == SectorFileType.None || context.IsCancellationRequested)
        {
            return false;
        }

        if (TryLock(sector, read, write) is not { } handle)
        {
            return false;
        }

        HoldUntil(handle, context);
        return true;
    }

    private static void HoldUntil(IDisposable handle, CancellationToken context)
    {
        // Runs at once when the context is already over; the handle's Dispose is idempotent.
        context.UnsafeRegister(static h => ((IDisposable)h!).Dispose(), handle);
    }

    /// <summary>The held locks in Lotus's <c>StorageGetLocks</c> shape, sorted by miner and sector number.</summary>
    public SectorLocks Snapshot()
    {
        lock (_lock)
        {
            var locks = _sectors
                .Where(kv => kv.Value.Write != SectorFileType.None || kv.Value.Read.Any(r => r > 0))
                .OrderBy(kv => kv.Key.Miner)
                .ThenBy(kv => kv.Key.Number)
                .Select(kv => new SectorLock(
                    kv.Key,
                    [.. SectorFileTypes.Singles.Select(t => (kv.Value.Write & t) != 0 ? 1u : 0u)],
                    [.. kv.Value.Read]))
                .ToList();
            return new SectorLocks(locks);
        }
    }

    private static void Check(SectorFileType read, SectorFileType write)
    {
        if (((read | write) & ~SectorFileType.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(read), "unknown file types specified");
        }
    }

    private Handle? TryTake(SectorId sector, SectorFileType read, SectorFileType write)
    {
        var s = GetState(sector);
        for (var i = 0; i < State.Types; i++)
        {
            if ((write & Bit(i)) != 0 && s.Read[i] > 0)
            {
                return null;
            }
        }

        if ((s.Write & (read | write)) != 0)
        {
            return null;
        }

        for (var i = 0; i < State.Types; i++)
        {
            if ((read & Bit(i)) != 0)
            {
                s.Read[i]++;
            }
        }

        s.Write |= write;
        return new Handle(this, sector, read, write);
    }

    private void Release(SectorId sector, SectorFileType read, SectorFileType write)
    {
        List<TaskCompletionSource> wake;
        lock (_lock)
        {
            var s = _sectors[sector];
            for (var i = 0; i < State.Types; i++)
            {
                if ((read & Bit(i)) != 0)
                {
                    s.Read[i]--;
                }
            }

            s.Write &= ~write;
            wake = [.. s.Waiters];
            s.Waiters.Clear();
            Forget(sector, s);
        }

        // Every waiter checks again; those that still conflict queue up anew.
        foreach (var w in wake)
        {
            w.TrySetResult();
        }

        Changed?.Invoke();
    }

    private State GetState(SectorId sector)
    {
        if (!_sectors.TryGetValue(sector, out var s))
        {
            _sectors[sector] = s = new State();
        }

        return s;
    }

    private void Forget(SectorId sector, State s)
    {
        if (s.Write == SectorFileType.None && s.Waiters.Count == 0 && s.Read.All(r => r == 0))
        {
            _sectors.Remove(sector);
        }
    }

    private static SectorFileType Bit(int i) => (SectorFileType)(1 << i);

    private sealed class State
    {
        public const int Types = 6;

        public uint[] Read { get; } = new uint[Types];

        public SectorFileType Write { get; set; }

        public List<TaskCompletionSource> Waiters { get; } = [];
    }

    private sealed class Handle(SectorLockTable owner, SectorId sector, SectorFileType read, SectorFileType write) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(sector, read, write);
            }
        }
    }
}
