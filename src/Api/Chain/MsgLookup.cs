using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>Lotus <c>api.MsgLookup</c> (StateWaitMsg, StateSearchMsg): where a message landed and its receipt.</summary>
public sealed record MsgLookup(Cid Message, MessageReceipt Receipt, IReadOnlyList<Cid> TipSet, long Height)
{
    public bool Equals(MsgLookup? other) =>
        other is not null && Message == other.Message && Equals(Receipt, other.Receipt) && Height == other.Height
        && (TipSet ?? []).SequenceEqual(other.TipSet ?? []);

    public override int GetHashCode() => HashCode.Combine(Message, Height);
}
