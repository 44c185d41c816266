using System.CommandLine;
using System.Globalization;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Proofs.Memory;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Sdr.Pool;
using Kiln.Proofs.Snark;
using Kiln.Worker.Run;

namespace Kiln.Worker.Cli;

/// <summary>
/// <c>kiln-worker run</c>: every flag of Lotus cli/worker/worker.go <c>runCmd</c>, with Lotus's names, aliases, defaults
/// and environment variables (none where Lotus declares none: <c>--address</c>, <c>--http-server-timeout</c>,
/// <c>--data-cid</c>, <c>--external-pc2</c>).
/// </summary>
public static partial class RunCommand
{
    /// <summary>Prefix of lotus-worker's run flag variables.</summary>
    public const string EnvPrefix = "LOTUS_WORKER_";

    /// <summary>lotus-worker's default <c>--timeout</c>.</summary>
    public const string DefaultTimeout = "30m";

    /// <summary>lotus-worker's default <c>--http-server-timeout</c>.</summary>
    public const string DefaultHttpServerTimeout = "30s";

    private static readonly Option<string?> Listen = new("--listen") { Description = "host address and port the worker api will listen on (env LOTUS_WORKER_LISTEN; default 0.0.0.0:3456)" };
    private static readonly Option<string?> Address = new("--address") { Description = "deprecated, replaced by --listen (which it overrides)", Hidden = true };
    private static readonly Option<string?> Name = new("--name") { Description = "custom worker name (env LOTUS_WORKER_NAME; default hostname)" };
    private static readonly Option<int?> ParallelFetchLimit = new("--parallel-fetch-limit") { Description = "maximum fetch operations to run in parallel (env LOTUS_WORKER_PARALLEL_FETCH_LIMIT; default 5)" };
    private static readonly Option<int?> PostParallelReads = new("--post-parallel-reads") { Description = "maximum number of parallel challenge reads (0 = no limit) (env LOTUS_WORKER_POST_PARALLEL_READS; default 32)" };
    private static readonly Option<string?> PostReadTimeout = new("--post-read-timeout") { Description = "time limit for reading PoSt challenges (0 = no limit) (env LOTUS_WORKER_POST_READ_TIMEOUT; default 0s)" };
    private static readonly Option<string?> Timeout = new("--timeout")
    {
        Description = "used when 'listen' is unspecified. must be a valid duration recognized by golang's time.ParseDuration function (env LOTUS_WORKER_TIMEOUT; default 30m)",
    };

