namespace Kiln.Miner.Jobs;

/// <summary>Where the job tracker keeps its history.</summary>
public sealed class JobTrackerOptions
{
    /// <summary>Environment variable of the seed's job tracker naming the directory of the daily logs.</summary>
    public const string LogPathVariable = "LOTUS_MINER_JOB_LOG_PATH";

    /// <summary>SQLite database file (in the miner repo). Required.</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>
    /// Directory of the tab-separated daily logs <c>jobs-YYYY-MM-DD.log</c>; null = no daily log.
    /// Default: <c>LOTUS_MINER_JOB_LOG_PATH</c> when set, else the miner repo.
    /// </summary>
    public string? LogDirectory { get; set; }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new InvalidOperationException("JobTrackerOptions.DatabasePath is required");
        }
    }
}
