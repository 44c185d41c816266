using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Kiln.Proofs;

namespace Kiln.Api.Types;

/// <summary>
/// The string ids, short names (<c>lotus-miner sealing jobs</c>, <c>lotus-worker tasks</c>) and scheduling
/// order of <see cref="TaskType"/> (lotus: storage/sealer/sealtasks/task.go).
/// </summary>
/// <remarks>
/// Lotus's <c>sealtasks.TaskType</c> is a plain string, so a newer lotus-worker may advertise an id this table does
/// not list; Lotus's miner keeps such a worker and simply never schedules that type. Kiln does the same:
/// <see cref="FromWire"/> gives an unknown id (shaped like Lotus's ids, <c>family/vN/name</c>) a
/// <see cref="TaskType"/> value outside the enum's named members, which keeps its raw id for the wire and for display
/// (<see cref="IsKnown"/> is false for it).
/// </remarks>
public static partial class TaskTypes
{
    /// <summary>The most distinct unknown ids one process takes; more is bad input, not a newer Lotus.</summary>
    public const int MaxUnknown = 256;

    private const int FirstUnknown = 1 << 16;

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

    private static readonly FrozenSet<TaskType> s_known = s_table.Select(e => e.Type).ToFrozenSet();

    private static readonly ConcurrentDictionary<string, TaskType> s_unknownById = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<TaskType, string> s_unknownIds = new();
    private static readonly Lock s_unknownLock = new();

    /// <summary>Every task type as Lotus's order table lists them: GSK (scheduled last) ... WNP (scheduled first).</summary>
    public static IReadOnlyList<TaskType> All { get; } = [.. s_table.Select(e => e.Type)];

    /// <summary>The wire id, e.g. <c>"seal/v0/precommit/2"</c>; an unknown type's raw id as the worker sent it.</summary>
    public static string Id(TaskType type) =>
        IsKnown(type) ? Entry(type).Id
        : s_unknownIds.TryGetValue(type, out var id) ? id
        : throw new ArgumentOutOfRangeException(nameof(type), type, "not a task type");

    /// <summary>
    /// Lotus's short name (<c>PC1</c>, <c>GET</c>, ...). An unknown type shows its raw id (Lotus prints <c>UNK</c>;
    /// the id says more).
    /// </summary>
    public static string ShortName(TaskType type) => IsKnown(type) ? Entry(type).Short : Id(type);

    /// <summary>
    /// Lotus's <c>order</c> value: the scheduler's queue takes lower values first (WNP -6 ... GSK 11);
    /// <c>FRU</c> is absent from Lotus's map and so counts as 0, as does any unknown type.
    /// </summary>
    public static int Order(TaskType type) => IsKnown(type) ? Entry(type).Order : 0;

    /// <summary>Whether <paramref name="type"/> is one of the task types this build knows (and may schedule).</summary>
    public static bool IsKnown(TaskType type) => s_known.Contains(type);

    /// <summary>
    /// The task type of an id read from the wire: a known one, or — for an id shaped like Lotus's
    /// (<c>seal/v0/futuretask</c>) that this build does not know — the same unknown value every time for that id.
    /// </summary>
    /// <exception cref="FormatException">The id is not shaped like a task type id, or <see cref="MaxUnknown"/> unknown ids were already taken.</exception>
    public static TaskType FromWire(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (s_byId.TryGetValue(id, out var type) || s_unknownById.TryGetValue(id, out type))
        {
            return type;
        }

        if (!WireId().IsMatch(id))
        {
            throw new FormatException($"unknown task type '{id}': a task type id looks like 'seal/v0/precommit/1'");
        }

        lock (s_unknownLock)
        {
            if (s_unknownById.TryGetValue(id, out type))
            {
                return type;
            }

            if (s_unknownIds.Count >= MaxUnknown)
            {
                throw new FormatException($"unknown task type '{id}': already {MaxUnknown} unknown task types seen, refusing more");
            }

            type = (TaskType)(FirstUnknown + s_unknownIds.Count);
            s_unknownIds[type] = id;
            s_unknownById[id] = type;
            return type;
        }
    }

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

    [GeneratedRegex(@"^[a-z][a-z0-9_-]*/v[0-9]+(/[a-z0-9_-]+)+$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex WireId();

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
