using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Api.Metrics;
using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Miner.Chain;
using Kiln.Miner.Devnet;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Miner.Repo;
using Kiln.Miner.Rpc;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Sealing;
using Kiln.Miner.Ui;
using Kiln.Miner.Workers;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.Locks;
using Kiln.Stores.Remote;
using Microsoft.Extensions.Options;

namespace Kiln.Miner.Hosting;

/// <summary>
/// The real miner as one service of a host: the sector index, works and jobs in SQLite under the repo, the worker
/// registry with its heartbeat, the sealing scheduler, manager and sector pipeline, the proving service, and the
/// endpoints <c>/rpc/v0</c>, <c>/remote</c>, <c>/debug/metrics</c> and the dashboard. Registered by
/// <see cref="KilnMinerServiceCollectionExtensions.AddKilnMiner"/>, opened and mapped by
/// <see cref="KilnMinerEndpointExtensions.MapKilnMinerAsync"/>, started once the server has bound its address.
/// </summary>
public sealed partial class KilnMiner : IAsyncDisposable
{
    private readonly IOptions<MinerOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly IMeterFactory _meters;
    private readonly ILogger<KilnMiner> _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly IServiceProvider? _services;
    private SqlSectorIndex? _index;
    private PrometheusExporter? _exporter;
    private LocalStoreOptions? _storeOptions;
    private LocalStore? _store;
    private RpcServer? _rpc;
    private Dashboard? _dashboard;
    private LotusAuthenticator? _auth;
    private Task[] _loops = [];
    private bool _loopsStopped;

    /// <summary>
    /// The miner of <paramref name="repo"/>; nothing is opened until <see cref="OpenAsync"/>. <paramref name="services"/>
    /// is where optional parts registered by the host are found when first used (an <see cref="IBatchQueues"/> there
    /// replaces the pipeline's own batches behind the batching RPC methods).
    /// </summary>
    public KilnMiner(MinerRepo repo, IOptions<MinerOptions> options, TimeProvider time, ILoggerFactory loggers, IMeterFactory meters, IServiceProvider? services = null)
    {
        _services = services;
        ArgumentNullException.ThrowIfNull(loggers);
        Repo = repo;
        _options = options;
        _time = time;
        _loggers = loggers;
        _meters = meters;
        _log = loggers.CreateLogger<KilnMiner>();
    }

    public MinerRepo Repo { get; }

    /// <summary>The validated options the miner runs with.</summary>
    public MinerOptions Options => _options.Value;

    /// <summary>Whether <see cref="OpenAsync"/> has run (the components below exist).</summary>
    public bool IsOpen { get; private set; }

    public SealingScheduler Scheduler { get; private set; } = null!;

    /// <summary>The sealing calls the pipeline makes (scheduled on workers, persisted works resumed).</summary>
    public SealingManager Sealing { get; private set; } = null!;

    /// <summary>The sector locks the sealing tasks hold, shown and taken through the API (StorageGetLocks, StorageLock).</summary>
    public SectorLockTable Locks { get; private set; } = null!;

    /// <summary>PoSt schedulers, provers, the chain and the proving loop.</summary>
    public ProvingService Proving { get; private set; } = null!;

    public SectorPipeline Pipeline { get; private set; } = null!;

    /// <summary>The in-process devnet chain the miner runs on when no full node is configured (null with a full node).</summary>
    public Kiln.Miner.Chain.Devnet.DevnetNode? Devnet { get; private set; }

    /// <summary>The sectors <c>devnet --fail-sector</c> made unreadable to PoSt (null with a full node).</summary>
    public DevnetSectorFailures? DevnetFailures { get; private set; }

    public MinerApi Api { get; private set; } = null!;

    public WorkerRegistry Workers { get; private set; } = null!;

    public JobTracker Jobs { get; private set; } = null!;

    /// <summary>The persisted works (calls a restarted miner still waits for).</summary>
    public WorkStore Works { get; private set; } = null!;

    /// <summary>The results of the calls workers run, matched with their waiters.</summary>
    public CallRegistry Calls { get; private set; } = null!;

    /// <summary>The sector index (storage paths and the sectors' files on them).</summary>
    public ISectorIndex Index => _index ?? throw NotOpen();

