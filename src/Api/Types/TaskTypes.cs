using System.Collections.Frozen;

namespace Kiln.Api.Types;

/// <summary>
/// The string ids, short names (<c>lotus-miner sealing jobs</c>, <c>lotus-worker tasks</c>) and scheduling
/// order of <see cref="TaskType"/> (lotus: storage/sealer/sealtasks/task.go).
/// </summary>
public static class TaskTypes
{
    private static readonly (TaskType Type, string Id, string Short, int Order)[] s_table =
    [
        (TaskType.RegenSectorKey, "seal/v0/regensectorkey", "GSK", 11),
        (TaskType.DataCid, "seal/v0/datacid", "DC", 10),
        (TaskType.AddPiece, "seal/v0/addpiece", "AP", 9),
        (TaskType.ReplicaUpdate, "seal/v0/replicaupdate", "RU", 8),
        (TaskType.ProveReplicaUpdate2, "seal/v0/provereplicaupdate/2", "PR2", 7),
        (TaskType.ProveReplicaUpdate1, "seal/v0/provereplicaupdate/1", "PR1", 6),
        (TaskType.PreCommit1, "seal/v0/precommit/1", "PC1", 5),
        (TaskType.PreCommit2, "seal/v0/precommit/2", "PC2", 4),
        (TaskType.Commit2, "seal/v0/commit/2", "C2", 3),
        (TaskType.Commit1, "seal/v0/commit/1", "C1", 2),
        (TaskType.Unseal, "seal/v0/unseal", "UNS", 1),
        (TaskType.FinalizeReplicaUpdate, "seal/v0/finalize/replicaupdate", "FRU", 0),
        (TaskType.Fetch, "seal/v0/fetch", "GET", -1),
        (TaskType.DownloadSector, "seal/v0/download/sector", "DL", -2),
        (TaskType.Finalize, "seal/v0/finalize", "FIN", -3),
        (TaskType.FinalizeUnsealed, "seal/v0/finalizeunsealed", "FUS", -4),
        (TaskType.GenerateWindowPoSt, "post/v0/windowproof", "WDP", -5),
        (TaskType.GenerateWinningPoSt, "post/v0/winningproof", "WNP", -6),
    ];

    private static readonly FrozenDictionary<string, TaskType> s_byId =
        s_table.ToFrozenDictionary(e => e.Id, e => e.Type, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, TaskType> s_byShort =
        s_table.ToFrozenDictionary(e => e.Short, e => e.Type, StringComparer.Ordinal);

    /// <summary>Every task type as Lotus's order table lists them: GSK (scheduled last) ... WNP (scheduled first).</summary>
    public static IReadOnlyList<TaskType> All { get; } = [.. s_table.Select(e => e.Type)];

    /// <summary>The wire id, e.g. <c>"seal/v0/precommit/2"</c>.</summary>
    public static string Id(TaskType type) => Entry(type).Id;

    /// <summary>Lotus's short name (<c>PC1</c>, <c>GET</c>, ...).</summary>
    public static string ShortName(TaskType type) => Entry(type).Short;

    /// <summary>
    /// Lotus's <c>order</c> value: the scheduler's queue takes lower values first (WNP -6 ... GSK 11);
    /// <c>FRU</c> is absent from Lotus's map and so counts as 0.
    /// </summary>
    public static int Order(TaskType type) => Entry(type).Order;

    /// <summary>Go's <c>TaskType.Less</c>: whether <paramref name="a"/> is scheduled before <paramref name="b"/>.</summary>
    public static bool Less(TaskType a, TaskType b) => Order(a) < Order(b);

    /// <summary>The task type of a wire id.</summary>
    /// <exception cref="FormatException">The id is not a known task type.</exception>
    public static TaskType Parse(string id) =>
        TryParse(id, out var type) ? type : throw new FormatException($"unknown task type '{id}'");

    public static bool TryParse(string? id, out TaskType type) => s_byId.TryGetValue(id ?? "", out type);

    /// <summary>The task type of a short name (<c>lotus-worker tasks enable PC1</c>); case-sensitive like Lotus.</summary>
    public static bool TryParseShortName(string? shortName, out TaskType type) =>
        s_byShort.TryGetValue(shortName ?? "", out type);

    /// <summary>Lotus's <c>SealTaskType</c> string, <c>"&lt;seal proof&gt;:&lt;task id&gt;"</c> (the <c>TaskCounts</c> keys).</summary>
    public static string SealTaskKey(RegisteredSealProof proof, TaskType type) => $"{(long)proof}:{Id(type)}";

    /// <summary>Lotus worker groups: WinningPoSt and WindowPoSt tasks each need a worker of their own.</summary>
    public static bool IsPoSt(TaskType type) => type is TaskType.GenerateWindowPoSt or TaskType.GenerateWinningPoSt;

    private static (TaskType Type, string Id, string Short, int Order) Entry(TaskType type)
    {
        foreach (var e in s_table)
        {
            if (e.Type == type)
            {
                return e;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(type), type, "not a task type");
    }
}
