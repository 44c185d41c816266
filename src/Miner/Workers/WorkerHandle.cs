using Kiln.Api;
using Kiln.Api.Types;

namespace Kiln.Miner.Workers;

/// <summary>A connected worker as the miner tracks it: its session id (the WorkerID), URL, API client, resources and tasks.</summary>
public sealed class WorkerHandle(Guid id, string url, IWorkerApi api, WorkerInfo info, IReadOnlySet<TaskType> tasks, DateTimeOffset connected)
{
    private volatile bool _enabled = true;

    /// <summary>The worker's Session UUID, which Lotus uses as the worker's id.</summary>
    public Guid Id { get; } = id;

    public string Url { get; } = url;

    public IWorkerApi Api { get; } = api;

    public WorkerInfo Info { get; } = info;

    /// <summary>
    /// What the worker accepts, as of its last heartbeat (<c>tasks enable|disable</c> on the worker changes it); may hold
    /// task types this build does not know (<see cref="TaskTypes.IsKnown"/>), which are never scheduled.
    /// </summary>
    public IReadOnlySet<TaskType> Tasks { get; internal set; } = tasks;

    public DateTimeOffset Connected { get; } = connected;

    /// <summary>The scheduler this worker belongs to: window PoSt, winning PoSt, or sealing.</summary>
    public WorkerKind Kind { get; } =
        tasks.Contains(TaskType.GenerateWindowPoSt) ? WorkerKind.WindowPoSt
        : tasks.Contains(TaskType.GenerateWinningPoSt) ? WorkerKind.WinningPoSt
        : WorkerKind.Sealing;

    /// <summary>False while its Session heartbeat fails; such a worker gets no new work.</summary>
    public bool Enabled
    {
        get => _enabled;
        internal set => _enabled = value;
    }

    public DateTimeOffset LastSeen { get; internal set; } = connected;

    /// <summary>
    /// The worker's local storage paths as of its last heartbeat (or connect), so a scheduling pass asks no worker
    /// anything: Lotus storage/sealer/sched_worker_cache.go schedWorkerCache asks each worker's Paths once per pass,
    /// Kiln once per heartbeat. Empty until the worker answered Paths once.
    /// </summary>
    public IReadOnlyList<StoragePath> Paths => _paths.List;

    /// <summary>The ids of <see cref="Paths"/>, for the storage selectors.</summary>
    public IReadOnlySet<StorageId> PathIds => _paths.Ids;

    /// <summary>When <see cref="Paths"/> was last read from the worker; null while it never answered.</summary>
    public DateTimeOffset? PathsRefreshed { get; private set; }

    private volatile PathSet _paths = PathSet.Empty;

    /// <summary>Replaces the cached paths (one reference swap: a pass sees the old set or the new one, never a mix).</summary>
    internal void SetPaths(IReadOnlyList<StoragePath> paths, DateTimeOffset now)
    {
        _paths = new PathSet(paths, paths.Select(p => p.ID).ToHashSet());
        PathsRefreshed = now;
    }

    private sealed record PathSet(IReadOnlyList<StoragePath> List, IReadOnlySet<StorageId> Ids)
    {
        public static readonly PathSet Empty = new([], new HashSet<StorageId>());
    }

    /// <summary>The unknown task types already logged for this worker (each is logged once).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<TaskType, byte> ReportedUnknown { get; } = new();

    /// <summary>Whether the registry already gave up this worker's running calls.</summary>
    internal bool LostReported { get; set; }
}
