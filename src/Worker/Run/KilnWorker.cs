using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.Metrics;
using Kiln.Api.Types;
using Kiln.Proofs.Memory;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Sdr.Pool;
using Kiln.Proofs.Snark;
using Kiln.Stores.Fetch;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.PoSt;
using Kiln.Stores.Remote;
using Kiln.Worker.Calls;
using Kiln.Worker.Rpc;
using Kiln.Worker.Sealing;
using Microsoft.Extensions.Options;

namespace Kiln.Worker.Run;

/// <summary>
/// The real kiln-worker as <see cref="KilnWorkerExtensions.AddKilnWorker"/> builds it from validated
/// <see cref="WorkerOptions"/> (lotus: cli/worker/worker.go <c>runCmd</c>): <see cref="PrepareAsync"/> waits for
/// the miner and checks its API version, opens the repo, the call journal, the prover and the sealing and PoSt tasks;
/// <see cref="KilnWorkerExtensions.MapKilnWorker"/> serves <c>/rpc/v0</c>, <c>/remote</c> and <c>/debug/metrics</c>;
/// once the server has bound, <see cref="ConnectAsync"/> opens local storage under the bound address, answers the
/// calls a restart left and registers with <c>WorkerConnect</c> at the bound address.
/// </summary>
public sealed partial class KilnWorker : IAsyncDisposable
{
    /// <summary>One client for sector downloads from other hosts; sizes reach 64 GiB, so no overall timeout (cancellation bounds it).</summary>
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    private static readonly TimeSpan VersionRetryInterval = TimeSpan.FromSeconds(1);

    private readonly IOptions<WorkerOptions> _options;
    private readonly KilnWorkerConnection _connection;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly LocalStoreOptions _storeOptions = new();
    private CallTracker? _tracker;
    private bool _disposed;

    /// <summary>Built by the container; <see cref="PrepareAsync"/> does the work.</summary>
    public KilnWorker(IOptions<WorkerOptions> options, KilnWorkerConnection connection, MinerFailover miners, TimeProvider time, ILoggerFactory loggers, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(miners);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(meters);
        _options = options;
        _connection = connection;
        Miners = miners;
        Miner = miners.Api;
        _time = time;
        _loggers = loggers;
        _log = loggers.CreateLogger<KilnWorker>();
        // Created before any instrument, so /debug/metrics counts from the start; the host's meter factory scopes Kiln.Worker to this host.
        Exporter = new PrometheusExporter(new PrometheusExporterOptions { Scope = meters });
        Metrics = new WorkerMetrics(meters);
    }

    /// <summary>The validated options (the prover check may drop Commit2 from the requested tasks).</summary>
    public WorkerOptions Options => _options.Value;

    /// <summary>The miner the worker talks to now (calls follow <see cref="Miners"/> when the worker moves).</summary>
    public IMinerStorageApi Miner { get; }

    /// <summary>The miners the worker may serve and which of them it talks to.</summary>
    public MinerFailover Miners { get; }

    /// <summary>The miner actor the worker serves (from the first miner that answered); set by <see cref="PrepareAsync"/>.</summary>
    public string Actor { get; private set; } = "";

    /// <summary>The miner's sector index, which local storage declares its paths in.</summary>
    public ISectorIndex Index { get; private set; } = null!;

    public WorkerApi Api { get; private set; } = null!;

    public CallRunner Calls { get; private set; } = null!;

    public LocalStore Store { get; private set; } = null!;

    public WorkerRepo Repo { get; private set; } = null!;

    public PrometheusExporter Exporter { get; }

    public WorkerMetrics Metrics { get; }

    /// <summary>Checks tokens with the miner's AuthVerify, caching verified ones so the worker keeps serving while the miner restarts.</summary>
    public LotusAuthenticator Authenticator { get; private set; } = null!;

    /// <summary>The address to listen on: <c>--listen</c>'s, or for 0.0.0.0 the local address of a connection to the miner.</summary>
    public IPEndPoint ListenEndPoint { get; private set; } = null!;

    /// <summary>The NUMA hugepage memory files found at start (<c>HUGEPAGE_FILES_PATH(_PATTERN)</c>), or null when none are configured.</summary>
    public HugepageFiles? MemoryFiles { get; private set; }

