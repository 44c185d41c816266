using System.Net;
using Kiln.Miner.Calls;
using Kiln.Miner.Hosting;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Miner.Repo;
using Kiln.Miner.Rpc;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Sealing;
using Kiln.Miner.Workers;

namespace Kiln.Miner;

/// <summary>
/// kiln-miner's process: a Kestrel <see cref="WebApplication"/> listening on one endpoint (port 0 picks a free one)
/// with the miner composed by <see cref="KilnMinerServiceCollectionExtensions.AddKilnMiner"/> and
/// <see cref="KilnMinerEndpointExtensions.MapKilnMinerAsync"/> — all state under the repo directory.
/// </summary>
public sealed class MinerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MinerHost(WebApplication app, KilnMiner miner)
    {
        _app = app;
        Miner = miner;
    }

    /// <summary>The composed miner (its components, loops and endpoints).</summary>
    public KilnMiner Miner { get; }

    public SealingScheduler Scheduler => Miner.Scheduler;

    /// <summary>The sealing calls the pipeline makes (scheduled on workers, persisted works resumed).</summary>
    public SealingManager Sealing => Miner.Sealing;

    /// <summary>PoSt schedulers, provers, the devnet chain clock and the proving loop.</summary>
    public ProvingService Proving => Miner.Proving;

    public SectorPipeline Pipeline => Miner.Pipeline;

    public MinerRepo Repo => Miner.Repo;

    public MinerApi Api => Miner.Api;

    public WorkerRegistry Workers => Miner.Workers;

    public JobTracker Jobs => Miner.Jobs;

    /// <summary>The persisted works (calls a restarted miner still waits for).</summary>
    public WorkStore Works => Miner.Works;

    /// <summary>The URL workers and CLIs dial, e.g. http://127.0.0.1:2345/rpc/v0 (the bound port when started on port 0).</summary>
    public Uri RpcUrl => Miner.RpcUrl;

    /// <summary>Cancelled when the process is told to stop (SIGINT, SIGTERM reach it through the host's console lifetime).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>
    /// Starts a miner on <paramref name="listen"/> (port 0: a free port, reported by <see cref="RpcUrl"/>, the log and the
    /// repo's <c>api</c> file). Invalid options fail with <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>
    /// naming every wrong setting.
    /// </summary>
    public static async Task<MinerHost> StartAsync(MinerRepo repo, MinerOptions options, IPEndPoint listen, TimeProvider time, CancellationToken cancellationToken, LogLevel logLevel = LogLevel.Information, WorkerRegistryOptions? workerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(listen);
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
        builder.Services.AddSingleton(time);
        builder.Services.AddKilnMiner(repo, o =>
        {
            o.CopyFrom(options);
            o.Workers = workerOptions ?? options.Workers;
        });
        var app = builder.Build();
        try
        {
            var miner = await app.MapKilnMinerAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new MinerHost(app, miner);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc cref="KilnMiner.BackupDatabasesAsync"/>
    public Task BackupDatabasesAsync(CancellationToken cancellationToken) => Miner.BackupDatabasesAsync(cancellationToken);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the background loops (heartbeats, scheduling, the sealing pipeline, proving) and waits for them; the API keeps serving.</summary>
    public Task StopLoopsAsync() => Miner.StopLoopsAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
