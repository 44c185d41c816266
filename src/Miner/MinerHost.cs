using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Api.Metrics;
using Kiln.Api.Types;
using Kiln.Miner.Calls;
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
using Kiln.Stores.Remote;

namespace Kiln.Miner;

/// <summary>
/// kiln-miner's process: Kestrel serving <c>/rpc/v0</c> (Lotus JSON-RPC over HTTP and WebSocket,
/// Lotus tokens), the sector index in SQLite, the worker registry with its Session heartbeat, and
/// the job tracker — all state under the repo directory.
/// </summary>
public sealed partial class MinerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SqliteSectorIndex _index;
    private readonly PrometheusExporter _exporter;
    private readonly CancellationTokenSource _stopping = new();
    private Task[] _loops = [];
    private ILogger _log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    private MinerHost(WebApplication app, SqliteSectorIndex index, WorkStore works, JobTracker jobs, MinerApi api, WorkerRegistry workers, MinerRepo repo, SealingScheduler scheduler, SealingManager sealing, SectorPipeline pipeline, ProvingService proving, PrometheusExporter exporter)
    {
        Sealing = sealing;
        _exporter = exporter;
        Proving = proving;
        _app = app;
        _index = index;
        Works = works;
        Jobs = jobs;
        Api = api;
        Workers = workers;
        Repo = repo;
        Scheduler = scheduler;
        Pipeline = pipeline;
    }

    public SealingScheduler Scheduler { get; }

    /// <summary>The sealing calls the pipeline makes (scheduled on workers, persisted works resumed).</summary>
    public SealingManager Sealing { get; }

    /// <summary>PoSt schedulers, provers, the devnet chain clock and the proving loop.</summary>
    public ProvingService Proving { get; }

    public SectorPipeline Pipeline { get; }

    public MinerRepo Repo { get; }

    public MinerApi Api { get; }

    public WorkerRegistry Workers { get; }

    public JobTracker Jobs { get; }

    /// <summary>The persisted works (calls a restarted miner still waits for).</summary>
    public WorkStore Works { get; }

    /// <summary>The URL workers and CLIs dial, e.g. http://127.0.0.1:2345/rpc/v0.</summary>
    public Uri RpcUrl { get; private set; } = null!;

    public static async Task<MinerHost> StartAsync(MinerRepo repo, MinerOptions options, IPEndPoint listen, TimeProvider time, CancellationToken cancellationToken, LogLevel logLevel = LogLevel.Information, WorkerRegistryOptions? workerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen));
        builder.Logging.SetMinimumLevel(logLevel);
        // ASP.NET Core's per-request lines print URLs with their query strings: Warning unless the operator configures
        // Microsoft.AspNetCore, and the request-line category (Hosting.Diagnostics) at Warning always, as on kiln-worker.
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
        {
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        // Created before any instrument, so /debug/metrics counts from the start; the host's meter factory scopes Kiln.Miner to this host.
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        var exporter = new PrometheusExporter(new PrometheusExporterOptions { Scope = meters });
        var metrics = new MinerMetrics(meters);

        var index = await SqliteSectorIndex.OpenAsync(repo.Database("index"), time, cancellationToken).ConfigureAwait(false);
        var jobs = await JobTracker.OpenAsync(
            new JobTrackerOptions
            {
                DatabasePath = repo.Database("jobs"),
                LogDirectory = Environment.GetEnvironmentVariable(JobTrackerOptions.LogPathVariable) ?? repo.Path,
            },
            time,
            metrics,
            cancellationToken).ConfigureAwait(false);

        var works = await WorkStore.OpenAsync(repo.Database("works"), time, cancellationToken).ConfigureAwait(false);
        var awaited = (await works.ListAsync(cancellationToken).ConfigureAwait(false)).Where(w => w.Call is not null).Select(w => w.Call!.Value.ID).ToList();
        await jobs.AbortOrphansAsync(awaited, cancellationToken).ConfigureAwait(false);

        var adminToken = repo.Secret.CreateToken([Permission.Admin]);
        var workers = new WorkerRegistry(
            url => RpcClient.Create(new Uri(url), new RpcClientOptions { Token = adminToken }).CreateProxy<IWorkerApi>(),
            workerOptions ?? new WorkerRegistryOptions(),
            time,
            loggers.CreateLogger<WorkerRegistry>());
        metrics.Observe(workers);
        var calls = new CallRegistry();
        void GiveUp(WorkerHandle w, string why) =>
            calls.FailWorker(w.Id, new CallError(CallError.ErrTempWorkerRestart, $"worker {w.Id} on {w.Info.Hostname} {why}"));
        workers.Lost += w => GiveUp(w, "lost (no heartbeat)");
        workers.Removed += w =>
        {
            if (!w.LostReported)
            {
                GiveUp(w, "restarted or shut down");
            }
        };
        // The miner's own storage paths (lotus-miner storage attach): declared into its own index, served on /remote.
        // (The URL gets its real port once Kestrel has bound, before any path is opened.)
        var storeOptions = new LocalStoreOptions { StorageConfigFile = repo.StorageConfigFile, Urls = [RemoteUrl(listen.Address, listen.Port)] };
        var store = new LocalStore(index, storeOptions, time, loggers.CreateLogger<LocalStore>());
        var locks = new Kiln.Stores.Locks.SectorLockTable(); // held by the sealing tasks, shown and tried through the API
        var scheduler = new SealingScheduler(workers, time, loggers.CreateLogger<SealingScheduler>(), options.Scheduling, metrics);
        var sealing = new SealingManager(scheduler, calls, works, jobs, index, options.SectorBytes, loggers.CreateLogger<SealingManager>(), locks);
        var api = new MinerApi(options, repo.Secret, workers, calls, works, index, store, loggers.CreateLogger<MinerApi>(), sealing, locks);
        var pipeline = await SectorPipeline.OpenAsync(repo.Database("sectors"), options, sealing, new DevnetChain(DevnetChain.DefaultSeed), index, time, loggers.CreateLogger<SectorPipeline>(), cancellationToken).ConfigureAwait(false);

        var proving = await ProvingService.OpenAsync(repo.Database("deadlines"), options, workers, pipeline, store, index, adminToken, jobs, time, loggers, metrics, cancellationToken).ConfigureAwait(false);

        app.UseWebSockets();
        var kiln = new KilnMinerApi(pipeline, jobs, proving);
        var rpc = new RpcServerBuilder().Register<IMinerStorageApi>(api).Register<IKilnMinerApi>(kiln).Build();
        var auth = LotusAuthenticator.FromSecret(repo.Secret);
        app.MapLotusRpc("/rpc/v0", rpc, auth);
        app.MapDebugMetrics(exporter);
        app.MapDashboard(new Dashboard(workers, api, kiln, pipeline, time), auth);
        app.MapRemoteStore(
            store,
            index,
            async (http, _) => await auth.AuthenticateAsync(http).ConfigureAwait(false) is { } perms && perms.Contains(Permission.Admin),
            "unauthorized: missing write permission");
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var host = new MinerHost(app, index, works, jobs, api, workers, repo, scheduler, sealing, pipeline, proving, exporter);
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        var bound = new Uri(addresses.First());
        host.RpcUrl = new Uri($"http://{listen.Address}:{bound.Port}/rpc/v0");
        repo.WriteApi(string.Create(CultureInfo.InvariantCulture, $"/ip4/{listen.Address}/tcp/{bound.Port}/http"));
        storeOptions.Urls = [RemoteUrl(listen.Address, bound.Port)];
        await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        host._log = loggers.CreateLogger<MinerHost>();
        host._loops = [workers.RunAsync(host._stopping.Token), scheduler.RunAsync(host._stopping.Token), store.RunHealthReportsAsync(host._stopping.Token), proving.RunAsync(host._stopping.Token), host.BackupLoopAsync(options.DatabaseBackupInterval, time, host._stopping.Token)];
        await pipeline.ResumeAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    /// <summary>
    /// Writes <c>&lt;name&gt;.sqlite.bak</c> of every miner database with SQLite's online backup API (safe while the
    /// miner writes); a database that fails its check keeps its previous backup and is logged.
    /// </summary>
    public async Task BackupDatabasesAsync(CancellationToken cancellationToken)
    {
        foreach (var name in Storage.SqliteDatabase.MinerDatabases)
        {
            var path = Repo.Database(name);
            try
            {
                await Kiln.Stores.Sqlite.SqliteFiles.BackupAsync(path, Storage.SqliteDatabase.RestoreHint(path), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or Kiln.Stores.StoresException)
            {
                LogBackupFailed(_log, path, e.Message);
            }
        }
    }

    private async Task BackupLoopAsync(TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
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

    [LoggerMessage(260, LogLevel.Warning, "backing up {File} failed: {Error}; its previous backup is kept")]
    private static partial void LogBackupFailed(ILogger logger, string file, string error);

    private static string RemoteUrl(IPAddress address, int port) => string.Create(CultureInfo.InvariantCulture, $"http://{address}:{port}/remote");

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Cancelled when the process is told to stop (SIGINT, SIGTERM reach it through the host's console lifetime).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>Stops the background loops (heartbeats, scheduling, the sealing pipeline, proving) and waits for them; the API keeps serving.</summary>
    public async Task StopLoopsAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopsAsync().ConfigureAwait(false);
        await Pipeline.DisposeAsync().ConfigureAwait(false);
        await Proving.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await Jobs.DisposeAsync().ConfigureAwait(false);
        await Works.DisposeAsync().ConfigureAwait(false);
        _index.Dispose();
        // A clean shutdown leaves a backup of every database beside it (kiln-miner db restore <name>).
        await BackupDatabasesAsync(CancellationToken.None).ConfigureAwait(false);
        _exporter.Dispose();
        _stopping.Dispose();
    }
}
