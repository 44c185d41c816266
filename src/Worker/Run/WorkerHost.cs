using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
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

namespace Kiln.Worker.Run;

/// <summary>
/// kiln-worker's process (lotus: cmd/lotus-worker/main.go <c>runCmd</c>): waits for the miner and checks its API
/// version, opens local storage over the miner's index, serves <c>/rpc/v0</c> (tokens checked by the miner's
/// AuthVerify) and <c>/remote</c>, registers with <c>WorkerConnect</c>, and re-registers when the miner's Session
/// changes.
/// </summary>
public sealed partial class WorkerHost : IAsyncDisposable
{
    /// <summary>One client for sector downloads from other hosts; sizes reach 64 GiB, so no overall timeout (cancellation bounds it).</summary>
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    private static readonly TimeSpan VersionRetryInterval = TimeSpan.FromSeconds(1);

    private readonly WebApplication _app;
    private readonly CallTracker _tracker;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private readonly TimeSpan _shutdownGrace;
    private Task? _grace;
    private readonly List<Task> _loops = [];
    private readonly ILogger _log;
    private readonly PrometheusExporter _exporter;
    private bool _disposed;

    private WorkerHost(WebApplication app, WorkerApi api, LocalStore store, CallTracker tracker, IMinerStorageApi miner, WorkerRepo repo, string url, ILogger log, PrometheusExporter exporter, TimeSpan shutdownGrace, TimeProvider time)
    {
        _time = time;
        _shutdownGrace = shutdownGrace;
        _app = app;
        _exporter = exporter;
        Api = api;
        Store = store;
        _tracker = tracker;
        Miner = miner;
        Repo = repo;
        RpcUrl = url;
        _log = log;
        api.ShutdownRequested += () =>
        {
            _shutdown.TrySetResult();
            Interlocked.CompareExchange(ref _grace, StopAfterGraceAsync(), null);
        };
        // SIGINT/SIGTERM reach the process through the host's console lifetime, and stop it at once (Lotus: context cancellation).
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            _shutdown.TrySetResult();
            _stopped.TrySetResult();
        });
    }

    public WorkerApi Api { get; }

    public LocalStore Store { get; }

    public IMinerStorageApi Miner { get; }

    public WorkerRepo Repo { get; }

    /// <summary>The NUMA hugepage memory files found at start (<c>HUGEPAGE_FILES_PATH(_PATTERN)</c>), or null when none are configured.</summary>
    public HugepageFiles? MemoryFiles { get; private init; }

    /// <summary>The label pool PC1 jobs share, when one is configured (<c>MEM_POOL_SIZE</c>, <c>FIL_PROOFS_P1_TASKS</c>).</summary>
    public LabelPool? Pool { get; private init; }

    /// <summary>Batches PC1 jobs that start together (<c>KILN_PC1_BATCH</c> &gt; 1, no pool).</summary>
    public LabelBatcher? Batcher { get; private init; }

    /// <summary>The URL given to the miner in <c>WorkerConnect</c> (<c>http://ip:port/rpc/v0</c>).</summary>
    public string RpcUrl { get; }

    /// <summary>Completes when a client calls <c>Shutdown</c> or the process is told to stop (SIGINT, SIGTERM).</summary>
    public Task ShutdownRequested => _shutdown.Task;

    /// <summary>
    /// Completes when the process should exit: at once on SIGINT/SIGTERM; <see cref="WorkerOptions.ShutdownGrace"/>
    /// after <c>Shutdown</c>, during which the worker keeps serving with a nil session so that the miner unregisters it
    /// at its next heartbeat (Lotus runCmd: 20 s, then srv.Shutdown).
    /// </summary>
    public Task Stopped => _stopped.Task;

    public static async Task<WorkerHost> StartAsync(
        WorkerOptions options,
        ApiInfo minerInfo,
        ParentCacheOptions parentCache,
        Func<string, string?> environment,
        TimeProvider time,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(minerInfo);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        var (listenHost, listenPort) = options.ParseListen();
        var minerUrl = minerInfo.HttpUrl();
        var ip = IsAny(listenHost) ? await RoutableAddressAsync(minerUrl, options.Timeout, ct) : listenHost;
        var port = listenPort == 0 ? FreePort(ip) : listenPort;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(ip, port);
            // --http-server-timeout: Lotus's http.Server ReadHeaderTimeout; zero is no limit there.
            k.Limits.RequestHeadersTimeout = options.HttpServerTimeout > TimeSpan.Zero ? options.HttpServerTimeout : System.Threading.Timeout.InfiniteTimeSpan;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var log = loggers.CreateLogger<WorkerHost>();
        if (options.ListenFromAddressFlag)
        {
            LogAddressDeprecated(log);
        }
        // Created before any instrument, so /debug/metrics counts from the start; the host's meter factory scopes Kiln.Worker to this host.
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        var exporter = new PrometheusExporter(new PrometheusExporterOptions { Scope = meters });
        var metrics = new WorkerMetrics(meters);
        try
        {
            var miner = RpcClient.Create(minerUrl, new RpcClientOptions { Token = minerInfo.Token }).CreateProxy<IMinerStorageApi>();
            await WaitForMinerAsync(miner, minerUrl, time, log, ct);
            var actor = await miner.ActorAddressAsync(ct);
            var sectorSize = await miner.ActorSectorSizeAsync(actor, ct);
            LogMiner(log, actor, sectorSize);
            var labelPool = options.LabelPoolFor(sectorSize);
            if (labelPool is not null)
            {
                LogLabelPool(log, labelPool.PoolSize, labelPool.Jobs, labelPool.BlockSize, labelPool.PerJobSize);
            }

            var memoryFiles = options.HugepageFiles.Enabled ? HugepageFiles.Open(options.HugepageFiles, loggers.CreateLogger<HugepageFiles>()) : null;
            if (memoryFiles is { Files.Count: 0 })
            {
                LogNoHugepageFiles(log, options.HugepageFiles.Pattern!);
            }

            var prover = SnarkProverFactory.Create(options.Snark);
            if (prover.IsInsecure)
            {
                LogInsecureProver(log);
            }
            else if (prover is FilCryptoProver { WhyUnavailable: { } noProver } && options.IsPoStWorker)
            {
                // Lotus's PoSt workers fetch their parameters at start and stop when they cannot.
                throw new InvalidOperationException($"a PoSt worker needs the SNARK prover: {noProver}");
            }
            else if (prover is FilCryptoProver { WhyUnavailable: { } why } && options.RequestedTasks.Contains(TaskType.Commit2))
            {
                LogNoFilCrypto(log, why);
                options.RequestedTasks = options.RequestedTasks.Where(t => t != TaskType.Commit2).ToHashSet();
            }

            if (!options.EnableGpuProving)
            {
                LogNoGpu(log, NativeEnvironment.Get(WorkerOptions.BellmanNoGpuVariable) ?? "");
            }

            if (options.Unavailable.Count > 0)
            {
                LogUnavailable(log, string.Join(", ", options.Unavailable.Select(TaskTypes.ShortName)));
            }

            var repo = new WorkerRepo(options.RepoPath);
            options.RepoPath = repo.Path;
            await repo.InitializeAsync(options.NoLocalStorage, ct);
            if (minerInfo.Token is { Length: > 0 } token)
            {
                repo.WriteToken(token);
            }

            var host = FormatHost(ip);
            var rpcUrl = string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}/rpc/v0");
            var index = new MinerApiSectorIndex(miner);
            var store = new LocalStore(
                index,
                new LocalStoreOptions
                {
                    Urls = [string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}/remote")],
                    StorageConfigFile = repo.StorageConfigFile,
                    HealthInterval = options.HealthInterval,
                },
                time,
                loggers.CreateLogger<LocalStore>());
            await store.OpenAsync(ct);

            var tracker = await CallTracker.OpenAsync(repo.CallsDatabase, ct);
            var returns = new ReturnSender(miner, tracker, options.ReturnRetryInterval, time, loggers.CreateLogger<ReturnSender>());
            var fetcher = new RemoteFetcher(store, index, Http, new RemoteFetcherOptions { AuthToken = minerInfo.Token, ParallelFetchLimit = options.ParallelFetchLimit }, loggers.CreateLogger<RemoteFetcher>());
            // The pool's memory (from NUMA-local hugepage files where they fit) is mapped once; pages are touched as PC1 jobs label.
            var pool = labelPool is null ? null : LabelPool.Create(labelPool, memoryFiles);
            if (pool is not null)
            {
                metrics.Observe(pool);
            }

            var batcher = options.Pc1Batch > 1 && pool is null ? new LabelBatcher(options.Pc1Batch, options.Pc1BatchWait, time) : null;
            var vanillas = new VanillaProofReader(store, index, Http, new VanillaReaderOptions { AuthToken = minerInfo.Token }, loggers.CreateLogger<VanillaProofReader>());
            var post = new PartitionProver(
                vanillas,
                prover,
                new PartitionProverOptions
                {
                    // Lotus: --post-parallel-reads 0 is no limit.
                    ParallelReads = options.PostParallelReads == 0 ? int.MaxValue : options.PostParallelReads,
                    ReadTimeout = options.PostReadTimeout,
                },
                time,
                loggers.CreateLogger<PartitionProver>());
            var externalPc2 = options.ExternalPreCommit2 is { } pc2Command ? new ExternalPreCommit2(pc2Command, loggers.CreateLogger<ExternalPreCommit2>()) : null;
            if (externalPc2 is not null)
            {
                LogExternalPc2(log, externalPc2.Command);
            }

            var api = new WorkerApi(
                options, store, new SealingTasks(store, parentCache, loggers.CreateLogger<SealingTasks>(), fetcher, pool, batcher, prover, externalPc2), tracker, returns, environment, loggers.CreateLogger<WorkerApi>(), labelPool, post, metrics);

            // Every request's token is the miner's to judge; verified ones are cached so /remote and /rpc/v0 keep serving
            // the miner's own tokens while it restarts or stalls.
            var verifier = new CachingTokenVerifier(miner.AuthVerifyAsync, new CachingTokenVerifierOptions(), time, loggers.CreateLogger<CachingTokenVerifier>());
            var auth = new LotusAuthenticator(verifier.VerifyAsync);
            app.UseWebSockets();
            app.MapLotusRpc("/rpc/v0", RpcServer.Create<IWorkerApi>(api), auth);
            app.MapRemoteStore(store, index, AdminOnly(auth));
            app.MapDebugMetrics(exporter);
            await app.StartAsync(ct);
            repo.WriteApi(ip, port);

            var workerHost = new WorkerHost(app, api, store, tracker, miner, repo, rpcUrl, log, exporter, options.ShutdownGrace, time) { MemoryFiles = memoryFiles, Pool = pool, Batcher = batcher };
            var session = await miner.SessionAsync(ct);
            await api.ResumeTrackedCallsAsync(ct);
            await api.WaitQuietAsync(ct);
            await miner.WorkerConnectAsync(rpcUrl, ct);
            LogConnected(log, rpcUrl, api.ProcessSession);
            workerHost._loops.Add(workerHost.WatchMinerSessionAsync(session, options.SessionPollInterval, time));
            workerHost._loops.Add(store.RunHealthReportsAsync(workerHost._stopping.Token));
            return workerHost;
        }
        catch
        {
            exporter.Dispose();
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync();
        await Api.DisposeAsync();
        try
        {
            await Task.WhenAll(_loops.Append(Volatile.Read(ref _grace) ?? Task.CompletedTask));
        }
        catch (OperationCanceledException)
        {
            // The loops end by cancellation.
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        await _tracker.DisposeAsync();
        try
        {
            await _tracker.BackupAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or Kiln.Stores.StoresException)
        {
            LogBackupFailed(_log, Repo.CallsDatabase, e.Message);
        }

        _exporter.Dispose();
        Pool?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Lotus: loop <c>Version</c> until the miner answers, then require exactly <see cref="ApiVersion.Miner"/>.</summary>
    private static async Task WaitForMinerAsync(IMinerStorageApi miner, Uri url, TimeProvider time, ILogger log, CancellationToken ct)
    {
        while (true)
        {
            ApiVersionInfo version;
            try
            {
                version = await miner.VersionAsync(ct);
            }
            catch (Exception e) when (e is HttpRequestException or RpcException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                LogMinerUnreachable(log, url.ToString(), e.Message);
                await Task.Delay(VersionRetryInterval, time, ct);
                continue;
            }

            if (version.APIVersion != ApiVersion.Miner)
            {
                throw new InvalidOperationException(
                    $"lotus-miner API version doesn't match: expected: {ApiVersion.Miner}, got {version.APIVersion}");
            }

            return;
        }
    }

    /// <summary>Every interval, checks the miner's Session; a new one (miner restarted) means redeclare storage and register again.</summary>
    private async Task WatchMinerSessionAsync(Guid session, TimeSpan interval, TimeProvider time)
    {
        var ct = _stopping.Token;
        var unreachable = false;
        var lastAnswer = time.GetTimestamp();
        // The miner's heartbeats: a miner that removed this worker (it missed heartbeats while busy) stops calling.
        var lastHeartbeat = time.GetTimestamp();
        Api.SessionQueried += () => Interlocked.Exchange(ref lastHeartbeat, time.GetTimestamp());
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, ct);
                var current = await Miner.SessionAsync(ct);
                if (current == session)
                {
                    // The miner removes a worker it could not reach for its LostAfter. After a failed check, a gap (the
                    // process was stopped or starved), or no heartbeat from the miner for three of our intervals (it gave
                    // this busy worker up), register again: a no-op when the miner still knows this session, as Lotus's
                    // runWorker ignores a worker it already handles.
                    if (unreachable || time.GetElapsedTime(lastAnswer) > interval * 3 || time.GetElapsedTime(Interlocked.Read(ref lastHeartbeat)) > interval * 3)
                    {
                        await Miner.WorkerConnectAsync(RpcUrl, ct);
                        Interlocked.Exchange(ref lastHeartbeat, time.GetTimestamp());
                        unreachable = false;
                    }

                    lastAnswer = time.GetTimestamp();
                    continue;
                }

                LogMinerRestarted(_log, session, current);
                await Store.RedeclareAsync(null, false, ct);
                await Api.WaitQuietAsync(ct);
                await Miner.WorkerConnectAsync(RpcUrl, ct);
                session = current;
                unreachable = false;
                lastAnswer = time.GetTimestamp();
                LogConnected(_log, RpcUrl, Api.ProcessSession);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                unreachable = true;
                LogSessionCheckFailed(_log, e.Message);
            }
        }
    }

    /// <summary>The worker's <c>/remote</c> check (Lotus: the worker's FetchHandler behind admin auth): the caller's token grants admin.</summary>
    internal static Func<HttpContext, CancellationToken, ValueTask<bool>> AdminOnly(LotusAuthenticator auth) =>
        async (http, _) => await auth.AuthenticateAsync(http) is { } perms && perms.Contains(Permission.Admin);

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
            await client.ConnectAsync(minerUrl.IdnHost, minerUrl.Port, dial.Token);
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

    /// <summary>Lotus runCmd's last goroutine: after Shutdown, serve (with a nil session) for the grace, then stop.</summary>
    private async Task StopAfterGraceAsync()
    {
        LogShuttingDownAfter(_log, _shutdownGrace);
        try
        {
            await Task.Delay(_shutdownGrace, _time, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Disposed first: stop now.
        }

        _stopped.TrySetResult();
    }

    /// <summary>A free port on <paramref name="ip"/> for <c>--listen ip:0</c>.</summary>
    internal static int FreePort(IPAddress ip)
    {
        using var listener = new TcpListener(ip, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FormatHost(IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ip + "]" : ip.ToString();

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Waiting for the miner at {Url}: {Error}")]
    private static partial void LogMinerUnreachable(ILogger log, string url, string error);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Miner actor {Actor}, sector size {SectorSize}")]
    private static partial void LogMiner(ILogger log, string actor, ulong sectorSize);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Requested task types kiln-worker cannot execute yet, not advertised: {Tasks}")]
    private static partial void LogUnavailable(ILogger log, string tasks);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Registered with the miner as {Url} (session {Session})")]
    private static partial void LogConnected(ILogger log, string url, Guid session);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "LOTUS-MINER CONNECTION LOST: miner session changed from {Old} to {New}; redeclaring storage and registering again")]
    private static partial void LogMinerRestarted(ILogger log, Guid old, Guid @new);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Checking the miner session failed: {Error}")]
    private static partial void LogSessionCheckFailed(ILogger log, string error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "PC1 label pool: {PoolBytes} bytes for {Jobs} jobs in blocks of {BlockBytes} bytes ({PerJobBytes} bytes per job)")]
    private static partial void LogLabelPool(ILogger log, ulong poolBytes, int jobs, ulong blockBytes, ulong perJobBytes);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "INSECURE TEST PROOFS: Commit2 and PoSt proofs of this worker are keyed hashes, valid on no network (devnets and tests only)")]
    private static partial void LogInsecureProver(ILogger logger);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Commit2 is disabled: {Reason}")]
    private static partial void LogNoFilCrypto(ILogger logger, string reason);

    [LoggerMessage(EventId = 51, Level = LogLevel.Warning, Message = "The '--address' flag is deprecated, it has been replaced by '--listen'")]
    private static partial void LogAddressDeprecated(ILogger log);

    [LoggerMessage(EventId = 52, Level = LogLevel.Information, Message = "PreCommit2 runs through the external command: {Command}")]
    private static partial void LogExternalPc2(ILogger log, string command);

    [LoggerMessage(EventId = 53, Level = LogLevel.Warning, Message = "Shutdown requested: serving with a nil session for {Grace} so the miner unregisters this worker, then stopping")]
    private static partial void LogShuttingDownAfter(ILogger log, TimeSpan grace);

    [LoggerMessage(EventId = 54, Level = LogLevel.Information, Message = "GPU proving disabled (--enable-gpu-proving=false): BELLMAN_NO_GPU={Value}")]
    private static partial void LogNoGpu(ILogger log, string value);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "No hugepage memory files under {Pattern}; PC1 memory will be anonymous")]
    private static partial void LogNoHugepageFiles(ILogger log, string pattern);

    [LoggerMessage(EventId = 55, Level = LogLevel.Warning, Message = "Backing up {File} at shutdown failed: {Error}")]
    private static partial void LogBackupFailed(ILogger log, string file, string error);
}
