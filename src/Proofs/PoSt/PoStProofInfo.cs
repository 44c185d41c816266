using System.Collections.Frozen;
using Kiln.Proofs.Merkle;

namespace Kiln.Proofs.PoSt;

/// <summary>
/// Everything the fallback PoSt needs to know about one registered PoSt proof: its PoStConfig
/// (rust-filecoin-proofs-api src/registry.rs <c>RegisteredPoStProof::as_v1_config</c>, filecoin-proofs
/// constants.rs <c>WINDOW_POST_CHALLENGE_COUNT</c> and kin) and the sector's tree shape.
/// </summary>
public sealed class PoStProofInfo
{
    /// <summary>WINNING_POST_CHALLENGE_COUNT: leaves challenged in the one Winning sector.</summary>
    public const int WinningChallengeCount = 66;

    /// <summary>WINDOW_POST_CHALLENGE_COUNT: leaves challenged per Window sector.</summary>
    public const int WindowChallengeCount = 10;

    /// <summary>Size in bytes of one Groth16 proof: a PoSt SNARK holds one per partition.</summary>
    public const int PartitionProofSize = 192;

    /// <summary>Vanilla proof bytes besides the inclusion proofs: sector id, comm_r, two Vec lengths, comm_c, comm_r_last.</summary>
    public const int VanillaProofOverhead = 8 + 32 + 8 + 8 + 32 + 32;

    private static readonly FrozenDictionary<RegisteredPoStProof, PoStProofInfo> Table = Build();

    private PoStProofInfo(RegisteredPoStProof proof, ulong sectorSize, PoStType type, ProofsApiVersion apiVersion)
    {
        Proof = proof;
        SectorSize = sectorSize;
        Type = type;
        ApiVersion = apiVersion;
        ChallengeCount = type == PoStType.Winning ? WinningChallengeCount : WindowChallengeCount;
        SectorsPerPartition = type == PoStType.Winning ? 1 : sectorSize switch
        {
            32UL << 30 => 2349,
            64UL << 30 => 2300,
            _ => 2,
        };
        TreeShape = SectorTreeShape.For(sectorSize);
    }

    public RegisteredPoStProof Proof { get; }

    /// <summary>The ffi / Lotus name, e.g. "StackedDrgWindow32GiBV1_1".</summary>
    public string Name => Proof.ToString();

    public PoStType Type { get; }

    public ulong SectorSize { get; }

    /// <summary>Nodes (leaves) per sector: the modulus of every leaf challenge.</summary>
    public ulong Nodes => SectorSize / 32;

    /// <summary>Leaves challenged per sector (66 Winning, 10 Window).</summary>
    public int ChallengeCount { get; }

    /// <summary>PoStConfig.sector_count: sectors per Window partition (2349 at 32 GiB, 2300 at 64 GiB, 2 below); 1 for Winning.</summary>
    public int SectorsPerPartition { get; }

    /// <summary>Selects the challenge index: V1_0_0 counts challenges across the partition's sectors, V1_2_0 restarts at 0 per sector.</summary>
    public ProofsApiVersion ApiVersion { get; }

    /// <summary>The shape of the sector's tree_r_last.</summary>
    public SectorTreeShape TreeShape { get; }

    /// <summary>Bytes of one inclusion proof into tree_r_last.</summary>
    public int InclusionProofByteLength => MerkleProofBincode.GetByteLength(TreeShape);

    /// <summary>Bytes of a <c>generate_single_vanilla_proof</c> result.</summary>
    public int VanillaProofByteLength => VanillaProofOverhead + (ChallengeCount * InclusionProofByteLength);

    public static IEnumerable<PoStProofInfo> All => Table.Values.OrderBy(p => p.Proof);

    /// <exception cref="ProofsException">The id is not a registered PoSt proof.</exception>
    public static PoStProofInfo Get(RegisteredPoStProof proof)
        => Table.TryGetValue(proof, out var info) ? info : throw new ProofsException($"unknown RegisteredPoStProof {(long)proof}: Kiln knows ids 0 to 14");

    /// <exception cref="ProofsException">The id is not a registered PoSt proof.</exception>
    public static PoStProofInfo Get(long id) => Get((RegisteredPoStProof)id);

    /// <summary>
    /// The proof Lotus uses today for a sector size (RegisteredSealProof.RegisteredWindowPoStProof /
    /// RegisteredWinningPoStProof): Window …V1_1 (ApiVersion 1.2.0), Winning …V1.
    /// </summary>
    /// <exception cref="ProofsException">No PoSt proof for that sector size.</exception>
    public static PoStProofInfo ForSectorSize(ulong sectorSize, PoStType type)
        => All.FirstOrDefault(p => p.SectorSize == sectorSize && p.Type == type && (type == PoStType.Winning || p.ApiVersion == ProofsApiVersion.V1_2_0))
            ?? throw new ProofsException($"no {type} PoSt proof for {SectorSizes.Format(sectorSize)}: use 2KiB, 8MiB, 512MiB, 32GiB or 64GiB");

    /// <summary>get_num_partition_for_fallback_post: Window ceil(sectors / sectors per partition), at least 1; Winning 1.</summary>
    public int PartitionCount(int sectors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sectors);
        return Type == PoStType.Winning ? 1 : Math.Max(1, (sectors + SectorsPerPartition - 1) / SectorsPerPartition);
    }

    public override string ToString() => Name;

    private static FrozenDictionary<RegisteredPoStProof, PoStProofInfo> Build()
    {
        ulong[] sizes = [2UL << 10, 8UL << 20, 512UL << 20, 32UL << 30, 64UL << 30];
        var d = new Dictionary<RegisteredPoStProof, PoStProofInfo>();
        for (var i = 0; i < sizes.Length; i++)
        {
            Add((RegisteredPoStProof)i, sizes[i], PoStType.Winning, ProofsApiVersion.V1_0_0);
            Add((RegisteredPoStProof)(5 + i), sizes[i], PoStType.Window, ProofsApiVersion.V1_0_0);
            Add((RegisteredPoStProof)(10 + i), sizes[i], PoStType.Window, ProofsApiVersion.V1_2_0);
        }

        return d.ToFrozenDictionary();

        void Add(RegisteredPoStProof p, ulong size, PoStType type, ProofsApiVersion version) => d.Add(p, new PoStProofInfo(p, size, type, version));
    }
}
