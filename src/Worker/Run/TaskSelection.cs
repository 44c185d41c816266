using Kiln.Api.Types;

namespace Kiln.Worker.Run;

/// <summary>
/// The task types a worker asks for, computed from its run flags as Lotus cli/worker/worker.go <c>runCmd</c> does
/// (the flag names are Lotus's; <c>isSet</c> is urfave's <c>cctx.IsSet</c>: given on the command line or through the
/// flag's environment variable). What kiln-worker can execute is a separate question (<see cref="WorkerOptions.Executable"/>).
/// </summary>
public static class TaskSelection
{
    /// <summary>Lotus sealtasks.WorkerSealing.</summary>
    public const string WorkerSealing = "Sealing";

    /// <summary>Lotus sealtasks.WorkerWinningPoSt.</summary>
    public const string WorkerWinningPoSt = "WinPost";

    /// <summary>Lotus sealtasks.WorkerWindowPoSt.</summary>
    public const string WorkerWindowPoSt = "WdPoSt";

    /// <summary>Tasks of every non-PoSt worker, whatever its flags (runCmd's unconditional append).</summary>
    public static IReadOnlyList<TaskType> AlwaysOn { get; } =
    [
        TaskType.Fetch, TaskType.Commit1, TaskType.ProveReplicaUpdate1, TaskType.Finalize, TaskType.FinalizeUnsealed, TaskType.FinalizeReplicaUpdate,
    ];

    /// <summary>
    /// The sealing task flags in runCmd's order after <c>--addpiece</c> / <c>--data-cid</c>; each adds its task when
    /// the worker is a sealing worker or the flag is set, and the flag is true.
    /// </summary>
    private static readonly (string Flag, TaskType Type)[] SealingFlags =
    [
        ("sector-download", TaskType.DownloadSector),
        ("precommit1", TaskType.PreCommit1),
        ("unseal", TaskType.Unseal),
        ("precommit2", TaskType.PreCommit2),
        ("commit", TaskType.Commit2),
        ("replica-update", TaskType.ReplicaUpdate),
        ("prove-replica-update2", TaskType.ProveReplicaUpdate2),
        ("regen-sector-key", TaskType.RegenSectorKey),
    ];

    /// <summary>
    /// Lotus runCmd's task list, in its append order. <paramref name="isSet"/> and <paramref name="value"/> answer
    /// for a flag by its Lotus name (<c>windowpost</c>, <c>no-default</c>, <c>addpiece</c>, <c>data-cid</c>, ...), with
    /// the flag's default when it is not set.
    /// </summary>
    /// <exception cref="ArgumentException">Lotus's "no task types specified" or its one-worker-type error.</exception>
    public static IReadOnlyList<TaskType> Select(Func<string, bool> isSet, Func<string, bool> value)
    {
        ArgumentNullException.ThrowIfNull(isSet);
        ArgumentNullException.ThrowIfNull(value);
        var tasks = new List<TaskType>();
        var workerType = "";
        if (value("windowpost"))
        {
            workerType = WorkerWindowPoSt;
            tasks.Add(TaskType.GenerateWindowPoSt);
        }

        if (value("winningpost"))
        {
            workerType = WorkerWinningPoSt;
            tasks.Add(TaskType.GenerateWinningPoSt);
        }

        if (workerType.Length == 0)
        {
            tasks.AddRange(AlwaysOn);
            if (!value("no-default"))
            {
                workerType = WorkerSealing;
            }
        }

        var sealing = workerType == WorkerSealing;
        var dataCidDefault = false;
        if ((sealing || isSet("addpiece")) && value("addpiece"))
        {
            tasks.Add(TaskType.AddPiece);
            dataCidDefault = true;
        }

        // --data-cid counts only on a sealing worker; unset, it follows whether AddPiece was added.
        if (sealing && (isSet("data-cid") ? value("data-cid") : dataCidDefault))
        {
            tasks.Add(TaskType.DataCid);
        }

        foreach (var (flag, type) in SealingFlags)
        {
            if ((sealing || isSet(flag)) && value(flag))
            {
                tasks.Add(type);
            }
        }

        if (workerType.Length == 0 && value("no-default"))
        {
            workerType = WorkerSealing;
        }

        if (tasks.Count == 0)
        {
            throw new ArgumentException("no task types specified");
        }

        foreach (var task in tasks)
        {
            if (WorkerType(task) != workerType)
            {
                throw new ArgumentException($"expected all task types to be for {workerType} worker, but task {TaskTypes.Id(task)} is for {WorkerType(task)} worker");
            }
        }

        return tasks;
    }

    /// <summary>Lotus <c>TaskType.WorkerType</c>.</summary>
    public static string WorkerType(TaskType type) => type switch
    {
        TaskType.GenerateWindowPoSt => WorkerWindowPoSt,
        TaskType.GenerateWinningPoSt => WorkerWinningPoSt,
        _ => WorkerSealing,
    };
}
