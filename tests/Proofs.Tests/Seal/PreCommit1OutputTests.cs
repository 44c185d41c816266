using System.Text;
using Kiln.Proofs.Seal;

namespace Kiln.Proofs.Tests.Seal;

public sealed class PreCommit1OutputTests
{
    private static readonly byte[] CommD = Convert.FromHexString("fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833");

    [Fact]
    public void Rust_json_has_serde_field_order()
    {
        var output = PreCommit1Output.ForCache(SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1), "/tmp/cache", CommD, null);
        var json = Encoding.UTF8.GetString(output.ToRustJson());
        Assert.Equal(
            "{\"registered_proof\":\"StackedDrg2KiBV1_1\",\"labels\":{\"StackedDrg2KiBV1\":{\"labels\":["
            + "{\"path\":\"/tmp/cache\",\"id\":\"layer-1\",\"size\":64,\"rows_to_discard\":0},"
            + "{\"path\":\"/tmp/cache\",\"id\":\"layer-2\",\"size\":64,\"rows_to_discard\":0}],\"_h\":null}},"
            + "\"config\":{\"path\":\"/tmp/cache\",\"id\":\"tree-d\",\"size\":127,\"rows_to_discard\":0},"
            + "\"comm_d\":[252,126,146,130,150,229,22,250,173,233,134,178,143,146,212,74,79,36,185,53,72,82,35,55,106,121,144,39,188,24,248,51]}",
            json);
    }

    [Fact]
    public void Lotus_json_sorts_keys_and_carries_the_ticket()
    {
        var output = PreCommit1Output.ForCache(SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1), "/tmp/cache", CommD, new byte[32]);
        var json = output.ToLotusJson();
        var text = Encoding.UTF8.GetString(json);
        Assert.Equal(
            "{\"_lotus_SealRandomness\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
            + "\"comm_d\":[252,126,146,130,150,229,22,250,173,233,134,178,143,146,212,74,79,36,185,53,72,82,35,55,106,121,144,39,188,24,248,51],"
            + "\"config\":{\"id\":\"tree-d\",\"path\":\"/tmp/cache\",\"rows_to_discard\":0,\"size\":127},"
            + "\"labels\":{\"StackedDrg2KiBV1\":{\"_h\":null,\"labels\":["
            + "{\"id\":\"layer-1\",\"path\":\"/tmp/cache\",\"rows_to_discard\":0,\"size\":64},"
            + "{\"id\":\"layer-2\",\"path\":\"/tmp/cache\",\"rows_to_discard\":0,\"size\":64}]}},"
            + "\"registered_proof\":\"StackedDrg2KiBV1_1\"}",
            text);

        // lotus-bench's help text shows the base64 of this object starting so:
        Assert.StartsWith("eyJfbG90dXNfU2VhbFJhbmRvbW5lc3MiOiJBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", Convert.ToBase64String(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Both_forms_parse_back()
    {
        var ticket = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var output = PreCommit1Output.ForCache(SealProofInfo.Get(RegisteredSealProof.StackedDrg32GiBV1_1), "/data/cache/s-t01000-1", CommD, ticket);
        foreach (var bytes in new[] { output.ToRustJson(), output.ToLotusJson() })
        {
            var back = PreCommit1Output.Parse(bytes);
            Assert.Equal(RegisteredSealProof.StackedDrg32GiBV1_1, back.Proof.Proof);
            Assert.Equal(11, back.Labels.Count);
            Assert.Equal("layer-11", back.Labels[10].Id);
            Assert.Equal(1073741824UL, back.Labels[10].Size);
            Assert.Equal(2147483647UL, back.TreeD.Size);
            Assert.Equal(CommD, back.CommD);
        }

        Assert.Equal(ticket, PreCommit1Output.Parse(output.ToLotusJson()).Ticket);
        Assert.Null(PreCommit1Output.Parse(output.ToRustJson()).Ticket);
    }

    [Fact]
    public void Go_escaping_applies_to_html_characters_only_in_the_lotus_form()
    {
        var output = PreCommit1Output.ForCache(SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1), "/a<b>&\"c\\", CommD, null);
        Assert.Contains("\"path\":\"/a<b>&\\\"c\\\\\"", Encoding.UTF8.GetString(output.ToRustJson()), StringComparison.Ordinal);
        Assert.Contains("\"path\":\"/a\\u003cb\\u003e\\u0026\\\"c\\\\\"", Encoding.UTF8.GetString(output.ToLotusJson()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"registered_proof\":\"StackedDrg4KiBV1\"}")]
    [InlineData("{\"registered_proof\":\"StackedDrg2KiBV1\",\"labels\":{\"StackedDrg8MiBV1\":{}}}")]
    [InlineData("{\"registered_proof\":\"StackedDrg2KiBV1\",\"labels\":{\"StackedDrg2KiBV1\":{\"labels\":[]}},\"config\":{\"path\":\"/c\",\"id\":\"tree-d\",\"size\":127,\"rows_to_discard\":0},\"comm_d\":[1,2]}")]
    public void Malformed_output_is_a_clear_error(string json)
    {
        var e = Assert.ThrowsAny<ProofsException>(() => PreCommit1Output.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.NotEmpty(e.Message);
    }
}
