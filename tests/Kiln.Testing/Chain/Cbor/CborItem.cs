using System.Numerics;

namespace Kiln.Testing.Chain.Cbor;

/// <summary>
/// One decoded CBOR data item. The accessors check the kind and name the field (<c>what</c>) in their error, so a
/// decoder built on them says which field of which tuple was wrong.
/// </summary>
public sealed class CborItem
{
    private CborItem(CborKind kind, int offset) => (Kind, Offset) = (kind, offset);

    public CborKind Kind { get; }

    /// <summary>Byte offset of the item's head in the decoded input.</summary>
    public int Offset { get; }

    /// <summary>The head's argument: the integer, the tag number, or 0/1 for false/true.</summary>
    public ulong Argument { get; private init; }

    /// <summary>A byte string's bytes, or a tag 42's content bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; private init; }

    public string? Text { get; private init; }

    /// <summary>An array's elements, or a map's keys and values interleaved.</summary>
    public IReadOnlyList<CborItem> Items { get; private init; } = [];

    /// <summary>A tag's content.</summary>
    public CborItem? Content { get; private init; }

    public bool IsNull => Kind == CborKind.Null;

    internal static CborItem Integer(CborKind kind, ulong argument, int offset) => new(kind, offset) { Argument = argument };

    internal static CborItem ByteString(ReadOnlyMemory<byte> bytes, int offset) => new(CborKind.ByteString, offset) { Bytes = bytes };

    internal static CborItem TextString(string text, int offset) => new(CborKind.TextString, offset) { Text = text };

    internal static CborItem Container(CborKind kind, IReadOnlyList<CborItem> items, int offset) => new(kind, offset) { Items = items };

    internal static CborItem Tagged(ulong tag, CborItem content, int offset) => new(CborKind.Tag, offset) { Argument = tag, Content = content };

    internal static CborItem Simple(CborKind kind, ulong value, int offset) => new(kind, offset) { Argument = value };

    /// <summary>An unsigned integer (major type 0).</summary>
    public ulong AsUInt64(string what)
    {
        Expect(CborKind.UnsignedInteger, what);
        return Argument;
    }

    /// <summary>A signed integer (major type 0 or 1) that fits an int64, as cbor-gen writes Go int64 fields.</summary>
    public long AsInt64(string what)
    {
        if (Kind == CborKind.UnsignedInteger && Argument <= long.MaxValue)
        {
            return (long)Argument;
        }

        if (Kind == CborKind.NegativeInteger && Argument <= long.MaxValue)
        {
            return -1 - (long)Argument;
        }

        throw Error(what, Kind is CborKind.UnsignedInteger or CborKind.NegativeInteger ? "an integer outside int64" : "a " + Kind);
    }

    public byte[] AsBytes(string what)
    {
        Expect(CborKind.ByteString, what);
        return Bytes.ToArray();
    }

    public bool AsBoolean(string what)
    {
        Expect(CborKind.Boolean, what);
        return Argument == 1;
    }

    /// <summary>An array of exactly <paramref name="length"/> elements (a cbor-gen tuple), or any length when null.</summary>
    public IReadOnlyList<CborItem> AsArray(string what, int? length = null)
    {
        Expect(CborKind.Array, what);
        if (length is { } n && Items.Count != n)
        {
            throw new FormatException($"{what}: expected a {n}-tuple, got an array of {Items.Count} at byte {Offset}");
        }

        return Items;
    }

    /// <summary>The CID bytes (without the 0x00 multibase prefix) of a tag 42 item.</summary>
    public byte[] AsCid(string what)
    {
        Expect(CborKind.Tag, what);
        if (Argument != 42 || Content is not { Kind: CborKind.ByteString } content)
        {
            throw Error(what, "a tag other than 42 over a byte string");
        }

        var bytes = content.Bytes.Span;
        if (bytes.Length < 2 || bytes[0] != 0)
        {
            throw new FormatException($"{what}: a tag 42 CID must start with the 0x00 identity multibase prefix (byte {Offset})");
        }

        return bytes[1..].ToArray();
    }

    /// <summary>A go big.Int as cbor-gen writes it: a byte string, empty for zero, else a sign byte (0 positive, 1 negative) and the big-endian magnitude.</summary>
    public BigInteger AsBigInt(string what)
    {
        var bytes = AsBytes(what);
        if (bytes.Length == 0)
        {
            return BigInteger.Zero;
        }

        if (bytes[0] > 1 || bytes.Length == 1 || bytes[1] == 0)
        {
            throw Error(what, "a big integer byte string with a bad sign byte or a leading zero");
        }

        var magnitude = new BigInteger(bytes.AsSpan(1), isUnsigned: true, isBigEndian: true);
        return bytes[0] == 1 ? -magnitude : magnitude;
    }

    private void Expect(CborKind kind, string what)
    {
        if (Kind != kind)
        {
            throw Error(what, "a " + Kind + " where a " + kind + " belongs");
        }
    }

    private FormatException Error(string what, string got) => new($"{what}: got {got} at byte {Offset}");
}
