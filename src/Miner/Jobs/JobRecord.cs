using Kiln.Api.Types;

namespace Kiln.Miner.Jobs;

/// <summary>One task as the job tracker keeps it: who ran what on which sector, when, how long, how it ended.</summary>
public sealed record JobRecord(
    Guid CallId,
    string HostName,
    Guid WorkerId,
    SectorId Sector,
    TaskType Task,
    DateTimeOffset Start,
    DateTimeOffset? End,
    TimeSpan? Duration,
    JobOutcome Outcome,
    string? Error);
