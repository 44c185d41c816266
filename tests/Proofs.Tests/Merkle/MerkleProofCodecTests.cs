using System.Text;
using Kiln.Proofs.Merkle;

namespace Kiln.Proofs.Tests.Merkle;

/// <summary>The bincode (inside <c>FallbackPoStSectorProof</c>) and serde JSON (inside C1 output) forms of rust-fil-proofs
/// storage-proofs-core merkle/proof.rs <c>MerkleProof</c>.</summary>
public class MerkleProofCodecTests
{
    private static byte[] Node(byte b) => Enumerable.Repeat(b, 32).ToArray();

    private static MerkleProof SubProof() => new(
        MerkleHasher.Poseidon,
        Node(9),
        Node(1),
        new InclusionPath([new PathElement(Node(2).Concat(Node(3)).Concat(Node(4)).ToArray(), 2)]),
        new InclusionPath([new PathElement(Node(5), 1)]));

    [Fact]
    public void Bincode_layout_of_a_sub_proof()
    {
        var bytes = MerkleProofBincode.ToBytes(SubProof());

        // u32 1 ‖ base path (u64 1 ‖ u64 3 ‖ 3 nodes ‖ u64 2) ‖ sub path (u64 1 ‖ u64 1 ‖ node ‖ u64 1) ‖ root ‖ leaf
        var expected = new List<byte>();
        expected.AddRange(BitConverter.GetBytes(1u));
        expected.AddRange(BitConverter.GetBytes(1UL));
        expected.AddRange(BitConverter.GetBytes(3UL));
        expected.AddRange(Node(2).Concat(Node(3)).Concat(Node(4)));
        expected.AddRange(BitConverter.GetBytes(2UL));
        expected.AddRange(BitConverter.GetBytes(1UL));
        expected.AddRange(BitConverter.GetBytes(1UL));
        expected.AddRange(Node(5));
        expected.AddRange(BitConverter.GetBytes(1UL));
        expected.AddRange(Node(9));
        expected.AddRange(Node(1));
        Assert.Equal(expected, bytes);

        var back = MerkleProofBincode.Read(bytes.Concat(new byte[5]).ToArray(), MerkleHasher.Poseidon, out var read);
        Assert.Equal(bytes.Length, read);
        Assert.Equal(MerkleProofKind.Sub, back.Kind);
        Assert.Equal(2 + (4 * 1), back.LeafIndex);
        Assert.Equal(bytes, MerkleProofBincode.ToBytes(back));
    }

    [Fact]
    public void Json_form_is_serdes()
    {
        var json = Encoding.UTF8.GetString(MerkleProofJson.ToJson(SubProof()));

        string N(byte b) => "[" + string.Join(',', Enumerable.Repeat(b, 32)) + "]";
        Assert.Equal(
            "{\"data\":{\"Sub\":{\"base_proof\":{\"path\":[{\"hashes\":[" + N(2) + "," + N(3) + "," + N(4) + "],\"index\":2}]},"
            + "\"sub_proof\":{\"path\":[{\"hashes\":[" + N(5) + "],\"index\":1}]},\"root\":" + N(9) + ",\"leaf\":" + N(1) + "}}}",
            json);

        // Any field order, unknown fields and whitespace are accepted.
        var reordered = "{ \"data\": { \"Sub\": { \"leaf\": " + N(1) + ", \"root\": " + N(9) + ", \"extra\": {\"x\": [1, 2]},"
            + " \"sub_proof\": {\"path\": [{\"index\": 1, \"hashes\": [" + N(5) + "]}]},"
            + " \"base_proof\": {\"path\": [{\"hashes\": [" + N(2) + "," + N(3) + "," + N(4) + "], \"index\": 2}]} } } }";
        Assert.Equal(MerkleProofBincode.ToBytes(SubProof()), MerkleProofBincode.ToBytes(MerkleProofJson.Parse(Encoding.UTF8.GetBytes(reordered), MerkleHasher.Poseidon)));
    }

    [Theory]
    [InlineData("{\"data\":{\"Middle\":{}}}", "unknown Merkle proof variant")]
    [InlineData("{\"data\":{\"Single\":{\"root\":[1,2],\"leaf\":[],\"path\":{\"path\":[]}}}}", "a node has 32 byte values")]
    [InlineData("{\"data\":{\"Single\":{\"leaf\":[],\"path\":{\"path\":[]}}}}", "a node has 32 byte values")]
    [InlineData("{\"nodata\":1}", "has no \"data\"")]
    [InlineData("{\"data\":{\"Single\":", "malformed Merkle proof JSON")]
    [InlineData("[1]", "is a JSON object")]
    public void Malformed_json_is_a_clear_error(string json, string message)
    {
        var e = Assert.Throws<ProofsException>(() => MerkleProofJson.Parse(Encoding.UTF8.GetBytes(json), MerkleHasher.Poseidon));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_bincode_is_a_clear_error()
    {
        var bytes = MerkleProofBincode.ToBytes(SubProof());

        Assert.Contains("ends after", Assert.Throws<ProofsException>(() => MerkleProofBincode.Parse(bytes[..^1], MerkleHasher.Poseidon)).Message, StringComparison.Ordinal);
        Assert.Contains("after its end", Assert.Throws<ProofsException>(() => MerkleProofBincode.Parse(bytes.Append((byte)0).ToArray(), MerkleHasher.Poseidon)).Message, StringComparison.Ordinal);

        var tag = (byte[])bytes.Clone();
        tag[0] = 3;
        Assert.Contains("unknown proof variant 3", Assert.Throws<ProofsException>(() => MerkleProofBincode.Parse(tag, MerkleHasher.Poseidon)).Message, StringComparison.Ordinal);

        var count = (byte[])bytes.Clone();
        count[11] = 0x10; // path element count 2^60 + 1
        Assert.Contains("claims", Assert.Throws<ProofsException>(() => MerkleProofBincode.Parse(count, MerkleHasher.Poseidon)).Message, StringComparison.Ordinal);

        var index = (byte[])bytes.Clone();
        index[4 + 8 + 8 + 96] = 4; // index 4 in an arity-4 level
        Assert.Contains("outside arity 4", Assert.Throws<ProofsException>(() => MerkleProofBincode.Parse(index, MerkleHasher.Poseidon)).Message, StringComparison.Ordinal);

        var arity = (byte[])bytes.Clone();
        arity[12] = 2; // 2 siblings: arity 3
        Assert.Throws<ProofsException>(() => MerkleProofBincode.Parse(arity, MerkleHasher.Poseidon));
    }

    [Fact]
    public void Verification_rejects_non_field_nodes_and_sha_levels_that_are_not_binary()
    {
        var nonCanonical = new MerkleProof(MerkleHasher.Poseidon, Node(1), Node(0xff), new InclusionPath([new PathElement(Node(2), 0)]));
        Assert.False(nonCanonical.Verify());

        var quad = new MerkleProof(MerkleHasher.Sha254, Node(1), Node(1), new InclusionPath([new PathElement(new byte[96], 0)]));
        Assert.False(quad.Verify());
    }
}
