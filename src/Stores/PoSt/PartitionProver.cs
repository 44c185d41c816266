using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Stores.PoSt;

/// <summary>
/// Proves one Window PoSt partition, or one Winning PoSt, from the sectors the miner challenged: their vanilla proofs
/// read from an <see cref="IVanillaSource"/> with bounded parallelism and a per-sector timeout, unreadable sectors
/// reported as skipped, then one SNARK. The miner's built-in proving and the PoSt worker both prove through it
/// (Lotus storage/sealer/worker_local.go LocalWorker.GenerateWindowPoStAdv and GenerateWinningPoSt, whose SNARK is
/// storage/sealer/ffiwrapper/sealer_cgo.go GenerateWindowPoStWithVanilla).
/// </summary>
public sealed partial class PartitionProver
{
    private readonly IVanillaSource _source;
    private readonly ISnarkProver _prover;
    private readonly PartitionProverOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SemaphoreSlim? _throttle;
    private readonly StoresMetrics? _metrics;

    /// <summary>
    /// A prover reading through <paramref name="source"/> and proving with <paramref name="prover"/>; each vanilla read's
    /// duration and outcome go to <paramref name="metrics"/> (the host's Stores metrics) when given.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> out of range.</exception>
    public PartitionProver(IVanillaSource source, ISnarkProver prover, PartitionProverOptions options, TimeProvider? time = null, ILogger? logger = null, StoresMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(prover);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _source = source;
        _prover = prover;
        _options = options;
        _time = time ?? TimeProvider.System;
        _log = logger ?? NullLogger.Instance;
        _metrics = metrics;
        // int.MaxValue (lotus-worker --post-parallel-reads 0) is no limit.
        _throttle = options.ParallelReads == int.MaxValue ? null : new SemaphoreSlim(options.ParallelReads, options.ParallelReads);
    }

    /// <summary>Lotus's answer when a sector's vanilla proof could not be read: no proof, no error.</summary>
    public static PoStProof EmptyProof { get; } = new(0, null);

    /// <summary>The options this prover reads with.</summary>
    public PartitionProverOptions Options => _options;

    /// <summary>
    /// One proof partition of a window PoSt batch (Lotus LocalWorker.GenerateWindowPoSt): vanilla proofs read as
    /// <see cref="ReadVanillasAsync"/> reads them; if any sector cannot be read, <see cref="EmptyProof"/>
    /// and the unread sectors in <c>Skipped</c>; otherwise the partition's SNARK and <c>Skipped</c> null. Either way
    /// <c>KilnTimings</c> says how long the reads and the SNARK took.
    /// </summary>
    /// <param name="proofType">The window PoSt proof of the sectors' size.</param>
    /// <param name="minerId">The miner actor the sectors belong to.</param>
    /// <param name="sectors">The partition's sectors with the challenges the miner derived.</param>
    /// <param name="partitionIndex">The partition's index within the batch.</param>
    /// <param name="randomness">The chain's 32 bytes; made a field element here (<see cref="Kiln.Proofs.PoSt.PoStRandomness"/>).</param>
    /// <param name="ct">Ends the reads and the SNARK wait.</param>
    /// <exception cref="PoStFaultySectorsException">The SNARK step found faulty vanilla proofs; they are named.</exception>
    /// <exception cref="ProofsException">The SNARK step failed.</exception>
    /// <exception cref="ArgumentException">Randomness not 32 bytes, an unknown proof type.</exception>
    public async Task<WindowPoStResult> GenerateWindowPoStAsync(
        RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, int partitionIndex, ReadOnlyMemory<byte> randomness, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sectors);
        var r = Kiln.Proofs.PoSt.PoStRandomness.ToFieldElement(randomness.Span);
        var started = _time.GetTimestamp();
        var read = await ReadAsync(minerId, proofType, sectors, _throttle, ct).ConfigureAwait(false);
        var vanillaMicros = Micros(_time.GetElapsedTime(started));
        if (!read.Complete)
        {
            LogPartitionSkipped(partitionIndex, read.Skipped.Count, sectors.Count);
            return new WindowPoStResult(EmptyProof, [.. read.Skipped.Select(n => new SectorId(minerId, n))], new PoStTimings(vanillaMicros, 0, sectors.Count - read.Skipped.Count));
        }

        var vanillas = read.Proofs.Select(p => p!).ToArray();
        started = _time.GetTimestamp();
        var result = await Task.Run(() => _prover.GenerateSingleWindowPoStWithVanilla(proofType, r, ProverId.FromActorId(minerId), vanillas, partitionIndex), ct).ConfigureAwait(false);
        if (result.FaultySectors.Count > 0)
        {
            throw new PoStFaultySectorsException(
                $"generating window PoSt partition {partitionIndex}: faulty sectors {string.Join(", ", result.FaultySectors)}", result.FaultySectors);
        }

