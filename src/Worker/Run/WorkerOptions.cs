using System.Globalization;
using System.Net;
using Kiln.Api.Types;
using Kiln.Proofs.Memory;
using Kiln.Proofs.Sdr.Pool;

namespace Kiln.Worker.Run;

/// <summary>
/// How <c>kiln-worker run</c> is set up: lotus-worker's <c>run</c> flags and their <c>LOTUS_WORKER_*</c> variables
/// (Lotus cli/worker/worker.go <c>runCmd</c>), bound once at start.
/// </summary>
public sealed class WorkerOptions
{
    /// <summary>lotus-worker's default <c>--listen</c>.</summary>
    public const string DefaultListen = "0.0.0.0:3456";

    /// <summary>lotus-worker's default <c>--parallel-fetch-limit</c>.</summary>
    public const int DefaultParallelFetchLimit = 5;

    /// <summary>Lotus <c>paths.HeartbeatInterval</c>: how often the miner's Session is polled.</summary>
    public static readonly TimeSpan DefaultSessionPollInterval = TimeSpan.FromSeconds(10);

    /// <summary>Lotus <c>doReturn</c>: the pause between attempts to deliver a result.</summary>
    public static readonly TimeSpan DefaultReturnRetryInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The task types kiln-worker can execute today; requested others are logged once at start and not advertised
    /// (their flags are still accepted). Supporting a new task type needs only its entry here.
    /// </summary>
    public static readonly IReadOnlySet<TaskType> Executable = new HashSet<TaskType>
    {
        TaskType.DataCid, TaskType.AddPiece, TaskType.PreCommit1, TaskType.PreCommit2, TaskType.Commit1, TaskType.Commit2, TaskType.Fetch, TaskType.Finalize,
        TaskType.FinalizeUnsealed, TaskType.Unseal, TaskType.DownloadSector,
        TaskType.GenerateWindowPoSt, TaskType.GenerateWinningPoSt,
    };

