using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Kiln.Miner.Chain;

/// <summary>
/// The built-in devnet chain, for sealing and proving: epochs of <see cref="EpochDuration"/> counted from
/// <see cref="Genesis"/> on the injected <see cref="TimeProvider"/>, proving periods starting at epochs congruent to
/// <see cref="PeriodOffset"/>, sector n assigned to deadline n mod 48, and every ticket, seed and PoSt randomness
/// derived from the devnet seed, so a devnet run is reproducible. Not a real chain: there are no messages, so the
/// interactive seed is not bound to a pre-commit on chain and is handed out without waiting.
/// </summary>
public sealed class DevnetChain : IChain
{
    /// <summary>The seed every devnet derives its randomness from unless told otherwise.</summary>
    public const string DefaultSeed = "kiln-devnet";

    private readonly string _seed;
    private readonly TimeProvider _time;

    /// <summary>A devnet chain whose epoch 0 is <paramref name="genesis"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epochDuration"/> is not positive.</exception>
    public DevnetChain(string seed, TimeProvider time, TimeSpan epochDuration, DateTimeOffset genesis, long periodOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(epochDuration, TimeSpan.Zero);
        _seed = seed;
        _time = time;
        EpochDuration = epochDuration;
        Genesis = genesis;
        PeriodOffset = periodOffset;
    }

    /// <summary>The length of one epoch.</summary>
    public TimeSpan EpochDuration { get; }

    /// <summary>When epoch 0 began.</summary>
    public DateTimeOffset Genesis { get; }

    /// <summary>Proving periods start at epochs congruent to this modulo <see cref="DeadlineInfo.ProvingPeriod"/> (a miner's offset on a real chain).</summary>
    public long PeriodOffset { get; }

    /// <summary>The epoch the clock is in now.</summary>
    public long CurrentEpoch => Math.Max(0, (_time.GetUtcNow() - Genesis).Ticks / EpochDuration.Ticks);

    /// <summary>The deadline the devnet assigns sector <paramref name="sectorNumber"/> to: its number mod 48.</summary>
    public static int DeadlineOf(ulong sectorNumber) => (int)(sectorNumber % DeadlineInfo.PeriodDeadlines);

    /// <summary>The devnet's seal ticket of a sector, whatever the epoch: seed ‖ actor ‖ number, hashed.</summary>
    public byte[] TicketFor(ulong actorId, ulong sectorNumber) => Derive("ticket", actorId, sectorNumber);

    /// <summary>The devnet's interactive seed of a sector, whatever the epoch.</summary>
    public byte[] SeedFor(ulong actorId, ulong sectorNumber) => Derive("seed", actorId, sectorNumber);

