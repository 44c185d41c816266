using System.Text;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;

namespace Kiln.Proofs.Tests.Seal;

/// <summary>Commit1 on sectors sealed by Kiln's PC1 and PC2: challenges (rust-fil-proofs' seal regression records), the JSON, verification and bad input.</summary>
public sealed class Commit1Tests : IDisposable
{
    private static readonly byte[] Seed = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-c1-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(Commit1Request Request, PreCommit2Output Pc2)> SealAsync(RegisteredSealProof proof, string name = "s", byte[]? payload = null)
    {
        var info = SealProofInfo.Get(proof);
        var unpadded = new PaddedPieceSize(info.SectorSize).Unpadded();
        if (payload is null)
        {
            payload = new byte[unpadded.Value];
            new Random(3).NextBytes(payload);
        }

        var unsealed = Path.Combine(_dir, name + "-unsealed");
        var piece = (await AddPiece.WriteAsync(unsealed, info.SectorSize, [], unpadded, new MemoryStream(payload), CancellationToken.None)).Piece;
        var cache = Path.Combine(_dir, name + "-cache");
        var sealedPath = Path.Combine(_dir, name + "-sealed");
        var ticket = Enumerable.Repeat((byte)9, 32).ToArray();
        var pc1 = await PreCommit1.RunAsync(new PreCommit1Request(info, unsealed, sealedPath, cache, 1000, 4, ticket, [piece]), new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") });
        var pc2 = await PreCommit2.RunAsync(pc1, cache, sealedPath);
        return (new Commit1Request(info, cache, sealedPath, ProverId.FromActorId(1000), 4, ticket, Seed, pc2.CommR, pc2.CommD, [piece]), pc2);
    }

    [Fact]
    public void Interactive_challenges_match_the_seal_regression_record()
    {
        // rust-fil-proofs filecoin-proofs/tests/seal_regression_records-v16.json, the 2 KiB V1_1_0 record (porep_id 5): its prover_id,
        // sector_id, ticket, comm_d and seed; partition 0, two challenges over 64 nodes.
        var replicaId = Convert.FromHexString("da838d3efe2e28665cd17ebfa274f67af8c3b51dfb01e8c6bf8892e712d62006");
        var seed = Convert.FromHexString("56964257e0d6c11e074117b36172fff3ebd1a6ec18fa79555e58df5a9d889dcb");
        Assert.Equal([57UL, 58UL], PoRepChallenges.Derive(replicaId, seed, 64, 0, 2));
        var computed = ReplicaId.Compute(
            Convert.FromHexString("101cbe4b9c42604f04c703c396f788c6cb2d6d7d58f45430b12eb2edd640076c"),
            9259733836259213201,
            Convert.FromHexString("e8867f2000d5597a0a5f4382c52b8b89890019df5320d486a067f38e6c68624b"),
            Convert.FromHexString("7e45f0925dc72593d6b296100e6ca63e3341c92a50c0e7a9461883a3c959ea28"),
            SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1).PoRepId.Span);
        Assert.Equal(replicaId, computed);
        Assert.Equal((1, 2), PoRepChallenges.Layout(SealProofInfo.Get(RegisteredSealProof.StackedDrg512MiBV1_1)));
        Assert.Equal((10, 18), PoRepChallenges.Layout(SealProofInfo.Get(RegisteredSealProof.StackedDrg32GiBV1_1)));
    }

    [Fact]
    public async Task Two_KiB_commit1_output_has_the_rust_shape_round_trips_and_verifies()
    {
        var (request, _) = await SealAsync(RegisteredSealProof.StackedDrg2KiBV1_1);
        var output = Commit1.Run(request);
        var json = output.ToJson();
        var text = Encoding.UTF8.GetString(json);
        Assert.StartsWith("{\"registered_proof\":\"StackedDrg2KiBV1_1\",\"vanilla_proofs\":{\"StackedDrg2KiBV1\":[[{\"comm_d_proofs\":{\"data\":{\"Single\":{", text, StringComparison.Ordinal);
        Assert.Contains(",\"replica_column_proofs\":{\"c_x\":{\"column\":{\"index\":", text, StringComparison.Ordinal);
        Assert.Contains("\"_h\":null},\"inclusion_proof\":{\"data\":{\"Single\":", text, StringComparison.Ordinal);
        Assert.Contains("],\"layer_index\":2,\"node\":", text, StringComparison.Ordinal);
        Assert.EndsWith("\"ticket\":[" + string.Join(",", Enumerable.Repeat("9", 32)) + "]}", text, StringComparison.Ordinal);

        var parsed = Commit1Output.Parse(json);
        Assert.Equal(json, parsed.ToJson());
        Assert.Null(PoRepVerifier.Verify(parsed, request.ProverId, request.SectorNumber));
        var proof = Assert.Single(Assert.Single(parsed.Partitions).Take(1));
        Assert.Equal(2, parsed.Partitions[0].Count);
        Assert.Equal(37, proof.LabelingProofs[0].Parents.Count);
        Assert.Equal(2, proof.Column.Rows.Count);
        Assert.Equal(6, proof.DrgParents.Count);
        Assert.Equal(8, proof.ExpParents.Count);

        // Another sector number changes replica_id: the proofs no longer verify for it.
        Assert.NotNull(PoRepVerifier.Verify(parsed, request.ProverId, request.SectorNumber + 1));
    }