    /// <summary>lotus-worker's default <c>--timeout</c> (dialing the miner to find the routable address).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    /// <summary>lotus-worker's default <c>--http-server-timeout</c>.</summary>
    public static readonly TimeSpan DefaultHttpServerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long lotus-worker keeps serving after Shutdown (runCmd's last goroutine), so the miner unregisters it on its next heartbeat.</summary>
    public static readonly TimeSpan DefaultShutdownGrace = TimeSpan.FromSeconds(20);

    /// <summary>The variable <c>--enable-gpu-proving=false</c> sets to true for libfilcrypto (bellperson), as lotus-worker.</summary>
    public const string BellmanNoGpuVariable = "BELLMAN_NO_GPU";

    /// <summary>lotus-worker's default <c>--post-parallel-reads</c>.</summary>
    public const int DefaultPostParallelReads = Kiln.Stores.PoSt.PartitionProverOptions.DefaultParallelReads;

    /// <summary><c>--listen</c> host:port; host 0.0.0.0 means "the address the miner is reached from".</summary>
    public string Listen { get; set; } = DefaultListen;

    /// <summary>True when <see cref="Listen"/> came from the deprecated <c>--address</c> (logged at start, as Lotus).</summary>
    public bool ListenFromAddressFlag { get; set; }

    /// <summary><c>--no-swap</c>: report no swap (MemSwap and MemSwapUsed 0) in <c>Info</c>.</summary>
    public bool NoSwap { get; set; }

    /// <summary><c>--timeout</c>: how long dialing the miner may take when finding the routable address for a 0.0.0.0 <c>--listen</c>.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary><c>--http-server-timeout</c>: the time limit for reading a request's headers (Go ReadHeaderTimeout; zero is none).</summary>
    public TimeSpan HttpServerTimeout { get; set; } = DefaultHttpServerTimeout;

    /// <summary><c>--external-pc2</c>: a shell command that computes PreCommit2 instead of Kiln (null: Kiln computes it).</summary>
    public string? ExternalPreCommit2 { get; set; }

    /// <summary><c>--enable-gpu-proving</c> (default true).</summary>
    public bool EnableGpuProving { get; set; } = true;

    /// <summary>How long the worker keeps serving, with a nil session, after <c>Shutdown</c> (default <see cref="DefaultShutdownGrace"/>).</summary>
    public TimeSpan ShutdownGrace { get; set; } = DefaultShutdownGrace;

    /// <summary>Where <c>Info</c> reads memory, cgroup and GPU figures (<c>/proc</c> and <c>/sys</c>; tests point them at fixtures).</summary>
    public Kiln.Worker.Rpc.HostPaths HostPaths { get; set; } = Kiln.Worker.Rpc.HostPaths.System;

    /// <summary><c>--name</c>; the host name when empty.</summary>
    public string Name { get; set; } = "";

    /// <summary><c>--no-local-storage</c>: do not create the default sealing path in the repo.</summary>
    public bool NoLocalStorage { get; set; }

    /// <summary>The task types the flags ask for (always-on GET, C1, PR1, FIN, FUS, FRU included).</summary>
    public IReadOnlySet<TaskType> RequestedTasks { get; set; } = DefaultRequestedTasks();

    /// <summary><c>--parallel-fetch-limit</c>.</summary>
    public int ParallelFetchLimit { get; set; } = DefaultParallelFetchLimit;

    /// <summary><c>--post-parallel-reads</c>: at most this many sectors' vanilla proofs read at once by a window PoSt worker (0 = no limit).</summary>
    public int PostParallelReads { get; set; } = DefaultPostParallelReads;

    /// <summary><c>--post-read-timeout</c>: one sector's vanilla proof read longer than this counts as skipped; zero (the default) is no limit.</summary>
    public TimeSpan PostReadTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>True when the worker proves PoSt (<c>--windowpost</c> or <c>--winningpost</c>) and does nothing else.</summary>
    public bool IsPoStWorker => RequestedTasks.Any(TaskTypes.IsPoSt);

    /// <summary>The worker repo directory (<c>--worker-repo</c>).</summary>
    public string RepoPath { get; set; } = "";

    /// <summary>How often the miner's Session is polled (default <see cref="DefaultSessionPollInterval"/>).</summary>
    public TimeSpan SessionPollInterval { get; set; } = DefaultSessionPollInterval;

    /// <summary>Pause between Return* attempts (default <see cref="DefaultReturnRetryInterval"/>).</summary>
    public TimeSpan ReturnRetryInterval { get; set; } = DefaultReturnRetryInterval;

    /// <summary>Interval of storage health reports to the miner's index.</summary>
    public TimeSpan HealthInterval { get; set; } = Kiln.Stores.Local.LocalStoreOptions.DefaultHealthInterval;

    /// <summary>
    /// The PC1 label pool (<c>MEM_POOL_SIZE</c>, <c>FIL_PROOFS_P1_BLOCK</c>, <c>FIL_PROOFS_P1_TASKS</c>,
    /// <c>FIL_PROOFS_USE_MPOOL</c>); off by default. Sized for the miner's sector size at start.
    /// </summary>
    public LabelPoolOptions LabelPool { get; set; } = new();

    /// <summary>Environment variable: true selects the insecure test prover (as <c>--insecure-test-proofs</c>).</summary>
    public const string InsecureTestProofsVariable = "KILN_INSECURE_TEST_PROOFS";

    /// <summary>Environment variable: PC1 jobs labeled together when they start at about the same time (1 = never batch).</summary>
    public const string Pc1BatchVariable = "KILN_PC1_BATCH";

    /// <summary>Environment variable: seconds the first PC1 job of a batch waits for others.</summary>
    public const string Pc1BatchWaitVariable = "KILN_PC1_BATCH_WAIT";

    /// <summary>Default <see cref="Pc1BatchWait"/>: short next to a PC1, long enough for tasks the miner assigns in one pass.</summary>
    public static readonly TimeSpan DefaultPc1BatchWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most PC1 jobs of one proof type labeled together (<c>KILN_PC1_BATCH</c>): they share parent reads and the
    /// batched kernel hashes them faster per core. 1 (the default) labels each job alone. Not used with a label pool.
    /// </summary>
    public int Pc1Batch { get; set; } = 1;

    /// <summary>How long the first PC1 job of a batch waits for others (<c>KILN_PC1_BATCH_WAIT</c>, seconds). Default <see cref="DefaultPc1BatchWait"/>.</summary>
    public TimeSpan Pc1BatchWait { get; set; } = DefaultPc1BatchWait;

    /// <summary>
    /// How Commit2 and Window/Winning PoSt reach their SNARK: libfilcrypto (<c>FILCRYPTO_LIB</c> or the system loader), or with
    /// <c>--insecure-test-proofs</c> the keyed-hash test prover, whose proofs are valid on no network.
    /// </summary>
    public Kiln.Proofs.Snark.SnarkProverOptions Snark { get; set; } = new();

    /// <summary>NUMA hugepage memory files (<c>HUGEPAGE_FILES_PATH</c>, <c>HUGEPAGE_FILES_PATH_PATTERN</c>); none by default.</summary>
    public HugepageFileOptions HugepageFiles { get; set; } = new();

    /// <summary>The enabled set: requested and executable.</summary>
    public IReadOnlySet<TaskType> EnabledTasks => RequestedTasks.Where(Executable.Contains).ToHashSet();

    /// <summary>Requested task types kiln-worker cannot execute yet.</summary>
    public IReadOnlyList<TaskType> Unavailable => [.. RequestedTasks.Where(t => !Executable.Contains(t)).OrderBy(TaskTypes.Order)];

    /// <summary>The task types of a lotus-worker started without task flags (<see cref="TaskSelection.Select"/> with every flag at its default).</summary>
    public static IReadOnlySet<TaskType> DefaultRequestedTasks() =>
        TaskSelection.Select(_ => false, flag => flag is not ("windowpost" or "winningpost" or "no-default" or "sector-download")).ToHashSet();

    /// <summary>The worker's name: <see cref="Name"/>, else the host name.</summary>
    public string EffectiveName => Name.Length > 0 ? Name : Dns.GetHostName();

    /// <summary>Splits <see cref="Listen"/> into host and port (IPv6 hosts bracketed).</summary>
    /// <exception cref="FormatException">Not host:port.</exception>
    public (IPAddress Host, int Port) ParseListen()
    {
        var colon = Listen.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(Listen.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > 65535
            || !IPAddress.TryParse(Listen[..colon].Trim('[', ']'), out var host))
        {
            throw new FormatException($"invalid --listen '{Listen}': expected <ip>:<port>, e.g. {DefaultListen}");
        }

        return (host, port);
    }

    /// <summary>Sets every option of <paramref name="target"/> to this one's (how a host hands bound flags to <c>AddKilnWorker</c>).</summary>
    public void CopyTo(WorkerOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Listen = Listen;
        target.ListenFromAddressFlag = ListenFromAddressFlag;
        target.NoSwap = NoSwap;
        target.Timeout = Timeout;
        target.HttpServerTimeout = HttpServerTimeout;
        target.ExternalPreCommit2 = ExternalPreCommit2;
        target.EnableGpuProving = EnableGpuProving;
        target.ShutdownGrace = ShutdownGrace;
        target.HostPaths = HostPaths;
        target.Name = Name;
        target.NoLocalStorage = NoLocalStorage;
        target.RequestedTasks = RequestedTasks;
        target.ParallelFetchLimit = ParallelFetchLimit;
        target.PostParallelReads = PostParallelReads;
        target.PostReadTimeout = PostReadTimeout;
        target.RepoPath = RepoPath;
        target.SessionPollInterval = SessionPollInterval;
        target.ReturnRetryInterval = ReturnRetryInterval;
        target.HealthInterval = HealthInterval;
        target.LabelPool = LabelPool;
        target.Pc1Batch = Pc1Batch;
        target.Pc1BatchWait = Pc1BatchWait;
        target.Snark = Snark;
        target.HugepageFiles = HugepageFiles;
    }

    public void Validate()
    {
        ParseListen();
        if (ParallelFetchLimit <= 0)
        {
            throw new ArgumentException("--parallel-fetch-limit must be positive");
        }

        if (string.IsNullOrWhiteSpace(RepoPath))
        {
            throw new ArgumentException("the worker repo path is empty");
        }

        if (SessionPollInterval <= TimeSpan.Zero || ReturnRetryInterval <= TimeSpan.Zero || HealthInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("intervals must be positive");
        }

        ValidateWorkerType(RequestedTasks);
        if (PostParallelReads < 0)
        {
            throw new ArgumentException("--post-parallel-reads must not be negative (0 = no limit)");
        }

        if (Timeout < TimeSpan.Zero || HttpServerTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("--timeout and --http-server-timeout must not be negative");
        }

        if (ShutdownGrace < TimeSpan.Zero)
        {
            throw new ArgumentException("the shutdown grace must not be negative");
        }

        if (PostReadTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("--post-read-timeout must not be negative");
        }

        if (Pc1Batch < 1 || Pc1BatchWait < TimeSpan.Zero)
        {
            throw new ArgumentException($"{Pc1BatchVariable} must be at least 1 and {Pc1BatchWaitVariable} not negative");
        }

        LabelPool.Validate();
        HugepageFiles.Validate();
    }

    /// <summary>
    /// Lotus's check that every task type is for one kind of worker: sealing, WdPoSt (<c>post/v0/windowproof</c>
    /// only) or WinPost (<c>post/v0/winningproof</c> only).
    /// </summary>
    /// <exception cref="ArgumentException">Task types of different kinds, or none.</exception>
    public static void ValidateWorkerType(IReadOnlySet<TaskType> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0)
        {
            throw new ArgumentException("no task types specified");
        }

        // Lotus sets the worker type from --windowpost, then --winningpost (which wins), else sealing.
        var workerType = tasks.Contains(TaskType.GenerateWinningPoSt) ? TaskSelection.WorkerWinningPoSt
            : tasks.Contains(TaskType.GenerateWindowPoSt) ? TaskSelection.WorkerWindowPoSt
            : TaskSelection.WorkerSealing;
        foreach (var t in tasks.OrderBy(TaskTypes.Order))
        {
            if (TaskSelection.WorkerType(t) != workerType)
            {
                throw new ArgumentException(
                    $"expected all task types to be for {workerType} worker, but task {TaskTypes.Id(t)} is for {TaskSelection.WorkerType(t)} worker");
            }
        }
    }

    /// <summary>
    /// The label pool for the miner's <paramref name="sectorSize"/>, or null when the pool is off; checked against
    /// the size (bounds, block) so that a bad <c>MEM_POOL_SIZE</c> stops the worker at start.
    /// </summary>
    /// <exception cref="Kiln.Proofs.ProofsException">The pool does not fit the sector size.</exception>
    public LabelPoolLayout? LabelPoolFor(ulong sectorSize) => LabelPool.Enabled ? LabelPool.Layout(sectorSize) : null;
}
