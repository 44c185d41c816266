namespace Kiln.Worker.Calls;

/// <summary>Lotus <c>ReturnType</c> (worker_calltracker.go): which <c>Return*</c> delivers a call's result.</summary>
public enum ReturnType
{
    DataCid,
    AddPiece,
    SealPreCommit1,
    SealPreCommit2,
    SealCommit1,
    SealCommit2,
    FinalizeSector,
    FinalizeReplicaUpdate,
    ReplicaUpdate,
    ProveReplicaUpdate1,
    ProveReplicaUpdate2,
    GenerateSectorKey,
    ReleaseUnsealed,
    MoveStorage,
    UnsealPiece,
    DownloadSector,
    Fetch,
}
