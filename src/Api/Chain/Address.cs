using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Kiln.Api.Chain.Json;
using Kiln.Proofs.Hashing;

namespace Kiln.Api.Chain;

/// <summary>
/// A go-address <c>Address</c>: protocol byte ‖ payload, shown as text with a network letter (<c>f</c> mainnet,
/// <c>t</c> testnets). JSON: its text. CBOR (go-address <c>MarshalCBOR</c>): a byte string of <see cref="ToBytes"/>.
/// The default value is go-address's <c>Undef</c> (text <c>&lt;empty&gt;</c>).
/// </summary>
/// <remarks>
/// Equality compares the bytes only, as Go compares two <c>Address</c> values: <c>f01000</c> equals <c>t01000</c>
/// (the network letter is how the address is printed, not part of it).
/// </remarks>
[JsonConverter(typeof(AddressJsonConverter))]
public readonly record struct Address
{
    /// <summary>Longest address bytes: delegated, 1 protocol byte + 9-byte namespace varint + 54-byte sub-address.</summary>
    internal const int MaxBytesLength = 1 + 9 + MaxSubaddressLength;

    /// <summary>go-address <c>MaxSubaddressLen</c>.</summary>
    internal const int MaxSubaddressLength = 54;

    /// <summary>go-address <c>MaxAddressStringLength</c>: 2 + 19 + 1 + 93.</summary>
    private const int MaxTextLength = 115;

    /// <summary>go-address <c>MaxInt64StringLength</c>.</summary>
    private const int MaxInt64TextLength = 19;

    private const int PayloadHashLength = 20;
    private const int BlsPublicKeyLength = 48;
    private const int ChecksumLength = 4;
    private const string UndefText = "<empty>";

    // The bytes, one char per byte (as go-address keeps them in a string), so the struct compares by value.
    private readonly string? _bytes;
    private readonly char _network;

    private Address(string bytes, char network)
    {
        _bytes = bytes;
        _network = network;
    }

    /// <summary>The network letter the address prints with: <c>f</c> or <c>t</c>.</summary>
    public char Network => _network == '\0' ? 'f' : _network;

    /// <summary>False for go-address's <c>Undef</c> (the default value).</summary>
    public bool IsDefined => _bytes is not null;

    /// <summary>The protocol (the first byte); 255 (go-address <c>Unknown</c>) for an undefined address.</summary>
    public AddressProtocol Protocol => _bytes is null ? (AddressProtocol)255 : (AddressProtocol)_bytes[0];

    /// <summary>The actor id of an ID address.</summary>
    /// <exception cref="InvalidOperationException">Not an ID address.</exception>
    public ulong Id
    {
        get
        {
            if (Protocol != AddressProtocol.Id)
            {
                throw new InvalidOperationException($"address {this} is not an ID address (f0…): it has no actor id");
            }

            ReadOnlySpan<byte> payload = ToBytes().AsSpan(1);
            Leb128.TryRead(ref payload, out var id);
            return id;
        }
    }

    /// <summary>Protocol byte ‖ payload (go-address <c>Bytes()</c>); empty for an undefined address.</summary>
    public byte[] ToBytes() => _bytes is null ? [] : Encoding.Latin1.GetBytes(_bytes);

    /// <summary>go-address <c>NewIDAddress</c>: <c>f0{id}</c>, the payload the id as unsigned LEB128.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is above 2^63 − 1 (go-address refuses those).</exception>
    public static Address FromId(ulong id, char network = 'f')
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(id, (ulong)long.MaxValue);
        CheckNetwork(network);
        return Create([(byte)AddressProtocol.Id, .. Leb128.Encode(id)], network);
    }

    /// <summary>go-address <c>NewDelegatedAddress</c>: <c>f4{namespace}f…</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The namespace is above 2^63 − 1 or the sub-address is longer than 54 bytes.</exception>
    public static Address FromDelegated(ulong namespaceId, ReadOnlySpan<byte> subaddress, char network = 'f')
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(namespaceId, (ulong)long.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subaddress.Length, MaxSubaddressLength, nameof(subaddress));
        CheckNetwork(network);
        return Create([(byte)AddressProtocol.Delegated, .. Leb128.Encode(namespaceId), .. subaddress], network);
    }

    /// <summary>go-address <c>NewFromBytes</c>: checks the payload against the protocol.</summary>
    /// <exception cref="FormatException">Unknown protocol, wrong payload length, or a bad id or namespace varint.</exception>
    public static Address FromBytes(ReadOnlySpan<byte> bytes, char network = 'f')
    {
        CheckNetwork(network);
        var problem = BytesProblem(bytes);
        if (problem is not null)
        {
            throw new FormatException($"invalid address bytes {Convert.ToHexStringLower(bytes)}: {problem}");
        }

        return Create(bytes, network);
    }

    /// <summary>go-address <c>NewFromString</c>: <c>f01000</c>, <c>t3…</c>, <c>f410f…</c>.</summary>
    /// <exception cref="FormatException">The text is not an address; the message says why.</exception>
    public static Address Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryDecode(text, out var address, out var problem)
            ? address
            : throw new FormatException($"invalid address '{text}': {problem}");
    }

    /// <summary><see cref="Parse"/> without the exception.</summary>
    public static bool TryParse(string? text, out Address address)
    {
        if (text is null)
        {
            address = default;
            return false;
        }

        return TryDecode(text, out address, out _);
    }

    /// <summary>The address with another network prefix.</summary>
    /// <exception cref="ArgumentException">The network is neither 'f' nor 't'.</exception>
    public Address WithNetwork(char network)
    {
        CheckNetwork(network);
        return _bytes is null ? this : new Address(_bytes, network);
    }

    /// <summary>go-address <c>String()</c>; <c>&lt;empty&gt;</c> for an undefined address.</summary>
    public override string ToString()
    {
        if (_bytes is null)
        {
            return UndefText;
        }

        var bytes = ToBytes();
        var protocol = (AddressProtocol)bytes[0];
        var prefix = $"{Network}{(int)protocol}";
        switch (protocol)
        {
            case AddressProtocol.Id:
                return prefix + Id.ToString(CultureInfo.InvariantCulture);
            case AddressProtocol.Delegated:
            {
                ReadOnlySpan<byte> rest = bytes.AsSpan(1);
                Leb128.TryRead(ref rest, out var ns);
                return prefix + ns.ToString(CultureInfo.InvariantCulture) + "f" + AddressBase32.Encode([.. rest, .. Checksum(bytes)]);
            }

            default:
                return prefix + AddressBase32.Encode([.. bytes.AsSpan(1), .. Checksum(bytes)]);
        }
    }

    /// <summary>go-address <c>MarshalCBOR</c>: a byte string of <see cref="ToBytes"/>.</summary>
    /// <exception cref="InvalidOperationException">The address is undefined (go-address refuses to marshal <c>Undef</c>).</exception>
    public byte[] ToCbor()
    {
        var w = ChainCbor.NewWriter();
        ChainCbor.WriteAddress(w, this);
        return w.Encode();
    }

    /// <summary>Compares the bytes only (see the remarks on the type).</summary>
    public bool Equals(Address other) => string.Equals(_bytes, other._bytes, StringComparison.Ordinal);

    public override int GetHashCode() => _bytes is null ? 0 : StringComparer.Ordinal.GetHashCode(_bytes);

    /// <summary>go-address <c>Checksum</c>: blake2b with a 4-byte digest of protocol byte ‖ payload.</summary>
    internal static byte[] Checksum(ReadOnlySpan<byte> bytes)
    {
        var sum = new byte[ChecksumLength];
        Blake2b.HashData(bytes, sum);
        return sum;
    }

    private static Address Create(ReadOnlySpan<byte> bytes, char network) => new(Encoding.Latin1.GetString(bytes), network);

    private static void CheckNetwork(char network)
    {
        if (network is not ('f' or 't'))
        {
            throw new ArgumentException($"address network must be 'f' (mainnet) or 't' (testnet), got '{network}'", nameof(network));
        }
    }

    // go-address newAddress: the payload checks per protocol.
    private static string? BytesProblem(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "empty (no protocol byte)";
        }

        var payload = bytes[1..];
        switch (bytes[0])
        {
            case (byte)AddressProtocol.Id:
                if (payload.IsEmpty)
                {
                    return "an ID address has no payload";
                }

                if (!Leb128.TryRead(ref payload, out var id) || !payload.IsEmpty || id > long.MaxValue)
                {
                    return "an ID address's payload must be exactly one minimal unsigned LEB128 of at most 2^63 − 1";
                }

                return null;
            case (byte)AddressProtocol.Secp256k1:
            case (byte)AddressProtocol.Actor:
                return payload.Length == PayloadHashLength ? null : $"a protocol {bytes[0]} payload is {PayloadHashLength} bytes, got {payload.Length}";
            case (byte)AddressProtocol.Bls:
                return payload.Length == BlsPublicKeyLength ? null : $"a BLS payload is {BlsPublicKeyLength} bytes, got {payload.Length}";
            case (byte)AddressProtocol.Delegated:
                if (!Leb128.TryRead(ref payload, out var ns) || ns > long.MaxValue)
                {
                    return "a delegated address's namespace must be a minimal unsigned LEB128 of at most 2^63 − 1";
                }

                return payload.Length <= MaxSubaddressLength ? null : $"a delegated sub-address is at most {MaxSubaddressLength} bytes, got {payload.Length}";
            default:
                return $"unknown protocol {bytes[0]}";
        }
    }

    // go-address decode.
    private static bool TryDecode(string text, out Address address, out string problem)
    {
        address = default;
        if (text.Length is < 3 or > MaxTextLength)
        {
            problem = $"an address is 3 to {MaxTextLength} characters, this one {text.Length}";
            return false;
        }

        var network = text[0];
        if (network is not ('f' or 't'))
        {
            problem = $"unknown network '{network}' (f mainnet, t testnet)";
            return false;
        }

        if (text[1] is < '0' or > '4')
        {
            problem = $"unknown protocol '{text[1]}' (0 to 4)";
            return false;
        }

        var protocol = (AddressProtocol)(text[1] - '0');
        var raw = text.AsSpan(2);
        switch (protocol)
        {
            case AddressProtocol.Id:
            {
                if (raw.Length > MaxInt64TextLength)
                {
                    problem = $"an actor id is at most {MaxInt64TextLength} digits";
                    return false;
                }

                if (!TryParseInt63(raw, out var id))
                {
                    problem = "the actor id is not a decimal number of at most 2^63 − 1";
                    return false;
                }

                address = FromId(id, network);
                problem = "";
                return true;
            }

            case AddressProtocol.Delegated:
            {
                var f = raw.IndexOf('f');
                if (f < 0)
                {
                    problem = "a delegated address is f4{namespace}f{sub-address}: no 'f' after the namespace";
                    return false;
                }

                if (f > MaxInt64TextLength || !TryParseInt63(raw[..f], out var ns))
                {
                    problem = "the namespace is not a decimal number of at most 2^63 − 1";
                    return false;
                }

                var decoded = AddressBase32.TryDecode(raw[(f + 1)..], out var error);
                if (decoded is null)
                {
                    problem = error;
                    return false;
                }

                if (decoded.Length < ChecksumLength || decoded.Length - ChecksumLength > MaxSubaddressLength)
                {
                    problem = $"a delegated sub-address with its checksum is 4 to {MaxSubaddressLength + ChecksumLength} bytes, got {decoded.Length}";
                    return false;
                }

                address = FromDelegated(ns, decoded.AsSpan(0, decoded.Length - ChecksumLength), network);
                return CheckChecksum(ref address, decoded.AsSpan(decoded.Length - ChecksumLength), out problem);
            }

            default:
            {
                var decoded = AddressBase32.TryDecode(raw, out var error);
                if (decoded is null)
                {
                    problem = error;
                    return false;
                }

                var payloadLength = protocol == AddressProtocol.Bls ? BlsPublicKeyLength : PayloadHashLength;
                if (decoded.Length != payloadLength + ChecksumLength)
                {
                    problem = $"a protocol {(int)protocol} address carries {payloadLength} payload + {ChecksumLength} checksum bytes, got {decoded.Length}";
                    return false;
                }

                address = Create([(byte)protocol, .. decoded.AsSpan(0, payloadLength)], network);
                return CheckChecksum(ref address, decoded.AsSpan(payloadLength), out problem);
            }
        }
    }

    private static bool CheckChecksum(ref Address address, ReadOnlySpan<byte> checksum, out string problem)
    {
        if (!Checksum(address.ToBytes()).AsSpan().SequenceEqual(checksum))
        {
            address = default;
            problem = "invalid checksum";
            return false;
        }

        problem = "";
        return true;
    }

    private static bool TryParseInt63(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= long.MaxValue;
    }
}
