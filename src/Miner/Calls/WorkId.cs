using System.Security.Cryptography;
using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Miner.Calls;

/// <summary>
/// Lotus's <c>WorkID</c>: the task type and the JSON of the call's parameters (the SHA-256 hex of that
/// JSON when it is longer than 256 bytes), printed <c>task(params)</c>. The same call made again —
/// by a miner that restarted and resumes its sectors — has the same id, so it finds the work already
/// running (or its result) in the <see cref="WorkStore"/> instead of dispatching it a second time.
/// </summary>
public readonly record struct WorkId(TaskType Task, string Params)
{
    private const int MaxInlineParams = 256;

    /// <summary>The task types Lotus keeps in its work store (the long or expensive ones); the rest are simply re-dispatched.</summary>
    public static bool IsPersisted(TaskType task) => task is TaskType.PreCommit1 or TaskType.PreCommit2 or TaskType.Commit1 or TaskType.Commit2
        or TaskType.ReplicaUpdate or TaskType.ProveReplicaUpdate1 or TaskType.ProveReplicaUpdate2 or TaskType.RegenSectorKey or TaskType.DownloadSector;

    public static WorkId For(TaskType task, params object?[] parameters)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(parameters, ApiJson.Options);
        var text = json.Length > MaxInlineParams
            ? Convert.ToHexStringLower(SHA256.HashData(json))
            : System.Text.Encoding.UTF8.GetString(json);
        return new WorkId(task, text);
    }

    public override string ToString() => $"{TaskTypes.Id(Task)}({Params})";
}
