using System.CommandLine;
using System.Net;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Miner.Repo;
using Kiln.Stores.Cli;

namespace Kiln.Miner.Cli;

/// <summary>kiln-miner's commands, shaped after lotus-miner's.</summary>
public static class MinerCli
{
    public static RootCommand Build()
    {
        var repo = new Option<string?>("--repo") { Description = "miner repo directory (env KILN_MINER_PATH, LOTUS_MINER_PATH; default ~/.kilnminer)", Recursive = true };
        var root = new RootCommand("kiln-miner: Filecoin sealing and proving cluster, speaking Lotus's worker protocol") { repo };
        root.Subcommands.Add(Run(repo));
        root.Subcommands.Add(Auth(repo));
        root.Subcommands.Add(DevnetCommand(repo));
        root.Subcommands.Add(SectorsCommands.Create(p => MinerClient.Connect(OpenRepo(p, repo))));
        root.Subcommands.Add(Sealing(repo));
        root.Subcommands.Add(Storage(repo));
        root.Subcommands.Add(DbCommands.Create(p => MinerRepo.Resolve(p.GetValue(repo), Environment.GetEnvironmentVariable)));
        root.Subcommands.Add(ProvingCommands.Create(c => MinerClient.Connect(OpenRepo(c, repo)).Kiln));
        root.Subcommands.Add(BenchCommands.Create());
        return root;
    }

    private static MinerRepo OpenRepo(ParseResult parse, Option<string?> repo) =>
        MinerRepo.Open(MinerRepo.Resolve(parse.GetValue(repo), Environment.GetEnvironmentVariable));

