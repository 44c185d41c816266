using System.Formats.Cbor;
using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>
/// Reads cbor-gen tuple encodings strictly, as cbor-gen's generated <c>UnmarshalCBOR</c> methods do (cbor-gen
/// <c>CborReader.ReadHeader</c>: definite lengths, shortest heads; the major type each field expects). Every refusal is
/// a <see cref="FormatException"/> naming the value being read and the field ("PreCommitSectorBatch2 params:
/// Sectors[0].SealedCID: expected tag 42, found byte string").
/// </summary>
internal sealed class ChainCborReader
{
    /// <summary>cbor-gen <c>MaxLength</c>: the longest slice a generated decoder accepts.</summary>
    public const int MaxArrayLength = 8192;

    /// <summary>cbor-gen <c>ByteArrayMaxLen</c>: the longest byte string a generated decoder accepts (2 MiB).</summary>
    public const int MaxByteStringLength = 2 << 20;

    private readonly CborReader _reader;
    private readonly string _context;

    public ChainCborReader(CborReader reader, string context)
    {
        _reader = reader;
        _context = context;
    }

    public ChainCborReader(ReadOnlyMemory<byte> cbor, string context)
        : this(ChainCbor.NewReader(cbor), context)
    {
    }

    public CborReader Inner => _reader;

    public FormatException Error(string field, string problem) =>
        new(field.Length == 0 ? $"{_context}: {problem}" : $"{_context}: {field}: {problem}");

    /// <summary>Reads the head of a tuple of exactly <paramref name="fields"/> entries.</summary>
    public void ReadTuple(string field, int fields, string typeName)
    {
        var length = ReadArrayHeader(field, $"a {typeName} ({fields}-tuple)");
        if (length != fields)
        {
            throw Error(field, $"a {typeName} is a {fields}-tuple, found an array of {length}");
        }
    }

    /// <summary>Reads the head of a slice (at most <see cref="MaxArrayLength"/> entries) and returns its length.</summary>
    public int ReadSliceHeader(string field)
    {
        var length = ReadArrayHeader(field, "an array");
        if (length > MaxArrayLength)
        {
            throw Error(field, $"array of {length} entries is longer than cbor-gen's limit of {MaxArrayLength}");
        }

        return length;
    }

    public void ReadEndArray(string field) => Guard(field, "the end of the array", () =>
    {
        _reader.ReadEndArray();
        return 0;
    });

    public ulong ReadUInt64(string field)
    {
        Expect(field, CborReaderState.UnsignedInteger, "an unsigned integer");
        return Guard(field, "an unsigned integer", _reader.ReadUInt64);
    }

    /// <summary>An int64 as cbor-gen writes it: major type 0 when ≥ 0, major type 1 when negative, within int64.</summary>
    public long ReadInt64(string field)
    {
        var state = Peek(field);
        if (state is not (CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger))
        {
            throw Error(field, $"expected an integer, found {Describe(state)}");
        }

        try
        {
            return _reader.ReadInt64();
        }
        catch (OverflowException)
        {
            throw Error(field, $"integer is outside int64 ({(state == CborReaderState.UnsignedInteger ? "positive" : "negative")} overflow)");
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException)
        {
            throw Error(field, $"malformed integer: {e.Message}");
        }
    }

    public bool ReadBoolean(string field)
    {
        Expect(field, CborReaderState.Boolean, "a boolean (0xf4/0xf5)");
        return Guard(field, "a boolean", _reader.ReadBoolean);
    }

    /// <summary>A byte string of at most <paramref name="maxLength"/> bytes.</summary>
    public byte[] ReadByteString(string field, int maxLength = MaxByteStringLength)
    {
        Expect(field, CborReaderState.ByteString, "a byte string");
        var bytes = Guard(field, "a byte string", _reader.ReadByteString);
        if (bytes.Length > maxLength)
        {
            throw Error(field, $"byte string of {bytes.Length} bytes is longer than the limit of {maxLength}");
        }

        return bytes;
    }

    /// <summary>True (and the null consumed) when the next item is CBOR null (0xf6).</summary>
    public bool TryReadNull(string field)
    {
        if (Peek(field) != CborReaderState.Null)
        {
            return false;
        }

        Guard(field, "null", () =>
        {
            _reader.ReadNull();
            return 0;
        });
        return true;
    }