    /// <summary>The URL workers and CLIs dial, e.g. http://127.0.0.1:2345/rpc/v0; set once the server has bound.</summary>
    public Uri RpcUrl { get; private set; } = null!;

    /// <summary>
    /// Opens the databases and builds every component (idempotent). <paramref name="connectWorker"/> makes the API client of
    /// a worker URL (default: Lotus JSON-RPC over HTTP with an admin token).
    /// </summary>
    public async Task OpenAsync(Func<string, string, IWorkerApi>? connectWorker, CancellationToken cancellationToken)
    {
        if (IsOpen)
        {
            return;
        }

        var options = _options.Value; // validated here: IValidateOptions<MinerOptions> throws OptionsValidationException
        var repo = Repo;
        var loggers = _loggers;
        var time = _time;
        // Created before any instrument, so /debug/metrics counts from the start; the host's meter factory scopes Kiln.Miner to this host.
        _exporter = new PrometheusExporter(new PrometheusExporterOptions { Scope = _meters });
        var metrics = new MinerMetrics(_meters);

        if (options.Database is { Length: > 0 } database)
        {
            await Kiln.Stores.Sql.PostgresConnection.ClaimMinerAsync(database, options.ActorId, cancellationToken).ConfigureAwait(false);
            _index = await SqlSectorIndex.OpenPostgresAsync(database, time, cancellationToken).ConfigureAwait(false);
            Log.DatabaseInPostgres(_log, options.ActorId);
        }
        else
        {
            _index = await SqlSectorIndex.OpenSqliteAsync(repo.Database("index"), time, cancellationToken).ConfigureAwait(false);
        }

        Jobs = await JobTracker.OpenAsync(
            new JobTrackerOptions
            {
                DatabasePath = repo.Database("jobs"),
                LogDirectory = Environment.GetEnvironmentVariable(JobTrackerOptions.LogPathVariable) ?? repo.Path,
            },
            time,
            metrics,
            cancellationToken).ConfigureAwait(false);

        Works = await WorkStore.OpenAsync(repo.Database("works"), time, cancellationToken).ConfigureAwait(false);
        var awaited = (await Works.ListAsync(cancellationToken).ConfigureAwait(false)).Where(w => w.Call is not null).Select(w => w.Call!.Value.ID).ToList();
        await Jobs.AbortOrphansAsync(awaited, cancellationToken).ConfigureAwait(false);

        var adminToken = repo.Secret.CreateToken([Permission.Admin]);
        connectWorker ??= static (url, token) => RpcClient.Create(new Uri(url), new RpcClientOptions { Token = token }).CreateProxy<IWorkerApi>();
        Workers = new WorkerRegistry(url => connectWorker(url, adminToken), options.Workers, time, loggers.CreateLogger<WorkerRegistry>());
        metrics.Observe(Workers);
        var calls = Calls = new CallRegistry(time, options.CallRetention);
        void GiveUp(WorkerHandle w, string why) =>
            calls.FailWorker(w.Id, new CallError(CallError.ErrTempWorkerRestart, $"worker {w.Id} on {w.Info.Hostname} {why}"));
        Workers.Lost += w => GiveUp(w, "lost (no heartbeat)");
        Workers.Connected += w => calls.Reconnected(w.Id);
        Workers.Removed += w =>
        {
            if (!w.LostReported)
            {
                GiveUp(w, "restarted or shut down");
            }
        };

        // The miner's own storage paths (lotus-miner storage attach): declared into its own index, served on /remote.
        // (The URL gets the bound address in StartAsync, before any path is opened.)
        _storeOptions = new LocalStoreOptions { StorageConfigFile = repo.StorageConfigFile, Urls = [new Uri(InProcessOrigin, "/remote").ToString()] };
        _store = new LocalStore(_index, _storeOptions, time, loggers.CreateLogger<LocalStore>());
        var locks = Locks = new SectorLockTable(); // held by the sealing tasks, shown and tried through the API
        Scheduler = new SealingScheduler(Workers, time, loggers.CreateLogger<SealingScheduler>(), options.Scheduling, metrics);
        Sealing = new SealingManager(Scheduler, calls, Works, Jobs, _index, options.SectorBytes, loggers.CreateLogger<SealingManager>(), locks);
        var (chain, devnet) = ChainFactory.Create(options, repo.Path, time, loggers); // one chain for sealing and proving
        Devnet = devnet;
        // On the devnet, PoSt reads (the miner's and, through StorageFindSector, the PoSt workers') see devnet --fail-sector.
        DevnetFailures = devnet is null ? null : new DevnetSectorFailures(loggers.CreateLogger<DevnetSectorFailures>());
        ISectorIndex postIndex = DevnetFailures is null ? _index : new FailSectorIndex(_index, DevnetFailures, SealingAsync);
        Api = new MinerApi(options, repo.Secret, Workers, calls, Works, postIndex, _store, loggers.CreateLogger<MinerApi>(), Sealing, locks);
        if (devnet is not null && options.Sealing.UseDevnetPace(options.Proving.EpochDuration))
        {
            Log.DevnetPace(_log, options.Sealing.PreCommitBatchWait, options.Sealing.CommitBatchWait, options.Sealing.MinRetryTime);
        }
        Pipeline = await SectorPipeline.OpenAsync(repo.Database("sectors"), options, Sealing, chain, _index, time, loggers.CreateLogger<SectorPipeline>(), cancellationToken).ConfigureAwait(false);
        Proving = await ProvingService.OpenAsync(repo.Database("deadlines"), options, Workers, Pipeline, _store, postIndex, adminToken, Jobs, chain, time, loggers, metrics, cancellationToken).ConfigureAwait(false);

        // Resolved optionally and on each call: the host may register no batch queues (the RPC then says so).
        var kiln = new KilnMinerApi(Pipeline, Jobs, Proving, () => _services?.GetService<IBatchQueues>() ?? Pipeline.Batches) { DevnetFailures = DevnetFailures };
        _rpc = new RpcServerBuilder().Register<IMinerStorageApi>(Api).Register<IKilnMinerApi>(kiln).Build();
        _auth = LotusAuthenticator.FromSecret(repo.Secret);
        _dashboard = new Dashboard(Workers, Api, kiln, Pipeline, time);
        IsOpen = true;
    }

