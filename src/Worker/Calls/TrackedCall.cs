using Kiln.Api.Types;

namespace Kiln.Worker.Calls;

/// <summary>A row of the call tracker: the call, how it returns, whether it finished, and its result or error.</summary>
public sealed record TrackedCall(CallId Id, ReturnType ReturnType, bool Done, string? ResultJson, CallError? Error);
