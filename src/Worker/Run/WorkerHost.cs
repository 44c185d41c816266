using System.Net;
using System.Net.Sockets;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Proofs.Memory;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Sdr.Pool;
using Kiln.Stores.Local;
using Kiln.Worker.Calls;
using Kiln.Worker.Rpc;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Kiln.Worker.Run;

/// <summary>
/// kiln-worker's process (lotus: cli/worker/worker.go <c>runCmd</c>): a web host with the worker composed by
/// <see cref="KilnWorkerExtensions.AddKilnWorker"/> and served by <see cref="KilnWorkerExtensions.MapKilnWorker"/>,
/// listening where <c>--listen</c> says (port 0: a port the system picks, read back once bound and announced to the
/// miner), re-registering when the miner's Session changes, moving to the next of several miners when the current
/// one is gone (<see cref="MinerFailover"/>), and stopping after <c>Shutdown</c>'s grace.
/// </summary>
public sealed partial class WorkerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly KilnWorker _worker;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private readonly TimeSpan _shutdownGrace;
    private Task? _grace;
    private readonly List<Task> _loops = [];
    private readonly ILogger _log;
    private bool _disposed;

    private WorkerHost(WebApplication app, KilnWorker worker, ILogger log, TimeSpan shutdownGrace, TimeProvider time)
    {
        _time = time;
        _shutdownGrace = shutdownGrace;
        _app = app;
        _worker = worker;
        _log = log;
        worker.Api.ShutdownRequested += () =>
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

    public WorkerApi Api => _worker.Api;

    /// <summary>Runs the calls, with their journal and the deliveries of their results.</summary>
    public CallRunner Calls => _worker.Calls;

    public LocalStore Store => _worker.Store;

    public IMinerStorageApi Miner => _worker.Miner;

    /// <summary>The miners the worker may serve, and which one it talks to now.</summary>
    public MinerFailover Miners => _worker.Miners;

    public WorkerRepo Repo => _worker.Repo;

    /// <summary>The NUMA hugepage memory files found at start (<c>HUGEPAGE_FILES_PATH(_PATTERN)</c>), or null when none are configured.</summary>
    public HugepageFiles? MemoryFiles => _worker.MemoryFiles;

    /// <summary>The label pool PC1 jobs share, when one is configured (<c>MEM_POOL_SIZE</c>, <c>FIL_PROOFS_P1_TASKS</c>).</summary>
    public LabelPool? Pool => _worker.Pool;

    /// <summary>Batches PC1 jobs that start together (<c>KILN_PC1_BATCH</c> &gt; 1, no pool).</summary>
    public LabelBatcher? Batcher => _worker.Batcher;

    /// <summary>The URL given to the miner in <c>WorkerConnect</c> (<c>http://ip:port/rpc/v0</c>, with the port the server bound).</summary>
    public string RpcUrl => _worker.RpcUrl;

    /// <summary>Completes when a client calls <c>Shutdown</c> or the process is told to stop (SIGINT, SIGTERM).</summary>
    public Task ShutdownRequested => _shutdown.Task;

    /// <summary>
    /// Completes when the process should exit: at once on SIGINT/SIGTERM; <see cref="WorkerOptions.ShutdownGrace"/>
    /// after <c>Shutdown</c>, during which the worker keeps serving with a nil session so that the miner unregisters it
    /// at its next heartbeat (Lotus runCmd: 20 s, then srv.Shutdown).
    /// </summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Builds, serves and registers the worker; see <see cref="KilnWorker"/>.</summary>
    /// <exception cref="OptionsValidationException">A bad option, with the flag's message.</exception>
    public static Task<WorkerHost> StartAsync(
        WorkerOptions options,
        ApiInfo minerInfo,
        ParentCacheOptions parentCache,
        Func<string, string?> environment,
        TimeProvider time,
        CancellationToken ct) =>
        StartAsync(options, new KilnWorkerConnection(minerInfo, parentCache, environment), time, services: null, ct);

    /// <summary>
    /// Builds, serves and registers the worker with the first of <paramref name="miners"/> that answers, moving to the
    /// next when it is gone (see <see cref="MinerFailover"/>).
    /// </summary>
    /// <exception cref="OptionsValidationException">A bad option, with the flag's message.</exception>
    public static Task<WorkerHost> StartAsync(
        WorkerOptions options,
        IReadOnlyList<ApiInfo> miners,
        ParentCacheOptions parentCache,
        Func<string, string?> environment,
        TimeProvider time,
        CancellationToken ct) =>
        StartAsync(options, new KilnWorkerConnection(miners, parentCache, environment), time, services: null, ct);

    /// <summary>
    /// Builds, serves and registers the worker; <paramref name="services"/> may register replacements first (an
    /// <see cref="IMinerStorageApi"/> in place of the JSON-RPC client, as tests do).
    /// </summary>
    /// <exception cref="OptionsValidationException">A bad option, with the flag's message.</exception>
    public static async Task<WorkerHost> StartAsync(
        WorkerOptions options,
        KilnWorkerConnection connection,
        TimeProvider time,
        Action<IServiceCollection>? services,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(time);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton(time);
        services?.Invoke(builder.Services);
        builder.Services.AddKilnWorker(connection, options.CopyTo);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var app = builder.Build();
        try
        {
            var worker = app.Services.GetRequiredService<KilnWorker>();
            await worker.PrepareAsync(ct).ConfigureAwait(false);
            // Kestrel binds its listen options when it starts: the address is known only now (for 0.0.0.0, the one
            // routable to the miner); port 0 stays 0 here and the server picks one.
            var kestrel = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
            kestrel.Listen(worker.ListenEndPoint);
            // --http-server-timeout: Lotus's http.Server ReadHeaderTimeout; zero is no limit there.
            var timeout = worker.Options.HttpServerTimeout;
            kestrel.Limits.RequestHeadersTimeout = timeout > TimeSpan.Zero ? timeout : System.Threading.Timeout.InfiniteTimeSpan;
            app.MapKilnWorker();
            await app.StartAsync(ct).ConfigureAwait(false);
            var bound = BoundEndPoint(app, worker.ListenEndPoint);
            var workerHost = new WorkerHost(app, worker, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<WorkerHost>(), worker.Options.ShutdownGrace, time);
            var session = await worker.ConnectAsync(bound, ct).ConfigureAwait(false);
            workerHost._loops.Add(workerHost.WatchMinerSessionAsync(session, worker.Options.SessionPollInterval, time));
            workerHost._loops.Add(worker.Store.RunHealthReportsAsync(workerHost._stopping.Token));
            return workerHost;
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
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
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Api.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops.Append(Volatile.Read(ref _grace) ?? Task.CompletedTask)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loops end by cancellation.
        }

        await _app.StopAsync().ConfigureAwait(false);
        // The container disposes the KilnWorker it built: the call journal (backed up), the exporter, the label pool.
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>
    /// Every interval, checks the miner's Session; a new one (miner restarted) means redeclare storage and register again.
    /// With several miners, a failed check means the current one is gone: the worker moves to the next that answers.
    /// </summary>
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
                await Task.Delay(interval, time, ct).ConfigureAwait(false);
                Guid current;
                try
                {
                    current = await CheckSessionAsync(interval, time, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (!ct.IsCancellationRequested && _worker.Miners.Count > 1)
                {
                    // One of several miners is gone: register with the next that answers; none answering, keep checking this one.
                    LogSessionCheckFailed(_log, e.Message);
                    var moved = await _worker.MoveToNextMinerAsync($"checking its session failed: {e.Message}", interval, ct).ConfigureAwait(false);
                    if (moved is not { } next)
                    {
                        unreachable = true;
                        continue;
                    }

                    session = next;
                    unreachable = false;
                    lastAnswer = time.GetTimestamp();
                    Interlocked.Exchange(ref lastHeartbeat, time.GetTimestamp());
                    continue;
                }

                if (current == session)
                {
                    // The miner removes a worker it could not reach for its LostAfter. After a failed check, a gap (the
                    // process was stopped or starved), or no heartbeat from the miner for three of our intervals (it gave
                    // this busy worker up), register again: a no-op when the miner still knows this session, as Lotus's
                    // runWorker ignores a worker it already handles.
                    if (unreachable || time.GetElapsedTime(lastAnswer) > interval * 3 || time.GetElapsedTime(Interlocked.Read(ref lastHeartbeat)) > interval * 3)
                    {
                        await _worker.ReconnectAsync(redeclare: false, ct).ConfigureAwait(false);
                        Interlocked.Exchange(ref lastHeartbeat, time.GetTimestamp());
                        unreachable = false;
                    }

                    lastAnswer = time.GetTimestamp();
                    continue;
                }

                LogMinerRestarted(_log, session, current);
                await _worker.ReconnectAsync(redeclare: true, ct).ConfigureAwait(false);
                session = current;
                unreachable = false;
                lastAnswer = time.GetTimestamp();
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

    /// <summary>
    /// The current miner's Session. With several miners the check is bounded by <paramref name="timeout"/>, so that a
    /// miner that accepts connections but no longer answers (stopped, partitioned) counts as gone.
    /// </summary>
    private async Task<Guid> CheckSessionAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        if (_worker.Miners.Count == 1)
        {
            return await Miner.SessionAsync(ct).ConfigureAwait(false);
        }

        using var bounded = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(bounded.Token, ct);
        try
        {
            return await Miner.SessionAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the miner at {_worker.Miners.CurrentAddress} did not answer Session within {timeout}");
        }
    }

    /// <summary>Lotus runCmd's last goroutine: after Shutdown, serve (with a nil session) for the grace, then stop.</summary>
    private async Task StopAfterGraceAsync()
    {
        LogShuttingDownAfter(_log, _shutdownGrace);
        try
        {
            await Task.Delay(_shutdownGrace, _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposed first: stop now.
        }

        _stopped.TrySetResult();
    }

    /// <summary>A free port on <paramref name="ip"/> for benches and tests that need one before their server starts (the worker itself binds port 0).</summary>
    internal static int FreePort(IPAddress ip)
    {
        using var listener = new TcpListener(ip, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The address the server bound for <paramref name="listen"/> (with port 0, the port the system picked).</summary>
    private static IPEndPoint BoundEndPoint(WebApplication app, IPEndPoint listen)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.SingleOrDefault()
            ?? throw new InvalidOperationException($"the worker API server reports no address for --listen {listen}");
        return new IPEndPoint(listen.Address, new Uri(address).Port);
    }

    [LoggerMessage(EventId = 7014, EventName = "MinerRestarted", Level = LogLevel.Warning, Message = "LOTUS-MINER CONNECTION LOST: miner session changed from {Old} to {New}; redeclaring storage and registering again")]
    private static partial void LogMinerRestarted(ILogger log, Guid old, Guid @new);

    [LoggerMessage(EventId = 7015, EventName = "SessionCheckFailed", Level = LogLevel.Warning, Message = "Checking the miner session failed: {Error}")]
    private static partial void LogSessionCheckFailed(ILogger log, string error);

    [LoggerMessage(EventId = 7016, EventName = "ShuttingDownAfter", Level = LogLevel.Warning, Message = "Shutdown requested: serving with a nil session for {Grace} so the miner unregisters this worker, then stopping")]
    private static partial void LogShuttingDownAfter(ILogger log, TimeSpan grace);
}
