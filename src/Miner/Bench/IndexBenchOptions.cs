namespace Kiln.Miner.Bench;

/// <summary>What <see cref="IndexBench"/> measures: the table's size, the declarations and their clients, the lookups, where the database goes (a SQLite file in the directory, or a new database on the PostgreSQL server of <c>Postgres</c>), and whether writes share transactions.</summary>
public sealed record IndexBenchOptions(string Directory, long Sectors, int Declarations, int Clients, int Lookups, int Paths, bool GroupCommit = true, string? Postgres = null);
