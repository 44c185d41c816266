using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Kiln.Proofs.Interop;
using Kiln.Proofs.Memory;

namespace Kiln.Proofs.Sdr.Pool;

/// <summary>
/// The PC1 label pool (the multi-sector PreCommit1 memory pool design known as "mpool"): native memory split into fixed blocks that PC1 jobs take layer by
/// layer, front to back, and give back a layer at a time, so N jobs run in less than the <c>2N·S</c> bytes of two
/// full layers each. Admission follows <see cref="LabelPoolLayout"/>'s rank rule: jobs stay staggered, the job
/// first in the priority order can always finish its layer, and a job that completes a layer moves to the back.
/// </summary>
/// <remarks>
/// A PC1 job: <see cref="BeginJobAsync"/> (waits while N jobs run), then per layer <c>AcquireAsync(layer, i)</c> before
/// labeling the nodes of block i, write the layer, <see cref="LabelPoolJob.CompleteLayer"/>; dispose the job at the
/// end or on failure. Dispose the pool only after its jobs.
/// </remarks>
public sealed unsafe class LabelPool : IDisposable
{
    private readonly Lock _lock = new();
    private readonly NativeBuffer[] _memory;
    private readonly nint[] _blocks;
    private readonly int[] _free;
    private readonly int[] _ranks;
    private readonly List<LabelPoolJob> _order = [];
    private readonly List<BlockWaiter> _waiters = [];
    private readonly LinkedList<TaskCompletionSource<LabelPoolJob>> _jobWaiters = new();
    private int _freeCount;
    private int _highWater;
    private long _nextSequence;
    private bool _disposed;

    /// <summary>A pool laid out as <paramref name="layout"/> says.</summary>
    /// <param name="layout">Sizes, from <see cref="LabelPoolOptions.Layout"/> or <see cref="LabelPoolLayout.Create"/>.</param>
    /// <param name="memory">
    /// Where the blocks live: buffers whose whole blocks add up to at least the pool (e.g. hugepage files); the pool
    /// owns and disposes them. Null: one anonymous buffer of <see cref="LabelPoolLayout.PoolSize"/> bytes.
    /// </param>
    /// <exception cref="ProofsException">The buffers hold fewer blocks than the pool.</exception>
    public LabelPool(LabelPoolLayout layout, IReadOnlyList<NativeBuffer>? memory = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Layout = layout;
        _memory = memory is null ? [new NativeBuffer(layout.PoolSize)] : [.. memory];
        _blocks = new nint[layout.TotalBlocks];
        var n = 0;
        foreach (var buffer in _memory)
        {
            for (ulong offset = 0; offset + layout.BlockSize <= buffer.Length && n < _blocks.Length; offset += layout.BlockSize)
            {
                _blocks[n++] = (nint)(buffer.Pointer + offset);
            }
        }

        if (n < _blocks.Length)
        {
            foreach (var buffer in _memory)
            {
                buffer.Dispose();
            }

            throw new ProofsException($"the label pool memory holds {n} blocks of {layout.BlockSize} bytes; the pool needs {layout.TotalBlocks}");
        }

        // LIFO free list, block 0 on top: the most recently released (still warm) block is handed out first.
        _free = new int[layout.TotalBlocks];
        for (var i = 0; i < _free.Length; i++)
        {
            _free[i] = _free.Length - 1 - i;
        }

        _freeCount = _free.Length;
        _ranks = [.. layout.Ranks];
    }