    /// <summary>cbor-gen <c>ReadCid</c>: tag 42 over a byte string 0x00 ‖ CID bytes.</summary>
    public Cid ReadCid(string field)
    {
        var state = Peek(field);
        if (state != CborReaderState.Tag)
        {
            throw Error(field, $"expected tag 42 (a CID), found {Describe(state)}");
        }

        var tag = Guard(field, "tag 42", _reader.ReadTag);
        if (tag != (CborTag)42)
        {
            throw Error(field, $"expected tag 42 (a CID), found tag {(ulong)tag}");
        }

        var bytes = ReadByteString(field, 512);
        if (bytes.Length == 0 || bytes[0] != 0)
        {
            throw Error(field, "a CID under tag 42 must start with the multibase identity prefix 0x00");
        }

        if (!CidBytes.TryValidate(bytes.AsSpan(1), out var problem))
        {
            throw Error(field, problem);
        }

        return Cid.FromBytes(bytes.AsSpan(1));
    }

    /// <summary>A <c>*cid.Cid</c>: null or <see cref="ReadCid"/>.</summary>
    public Cid? ReadNullableCid(string field) => TryReadNull(field) ? null : ReadCid(field);

    /// <summary>go-state-types <c>big.Int UnmarshalCBOR</c>: a byte string of at most 128 bytes.</summary>
    public TokenAmount ReadBigInt(string field)
    {
        var bytes = ReadByteString(field, TokenAmount.MaxSerializedLength);
        try
        {
            return TokenAmount.FromBytes(bytes);
        }
        catch (FormatException e)
        {
            throw Error(field, e.Message);
        }
    }

    /// <summary>go-address <c>UnmarshalCBOR</c>: a byte string of the address bytes.</summary>
    public Address ReadAddress(string field, char network = 'f')
    {
        var bytes = ReadByteString(field, Address.MaxBytesLength);
        try
        {
            return Address.FromBytes(bytes, network);
        }
        catch (FormatException e)
        {
            throw Error(field, e.Message);
        }
    }

    /// <summary>Refuses anything after the value.</summary>
    public void ReadEnd()
    {
        if (_reader.BytesRemaining != 0)
        {
            throw Error("", $"{_reader.BytesRemaining} trailing bytes after the value");
        }
    }

    public static string Describe(CborReaderState state) => state switch
    {
        CborReaderState.UnsignedInteger => "an unsigned integer",
        CborReaderState.NegativeInteger => "a negative integer",
        CborReaderState.ByteString => "a byte string",
        CborReaderState.StartIndefiniteLengthByteString => "an indefinite-length byte string",
        CborReaderState.TextString => "a text string",
        CborReaderState.StartIndefiniteLengthTextString => "an indefinite-length text string",
        CborReaderState.StartArray => "an array",
        CborReaderState.StartMap => "a map",
        CborReaderState.Tag => "a tag",
        CborReaderState.Null => "null",
        CborReaderState.Undefined => "undefined",
        CborReaderState.Boolean => "a boolean",
        CborReaderState.SimpleValue => "a simple value",
        CborReaderState.HalfPrecisionFloat or CborReaderState.SinglePrecisionFloat or CborReaderState.DoublePrecisionFloat => "a float",
        CborReaderState.EndArray => "the end of the array",
        CborReaderState.Finished => "the end of the input",
        _ => state.ToString(),
    };

    private int ReadArrayHeader(string field, string what)
    {
        Expect(field, CborReaderState.StartArray, what);
        var length = Guard(field, what, _reader.ReadStartArray);
        if (length is null)
        {
            throw Error(field, $"expected {what}, found an indefinite-length array");
        }

        return length.Value;
    }

    private void Expect(string field, CborReaderState expected, string what)
    {
        var state = Peek(field);
        if (state != expected)
        {
            throw Error(field, $"expected {what}, found {Describe(state)}");
        }
    }

    private CborReaderState Peek(string field)
    {
        try
        {
            return _reader.PeekState();
        }
        catch (CborContentException e)
        {
            throw Error(field, $"malformed CBOR: {e.Message}");
        }
    }

    private T Guard<T>(string field, string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException)
        {
            throw Error(field, $"malformed CBOR where {what} was expected: {e.Message}");
        }
    }
}
