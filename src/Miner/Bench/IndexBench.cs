using System.Diagnostics;
using Dapper;
using Kiln.Api.Types;
using Kiln.Stores.Index;
using Kiln.Stores.Sql;
using Npgsql;

namespace Kiln.Miner.Bench;

/// <summary>
/// <c>kiln-miner bench index</c>: the sector index at a given size. The table is first filled to
/// <see cref="IndexBenchOptions.Sectors"/> sectors (sealed and cache files on one of <see cref="IndexBenchOptions.Paths"/>
/// storage paths; not measured), then <see cref="IndexBenchOptions.Declarations"/> new <c>StorageDeclareSector</c>
/// calls are made by <see cref="IndexBenchOptions.Clients"/> concurrent clients (each acknowledged only once on disk),
/// then <see cref="IndexBenchOptions.Lookups"/> <c>StorageFindSector</c> of random sectors and as many
/// <c>StorageBestAlloc</c> calls, one at a time, each timed. In process, over the index the miner runs: a SQLite file
/// in <see cref="IndexBenchOptions.Directory"/>, or, with <see cref="IndexBenchOptions.Postgres"/>, a new database on
/// that PostgreSQL server (created for the run and dropped after).
/// </summary>
public static class IndexBench
{
    private const ulong Miner = 1000;
    private const ulong SectorSize = 34_359_738_368; // 32 GiB

    /// <summary>A petabyte path, half free.</summary>
    private static readonly FsStat Stat = new(1L << 50, 1L << 49, 1L << 49, 0, 0, 1L << 49);

    public static async Task<IndexBenchResult> RunAsync(IndexBenchOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.Directory);
        var file = Path.Combine(options.Directory, "index.sqlite");
        var paths = Enumerable.Range(0, options.Paths).Select(i => new StorageId(Guid.NewGuid().ToString())).ToList();
        (string Name, string ConnectionString)? database = options.Postgres is { } server ? await CreateDatabaseAsync(server, ct).ConfigureAwait(false) : null;
        try
        {
            return await RunAsync(options, file, database, paths, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            if (database is not null)
            {
                await DropDatabaseAsync(options.Postgres!, database.Value.Name).ConfigureAwait(false);
            }
        }
    }

    private static Task<SqlSectorIndex> OpenAsync(string file, (string Name, string ConnectionString)? database, bool groupCommit, CancellationToken ct) =>
        database is { } db
            ? SqlSectorIndex.OpenPostgresAsync(db.ConnectionString, TimeProvider.System, groupCommit, ct)
            : SqlSectorIndex.OpenSqliteAsync(file, TimeProvider.System, groupCommit, ct);

