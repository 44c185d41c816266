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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] string? Hostname = null);