    /// <summary>Whether the pipeline is still sealing sector <paramref name="number"/> (it has it, in a state before Proving).</summary>
    private async Task<bool> SealingAsync(ulong number, CancellationToken ct) =>
        await Pipeline.GetAsync(number, ct).ConfigureAwait(false) is { } sector && sector.State != SectorState.Proving;

    /// <summary>Maps <c>/rpc/v0</c>, <c>/debug/metrics</c>, the dashboard and <c>/remote</c> (the miner must be open).</summary>
    public void Map(IEndpointRouteBuilder endpoints)
    {
        if (!IsOpen)
        {
            throw NotOpen();
        }

        var auth = _auth!;
        endpoints.MapLotusRpc("/rpc/v0", _rpc!, auth);
        endpoints.MapDebugMetrics(_exporter!);
        endpoints.MapDashboard(_dashboard!, auth);
        endpoints.MapRemoteStore(
            _store!,
            _index!,
            async (http, _) => await auth.AuthenticateAsync(http).ConfigureAwait(false) is { } perms && perms.Contains(Permission.Admin),
            "unauthorized: missing write permission");
    }

    /// <summary>
    /// Once the server listens on <paramref name="bound"/> (its real port when asked for port 0): records the API
    /// multiaddr in the repo's <c>api</c> file as Lotus does (node/repo/fsrepo.go SetAPIEndpoint), opens the miner's own
    /// storage paths under <c>bound/remote</c>, starts the loops (heartbeats, scheduling, storage health, proving,
    /// backups) and resumes the sector pipeline.
    /// </summary>
    public async Task StartAsync(Uri bound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bound);
        if (!IsOpen)
        {
            throw NotOpen();
        }

