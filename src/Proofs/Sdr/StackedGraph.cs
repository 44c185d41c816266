using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// The SDR graph of rust-fil-proofs (<c>StackedBucketGraph</c>): per node, 6 DRG parents in the same
/// layer (<c>BucketGraph</c>, ChaCha8-seeded) followed by 8 expander parents in the previous layer
/// (Feistel permutation). Parents of any node are computed on their own, without the parent cache.
/// </summary>
public sealed class StackedGraph
{
    /// <summary>DRG (same-layer) parents per node.</summary>
    public const int BaseDegree = 6;

    /// <summary>Expander (previous-layer) parents per node.</summary>
    public const int ExpansionDegree = 8;

    /// <summary>Parents per node, the row width of the parent cache.</summary>
    public const int Degree = BaseDegree + ExpansionDegree;

    /// <summary>Length of a porep_id.</summary>
    public const int PoRepIdSize = 32;

    /// <summary>Length of the DRG seed.</summary>
    public const int DrgSeedSize = 28;

    /// <summary><c>storage_proofs_core::parameter_cache::VERSION</c>, the "v28" of cache file names.</summary>
    public const int ParameterCacheVersion = 28;

    /// <summary>The tree hasher name of every production shape (Poseidon), part of the cache id.</summary>
    public const string TreeHasherName = "poseidon_hasher";

    private const string DrgSeedDomain = "Filecoin_DRSample";
    private const string FeistelDomain = "Filecoin_Feistel";
    private const int FeistelKeyCount = 4;
    private const int Lanes = 8;

    private readonly byte[] _drgSeed;
    private readonly ulong[] _feistelKeys;
    private readonly uint[] _drgKeyWords;
    private readonly bool _legacy;
    private Feistel? _feistel;

    /// <summary>The graph of a registered seal proof.</summary>
    public StackedGraph(SealProofInfo proof)
        : this((proof ?? throw new ArgumentNullException(nameof(proof))).PoRepId.Span, proof.Nodes, proof.ApiVersion)
    {
    }

    /// <summary>The graph for a raw porep_id (32 bytes), node count and API version.</summary>
    public StackedGraph(ReadOnlySpan<byte> porepId, ulong nodes, ProofsApiVersion apiVersion)
    {
        if (porepId.Length != PoRepIdSize)
        {
            throw new ArgumentException($"a porep_id is {PoRepIdSize} bytes, got {porepId.Length}", nameof(porepId));
        }

        if (nodes < 2 || nodes > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "an SDR graph has 2 to 2^32 − 1 nodes");
        }

        Nodes = nodes;
        ApiVersion = apiVersion;
        _legacy = apiVersion == ProofsApiVersion.V1_0_0;

        Span<byte> digest = stackalloc byte[32];
        Derive(DrgSeedDomain, porepId, digest);
        _drgSeed = digest[..DrgSeedSize].ToArray();
        _drgKeyWords = new uint[8];
        for (var i = 0; i < 7; i++)
        {
            _drgKeyWords[i] = BinaryPrimitives.ReadUInt32LittleEndian(_drgSeed.AsSpan(4 * i, 4));
        }

        Derive(FeistelDomain, porepId, digest);
        _feistelKeys = new ulong[FeistelKeyCount];
        for (var i = 0; i < FeistelKeyCount; i++)
        {
            _feistelKeys[i] = BinaryPrimitives.ReadUInt64LittleEndian(digest.Slice(8 * i, 8));
        }

