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

    /// <summary>The unknown task types already logged for this worker (each is logged once).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<TaskType, byte> ReportedUnknown { get; } = new();

    /// <summary>Whether the registry already gave up this worker's running calls.</summary>
    internal bool LostReported { get; set; }
}
