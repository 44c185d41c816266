using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Tests.Sdr;

public sealed class ReplicaIdTests
{
    [Theory]
    [InlineData(1000UL, "e807000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(123456UL, "c0c4070000000000000000000000000000000000000000000000000000000000")]
    [InlineData(0UL, "0000000000000000000000000000000000000000000000000000000000000000")]
    public void Prover_id_is_the_leb128_actor_id(ulong actor, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(ProverId.FromActorId(actor)));
    }

    [Theory]
    [InlineData("t01000", 1000UL)]
    [InlineData("f0123456", 123456UL)]
    [InlineData("t00", 0UL)]
    public void Id_addresses_parse(string address, ulong actor)
    {
        Assert.Equal(actor, ProverId.ParseIdAddress(address));
    }

    [Theory]
    [InlineData("t1abc")]
    [InlineData("x01000")]
    [InlineData("t0")]
    [InlineData("t001")]
    [InlineData("t0x")]
    public void Non_id_addresses_are_rejected(string address)
    {
        Assert.Throws<FormatException>(() => ProverId.ParseIdAddress(address));
    }

    // storage-proofs-porep stacked/vanilla/params.rs generate_replica_id on the inputs of Lotus cmd/lotus-bench/simple.go
    // simplePreCommit1 (prover t01000, sector 1, ticket 01×32) with the zero comm_d of the size.
    [Theory]
    [InlineData(RegisteredSealProof.StackedDrg2KiBV1, "fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833", "833e3d0ec6313d5110118382a53eadc8851b3bdc3c64d9d0a9515f36d630ee22")]
    [InlineData(RegisteredSealProof.StackedDrg2KiBV1_1, "fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833", "3e75e87332cd5d60132c1f9f9a8362e2e4cf190b46f4fd636fd8864b842d170b")]
    [InlineData(RegisteredSealProof.StackedDrg8MiBV1_1, "65f29e5d98d246c38b388cfc06db1f6b021303c5a289000bdce832a9c3ec421c", "49808a3f801fc76f8e0a19e5f87f2810b61d0fb8cef7816a7396ab91d1774f3e")]
    [InlineData(RegisteredSealProof.StackedDrg32GiBV1, "077e5fde35c50a9303a55009e3498a4ebedff39c42b710b730d8ec7ac7afa63e", "ba29d1c1a87a3f6317632df51c89602743d54112915855a3cdc992523eff783e")]
    [InlineData(RegisteredSealProof.StackedDrg32GiBV1_1, "077e5fde35c50a9303a55009e3498a4ebedff39c42b710b730d8ec7ac7afa63e", "811d73e7ee9eafa5bc99ab8fe59db4df58732314297c036a8b4f8a571b48a119")]
    [InlineData(RegisteredSealProof.StackedDrg32GiBV1_1_Feat_SyntheticPoRep, "077e5fde35c50a9303a55009e3498a4ebedff39c42b710b730d8ec7ac7afa63e", "5639b7dd35961765a66b2e2f9b412d721febba1fb6d3646840442192906a0c22")]
    public void Replica_id_matches_vectors(RegisteredSealProof proof, string commD, string expected)
    {
        var ticket = Enumerable.Repeat((byte)1, 32).ToArray();
        var id = ReplicaId.Compute(ProverId.FromActorId(1000), 1, ticket, Convert.FromHexString(commD), SealProofInfo.Get(proof).PoRepId.Span);
        Assert.Equal(expected, Convert.ToHexStringLower(id));
    }

    [Fact]
    public void Replica_id_of_the_lotus_bench_example_with_zero_ticket()
    {
        // Lotus cmd/lotus-bench/simple.go's example steps: StackedDrg2KiBV1_1, t01000, sector 1, ticket 00×32.
        var id = ReplicaId.Compute(ProverId.FromActorId(1000), 1, new byte[32], Convert.FromHexString("fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833"), SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1).PoRepId.Span);
        Assert.Equal("2940faa406e4c6cbad015e2b08e76fd9e3b0e5b852cea7f8174c02ba33039a01", Convert.ToHexStringLower(id));
    }

    [Fact]
    public void Wrong_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ReplicaId.Compute(new byte[31], 1, new byte[32], new byte[32], new byte[32]));
        Assert.Throws<ArgumentException>(() => ReplicaId.Compute(new byte[32], 1, new byte[33], new byte[32], new byte[32]));
    }
}