    /// <summary>A pool for sectors of <paramref name="sectorSize"/> bytes as <paramref name="options"/> describe it.</summary>
    /// <exception cref="ProofsException">The options do not fit the sector size (bounds, block).</exception>
    public LabelPool(LabelPoolOptions options, ulong sectorSize, IReadOnlyList<NativeBuffer>? memory = null)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Layout(sectorSize), memory)
    {
    }

    public LabelPoolLayout Layout { get; }

    /// <summary>Bytes per block.</summary>
    public ulong BlockSize => Layout.BlockSize;

    /// <summary>log2 of the nodes per block.</summary>
    public int NodeShift => Layout.NodeShift;

    /// <summary>Blocks per layer.</summary>
    public int BlocksPerLayer => Layout.BlocksPerLayer;

    /// <summary>Blocks in the pool.</summary>
    public int TotalBlocks => Layout.TotalBlocks;

    /// <summary>Blocks held by jobs now.</summary>
    public int BlocksInUse
    {
        get
        {
            lock (_lock)
            {
                return _free.Length - _freeCount;
            }
        }
    }

    /// <summary>The most blocks ever held at once.</summary>
    public int HighWaterBlocks
    {
        get
        {
            lock (_lock)
            {
                return _highWater;
            }
        }
    }

    /// <summary>Jobs admitted and not ended.</summary>
    public int ActiveJobs
    {
        get
        {
            lock (_lock)
            {
                return _order.Count;
            }
        }
    }

    /// <summary>Block requests waiting for admission.</summary>
    public int PendingAcquires
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Jobs waiting for one of the N places.</summary>
    public int QueuedJobs
    {
        get
        {
            lock (_lock)
            {
                return _jobWaiters.Count;
            }
        }
    }

    /// <summary>Called under the pool's lock for each block handed out (job, layer, block index); for tests.</summary>
    internal Action<LabelPoolJob, int, int>? Granted { get; set; }

    /// <summary>A pool whose blocks come from <paramref name="files"/> where they fit (NUMA-local hugepage files), else anonymous memory.</summary>
    public static LabelPool Create(LabelPoolLayout layout, HugepageFiles? files)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new LabelPool(layout, files?.AllocateRegions(layout.PoolSize, layout.BlockSize));
    }

    /// <summary>Registers a PC1 job, in launch order; waits while <see cref="LabelPoolLayout.Jobs"/> jobs are running.</summary>
    public ValueTask<LabelPoolJob> BeginJobAsync(CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<LabelPoolJob>(ct);
        }

        TaskCompletionSource<LabelPoolJob> waiter;
        LinkedListNode<TaskCompletionSource<LabelPoolJob>> node;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_order.Count < Layout.Jobs && _jobWaiters.Count == 0)
            {
                return new ValueTask<LabelPoolJob>(AdmitJob());
            }

            waiter = new TaskCompletionSource<LabelPoolJob>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _jobWaiters.AddLast(waiter);
        }

        if (ct.CanBeCanceled)
        {
            var registration = ct.Register(() =>
            {
                lock (_lock)
                {
                    if (node.List is not null)
                    {
                        _jobWaiters.Remove(node);
                        waiter.TrySetCanceled(ct);
                    }
                }
            });
            _ = waiter.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return new ValueTask<LabelPoolJob>(waiter.Task);
    }

    /// <summary>See <see cref="LabelPoolJob.AcquireAsync"/>.</summary>
    public ValueTask<LabelBlock> AcquireAsync(LabelPoolJob job, int layer, int blockIndex, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (ct.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<LabelBlock>(ct);
        }

        BlockWaiter waiter;
        lock (_lock)
        {
            CheckJob(job);
            if ((uint)blockIndex >= (uint)Layout.BlocksPerLayer)
            {
                throw new ArgumentOutOfRangeException(nameof(blockIndex), blockIndex, $"a layer has {Layout.BlocksPerLayer} blocks");
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(layer, 1);
            if (job.Layer == 0)
            {
                job.Layer = layer;
            }

            if (layer == job.PreviousLayer && job.PreviousLayer != 0)
            {
                return job.PreviousIds[blockIndex] >= 0
                    ? new ValueTask<LabelBlock>(BlockOf(job.PreviousIds[blockIndex], layer, blockIndex))
                    : throw new InvalidOperationException($"PC1 job {job.Sequence} does not hold block {blockIndex} of its previous layer {layer}");
            }

            if (layer != job.Layer)
            {
                throw new InvalidOperationException($"PC1 job {job.Sequence} is labeling layer {job.Layer}; it cannot take a block of layer {layer}");
            }

            if (TryGrant(job, blockIndex, out var block))
            {
                return new ValueTask<LabelBlock>(block);
            }

            waiter = new BlockWaiter(job, layer, blockIndex);
            var at = _waiters.Count;
            while (at > 0 && _waiters[at - 1].Job.Sequence > job.Sequence)
            {
                at--;
            }

            _waiters.Insert(at, waiter);
        }

        if (ct.CanBeCanceled)
        {
            var registration = ct.Register(() => Cancel(waiter, ct));
            lock (_lock)
            {
                if (!waiter.Completion.Task.IsCompleted)
                {
                    waiter.Registration = registration;
                    registration = default;
                }
            }

            registration.Dispose();
        }

        return new ValueTask<LabelBlock>(waiter.Completion.Task);
    }

    /// <summary>See <see cref="LabelPoolJob.CompleteLayer"/>.</summary>
    public void CompleteLayer(LabelPoolJob job, int layer)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock)
        {
            CheckJob(job);
            if (layer != job.Layer || job.Layer == 0)
            {
                throw new InvalidOperationException($"PC1 job {job.Sequence} is labeling layer {job.Layer}, not layer {layer}");
            }

            if (job.CurrentCount != Layout.BlocksPerLayer)
            {
                throw new InvalidOperationException(
                    $"PC1 job {job.Sequence} completes layer {layer} holding {job.CurrentCount} of its {Layout.BlocksPerLayer} blocks");
            }

            ReleaseTable(job.PreviousIds, job.PreviousTable);
            var emptied = job.PreviousTable;
            job.PreviousTable = job.CurrentTable;
            job.CurrentTable = emptied;
            (job.PreviousIds, job.CurrentIds) = (job.CurrentIds, job.PreviousIds);
            job.PreviousCount = job.CurrentCount;
            job.CurrentCount = 0;
            job.PreviousLayer = layer;
            job.Layer = layer + 1;

            // To the back of the priority order: the jobs behind move up (more room), this one gets the last place,
            // whose limit is still at least the layer it holds.
            _order.Remove(job);
            _order.Add(job);
            Pump();
        }
    }

    /// <summary>See <see cref="LabelPoolJob.BlockTable"/>.</summary>
    public byte** BlockTable(LabelPoolJob job, int layer)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock)
        {
            CheckJob(job);
            if (layer == job.Layer && layer != 0)
            {
                return job.CurrentTable;
            }

            return layer == job.PreviousLayer && layer != 0
                ? job.PreviousTable
                : throw new InvalidOperationException($"PC1 job {job.Sequence} holds layers {job.PreviousLayer} and {job.Layer}, not {layer}");
        }
    }

    /// <summary>Ends a job: its blocks go back, its waiting requests fail, a queued job is admitted.</summary>
    internal void EndJob(LabelPoolJob job)
    {
        lock (_lock)
        {
            if (job.Ended)
            {
                return;
            }

            job.Ended = true;
            ReleaseTable(job.CurrentIds, job.CurrentTable);
            ReleaseTable(job.PreviousIds, job.PreviousTable);
            job.CurrentCount = 0;
            job.PreviousCount = 0;
            _order.Remove(job);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Job == job)
                {
                    var waiter = _waiters[i];
                    _waiters.RemoveAt(i);
                    waiter.Registration.Unregister();
                    waiter.Completion.TrySetException(new ObjectDisposedException(nameof(LabelPoolJob), $"PC1 job {job.Sequence} ended while waiting for a block"));
                }
            }

            while (!_disposed && _order.Count < Layout.Jobs && _jobWaiters.First is { } next)
            {
                _jobWaiters.RemoveFirst();
                next.Value.TrySetResult(AdmitJob());
            }

            Pump();
        }

        job.FreeTables();
    }

    internal int HeldBy(LabelPoolJob job)
    {
        lock (_lock)
        {
            return job.CurrentCount + job.PreviousCount;
        }
    }

    /// <summary>Fails every waiting request and frees the memory; jobs still running must not touch their blocks after this.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var waiter in _waiters)
            {
                waiter.Registration.Unregister();
                waiter.Completion.TrySetException(new ObjectDisposedException(nameof(LabelPool)));
            }

            _waiters.Clear();
            foreach (var waiter in _jobWaiters)
            {
                waiter.TrySetException(new ObjectDisposedException(nameof(LabelPool)));
            }

            _jobWaiters.Clear();
        }

        foreach (var buffer in _memory)
        {
            buffer.Dispose();
        }
    }

    private LabelPoolJob AdmitJob()
    {
        var job = new LabelPoolJob(this, _nextSequence++, Layout.BlocksPerLayer);
        _order.Add(job);
        return job;
    }

    /// <summary>Hands out block <paramref name="index"/> of the job's current layer if it holds it already or its place allows one more.</summary>
    private bool TryGrant(LabelPoolJob job, int index, out LabelBlock block)
    {
        if (job.CurrentIds[index] is var held and >= 0)
        {
            block = BlockOf(held, job.Layer, index);
            return true;
        }

        var place = _order.IndexOf(job);
        Debug.Assert(place >= 0, "an active job has a place");
        var limit = (2 * Layout.BlocksPerLayer) - _ranks[place];
        if (job.CurrentCount + job.PreviousCount >= limit || _freeCount == 0)
        {
            block = default;
            return false;
        }

        var id = _free[--_freeCount];
        job.CurrentIds[index] = id;
        job.CurrentTable[index] = (byte*)_blocks[id];
        job.CurrentCount++;
        _highWater = Math.Max(_highWater, _free.Length - _freeCount);
        Granted?.Invoke(job, job.Layer, index);
        block = BlockOf(id, job.Layer, index);
        return true;
    }

    /// <summary>Grants what has become allowed, waiters in launch order.</summary>
    private void Pump()
    {
        for (var i = 0; i < _waiters.Count;)
        {
            var waiter = _waiters[i];
            if (waiter.Layer != waiter.Job.Layer)
            {
                _waiters.RemoveAt(i);
                waiter.Registration.Unregister();
                waiter.Completion.TrySetException(new InvalidOperationException(
                    $"PC1 job {waiter.Job.Sequence} moved on to layer {waiter.Job.Layer} while waiting for a block of layer {waiter.Layer}"));
            }
            else if (TryGrant(waiter.Job, waiter.Index, out var block))
            {
                _waiters.RemoveAt(i);
                waiter.Registration.Unregister();
                waiter.Completion.TrySetResult(block);
            }
            else
            {
                i++;
            }
        }
    }

    private void Cancel(BlockWaiter waiter, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_waiters.Remove(waiter))
            {
                waiter.Completion.TrySetCanceled(ct);
            }
        }
    }

    private void ReleaseTable(int[] ids, byte** table)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i] >= 0)
            {
                _free[_freeCount++] = ids[i];
                ids[i] = -1;
                table[i] = null;
            }
        }
    }

    private LabelBlock BlockOf(int id, int layer, int index) => new((byte*)_blocks[id], Layout.BlockSize, layer, index, Layout.NodeShift);

    private void CheckJob(LabelPoolJob job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (job.Ended)
        {
            ThrowEnded(job);
        }

        if (!_order.Contains(job))
        {
            throw new ArgumentException("the job belongs to another label pool", nameof(job));
        }
    }

    [DoesNotReturn]
    private static void ThrowEnded(LabelPoolJob job) => throw new ObjectDisposedException(nameof(LabelPoolJob), $"PC1 job {job.Sequence} has ended");

    private sealed class BlockWaiter(LabelPoolJob job, int layer, int index)
    {
        public LabelPoolJob Job { get; } = job;

        public int Layer { get; } = layer;

        public int Index { get; } = index;

        public TaskCompletionSource<LabelBlock> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
