using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;

namespace Kiln.Proofs.Tests.Seal;

/// <summary>
/// The Commit1 check after PC2 (Lotus ffiwrapper SealPreCommit2, PC2CheckRounds = 3) and the cache PC2 leaves: only names
/// Lotus's cache fetch accepts (storage/sealer/tarutil/systar.go CacheFileConstraints), whether PC2 succeeds or fails.
/// </summary>
public sealed class PreCommitCheckTests : IDisposable
{
    private const ulong Miner = 1000;
    private const ulong Number = 3;

    /// <summary>The names Lotus's tar extraction of a cache directory accepts (systar.go CacheFileConstraints), and rust's one-tree tree_c.</summary>
    private static readonly HashSet<string> LotusCacheNames =
    [
        "p_aux", "t_aux", "sc-02-data-tree-r-last.dat", "sc-02-data-tree-d.dat",
        .. Enumerable.Range(0, 16).Select(i => $"sc-02-data-tree-r-last-{i}.dat"),
        .. Enumerable.Range(0, 16).Select(i => $"sc-02-data-tree-c-{i}.dat"),
        .. Enumerable.Range(1, 11).Select(i => $"sc-02-data-layer-{i}.dat"),

        // Not in Lotus's list, yet the name rust-fil-proofs itself gives tree_c of a one-tree sector (2 KiB to 512 MiB):
        // Lotus cannot move such an unfinalized cache either. Every other name here is on the list.
        "sc-02-data-tree-c.dat",
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-pc2check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Sector(PreCommit1Output Pc1, string Cache, string Sealed);

    private async Task<Sector> PreCommit1Async(RegisteredSealProof proof, byte[] payload)
    {
        var info = SealProofInfo.Get(proof);
        var unsealed = Path.Combine(_dir, "unsealed");
        var piece = (await AddPiece.WriteAsync(unsealed, info.SectorSize, [], new UnpaddedPieceSize((ulong)payload.Length), new MemoryStream(payload), CancellationToken.None)).Piece;
        var cache = Path.Combine(_dir, "cache");
        var sealedPath = Path.Combine(_dir, "sealed");
        var ticket = Enumerable.Repeat((byte)9, 32).ToArray();
        var pc1 = await PreCommit1.RunAsync(new PreCommit1Request(info, unsealed, sealedPath, cache, Miner, Number, ticket, [piece]), new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") });
        return new Sector(PreCommit1Output.Parse(pc1.ToLotusJson()), cache, sealedPath);
    }

    private static byte[] Payload(ulong sectorSize, int seed)
    {
        var payload = new byte[new PaddedPieceSize(sectorSize).Unpadded().Value];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    [Fact]
    public async Task A_sound_pc2_passes_the_check_and_leaves_only_lotus_cache_names()
    {
        var sector = await PreCommit1Async(RegisteredSealProof.StackedDrg2KiBV1_1, Payload(2048, 1));
        var output = await PreCommit2.RunAsync(sector.Pc1, sector.Cache, sector.Sealed);

        var seeds = new List<byte[]>();
        Assert.True(PreCommitCheck.Run(sector.Pc1, output, sector.Cache, sector.Sealed, Miner, Number, round =>
        {
            var seed = Enumerable.Repeat((byte)(round + 1), 32).ToArray();
            seed[31] = 0;
            seeds.Add(seed);
            return seed;
        }));
        Assert.Equal(PreCommitCheck.Rounds, seeds.Count);
        Assert.True(await PreCommitCheck.RunAsync(sector.Pc1, output, sector.Cache, sector.Sealed, Miner, Number));

        var names = Directory.GetFiles(sector.Cache).Select(Path.GetFileName).ToList();
        Assert.All(names, n => Assert.Contains(n!, LotusCacheNames));
        Assert.Equal(7, names.Count); // two layers, tree-d, tree-c, tree-r-last, p_aux and t_aux: no journal
        Assert.DoesNotContain(ReplicaEncoding.JournalName, names);
    }

    [Fact]
    public async Task A_replica_node_damaged_after_pc2_fails_the_check()
    {
        var sector = await PreCommit1Async(RegisteredSealProof.StackedDrg2KiBV1_1, Payload(2048, 2));
        var output = await PreCommit2.RunAsync(sector.Pc1, sector.Cache, sector.Sealed);
        var seed = Enumerable.Repeat((byte)0x5a, 32).ToArray();
        var replicaId = ReplicaId.Compute(ProverId.FromActorId(Miner), Number, sector.Pc1.Ticket!, output.CommD, output.Proof.PoRepId.Span);
        var challenged = PoRepChallenges.Derive(replicaId, seed, output.Proof.Nodes, 0, PoRepChallenges.Layout(output.Proof).PerPartition)[0];

        // Flip the lowest bit of the challenged replica node: still a field element, no longer the replica.
        var replica = File.ReadAllBytes(sector.Sealed);
        replica[challenged * 32] ^= 1;
        File.WriteAllBytes(sector.Sealed, replica);

        var e = Assert.Throws<ProofsException>(() => PreCommitCheck.Run(sector.Pc1, output, sector.Cache, sector.Sealed, Miner, Number, _ => seed));
        Assert.StartsWith("checking PreCommit failed: ", e.Message, StringComparison.Ordinal);
        Assert.Contains($"challenge {challenged}", e.Message, StringComparison.Ordinal);
        Assert.Contains("s-t01000-3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_ticket_in_the_pc1_output_there_is_nothing_to_check_with()
    {
        var sector = await PreCommit1Async(RegisteredSealProof.StackedDrg2KiBV1_1, Payload(2048, 3));
        var output = await PreCommit2.RunAsync(sector.Pc1, sector.Cache, sector.Sealed);
        var noTicket = new PreCommit1Output(sector.Pc1.Proof, sector.Pc1.Labels, sector.Pc1.TreeD, sector.Pc1.CommD, null);
        File.WriteAllBytes(sector.Sealed, new byte[2048]); // would fail any check
        Assert.False(PreCommitCheck.Run(noTicket, output, sector.Cache, sector.Sealed, Miner, Number));
    }

    [Fact]
    public async Task A_pc2_that_fails_after_encoding_some_chunks_undoes_them_and_leaves_no_journal()
    {
        var sector = await PreCommit1Async(RegisteredSealProof.StackedDrg8MiBV1_1, Payload(8 << 20, 4));
        var data = File.ReadAllBytes(sector.Sealed);

        // A node of the fourth 2 MiB chunk that is no field element: three chunks are encoded before PC2 meets it.
        var damaged = data.ToArray();
        damaged.AsSpan((3 << 21) + 64, 32).Fill(0xff);
        File.WriteAllBytes(sector.Sealed, damaged);
        var e = Assert.Throws<ProofsException>(() => PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed));
        Assert.Contains($"node {((3 << 21) + 64) / 32}", e.Message, StringComparison.Ordinal);

        Assert.Equal(damaged, File.ReadAllBytes(sector.Sealed));
        var names = Directory.GetFiles(sector.Cache).Select(Path.GetFileName).ToList();
        Assert.All(names, n => Assert.Contains(n!, LotusCacheNames));
        Assert.DoesNotContain(ReplicaEncoding.JournalName, names);
        Assert.False(File.Exists(PersistentAux.PathIn(sector.Cache)));

        // Repaired, PC2 encodes from the start and seals what an uninterrupted PC2 seals; a second run does not encode twice.
        File.WriteAllBytes(sector.Sealed, data);
        var output = PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed);
        var replica = File.ReadAllBytes(sector.Sealed);
        Assert.True(PreCommitCheck.Run(sector.Pc1, output, sector.Cache, sector.Sealed, Miner, Number));
        Assert.Equal(output.CommR, PreCommit2.Run(sector.Pc1, sector.Cache, sector.Sealed).CommR);
        Assert.Equal(replica, File.ReadAllBytes(sector.Sealed));
        Assert.DoesNotContain(ReplicaEncoding.JournalName, Directory.GetFiles(sector.Cache).Select(Path.GetFileName));
    }
}
