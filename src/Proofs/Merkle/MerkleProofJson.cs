using System.Buffers;
using System.Text.Json;
using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// The serde_json form of <see cref="MerkleProof"/> inside C1 output (serde_json of rust-fil-proofs
/// storage-proofs-core/src/merkle/proof.rs <c>MerkleProof</c>, as filecoin-ffi rust/src/proofs/api.rs
/// <c>seal_commit_phase1</c> writes it):
/// <c>{"data":{"Single":{"root":n,"leaf":n,"path":{"path":[{"hashes":[n…],"index":i}…]}}}}</c>, Sub as
/// <c>{"base_proof":p,"sub_proof":p,"root":n,"leaf":n}</c>, Top adding <c>"top_proof"</c> after the sub
/// proof; a node n is an array of its 32 byte values. Written compact in serde's field order; read in
/// any field order, unknown fields skipped (serde's defaults).
/// </summary>
public static class MerkleProofJson
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false };

    /// <summary>The proof as compact UTF-8 JSON.</summary>
    public static byte[] ToJson(MerkleProof proof)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            Write(writer, proof);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the proof as one JSON value.</summary>
    public static void Write(Utf8JsonWriter writer, MerkleProof proof)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(proof);
        writer.WriteStartObject();
        writer.WriteStartObject("data");
        writer.WriteStartObject(proof.Kind.ToString());
        if (proof.Kind == MerkleProofKind.Single)
        {
            WriteNode(writer, "root", proof.Root.Span);
            WriteNode(writer, "leaf", proof.Leaf.Span);
            WritePath(writer, "path", proof.BasePath);
        }
        else
        {
            WritePath(writer, "base_proof", proof.BasePath);
            WritePath(writer, "sub_proof", proof.SubPath!);
            if (proof.TopPath != null)
            {
                WritePath(writer, "top_proof", proof.TopPath);
            }

            WriteNode(writer, "root", proof.Root.Span);
            WriteNode(writer, "leaf", proof.Leaf.Span);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Reads a proof that is the whole of <paramref name="json"/>.</summary>
    /// <exception cref="ProofsException">The text is not JSON or not a Merkle proof.</exception>
    public static MerkleProof Parse(ReadOnlySpan<byte> json, MerkleHasher hasher)
    {
        var reader = new Utf8JsonReader(json);
        var proof = Read(ref reader, hasher);
        try
        {
            if (reader.Read())
            {
                throw new ProofsException($"Merkle proof JSON has more after its end at byte {reader.TokenStartIndex}");
            }
        }
        catch (JsonException e)
        {
            throw new ProofsException("malformed Merkle proof JSON: " + e.Message, e);
        }

        return proof;
    }

    /// <summary>
    /// Reads one proof value: <paramref name="reader"/> is before it, on the property name before it,
    /// or on its opening brace; it is left on the closing brace.
    /// </summary>
    /// <exception cref="ProofsException">The value is not JSON or not a Merkle proof.</exception>
    public static MerkleProof Read(ref Utf8JsonReader reader, MerkleHasher hasher)
    {
        try
        {
            if (reader.TokenType is JsonTokenType.None or JsonTokenType.PropertyName)
            {
                Next(ref reader);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ProofsException($"a Merkle proof is a JSON object, found {reader.TokenType}");
            }

            MerkleProof? proof = null;
            while (NextMember(ref reader, out var name))
            {
                if (name == "data")
                {
                    proof = ReadData(ref reader, hasher);
                }
                else
                {
                    reader.Skip();
                }
            }

            return proof ?? throw new ProofsException("Merkle proof JSON has no \"data\"");
        }
        catch (JsonException e)
        {
            throw new ProofsException("malformed Merkle proof JSON: " + e.Message, e);
        }
    }

    private static MerkleProof ReadData(ref Utf8JsonReader reader, MerkleHasher hasher)
    {
        Expect(ref reader, JsonTokenType.StartObject, "the \"data\" object");
        MerkleProof? proof = null;
        while (NextMember(ref reader, out var variant))
        {
            if (proof != null)
            {
                throw new ProofsException("Merkle proof JSON \"data\" holds more than one variant");
            }

            var kind = variant switch
            {
                "Single" => MerkleProofKind.Single,
                "Sub" => MerkleProofKind.Sub,
                "Top" => MerkleProofKind.Top,
                _ => throw new ProofsException($"unknown Merkle proof variant \"{variant}\" (Single, Sub or Top)"),
            };
            proof = ReadVariant(ref reader, hasher, kind);
        }

        return proof ?? throw new ProofsException("Merkle proof JSON \"data\" holds no variant");
    }

    private static MerkleProof ReadVariant(ref Utf8JsonReader reader, MerkleHasher hasher, MerkleProofKind kind)
    {
        Expect(ref reader, JsonTokenType.StartObject, "a proof variant object");
        byte[]? root = null;
        byte[]? leaf = null;
        InclusionPath? basePath = null;
        InclusionPath? subPath = null;
        InclusionPath? topPath = null;
        while (NextMember(ref reader, out var name))
        {
            switch (name)
            {
                case "root":
                    root = ReadNode(ref reader);
                    break;
                case "leaf":
                    leaf = ReadNode(ref reader);
                    break;
                case "path" when kind == MerkleProofKind.Single:
                case "base_proof" when kind != MerkleProofKind.Single:
                    basePath = ReadPath(ref reader);
                    break;
                case "sub_proof" when kind != MerkleProofKind.Single:
                    subPath = ReadPath(ref reader);
                    break;
                case "top_proof" when kind == MerkleProofKind.Top:
                    topPath = ReadPath(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        var missing = root == null ? "root"
            : leaf == null ? "leaf"
            : basePath == null ? (kind == MerkleProofKind.Single ? "path" : "base_proof")
            : subPath == null && kind != MerkleProofKind.Single ? "sub_proof"
            : topPath == null && kind == MerkleProofKind.Top ? "top_proof"
            : null;
        if (missing != null)
        {
            throw new ProofsException($"Merkle proof JSON variant {kind} has no \"{missing}\"");
        }

        return new MerkleProof(hasher, root, leaf, basePath!, subPath, topPath);
    }

    private static InclusionPath ReadPath(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "an inclusion path object");
        List<PathElement>? elements = null;
        while (NextMember(ref reader, out var name))
        {
            if (name != "path")
            {
                reader.Skip();
                continue;
            }

            elements = [];
            Expect(ref reader, JsonTokenType.StartArray, "an array of path elements");
            while (Next(ref reader) != JsonTokenType.EndArray)
            {
                elements.Add(ReadElementHere(ref reader));
            }
        }

        return new InclusionPath(elements ?? throw new ProofsException("Merkle proof JSON inclusion path has no \"path\""));
    }

    /// <summary>A path element whose opening brace the reader is on.</summary>
    private static PathElement ReadElementHere(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ProofsException($"a path element is a JSON object, found {reader.TokenType}");
        }

        byte[]? hashes = null;
        ulong? index = null;
        while (NextMember(ref reader, out var name))
        {
            switch (name)
            {
                case "hashes":
                    hashes = ReadNodes(ref reader);
                    break;
                case "index":
                    Next(ref reader);
                    index = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var i)
                        ? i
                        : throw new ProofsException("a path element index is not an unsigned integer");
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (hashes == null || index == null)
        {
            throw new ProofsException($"a Merkle proof path element has no \"{(hashes == null ? "hashes" : "index")}\"");
        }

        var arity = (hashes.Length / Fr.ByteLength) + 1;
        if (!PathElement.IsSupportedArity(arity) || index >= (ulong)arity)
        {
            throw new ProofsException($"a path element with {arity - 1} siblings and index {index}: arities are 2, 4, 8 or 16 and the index is below the arity");
        }

        return new PathElement(hashes, (int)index.Value);
    }

    /// <summary>An array of sibling nodes, concatenated.</summary>
    private static byte[] ReadNodes(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray, "an array of nodes");
        Span<byte> nodes = stackalloc byte[PathElement.MaxArity * Fr.ByteLength];
        var count = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (count == PathElement.MaxArity)
            {
                throw new ProofsException($"a path element has at most {PathElement.MaxArity - 1} sibling nodes");
            }

            ReadNodeHere(ref reader, nodes.Slice(count * Fr.ByteLength, Fr.ByteLength));
            count++;
        }

        return nodes[..(count * Fr.ByteLength)].ToArray();
    }

    private static byte[] ReadNode(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        var node = new byte[Fr.ByteLength];
        ReadNodeHere(ref reader, node);
        return node;
    }

    /// <summary>A node whose opening bracket the reader is on.</summary>
    private static void ReadNodeHere(ref Utf8JsonReader reader, scoped Span<byte> node)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new ProofsException($"a node is an array of {Fr.ByteLength} byte values, found {reader.TokenType}");
        }

        var count = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (count == Fr.ByteLength || reader.TokenType != JsonTokenType.Number || !reader.TryGetByte(out var b))
            {
                throw new ProofsException($"a node is an array of {Fr.ByteLength} byte values (0–255)");
            }

            node[count++] = b;
        }

        if (count != Fr.ByteLength)
        {
            throw new ProofsException($"a node has {Fr.ByteLength} byte values, found {count}");
        }
    }

    /// <summary>
    /// Moves to the next member of the object the reader is in: true with the reader on its property
    /// name (the caller then reads or skips the value), false on the object's closing brace.
    /// </summary>
    private static bool NextMember(ref Utf8JsonReader reader, out string name)
    {
        if (Next(ref reader) == JsonTokenType.EndObject)
        {
            name = string.Empty;
            return false;
        }

        name = reader.GetString() ?? string.Empty;
        return true;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new ProofsException("malformed Merkle proof JSON: it ends early");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string what)
    {
        if (Next(ref reader) != token)
        {
            throw new ProofsException($"expected {what} in Merkle proof JSON, found {reader.TokenType}");
        }
    }

    /// <summary>A node as serde writes <c>[u8; 32]</c>: a JSON array of its bytes (also used by C1 output).</summary>
    internal static void WriteNode(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> node)
    {
        writer.WritePropertyName(name);
        WriteNode(writer, node);
    }

    /// <summary>A node as a JSON array of its bytes.</summary>
    internal static void WriteNode(Utf8JsonWriter writer, ReadOnlySpan<byte> node)
    {
        writer.WriteStartArray();
        foreach (var b in node)
        {
            writer.WriteNumberValue(b);
        }

        writer.WriteEndArray();
    }

    private static void WritePath(Utf8JsonWriter writer, string name, InclusionPath path)
    {
        writer.WriteStartObject(name);
        writer.WriteStartArray("path");
        foreach (var e in path.Elements)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("hashes");
            var hashes = e.Hashes.Span;
            for (var i = 0; i < hashes.Length; i += Fr.ByteLength)
            {
                WriteNode(writer, hashes.Slice(i, Fr.ByteLength));
            }

            writer.WriteEndArray();
            writer.WriteNumber("index", e.Index);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
