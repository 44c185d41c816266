using Kiln.Api.Types;

namespace Kiln.Miner.Calls;

/// <summary>What a worker returned for a call: the value (null on failure) and the error (null on success).</summary>
public sealed record CallResult(object? Value, CallError? Error)
{
    public bool Succeeded => Error is null;
}
