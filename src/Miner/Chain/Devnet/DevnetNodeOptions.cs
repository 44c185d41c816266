using System.Numerics;
using Kiln.Api.Chain;
using Kiln.Miner.Proving;
using Kiln.Proofs;

namespace Kiln.Miner.Chain.Devnet;

/// <summary>How a <see cref="DevnetNode"/> is set up: its clock, its randomness seed, its one miner actor and where it keeps its state.</summary>
public sealed class DevnetNodeOptions
{
    /// <summary>The seed every devnet derives its randomness from unless told otherwise.</summary>
    public const string DefaultSeed = "kiln-devnet";

    /// <summary>Lotus's 2k devnet build (build/buildconstants/params_2k.go PreCommitChallengeDelay).</summary>
    public const long DefaultPreCommitChallengeDelay = 10;

    /// <summary>The owner's actor id (an account distinct from the miner).</summary>
    public const ulong DefaultOwnerId = 100;

    /// <summary>The worker's actor id (the account that sends the miner's messages).</summary>
    public const ulong DefaultWorkerId = 101;

    /// <summary>The miner actor's starting balance: one million FIL, so no devnet run is short of funds unless a test says so.</summary>
    public static readonly TokenAmount DefaultMinerBalance = new(BigInteger.Pow(10, 24));

    /// <summary>The owner's and worker's starting balance: one million FIL each.</summary>
    public static readonly TokenAmount DefaultAccountBalance = new(BigInteger.Pow(10, 24));

    /// <summary>The seed of every ticket and beacon draw: the same seed gives the same randomness at the same epoch.</summary>
    public string Seed { get; set; } = DefaultSeed;

    /// <summary>The length of one epoch on the injected clock.</summary>
    public TimeSpan EpochDuration { get; set; } = ProvingOptions.DefaultEpochDuration;

    /// <summary>Epochs after a pre-commit lands before its interactive seed can be drawn and the sector proven.</summary>
    public long PreCommitChallengeDelay { get; set; } = DefaultPreCommitChallengeDelay;

    /// <summary>The miner actor's id.</summary>
    public ulong MinerId { get; set; } = MinerOptions.DefaultActorId;

    public ulong OwnerId { get; set; } = DefaultOwnerId;

    public ulong WorkerId { get; set; } = DefaultWorkerId;

    /// <summary>The address prefix, 't' (testnet, as a Lotus devnet) or 'f'.</summary>
    public char Network { get; set; } = 't';

    /// <summary>The miner's sector size in bytes (its seal and PoSt proof types follow from it).</summary>
    public ulong SectorSize { get; set; } = 2048;

    /// <summary>The miner's proving periods start at epochs congruent to this modulo the proving period.</summary>
    public long PeriodOffset { get; set; }

    public TokenAmount MinerBalance { get; set; } = DefaultMinerBalance;

    public TokenAmount OwnerBalance { get; set; } = DefaultAccountBalance;

    public TokenAmount WorkerBalance { get; set; } = DefaultAccountBalance;

    /// <summary>The JSON file the chain lives in (genesis, messages, pre-commits, sectors); null keeps it in memory only.</summary>
    public string? StatePath { get; set; }

    /// <summary>The seal proof of the miner's sectors (V1_1 for <see cref="SectorSize"/>).</summary>
    public RegisteredSealProof SealProof => SealProofInfo.ForSectorSize(SectorSize).Proof;

    /// <summary>The devnet of a miner: its actor id, network, sector size and epoch duration, its state in <paramref name="statePath"/>.</summary>
    public static DevnetNodeOptions For(MinerOptions miner, string? statePath)
    {
        ArgumentNullException.ThrowIfNull(miner);
        return new DevnetNodeOptions
        {
            MinerId = miner.ActorId,
            Network = miner.Network,
            SectorSize = miner.SectorBytes,
            EpochDuration = miner.Proving.EpochDuration,
            StatePath = statePath,
        };
    }

    /// <summary>
    /// The share of rounds the miner expects to win while it has power, 0 to 1 (default 1). The devnet's base info
    /// answers a network power that makes the election's Poisson rate λ = −ln(1 − rate), at most 5 (all the power:
    /// a block in 99.3% of rounds), so blocks show on the devnet.
    /// </summary>
    public double WinRate { get; set; } = 1;
}
