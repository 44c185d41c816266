using System.Text.Json.Serialization;
using Kiln.Api.Types.Json;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>sealtasks.TaskType</c> (storage/sealer/sealtasks/task.go). On the wire it is the string id
/// (<c>"seal/v0/precommit/1"</c>), also as a map key; ids, short names and scheduling order are in <see cref="TaskTypes"/>.
/// An id this enum does not know but shaped like Lotus's decodes to a value outside the named members that keeps
/// its id (<see cref="TaskTypes.FromWire"/>, <see cref="TaskTypes.IsKnown"/>); anything else fails to decode.
/// </summary>
[JsonConverter(typeof(TaskTypeJsonConverter))]
public enum TaskType
{
    DataCid,
    AddPiece,
    PreCommit1,
    PreCommit2,
    Commit1,
    Commit2,
    Finalize,
    FinalizeUnsealed,
    Fetch,
    Unseal,
    ReplicaUpdate,
    ProveReplicaUpdate1,
    ProveReplicaUpdate2,
    RegenSectorKey,
    FinalizeReplicaUpdate,
    DownloadSector,
    GenerateWindowPoSt,
    GenerateWinningPoSt,
}
