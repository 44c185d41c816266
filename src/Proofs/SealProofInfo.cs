using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Text.Json;

namespace Kiln.Proofs;

/// <summary>Everything the proofs need to know about one registered seal proof.</summary>
public sealed class SealProofInfo
{
    /// <summary>Size of one node (label, leaf, field element) in bytes.</summary>
    public const int NodeSize = 32;

    private static readonly FrozenDictionary<RegisteredSealProof, SealProofInfo> Table = Build();

    private SealProofInfo(RegisteredSealProof proof, ulong sectorSize, int layers, ProofsApiVersion apiVersion, SealProofFeatures features)
    {
        Proof = proof;
        SectorSize = sectorSize;
        Layers = layers;
        ApiVersion = apiVersion;
        Features = features;
        var porepId = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(porepId, (ulong)proof);
        // bytes 8..16 hold the nonce (0 for every registered proof), 16..32 stay zero.
        PoRepId = porepId;
    }

    public RegisteredSealProof Proof { get; }

    /// <summary>The rust enum variant name, as serialized in PreCommit1Out.</summary>
    public string Name => Proof.ToString();

    public ulong SectorSize { get; }

    public ulong Nodes => SectorSize / NodeSize;

    public int Layers { get; }

    public ProofsApiVersion ApiVersion { get; }

    public SealProofFeatures Features { get; }

    /// <summary>porep_id: proof id as u64 LE, nonce 0 as u64 LE, 16 zero bytes.</summary>
    public ReadOnlyMemory<byte> PoRepId { get; }

    /// <summary>The label variant name PC1 output uses for this sector size (all API versions).</summary>
    public string LabelsVariantName => "StackedDrg" + SectorSizes.Format(SectorSize) + "V1";

    public static SealProofInfo Get(RegisteredSealProof proof)
    {
        if (!Table.TryGetValue(proof, out var info))
        {
            throw new ProofsException($"unknown RegisteredSealProof {(long)proof}: Kiln knows ids 0 to 19");
        }

        return info;
    }

    public static SealProofInfo Get(long id) => Get((RegisteredSealProof)id);

    public static IEnumerable<SealProofInfo> All => Table.Values.OrderBy(p => p.Proof);

    /// <summary>The proof lotus-bench and Lotus choose today for a sector size (V1_1).</summary>
    public static SealProofInfo ForSectorSize(ulong sectorSize, ProofsApiVersion version = ProofsApiVersion.V1_1_0)
    {
        foreach (var info in All)
        {
            if (info.SectorSize == sectorSize && info.ApiVersion == version && info.Features == SealProofFeatures.None)
            {
                return info;
            }
        }

        throw new ProofsException($"no seal proof for sector size {SectorSizes.Format(sectorSize)}: use 2KiB, 8MiB, 512MiB, 32GiB or 64GiB");
    }

    public static bool TryParseName(string name, out SealProofInfo info)
    {
        if (Enum.TryParse<RegisteredSealProof>(name, ignoreCase: false, out var p) && Table.TryGetValue(p, out var found) && p.ToString() == name)
        {
            info = found;
            return true;
        }

        info = null!;
        return false;
    }

    /// <summary>The proof a rust JSON document (PC1 or C1 output) names in its <c>registered_proof</c> field.</summary>
    /// <param name="document">The document's root object.</param>
    /// <param name="documentName">How errors name the document, e.g. "PreCommit1Out".</param>
    /// <exception cref="ProofsException">The name is not a registered seal proof.</exception>
    /// <exception cref="KeyNotFoundException">The field is missing.</exception>
    /// <exception cref="InvalidOperationException">The field is not a string.</exception>
    internal static SealProofInfo ReadRegisteredProof(JsonElement document, string documentName)
    {
        var name = document.GetProperty("registered_proof").GetString() ?? string.Empty;
        return TryParseName(name, out var info)
            ? info
            : throw new ProofsException($"{documentName} names an unknown registered proof '{name}'");
    }

    private static FrozenDictionary<RegisteredSealProof, SealProofInfo> Build()
    {
        ulong[] sizes = [2UL << 10, 8UL << 20, 512UL << 20, 32UL << 30, 64UL << 30];
        var d = new Dictionary<RegisteredSealProof, SealProofInfo>();
        for (var i = 0; i < 5; i++)
        {
            var layers = sizes[i] >= (32UL << 30) ? 11 : 2;
            Add(d, (RegisteredSealProof)i, sizes[i], layers, ProofsApiVersion.V1_0_0, SealProofFeatures.None);
            Add(d, (RegisteredSealProof)(5 + i), sizes[i], layers, ProofsApiVersion.V1_1_0, SealProofFeatures.None);
            Add(d, (RegisteredSealProof)(10 + i), sizes[i], layers, ProofsApiVersion.V1_2_0, SealProofFeatures.SyntheticPoRep);
            Add(d, (RegisteredSealProof)(15 + i), sizes[i], layers, ProofsApiVersion.V1_2_0, SealProofFeatures.NonInteractivePoRep);
        }

        return d.ToFrozenDictionary();

        static void Add(Dictionary<RegisteredSealProof, SealProofInfo> d, RegisteredSealProof p, ulong size, int layers, ProofsApiVersion v, SealProofFeatures f)
            => d.Add(p, new SealProofInfo(p, size, layers, v, f));
    }

    public override string ToString() => Name;
}