    /// <summary>The label pool PC1 jobs share, when one is configured (<c>MEM_POOL_SIZE</c>, <c>FIL_PROOFS_P1_TASKS</c>).</summary>
    public LabelPool? Pool { get; private set; }

    /// <summary>Batches PC1 jobs that start together (<c>KILN_PC1_BATCH</c> &gt; 1, no pool).</summary>
    public LabelBatcher? Batcher { get; private set; }

    /// <summary>The URL given to the miner in <c>WorkerConnect</c> (<c>http://ip:port/rpc/v0</c>, the bound port); set by <see cref="ConnectAsync"/>.</summary>
    public string RpcUrl { get; private set; } = "";

    /// <summary>Everything that needs the miner but not the server's address: the worker is ready to be mapped after this.</summary>
    public async Task PrepareAsync(CancellationToken ct)
    {
        var options = Options;
        var (listenHost, listenPort) = options.ParseListen();
        if (options.ListenFromAddressFlag)
        {
            LogAddressDeprecated(_log);
        }

        // Lotus: loop Version until the miner answers; with several miners, the first that answers in list order.
        await Miners.FirstAnsweringAsync(VersionRetryInterval, _time, (url, error) => LogMinerUnreachable(_log, url, error), ct).ConfigureAwait(false);
        if (Miners.Count > 1)
        {
            LogMinerChosen(_log, Miners.CurrentAddress, Miners.Current + 1, Miners.Count);
        }

        var minerUrl = Miners.Addresses[Miners.Current].HttpUrl();
        var ip = IsAny(listenHost) ? await RoutableAddressAsync(minerUrl, options.Timeout, ct).ConfigureAwait(false) : listenHost;
        ListenEndPoint = new IPEndPoint(ip, listenPort);
        var actor = await Miner.ActorAddressAsync(ct).ConfigureAwait(false);
        Actor = actor;
        var sectorSize = await Miner.ActorSectorSizeAsync(actor, ct).ConfigureAwait(false);
        LogMiner(_log, actor, sectorSize);
        var labelPool = options.LabelPoolFor(sectorSize);
        if (labelPool is not null)
        {
            LogLabelPool(_log, labelPool.PoolSize, labelPool.Jobs, labelPool.BlockSize, labelPool.PerJobSize);
        }

        MemoryFiles = options.HugepageFiles.Enabled ? HugepageFiles.Open(options.HugepageFiles, _loggers.CreateLogger<HugepageFiles>()) : null;
        if (MemoryFiles is { Files.Count: 0 })
        {
            LogNoHugepageFiles(_log, options.HugepageFiles.Pattern!);
        }

        var prover = SnarkProverFactory.Create(options.Snark);
        if (prover.IsInsecure)
        {
            LogInsecureProver(_log);
        }
        else if (prover is FilCryptoProver { WhyUnavailable: { } noProver } && options.IsPoStWorker)
        {
            // Lotus's PoSt workers fetch their parameters at start and stop when they cannot.
            throw new InvalidOperationException($"a PoSt worker needs the SNARK prover: {noProver}");
        }
        else if (prover is FilCryptoProver { WhyUnavailable: { } why } && options.RequestedTasks.Contains(TaskType.Commit2))
        {
            LogNoFilCrypto(_log, why);
            options.RequestedTasks = options.RequestedTasks.Where(t => t != TaskType.Commit2).ToHashSet();
        }

        if (!options.EnableGpuProving)
        {
            LogNoGpu(_log, NativeEnvironment.Get(WorkerOptions.BellmanNoGpuVariable) ?? "");
        }

        if (options.Unavailable.Count > 0)
        {
            LogUnavailable(_log, string.Join(", ", options.Unavailable.Select(TaskTypes.ShortName)));
        }

        Repo = new WorkerRepo(options.RepoPath);
        options.RepoPath = Repo.Path;
        await Repo.InitializeAsync(options.NoLocalStorage, ct).ConfigureAwait(false);
        if (Miners.Addresses[Miners.Current].Token is { Length: > 0 } token)
        {
            Repo.WriteToken(token);
        }

        Index = new MinerApiSectorIndex(Miner);
        // The /remote URL is known once the server has bound (port 0); ConnectAsync sets it before the store declares anything.
        _storeOptions.Urls = [RemoteUrl(ListenEndPoint)];
        _storeOptions.StorageConfigFile = Repo.StorageConfigFile;
        _storeOptions.HealthInterval = options.HealthInterval;
        Store = new LocalStore(Index, _storeOptions, _time, _loggers.CreateLogger<LocalStore>());

        _tracker = await CallTracker.OpenAsync(Repo.CallsDatabase, ct).ConfigureAwait(false);
        var returns = new ReturnSender(Miner, _tracker, options.ReturnRetryInterval, _time, _loggers.CreateLogger<ReturnSender>());
        var fetcher = new RemoteFetcher(Store, Index, Http, new RemoteFetcherOptions { AuthToken = Miners.Addresses[Miners.Current].Token, ParallelFetchLimit = options.ParallelFetchLimit }, _loggers.CreateLogger<RemoteFetcher>(), Metrics.Stores);
        // The pool's memory (from NUMA-local hugepage files where they fit) is mapped once; pages are touched as PC1 jobs label.
        Pool = labelPool is null ? null : LabelPool.Create(labelPool, MemoryFiles);
        if (Pool is not null)
        {
            Metrics.Observe(Pool);
        }

        Batcher = options.Pc1Batch > 1 && Pool is null ? new LabelBatcher(options.Pc1Batch, options.Pc1BatchWait, _time) : null;
        var vanillas = new VanillaProofReader(Store, Index, Http, new VanillaReaderOptions { AuthToken = Miners.Addresses[Miners.Current].Token }, _loggers.CreateLogger<VanillaProofReader>(), Metrics.Stores);
        var post = new PartitionProver(
            vanillas,
            prover,
            new PartitionProverOptions
            {
                // Lotus: --post-parallel-reads 0 is no limit.
                ParallelReads = options.PostParallelReads == 0 ? int.MaxValue : options.PostParallelReads,
                ReadTimeout = options.PostReadTimeout,
            },
            _time,
            _loggers.CreateLogger<PartitionProver>(),
            Metrics.Stores);
        var externalPc2 = options.ExternalPreCommit2 is { } pc2Command ? new ExternalPreCommit2(pc2Command, _loggers.CreateLogger<ExternalPreCommit2>()) : null;
        if (externalPc2 is not null)
        {
            LogExternalPc2(_log, externalPc2.Command);
        }

        var tasks = new SealingTasks(Store, _connection.ParentCache, _loggers.CreateLogger<SealingTasks>(), fetcher, Pool, Batcher, prover, externalPc2);
        Calls = new CallRunner(_tracker, returns, options.EffectiveName, _loggers.CreateLogger<CallRunner>(), Metrics);
        Api = new WorkerApi(options, Store, tasks, Calls, _connection.Environment, _loggers.CreateLogger<WorkerApi>(), labelPool, post, Metrics);

        // Every request's token is the miner's to judge; verified ones are cached so /remote and /rpc/v0 keep serving
        // the miner's own tokens while it restarts or stalls.
        var verifier = new CachingTokenVerifier(Miner.AuthVerifyAsync, new CachingTokenVerifierOptions(), _time, _loggers.CreateLogger<CachingTokenVerifier>());
        Authenticator = new LotusAuthenticator(verifier.VerifyAsync);
    }

