
namespace Kiln.Testing.Chain;

/// <summary>
/// Filecoin address text ↔ bytes, after go-address: network letter f/t, protocol digit, then for ID (0) the decimal
/// actor ID (bytes: protocol 0 and the ID as LEB128), for secp256k1 (1, 20-byte payload), actor (2, 20 bytes) and
/// BLS (3, 48 bytes) base32(payload ‖ 4-byte blake2b checksum of protocol ‖ payload).
/// </summary>
public static class AddressText
{
    /// <summary>The address's bytes (protocol byte and payload).</summary>
    /// <exception cref="FormatException">Not an f/t address of protocol 0–3, or a bad checksum.</exception>
    public static byte[] ToBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 3 || text[0] is not ('f' or 't') || text[1] is < '0' or > '3')
        {
            throw new FormatException($"\"{text}\" is not a Filecoin address of protocol 0-3 (f/t, protocol digit, payload)");
        }

        var protocol = (byte)(text[1] - '0');
        if (protocol == 0)
        {
            if (text.Length > 22 || !text[2..].All(char.IsAsciiDigit) || (text.Length > 3 && text[2] == '0') ||
                !ulong.TryParse(text.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                throw new FormatException($"\"{text}\" is not an ID address (decimal actor ID)");
            }

            return [0, .. Varint.Encode(id)];
        }

        var raw = Base32Lower.Decode(text[2..]);
        var payloadLength = protocol == 3 ? 48 : 20;
        if (raw.Length != payloadLength + 4)
        {
            throw new FormatException($"\"{text}\": a protocol {protocol} address holds {payloadLength} bytes and a 4-byte checksum, got {raw.Length} bytes");
        }

        byte[] bytes = [protocol, .. raw.AsSpan(0, payloadLength)];
        if (!Checksum(bytes).AsSpan().SequenceEqual(raw.AsSpan(payloadLength)))
        {
            throw new FormatException($"\"{text}\": checksum mismatch");
        }

        return bytes;
    }

    public static string ToText(ReadOnlySpan<byte> bytes, char network)
    {
        if (bytes.Length < 2 || bytes[0] > 3)
        {
            throw new FormatException($"address bytes {Convert.ToHexString(bytes)} are not protocol 0-3");
        }

        if (bytes[0] == 0)
        {
            var offset = 1;
            var id = Varint.Read(bytes, ref offset);
            if (offset != bytes.Length)
            {
                throw new FormatException($"ID address bytes {Convert.ToHexString(bytes)} carry bytes after the ID");
            }

            return network + "0" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (bytes.Length != (bytes[0] == 3 ? 49 : 21))
        {
            throw new FormatException($"protocol {bytes[0]} address bytes have the wrong length {bytes.Length}");
        }

        return network + ((char)('0' + bytes[0])).ToString() + Base32Lower.Encode([.. bytes[1..], .. Checksum(bytes)]);
    }

    public static string IdText(ulong id, char network) => network + "0" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The actor ID of an ID address's bytes, or null for a key address.</summary>
    public static ulong? IdOf(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0)
        {
            return null;
        }

        var offset = 1;
        return Varint.Read(bytes, ref offset);
    }

    private static byte[] Checksum(ReadOnlySpan<byte> protocolAndPayload)
    {
        return Blake2bHash.Hash(protocolAndPayload, 4);
    }
}
