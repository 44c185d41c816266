namespace Kiln.Proofs.Sdr;

/// <summary>
/// Gathers PC1 labeling jobs of one graph (one proof type) that start at about the same time and labels
/// them together with <see cref="SdrLabeler.LabelBatch(ParentCache, ReadOnlySpan{byte}, int, IReadOnlyList{string}, LabelKernel, IProgress{LabelingProgress}?, CancellationToken)"/>:
/// they share every parent-index read and the native kernel hashes them in lockstep, several sectors
/// per core faster than one. A batch starts when <see cref="MaxBatch"/> jobs have arrived or
/// <see cref="Gather"/> after the first one; the layer files are the single-sector ones.
/// A job cancelled before its batch starts leaves it; once the batch runs, a cancelled job stops
/// waiting but the batch finishes for the others (its layer files are left to the caller's clean-up).
/// </summary>
public sealed class LabelBatcher
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(ulong Nodes, int Layers, string Graph), Group> _open = [];
    private readonly TimeProvider _time;
    private long _batches;

    /// <param name="maxBatch">Most sectors labeled together (2 × this many layer buffers).</param>
    /// <param name="gather">How long the first job of a batch waits for others.</param>
    /// <param name="time">Clock for the gather wait (the system clock by default).</param>
    public LabelBatcher(int maxBatch, TimeSpan gather, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(gather, TimeSpan.Zero);
        MaxBatch = maxBatch;
        Gather = gather;
        _time = time ?? TimeProvider.System;
    }

    public int MaxBatch { get; }

    public TimeSpan Gather { get; }

    /// <summary>Batches started so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Labels one sector, in a batch with the jobs of the same graph that arrive meanwhile; returns the batch's layer times.</summary>
    public Task<TimeSpan[]> LabelAsync(ParentCache parents, ReadOnlyMemory<byte> replicaId, int layers, string cacheDir, LabelKernel kernel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentNullException.ThrowIfNull(cacheDir);
        if (replicaId.Length != 32)
        {
            throw new ArgumentException("replica id must be 32 bytes", nameof(replicaId));
        }

        var job = new Job(replicaId.ToArray(), cacheDir, cancellationToken);
        // One graph = one parent-cache file (in-memory caches batch only with themselves).
        var graph = parents.Path ?? "memory-" + System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(parents).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var key = (parents.Nodes, layers, graph);
        Group? full = null;
        Group? opened = null;
        lock (_lock)
        {
            if (!_open.TryGetValue(key, out var group))
            {
                _open[key] = group = opened = new Group(key, parents, layers, kernel);
            }

            group.Jobs.Add(job);
            if (group.Jobs.Count >= MaxBatch)
            {
                _open.Remove(key);
                full = group;
            }
        }

        if (full is not null)
        {
            Launch(full);
        }
        else if (opened is not null)
        {
            _ = LaunchAfterGatherAsync(opened);
        }

        cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                // Still gathering: leave the batch.
                if (_open.TryGetValue(key, out var g) && g.Jobs.Remove(job))
                {
                    job.Done.TrySetCanceled(cancellationToken);
                    if (g.Jobs.Count == 0)
                    {
                        _open.Remove(key);
                    }
                }
            }
        });
        return job.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task LaunchAfterGatherAsync(Group group)
    {
        await Task.Delay(Gather, _time).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_open.TryGetValue(group.Key, out var current) || !ReferenceEquals(current, group))
            {
                return; // it filled up and started, or every job left
            }

            _open.Remove(group.Key);
        }

        Launch(group);
    }

    private void Launch(Group group)
    {
        Job[] jobs;
        lock (_lock)
        {
            jobs = [.. group.Jobs];
        }

        if (jobs.Length == 0)
        {
            return;
        }

        Interlocked.Increment(ref _batches);
        _ = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    var ids = jobs.SelectMany(j => j.ReplicaId).ToArray();
                    var times = SdrLabeler.LabelBatch(group.Parents, ids, group.Layers, [.. jobs.Select(j => j.CacheDir)], group.Kernel);
                    foreach (var j in jobs)
                    {
                        j.Done.TrySetResult(times);
                    }
                }
                catch (Exception e)
                {
                    foreach (var j in jobs)
                    {
                        j.Done.TrySetException(e);
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private sealed record Job(byte[] ReplicaId, string CacheDir, CancellationToken Cancellation)
    {
        public TaskCompletionSource<TimeSpan[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Group((ulong, int, string) key, ParentCache parents, int layers, LabelKernel kernel)
    {
        public (ulong Nodes, int Layers, string Graph) Key { get; } = key;

        public ParentCache Parents { get; } = parents;

        public int Layers { get; } = layers;

        public LabelKernel Kernel { get; } = kernel;

        public List<Job> Jobs { get; } = [];
    }
}