    private static readonly Option<string[]> MinerApiInfoFlag = new("--miner-api-info")
    {
        Description = "the miner to serve, token:multiaddr as MINER_API_INFO; repeat it (or give a comma-separated list) for several processes of one miner, "
            + "tried in order: the worker serves the first that answers and moves to the next when it is gone (overrides MINER_API_INFO)",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string?> HttpServerTimeout = new("--http-server-timeout") { Description = "time limit for reading a request's headers (default 30s)" };
    private static readonly Option<string?> ExternalPc2 = new("--external-pc2") { Description = "command for computing PC2 externally (run with sh -c and EXTSEAL_PC2_* variables, as lotus-worker)" };
    private static readonly Option<string?> InsecureTestProofs = GoFlags.Bool(
        "--insecure-test-proofs", "prove C2 and PoSt with keyed-hash test proofs that are valid on NO network (devnets and tests only; env KILN_INSECURE_TEST_PROOFS)");

    /// <summary>runCmd's bool flags by Lotus name: the option, its variable (null where Lotus declares none) and its default.</summary>
    private static readonly IReadOnlyDictionary<string, (Option<string?> Option, string? Env, bool Default)> BoolFlags = new (string Name, string Usage, string? Env, bool Default)[]
    {
        ("no-local-storage", "don't use storageminer repo for sector storage", "NO_LOCAL_STORAGE", false),
        ("no-swap", "don't use swap", "NO_SWAP", false),
        ("addpiece", "enable addpiece", "ADDPIECE", true),
        ("precommit1", "enable precommit1", "PRECOMMIT1", true),
        ("unseal", "enable unsealing", "UNSEAL", true),
        ("precommit2", "enable precommit2", "PRECOMMIT2", true),
        ("commit", "enable commit", "COMMIT", true),
        ("replica-update", "enable replica update", "REPLICA_UPDATE", true),
        ("prove-replica-update2", "enable prove replica update 2", "PROVE_REPLICA_UPDATE2", true),
        ("regen-sector-key", "enable regen sector key", "REGEN_SECTOR_KEY", true),
        ("sector-download", "enable external sector data download", "SECTOR_DOWNLOAD", false),
        ("windowpost", "enable window post", "WINDOWPOST", false),
        ("winningpost", "enable winning post", "WINNINGPOST", false),
        ("no-default", "disable all default compute tasks, use the worker for storage/fetching only", "NO_DEFAULT", false),
        ("data-cid", "Run the data-cid task. true|false (default: inherits --addpiece)", null, true),
    }.ToDictionary(
        f => f.Name,
        f => (GoFlags.Bool("--" + f.Name, f.Env is null ? f.Usage : $"{f.Usage} (env {EnvPrefix}{f.Env}; default {(f.Default ? "true" : "false")})"), f.Env is null ? null : EnvPrefix + f.Env, f.Default),
        StringComparer.Ordinal);

    public static Command Build()
    {
        var cmd = new Command("run", "Start kiln-worker")
        {
            Listen, Address, Name, ParallelFetchLimit, PostParallelReads, PostReadTimeout, Timeout, HttpServerTimeout, ExternalPc2, InsecureTestProofs, MinerApiInfoFlag,
        };
        foreach (var (option, _, _) in BoolFlags.Values)
        {
            cmd.Options.Add(option);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var environment = (Func<string, string?>)Environment.GetEnvironmentVariable;
            var options = Bind(parse, environment);
            var panicReports = PanicReportDirectory(parse, environment);
            using var reports = PanicReport.WatchUnhandled(panicReports, TimeProvider.System);
            try
            {
                if (!options.EnableGpuProving)
                {
                    // Lotus runCmd: --enable-gpu-proving=false sets BELLMAN_NO_GPU=true for the proofs library.
                    NativeEnvironment.Set(WorkerOptions.BellmanNoGpuVariable, "true");
                }

                var miners = MinerApiInfos(parse, environment);
                var host = await WorkerHost.StartAsync(options, miners, ParentCacheOptions.FromEnvironment(), environment, TimeProvider.System, ct).ConfigureAwait(false);
                await using var hostScope = host.ConfigureAwait(false);
                Console.WriteLine($"kiln-worker listening on {host.RpcUrl}");
                try
                {
                    await host.Stopped.WaitAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Ctrl+C / SIGTERM: stop at once, as lotus-worker's context cancellation does.
                }

                return 0;
            }
            catch (Exception e) when (PanicReport.IsPanic(e))
            {
                PanicReport.Write(panicReports, e, TimeProvider.System);
                throw;
            }
        });
        return cmd;
    }

