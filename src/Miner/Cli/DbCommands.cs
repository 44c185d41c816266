using System.CommandLine;
using Kiln.Miner.Repo;
using Kiln.Stores.Sqlite;

namespace Kiln.Miner.Cli;

/// <summary>
/// <c>kiln-miner db check|backup|restore</c>: the repo's SQLite files (index, jobs, works, sectors, deadlines) and their
/// <c>.bak</c> backups. The miner checks every file at start and refuses a damaged one; these commands say which
/// is damaged, write fresh backups (safe while the miner runs) and put a backup back (with the miner stopped).
/// </summary>
internal static class DbCommands
{
    public static Command Create(Func<ParseResult, string> repoPath)
    {
        var db = new Command("db", "Check, back up and restore the miner's databases");
        db.Subcommands.Add(Check(repoPath));
        db.Subcommands.Add(Backup(repoPath));
        db.Subcommands.Add(Restore(repoPath));
        db.Subcommands.Add(Migrate());
        return db;
    }

    /// <summary>
    /// <c>db migrate --from-sqlite REPO --db URL</c>: copies a repo's sector index (its storage paths and every
    /// declaration) into PostgreSQL, claiming the database for the miner actor; run with the miner stopped.
    /// </summary>
    private static Command Migrate()
    {
        var from = new Option<string>("--from-sqlite") { Description = "the kiln-miner repo whose index.sqlite is copied", Required = true };
        var to = new Option<string>("--db") { Description = "the PostgreSQL database (postgres://user:password@host:port/database or an Npgsql connection string)", Required = true };
        var actor = new Option<ulong>("--actor") { Description = "the miner actor the repo belongs to", DefaultValueFactory = _ => MinerOptions.DefaultActorId };
        var cmd = new Command("migrate", "Stop the miner first. Copy the repo's sector index into PostgreSQL (paths replaced, declarations merged: running it twice changes nothing); the sealing pipeline, work store and history stay in the repo") { from, to, actor };
        cmd.SetAction(async (parse, ct) =>
        {
            var file = Path.Combine(parse.GetValue(from)!, "index.sqlite");
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"{file} does not exist: --from-sqlite names a kiln-miner repo");
                return 1;
            }

            var url = parse.GetValue(to)!;
            await Kiln.Stores.Sql.PostgresConnection.ClaimMinerAsync(url, parse.GetValue(actor), ct).ConfigureAwait(false);
            var source = await Kiln.Stores.Index.SqlSectorIndex.OpenSqliteAsync(file, TimeProvider.System, ct).ConfigureAwait(false);
            await using var sourceScope = source.ConfigureAwait(false);
            var target = await Kiln.Stores.Index.SqlSectorIndex.OpenPostgresAsync(url, TimeProvider.System, ct).ConfigureAwait(false);
            await using var targetScope = target.ConfigureAwait(false);
            var (paths, declarations) = await target.CopyFromAsync(source, new Progress<long>(n => Console.Error.WriteLine($"{n:N0} declarations copied")), ct).ConfigureAwait(false);
            Console.WriteLine($"copied {paths} storage paths and {declarations} declarations from {file}");
            return 0;
        });
        return cmd;
    }

    private static Argument<string[]> Names() => new("name")
    {
        Description = "databases: " + string.Join(", ", MinerDatabases.Names) + " (default: all)",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static Command Check(Func<ParseResult, string> repoPath)
    {
        var names = Names();
        var cmd = new Command("check", "Run PRAGMA quick_check on each database and its backup; exit status 1 when one is damaged") { names };
        cmd.SetAction(async (parse, ct) =>
        {
            var damaged = false;
            foreach (var path in Paths(repoPath(parse), parse.GetValue(names)))
            {
                foreach (var file in new[] { path, SqliteFiles.BackupPath(path) })
                {
                    var problem = File.Exists(file) ? await SqliteFiles.CheckAsync(file, ct).ConfigureAwait(false) : null;
                    var state = !File.Exists(file) ? "absent" : problem is null ? "ok" : "DAMAGED: " + problem;
                    damaged |= problem is not null;
                    Console.WriteLine($"{file}\t{state}");
                }
            }

            return damaged ? 1 : 0;
        });
        return cmd;
    }

    private static Command Backup(Func<ParseResult, string> repoPath)
    {
        var names = Names();
        var cmd = new Command("backup", "Write <db>.sqlite.bak with SQLite's online backup API (safe while the miner runs)") { names };
        cmd.SetAction(async (parse, ct) =>
        {
            foreach (var path in Paths(repoPath(parse), parse.GetValue(names)))
            {
                var written = await SqliteFiles.BackupAsync(path, MinerDatabases.RestoreHint(path), ct).ConfigureAwait(false);
                Console.WriteLine(written ? $"{SqliteFiles.BackupPath(path)}\twritten" : $"{path}\tabsent, no backup");
            }

            return 0;
        });
        return cmd;
    }

    private static Command Restore(Func<ParseResult, string> repoPath)
    {
        var names = Names();
        names.Arity = ArgumentArity.OneOrMore;
        var cmd = new Command("restore", "Stop the miner first. Put <db>.sqlite.bak back in place of <db>.sqlite; the current file is kept as <db>.sqlite.damaged-<time>") { names };
        cmd.SetAction(async (parse, ct) =>
        {
            foreach (var path in Paths(repoPath(parse), parse.GetValue(names)))
            {
                var kept = await SqliteFiles.RestoreAsync(path, TimeProvider.System, ct).ConfigureAwait(false);
                Console.WriteLine($"{path}\trestored from {SqliteFiles.BackupPath(path)}{(kept is null ? "" : "; the previous file is kept as " + kept)}");
            }

            return 0;
        });
        return cmd;
    }

    private static IEnumerable<string> Paths(string repo, string[]? names)
    {
        var chosen = names is { Length: > 0 } ? names : [.. MinerDatabases.Names];
        foreach (var name in chosen)
        {
            if (!MinerDatabases.Names.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentException($"unknown database '{name}': the miner's are {string.Join(", ", MinerDatabases.Names)}");
            }
        }

        return chosen.Select(n => Path.Combine(repo, n + ".sqlite")).ToList();
    }
}
