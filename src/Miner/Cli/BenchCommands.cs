using System.CommandLine;
using System.Globalization;
using Kiln.Miner.Bench;

namespace Kiln.Miner.Cli;

/// <summary><c>kiln-miner bench index</c>: the sector index's throughput and latency at a given size.</summary>
internal static class BenchCommands
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks of kiln-miner's own parts");
        var sectors = new Option<long>("--sectors") { Description = "sectors in the index before measuring (each with sealed and cache files)", DefaultValueFactory = _ => 1_000_000 };
        var declarations = new Option<int>("--declarations") { Description = "StorageDeclareSector calls measured, after the fill", DefaultValueFactory = _ => 100_000 };
        var clients = new Option<string>("--clients") { Description = "concurrent declaring clients; a comma-separated list runs each in turn", DefaultValueFactory = _ => "1,16,64" };
        var lookups = new Option<int>("--lookups") { Description = "StorageFindSector and StorageBestAlloc calls timed", DefaultValueFactory = _ => 10_000 };
        var paths = new Option<int>("--paths") { Description = "storage paths the sectors are spread over", DefaultValueFactory = _ => 10 };
        var baseline = new Option<bool>("--baseline") { Description = "also measure every client count with one transaction per declaration (no group commit), for comparison" };
        var db = new Option<string?>("--db") { Description = "a PostgreSQL server (postgres://user:password@host:port/database or an Npgsql connection string): the run creates its own database there and drops it after; default SQLite" };
        var dir = new Option<string?>("--dir") { Description = "where the index database goes (a temporary directory, removed after, by default)" };
        var index = new Command("index", "The sector index (SQLite, or PostgreSQL with --db): declarations/s with concurrent clients, StorageFindSector and StorageBestAlloc p50/p99, database size, RSS")
        {
            sectors, declarations, clients, lookups, paths, baseline, db, dir,
        };
        index.SetAction(async (parse, ct) =>
        {
            var counts = parse.GetValue(clients)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"--clients: '{c}' is not a positive number"))
                .ToList();
            Console.WriteLine($"{"commit",6} {"sectors",12} {"declared",9} {"clients",7} {"decl/s",10} {"txns",7} {"find p50",9} {"find p99",9} {"alloc p50",9} {"alloc p99",9} {"db MiB",8} {"rss MiB",8}");
            var modes = parse.GetValue(baseline) ? new[] { false, true } : [true];
            foreach (var (c, group) in counts.SelectMany(c => modes.Select(m => (c, m))))
            {
                var root = parse.GetValue(dir) ?? Directory.CreateTempSubdirectory("kiln-bench-index-").FullName;
                var run = Path.Combine(root, "clients-" + c.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(run);
                try
                {
                    var progress = new Progress<string>(m => Console.Error.WriteLine(m));
                    var r = await IndexBench.RunAsync(new IndexBenchOptions(run, parse.GetValue(sectors), parse.GetValue(declarations), c, parse.GetValue(lookups), parse.GetValue(paths), group, parse.GetValue(db)), progress, ct).ConfigureAwait(false);
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{(group ? "group" : "single"),6} {r.Sectors,12:N0} {r.Declarations,9:N0} {r.Clients,7} {r.DeclarationsPerSecond,10:N0} {r.Transactions,7} {r.FindP50,7:F3}ms {r.FindP99,7:F3}ms {r.AllocP50,7:F3}ms {r.AllocP99,7:F3}ms {r.DatabaseBytes / 1048576.0,8:F1} {r.ResidentBytes / 1048576.0,8:F1}"));
                }
                finally
                {
                    Directory.Delete(run, recursive: true);
                    if (parse.GetValue(dir) is null)
                    {
                        Directory.Delete(root, recursive: true);
                    }
                }
            }

            return 0;
        });
        bench.Subcommands.Add(index);
        return bench;
    }
}
