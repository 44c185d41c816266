using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Kiln.Proofs.Fields;
using Kiln.Proofs.Merkle;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;

namespace Kiln.Proofs.Tests.Seal;

/// <summary>PreCommit2 from Kiln's PC1 output: the CIDs of Lotus cmd/lotus-bench/simple.go's example steps, file layouts, resumption
/// and bad input.</summary>
public sealed class PreCommit2Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-pc2-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Sector(PreCommit1Output Pc1, string Cache, string Sealed, byte[] Data);

    private async Task<Sector> PreCommit1Async(RegisteredSealProof proof, byte[] ticket, byte[]? payload = null, string name = "s")
    {
        var info = SealProofInfo.Get(proof);
        var unpadded = new PaddedPieceSize(info.SectorSize).Unpadded();
        payload ??= new byte[unpadded.Value];
        var unsealed = Path.Combine(_dir, name + "-unsealed");
        var piece = (await AddPiece.WriteAsync(unsealed, info.SectorSize, [], unpadded, new MemoryStream(payload), CancellationToken.None)).Piece;
        var cache = Path.Combine(_dir, name + "-cache");
        var sealedPath = Path.Combine(_dir, name + "-sealed");
        var request = new PreCommit1Request(info, unsealed, sealedPath, cache, 1000, 1, ticket, [piece]);
        var pc1 = await PreCommit1.RunAsync(request, new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") });
        return new Sector(pc1, cache, sealedPath, File.ReadAllBytes(unsealed)[..(int)info.SectorSize]);
    }

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task Lotus_bench_2KiB_example_seals_to_the_upstream_comm_r()
    {
        var sector = await PreCommit1Async(RegisteredSealProof.StackedDrg2KiBV1_1, new byte[32]);
        var output = PreCommit2.Run(PreCommit1Output.Parse(sector.Pc1.ToLotusJson()), sector.Cache, sector.Sealed);

        Assert.Equal("bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c", output.SealedCid);
        Assert.Equal("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", output.UnsealedCid);
        Assert.Equal("95dd0e3fd2b1226dfcff24b2c337b96a965aebea8fa2c3ed1a0470582191de0b", Convert.ToHexStringLower(output.CommC));
        Assert.Equal("d75cfa6d30ece5e2d0354a1f855d7fb128e42e84a16a133278fd9ea8b72a8f15", Convert.ToHexStringLower(output.CommRLast));

        // The cache directory: replica = layer 2 (zero data), tree-c without "-0", tree-r-last = the root alone, p_aux.
        Assert.Equal("a03d8ab5008d9659f6d45032fb1a6a1c49ad788af2465685b33081f05544de5d", Sha(sector.Sealed));
        Assert.Equal("9220a7c6bcd4fc2c113545b0dc929b0f832084989cb9f01ff9b3f6f419a0a416", Sha(Path.Combine(sector.Cache, "sc-02-data-tree-c.dat")));
        Assert.Equal(output.CommRLast, File.ReadAllBytes(Path.Combine(sector.Cache, "sc-02-data-tree-r-last.dat")));
        Assert.Equal([.. output.CommC, .. output.CommRLast], File.ReadAllBytes(Path.Combine(sector.Cache, "p_aux")));
        Assert.Equal(output.CommC, PersistentAux.Read(sector.Cache).CommC);
        Assert.DoesNotContain(Directory.GetFiles(sector.Cache), f => f.EndsWith("tmp", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(RegisteredSealProof.StackedDrg2KiBV1_1, 1, "bagboea4b5abca52cioilg33uvtkzlranby2b6t576gdch7vprlls7zz5osinbvs4")]
    [InlineData(RegisteredSealProof.StackedDrg2KiBV1, 0, "bagboea4b5abcbgx4kkasmjodu6zf5ykfgnz2gh3kklelclqgyp7nyitlfbk4ocbh")]
    public async Task Other_tickets_and_api_versions_give_the_derived_comm_r(RegisteredSealProof proof, byte ticketByte, string commR)
    {
        var sector = await PreCommit1Async(proof, Enumerable.Repeat(ticketByte, 32).ToArray());
        Assert.Equal(commR, (await PreCommit2.RunAsync(sector.Pc1, sector.Cache, sector.Sealed)).SealedCid);
    }

    [Fact]
    public async Task The_replica_is_data_plus_the_last_layer_and_decodes_back()
    {
        var payload = new byte[2032];
        new Random(11).NextBytes(payload);
        var sector = await PreCommit1Async(RegisteredSealProof.StackedDrg2KiBV1_1, Enumerable.Repeat((byte)3, 32).ToArray(), payload);
        var output = PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed);

        var replica = File.ReadAllBytes(sector.Sealed);
        var key = File.ReadAllBytes(CacheFiles.Layer(sector.Cache, 2));
        var decoded = new byte[replica.Length];
        Assert.Equal(-1, Fr.AddCanonical(replica, key, decoded, subtract: true));
        Assert.Equal(sector.Data, decoded);
        for (var n = 0; n < 64; n += 21)
        {
            var expected = Fr.FromBytes(sector.Data.AsSpan(n * 32, 32)) + Fr.FromBytes(key.AsSpan(n * 32, 32));
            Assert.Equal(expected.ToBytes(), replica[(n * 32)..((n + 1) * 32)]);
        }

        Assert.Equal(output.CommRLast, PoseidonTree.Root(replica, 8));
        Assert.NotEqual(ZeroComm.ForPaddedSize(2048).ToArray(), output.CommD);
    }

    [Fact]
    public async Task T_aux_is_the_bincode_of_the_stores()
    {
        var sector = await PreCommit1Async(RegisteredSealProof.StackedDrg2KiBV1_1, new byte[32]);
        PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed);
        var t = File.ReadAllBytes(Path.Combine(sector.Cache, "t_aux"));
        var pos = 0;
        Assert.Equal(2UL, U64());
        Assert.Equal((sector.Cache, "layer-1", 64UL, 0UL), Store());
        Assert.Equal((sector.Cache, "layer-2", 64UL, 0UL), Store());
        Assert.Equal((sector.Cache, "tree-d", 127UL, 0UL), Store());
        Assert.Equal((sector.Cache, "tree-r-last", 73UL, 1UL), Store());
        Assert.Equal((sector.Cache, "tree-c", 73UL, 0UL), Store());
        Assert.Equal(t.Length, pos);

        ulong U64()
        {
            var v = BinaryPrimitives.ReadUInt64LittleEndian(t.AsSpan(pos));
            pos += 8;
            return v;
        }

        string Str()
        {
            var n = (int)U64();
            var s = Encoding.UTF8.GetString(t, pos, n);
            pos += n;
            return s;
        }

        (string, string, ulong, ulong) Store()
        {
            var path = Str();
            var id = Str();
            Assert.Equal(1, t[pos++]);
            var size = U64();
            return (path, id, size, U64());
        }
    }

    [Fact]
    public async Task Eight_MiB_sector_files_have_the_shape_sizes_and_an_interrupted_run_resumes_to_the_same_comm_r()
    {
        var sector = await PreCommit1Async(RegisteredSealProof.StackedDrg8MiBV1_1, Enumerable.Repeat((byte)7, 32).ToArray());
        var original = File.ReadAllBytes(sector.Sealed);

        // Interrupt the encoding after its first chunk.
        using (var cts = new CancellationTokenSource())
        {
            var progress = new SyncProgress(p =>
            {
                if (p.Phase == "tree-r-last")
                {
                    cts.Cancel();
                }
            });
            Assert.ThrowsAny<OperationCanceledException>(() => PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed, progress, cancellationToken: cts.Token));
        }

        Assert.False(File.Exists(PersistentAux.PathIn(sector.Cache)));
        var partly = File.ReadAllBytes(sector.Sealed);
        Assert.NotEqual(original[..(1 << 21)], partly[..(1 << 21)]);
        Assert.Equal(original[(1 << 21)..], partly[(1 << 21)..]);

        var resumed = PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed);
        var replica = File.ReadAllBytes(sector.Sealed);
        Assert.Equal(9_586_976, new FileInfo(Path.Combine(sector.Cache, "sc-02-data-tree-c.dat")).Length);
        Assert.Equal(18_720, new FileInfo(Path.Combine(sector.Cache, "sc-02-data-tree-r-last.dat")).Length);

        // An uninterrupted seal of the same sector elsewhere agrees, byte for byte.
        var again = await PreCommit1Async(RegisteredSealProof.StackedDrg8MiBV1_1, Enumerable.Repeat((byte)7, 32).ToArray(), name: "again");
        var straight = PreCommit2.Run(again.Pc1, again.Cache, again.Sealed);
        Assert.Equal(straight.CommR, resumed.CommR);
        Assert.Equal(File.ReadAllBytes(again.Sealed), replica);

        // A crash between the journal and the write of chunk 2: chunk 2 holds garbage, the journal its original bytes.
        var journal = new byte[24 + (1 << 21)];
        "KILNENC1"u8.CopyTo(journal);
        BinaryPrimitives.WriteUInt64LittleEndian(journal.AsSpan(8), 2UL << 21);
        BinaryPrimitives.WriteUInt64LittleEndian(journal.AsSpan(16), 1UL << 21);
        original.AsSpan(2 << 21, 1 << 21).CopyTo(journal.AsSpan(24));
        File.WriteAllBytes(Path.Combine(again.Cache, "pc2-encode.journal"), journal);
        var torn = replica.ToArray();
        original.AsSpan(3 << 21).CopyTo(torn.AsSpan(3 << 21));
        torn.AsSpan(2 << 21, 4096).Fill(0x2a);
        File.WriteAllBytes(again.Sealed, torn);
        Assert.Equal(straight.CommR, PreCommit2.Run(again.Pc1, again.Cache, again.Sealed).CommR);
        Assert.Equal(replica, File.ReadAllBytes(again.Sealed));

        // Once done, PC2 runs again without encoding twice.
        Assert.Equal(straight.CommR, PreCommit2.Run(again.Pc1, again.Cache, again.Sealed).CommR);
        Assert.Equal(replica, File.ReadAllBytes(again.Sealed));
    }

    [Fact]
    public async Task Missing_short_or_damaged_files_are_clear_errors_and_leave_the_sealed_file_as_it_was()
    {
        var sector = await PreCommit1Async(RegisteredSealProof.StackedDrg2KiBV1_1, new byte[32]);

        var layer1 = CacheFiles.Layer(sector.Cache, 1);
        var saved = File.ReadAllBytes(layer1);
        File.Delete(layer1);
        var e = Assert.Throws<ProofsException>(() => PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed));
        Assert.Contains("layer file", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        File.WriteAllBytes(layer1, saved[..1024]);
        e = Assert.Throws<ProofsException>(() => PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed));
        Assert.Contains("is 1024 bytes, expected 2048", e.Message, StringComparison.Ordinal);
        File.WriteAllBytes(layer1, saved);

        // A node of the data that is no field element (no Fr32 padding): refused before the file is touched.
        var data = File.ReadAllBytes(sector.Sealed);
        data.AsSpan(5 * 32, 32).Fill(0xff);
        File.WriteAllBytes(sector.Sealed, data);
        e = Assert.Throws<ProofsException>(() => PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed));
        Assert.Contains("node 5", e.Message, StringComparison.Ordinal);
        Assert.Equal(data, File.ReadAllBytes(sector.Sealed));
        Assert.False(File.Exists(PersistentAux.PathIn(sector.Cache)));

        var bad = new PreCommit1Output(sector.Pc1.Proof, sector.Pc1.Labels, sector.Pc1.TreeD, Enumerable.Repeat((byte)0xff, 32).ToArray(), null);
        Assert.Contains("comm_d", Assert.Throws<ProofsException>(() => PreCommit2.Run(bad, sector.Cache, sector.Sealed)).Message, StringComparison.Ordinal);
        File.WriteAllBytes(Path.Combine(sector.Cache, "pc2-encode.journal"), "garbage"u8.ToArray());
        data.AsSpan(5 * 32, 32).Clear();
        File.WriteAllBytes(sector.Sealed, data);
        Assert.Contains("not a replica encoding journal", Assert.Throws<ProofsException>(() => PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tree_shapes_per_sector_size_match_the_spec_table()
    {
        Assert.Equal((1, 0, 0), Shape(2 << 10));
        Assert.Equal((2, 2, 0), Shape(4 << 10));
        Assert.Equal((8, 8, 0), Shape(16 << 10));
        Assert.Equal((16, 8, 2), Shape(32 << 10));
        Assert.Equal((8, 8, 0), Shape(32UL << 30));
        Assert.Equal((16, 8, 2), Shape(64UL << 30));
        Assert.Equal(2, SectorTreeShape.For(32UL << 30).RowsToDiscard);
        Assert.Equal(1, SectorTreeShape.For(2 << 10).RowsToDiscard);
        Assert.Equal(9_586_976, SectorTreeShape.For(32UL << 30).Base.LevelCacheLength(2) * 32);
        Assert.Equal(4_908_534_048, SectorTreeShape.For(32UL << 30).Base.Length * 32);
        Assert.Equal("tree-c-7", SectorTreeShape.For(32UL << 30).SplitId("tree-c", 7));
        Assert.Equal("tree-c", SectorTreeShape.For(512UL << 20).SplitId("tree-c", 0));
        Assert.Throws<ProofsException>(() => SectorTreeShape.For(3 << 10));

        static (int, int, int) Shape(ulong size)
        {
            var s = SectorTreeShape.For(size);
            return (s.TreeCount, s.SubArity, s.TopArity);
        }
    }

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<PreCommit2Progress> report) : IProgress<PreCommit2Progress>
    {
        public void Report(PreCommit2Progress value) => report(value);
    }
}
