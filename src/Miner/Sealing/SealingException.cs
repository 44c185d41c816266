using Kiln.Api.Types;

namespace Kiln.Miner.Sealing;

/// <summary>
/// A sealing task failed on its worker; retryable for Lotus's temporary codes (storage/sealer/storiface/worker.go:
/// 100 ErrTempUnknown — the worker could not reach the miner, a timeout —, 101 worker restarted, 102 no space).
/// </summary>
public sealed class SealingException(TaskType task, SectorId sector, CallError error)
    : Exception($"{TaskTypes.ShortName(task)} of sector {sector.Number} failed: {error.Message} (code {error.Code})")
{
    public CallError Error { get; } = error;

    public bool IsRetryable => Error.Code is CallError.ErrTempUnknown or CallError.ErrTempWorkerRestart or CallError.ErrTempAllocateSpace;
}
