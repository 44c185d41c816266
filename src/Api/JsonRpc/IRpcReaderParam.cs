namespace Kiln.Api.JsonRpc;

/// <summary>A stream the server decoded from a reader param; see <see cref="RpcReaderOwnership"/>.</summary>
internal interface IRpcReaderParam
{
    /// <summary>Set by <see cref="RpcReaderOwnership.TakeOwnership"/>: the callee disposes it, not the server.</summary>
    bool HandedOver { get; set; }
}
