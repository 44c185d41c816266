using System.CommandLine;
using System.Globalization;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.Types;
using Kiln.Proofs.Memory;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Sdr.Pool;
using Kiln.Proofs.Snark;
using Kiln.Worker.Run;

namespace Kiln.Worker.Cli;

/// <summary><c>kiln-worker run</c>: lotus-worker's <c>run</c> flags, each with its <c>LOTUS_WORKER_*</c> variable.</summary>
public static partial class RunCommand
{
    /// <summary>Prefix of lotus-worker's run flag variables.</summary>
    public const string EnvPrefix = "LOTUS_WORKER_";

    private static readonly Option<string?> Listen = new("--listen", "--address") { Description = "host address and port the worker api will listen on (env LOTUS_WORKER_LISTEN; default 0.0.0.0:3456)" };
    private static readonly Option<string?> Name = new("--name") { Description = "custom worker name (env LOTUS_WORKER_NAME; default hostname)" };
    private static readonly Option<bool> NoLocalStorage = new("--no-local-storage") { Description = "don't use storageminer repo for sector storage (env LOTUS_WORKER_NO_LOCAL_STORAGE)" };
    private static readonly Option<bool> NoSwap = new("--no-swap") { Description = "don't use swap (accepted; env LOTUS_WORKER_NO_SWAP)" };
    private static readonly Option<int> ParallelFetchLimit = new("--parallel-fetch-limit") { Description = "maximum fetch operations to run in parallel (env LOTUS_WORKER_PARALLEL_FETCH_LIMIT; default 5)" };
    private static readonly Option<bool> EnableGpuProving = new("--enable-gpu-proving") { Description = "enable use of GPU for mining operations (accepted; no GPU work yet)" };
    private static readonly Option<bool> WindowPost = new("--windowpost") { Description = "enable window post (env LOTUS_WORKER_WINDOWPOST; default false): a PoSt worker with no other task" };
    private static readonly Option<bool> WinningPost = new("--winningpost") { Description = "enable winning post (env LOTUS_WORKER_WINNINGPOST; default false): a PoSt worker with no other task" };
    private static readonly Option<int> PostParallelReads = new("--post-parallel-reads") { Description = "maximum number of parallel challenge reads (env LOTUS_WORKER_POST_PARALLEL_READS; default 32)" };
    private static readonly Option<string?> PostReadTimeout = new("--post-read-timeout") { Description = "time limit for reading PoSt challenges, e.g. 30s (env LOTUS_WORKER_POST_READ_TIMEOUT; default 0 = none)" };
    private static readonly Option<bool> InsecureTestProofs = new("--insecure-test-proofs")
    {
        Description = "prove C2 and PoSt with keyed-hash test proofs that are valid on NO network (devnets and tests only; env KILN_INSECURE_TEST_PROOFS)",
    };

    /// <summary>Task flags, default true, and the task type each turns on.</summary>
    private static readonly (Option<bool> Option, string Env, TaskType[] Types)[] TaskFlags =
    [
        Flag("--addpiece", "ADDPIECE", TaskType.AddPiece, TaskType.DataCid), // Lotus: a sealing worker doing AddPiece does DataCid too
        Flag("--precommit1", "PRECOMMIT1", TaskType.PreCommit1),
        Flag("--unseal", "UNSEAL", TaskType.Unseal),
        Flag("--precommit2", "PRECOMMIT2", TaskType.PreCommit2),
        Flag("--commit", "COMMIT", TaskType.Commit2),
        Flag("--replica-update", "REPLICA_UPDATE", TaskType.ReplicaUpdate),
        Flag("--prove-replica-update2", "PROVE_REPLICA_UPDATE2", TaskType.ProveReplicaUpdate2),
        Flag("--regen-sector-key", "REGEN_SECTOR_KEY", TaskType.RegenSectorKey),
    ];

    /// <summary>Always-on sealing tasks of a lotus-worker.</summary>
    private static readonly TaskType[] AlwaysOn =
    [
        TaskType.Fetch, TaskType.Commit1, TaskType.ProveReplicaUpdate1, TaskType.Finalize, TaskType.FinalizeUnsealed, TaskType.FinalizeReplicaUpdate,
    ];

