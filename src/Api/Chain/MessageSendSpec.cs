namespace Kiln.Api.Chain;

/// <summary>Lotus <c>api.MessageSendSpec</c>: MpoolPushMessage's options.</summary>
public sealed record MessageSendSpec
{
    /// <summary>The most the message may pay in fees (0: the node's default).</summary>
    public TokenAmount MaxFee { get; init; }

    /// <summary>An id that makes a retried push idempotent (the zero UUID: none).</summary>
    public Guid MsgUuid { get; init; }

    /// <summary>Set the fee cap to the max fee over the gas limit.</summary>
    public bool MaximizeFeeCap { get; init; }
}
