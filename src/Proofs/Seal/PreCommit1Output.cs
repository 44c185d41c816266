using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Seal;

/// <summary>
/// filecoin-proofs-api SealPreCommitPhase1Output: the bytes filecoin-ffi returns
/// (<see cref="ToRustJson"/>, serde field order) and the bytes Lotus hands back as
/// storiface.PreCommit1Out (<see cref="ToLotusJson"/>: keys sorted at every level plus
/// "_lotus_SealRandomness", Lotus storage/sealer/ffiwrapper/sealer_cgo.go <c>Sealer.SealPreCommit1</c>).
/// </summary>
public sealed class PreCommit1Output
{
    public PreCommit1Output(SealProofInfo proof, IReadOnlyList<StoreConfig> labels, StoreConfig treeD, byte[] commD, byte[]? ticket)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(treeD);
        if (commD is not { Length: 32 })
        {
            throw new ArgumentException("comm_d must be 32 bytes", nameof(commD));
        }

        Proof = proof;
        Labels = labels;
        TreeD = treeD;
        CommD = commD;
        Ticket = ticket;
    }

    public SealProofInfo Proof { get; }

    public IReadOnlyList<StoreConfig> Labels { get; }

    public StoreConfig TreeD { get; }

    public byte[] CommD { get; }

    /// <summary>The seal randomness Lotus stores beside the rust output (required for synthetic PoRep), if known.</summary>
    public byte[]? Ticket { get; }

    /// <summary>The output for a freshly labeled cache directory.</summary>
    public static PreCommit1Output ForCache(SealProofInfo proof, string cacheDir, byte[] commD, byte[]? ticket)
    {
        var labels = new StoreConfig[proof.Layers];
        for (var l = 1; l <= proof.Layers; l++)
        {
            labels[l - 1] = new StoreConfig(cacheDir, CacheFiles.LayerId(l), proof.Nodes, 0);
        }

        return new PreCommit1Output(proof, labels, new StoreConfig(cacheDir, CacheFiles.TreeDId, (2 * proof.Nodes) - 1, 0), commD, ticket);
    }

    /// <summary>serde_json::to_vec of the rust struct: declared field order, compact.</summary>
    public byte[] ToRustJson()
    {
        var w = new JsonText(goEscaping: false);
        w.Raw("{\"registered_proof\":").String(Proof.Name);
        w.Raw(",\"labels\":{").String(Proof.LabelsVariantName).Raw(":{\"labels\":[");
        for (var i = 0; i < Labels.Count; i++)
        {
            if (i > 0)
            {
                w.Raw(",");
            }

            RustStore(w, Labels[i]);
        }

        w.Raw("],\"_h\":null}},\"config\":");
        RustStore(w, TreeD);
        w.Raw(",\"comm_d\":");
        ByteArray(w, CommD);
        w.Raw("}");
        return w.ToArray();
    }

    /// <summary>
    /// What Lotus's ffiwrapper returns: the rust JSON decoded into a Go map, "_lotus_SealRandomness"
    /// added (base64 of the ticket), re-encoded by encoding/json (keys sorted, Go string escaping).
    /// </summary>
    public byte[] ToLotusJson()
    {
        var w = new JsonText(goEscaping: true);
        w.Raw("{");
        if (Ticket != null)
        {
            w.Raw("\"_lotus_SealRandomness\":").String(Convert.ToBase64String(Ticket)).Raw(",");
        }

        w.Raw("\"comm_d\":");
        ByteArray(w, CommD);
        w.Raw(",\"config\":");
        GoStore(w, TreeD);
        w.Raw(",\"labels\":{").String(Proof.LabelsVariantName).Raw(":{\"_h\":null,\"labels\":[");
        for (var i = 0; i < Labels.Count; i++)
        {
            if (i > 0)
            {
                w.Raw(",");
            }

            GoStore(w, Labels[i]);
        }

        w.Raw("]}},\"registered_proof\":").String(Proof.Name).Raw("}");
        return w.ToArray();
    }

    /// <summary>Reads either form (rust or Lotus). Unknown proof names and malformed fields are errors.</summary>
    public static PreCommit1Output Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            var proof = SealProofInfo.ReadRegisteredProof(root, "PreCommit1Out");

            var variants = root.GetProperty("labels");
            if (!variants.TryGetProperty(proof.LabelsVariantName, out var variant))
            {
                throw new ProofsException($"PreCommit1Out labels are not of variant {proof.LabelsVariantName}");
            }

            var labels = variant.GetProperty("labels").EnumerateArray().Select(ReadStore).ToArray();
            var treeD = ReadStore(root.GetProperty("config"));
            var commD = root.GetProperty("comm_d").EnumerateArray().Select(e => e.GetByte()).ToArray();
            byte[]? ticket = null;
            if (root.TryGetProperty("_lotus_SealRandomness", out var t) && t.ValueKind == JsonValueKind.String)
            {
                ticket = t.GetBytesFromBase64();
            }

            return new PreCommit1Output(proof, labels, treeD, commD, ticket);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ProofsException("malformed PreCommit1Out: " + e.Message, e);
        }
    }

    private static StoreConfig ReadStore(JsonElement e)
    {
        var size = e.GetProperty("size");
        return new StoreConfig(
            e.GetProperty("path").GetString() ?? throw new FormatException("store path is null"),
            e.GetProperty("id").GetString() ?? throw new FormatException("store id is null"),
            size.ValueKind == JsonValueKind.Null ? null : (ulong)size.GetDouble(),
            (ulong)e.GetProperty("rows_to_discard").GetDouble());
    }

    private static void RustStore(JsonText w, StoreConfig s)
    {
        w.Raw("{\"path\":").String(s.Path).Raw(",\"id\":").String(s.Id).Raw(",\"size\":").Number(s.Size).Raw(",\"rows_to_discard\":").Number(s.RowsToDiscard).Raw("}");
    }

    private static void GoStore(JsonText w, StoreConfig s)
    {
        w.Raw("{\"id\":").String(s.Id).Raw(",\"path\":").String(s.Path).Raw(",\"rows_to_discard\":").Number(s.RowsToDiscard).Raw(",\"size\":").Number(s.Size).Raw("}");
    }

    private static void ByteArray(JsonText w, byte[] bytes)
    {
        w.Raw("[");
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                w.Raw(",");
            }

            w.Number(bytes[i]);
        }

        w.Raw("]");
    }

    /// <summary>Compact JSON text with serde_json's or Go encoding/json's string escaping.</summary>
    private sealed class JsonText(bool goEscaping)
    {
        private readonly ArrayBufferWriter<byte> _out = new(1024);

        public JsonText Raw(string ascii)
        {
            var span = _out.GetSpan(ascii.Length);
            var n = Encoding.ASCII.GetBytes(ascii, span);
            _out.Advance(n);
            return this;
        }

        public JsonText Number(ulong? value) => Raw(value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "null");

        public JsonText String(string value)
        {
            var sb = new StringBuilder(value.Length + 2);
            sb.Append('"');
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    case < ' ':
                    case '<' or '>' or '&' or '\u2028' or '\u2029' when goEscaping:
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        break;
                    default: sb.Append(c); break;
                }
            }

            sb.Append('"');
            var bytes = Encoding.UTF8.GetBytes(sb.ToString());
            _out.Write(bytes);
            return this;
        }

        public byte[] ToArray() => _out.WrittenSpan.ToArray();
    }
}