    private static Command Run(Option<string?> repo)
    {
        var listen = new Option<string>("--listen") { Description = "host:port to serve the API on", DefaultValueFactory = _ => "127.0.0.1:2345" };
        var actor = new Option<ulong>("--actor") { Description = "miner actor id", DefaultValueFactory = _ => MinerOptions.DefaultActorId };
        var sectorSize = new Option<string>("--sector-size") { Description = "sector size of this miner", DefaultValueFactory = _ => MinerOptions.DefaultSectorSize };
        var proving = new Option<bool>("--proving") { Description = "run the proving loop (Window PoSt per deadline, Winning PoSt rounds) on the chain (the full node, else the devnet clock); off by default" };
        var fullNode = new Option<string?>("--fullnode-api-info")
        {
            Description = "Lotus full node to follow for sealing randomness and proving, TOKEN:/ip4/127.0.0.1/tcp/1234/http (env FULLNODE_API_INFO); the miner's address is t0<--actor>. Default: the devnet chain",
        };
        var insecure = new Option<bool>("--insecure-test-proofs") { Description = "prove, merge and verify PoSt with Kiln's insecure test prover (devnets without libfilcrypto)" };
        var noWindow = new Option<bool>("--disable-builtin-window-post") { Description = "never prove Window PoSt on the miner itself, even with no window PoSt worker (Lotus [Proving] DisableBuiltinWindowPoSt)" };
        var noWinning = new Option<bool>("--disable-builtin-winning-post") { Description = "never prove Winning PoSt on the miner itself (Lotus [Proving] DisableBuiltinWinningPoSt)" };
        var partitionTimeout = new Option<string>("--partition-timeout")
        {
            Description = "how long one Window PoSt partition may run on a worker before it goes to another, e.g. 20m",
            DefaultValueFactory = _ => GoFormat.Duration(ProvingOptions.DefaultPartitionTimeout),
        };
        var winningTimeout = new Option<string>("--winning-post-timeout")
        {
            Description = "how long one winning PoSt worker may take before the round moves on to the next one, e.g. 30s",
            DefaultValueFactory = _ => GoFormat.Duration(ProvingOptions.DefaultWinningPoStTimeout),
        };
        var retries = new Option<int>("--post-max-retries") { Description = "re-dispatches of one partition after a connection error or timeout", DefaultValueFactory = _ => ProvingOptions.DefaultMaxRetries };
        var hedge = new Option<string?>("--post-hedge-after") { Description = "also start a partition still running after this long on an idle window PoSt worker, first answer wins, e.g. 5m (default: no hedging)" };
        var parallelReads = new Option<int>("--parallel-check-limit")
        {
            Description = "vanilla proofs the miner reads at once when it proves Window PoSt itself (Lotus [Proving] ParallelCheckLimit)",
            DefaultValueFactory = _ => ProvingOptions.DefaultParallelCheckLimit,
        };
        var readTimeout = new Option<string>("--single-check-timeout")
        {
            Description = "how long one sector's vanilla proof may take to read when the miner proves itself before the sector is skipped, e.g. 10m (Lotus [Proving] SingleCheckTimeout)",
            DefaultValueFactory = _ => GoFormat.Duration(ProvingOptions.DefaultSingleCheckTimeout),
        };
        var partitionsPerMessage = new Option<int>("--max-partitions-per-post-message") { Description = "at most this many partitions in one SubmitWindowedPoSt (Lotus [Proving] MaxPartitionsPerPoStMessage; 0: the network's limit)" };
        var windowFee = new Option<string?>("--max-window-post-gas-fee") { Description = "max fee of one SubmitWindowedPoSt, e.g. 5 or \"5 FIL\" (Lotus [Fees] MaxWindowPoStGasFee)" };
        var recoveryPartitions = new Option<int>("--max-partitions-per-recovery-message") { Description = "at most this many partitions in one DeclareFaultsRecovered (Lotus [Proving] MaxPartitionsPerRecoveryMessage; 0: the network's limit)" };
        var noDeclareFaults = new Option<bool>("--no-declare-faults") { Description = "do not declare unreadable sectors faulty ahead of their deadline; they are skipped in the PoSt instead (what Lotus has done since the Ignition upgrade)" };
        var singleRecovering = new Option<bool>("--single-recovering-partition-per-post-message") { Description = "a partition with recovering sectors goes alone in its SubmitWindowedPoSt (Lotus [Proving] SingleRecoveringPartitionPerPostMessage)" };
        var database = new Option<string?>("--db") { Description = "PostgreSQL for the miner's state (postgres://user:password@host:port/database or an Npgsql connection string; env KILN_MINER_DB): today the sector index; default the repo's SQLite files" };
        var noMining = new Option<bool>("--no-mining") { Description = "do not produce blocks: a full-node miner then proves Winning PoSt rounds on the old cadence and only logs them (Lotus [Subsystems] EnableMining = false)" };
        var sealingFlags = new SealingFlags();
        var cmd = new Command("run", "Start the miner: API on /rpc/v0, sector index, worker registry, job tracker, PoSt schedulers")
        {
            listen, actor, sectorSize, proving, fullNode, insecure, noWindow, noWinning, partitionTimeout, winningTimeout, retries, hedge, parallelReads, readTimeout,
        };
        foreach (var flag in sealingFlags.All.Append(partitionsPerMessage).Append(windowFee).Append(recoveryPartitions).Append(noDeclareFaults).Append(singleRecovering).Append(noMining).Append(database))
        {
            cmd.Options.Add(flag);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var r = OpenRepo(parse, repo);
            var options = new MinerOptions { ActorId = parse.GetValue(actor), SectorSize = parse.GetValue(sectorSize)! };
            options.Proving.Enabled = parse.GetValue(proving);
            options.Proving.FullNodeApiInfo = parse.GetValue(fullNode) ?? Environment.GetEnvironmentVariable(ApiInfo.FullNodeEnvironmentVariable);
            options.Proving.Snark = Kiln.Proofs.Snark.SnarkProverOptions.FromEnvironment();
            options.Proving.Snark.UseInsecureTestProofs = parse.GetValue(insecure);
            options.Proving.DisableBuiltinWindowPoSt = parse.GetValue(noWindow);
            options.Proving.DisableBuiltinWinningPoSt = parse.GetValue(noWinning);
            options.Proving.PartitionTimeout = GoFormat.ParseDuration(parse.GetValue(partitionTimeout)!, "--partition-timeout");
            options.Proving.WinningPoStTimeout = GoFormat.ParseDuration(parse.GetValue(winningTimeout)!, "--winning-post-timeout");
            options.Proving.MaxRetries = parse.GetValue(retries);
            options.Proving.HedgeAfter = parse.GetValue(hedge) is { } after ? GoFormat.ParseDuration(after, "--post-hedge-after") : null;
            options.Proving.ParallelCheckLimit = parse.GetValue(parallelReads);
            options.Proving.SingleCheckTimeout = GoFormat.ParseDuration(parse.GetValue(readTimeout)!, "--single-check-timeout");
            sealingFlags.Apply(parse, options.Sealing);
            options.Proving.MaxPartitionsPerPoStMessage = parse.GetValue(partitionsPerMessage);
            options.Proving.MaxWindowPoStGasFee = parse.GetValue(windowFee) is { } fee ? Kiln.Api.Chain.TokenAmount.Parse(fee) : options.Proving.MaxWindowPoStGasFee;
            options.Proving.MaxPartitionsPerRecoveryMessage = parse.GetValue(recoveryPartitions);
            options.Proving.DeclareFaults = !parse.GetValue(noDeclareFaults);
            options.Proving.SingleRecoveringPartitionPerPostMessage = parse.GetValue(singleRecovering);
            options.Proving.EnableMining = !parse.GetValue(noMining);
            options.Database = parse.GetValue(database) ?? Environment.GetEnvironmentVariable("KILN_MINER_DB");
            options.Proving.RecoveringSectorLimit = ProvingOptions.RecoveringSectorLimitFromEnvironment();
            var host = await MinerHost.StartAsync(r, options, IPEndPoint.Parse(parse.GetValue(listen)!), TimeProvider.System, ct).ConfigureAwait(false);
            await using var hostScope = host.ConfigureAwait(false);
            Console.WriteLine($"kiln-miner {options.ActorAddress} ({options.SectorSize}) listening on {host.RpcUrl}; repo {r.Path}");
            await host.WaitForShutdownAsync(ct).ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    private static Command Sealing(Option<string?> repo)
    {
        var sealing = new Command("sealing", "Interact with the sealing pipeline");
        var workers = new Command("workers", "List workers");
        workers.SetAction(async (parse, ct) =>
        {
            foreach (var (id, w) in (await MinerClient.Connect(OpenRepo(parse, repo)).Storage.WorkerStatsAsync(ct).ConfigureAwait(false)).OrderBy(w => w.Value.Info.Hostname, StringComparer.Ordinal))
            {
                Console.WriteLine($"Worker {id}, host {w.Info.Hostname}{(w.Enabled ? "" : " (disabled)")}");
                Console.WriteLine($"\tTASK: {string.Join(' ', (w.Tasks ?? []).Select(Kiln.Api.Types.TaskTypes.ShortName))}");
                Console.WriteLine($"\tCPU:  {w.Info.Resources.CPUs} core(s); RAM: {SectorSizesFormat(w.Info.Resources.MemPhysical)}");
            }

            return 0;
        });
        var limit = new Option<int>("--limit") { Description = "rows", DefaultValueFactory = _ => 50 };
        var jobs = new Command("jobs", "List the job tracker's tasks (newest last)") { limit };
        jobs.SetAction(async (parse, ct) =>
        {
            var entries = await MinerClient.Connect(OpenRepo(parse, repo)).Kiln.KilnJobHistoryAsync(parse.GetValue(limit), ct).ConfigureAwait(false);
            Devnet.Devnet.WriteTable(Console.Out, ["ID", "Sector", "Worker", "Hostname", "Task", "State", "Time"], entries.OrderBy(e => e.Start).Select(e => new[]
            {
                e.CallID.ToString("N")[..8],
                e.Sector.ToString(System.Globalization.CultureInfo.InvariantCulture),
                e.Worker.ToString("N")[..8],
                e.Hostname,
                e.Task,
                e.Outcome,
                e.DurationNs is { } ns ? GoFormat.Duration(TimeSpan.FromTicks(ns / 100)) : "running",
            }).ToList());
            return 0;
        });
        sealing.Subcommands.Add(workers);
        sealing.Subcommands.Add(jobs);
        return sealing;
    }

    private static Command Storage(Option<string?> repo)
    {
        var storage = new Command("storage", "Storage paths known to the sector index");
        var list = new Command("list", "List storage paths, their use and the sectors declared in them");
        list.SetAction(async (parse, ct) =>
        {
            var client = MinerClient.Connect(OpenRepo(parse, repo));
            foreach (var (id, decls) in (await client.Storage.StorageListAsync(ct).ConfigureAwait(false)).OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
            {
                var info = await client.Storage.StorageInfoAsync(id, ct).ConfigureAwait(false);
                var counts = new[] { SectorFileType.Unsealed, SectorFileType.Sealed, SectorFileType.Cache }
                    .Select(t => $"{SectorFileTypes.Format(t)}: {decls.Count(d => (d.SectorFileType & t) != 0)}");
                Console.WriteLine($"{id}:");
                Console.WriteLine($"\t{string.Join("; ", counts)}");
                Console.WriteLine($"\tWeight: {info.Weight}; Use: {(info.CanSeal || info.CanStore ? string.Join(' ', new[] { info.CanSeal ? "Seal" : null, info.CanStore ? "Store" : null }.OfType<string>()) : "ReadOnly")}");
                foreach (var url in info.URLs ?? [])
                {
                    Console.WriteLine($"\tURL: {url}");
                }
            }

            return 0;
        });
        var number = new Argument<ulong>("sector");
        var find = new Command("find", "Find where a sector's files are stored") { number };
        find.SetAction(async (parse, ct) =>
        {
            var client = MinerClient.Connect(OpenRepo(parse, repo));
            var address = await client.Storage.ActorAddressAsync(ct).ConfigureAwait(false);
            var actor = Kiln.Proofs.Sdr.ProverId.ParseIdAddress(address);
            var size = await client.Storage.ActorSectorSizeAsync(address, ct).ConfigureAwait(false);
            foreach (var type in new[] { SectorFileType.Unsealed, SectorFileType.Sealed, SectorFileType.Cache })
            {
                foreach (var place in await client.Storage.StorageFindSectorAsync(new SectorId(actor, parse.GetValue(number)), type, size, false, ct).ConfigureAwait(false))
                {
                    Console.WriteLine($"In {place.ID} ({SectorFileTypes.Format(type)}, {(place.Primary ? "primary" : "copy")}): {string.Join(' ', place.URLs ?? [])}");
                }
            }

            return 0;
        });
        storage.Subcommands.Add(StorageAttachCommand.Create((parse, root, ct) => MinerClient.Connect(OpenRepo(parse, repo)).Storage.StorageAddLocalAsync(root, ct)));
        storage.Subcommands.Add(list);
        storage.Subcommands.Add(find);
        return storage;
    }

    private static string SectorSizesFormat(ulong bytes) => GoFormat.SizeStr(new System.Numerics.BigInteger(bytes));

    private static Command DevnetCommand(Option<string?> repo)
    {
        var workers = new Option<int>("--workers") { Description = "sealing worker processes: 2 = a PC1 host (AP, PC1) and a PC2 host (PC2, C1, C2); more do every task on their own storage; 1 does everything", DefaultValueFactory = _ => 2 };
        var separate = new Option<bool>("--separate-storage") { Description = "give the PC1 and PC2 hosts their own storage paths (PC2 fetches PC1's output over /remote) instead of one shared sealing path" };
        var sectors = new Option<int>("--sectors") { Description = "CC sectors to pledge", DefaultValueFactory = _ => 2 };
        var sectorSize = new Option<string>("--sector-size") { Description = "sector size", DefaultValueFactory = _ => MinerOptions.DefaultSectorSize };
        var dir = new Option<string?>("--dir") { Description = "directory for the repos (default: a new temporary directory)" };
        var workerBin = new Option<string?>("--worker-bin") { Description = "kiln-worker executable (default: next to kiln-miner)" };
        var keep = new Option<bool>("--keep") { Description = "stay up after the sectors are done" };
        var insecure = new Option<bool>("--insecure-test-proofs")
        {
            Description = "prove C2 with keyed-hash test proofs that are valid on NO network (default true; false needs libfilcrypto, FILCRYPTO_LIB)",
            DefaultValueFactory = _ => true,
        };
        var devnetProving = new Option<bool>("--proving")
        {
            Description = "after sealing, prove Window PoSt deadlines and Winning PoSt rounds through PoSt worker processes (default true)",
            DefaultValueFactory = _ => true,
        };
        var postWorkers = new Option<int>("--post-workers") { Description = "Window PoSt and Winning PoSt worker processes (one of each per count)", DefaultValueFactory = _ => 1 };
        var failSector = new Option<ulong?>("--fail-sector")
        {
            Description = "make sector N unreadable to PoSt reads (its Window PoSt skips it, the miner declares it faulty); `kiln-miner devnet fail-sector N --off` makes it readable again",
        };
        var cmd = new Command("devnet", "Run a local devnet: this miner and N kiln-worker processes on loopback; pledge and seal K CC sectors")
        {
            workers, sectors, sectorSize, separate, dir, workerBin, keep, insecure, devnetProving, postWorkers, failSector,
        };
        cmd.Subcommands.Add(FailSectorCommand(repo));
        cmd.SetAction((parse, ct) => Devnet.Devnet.RunAsync(
            new Devnet.DevnetOptions
            {
                Workers = parse.GetValue(workers),
                Sectors = parse.GetValue(sectors),
                SectorSize = parse.GetValue(sectorSize)!,
                SeparateStorage = parse.GetValue(separate),
                Directory = parse.GetValue(dir),
                WorkerBinary = parse.GetValue(workerBin),
                Keep = parse.GetValue(keep),
                InsecureTestProofs = parse.GetValue(insecure),
                Proving = parse.GetValue(devnetProving),
                PoStWorkers = parse.GetValue(postWorkers),
                FailSector = parse.GetValue(failSector),
            },
            Console.Out,
            live: !Console.IsOutputRedirected && Spectre.Console.AnsiConsole.Profile.Capabilities.Interactive,
            ct));
        return cmd;
    }

    /// <summary><c>kiln-miner devnet fail-sector N [--off]</c>: on a running devnet miner (its repo), sector N unreadable to PoSt reads, or readable again.</summary>
    private static Command FailSectorCommand(Option<string?> repo)
    {
        var number = new Argument<ulong>("sector") { Description = "sector number" };
        var off = new Option<bool>("--off") { Description = "make the sector readable again" };
        var cmd = new Command("fail-sector", "On a running devnet miner (--repo, e.g. DIR/miner): make a sector unreadable to PoSt reads, or readable again with --off")
        {
            number, off,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var sector = parse.GetValue(number);
            var failed = await MinerClient.Connect(OpenRepo(parse, repo)).Kiln.KilnDevnetFailSectorAsync(sector, !parse.GetValue(off), ct).ConfigureAwait(false);
            Console.Out.WriteLine(parse.GetValue(off)
                ? $"sector {sector} is readable again"
                : $"sector {sector} is unreadable to PoSt reads (devnet --fail-sector); `kiln-miner devnet fail-sector {sector} --off` undoes it");
            Console.Out.WriteLine(failed.Count == 0 ? "no sector is failed" : "failed sectors: " + string.Join(", ", failed));
        });
        return cmd;
    }

    private static Command Auth(Option<string?> repo)
    {
        var auth = new Command("auth", "Manage RPC permissions");
        auth.Subcommands.Add(TokenCommand(repo, "create-token", "Create a token with the given permission (and those below it)", (r, token) => token));
        auth.Subcommands.Add(TokenCommand(repo, "api-info", "Print MINER_API_INFO for workers and tools", (r, token) =>
            $"MINER_API_INFO={token}:{r.ReadApi() ?? throw new ArgumentException($"no api file in {r.Path}: start `kiln-miner run` first")}"));
        return auth;
    }

    private static Command TokenCommand(Option<string?> repo, string name, string description, Func<MinerRepo, string, string> render)
    {
        var perm = new Option<string>("--perm") { Description = "permission to grant: read, write, sign or admin", Required = true };
        var expire = new Option<string?>("--expire-after")
        {
            Description = "make the token expire after this long, e.g. 24h (an \"exp\" claim Kiln checks; Lotus nodes ignore it). Default: no expiry, as Lotus",
        };
        var cmd = new Command(name, description) { perm, expire };
        cmd.SetAction(parse =>
        {
            var r = OpenRepo(parse, repo);
            DateTimeOffset? expires = parse.GetValue(expire) is { } after ? TimeProvider.System.GetUtcNow() + GoFormat.ParseDuration(after, "--expire-after") : null;
            Console.WriteLine(render(r, r.Secret.CreateToken(PermissionsUpTo(parse.GetValue(perm)!), expires)));
            return 0;
        });
        return cmd;
    }

    /// <summary>Lotus grants a permission together with every one below it (read &lt; write &lt; sign &lt; admin).</summary>
    internal static IReadOnlyList<string> PermissionsUpTo(string permission)
    {
        var i = Permission.All.ToList().IndexOf(permission);
        return i < 0
            ? throw new ArgumentException($"unknown permission '{permission}': use read, write, sign or admin")
            : Permission.All.Take(i + 1).ToArray();
    }
}