    /// <summary>
    /// The run options from flags, then <c>LOTUS_WORKER_*</c> variables, then Lotus's defaults; the label pool and
    /// hugepage files from their own variables (<see cref="LabelPoolOptions.FromEnvironment"/>, <see cref="HugepageFileOptions.FromEnvironment"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A bad value, or a task set Lotus refuses (with Lotus's message).</exception>
    public static WorkerOptions Bind(ParseResult parse, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        var tasks = TaskSelection.Select(name => IsSet(parse, BoolFlags[name], environment), name => Bool(parse, name, environment));

        // Lotus runCmd Before: a set --address replaces --listen.
        var address = parse.GetResult(Address) is { Implicit: false } ? parse.GetValue(Address) : null;
        var listen = address ?? Text(parse, Listen, "LISTEN", environment) ?? WorkerOptions.DefaultListen;
        var options = new WorkerOptions
        {
            Listen = listen,
            ListenFromAddressFlag = address is not null,
            Name = Text(parse, Name, "NAME", environment) ?? "",
            NoLocalStorage = Bool(parse, "no-local-storage", environment),
            NoSwap = Bool(parse, "no-swap", environment),
            ParallelFetchLimit = Int(parse, ParallelFetchLimit, "PARALLEL_FETCH_LIMIT", environment) ?? WorkerOptions.DefaultParallelFetchLimit,
            RequestedTasks = tasks.ToHashSet(),
            PostParallelReads = Int(parse, PostParallelReads, "POST_PARALLEL_READS", environment) ?? WorkerOptions.DefaultPostParallelReads,
            PostReadTimeout = Text(parse, PostReadTimeout, "POST_READ_TIMEOUT", environment) is { } readTimeout ? GoFormat.ParseDuration(readTimeout, "--post-read-timeout") : TimeSpan.Zero,
            Timeout = GoFormat.ParseDuration(Text(parse, Timeout, "TIMEOUT", environment) ?? DefaultTimeout, "--timeout"),
            HttpServerTimeout = GoFormat.ParseDuration(parse.GetValue(HttpServerTimeout) ?? DefaultHttpServerTimeout, "--http-server-timeout"),
            ExternalPreCommit2 = parse.GetResult(ExternalPc2) is { Implicit: false }
                ? parse.GetValue(ExternalPc2) is { Length: > 0 } command ? command : throw new ArgumentException("--external-pc2 is empty: give the command that computes PC2")
                : null,
            EnableGpuProving = EnableGpuProving(parse, environment),
            RepoPath = Run.WorkerRepo.Resolve(parse.GetValue(WorkerCli.WorkerRepo), environment),
            LabelPool = LabelPoolOptions.FromEnvironment(environment),
            HugepageFiles = HugepageFileOptions.FromEnvironment(environment),
            Pc1Batch = Number(environment, WorkerOptions.Pc1BatchVariable) is { } batch ? (int)batch : 1,
            Pc1BatchWait = Number(environment, WorkerOptions.Pc1BatchWaitVariable) is { } wait ? TimeSpan.FromSeconds(wait) : WorkerOptions.DefaultPc1BatchWait,
            Snark = SnarkProverOptions.FromEnvironment(environment),
        };
        options.Snark.UseInsecureTestProofs = GoFlags.GetBool(parse, InsecureTestProofs)
            || (environment(WorkerOptions.InsecureTestProofsVariable) is { Length: > 0 } insecure && ParseEnvBool(insecure, WorkerOptions.InsecureTestProofsVariable, "insecure-test-proofs"));
        options.Validate();
        return options;
    }

    /// <summary>
    /// Where a crash report goes (Lotus App <c>--panic-reports</c>, env LOTUS_PANIC_REPORT_PATH, default the worker
    /// repo's default directory as Lotus's comment says it should follow).
    /// </summary>
    public static string PanicReportDirectory(ParseResult parse, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        var path = parse.GetResult(WorkerCli.PanicReports) is { Implicit: false } ? parse.GetValue(WorkerCli.PanicReports)
            : environment(WorkerCli.PanicReportsVariable) is { } env ? env
            : Path.Combine("~", Run.WorkerRepo.DefaultDirectoryName);
        return HomeDir.Expand(path ?? "");
    }

    /// <summary>A numeric environment variable, or null when unset.</summary>
    /// <exception cref="ArgumentException">Set but not a number.</exception>
    private static double? Number(Func<string, string?> environment, string name) =>
        environment(name) is not { Length: > 0 } text ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
        : throw new ArgumentException($"{name}={text} is not a number");