        CacheId = ComputeCacheId(TreeHasherName, nodes, _feistelKeys);
    }

    /// <summary>Nodes per layer.</summary>
    public ulong Nodes { get; }

    /// <summary>The API version: 1.0.0 selects the legacy slot order and the u32 truncation of expander parents.</summary>
    public ProofsApiVersion ApiVersion { get; }

    /// <summary>drg_seed = SHA-256("Filecoin_DRSample" ‖ porep_id)[0..28].</summary>
    public ReadOnlySpan<byte> DrgSeed => _drgSeed;

    /// <summary>SHA-256("Filecoin_Feistel" ‖ porep_id) as four u64 LE; rounds use the first three.</summary>
    public ReadOnlySpan<ulong> FeistelKeys => _feistelKeys;

    /// <summary>The expander permutation over [0, 8·Nodes); its round tables are built on first use.</summary>
    public Feistel Feistel => LazyInitializer.EnsureInitialized(ref _feistel, () => new Feistel(Nodes * ExpansionDegree, _feistelKeys));

    /// <summary>The parent cache file stem, <c>v28-sdr-parent-&lt;hex&gt;</c>.</summary>
    public string CacheId { get; }

    /// <summary>Size in bytes of the parent cache of this graph (Nodes × 14 × 4).</summary>
    public ulong CacheSize => Nodes * Degree * sizeof(uint);

    /// <summary>
    /// The identifier rust-fil-proofs hashes into the cache id:
    /// <c>stacked_graph::StackedGraph{expansion_degree: 8 base_graph: drgraph::BucketGraph{size: N; degree: 6; hasher: H} }</c>.
    /// </summary>
    public static string Identifier(ulong nodes, string hasherName = TreeHasherName)
        => string.Create(
            CultureInfo.InvariantCulture,
            $"stacked_graph::StackedGraph{{expansion_degree: {ExpansionDegree} base_graph: drgraph::BucketGraph{{size: {nodes}; degree: {BaseDegree}; hasher: {hasherName}}} }}");

    /// <summary>Writes the 14 parents of <paramref name="node"/>: 6 DRG parents, then 8 expander parents.</summary>
    public void Parents(ulong node, Span<uint> parents)
    {
        if (parents.Length < Degree)
        {
            throw new ArgumentException($"parents needs room for {Degree} entries", nameof(parents));
        }

        CheckNode(node);
        BaseParentsCore((uint)node, parents);
        ExpanderParentsCore(node, parents[BaseDegree..]);
    }

    /// <summary>Writes the 6 DRG (same-layer) parents of <paramref name="node"/>.</summary>
    public void BaseParents(ulong node, Span<uint> parents)
    {
        if (parents.Length < BaseDegree)
        {
            throw new ArgumentException($"parents needs room for {BaseDegree} entries", nameof(parents));
        }

        CheckNode(node);
        BaseParentsCore((uint)node, parents);
    }

    /// <summary>Writes the 8 expander (previous-layer) parents of <paramref name="node"/>.</summary>
    public void ExpanderParents(ulong node, Span<uint> parents)
    {
        if (parents.Length < ExpansionDegree)
        {
            throw new ArgumentException($"parents needs room for {ExpansionDegree} entries", nameof(parents));
        }

        CheckNode(node);
        ExpanderParentsCore(node, parents);
    }

    /// <summary>Fills <paramref name="rows"/> with the cache rows of nodes [first, first + rows.Length / 14).</summary>
    internal unsafe void FillRows(ulong first, Span<uint> rows)
    {
        var count = rows.Length / Degree;
        if (first + (ulong)count > Nodes)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, "rows run past the last node");
        }

        if (!Avx2.IsSupported)
        {
            for (var i = 0; i < count; i++)
            {
                var row = rows.Slice(i * Degree, Degree);
                BaseParentsCore((uint)(first + (ulong)i), row);
                ExpanderParentsCore(first + (ulong)i, row[BaseDegree..]);
            }

            return;
        }

        // Eight nodes' ChaCha8 streams per call, one Feistel permutation of 8 indices per node.
        var words = stackalloc uint[2 * ChaCha8Rng.BlockWords * Lanes];
        var keystream = new ReadOnlySpan<uint>(words, ChaCha8Rng.LaneWords * Lanes);
        var feistel = Feistel;
        var halfBits = Vector128.CreateScalar((uint)feistel.HalfBits);
        var shift = Vector128.CreateScalar((uint)(feistel.HalfBits - 3));
        var legacy = _legacy;
        fixed (uint* rowsPointer = rows)
        {
            var i = 0;
            while (i < count)
            {
                var node = (uint)(first + (ulong)i);
                if (node >= 2 && count - i >= Lanes)
                {
                    ChaCha8Rng.KeystreamX8(_drgKeyWords, node, words);
                    for (var lane = 0; lane < Lanes; lane++)
                    {
                        BaseParentsFromKeystream(node + (uint)lane, keystream, Lanes, lane, rows.Slice((i + lane) * Degree, BaseDegree));
                    }

                    i += Lanes;
                }
                else
                {
                    BaseParentsCore(node, rows.Slice(i * Degree, BaseDegree));
                    i++;
                }
            }

            for (i = 0; i < count; i++)
            {
                feistel.PermuteX8((first + (ulong)i) * ExpansionDegree, out var left, out var right);
                // t / 8 where t = left << halfBits | right. V1_0_0 truncates t to u32 first (the shift on u32 lanes
                // drops the high bits exactly like the cast); later versions divide the full value, which fits u32.
                var parents = legacy
                    ? Avx2.ShiftRightLogical(Avx2.Or(Avx2.ShiftLeftLogical(left, halfBits), right), 3)
                    : Avx2.Or(Avx2.ShiftLeftLogical(left, shift), Avx2.ShiftRightLogical(right, 3));
                Avx.Store(rowsPointer + (i * Degree) + BaseDegree, parents);
            }
        }
    }

    private void BaseParentsCore(uint node, Span<uint> parents)
    {
        if (node < 2)
        {
            parents[..BaseDegree].Clear();
            return;
        }

        Span<uint> key = stackalloc uint[8];
        _drgKeyWords.CopyTo(key);
        key[7] = node;
        Span<uint> words = stackalloc uint[2 * ChaCha8Rng.BlockWords];
        ChaCha8Rng.Block(key, 0, words);
        ChaCha8Rng.Block(key, 1, words[ChaCha8Rng.BlockWords..]);
        BaseParentsFromKeystream(node, words, 1, 0, parents);
    }

    /// <summary>
    /// BucketGraph::parents for node ≥ 2, drawing its u64s from the node's ChaCha8 keystream:
    /// word w is <paramref name="words"/>[w · <paramref name="stride"/> + <paramref name="lane"/>].
    /// </summary>
    private void BaseParentsFromKeystream(uint node, ReadOnlySpan<uint> words, int stride, int lane, Span<uint> parents)
    {
        const ulong mPrime = BaseDegree - 1;
        var meta = node * mPrime;
        // ceil(log2(meta)) as rust computes it through f64; equal to bit_length(meta - 1) for every node.
        var buckets = (ulong)(64 - BitOperations.LeadingZeroCount(meta - 1));

        // Legacy puts the predecessor in the last slot, later versions in the first.
        var firstRandom = _legacy ? 0 : 1;
        var w = lane;
        for (var slot = firstRandom; slot < firstRandom + (int)mPrime; slot++)
        {
            var r1 = words[w] | ((ulong)words[w + stride] << 32);
            var r2 = words[w + (2 * stride)] | ((ulong)words[w + (3 * stride)] << 32);
            w += 4 * stride;

            var bucket = (r1 % buckets) + 1;
            var largest = 1UL << (int)bucket;
            largest = largest < meta ? largest : meta;
            var smallest = largest >> 1;
            smallest = smallest > 2 ? smallest : 2;
            var distance = smallest + (r2 % (largest - smallest + 1));
            var parent = (uint)((meta - distance) / mPrime);
            parents[slot] = parent == node ? node - 1 : parent;
        }

        parents[_legacy ? BaseDegree - 1 : 0] = node - 1;
    }

    private void ExpanderParentsCore(ulong node, Span<uint> parents)
    {
        Span<ulong> permuted = stackalloc ulong[ExpansionDegree];
        Feistel.PermuteRange(node * ExpansionDegree, permuted);
        for (var i = 0; i < ExpansionDegree; i++)
        {
            // V1_0_0 truncates the permuted index to u32 before dividing: kept for compatibility.
            parents[i] = _legacy ? (uint)permuted[i] / ExpansionDegree : (uint)(permuted[i] / ExpansionDegree);
        }
    }

    private void CheckNode(ulong node)
    {
        if (node >= Nodes)
        {
            throw new ArgumentOutOfRangeException(nameof(node), node, $"the graph has {Nodes} nodes");
        }
    }

    private static void Derive(string domain, ReadOnlySpan<byte> porepId, Span<byte> digest)
    {
        Span<byte> preimage = stackalloc byte[domain.Length + PoRepIdSize];
        Encoding.ASCII.GetBytes(domain, preimage);
        porepId.CopyTo(preimage[domain.Length..]);
        SHA256.HashData(preimage, digest);
    }

    private static string ComputeCacheId(string hasherName, ulong nodes, ReadOnlySpan<ulong> keys)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.ASCII.GetBytes(hasherName));
        hash.AppendData(Encoding.ASCII.GetBytes(Identifier(nodes, hasherName)));
        Span<byte> word = stackalloc byte[8];
        foreach (var key in keys)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, key);
            hash.AppendData(word);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)nodes);
        hash.AppendData(word[..4]);
        return string.Create(CultureInfo.InvariantCulture, $"v{ParameterCacheVersion}-sdr-parent-{Convert.ToHexStringLower(hash.GetHashAndReset())}");
    }
}
