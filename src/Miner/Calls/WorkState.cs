using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Miner.Calls;

/// <summary>A row of the <see cref="WorkStore"/>.</summary>
public sealed record WorkState(
    WorkId Id,
    SectorId Sector,
    WorkStatus Status,
    CallId? Call,
    Guid? Worker,
    string? HostName,
    JsonElement? Result,
    CallError? Error,
    DateTimeOffset Updated)
{
    /// <summary>The stored result as a <see cref="CallResult"/> (the value stays JSON until the caller reads it as its type).</summary>
    public CallResult ToResult() => new(Error is null ? Result : null, Error);
}
