using System.Diagnostics;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using Kiln.Stores.Remote;

namespace Kiln.Worker.Post;

/// <summary>
/// A PoSt worker's proving (lotus: storage/sealer/worker_local.go <c>GenerateWindowPoSt</c>,
/// <c>GenerateWinningPoSt</c>): the vanilla proofs of the sectors the miner challenged, read from this host or their
/// holders, then one SNARK. Both run inside the RPC call; nothing is tracked or returned later.
/// </summary>
public sealed partial class PoStTasks
{
    private readonly VanillaProofReader _reader;
    private readonly ISnarkProver _prover;
    private readonly ILogger _log;

    public PoStTasks(VanillaProofReader reader, ISnarkProver prover, ILogger<PoStTasks>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(prover);
        _reader = reader;
        _prover = prover;
        _log = logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>Lotus's answer when a sector's vanilla proof could not be read: no proof, no error.</summary>
    public static PoStProof EmptyProof { get; } = new(0, null);

    /// <summary>
    /// One proof partition of a window PoSt batch: vanilla proofs read at most <see cref="VanillaReaderOptions.PostParallelReads"/>
    /// at once; if any sector cannot be read, <see cref="EmptyProof"/> and the unread sectors in <c>Skipped</c>;
    /// otherwise the partition's SNARK and <c>Skipped</c> null. Either way <c>KilnTimings</c> says how long the reads and the SNARK took.
    /// </summary>
    /// <exception cref="ProofsException">The SNARK step failed (faulty vanilla proofs included).</exception>
    /// <exception cref="ArgumentException">Randomness not 32 bytes, an unknown proof type.</exception>
    public async Task<WindowPoStResult> GenerateWindowPoStAsync(
        RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, int partitionIndex, byte[] randomness, CancellationToken ct)
    {
        var r = ClearTopBits(randomness);
        var started = Stopwatch.GetTimestamp();
        var read = await _reader.ReadManyAsync(minerId, proofType, sectors, null, ct);
        var vanillaMicros = Micros(Stopwatch.GetElapsedTime(started));
        if (!read.Complete)
        {
            LogSkipped(read.Skipped.Count, sectors.Count);
            return new WindowPoStResult(EmptyProof, [.. read.Skipped.Select(n => new SectorId(minerId, n))], new PoStTimings(vanillaMicros, 0, sectors.Count - read.Skipped.Count));
        }

        var vanillas = read.Proofs.Select(p => p!).ToArray();
        started = Stopwatch.GetTimestamp();
        var result = await Task.Run(() => _prover.GenerateSingleWindowPoStWithVanilla(proofType, r, ProverId.FromActorId(minerId), vanillas, partitionIndex), ct);
        if (result.FaultySectors.Count > 0)
        {
            throw new PoStFaultySectorsException(
                $"generating window PoSt proof: faulty sectors {string.Join(", ", result.FaultySectors)}", result.FaultySectors);
        }

        return new WindowPoStResult(new PoStProof(proofType, result.PartitionProof.Proof), null, new PoStTimings(vanillaMicros, Micros(Stopwatch.GetElapsedTime(started)), vanillas.Length));
    }

    /// <summary>Winning PoSt: every sector's vanilla proof read at once (not throttled); any failure is an error.</summary>
    /// <exception cref="Kiln.Stores.StoresException">A sector's vanilla proof could not be read.</exception>
    /// <exception cref="ProofsException">The SNARK step failed.</exception>
    public async Task<IReadOnlyList<PoStProof>> GenerateWinningPoStAsync(
        RegisteredPoStProof proofType, ulong minerId, IReadOnlyList<PostSectorChallenge> sectors, byte[] randomness, CancellationToken ct)
    {
        var r = ClearTopBits(randomness);
        var read = await _reader.ReadManyAsync(minerId, proofType, sectors, Math.Max(1, sectors.Count), ct);
        if (!read.Complete)
        {
            throw new Kiln.Stores.StoresException(
                $"get winning sector: vanilla proof of sector(s) {string.Join(", ", read.Skipped)} could not be read");
        }

        var vanillas = read.Proofs.Select(p => p!).ToArray();
        var proofs = await Task.Run(() => _prover.GenerateWinningPoStWithVanilla(proofType, r, ProverId.FromActorId(minerId), vanillas), ct);
        return [.. proofs.Select(p => p.ToPoStProof())];
    }

    private static long Micros(TimeSpan elapsed) => elapsed.Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>A copy of the PoSt randomness with the top two bits of byte 31 cleared (<c>&amp;= 0x3f</c>), as Lotus does.</summary>
    /// <exception cref="ArgumentException">Not 32 bytes.</exception>
    public static byte[] ClearTopBits(byte[] randomness)
    {
        ArgumentNullException.ThrowIfNull(randomness);
        if (randomness.Length != 32)
        {
            throw new ArgumentException($"PoSt randomness must be 32 bytes, got {randomness.Length}", nameof(randomness));
        }

        var r = (byte[])randomness.Clone();
        r[31] &= 0x3f;
        return r;
    }

    [LoggerMessage(EventId = 7400, EventName = "PoStChallengesSkipped", Level = LogLevel.Error, Message = "Couldn't read some challenges (skipped {Skipped} of {Sectors})")]
    private partial void LogSkipped(int skipped, int sectors);
}
