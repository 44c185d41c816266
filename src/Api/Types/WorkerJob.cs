using System.Text.Json.Serialization;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.WorkerJob</c>: a job in the miner's <c>WorkerJobs</c>. <c>RunWait</c>: 2+ assigned (window + 2),
/// 1 prepared, 0 running, -1 ret-wait, -2 returned, -3 ret-done. <c>Hostname</c> is omitted when empty (Go <c>omitempty</c>).
/// </summary>
public sealed record WorkerJob(
    CallId ID,
    SectorId Sector,
    TaskType Task,
    int RunWait,
    DateTimeOffset Start,
    string? Hostname = null)
{
    /// <summary>Set only for ret-wait jobs; "" is kept as null so that it is omitted like Go's empty string.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Hostname { get => string.IsNullOrEmpty(field) ? null : field; init; } = Hostname;
}
