using Kiln.Api.Types;

namespace Kiln.Worker.Tests.Calls;

/// <summary>
/// One <c>Return*</c> call a worker made: the method (e.g. <c>ReturnSealPreCommit1Async</c>), the call, its result and
/// error, and the token the worker cancels when it stops.
/// </summary>
public sealed record ReturnAttempt(string Method, CallId Call, object? Result, CallError? Error, CancellationToken Cancellation);
