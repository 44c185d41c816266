using System.Text.Json;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;

namespace Kiln.Worker.Calls;

/// <summary>
/// Delivers call results to the miner through the matching <c>Return*</c> (lotus: worker_local.go <c>doReturn</c>):
/// retries every <c>retryInterval</c> until the miner accepts, then drops the call from the tracker.
/// </summary>
public sealed partial class ReturnSender(IMinerStorageApi miner, CallTracker tracker, TimeSpan retryInterval, TimeProvider time, ILogger logger)
{
    /// <summary>What Kiln's and Lotus's miners answer a second result for a call: it was delivered before.</summary>
    private const string AlreadyReported = "already reported";

    /// <summary>
    /// Raised after an attempt to deliver a result failed (the miner was unreachable or refused it), with the call and
    /// the attempt's number, before the wait for the next attempt. Handlers run on the sender's thread and must not block.
    /// </summary>
    public event Action<CallId, int>? DeliveryFailed;

    /// <summary>Records the outcome, then delivers it until the miner takes it (or <paramref name="ct"/> fires).</summary>
    public async Task CompleteAsync(CallId id, ReturnType type, object? result, CallError? error, CancellationToken ct)
    {
        var json = error is null && result is not null ? JsonSerializer.Serialize(result, result.GetType(), ApiJson.Options) : null;
        await tracker.DoneAsync(id, json, error, ct).ConfigureAwait(false);
        await DeliverAsync(new TrackedCall(id, type, true, json, error), ct).ConfigureAwait(false);
    }

    /// <summary>Sends a finished call's result, retrying until the miner accepts.</summary>
    public async Task DeliverAsync(TrackedCall call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SendAsync(call, ct).ConfigureAwait(false);
                break;
            }
            catch (RpcException e) when (e.Message.Contains(AlreadyReported, StringComparison.Ordinal))
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogReturnFailed(call.ReturnType.ToString(), call.Id.ToString(), attempt, e.Message);
                DeliveryFailed?.Invoke(call.Id, attempt);
                await Task.Delay(retryInterval, time, ct).ConfigureAwait(false);
            }
        }

        await tracker.AcknowledgedAsync(call.Id, CancellationToken.None).ConfigureAwait(false);
    }

    private Task SendAsync(TrackedCall call, CancellationToken ct)
    {
        var id = call.Id;
        var err = call.Error;
        return call.ReturnType switch
        {
            ReturnType.DataCid => miner.ReturnDataCidAsync(id, Result<PieceInfo>(call), err, ct),
            ReturnType.AddPiece => miner.ReturnAddPieceAsync(id, Result<PieceInfo>(call), err, ct),
            ReturnType.SealPreCommit1 => miner.ReturnSealPreCommit1Async(id, Result<byte[]?>(call), err, ct),
            ReturnType.SealPreCommit2 => miner.ReturnSealPreCommit2Async(id, Result<SectorCids?>(call) ?? new SectorCids(default, default), err, ct),
            ReturnType.SealCommit1 => miner.ReturnSealCommit1Async(id, Result<byte[]?>(call), err, ct),
            ReturnType.SealCommit2 => miner.ReturnSealCommit2Async(id, Result<byte[]?>(call), err, ct),
            ReturnType.FinalizeSector => miner.ReturnFinalizeSectorAsync(id, err, ct),
            ReturnType.FinalizeReplicaUpdate => miner.ReturnFinalizeReplicaUpdateAsync(id, err, ct),
            ReturnType.ReplicaUpdate => miner.ReturnReplicaUpdateAsync(id, Result<ReplicaUpdateOut?>(call) ?? new ReplicaUpdateOut(default, default), err, ct),
            ReturnType.ProveReplicaUpdate1 => miner.ReturnProveReplicaUpdate1Async(id, Result<IReadOnlyList<byte[]>?>(call), err, ct),
            ReturnType.ProveReplicaUpdate2 => miner.ReturnProveReplicaUpdate2Async(id, Result<byte[]?>(call), err, ct),
            ReturnType.GenerateSectorKey => miner.ReturnGenerateSectorKeyFromDataAsync(id, err, ct),
            ReturnType.ReleaseUnsealed => miner.ReturnReleaseUnsealedAsync(id, err, ct),
            ReturnType.MoveStorage => miner.ReturnMoveStorageAsync(id, err, ct),
            ReturnType.UnsealPiece => miner.ReturnUnsealPieceAsync(id, err, ct),
            ReturnType.DownloadSector => miner.ReturnDownloadSectorAsync(id, err, ct),
            ReturnType.Fetch => miner.ReturnFetchAsync(id, err, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(call), call.ReturnType, "unknown return type"),
        };
    }

    private static T? Result<T>(TrackedCall call) =>
        call.ResultJson is { } json ? JsonSerializer.Deserialize<T>(json, ApiJson.Options) : default;

    [LoggerMessage(EventId = 7200, EventName = "ReturnFailed", Level = LogLevel.Warning, Message = "Return{Type} for call {Call} failed (attempt {Attempt}), retrying: {Error}")]
    private partial void LogReturnFailed(string type, string call, int attempt, string error);
}
