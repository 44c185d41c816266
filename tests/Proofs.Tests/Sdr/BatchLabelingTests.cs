using System.Security.Cryptography;
using Kiln.Proofs.Interop;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Sdr;

/// <summary>The parent caches of the production 2 KiB and 8 MiB graphs, built once for the batch tests.</summary>
public sealed class ProductionGraphs : IDisposable
{
    private readonly Lazy<ParentCache> _small = new(() => ParentCache.CreateInMemory(new StackedGraph(SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1))));
    private readonly Lazy<ParentCache> _large = new(() => ParentCache.CreateInMemory(new StackedGraph(SealProofInfo.Get(RegisteredSealProof.StackedDrg8MiBV1_1))));

    public ParentCache Get(RegisteredSealProof proof) => proof switch
    {
        RegisteredSealProof.StackedDrg2KiBV1_1 => _small.Value,
        RegisteredSealProof.StackedDrg8MiBV1_1 => _large.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(proof)),
    };

    public void Dispose()
    {
        if (_small.IsValueCreated)
        {
            _small.Value.Dispose();
        }

        if (_large.IsValueCreated)
        {
            _large.Value.Dispose();
        }
    }
}

/// <summary>
/// Batched labeling (<see cref="LayerLabeler.LabelRangeBatch"/>, <see cref="SdrLabeler.LabelBatch(ParentCache, ReadOnlySpan{byte}, int, IReadOnlyList{string}, LabelKernel, IProgress{LabelingProgress}?, CancellationToken)"/>)
/// against single-sector labeling and the known-answer layer digests, with every kernel.
/// </summary>
public sealed unsafe class BatchLabelingTests(ProductionGraphs graphs) : IClassFixture<ProductionGraphs>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-batch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LabelKernel[] AllKernels => KilnNative.IsAvailable ? [LabelKernel.Managed, LabelKernel.Native] : [LabelKernel.Managed];

    public static TheoryData<RegisteredSealProof, int, int, int, LabelKernel> ScatteredCases()
    {
        var data = new TheoryData<RegisteredSealProof, int, int, int, LabelKernel>();
        foreach (var kernel in AllKernels)
        {
            foreach (var k in new[] { 2, 3, 4 })
            {
                // 2 KiB (64 nodes): one node per block and 4-node blocks; three layers.
                data.Add(RegisteredSealProof.StackedDrg2KiBV1_1, k, 0, 3, kernel);
                data.Add(RegisteredSealProof.StackedDrg2KiBV1_1, k, 2, 3, kernel);
            }

            // 8 MiB (2^18 nodes): 512 blocks of 16 KiB per layer; layer 1 and layer 2.
            foreach (var k in new[] { 2, 3, 4 })
            {
                data.Add(RegisteredSealProof.StackedDrg8MiBV1_1, k, 9, 2, kernel);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ScatteredCases))]
    public void Batch_over_scattered_blocks_matches_single_sector_labels(RegisteredSealProof proof, int sectors, int shift, int layers, LabelKernel kernel)
    {
        var parents = graphs.Get(proof);
        var nodes = parents.Nodes;
        var ids = ReplicaIds(sectors, seed: (sectors * 100) + shift);
        using var scattered = new ScatteredLayers(sectors, nodes, shift, seed: sectors + shift);
        using var expected = new NativeBuffer(nodes * 32);
        using var expectedPrevious = new NativeBuffer(nodes * 32);
        var singles = new byte[sectors][][];
        for (var s = 0; s < sectors; s++)
        {
            singles[s] = new byte[layers][];
            for (var l = 1; l <= layers; l++)
            {
                if (l > 1)
                {
                    expected.GetSpan().CopyTo(expectedPrevious.GetSpan());
                }

                LayerLabeler.LabelRange(parents.Pointer, expected.Pointer, l == 1 ? null : expectedPrevious.Pointer, ids.AsSpan(32 * s, 32), (uint)l, 0, nodes, kernel);
                singles[s][l - 1] = expected.GetSpan().ToArray();
            }
        }

        // Uneven ranges, one of odd length, so batches continue from labels already written.
        ulong[] cuts = [0, nodes / 3, (nodes / 2) + 1, nodes];
        for (var l = 1; l <= layers; l++)
        {
            var current = scattered.Layers(l % 2);
            var previous = scattered.Layers((l + 1) % 2);
            for (var c = 0; c + 1 < cuts.Length; c++)
            {
                LayerLabeler.LabelRangeBatch(parents.Pointer, current, l == 1 ? [] : previous, ids, (uint)l, cuts[c], cuts[c + 1], kernel);
            }

            for (var s = 0; s < sectors; s++)
            {
                var got = scattered.Gather(current[s]);
                Assert.True(singles[s][l - 1].AsSpan().SequenceEqual(got), $"sector {s} layer {l}: batch labels differ from single-sector labels");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Batch_of_two_to_four_reproduces_the_eleven_layer_vectors(LabelKernel kernel)
    {
        // Case C, the 2 KiB V1_1_0 setup of rust-fil-proofs create_label/multi.rs test_create_labels (64 nodes, porep 7b×32),
        // replica 09×32, in every slot of the batch.
        using var parents = ParentCache.CreateInMemory(new StackedGraph(Enumerable.Repeat((byte)0x7b, 32).ToArray(), 64, ProofsApiVersion.V1_1_0));
        foreach (var k in new[] { 2, 3, 4 })
        {
            var ids = ReplicaIds(k, seed: k);
            var slot = k - 2;
            Enumerable.Repeat((byte)9, 32).ToArray().CopyTo(ids.AsSpan(32 * slot));
            var dirs = Enumerable.Range(0, k).Select(s => Path.Combine(_dir, $"c{k}-{s}")).ToArray();

            SdrLabeler.LabelBatch(parents, ids, 11, dirs, kernel);

            for (var l = 1; l <= 11; l++)
            {
                Assert.Equal(CaseCLayerDigests[l - 1], Sha(CacheFiles.Layer(dirs[slot], l)));
            }

            for (var s = 0; s < k; s++)
            {
                var single = Path.Combine(_dir, $"single{k}-{s}");
                SdrLabeler.Label(parents, ids.AsSpan(32 * s, 32), 11, single, kernel);
                for (var l = 1; l <= 11; l++)
                {
                    Assert.Equal(Sha(CacheFiles.Layer(single, l)), Sha(CacheFiles.Layer(dirs[s], l)));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Batch_reproduces_the_8MiB_zero_sector_layers(LabelKernel kernel)
    {
        // StackedDrg8MiBV1_1 zero sector, replica_id 49808a3f…4f3e (t01000, sector 1, ticket 01×32: ReplicaIdTests), in the second slot of three.
        var ids = ReplicaIds(3, seed: 8);
        Convert.FromHexString("49808a3f801fc76f8e0a19e5f87f2810b61d0fb8cef7816a7396ab91d1774f3e").CopyTo(ids.AsSpan(32));
        var dirs = new[] { Path.Combine(_dir, "a"), Path.Combine(_dir, "b"), Path.Combine(_dir, "c") };

        SdrLabeler.LabelBatch(graphs.Get(RegisteredSealProof.StackedDrg8MiBV1_1), ids, 2, dirs, kernel);

        Assert.Equal("7c8f81d4aca9695372220103a96b81705e5f3bc43e7790cc584508cbea1e54a4", Sha(CacheFiles.Layer(dirs[1], 1)));
        Assert.Equal("d9b98d32f3828161ac062e32ed9f4e07662e97f8d4707e3343f6553c1d02ddcb", Sha(CacheFiles.Layer(dirs[1], 2)));
    }

    [Fact]
    public void Batch_resumes_each_sector_from_its_own_layer_files()
    {
        using var parents = ParentCache.CreateInMemory(new StackedGraph(Enumerable.Repeat((byte)0x7b, 32).ToArray(), 64, ProofsApiVersion.V1_1_0));
        var ids = ReplicaIds(3, seed: 11);
        Enumerable.Repeat((byte)9, 32).ToArray().CopyTo(ids.AsSpan(32));
        var dirs = new[] { Path.Combine(_dir, "a"), Path.Combine(_dir, "b"), Path.Combine(_dir, "c") };
        SdrLabeler.LabelBatch(parents, ids, 11, dirs, LabelKernel.Auto);
        var before = dirs.Select(d => Enumerable.Range(1, 11).Select(l => Sha(CacheFiles.Layer(d, l))).ToArray()).ToArray();

        // Sector a keeps everything, b loses layers 4..11 and has a stale temporary, c loses all.
        for (var l = 4; l <= 11; l++)
        {
            File.Delete(CacheFiles.Layer(dirs[1], l));
        }

        File.WriteAllBytes(CacheFiles.Temporary(CacheFiles.Layer(dirs[1], 4)), [1, 2, 3]);
        for (var l = 1; l <= 11; l++)
        {
            File.Delete(CacheFiles.Layer(dirs[2], l));
        }

        var written = File.GetLastWriteTimeUtc(CacheFiles.Layer(dirs[0], 11));
        var times = SdrLabeler.LabelBatch(parents, ids, 11, dirs, LabelKernel.Auto);

        Assert.Equal(11, times.Length);
        Assert.Equal(written, File.GetLastWriteTimeUtc(CacheFiles.Layer(dirs[0], 11)));
        Assert.False(File.Exists(CacheFiles.Temporary(CacheFiles.Layer(dirs[1], 4))));
        for (var s = 0; s < 3; s++)
        {
            Assert.Equal(before[s], Enumerable.Range(1, 11).Select(l => Sha(CacheFiles.Layer(dirs[s], l))).ToArray());
        }

        Assert.Equal(CaseCLayerDigests, before[1]);
    }

    [Fact]
    public void Bad_batch_arguments_are_rejected_with_clear_messages()
    {
        const ulong Nodes = 64;
        using var parents = ParentCache.CreateInMemory(new StackedGraph(new byte[32], Nodes, ProofsApiVersion.V1_1_0));
        using var layers = new ScatteredLayers(3, Nodes, 2, seed: 1);
        var p = (nint)parents.Pointer;
        var current = layers.Layers(1);
        var previous = layers.Layers(0);
        var ids = ReplicaIds(3, seed: 1);

        void Label(LayerBlocks[] cur, LayerBlocks[] prev, byte[] replicas, uint layer, ulong start, ulong end) =>
            LayerLabeler.LabelRangeBatch((uint*)p, cur, prev, replicas, layer, start, end, LabelKernel.Managed);

        var e = Assert.Throws<ArgumentException>(() => Label(current, previous, ids[..64], 2, 0, Nodes));
        Assert.Equal("replicaIds", e.ParamName);
        Assert.Contains("3 sectors need 96 bytes, got 64", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => Label(current, previous[..2], ids, 2, 0, Nodes));
        Assert.Equal("previous", e.ParamName);
        Assert.Contains("3 current layers but 2 previous ones", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => Label([], [], [], 1, 0, Nodes));
        Assert.Contains("at least one sector", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => Label([current[0], current[1], current[0]], previous, ids, 2, 0, Nodes));
        Assert.Contains("sectors 0 and 2 of the batch write the same layer", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => Label([current[0], default, current[2]], previous, ids, 1, 0, Nodes));
        Assert.Contains("sector 1 has no current layer", e.Message, StringComparison.Ordinal);

        var shorter = new LayerBlocks(current[2].Table, 2, Nodes / 2);
        e = Assert.Throws<ArgumentException>(() => Label([current[0], current[1], shorter], previous, ids, 1, 0, Nodes / 2));
        Assert.Contains("sector 2's current layer has 32 nodes", e.Message, StringComparison.Ordinal);

        var range = Assert.Throws<ArgumentOutOfRangeException>(() => Label(current, previous, ids, 2, 0, Nodes + 1));
        Assert.Equal("end", range.ParamName);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => Label(current, previous, ids, 2, 10, 5));
        Assert.Equal("start", range.ParamName);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => Label(current, previous, ids, 0, 0, Nodes));
        Assert.Equal("layer", range.ParamName);

        var shift = Assert.Throws<ArgumentOutOfRangeException>(() => new LayerBlocks(current[0].Table, 33, Nodes));
        Assert.Equal("shift", shift.ParamName);

        // SdrLabeler: one replica id per directory, one directory per sector.
        e = Assert.Throws<ArgumentException>(() => SdrLabeler.LabelBatch(parents, ids, 2, [Path.Combine(_dir, "x"), Path.Combine(_dir, "y")]));
        Assert.Contains("2 directories, 96 bytes of replica ids", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SdrLabeler.LabelBatch(parents, ids[..64], 2, [Path.Combine(_dir, "x"), Path.Combine(_dir, "x", "..", "x")]));
        Assert.Contains("its own cache directory", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<LabelKernel> Kernels() => new(AllKernels);

    /// <summary>sha256 of each layer file of case C (replica 09×32), as <see cref="SdrLabelVectorTests"/> pins them.</summary>
    private static string[] CaseCLayerDigests => SdrLabelVectorTests.LayerDigests["C"];

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static byte[] ReplicaIds(int sectors, int seed)
    {
        var ids = new byte[32 * sectors];
        new Random(seed).NextBytes(ids);
        for (var s = 0; s < sectors; s++)
        {
            ids[(32 * s) + 31] &= 0x3F;
        }

        return ids;
    }

    /// <summary>
    /// Two layers per sector, every one made of blocks of 2^shift nodes drawn in shuffled order from one
    /// pool, so neighbouring blocks of a layer are neither adjacent nor in order in memory.
    /// </summary>
    private sealed class ScatteredLayers : IDisposable
    {
        private readonly NativeBuffer _pool;
        private readonly NativeBuffer _tables;
        private readonly LayerBlocks[][] _layers;

        public ScatteredLayers(int sectors, ulong nodes, int shift, int seed)
        {
            var blocks = LayerBlocks.BlockCountFor(nodes, shift);
            var blockBytes = 32UL << shift;
            var total = (int)blocks * 2 * sectors;
            _pool = new NativeBuffer((ulong)total * blockBytes, zero: true);
            _tables = new NativeBuffer((ulong)total * (ulong)sizeof(nint));
            var order = Enumerable.Range(0, total).ToArray();
            new Random(seed).Shuffle(order);
            var table = (byte**)_tables.Pointer;
            for (var i = 0; i < total; i++)
            {
                table[i] = _pool.Pointer + ((ulong)order[i] * blockBytes);
            }

            _layers = new LayerBlocks[2][];
            for (var which = 0; which < 2; which++)
            {
                _layers[which] = new LayerBlocks[sectors];
                for (var s = 0; s < sectors; s++)
                {
                    _layers[which][s] = new LayerBlocks(table + ((((2 * s) + which) * (int)blocks)), shift, nodes);
                }
            }
        }

        /// <summary>Layer <paramref name="which"/> (0 or 1) of every sector.</summary>
        public LayerBlocks[] Layers(int which) => _layers[which];

        public byte[] Gather(LayerBlocks layer)
        {
            var bytes = new byte[layer.Nodes * 32];
            for (ulong v = 0; v < layer.Nodes; v++)
            {
                new ReadOnlySpan<byte>(layer.Label(v), 32).CopyTo(bytes.AsSpan((int)(32 * v)));
            }

            return bytes;
        }

        public void Dispose()
        {
            _pool.Dispose();
            _tables.Dispose();
        }
    }
}
