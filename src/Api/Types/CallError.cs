using System.Text.Json.Serialization;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.CallError</c>: <c>{"Code":0,"Message":"..."}</c>, the failure of an asynchronous call as passed to
/// <c>Return*</c>; a successful call passes <c>null</c>.
/// </summary>
public sealed record CallError(int Code, string Message)
{
    /// <summary><c>ErrUnknown</c>: a permanent failure; the sealing pipeline fails the step.</summary>
    public const int ErrUnknown = 0;

    /// <summary><c>ErrTempUnknown</c>.</summary>
    public const int ErrTempUnknown = 100;

    /// <summary><c>ErrTempWorkerRestart</c>: the worker restarted while the call ran; the pipeline retries.</summary>
    public const int ErrTempWorkerRestart = 101;

    /// <summary><c>ErrTempAllocateSpace</c>: no space could be reserved; the pipeline retries.</summary>
    public const int ErrTempAllocateSpace = 102;

    /// <summary>Whether Lotus's sealing pipeline retries the step (codes 101 and 102, <c>retrySoftErr</c>).</summary>
    [JsonIgnore]
    public bool IsRetriedBySealing => Code is ErrTempWorkerRestart or ErrTempAllocateSpace;

    public override string ToString() => $"storage call error {Code}: {Message}";
}