        var origin = new Uri(bound.GetLeftPart(UriPartial.Authority));
        RpcUrl = new Uri(origin, "/rpc/v0");
        Repo.WriteApi(Multiaddr(origin));
        Log.Listening(_log, Options.ActorAddress, RpcUrl, Repo.ApiFile);
        _storeOptions!.Urls = [new Uri(origin, "/remote").ToString()];
        await _store!.OpenAsync(cancellationToken).ConfigureAwait(false);
        var stopping = _stopping.Token;
        _loops = [Workers.RunAsync(stopping), Scheduler.RunAsync(stopping), _store.RunHealthReportsAsync(stopping), Proving.RunAsync(stopping), BackupLoopAsync(Options.DatabaseBackupInterval, stopping)];
        await Pipeline.ResumeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the background loops (heartbeats, scheduling, the sealing pipeline, proving) and waits for them; the API keeps serving.</summary>
    public async Task StopLoopsAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
    }

    /// <summary>Stops the loops, then the sector pipeline and the proving service (the host does this when it begins to stop).</summary>
    public async Task StopAsync()
    {
        if (_loopsStopped || !IsOpen)
        {
            return;
        }

        _loopsStopped = true;
        await StopLoopsAsync().ConfigureAwait(false);
        await Pipeline.DisposeAsync().ConfigureAwait(false);
        await Proving.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <c>&lt;name&gt;.sqlite.bak</c> of every miner database with SQLite's online backup API (safe while the
    /// miner writes); a database that fails its check keeps its previous backup and is logged.
    /// </summary>
    public async Task BackupDatabasesAsync(CancellationToken cancellationToken)
    {
        foreach (var name in MinerDatabases.Names)
        {
            var path = Repo.Database(name);
            try
            {
                await Kiln.Stores.Sqlite.SqliteFiles.BackupAsync(path, MinerDatabases.RestoreHint(path), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or Kiln.Stores.StoresException)
            {
                Log.BackupFailed(_log, path, e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (IsOpen)
        {
            await StopAsync().ConfigureAwait(false);
            await Jobs.DisposeAsync().ConfigureAwait(false);
            await Works.DisposeAsync().ConfigureAwait(false);
            _index!.Dispose();
            // A clean shutdown leaves a backup of every database beside it (kiln-miner db restore <name>).
            await BackupDatabasesAsync(CancellationToken.None).ConfigureAwait(false);
            _exporter!.Dispose();
            IsOpen = false;
        }

        _stopping.Dispose();
    }

    /// <summary>Lotus's API multiaddr of an HTTP origin: <c>/ip4/127.0.0.1/tcp/2345/http</c>, <c>/ip6/::1/...</c> or <c>/dns/host/...</c>.</summary>
    public static string Multiaddr(Uri origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var host = origin.Host.Trim('[', ']');
        var protocol = IPAddress.TryParse(host, out var ip) ? ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "ip4" : "dns";
        return string.Create(CultureInfo.InvariantCulture, $"/{protocol}/{host}/tcp/{origin.Port}/http");
    }

    private async Task BackupLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await BackupDatabasesAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The origin a server that reports no address (TestServer) is reached at; also the store's URL until the server binds.</summary>
    internal static readonly Uri InProcessOrigin = new("http://localhost/");

    private static InvalidOperationException NotOpen() =>
        new("the miner is not open: call MapKilnMinerAsync on the application before starting it");

    private static partial class Log
    {
        [LoggerMessage(EventId = 6903, EventName = "SectorIndexInPostgres", Level = LogLevel.Warning, Message = "miner f0{Actor}: the sector index is in PostgreSQL (--db); the sealing pipeline, work store, job tracker, PoSt history and worker registry stay in this repo's SQLite files, so one kiln-miner process serves this database (several kiln-miners on one database are not supported yet)")]
        public static partial void DatabaseInPostgres(ILogger logger, ulong actor);

        [LoggerMessage(EventId = 6900, EventName = "DatabaseBackupFailed", Level = LogLevel.Warning, Message = "backing up {File} failed: {Error}; its previous backup is kept")]
        public static partial void BackupFailed(ILogger logger, string file, string error);

        [LoggerMessage(EventId = 6901, EventName = "MinerListening", Level = LogLevel.Information, Message = "kiln-miner {Actor} listening on {Url} (recorded in {ApiFile})")]
        public static partial void Listening(ILogger logger, string actor, Uri url, string apiFile);

        [LoggerMessage(EventId = 6902, EventName = "DevnetSealingPace", Level = LogLevel.Information, Message = "devnet chain: batch waits and retry cooldown left at Lotus's defaults are paced to the devnet's epochs (pre-commit batch wait {PreCommitWait}, commit batch wait {CommitWait}, retry cooldown {Cooldown})")]
        public static partial void DevnetPace(ILogger logger, TimeSpan preCommitWait, TimeSpan commitWait, TimeSpan cooldown);
    }
}