    [Fact]
    public async Task A_tampered_proof_fails_verification()
    {
        var (request, _) = await SealAsync(RegisteredSealProof.StackedDrg2KiBV1_1);
        var text = Encoding.UTF8.GetString(Commit1.Run(request).ToJson());
        // Change one byte of the first labeling proof's first parent.
        var at = text.IndexOf("\"labeling_proofs\":[{\"parents\":[[", StringComparison.Ordinal) + "\"labeling_proofs\":[{\"parents\":[[".Length;
        var end = text.IndexOf(',', at);
        var value = int.Parse(text[at..end], System.Globalization.CultureInfo.InvariantCulture);
        var tampered = text[..at] + ((value + 1) % 64).ToString(System.Globalization.CultureInfo.InvariantCulture) + text[end..];
        var problem = PoRepVerifier.Verify(Commit1Output.Parse(Encoding.UTF8.GetBytes(tampered)), request.ProverId, request.SectorNumber);
        Assert.NotNull(problem);
    }

    [Fact]
    public async Task Eight_MiB_sector_seals_through_commit1_with_verifiable_proofs()
    {
        var (request, pc2) = await SealAsync(RegisteredSealProof.StackedDrg8MiBV1_1, "eight", new byte[8323072]);
        var output = Commit1.Run(request);
        Assert.Null(PoRepVerifier.Verify(Commit1Output.Parse(output.ToJson()), request.ProverId, request.SectorNumber));
        Assert.Equal(pc2.CommR, output.CommR);
        Assert.All(output.Partitions[0], p => Assert.Equal(6, p.CommRLastProof.PathLength));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_clear_error()
    {
        var (request, _) = await SealAsync(RegisteredSealProof.StackedDrg2KiBV1_1);
        var notInField = Enumerable.Repeat((byte)0xff, 32).ToArray();
        Assert.Contains("comm_r must be a 32-byte field element", Assert.Throws<ProofsException>(() => Commit1.Run(request with { CommR = notInField })).Message, StringComparison.Ordinal);
        var otherR = (byte[])request.CommR.Clone();
        otherR[0] ^= 1;
        Assert.Contains("is not the sector's", Assert.Throws<ProofsException>(() => Commit1.Run(request with { CommR = otherR })).Message, StringComparison.Ordinal);
        Assert.Contains("pieces and comm_d do not match", Assert.Throws<ProofsException>(() => Commit1.Run(request with { Pieces = [PieceCommitment.Pad(new PaddedPieceSize(2048))] })).Message, StringComparison.Ordinal);
        Assert.Contains("seed must be 32 bytes", Assert.Throws<ProofsException>(() => Commit1.Run(request with { Seed = new byte[3] })).Message, StringComparison.Ordinal);

        // A damaged replica node that a challenge reads makes generation fail instead of emitting a bad proof.
        var challenges = PoRepChallenges.Derive(ReplicaId.Compute(request.ProverId, request.SectorNumber, request.Ticket, request.CommD, request.Proof.PoRepId.Span), request.Seed, 64, 0, 2);
        var replica = File.ReadAllBytes(request.ReplicaPath);
        replica[(int)challenges[0] * 32] ^= 1;
        File.WriteAllBytes(request.ReplicaPath, replica);
        Assert.Contains("does not verify", Assert.Throws<ProofsException>(() => Commit1.Run(request)).Message, StringComparison.Ordinal);

        File.Delete(Path.Combine(request.CacheDir, "sc-02-data-tree-c.dat"));
        Assert.Contains("tree-c", Assert.Throws<ProofsException>(() => Commit1.Run(request)).Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(request.CacheDir, "p_aux"));
        Assert.Contains("p_aux", Assert.Throws<ProofsException>(() => Commit1.Run(request)).Message, StringComparison.Ordinal);
    }
}