    private static async Task<IndexBenchResult> RunAsync(IndexBenchOptions options, string file, (string Name, string ConnectionString)? database, List<StorageId> paths, IProgress<string>? progress, CancellationToken ct)
    {
        // The fill always shares transactions (it is not measured); the measured index is opened as asked.
        var filling = await OpenAsync(file, database, groupCommit: true, ct).ConfigureAwait(false);
        await using (filling.ConfigureAwait(false))
        {
            for (var i = 0; i < paths.Count; i++)
            {
                var info = new StorageInfo(paths[i], [$"http://10.0.0.{i + 1}:3456/remote"], 10, 0, false, true, null, null, null, null, null, null);
                await filling.StorageAttachAsync(info, Stat, ct).ConfigureAwait(false);
            }

            await FillAsync(filling, paths, options.Sectors, progress, ct).ConfigureAwait(false);
        }

        var index = await OpenAsync(file, database, options.GroupCommit, ct).ConfigureAwait(false);
        await using var indexScope = index.ConfigureAwait(false);

        // The paths' storage nodes report health every 10 s as Lotus's do (a path silent for 50 s is left out of answers).
        using var stopHeartbeats = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await HeartbeatAsync(index, paths, ct).ConfigureAwait(false);
        var heartbeats = Task.Run(
            async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
                try
                {
                    while (await timer.WaitForNextTickAsync(stopHeartbeats.Token).ConfigureAwait(false))
                    {
                        await HeartbeatAsync(index, paths, stopHeartbeats.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (stopHeartbeats.IsCancellationRequested)
                {
                }
            },
            CancellationToken.None);
        var (before, _) = index.Commits;
        long next = options.Sectors - 1;
        var declare = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(_ => Task.Run(
            async () =>
            {
                while (true)
                {
                    var n = Interlocked.Increment(ref next);
                    if (n >= options.Sectors + options.Declarations)
                    {
                        return;
                    }

                    await index.StorageDeclareSectorAsync(paths[(int)(n % paths.Count)], new SectorId(Miner, (ulong)n), SectorFileType.Sealed, true, ct).ConfigureAwait(false);
                }
            },
            ct))).ConfigureAwait(false);
        declare.Stop();
        var transactions = index.Commits.Transactions - before;
        progress?.Report($"{options.Declarations} declarations by {options.Clients} clients in {declare.Elapsed.TotalSeconds:F2} s ({transactions} transactions)");

        var total = options.Sectors + options.Declarations;
        var random = new Random(1);
        var find = new double[options.Lookups];
        for (var i = 0; i < find.Length; i++)
        {
            var sector = new SectorId(Miner, (ulong)random.NextInt64(total));
            var t = Stopwatch.GetTimestamp();
            var found = await index.StorageFindSectorAsync(sector, SectorFileType.Sealed, 0, false, ct).ConfigureAwait(false);
            find[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (found.Count != 1)
            {
                throw new InvalidOperationException($"sector {sector.Number} was found on {found.Count} paths, not 1: the index lost a declaration");
            }
        }

        var alloc = new double[options.Lookups];
        for (var i = 0; i < alloc.Length; i++)
        {
            var t = Stopwatch.GetTimestamp();
            var best = await index.StorageBestAllocAsync(SectorFileType.Sealed, SectorSize, PathType.Storage, Miner, ct).ConfigureAwait(false);
            alloc[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (best.Count != paths.Count)
            {
                throw new InvalidOperationException($"StorageBestAlloc offered {best.Count} of {paths.Count} paths");
            }
        }

        await stopHeartbeats.CancelAsync().ConfigureAwait(false);
        await heartbeats.ConfigureAwait(false);
        var bytes = database is { } db
            ? await DatabaseSizeAsync(db.ConnectionString, ct).ConfigureAwait(false)
            : new[] { "", "-wal", "-shm" }.Select(s => new FileInfo(file + s)).Where(f => f.Exists).Sum(f => f.Length);
        return new IndexBenchResult(
            options.Sectors,
            options.Declarations,
            options.Clients,
            options.Declarations / declare.Elapsed.TotalSeconds,
            transactions,
            Percentile(find, 0.50),
            Percentile(find, 0.99),
            Percentile(alloc, 0.50),
            Percentile(alloc, 0.99),
            bytes,
            Environment.WorkingSet);
    }

    private static async Task<(string Name, string ConnectionString)> CreateDatabaseAsync(string server, CancellationToken ct)
    {
        var name = "kiln_bench_" + Guid.NewGuid().ToString("N")[..12];
        var admin = new NpgsqlConnection(PostgresConnection.Normalize(server));
        await using (admin.ConfigureAwait(false))
        {
            await admin.OpenAsync(ct).ConfigureAwait(false);
            await admin.ExecuteAsync(new CommandDefinition($"CREATE DATABASE {name}", cancellationToken: ct)).ConfigureAwait(false);
        }

        return (name, new NpgsqlConnectionStringBuilder(PostgresConnection.Normalize(server)) { Database = name }.ConnectionString);
    }

    private static async Task DropDatabaseAsync(string server, string name)
    {
        NpgsqlConnection.ClearAllPools();
        var admin = new NpgsqlConnection(PostgresConnection.Normalize(server));
        await using (admin.ConfigureAwait(false))
        {
            await admin.OpenAsync().ConfigureAwait(false);
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)").ConfigureAwait(false);
        }
    }

    private static async Task<long> DatabaseSizeAsync(string connectionString, CancellationToken ct)
    {
        var c = new NpgsqlConnection(connectionString);
        await using (c.ConfigureAwait(false))
        {
            await c.OpenAsync(ct).ConfigureAwait(false);
            return await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT pg_database_size(current_database())", cancellationToken: ct)).ConfigureAwait(false);
        }
    }

    private static async Task HeartbeatAsync(SqlSectorIndex index, List<StorageId> paths, CancellationToken ct)
    {
        foreach (var id in paths)
        {
            await index.StorageReportHealthAsync(id, new HealthReport(Stat, ""), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Fills the table in batches of 100,000 declarations a transaction (group commit does the batching).</summary>
    private static async Task FillAsync(SqlSectorIndex index, List<StorageId> paths, long sectors, IProgress<string>? progress, CancellationToken ct)
    {
        const int Batch = 100_000;
        var watch = Stopwatch.StartNew();
        for (long start = 0; start < sectors; start += Batch)
        {
            var end = Math.Min(sectors, start + Batch);
            var writes = new List<Task>((int)(end - start));
            for (var n = start; n < end; n++)
            {
                writes.Add(index.StorageDeclareSectorAsync(paths[(int)(n % paths.Count)], new SectorId(Miner, (ulong)n), SectorFileType.Sealed | SectorFileType.Cache, true, ct));
            }

            await Task.WhenAll(writes).ConfigureAwait(false);
            progress?.Report($"filled {end:N0} of {sectors:N0} sectors ({watch.Elapsed.TotalSeconds:F0} s)");
        }
    }

    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
