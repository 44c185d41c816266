using System.Buffers;
using System.Text.Json;
using Kiln.Proofs.Merkle;

namespace Kiln.Proofs.Seal;

/// <summary>
/// filecoin-proofs' SealCommitPhase1Output as seal_commit_phase1 returns it through filecoin-ffi
/// (filecoin-proofs/src/types/mod.rs; serde JSON in declared field order, filecoin-ffi
/// rust/src/proofs/api.rs <c>seal_commit_phase1</c>) — the bytes Lotus passes to Commit2 unchanged.
/// </summary>
public sealed class Commit1Output(SealProofInfo proof, IReadOnlyList<IReadOnlyList<PoRepVanillaProof>> partitions, byte[] commR, byte[] commD, byte[] replicaId, byte[] seed, byte[] ticket)
{
    public SealProofInfo Proof { get; } = proof;

    /// <summary>The vanilla proofs, per partition, one per challenge.</summary>
    public IReadOnlyList<IReadOnlyList<PoRepVanillaProof>> Partitions { get; } = partitions;

    public byte[] CommR { get; } = commR;

    public byte[] CommD { get; } = commD;

    public byte[] ReplicaId { get; } = replicaId;

    public byte[] Seed { get; } = seed;

    public byte[] Ticket { get; } = ticket;

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            w.WriteStartObject();
            w.WriteString("registered_proof", Proof.Name);
            w.WriteStartObject("vanilla_proofs");
            w.WriteStartArray(Proof.LabelsVariantName);
            foreach (var partition in Partitions)
            {
                w.WriteStartArray();
                foreach (var p in partition)
                {
                    WriteProof(w, p);
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            MerkleProofJson.WriteNode(w, "comm_r", CommR);
            MerkleProofJson.WriteNode(w, "comm_d", CommD);
            MerkleProofJson.WriteNode(w, "replica_id", ReplicaId);
            MerkleProofJson.WriteNode(w, "seed", Seed);
            MerkleProofJson.WriteNode(w, "ticket", Ticket);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads the JSON back (Kiln's or rust-fil-proofs').</summary>
    /// <exception cref="ProofsException">The JSON is malformed or names an unknown proof.</exception>
    public static Commit1Output Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            var name = root.GetProperty("registered_proof").GetString() ?? string.Empty;
            if (!SealProofInfo.TryParseName(name, out var proof))
            {
                throw new ProofsException($"Commit1 output names an unknown registered proof '{name}'");
            }

            if (!root.GetProperty("vanilla_proofs").TryGetProperty(proof.LabelsVariantName, out var variant))
            {
                throw new ProofsException($"Commit1 output vanilla proofs are not of variant {proof.LabelsVariantName}");
            }

            var partitions = variant.EnumerateArray().Select(p => (IReadOnlyList<PoRepVanillaProof>)p.EnumerateArray().Select(ReadProof).ToArray()).ToArray();
            return new Commit1Output(proof, partitions, ReadNode(root.GetProperty("comm_r")), ReadNode(root.GetProperty("comm_d")), ReadNode(root.GetProperty("replica_id")), ReadNode(root.GetProperty("seed")), ReadNode(root.GetProperty("ticket")));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ProofsException("malformed Commit1 output: " + e.Message, e);
        }
    }

    private static void WriteProof(Utf8JsonWriter w, PoRepVanillaProof p)
    {
        w.WriteStartObject();
        w.WritePropertyName("comm_d_proofs");
        MerkleProofJson.Write(w, p.CommDProof);
        w.WritePropertyName("comm_r_last_proof");
        MerkleProofJson.Write(w, p.CommRLastProof);
        w.WriteStartObject("replica_column_proofs");
        w.WritePropertyName("c_x");
        WriteColumn(w, p.Column);
        w.WriteStartArray("drg_parents");
        foreach (var c in p.DrgParents)
        {
            WriteColumn(w, c);
        }

        w.WriteEndArray();
        w.WriteStartArray("exp_parents");
        foreach (var c in p.ExpParents)
        {
            WriteColumn(w, c);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("labeling_proofs");
        foreach (var l in p.LabelingProofs)
        {
            WriteLabeling(w, l);
        }

        w.WriteEndArray();
        w.WritePropertyName("encoding_proof");
        WriteLabeling(w, p.EncodingProof);
        w.WriteEndObject();
    }

    private static void WriteColumn(Utf8JsonWriter w, ColumnProof c)
    {
        w.WriteStartObject();
        w.WriteStartObject("column");
        w.WriteNumber("index", c.Index);
        w.WriteStartArray("rows");
        foreach (var row in c.Rows)
        {
            MerkleProofJson.WriteNode(w, row);
        }

        w.WriteEndArray();
        w.WriteNull("_h");
        w.WriteEndObject();
        w.WritePropertyName("inclusion_proof");
        MerkleProofJson.Write(w, c.InclusionProof);
        w.WriteEndObject();
    }

    private static void WriteLabeling(Utf8JsonWriter w, LabelingProof l)
    {
        w.WriteStartObject();
        w.WriteStartArray("parents");
        foreach (var parent in l.Parents)
        {
            MerkleProofJson.WriteNode(w, parent);
        }

        w.WriteEndArray();
        w.WriteNumber("layer_index", l.LayerIndex);
        w.WriteNumber("node", l.Node);
        w.WriteEndObject();
    }

    private static PoRepVanillaProof ReadProof(JsonElement e)
    {
        var columns = e.GetProperty("replica_column_proofs");
        return new PoRepVanillaProof(
            ReadMerkle(e.GetProperty("comm_d_proofs"), MerkleHasher.Sha254),
            ReadMerkle(e.GetProperty("comm_r_last_proof"), MerkleHasher.Poseidon),
            ReadColumn(columns.GetProperty("c_x")),
            columns.GetProperty("drg_parents").EnumerateArray().Select(ReadColumn).ToArray(),
            columns.GetProperty("exp_parents").EnumerateArray().Select(ReadColumn).ToArray(),
            e.GetProperty("labeling_proofs").EnumerateArray().Select(ReadLabeling).ToArray(),
            ReadLabeling(e.GetProperty("encoding_proof")));
    }

    private static ColumnProof ReadColumn(JsonElement e)
    {
        var column = e.GetProperty("column");
        return new ColumnProof(column.GetProperty("index").GetUInt32(), column.GetProperty("rows").EnumerateArray().Select(ReadNode).ToArray(), ReadMerkle(e.GetProperty("inclusion_proof"), MerkleHasher.Poseidon));
    }

    private static LabelingProof ReadLabeling(JsonElement e) =>
        new(e.GetProperty("parents").EnumerateArray().Select(ReadNode).ToArray(), e.GetProperty("layer_index").GetUInt32(), e.GetProperty("node").GetUInt64());

    private static MerkleProof ReadMerkle(JsonElement e, MerkleHasher hasher) => MerkleProofJson.Parse(System.Text.Encoding.UTF8.GetBytes(e.GetRawText()), hasher);

    private static byte[] ReadNode(JsonElement e)
    {
        var bytes = e.EnumerateArray().Select(b => b.GetByte()).ToArray();
        return bytes.Length == 32 ? bytes : throw new FormatException($"a node is 32 bytes, got {bytes.Length}");
    }
}