    /// <summary>The Window PoSt randomness of <paramref name="deadline"/>, from its challenge epoch.</summary>
    public byte[] WindowPoStRandomness(ulong minerId, DeadlineInfo deadline)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        return Derive("post/window", minerId, (ulong)deadline.Challenge);
    }

    /// <summary>The Winning PoSt randomness of the round at <paramref name="epoch"/>.</summary>
    public byte[] WinningPoStRandomness(ulong minerId, long epoch) => Derive("post/winning", minerId, (ulong)epoch);

    public Task<long> HeadEpochAsync(CancellationToken cancellationToken) => Task.FromResult(CurrentEpoch);

    public async Task WaitForEpochAsync(long epoch, CancellationToken cancellationToken)
    {
        var wait = Genesis + (EpochDuration * epoch) - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The devnet ticket, reported as drawn <see cref="ChainPolicy.SealRandomnessLookback"/> epochs behind the head (or at 0).</summary>
    public Task<ChainRandomness> SealTicketAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken) =>
        Task.FromResult(new ChainRandomness(TicketFor(minerId, sectorNumber), Math.Max(0, CurrentEpoch - ChainPolicy.SealRandomnessLookback)));

    /// <summary>The devnet seed, reported at its seed epoch but handed out at once: the devnet has no pre-commit to wait for.</summary>
    public Task<ChainRandomness> InteractiveSeedAsync(ulong minerId, ulong sectorNumber, long preCommitEpoch, CancellationToken cancellationToken) =>
        Task.FromResult(new ChainRandomness(SeedFor(minerId, sectorNumber), preCommitEpoch + ChainPolicy.PreCommitChallengeDelay));

    /// <summary>The deadline open at the current epoch, proving periods starting at <see cref="PeriodOffset"/>.</summary>
    public Task<DeadlineInfo> ProvingDeadlineAsync(ulong minerId, CancellationToken cancellationToken) =>
        Task.FromResult(DeadlineInfo.At(CurrentEpoch, PeriodOffset));

    /// <summary>Those of <paramref name="sectors"/> whose number mod 48 is the deadline's index.</summary>
    public Task<IReadOnlyList<ulong>> DeadlineSectorsAsync(ulong minerId, DeadlineInfo deadline, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        ArgumentNullException.ThrowIfNull(sectors);
        return Task.FromResult<IReadOnlyList<ulong>>([.. sectors.Where(n => DeadlineOf(n) == deadline.Index)]);
    }

    /// <summary>Every sector, at its number mod 48.</summary>
    public Task<IReadOnlyDictionary<ulong, int>> SectorDeadlinesAsync(ulong minerId, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sectors);
        return Task.FromResult<IReadOnlyDictionary<ulong, int>>(sectors.Distinct().ToDictionary(n => n, DeadlineOf));
    }

    public Task<byte[]> WindowPoStRandomnessAsync(ulong minerId, DeadlineInfo deadline, CancellationToken cancellationToken) =>
        Task.FromResult(WindowPoStRandomness(minerId, deadline));

    public Task<byte[]> WinningPoStRandomnessAsync(ulong minerId, long epoch, CancellationToken cancellationToken) =>
        Task.FromResult(WinningPoStRandomness(minerId, epoch));

    private byte[] Derive(string purpose, ulong actorId, ulong number)
    {
        // The ticket keeps its original derivation (seed ‖ actor ‖ number) so existing devnets seal the same sectors.
        var prefix = purpose == "ticket" ? _seed : _seed + "/" + purpose;
        var input = new byte[Encoding.UTF8.GetByteCount(prefix) + 16];
        var n = Encoding.UTF8.GetBytes(prefix, input);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(n), actorId);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(n + 8), number);
        return SHA256.HashData(input);
    }

    public Task<TipSet> HeadAsync(CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.NetworkParams> NetworkParamsAsync(CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.MinerInfo> MinerInfoAsync(ulong minerId, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Types.BitField> AllocatedSectorsAsync(ulong minerId, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.SectorPreCommitOnChainInfo?> PreCommitInfoAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.TokenAmount> PreCommitDepositAsync(ulong minerId, Kiln.Api.Chain.SectorPreCommitInfo info, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.TokenAmount> InitialPledgeAsync(ulong minerId, Kiln.Api.Chain.SectorPreCommitInfo info, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.TokenAmount> AvailableBalanceAsync(ulong minerId, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.TokenAmount> WalletBalanceAsync(Kiln.Api.Chain.Address address, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Types.Cid> SendAsync(Kiln.Api.Chain.ChainMessage message, Kiln.Api.Chain.TokenAmount maxFee, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.MsgLookup> WaitMessageAsync(Kiln.Api.Types.Cid message, ulong confidence, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.MsgLookup?> SearchMessageAsync(Kiln.Api.Types.Cid message, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.SectorOnChainInfo?> SectorInfoAsync(ulong minerId, ulong sectorNumber, IReadOnlyList<Kiln.Api.Types.Cid>? tipSet, CancellationToken cancellationToken) => throw Unsupported();

    public Task<Kiln.Api.Chain.SectorPartitionLocation?> SectorPartitionAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken) => throw Unsupported();

    private static NotSupportedException Unsupported() => new("the devnet chain is being replaced by the in-process devnet node");
}
