using Kiln.Stores.PoSt;
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
    private ProvingService(ProvingOptions options, ulong minerId, PoStScheduler window, PoStScheduler winning, WindowPoStProver windowProver, WinningPoStProver winningProver, IChain chain, PoStHistory history, ProvingLoop loop, SectorPipeline pipeline, IVanillaSource vanillas)
    {
        _vanillas = vanillas;
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

    private readonly IVanillaSource _vanillas;

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
        var loop = new ProvingLoop(
            chain,
            c => ProvingSectorsAsync(pipeline, c),
            windowProver,
            winningProver,
            history,
            options,
            miner.ActorId,
            time,
            loggers.CreateLogger<ProvingLoop>());
        loop.Mining = options.EnableMining && chain is FullNodeChain ? new Mining.MiningLoop(chain, winningProver, new Mining.MiningOptions(), miner.ActorId, time, loggers.CreateLogger<Mining.MiningLoop>(), jobs) : null;
        return new ProvingService(options, miner.ActorId, window, winning, windowProver, winningProver, chain, history, loop, pipeline, vanillas);
    }

    /// <summary>
    /// Lotus storage/sealer/faults.go CheckProvable, for <c>proving check</c>: each of <paramref name="sectors"/> is bad
    /// (with the reason) unless kiln-miner proves it (it is Proving, with its sealed CID) and its vanilla proof for fresh
    /// random challenges reads within <see cref="ProvingOptions.SingleCheckTimeout"/>, through the same readers a Window
    /// PoSt uses (local paths, else a holder's <c>/remote/vanilla/single</c>), at most
    /// <see cref="ProvingOptions.ParallelCheckLimit"/> at once. The bad ones, by number.
    /// </summary>
    public async Task<IReadOnlyDictionary<ulong, string>> CheckProvableAsync(IReadOnlyCollection<ulong> sectors, CancellationToken ct) =>
        await CheckProvableAsync(sectors, await ProvingSectorsAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    /// <summary><see cref="CheckProvableAsync(IReadOnlyCollection{ulong}, CancellationToken)"/> against <paramref name="held"/>, the sectors this miner proves.</summary>
    public async Task<IReadOnlyDictionary<ulong, string>> CheckProvableAsync(IReadOnlyCollection<ulong> sectors, IReadOnlyList<ProvingSector> held, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sectors);
        ArgumentNullException.ThrowIfNull(held);
        var known = held.DistinctBy(s => s.Number).ToDictionary(s => s.Number);
        var randomness = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        randomness[31] &= 0x3f; // a field element, as a chain's PoSt randomness is once masked
        var bad = new System.Collections.Concurrent.ConcurrentDictionary<ulong, string>();
        using var gate = new SemaphoreSlim(Options.ParallelCheckLimit);
        await Task.WhenAll(sectors.Distinct().Select(async n =>
        {
            if (!known.TryGetValue(n, out var sector))
            {
                bad[n] = "not a Proving sector of this miner: kiln-miner holds no sealed CID for it";
                return;
            }

            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var proof = PoStInputs.ProofFor([sector], Kiln.Proofs.PoSt.PoStType.Window);
                var challenge = PoStInputs.Challenges(proof, randomness, [sector]).Single();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(Options.SingleCheckTimeout);
                var vanilla = await _vanillas.ReadAsync(MinerId, proof.Proof, challenge, timeout.Token).ConfigureAwait(false);
                if (vanilla is not { Length: > 0 })
                {
                    bad[n] = "its vanilla proof came back empty";
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                bad[n] = $"reading its vanilla proof took longer than {Options.SingleCheckTimeout}";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                bad[n] = e.Message;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return bad;
    }

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
