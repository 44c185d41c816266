namespace Kiln.Miner.Bench;

/// <summary>One <see cref="IndexBench"/> run: declarations per second (and the transactions they took), lookup latencies in milliseconds, the database's bytes and the process's resident set.</summary>
public sealed record IndexBenchResult(
    long Sectors,
    int Declarations,
    int Clients,
    double DeclarationsPerSecond,
    long Transactions,
    double FindP50,
    double FindP99,
    double AllocP50,
    double AllocP99,
    long DatabaseBytes,
    long ResidentBytes);