    public static Command Build()
    {
        var cmd = new Command("run", "Start kiln-worker") {
            Listen, Name, NoLocalStorage, NoSwap, ParallelFetchLimit, EnableGpuProving, InsecureTestProofs, WindowPost, WinningPost, PostParallelReads, PostReadTimeout,
        };
        foreach (var (option, _, _) in TaskFlags)
        {
            cmd.Options.Add(option);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var environment = (Func<string, string?>)Environment.GetEnvironmentVariable;
            var options = Bind(parse, environment);
            var miner = MinerApiInfo(parse, environment);
            await using var host = await WorkerHost.StartAsync(options, miner, ParentCacheOptions.FromEnvironment(), environment, TimeProvider.System, ct);
            Console.WriteLine($"kiln-worker listening on {host.RpcUrl}");
            try
            {
                await host.ShutdownRequested.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C / SIGTERM: stop like a shutdown request.
            }

            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// The run options from flags, then <c>LOTUS_WORKER_*</c> variables, then defaults; the label pool and hugepage
    /// files from their own variables (<see cref="LabelPoolOptions.FromEnvironment"/>, <see cref="HugepageFileOptions.FromEnvironment"/>).
    /// </summary>
    public static WorkerOptions Bind(ParseResult parse, Func<string, string?> environment)
    {
        // Lotus: --windowpost / --winningpost make a PoSt worker, which gets no always-on sealing tasks and only the
        // sealing task flags set explicitly (and then fails the one-worker-type check).
        var tasks = new HashSet<TaskType>();
        if (Value(parse, WindowPost, "WINDOWPOST", environment, bool.Parse) ?? false)
        {
            tasks.Add(TaskType.GenerateWindowPoSt);
        }

        if (Value(parse, WinningPost, "WINNINGPOST", environment, bool.Parse) ?? false)
        {
            tasks.Add(TaskType.GenerateWinningPoSt);
        }

        var sealing = tasks.Count == 0;
        if (sealing)
        {
            tasks.UnionWith(AlwaysOn);
        }

        foreach (var (option, env, types) in TaskFlags)
        {
            if (Value(parse, option, env, environment, bool.Parse) ?? sealing)
            {
                tasks.UnionWith(types);
            }
        }

        var options = new WorkerOptions
        {
            Listen = Text(parse, Listen, "LISTEN", environment) ?? WorkerOptions.DefaultListen,
            Name = Text(parse, Name, "NAME", environment) ?? "",
            NoLocalStorage = Value(parse, NoLocalStorage, "NO_LOCAL_STORAGE", environment, bool.Parse) ?? false,
            ParallelFetchLimit = Value(parse, ParallelFetchLimit, "PARALLEL_FETCH_LIMIT", environment, s => int.Parse(s, CultureInfo.InvariantCulture))
                ?? WorkerOptions.DefaultParallelFetchLimit,
            RequestedTasks = tasks,
            PostParallelReads = Value(parse, PostParallelReads, "POST_PARALLEL_READS", environment, s => int.Parse(s, CultureInfo.InvariantCulture))
                ?? WorkerOptions.DefaultPostParallelReads,
            PostReadTimeout = Text(parse, PostReadTimeout, "POST_READ_TIMEOUT", environment) is { } timeout ? GoFormat.ParseDuration(timeout, "--post-read-timeout") : TimeSpan.Zero,
            RepoPath = Run.WorkerRepo.Resolve(parse.GetValue(WorkerCli.WorkerRepo), environment),
            LabelPool = LabelPoolOptions.FromEnvironment(environment),
            HugepageFiles = HugepageFileOptions.FromEnvironment(environment),
            Pc1Batch = Number(environment, WorkerOptions.Pc1BatchVariable) is { } batch ? (int)batch : 1,
            Pc1BatchWait = Number(environment, WorkerOptions.Pc1BatchWaitVariable) is { } wait ? TimeSpan.FromSeconds(wait) : WorkerOptions.DefaultPc1BatchWait,
            Snark = SnarkProverOptions.FromEnvironment(environment),
        };
        options.Snark.UseInsecureTestProofs = parse.GetValue(InsecureTestProofs)
            || (environment(WorkerOptions.InsecureTestProofsVariable) is { Length: > 0 } insecure && bool.Parse(insecure));
        options.Validate();
        return options;
    }

    /// <summary>A numeric environment variable, or null when unset.</summary>
    /// <exception cref="ArgumentException">Set but not a number.</exception>
    private static double? Number(Func<string, string?> environment, string name) =>
        environment(name) is not { Length: > 0 } text ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
        : throw new ArgumentException($"{name}={text} is not a number");

    /// <summary>
    /// The miner to serve: <c>MINER_API_INFO</c> (or <c>STORAGE_API_INFO</c>), else the <c>api</c> and <c>token</c> files of
    /// the miner repo (<c>--miner-repo</c>, LOTUS_MINER_PATH, LOTUS_STORAGE_PATH, ~/.lotusminer).
    /// </summary>
    /// <exception cref="ArgumentException">Neither is available.</exception>
    public static ApiInfo MinerApiInfo(ParseResult parse, Func<string, string?> environment)
    {
        if (ApiInfo.ForMiner(environment) is { } info)
        {
            return info;
        }

        var repo = parse.GetValue(WorkerCli.MinerRepo) is { Length: > 0 } flag
            ? flag
            : environment("LOTUS_MINER_PATH") is { Length: > 0 } p ? p
            : environment("LOTUS_STORAGE_PATH") is { Length: > 0 } s ? s
            : "~/.lotusminer";
        repo = HomeDir.Expand(repo);
        var api = Path.Combine(repo, "api");
        var token = Path.Combine(repo, "token");
        if (!File.Exists(api))
        {
            throw new ArgumentException($"MINER_API_INFO is not set and the miner repo {repo} has no api file");
        }

        return new ApiInfo(File.Exists(token) ? File.ReadAllText(token).Trim() : null, File.ReadAllText(api).Trim());
    }

    private static string? Text(ParseResult parse, Option<string?> option, string env, Func<string, string?> environment) =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : environment(EnvPrefix + env) is { Length: > 0 } text ? text : null;

    private static T? Value<T>(ParseResult parse, Option<T> option, string env, Func<string, string?> environment, Func<string, T> convert)
        where T : struct
    {
        if (parse.GetResult(option) is { Implicit: false })
        {
            return parse.GetValue(option);
        }

        if (environment(EnvPrefix + env) is { Length: > 0 } text)
        {
            try
            {
                return convert(text);
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"invalid {EnvPrefix}{env}='{text}': {e.Message}", e);
            }
        }

        return null;
    }

    private static (Option<bool>, string, TaskType[]) Flag(string name, string env, params TaskType[] types) =>
        (new Option<bool>(name) { Description = $"enable {string.Join(", ", types.Select(TaskTypes.ShortName))} (env {EnvPrefix}{env}; default true)" }, env, types);
}