    /// <summary>
    /// After the server has bound <paramref name="bound"/>: opens local storage with <c>/remote</c> at that address,
    /// writes the repo's <c>api</c> file, answers the calls a restart left, and registers with the miner at the bound
    /// <c>/rpc/v0</c> (Lotus runCmd sends its listen address in WorkerConnect).
    /// </summary>
    /// <returns>The miner's session when the worker registered.</returns>
    public async Task<Guid> ConnectAsync(IPEndPoint bound, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bound);
        _storeOptions.Urls = [RemoteUrl(bound)];
        RpcUrl = string.Create(CultureInfo.InvariantCulture, $"http://{FormatHost(bound.Address)}:{bound.Port}/rpc/v0");
        LogListening(_log, RpcUrl);
        await Store.OpenAsync(ct).ConfigureAwait(false);
        Repo.WriteApi(bound.Address, bound.Port);

        var session = await Miner.SessionAsync(ct).ConfigureAwait(false);
        await Calls.ResumeTrackedCallsAsync(ct).ConfigureAwait(false);
        await Api.WaitQuietAsync(ct).ConfigureAwait(false);
        await Miner.WorkerConnectAsync(RpcUrl, ct).ConfigureAwait(false);
        LogConnected(_log, RpcUrl, Api.ProcessSession);
        return session;
    }

    /// <summary>Registers again (the miner restarted or dropped this worker).</summary>
    internal async Task ReconnectAsync(bool redeclare, CancellationToken ct)
    {
        if (redeclare)
        {
            await Store.RedeclareAsync(null, false, ct).ConfigureAwait(false);
            await Api.WaitQuietAsync(ct).ConfigureAwait(false);
        }

        await Miner.WorkerConnectAsync(RpcUrl, ct).ConfigureAwait(false);
        if (redeclare)
        {
            LogConnected(_log, RpcUrl, Api.ProcessSession);
        }
    }

    /// <summary>
    /// The miner the worker talks to is gone (<paramref name="why"/>): moves to the next miner of the list that answers
    /// (round-robin, wrapping) and registers there as at start (storage redeclared, then <c>WorkerConnect</c>), so the
    /// new miner asks for the worker's task types and session. Calls keep running; their results go to the new miner.
    /// </summary>
    /// <returns>The new miner's session, or null when no other miner answered (the worker stays where it was).</returns>
    internal async Task<Guid?> MoveToNextMinerAsync(string why, TimeSpan timeout, CancellationToken ct)
    {
        var from = Miners.CurrentAddress;
        var session = await Miners.NextAsync(Actor, why, timeout, _time, (url, reason) => LogMinerPassedOver(_log, url, reason), ct).ConfigureAwait(false);
        if (session is null)
        {
            LogNoOtherMiner(_log, from, Miners.Count - 1);
            return null;
        }

        LogMovedMiner(_log, from, Miners.CurrentAddress, why);
        await ReconnectAsync(redeclare: true, ct).ConfigureAwait(false);
        return session;
    }

    /// <summary>Stops the calls, then closes (and backs up) the call journal, the exporter and the label pool.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (Api is not null)
        {
            await Api.DisposeAsync().ConfigureAwait(false);
        }

        if (_tracker is not null)
        {
            await _tracker.DisposeAsync().ConfigureAwait(false);
            try
            {
                await _tracker.BackupAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or Kiln.Stores.StoresException)
            {
                LogBackupFailed(_log, Repo.CallsDatabase, e.Message);
            }
        }

        Exporter.Dispose();
        Pool?.Dispose();
    }

    /// <summary>The worker's <c>/remote</c> check (Lotus: the worker's FetchHandler behind admin auth): the caller's token grants admin.</summary>
    internal static Func<HttpContext, CancellationToken, ValueTask<bool>> AdminOnly(LotusAuthenticator auth) =>
        async (http, _) => await auth.AuthenticateAsync(http).ConfigureAwait(false) is { } perms && perms.Contains(Permission.Admin);

    private static string RemoteUrl(IPEndPoint at) =>
        string.Create(CultureInfo.InvariantCulture, $"http://{FormatHost(at.Address)}:{at.Port}/remote");

    private static bool IsAny(IPAddress ip) => ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any);

    /// <summary>
    /// lotus-worker's trick for a 0.0.0.0 listen address (Lotus extractRoutableIP): the local address of a connection
    /// to the miner, dialed within <paramref name="timeout"/> (<c>--timeout</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The miner cannot be reached within the timeout.</exception>
    private static async Task<IPAddress> RoutableAddressAsync(Uri minerUrl, TimeSpan timeout, CancellationToken ct)
    {
        using var client = new TcpClient(minerUrl.HostNameType == UriHostNameType.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        using var dial = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout > TimeSpan.Zero)
        {
            dial.CancelAfter(timeout);
        }

        try
        {
            await client.ConnectAsync(minerUrl.IdnHost, minerUrl.Port, dial.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new InvalidOperationException($"finding the routable address for --listen 0.0.0.0: dialing the miner at {minerUrl.IdnHost}:{minerUrl.Port} took longer than --timeout {timeout}");
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"finding the routable address for --listen 0.0.0.0: dialing the miner at {minerUrl.IdnHost}:{minerUrl.Port}: {e.Message}", e);
        }

        return ((IPEndPoint)client.Client.LocalEndPoint!).Address;
    }

    private static string FormatHost(IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ip + "]" : ip.ToString();

    [LoggerMessage(EventId = 7001, EventName = "MinerUnreachable", Level = LogLevel.Warning, Message = "Waiting for the miner at {Url}: {Error}")]
    private static partial void LogMinerUnreachable(ILogger log, string url, string error);

    [LoggerMessage(EventId = 7002, EventName = "Miner", Level = LogLevel.Information, Message = "Miner actor {Actor}, sector size {SectorSize}")]
    private static partial void LogMiner(ILogger log, string actor, ulong sectorSize);

    [LoggerMessage(EventId = 7003, EventName = "Unavailable", Level = LogLevel.Warning, Message = "Requested task types kiln-worker cannot execute yet, not advertised: {Tasks}")]
    private static partial void LogUnavailable(ILogger log, string tasks);

    [LoggerMessage(EventId = 7004, EventName = "Connected", Level = LogLevel.Information, Message = "Registered with the miner as {Url} (session {Session})")]
    private static partial void LogConnected(ILogger log, string url, Guid session);

    [LoggerMessage(EventId = 7005, EventName = "LabelPool", Level = LogLevel.Information, Message = "PC1 label pool: {PoolBytes} bytes for {Jobs} jobs in blocks of {BlockBytes} bytes ({PerJobBytes} bytes per job)")]
    private static partial void LogLabelPool(ILogger log, ulong poolBytes, int jobs, ulong blockBytes, ulong perJobBytes);

    [LoggerMessage(EventId = 7006, EventName = "NoHugepageFiles", Level = LogLevel.Warning, Message = "No hugepage memory files under {Pattern}; PC1 memory will be anonymous")]
    private static partial void LogNoHugepageFiles(ILogger log, string pattern);

    [LoggerMessage(EventId = 7007, EventName = "InsecureProver", Level = LogLevel.Warning, Message = "INSECURE TEST PROOFS: Commit2 and PoSt proofs of this worker are keyed hashes, valid on no network (devnets and tests only)")]
    private static partial void LogInsecureProver(ILogger logger);

    [LoggerMessage(EventId = 7008, EventName = "NoFilCrypto", Level = LogLevel.Warning, Message = "Commit2 is disabled: {Reason}")]
    private static partial void LogNoFilCrypto(ILogger logger, string reason);

    [LoggerMessage(EventId = 7009, EventName = "AddressDeprecated", Level = LogLevel.Warning, Message = "The '--address' flag is deprecated, it has been replaced by '--listen'")]
    private static partial void LogAddressDeprecated(ILogger log);

    [LoggerMessage(EventId = 7010, EventName = "ExternalPc2", Level = LogLevel.Information, Message = "PreCommit2 runs through the external command: {Command}")]
    private static partial void LogExternalPc2(ILogger log, string command);

    [LoggerMessage(EventId = 7011, EventName = "NoGpu", Level = LogLevel.Information, Message = "GPU proving disabled (--enable-gpu-proving=false): BELLMAN_NO_GPU={Value}")]
    private static partial void LogNoGpu(ILogger log, string value);

    [LoggerMessage(EventId = 7012, EventName = "BackupFailed", Level = LogLevel.Warning, Message = "Backing up {File} at shutdown failed: {Error}")]
    private static partial void LogBackupFailed(ILogger log, string file, string error);

    [LoggerMessage(EventId = 7017, EventName = "MovedMiner", Level = LogLevel.Warning, Message = "Moved from the miner at {Old} to the miner at {New}: {Why}; registering there")]
    private static partial void LogMovedMiner(ILogger log, string old, string @new, string why);

    [LoggerMessage(EventId = 7018, EventName = "MinerPassedOver", Level = LogLevel.Warning, Message = "Not moving to the miner at {Url}: {Reason}")]
    private static partial void LogMinerPassedOver(ILogger log, string url, string reason);

    [LoggerMessage(EventId = 7019, EventName = "NoOtherMiner", Level = LogLevel.Warning, Message = "The miner at {Url} is gone and none of the {Others} other miners answered; trying again at the next session check")]
    private static partial void LogNoOtherMiner(ILogger log, string url, int others);

    [LoggerMessage(EventId = 7020, EventName = "MinerChosen", Level = LogLevel.Information, Message = "Serving the miner at {Url} (address {Position} of {Count})")]
    private static partial void LogMinerChosen(ILogger log, string url, int position, int count);

    [LoggerMessage(EventId = 7013, EventName = "Listening", Level = LogLevel.Information, Message = "Worker API listening on {Url}")]
    private static partial void LogListening(ILogger log, string url);
}
