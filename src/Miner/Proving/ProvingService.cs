using Kiln.Miner.Chain;
using Kiln.Miner.Jobs;
using Kiln.Miner.Sealing;
using Kiln.Miner.Workers;
using Kiln.Proofs.Snark;
using Kiln.Stores.Local;

namespace Kiln.Miner.Proving;

/// <summary>
/// The miner's proving side as one unit: the window and winning PoSt schedulers fed by the worker registry, the
/// provers, the miner's chain (a Lotus full node or the in-process devnet chain, shared with sealing), the PoSt history and the proving loop (run only
/// when <see cref="ProvingOptions.Enabled"/>).
/// </summary>
public sealed class ProvingService : IAsyncDisposable
{
    private ProvingService(ProvingOptions options, ulong minerId, PoStScheduler window, PoStScheduler winning, WindowPoStProver windowProver, WinningPoStProver winningProver, IChain chain, PoStHistory history, ProvingLoop loop, SectorPipeline pipeline, SectorChecker checker)
    {
        Checker = checker;
        Options = options;
        MinerId = minerId;
        WindowScheduler = window;
        WinningScheduler = winning;
        WindowProver = windowProver;
        WinningProver = winningProver;
        Chain = chain;
        History = history;
        Loop = loop;
        Pipeline = pipeline;
    }

    /// <summary>One connection pool for the vanilla reads of every miner in the process.</summary>
    private static readonly HttpClient VanillaHttp = new();

    public ProvingOptions Options { get; }

    /// <summary>The miner actor this service proves for.</summary>
    public ulong MinerId { get; }

    public PoStScheduler WindowScheduler { get; }

    public PoStScheduler WinningScheduler { get; }

    /// <summary>The Window PoSt prover the loop uses (its scheduler, vanilla source and job tracker): proves any sector list on demand.</summary>
    public WindowPoStProver WindowProver { get; }

    /// <summary>The Winning PoSt prover the loop uses.</summary>
    public WinningPoStProver WinningProver { get; }

    public IChain Chain { get; }

    /// <summary>Every deadline's last outcome and the steps of each proof: what the CLI, dashboard and RPC show.</summary>
    public PoStHistory History { get; }

    public ProvingLoop Loop { get; }

    private SectorPipeline Pipeline { get; }

    public static async Task<ProvingService> OpenAsync(
        string databasePath,
        MinerOptions miner,
        WorkerRegistry registry,
        SectorPipeline pipeline,
        LocalStore store,
        Kiln.Stores.Index.ISectorIndex index,
        string authToken,
        JobTracker jobs,
        IChain chain,
        TimeProvider time,
        ILoggerFactory loggers,
        MinerMetrics? metrics,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(miner);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(chain);
        var options = miner.Proving;
        var window = new PoStScheduler(WorkerKind.WindowPoSt, time, loggers.CreateLogger<PoStScheduler>(), options.MaxPartitionsPerWorker);
        var winning = new PoStScheduler(WorkerKind.WinningPoSt, time, loggers.CreateLogger<PoStScheduler>(), options.MaxPartitionsPerWorker);
        window.Attach(registry);
        winning.Attach(registry);
        var prover = SnarkProverFactory.Create(options.Snark);
        var vanillas = new Kiln.Stores.Remote.VanillaProofReader(store, index, VanillaHttp, new Kiln.Stores.Remote.VanillaReaderOptions { AuthToken = authToken }, loggers.CreateLogger<Kiln.Stores.Remote.VanillaProofReader>(), metrics?.Stores);
        var history = await PoStHistory.OpenAsync(databasePath, time, ct).ConfigureAwait(false);
        var windowProver = new WindowPoStProver(window, prover, vanillas, options, time, loggers.CreateLogger<WindowPoStProver>(), jobs, metrics, history);
        var winningProver = new WinningPoStProver(winning, prover, vanillas, options, loggers.CreateLogger<WinningPoStProver>(), jobs, time);
        var checker = new SectorChecker(vanillas, options, miner.ActorId);
        var loop = new ProvingLoop(
            chain,
            c => ProvingSectorsAsync(pipeline, c),
            windowProver,
            winningProver,
            history,
            options,
            miner.ActorId,
            time,
            loggers.CreateLogger<ProvingLoop>(),
            checker);
        loop.Mining = options.EnableMining && chain is FullNodeChain ? new Mining.MiningLoop(chain, winningProver, new Mining.MiningOptions(), miner.ActorId, time, loggers.CreateLogger<Mining.MiningLoop>(), jobs) : null;
        return new ProvingService(options, miner.ActorId, window, winning, windowProver, winningProver, chain, history, loop, pipeline, checker);
    }

    /// <summary>
    /// Lotus storage/sealer/faults.go CheckProvable, for <c>proving check</c> (<see cref="SectorChecker"/>): the bad ones
    /// of <paramref name="sectors"/> by number, with why.
    /// </summary>
    public async Task<IReadOnlyDictionary<ulong, string>> CheckProvableAsync(IReadOnlyCollection<ulong> sectors, CancellationToken ct) =>
        await CheckProvableAsync(sectors, await ProvingSectorsAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    /// <summary><see cref="CheckProvableAsync(IReadOnlyCollection{ulong}, CancellationToken)"/> against <paramref name="held"/>, the sectors this miner proves.</summary>
    public Task<IReadOnlyDictionary<ulong, string>> CheckProvableAsync(IReadOnlyCollection<ulong> sectors, IReadOnlyList<ProvingSector> held, CancellationToken ct) =>
        Checker.CheckAsync(sectors, held, ct);

    /// <summary>The sector health check <c>proving check</c> and the fault declarations use.</summary>
    public SectorChecker Checker { get; }

    /// <summary>The sectors in state Proving, with their sealed CIDs.</summary>
    public Task<IReadOnlyList<ProvingSector>> ProvingSectorsAsync(CancellationToken ct) => ProvingSectorsAsync(Pipeline, ct);

    /// <summary>The proving loop when enabled, otherwise a completed task.</summary>
    public Task RunAsync(CancellationToken ct) => Options.Enabled ? Loop.RunAsync(ct) : Task.CompletedTask;

    public ValueTask DisposeAsync() => History.DisposeAsync();

    private static async Task<IReadOnlyList<ProvingSector>> ProvingSectorsAsync(SectorPipeline pipeline, CancellationToken ct) =>
        [.. (await pipeline.ListAsync(ct).ConfigureAwait(false))
            .Where(s => s.State == SectorState.Proving && s.Cids is { Sealed.IsDefined: true })
            .Select(s => new ProvingSector(s.Number, s.Proof, s.Cids!.Value.Sealed))];
}
