using Kiln.Api.Types;

namespace Kiln.Miner.Sealing;

/// <summary>A sealing task failed on its worker; retryable for Lotus's temporary codes (101 worker restarted, 102 no space).</summary>
public sealed class SealingException(TaskType task, SectorId sector, CallError error)
    : Exception($"{TaskTypes.ShortName(task)} of sector {sector.Number} failed: {error.Message} (code {error.Code})")
{
    public CallError Error { get; } = error;

    public bool IsRetryable => Error.Code is CallError.ErrTempWorkerRestart or CallError.ErrTempAllocateSpace;
}
