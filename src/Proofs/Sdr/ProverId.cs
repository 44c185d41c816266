using System.Globalization;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// prover_id as filecoin-ffi builds it (toProverID): the payload of the miner's ID address, i.e. the
/// unsigned LEB128 of the actor id, zero-padded to 32 bytes.
/// </summary>
public static class ProverId
{
    public static byte[] FromActorId(ulong actorId)
    {
        var id = new byte[32];
        var i = 0;
        var v = actorId;
        do
        {
            var b = (byte)(v & 0x7F);
            v >>= 7;
            id[i++] = v != 0 ? (byte)(b | 0x80) : b;
        }
        while (v != 0);

        return id;
    }

    /// <summary>
    /// Parses an ID address ("t01000", "f01000") and returns the actor id. Other address protocols
    /// have no actor id of their own, as in go-address IDFromAddress.
    /// </summary>
    public static ulong ParseIdAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Length < 3 || (address[0] != 't' && address[0] != 'f'))
        {
            throw new FormatException($"invalid address '{address}': expected an ID address such as t01000 or f01000");
        }

        if (address[1] != '0')
        {
            throw new FormatException($"address '{address}' is not an ID address (protocol {address[1]}); use the miner's ID address, e.g. t01000");
        }

        var digits = address.AsSpan(2);
        if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var actor) || (digits.Length > 1 && digits[0] == '0'))
        {
            throw new FormatException($"invalid ID address '{address}'");
        }

        return actor;
    }
}
