using System.Net;
using System.Threading.Channels;
using Kiln.Api.Auth;
using Kiln.Miner;
using Kiln.Miner.Jobs;
using Kiln.Miner.Repo;
using Kiln.Miner.Workers;
using Kiln.Proofs.Sdr;
using Kiln.Testing;
using Kiln.Worker.Calls;
using Kiln.Worker.Run;

namespace Kiln.Cluster.Tests;

/// <summary>A kiln-miner and a kiln-worker on loopback ports with repos in a temporary directory; either can be restarted.</summary>
public sealed class ClusterFixture : IAsyncDisposable
{
    public static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(200);

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-cluster-").FullName;
    private int _minerPort;
    private bool _minerRunning;

    public MinerHost Miner { get; private set; } = null!;

    private readonly MinerOptions _minerOptions = new();

    /// <summary>
    /// The miner's options: while it runs, the ones it reads (tests about PC1 alone hold sectors at PreCommit2 by
    /// setting them); while it is stopped, the ones its next start copies.
    /// </summary>
    public MinerOptions MinerOptions => _minerRunning ? Miner.Miner.Options : _minerOptions;

    /// <summary>The miner's heartbeat settings (null: the defaults).</summary>
    public Kiln.Miner.Workers.WorkerRegistryOptions? RegistryOptions { get; set; }

    public WorkerHost? Worker { get; private set; }

    public string MinerRepoPath => Path.Combine(_dir, "miner");

    public string WorkerRepoPath => Path.Combine(_dir, "worker");

    public const string WorkerName = "cluster-worker";

    public async Task StartMinerAsync()
    {
        Miner = await MinerHost.StartAsync(
            MinerRepo.Open(MinerRepoPath), _minerOptions, new IPEndPoint(IPAddress.Loopback, _minerPort), TimeProvider.System, CancellationToken.None, workerOptions: RegistryOptions);
        _minerPort = Miner.RpcUrl.Port;
        _minerRunning = true;
    }

    public async Task StopMinerAsync()
    {
        _minerOptions.CopyFrom(Miner.Miner.Options);
        _minerRunning = false;
        await Miner.DisposeAsync();
    }

    public WorkerOptions WorkerOptions() => new()
    {
        Listen = "127.0.0.1:0",
        Name = WorkerName,
        RepoPath = WorkerRepoPath,
        SessionPollInterval = Fast,
        ReturnRetryInterval = Fast,
        HealthInterval = TimeSpan.FromSeconds(1),
        Snark = new Kiln.Proofs.Snark.SnarkProverOptions { UseInsecureTestProofs = true },
    };

    public async Task StartWorkerAsync(Action<WorkerOptions>? configure = null)
    {
        var info = new ApiInfo(Miner.Repo.ReadToken(), $"/ip4/127.0.0.1/tcp/{_minerPort}/http");
        var options = WorkerOptions();
        configure?.Invoke(options);
        Worker = await WorkerHost.StartAsync(
            options,
            info,
            new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") },
            _ => null,
            TimeProvider.System,
            CancellationToken.None);
    }

    public async Task StopWorkerAsync()
    {
        if (Worker is not null)
        {
            await Worker.DisposeAsync();
            Worker = null;
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds over the miner's workers: checked now, then again each time a
    /// worker connects, is disabled or enabled again, or is removed (the registry's own events), failing after 60 s
    /// (worker processes start slowly on a loaded host; the bound costs nothing when they do not).
    /// </summary>
    public static async Task WorkersAsync(WorkerRegistry registry, Func<IReadOnlyCollection<WorkerHandle>, bool> condition, string what)
    {
        // A channel, not a semaphore: a handler that runs after the wait ended must not touch anything disposed.
        var changed = Channel.CreateUnbounded<WorkerHandle>();
        void Changed(WorkerHandle w) => changed.Writer.TryWrite(w);
        registry.Connected += Changed;
        registry.EnabledChanged += Changed;
        registry.Removed += Changed;
        try
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!condition(registry.Workers))
            {
                try
                {
                    await changed.Reader.ReadAsync(patience.Token);
                }
                catch (OperationCanceledException) when (patience.IsCancellationRequested)
                {
                    Assert.Fail("timed out waiting for " + what);
                }
            }
        }
        finally
        {
            registry.Connected -= Changed;
            registry.EnabledChanged -= Changed;
            registry.Removed -= Changed;
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds over the miner's jobs: checked now, then again each time the
    /// tracker writes a job row (a task started or finished, its metrics recorded), failing after 20 s.
    /// </summary>
    public static Task JobsAsync(JobTracker jobs, Func<Task<bool>> condition, string what) =>
        EventWait.UntilAsync(h => jobs.Changed += h, h => jobs.Changed -= h, condition, what);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds over a worker's call journal: checked now, then again each time a
    /// call is recorded, finished or acknowledged, failing after 20 s.
    /// </summary>
    public static Task CallsAsync(CallTracker calls, Func<Task<bool>> condition, string what) =>
        EventWait.UntilAsync(h => calls.Changed += h, h => calls.Changed -= h, condition, what);

    public async ValueTask DisposeAsync()
    {
        await StopWorkerAsync();
        if (_minerRunning)
        {
            await StopMinerAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