    /// <summary>
    /// The miners to serve, in the order they are tried: <c>--miner-api-info</c> (repeated), else <c>MINER_API_INFO</c>
    /// (or <c>STORAGE_API_INFO</c>), each a comma-separated list of <c>token:multiaddr</c> (Lotus cli/util/apiinfo.go
    /// <c>ParseApiInfoMulti</c>), else the <c>api</c> and <c>token</c> files of the miner repo (<c>--miner-repo</c>,
    /// LOTUS_MINER_PATH, LOTUS_STORAGE_PATH, ~/.lotusminer).
    /// </summary>
    /// <exception cref="ArgumentException">None is available, or an entry is not an API address (named by its position and address).</exception>
    public static IReadOnlyList<ApiInfo> MinerApiInfos(ParseResult parse, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        if (parse.GetResult(MinerApiInfoFlag) is { Implicit: false } && parse.GetValue(MinerApiInfoFlag) is { Length: > 0 } flags)
        {
            return ParseMinerApiInfos(string.Join(',', flags), "--miner-api-info");
        }

        foreach (var variable in new[] { ApiInfo.MinerEnvironmentVariable, ApiInfo.StorageEnvironmentVariable })
        {
            if (environment(variable) is { Length: > 0 } value)
            {
                return ParseMinerApiInfos(value, variable);
            }
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

        return [new ApiInfo(File.Exists(token) ? File.ReadAllText(token).Trim() : null, File.ReadAllText(api).Trim())];
    }

    /// <summary>
    /// A comma-separated list of API infos (Lotus <c>ParseApiInfoMulti</c>: split at commas, each entry parsed as
    /// <see cref="ApiInfo.Parse"/>), each checked to dial; <paramref name="source"/> names where it came from in errors.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is empty or not an API address: its position and address (never its token).</exception>
    public static IReadOnlyList<ApiInfo> ParseMinerApiInfos(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var entries = text.Split(',');
        var infos = new List<ApiInfo>(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i].Trim();
            var which = entries.Length == 1 ? source : $"{source} entry {i + 1} of {entries.Length}";
            if (entry.Length == 0)
            {
                throw new ArgumentException($"{which} is empty: expected token:multiaddr, e.g. TOKEN:/ip4/127.0.0.1/tcp/2345/http");
            }

            var info = ApiInfo.Parse(entry);
            try
            {
                _ = info.HttpUrl();
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"{which} '{info.Address}' is not a miner API address: {e.Message}", e);
            }

            infos.Add(info);
        }

        return infos;
    }

    /// <summary>urfave <c>cctx.IsSet</c>: on the command line, or its variable defined (even empty).</summary>
    private static bool IsSet(ParseResult parse, (Option<string?> Option, string? Env, bool Default) flag, Func<string, string?> environment) =>
        parse.GetResult(flag.Option) is { Implicit: false } || (flag.Env is { } env && environment(env) is not null);

    /// <summary>urfave <c>cctx.Bool</c>: the command line, else the variable (empty means false, as urfave's BoolFlag), else the default.</summary>
    private static bool Bool(ParseResult parse, string name, Func<string, string?> environment)
    {
        var (option, env, @default) = BoolFlags[name];
        if (GoFlags.IsGiven(parse, option))
        {
            return GoFlags.GetBool(parse, option);
        }

        return env is not null && environment(env) is { } text ? text.Length > 0 && ParseEnvBool(text, env, name) : @default;
    }

    private static bool EnableGpuProving(ParseResult parse, Func<string, string?> environment)
    {
        if (GoFlags.IsGiven(parse, WorkerCli.EnableGpuProving))
        {
            return GoFlags.GetBool(parse, WorkerCli.EnableGpuProving);
        }

        return environment(WorkerCli.EnableGpuProvingVariable) is not { } text || (text.Length > 0 && ParseEnvBool(text, WorkerCli.EnableGpuProvingVariable, "enable-gpu-proving"));
    }

    private static bool ParseEnvBool(string text, string variable, string flag) =>
        GoFlags.TryParseBool(text, out var v) ? v
        : throw new ArgumentException($"could not parse \"{text}\" as bool value from environment variable \"{variable}\" for flag {flag}: expected true or false (also 1, 0, t, f)");

    private static string? Text(ParseResult parse, Option<string?> option, string env, Func<string, string?> environment) =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : environment(EnvPrefix + env) is { Length: > 0 } text ? text : null;

    /// <summary>An int flag: the command line, else its variable (empty ignored, as urfave's IntFlag; Go base prefixes 0x, 0o, 0b accepted), else null.</summary>
    private static int? Int(ParseResult parse, Option<int?> option, string env, Func<string, string?> environment)
    {
        if (parse.GetResult(option) is { Implicit: false })
        {
            return parse.GetValue(option);
        }

        if (environment(EnvPrefix + env) is not { Length: > 0 } text)
        {
            return null;
        }

        var (digits, radix) = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? (text[2..], 16)
            : text.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? (text[2..], 8)
            : text.StartsWith("0b", StringComparison.OrdinalIgnoreCase) ? (text[2..], 2)
            : (text, 10);
        try
        {
            return radix == 10 ? int.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : Convert.ToInt32(digits, radix);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new ArgumentException($"could not parse \"{text}\" as int value from environment variable \"{EnvPrefix}{env}\" for flag {option.Name.TrimStart('-')}", e);
        }
    }
}
