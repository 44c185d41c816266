using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>Lotus <c>types.MessageReceipt</c> JSON: ExitCode, Return (base64 or null), GasUsed, EventsRoot.</summary>
#pragma warning disable CA1819 // the return value is a CBOR blob, as Lotus's []byte
public sealed record MessageReceipt(long ExitCode, byte[]? Return, long GasUsed)
#pragma warning restore CA1819
{
    public Cid? EventsRoot { get; init; }

    public bool Equals(MessageReceipt? other) =>
        other is not null && ExitCode == other.ExitCode && GasUsed == other.GasUsed && EventsRoot == other.EventsRoot
        && (Return is null ? other.Return is null : other.Return is not null && Return.AsSpan().SequenceEqual(other.Return));

    public override int GetHashCode() => HashCode.Combine(ExitCode, GasUsed, EventsRoot);
}