        return new WindowPoStResult(new PoStProof(proofType, result.PartitionProof.Proof), null, new PoStTimings(vanillaMicros, Micros(_time.GetElapsedTime(started)), vanillas.Length));
    }

    /// <summary>
    /// Winning PoSt (Lotus LocalWorker.GenerateWinningPoSt): every sector's vanilla proof read at once (not throttled:
    /// it is usually one sector and wanted as soon as possible), each within the read timeout; any unread sector is an error.
    /// </summary>
    /// <param name="proofType">The winning PoSt proof of the sectors' size.</param>
    /// <param name="minerId">The miner actor the sectors belong to.</param>
    /// <param name="sectors">The challenged sectors with their challenges.</param>
    /// <param name="randomness">The chain's 32 bytes; made a field element here (<see cref="Kiln.Proofs.PoSt.PoStRandomness"/>).</param>
    /// <param name="ct">Ends the reads and the SNARK wait.</param>
    /// <exception cref="StoresException">A sector's vanilla proof could not be read; the message names the sectors.</exception>
    /// <exception cref="ProofsException">The SNARK step failed.</exception>
    public async Task<IReadOnlyList<PoStProof>> GenerateWinningPoStAsync(
        RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, ReadOnlyMemory<byte> randomness, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sectors);
        var r = Kiln.Proofs.PoSt.PoStRandomness.ToFieldElement(randomness.Span);
        var read = await ReadAsync(minerId, proofType, sectors, throttle: null, ct).ConfigureAwait(false);
        if (!read.Complete)
        {
            throw new StoresException(
                $"get winning sector: vanilla proof of sector(s) {string.Join(", ", read.Skipped)} could not be read");
        }

        var vanillas = read.Proofs.Select(p => p!).ToArray();
        var proofs = await Task.Run(() => _prover.GenerateWinningPoStWithVanilla(proofType, r, ProverId.FromActorId(minerId), vanillas), ct).ConfigureAwait(false);
        return [.. proofs.Select(p => p.ToPoStProof())];
    }

    /// <summary>
    /// Reads every sector's vanilla proof for window PoSt: at most <see cref="PartitionProverOptions.ParallelReads"/>
    /// reads run at once across every partition this prover is proving (Lotus LocalWorker's <c>challengeThrottle</c>),
    /// each bounded by <see cref="PartitionProverOptions.ReadTimeout"/> from when it starts. A sector that cannot be
    /// read, or not in time, is skipped, never thrown; only cancellation of <paramref name="ct"/> ends the call early.
    /// </summary>
    public Task<VanillaReadResult> ReadVanillasAsync(ulong minerId, RegisteredPoStProof proofType, IReadOnlyList<PostSectorChallenge> sectors, CancellationToken ct) =>
        ReadAsync(minerId, proofType, sectors, _throttle, ct);

    private async Task<VanillaReadResult> ReadAsync(
        ulong minerId, RegisteredPoStProof proofType, IReadOnlyList<PostSectorChallenge> sectors, SemaphoreSlim? throttle, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sectors);
        var proofs = new byte[]?[sectors.Count];
        await Task.WhenAll(Enumerable.Range(0, sectors.Count).Select(ReadOneAsync)).ConfigureAwait(false);

        var skipped = new List<ulong>();
        for (var i = 0; i < sectors.Count; i++)
        {
            if (proofs[i] is null)
            {
                skipped.Add(sectors[i].SectorNumber);
            }
        }

        return new VanillaReadResult(proofs, skipped);

        async Task ReadOneAsync(int i)
        {
            if (throttle is not null)
            {
                await throttle.WaitAsync(ct).ConfigureAwait(false);
            }

            var started = _time.GetTimestamp();
            try
            {
                proofs[i] = await ReadWithTimeoutAsync(minerId, proofType, sectors[i], ct).ConfigureAwait(false);
                _metrics?.VanillaReadEnded(skipped: false, _time.GetElapsedTime(started));
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is not OutOfMemoryException)
            {
                _metrics?.VanillaReadEnded(skipped: true, _time.GetElapsedTime(started));
                LogSkipped(sectors[i].SectorNumber, e.Message);
            }
            finally
            {
                throttle?.Release();
            }
        }
    }

    private async Task<byte[]> ReadWithTimeoutAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken ct)
    {
        if (_options.ReadTimeout <= TimeSpan.Zero)
        {
            return await _source.ReadAsync(minerId, proofType, sector, ct).ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(_options.ReadTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            // WaitAsync: a source that ignores its token still cannot hold the partition past the timeout.
            return await _source.ReadAsync(minerId, proofType, sector, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new StoresException($"sector {sector.SectorNumber}: reading the vanilla proof took longer than {_options.ReadTimeout}", isRetryable: true);
        }
    }

    private static long Micros(TimeSpan elapsed) => elapsed.Ticks / TimeSpan.TicksPerMicrosecond;

    [LoggerMessage(EventId = 3500, EventName = "VanillaReadSkipped", Level = LogLevel.Warning, Message = "Skipping sector {Sector}: {Error}")]
    private partial void LogSkipped(ulong sector, string error);

    [LoggerMessage(EventId = 3501, EventName = "PartitionSectorsSkipped", Level = LogLevel.Error, Message = "Couldn't read some challenges of partition {Partition} (skipped {Skipped} of {Sectors})")]
    private partial void LogPartitionSkipped(int partition, int skipped, int sectors);
}
